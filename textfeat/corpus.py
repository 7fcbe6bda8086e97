"""Corpus readers that stream records and account for every line they read.

The readers live in :mod:`textfeat.io` (see its documentation for the
formats and the rules every reader follows); this module keeps the former
import path ``textfeat.corpus`` working and is the public home of
:class:`CorpusError`.
"""

from textfeat._files import MAX_RECORD_BYTES, CorpusError
from textfeat.io import (
    QUOTING,
    LineAccount,
    Quarantine,
    Record,
    load_jsonl,
    read_conllu,
    read_csv,
    read_directory,
    read_jsonl,
    read_text,
)
from textfeat.io._csv import Quoting
from textfeat.io.readers import FORMATS, Format, detect_format, read_corpus

__all__ = [
    "FORMATS",
    "MAX_RECORD_BYTES",
    "QUOTING",
    "CorpusError",
    "Format",
    "LineAccount",
    "Quarantine",
    "Quoting",
    "Record",
    "detect_format",
    "load_jsonl",
    "read_conllu",
    "read_corpus",
    "read_csv",
    "read_directory",
    "read_jsonl",
    "read_text",
]
