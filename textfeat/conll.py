"""Readers for token-per-line corpora (moved to :mod:`textfeat.io.conll`).

This module keeps the former import path ``textfeat.conll`` working.
"""

from textfeat.io.conll import (
    CONLLU_COLUMNS,
    ConllSentence,
    parse_conllu,
    read_conll2003,
    read_conllu,
)

__all__ = [
    "CONLLU_COLUMNS",
    "ConllSentence",
    "parse_conllu",
    "read_conll2003",
    "read_conllu",
]
