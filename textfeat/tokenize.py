"""Tokenization with spaCy's blank pipeline (kept import path).

The code lives in :mod:`textfeat.text.tokenize`; this module re-exports its names so that
``from textfeat.tokenize import SpacyTokenizer`` keeps working. The objects are the same
(``SpacyTokenizer.__module__`` is ``textfeat.text.tokenize``).

Examples
--------
>>> from textfeat.tokenize import SpacyTokenizer
>>> import textfeat.text.tokenize
>>> SpacyTokenizer is textfeat.text.tokenize.SpacyTokenizer
True
"""

from textfeat.text.tokenize import (
    PARALLEL_MIN_CHARS,
    PERMANENT_STRINGS,
    TRANSIENT_STRINGS,
    Attr,
    SpacyTokenizer,
    blank_pipeline,
)

__all__ = [
    "PARALLEL_MIN_CHARS",
    "PERMANENT_STRINGS",
    "TRANSIENT_STRINGS",
    "Attr",
    "SpacyTokenizer",
    "blank_pipeline",
]
