"""textfeat: Chapter 8 text features as scikit-learn transformers.

Goldberg's *Neural Network Methods for Natural Language Processing*,
chapter 8, as transformers that compose in scikit-learn Pipelines.
"""

from __future__ import annotations

from textfeat._version import __version__
from textfeat.batch import (
    BatchError,
    BatchWarning,
    featurize,
    load_features,
    read_manifest,
)
from textfeat.conll import ConllSentence, read_conll2003, read_conllu
from textfeat.corpus import (
    CorpusError,
    LineAccount,
    Quarantine,
    Record,
    detect_format,
    load_jsonl,
    read_corpus,
    read_csv,
    read_directory,
    read_jsonl,
    read_text,
)
from textfeat.dense.cbow import CBOWVectorizer
from textfeat.dense.ppmi import PPMIVectors
from textfeat.dense.vectors import WordVectors
from textfeat.info.loss import log_loss_from_logits
from textfeat.info.scoring import joint_entropy, js_score, kl_score
from textfeat.persist import ModelFileError
from textfeat.persist import load as load_model
from textfeat.persist import save as save_model
from textfeat.scaling import FrequencyScaler
from textfeat.scoring import (
    class_scores,
    conditional_entropy,
    entropy,
    mutual_info,
    top_features,
)
from textfeat.softmax import SoftmaxClassifier, log_softmax, logsumexp, softmax
from textfeat.text.dropout import WordDropout
from textfeat.text.onehot import OneHotVectorizer
from textfeat.text.padding import SequencePadder
from textfeat.text.signatures import (
    WordSignatures,
    berkeley_signature,
    goldberg_signature,
)
from textfeat.text.tokenize import SpacyTokenizer
from textfeat.text.vocab import (
    BOS,
    BOS_ID,
    EOS,
    EOS_ID,
    PAD,
    PAD_ID,
    SPECIALS,
    UNK,
    UNK_ID,
    UnknownWordError,
    Vocabulary,
)
from textfeat.windows import Token, Tokens, WindowVectorizer, word_shape

__all__ = [
    "BOS",
    "BOS_ID",
    "EOS",
    "EOS_ID",
    "PAD",
    "PAD_ID",
    "SPECIALS",
    "UNK",
    "UNK_ID",
    "BatchError",
    "BatchWarning",
    "CBOWVectorizer",
    "ConllSentence",
    "CorpusError",
    "FrequencyScaler",
    "LineAccount",
    "ModelFileError",
    "OneHotVectorizer",
    "PPMIVectors",
    "Quarantine",
    "Record",
    "SequencePadder",
    "SoftmaxClassifier",
    "SpacyTokenizer",
    "Token",
    "Tokens",
    "UnknownWordError",
    "Vocabulary",
    "WindowVectorizer",
    "WordDropout",
    "WordSignatures",
    "WordVectors",
    "__version__",
    "berkeley_signature",
    "class_scores",
    "conditional_entropy",
    "detect_format",
    "entropy",
    "featurize",
    "goldberg_signature",
    "joint_entropy",
    "js_score",
    "kl_score",
    "load_features",
    "load_jsonl",
    "load_model",
    "log_loss_from_logits",
    "log_softmax",
    "logsumexp",
    "mutual_info",
    "read_conll2003",
    "read_conllu",
    "read_corpus",
    "read_csv",
    "read_directory",
    "read_jsonl",
    "read_manifest",
    "read_text",
    "save_model",
    "softmax",
    "top_features",
    "word_shape",
]
