"""textfeat: Chapter 8 text features as scikit-learn transformers.

Goldberg's *Neural Network Methods for Natural Language Processing*,
chapter 8, as transformers that compose in scikit-learn Pipelines.
"""

from __future__ import annotations

from textfeat.corpus import CorpusError, Record, load_jsonl, read_jsonl
from textfeat.dropout import WordDropout
from textfeat.onehot import OneHotVectorizer
from textfeat.padding import SequencePadder
from textfeat.signatures import WordSignatures, berkeley_signature, goldberg_signature
from textfeat.tokenize import SpacyTokenizer
from textfeat.vocab import (
    BOS,
    BOS_ID,
    EOS,
    EOS_ID,
    PAD,
    PAD_ID,
    SPECIALS,
    UNK,
    UNK_ID,
    Vocabulary,
)

__version__ = "0.1.0"

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
    "CorpusError",
    "OneHotVectorizer",
    "Record",
    "SequencePadder",
    "SpacyTokenizer",
    "Vocabulary",
    "WordDropout",
    "WordSignatures",
    "__version__",
    "berkeley_signature",
    "goldberg_signature",
    "load_jsonl",
    "read_jsonl",
]
