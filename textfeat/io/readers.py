"""Read any supported corpus: the format from the file name, or named.

:func:`read_corpus` dispatches to the readers of each format
(:func:`textfeat.io.read_text`, :func:`~textfeat.io.read_jsonl`,
:func:`~textfeat.io.read_csv`, :func:`~textfeat.io.read_conllu`,
:func:`~textfeat.io.read_directory`) with one set of option names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal

from textfeat._files import (
    MAX_RECORD_BYTES,
)
from textfeat.io._conllu import read_conllu
from textfeat.io._csv import Quoting, read_csv_fields
from textfeat.io._directory import read_directory
from textfeat.io._jsonl import read_jsonl
from textfeat.io._records import (
    LineAccount,
    Quarantine,
    Record,
)
from textfeat.io._text import read_text

__all__ = ["FORMATS", "Format", "detect_format", "read_corpus"]


Format = Literal["auto", "text", "jsonl", "csv", "tsv", "conllu", "dir"]

#: Formats understood by :func:`read_corpus`.
FORMATS = ("text", "jsonl", "csv", "tsv", "conllu", "dir")


def detect_format(path: str | Path) -> str:
    """Guess a corpus format from the path (a folder is ``"dir"``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    str
        One of :data:`FORMATS`.

    Raises
    ------
    ValueError
        If the file name says nothing known.

    Examples
    --------
    >>> detect_format("train.jsonl.gz"), detect_format("a.tsv"), detect_format("b.txt")
    ('jsonl', 'tsv', 'text')
    """
    path = Path(path)
    if path.is_dir():
        return "dir"
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    ext = suffixes[-1] if suffixes else ""
    table = {
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".json": "jsonl",
        ".csv": "csv",
        ".tsv": "tsv",
        ".conllu": "conllu",
        ".txt": "text",
        ".text": "text",
    }
    if ext not in table:
        raise ValueError(
            f"{path}: cannot tell the corpus format from the name; pass "
            f"format= one of {', '.join(FORMATS)}"
        )
    return table[ext]


def read_corpus(
    path: str | Path,
    *,
    format: Format = "auto",
    text_field: str | Sequence[str] = "text",
    label_field: str | None = "label",
    id_field: str | None = "id",
    encoding: str = "utf-8",
    quarantine: Quarantine | None = None,
    accounting: LineAccount | None = None,
    delimiter: str | None = None,
    quotechar: str | None = '"',
    quoting: Quoting = "minimal",
    doublequote: bool = True,
    escapechar: str | None = None,
    max_record_bytes: int = MAX_RECORD_BYTES,
    exclude: Iterable[str | Path] | None = None,
) -> Iterator[Record]:
    """Stream any supported corpus; the format comes from the name by default.

    Parameters
    ----------
    path : str or Path
        A file or, for ``format="dir"``, a folder.
    format : {"auto", "text", "jsonl", "csv", "tsv", "conllu", "dir"}
        The format; ``"auto"`` uses :func:`detect_format`.
    text_field, label_field, id_field : str or None
        Field (JSON Lines) or column (CSV/TSV) names. For CSV/TSV a label or
        id column that is absent from the header is an error only when it
        was asked for explicitly; with the defaults it is optional.
        ``text_field`` may also be a list or tuple of names: the text is
        their values joined with a newline, in the order given (see
        :func:`read_jsonl` and :func:`read_csv`). Other formats have no
        fields and ignore a single name; several names are refused there.
    encoding : str, default="utf-8"
        Encoding (text, CSV/TSV, CoNLL-U and directory corpora; JSON Lines
        is always UTF-8).
    quarantine : Quarantine or None, default=None
        Where unreadable records go; None raises :class:`CorpusError`.
    accounting : LineAccount or None, default=None
        A new :class:`LineAccount`, filled with where every line went.
    delimiter, quotechar, quoting, doublequote, escapechar
        CSV/TSV options, as in :func:`read_csv` (ignored by other formats).
        ``format="tsv"`` means ``delimiter="\\t"``; another delimiter with it
        is refused.
    max_record_bytes : int, default=MAX_RECORD_BYTES
        Most bytes of one record, line or directory file (1 MiB).
    exclude : iterable of paths or None, default=None
        For ``format="dir"``: files or folders that are not part of the
        corpus (see :func:`read_directory`); ignored by other formats.

    Yields
    ------
    Record

    Raises
    ------
    ValueError
        For an unknown format or an invalid option, naming it (several
        ``text_field`` names for a format without fields included).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text('text,label\\n"a, b",x\\n')
    >>> [(r.text, r.label) for r in read_corpus(p)]
    [('a, b', 'x')]
    >>> [r.text for r in read_corpus(p, text_field=("label", "text"))]
    ['x\\na, b']
    >>> p = p.with_name("c.txt")
    >>> _ = p.write_text('text;b\\n"x;y";1\\n')
    >>> [r.text for r in read_corpus(p, format="csv", delimiter=";", label_field="b")]
    ['x;y']
    """
    fmt = detect_format(path) if format == "auto" else format
    if fmt not in FORMATS:
        raise ValueError(
            f"The 'format' parameter of read_corpus must be 'auto' or one of "
            f"{', '.join(FORMATS)}. Got {fmt!r} instead."
        )
    if fmt not in ("jsonl", "csv", "tsv") and isinstance(text_field, list | tuple):
        if len(text_field) > 1:
            raise ValueError(
                f"The 'text_field' parameter of read_corpus names several fields "
                f"({text_field!r}), but a {fmt!r} corpus has no fields; text from "
                "several fields is read from JSON Lines and CSV/TSV files."
            )
    if fmt == "jsonl":
        return read_jsonl(
            path,
            text_field=text_field,
            label_field=label_field,
            id_field=id_field,
            max_record_bytes=max_record_bytes,
            quarantine=quarantine,
            accounting=accounting,
        )
    if fmt in ("csv", "tsv"):
        if fmt == "tsv":
            if delimiter not in (None, "\t"):
                raise ValueError(
                    "The 'delimiter' parameter of read_corpus must be None or a "
                    f"tab with format='tsv'. Got {delimiter!r} instead."
                )
            delimiter = "\t"
        elif delimiter is None:
            delimiter = ","
        return read_csv_fields(
            path,
            (text_field, label_field, id_field),
            (label_field == "label", id_field == "id"),
            delimiter,
            quotechar,
            quoting,
            doublequote,
            escapechar,
            encoding,
            max_record_bytes,
            quarantine,
            accounting,
            "read_corpus",
        )
    if fmt == "dir":
        return read_directory(
            path,
            encoding=encoding,
            max_record_bytes=max_record_bytes,
            exclude=exclude,
            quarantine=quarantine,
            accounting=accounting,
        )
    reader = read_text if fmt == "text" else read_conllu
    return reader(
        path,
        encoding=encoding,
        max_record_bytes=max_record_bytes,
        quarantine=quarantine,
        accounting=accounting,
    )
