"""Reading corpora: records from text, JSON Lines, CSV/TSV, CoNLL-U and folders.

Every reader yields :class:`Record` objects one at a time, so a corpus never
has to fit in memory. A record that cannot be read (undecodable bytes, a
malformed line, a missing column, an unterminated quote, a file that ends
abruptly) raises :class:`CorpusError` naming the file and line, or, when a
:class:`Quarantine` is given, is written there with its line range, reason
and raw text, and the reader goes on. Nothing is skipped silently: a
:class:`LineAccount` passed as ``accounting=`` proves that every physical
line of the input is in exactly one record, written or quarantined, or was
skipped as a non-record line (a blank line, a CSV header).

========================  ==========================================  =========
format                    one record is                               id
========================  ==========================================  =========
``text`` (``.txt``)       a non-blank line                            file:line
``jsonl`` (``.jsonl``)    a JSON object (gzip if the name ends .gz)   ``id`` or
                                                                      file:line
``csv`` / ``tsv``         a row; named text/label/id columns          id column
                                                                      or
                                                                      file:line
``conllu``                a sentence (its ``# text`` or its forms)    sent_id
                                                                      or
                                                                      file:line
``dir``                   a file ``<root>/<label>/<name>``            label/name
========================  ==========================================  =========

Rules shared by every reader:

* **Physical lines** end with ``\\n``, ``\\r\\n`` or a lone ``\\r`` (as in
  Python's universal newlines); line numbers count from 1.
* A UTF-8 byte-order mark at the start of a file is not part of its first
  line (Excel writes one in front of every CSV).
* A line or record longer than ``max_record_bytes`` (default
  :data:`MAX_RECORD_BYTES`, 1 MiB, the size of spaCy's default ``max_length``)
  is quarantined without being held in memory; directory files larger than
  that are not read.
* A gzip file that ends early or is corrupt keeps the records read before
  the damage; the rest is one quarantined entry on the line where reading
  stopped (an error without a quarantine), never a traceback or a silent end.
* Labels keep one type within a file: a string, an integer, a finite float
  or a boolean; None is a missing label (an empty CSV cell, an absent or
  null JSON field).
* A record's text is never altered: it is written whole or quarantined whole.

Modules: :mod:`textfeat.io.readers` (:func:`read_corpus`, the format from
the name), the private reader modules behind it, :mod:`textfeat.io.conll`
(token-level CoNLL-U and CoNLL-2003 sentences: its ``read_conllu`` returns
:class:`~textfeat.io.conll.ConllSentence` objects, the one here
:class:`Record` objects), :mod:`textfeat.io.persist` (model files) and
:mod:`textfeat.io.config` (pipelines from TOML). :mod:`textfeat.corpus`,
:mod:`textfeat.conll`, :mod:`textfeat.persist` and :mod:`textfeat.config`
are the same modules under their former names.
"""

from textfeat._files import MAX_RECORD_BYTES, CorpusError
from textfeat.io._conllu import read_conllu
from textfeat.io._csv import QUOTING, read_csv
from textfeat.io._directory import read_directory
from textfeat.io._jsonl import load_jsonl, read_jsonl
from textfeat.io._records import LineAccount, Quarantine, Record
from textfeat.io._text import read_text
from textfeat.io.conll import (
    CONLLU_COLUMNS,
    ConllSentence,
    parse_conllu,
    read_conll2003,
)
from textfeat.io.readers import FORMATS, detect_format, read_corpus

__all__ = [
    "CONLLU_COLUMNS",
    "FORMATS",
    "MAX_RECORD_BYTES",
    "QUOTING",
    "ConllSentence",
    "CorpusError",
    "LineAccount",
    "Quarantine",
    "Record",
    "detect_format",
    "load_jsonl",
    "parse_conllu",
    "read_conll2003",
    "read_conllu",
    "read_corpus",
    "read_csv",
    "read_directory",
    "read_jsonl",
    "read_text",
]
