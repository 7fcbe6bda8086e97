"""The vocabulary and the special symbols (kept import path).

The code lives in :mod:`textfeat.text.vocab`; this module re-exports its names so that
``from textfeat.vocab import Vocabulary`` keeps working. The objects are the same
(``Vocabulary.__module__`` is ``textfeat.text.vocab``).

Examples
--------
>>> from textfeat.vocab import Vocabulary
>>> import textfeat.text.vocab
>>> Vocabulary is textfeat.text.vocab.Vocabulary
True
"""

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
    VOCABULARY_CONSTRAINTS,
    HandleUnknown,
    UnknownWordError,
    Vocabulary,
    count_tokens,
    resolve_unknown,
)

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
    "VOCABULARY_CONSTRAINTS",
    "HandleUnknown",
    "UnknownWordError",
    "Vocabulary",
    "count_tokens",
    "resolve_unknown",
]
