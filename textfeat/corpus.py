"""Corpus readers that stream records and name the file and line of any error.

Every reader yields :class:`Record` objects one at a time, so a corpus never
has to fit in memory. A record that cannot be read (undecodable bytes, a
malformed line, a missing column) raises :class:`CorpusError` naming the file
and line, or, when a :class:`Quarantine` is given, is written there with its
location and reason and the reader goes on. Nothing is skipped silently.

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
"""

from __future__ import annotations

import csv
import gzip
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, Self

__all__ = [
    "FORMATS",
    "CorpusError",
    "Quarantine",
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

Format = Literal["auto", "text", "jsonl", "csv", "tsv", "conllu", "dir"]

#: Formats understood by :func:`read_corpus`.
FORMATS = ("text", "jsonl", "csv", "tsv", "conllu", "dir")

_RAW_PREVIEW = 200


class CorpusError(ValueError):
    """A record could not be read; the message names the file and line.

    Attributes
    ----------
    path : str
        File of the record.
    line : int
        Line of the record (1-based; 0 for a whole file, as in a directory
        corpus).
    reason : str
        What is wrong.
    raw : str or None
        The start of the offending text, when there is one.

    Examples
    --------
    >>> err = CorpusError("news.jsonl", 7, "invalid JSON")
    >>> str(err), err.line
    ('news.jsonl, line 7: invalid JSON', 7)
    """

    def __init__(
        self, path: str | Path, line: int, reason: str, raw: str | None = None
    ) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        self.raw = raw
        where = f"{path}, line {line}" if line else f"{path}"
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> Any:  # keep the fields across processes
        return (type(self), (self.path, self.line, self.reason, self.raw))


@dataclass(frozen=True, slots=True)
class Record:
    """One document of a corpus.

    Attributes
    ----------
    id : str
        The record's own id, or ``<file>:<line>`` when it has none.
    text : str
        The document.
    label : Any
        Its label, or None for unlabelled corpora.

    Examples
    --------
    >>> Record("news.jsonl:3", "Hello there.", "greeting")
    Record(id='news.jsonl:3', text='Hello there.', label='greeting')
    """

    id: str
    text: str
    label: Any = None


class Quarantine:
    """Collects the records a reader could not read, instead of failing.

    Each entry is a dict with the ``file``, ``line``, ``reason`` and the start
    of the ``raw`` text. Entries are kept in memory (see :meth:`drain`) and,
    if ``path`` is given, appended to that JSON Lines file as they come.

    Parameters
    ----------
    path : str, Path or None, default=None
        JSON Lines file the entries are appended to.

    Attributes
    ----------
    count : int
        Number of records quarantined so far.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = p.write_text('{"text": "ok"}\\nnot json\\n')
    >>> q = Quarantine()
    >>> [r.text for r in read_jsonl(p, quarantine=q)]
    ['ok']
    >>> q.count, q.entries[0]["line"], q.entries[0]["reason"]
    (1, 2, 'invalid JSON (Expecting value)')
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        self.entries: list[dict[str, Any]] = []
        self.count = 0
        self._fh: IO[str] | None = None

    def add(self, error: CorpusError) -> None:
        """Record ``error`` (a :class:`CorpusError`) as a quarantined record."""
        entry = {
            "file": error.path,
            "line": error.line,
            "reason": error.reason,
            "raw": error.raw,
        }
        self.entries.append(entry)
        self.count += 1
        if self.path is not None:
            if self._fh is None:
                self._fh = self.path.open("a", encoding="utf-8")
            self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._fh.flush()

    def drain(self) -> list[dict[str, Any]]:
        """Return the entries collected since the last call and forget them."""
        out, self.entries = self.entries, []
        return out

    def close(self) -> None:
        """Close the quarantine file, if one is open."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Item = Record | CorpusError


def _emit(items: Iterator[Item], quarantine: Quarantine | None) -> Iterator[Record]:
    """Yield the records; raise the first error, or quarantine every error."""
    for item in items:
        if isinstance(item, Record):
            yield item
        elif quarantine is None:
            raise item
        else:
            quarantine.add(item)


def _preview(raw: str | bytes) -> str:
    text = raw if isinstance(raw, str) else repr(raw)
    return text[:_RAW_PREVIEW]


def _open_bytes(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def _check_exists(path: Path, *, directory: bool = False) -> None:
    if directory and not path.is_dir():
        raise FileNotFoundError(f"{path}: no such directory (the corpus root)")
    if not directory and not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")


def _decoded_lines(
    path: Path, encoding: str = "utf-8"
) -> Iterator[tuple[int, str | CorpusError]]:
    """Number and decode each line; a line with bad bytes becomes an error."""
    with _open_bytes(path) as fh:
        for line_no, raw in enumerate(fh, start=1):
            try:
                yield line_no, raw.decode(encoding)
            except UnicodeDecodeError as exc:
                yield (
                    line_no,
                    CorpusError(
                        path,
                        line_no,
                        f"undecodable bytes ({exc.reason} at byte {exc.start}; "
                        f"the file is not {encoding})",
                        _preview(raw),
                    ),
                )


# -- plain text ------------------------------------------------------------------
def _iter_text(path: Path, encoding: str) -> Iterator[Item]:
    for line_no, line in _decoded_lines(path, encoding):
        if isinstance(line, CorpusError):
            yield line
            continue
        text = line.rstrip("\r\n")
        if text.strip():
            yield Record(f"{path.name}:{line_no}", text)


def read_text(
    path: str | Path,
    *,
    encoding: str = "utf-8",
    quarantine: Quarantine | None = None,
) -> Iterator[Record]:
    """Stream a plain text file, one document per non-blank line.

    Parameters
    ----------
    path : str or Path
        The file (gzip if its name ends in ``.gz``).
    encoding : str, default="utf-8"
        Encoding of the file.
    quarantine : Quarantine or None, default=None
        Where undecodable lines go; None raises instead.

    Yields
    ------
    Record
        With id ``<file>:<line>`` and no label.

    Raises
    ------
    CorpusError
        For a line with undecodable bytes, naming the file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.txt"
    >>> _ = p.write_bytes(b"first doc\\n\\nsecond\\n")
    >>> [(r.id, r.text) for r in read_text(p)]
    [('c.txt:1', 'first doc'), ('c.txt:3', 'second')]
    """
    path = Path(path)
    _check_exists(path)
    yield from _emit(_iter_text(path, encoding), quarantine)


# -- JSON Lines ------------------------------------------------------------------
def _iter_jsonl(
    path: Path, text_field: str, label_field: str | None, id_field: str | None
) -> Iterator[Item]:
    for line_no, line in _decoded_lines(path):
        if isinstance(line, CorpusError):
            yield line
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield CorpusError(
                path, line_no, f"invalid JSON ({exc.msg})", _preview(line)
            )
            continue
        if not isinstance(obj, dict):
            yield CorpusError(path, line_no, "not a JSON object", _preview(line))
            continue
        if text_field not in obj:
            yield CorpusError(
                path, line_no, f"missing field {text_field!r}", _preview(line)
            )
            continue
        text = obj[text_field]
        if not isinstance(text, str):
            yield CorpusError(
                path,
                line_no,
                f"field {text_field!r} is {type(text).__name__}, not a string",
                _preview(line),
            )
            continue
        rid = obj.get(id_field) if id_field else None
        label = obj.get(label_field) if label_field else None
        yield Record(
            str(rid) if rid is not None else f"{path.name}:{line_no}", text, label
        )


def read_jsonl(
    path: str | Path,
    *,
    text_field: str = "text",
    label_field: str | None = "label",
    id_field: str | None = "id",
    quarantine: Quarantine | None = None,
) -> Iterator[Record]:
    """Stream the records of a JSON Lines file (gzip if it ends in ``.gz``).

    Parameters
    ----------
    path : str or Path
        One JSON object a line. Blank lines are not records and are passed
        over.
    text_field : str, default="text"
        Key of the document text (a string).
    label_field : str or None, default="label"
        Key of the label; None for unlabelled files. A record without it
        gets ``label=None``.
    id_field : str or None, default="id"
        Key of the record's id; when absent the id is ``<file>:<line>``.
    quarantine : Quarantine or None, default=None
        Where unreadable records go; None raises instead.

    Yields
    ------
    Record

    Raises
    ------
    CorpusError
        For undecodable bytes, a line that is not a JSON object, or a
        missing or non-string text field, naming the file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = p.write_text('{"text": "hi", "label": "x"}\\n{"text": 3}\\n')
    >>> it = read_jsonl(p)
    >>> next(it).text
    'hi'
    >>> next(it)
    Traceback (most recent call last):
    ...
    textfeat.corpus.CorpusError: ...c.jsonl, line 2: field 'text' is int, not a string
    """
    path = Path(path)
    _check_exists(path)
    yield from _emit(_iter_jsonl(path, text_field, label_field, id_field), quarantine)


def load_jsonl(
    path: str | Path, **kwargs: Any
) -> tuple[list[str], list[Any], list[str]]:
    """Read a whole JSON Lines corpus into lists: texts, labels and ids.

    Parameters
    ----------
    path : str or Path
        As in :func:`read_jsonl`.
    **kwargs
        Passed to :func:`read_jsonl`.

    Returns
    -------
    texts : list of str
    labels : list
    ids : list of str

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = p.write_text('{"id": "a", "text": "hi", "label": 1}\\n')
    >>> load_jsonl(p)
    (['hi'], [1], ['a'])
    """
    texts, labels, ids = [], [], []
    for rec in read_jsonl(path, **kwargs):
        texts.append(rec.text)
        labels.append(rec.label)
        ids.append(rec.id)
    return texts, labels, ids


# -- CSV / TSV -------------------------------------------------------------------
class _LineCounter:
    """Feed decoded lines to ``csv`` while remembering the last line number."""

    def __init__(self, path: Path, encoding: str) -> None:
        self._lines = _decoded_lines(path, encoding)
        self.line = 0
        self.error: CorpusError | None = None

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> str:
        self.line, text = next(self._lines)
        if isinstance(text, CorpusError):
            self.error = text
            return ""  # an empty line: csv yields nothing for it
        return text


def _iter_csv(
    path: Path,
    delimiter: str,
    text_column: str,
    label_column: str | None,
    id_column: str | None,
    encoding: str,
) -> Iterator[Item]:
    lines = _LineCounter(path, encoding)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield CorpusError(path, 1, "empty file: no header row with column names")
        return
    except csv.Error as exc:
        yield CorpusError(path, lines.line, f"malformed header ({exc})")
        return
    if lines.error is not None:
        yield lines.error
        return
    wanted = {"text": text_column, "label": label_column, "id": id_column}
    index: dict[str, int] = {}
    for role, name in wanted.items():
        if name is None:
            continue
        if name not in header:
            yield CorpusError(
                path,
                1,
                f"missing column {name!r} (the {role} column); the header has "
                f"{header!r}",
            )
            return
        index[role] = header.index(name)
    width = len(header)
    while True:
        try:
            row: list[str] | None = next(reader)
        except StopIteration:
            row = None
        except csv.Error as exc:
            yield CorpusError(path, lines.line, f"malformed row ({exc})")
            continue
        if lines.error is not None:
            yield lines.error
            lines.error = None
        if row is None:
            return
        line_no = lines.line
        if not row:
            continue
        if len(row) != width:
            yield CorpusError(
                path,
                line_no,
                f"row has {len(row)} fields, the header {width}",
                _preview(delimiter.join(row)),
            )
            continue
        text = row[index["text"]]
        label = row[index["label"]] if "label" in index else None
        rid = row[index["id"]] if "id" in index else f"{path.name}:{line_no}"
        yield Record(rid, text, label)


def read_csv(
    path: str | Path,
    *,
    text_column: str = "text",
    label_column: str | None = None,
    id_column: str | None = None,
    delimiter: str | None = None,
    encoding: str = "utf-8",
    quarantine: Quarantine | None = None,
) -> Iterator[Record]:
    """Stream the rows of a CSV or TSV file with a header row.

    Parameters
    ----------
    path : str or Path
        The file (gzip if its name ends in ``.gz``).
    text_column : str, default="text"
        Name of the column holding the document.
    label_column : str or None, default=None
        Name of the label column, if any.
    id_column : str or None, default=None
        Name of the id column; without it the id is ``<file>:<line>``.
    delimiter : str or None, default=None
        Field separator; None uses a tab for ``.tsv`` files, else a comma.
    encoding : str, default="utf-8"
        Encoding of the file.
    quarantine : Quarantine or None, default=None
        Where unreadable rows go; None raises instead. A missing column is
        an error of the whole file and is always raised.

    Yields
    ------
    Record

    Raises
    ------
    CorpusError
        For a missing column (line 1), a row with the wrong number of fields,
        an unterminated quote or undecodable bytes, naming file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.tsv"
    >>> _ = p.write_text("label\\ttext\\npos\\tgood film\\nneg\\tdull\\n")
    >>> [(r.id, r.text, r.label) for r in read_csv(p, label_column="label")]
    [('c.tsv:2', 'good film', 'pos'), ('c.tsv:3', 'dull', 'neg')]
    >>> next(read_csv(p, text_column="body"))
    Traceback (most recent call last):
    ...
    textfeat.corpus.CorpusError: ...c.tsv, line 1: missing column 'body' (the text column); the header has ['label', 'text']
    """
    path = Path(path)
    _check_exists(path)
    if delimiter is None:
        suffixes = [s for s in path.suffixes if s != ".gz"]
        delimiter = "\t" if suffixes[-1:] == [".tsv"] else ","
    items = _iter_csv(path, delimiter, text_column, label_column, id_column, encoding)
    for item in items:
        if isinstance(item, CorpusError) and item.reason.startswith("missing column"):
            raise item
        yield from _emit(iter([item]), quarantine)


# -- CoNLL-U ---------------------------------------------------------------------
def _iter_conllu(path: Path, encoding: str) -> Iterator[Item]:
    from textfeat.conll import parse_conllu  # conll imports this module

    for item in parse_conllu(path, encoding):
        if isinstance(item, CorpusError):
            yield item
            continue
        meta = item.metadata
        yield Record(
            meta.get("sent_id", f"{path.name}:{item.line}"),
            meta.get("text", " ".join(item.words)),
        )


def read_conllu(
    path: str | Path,
    *,
    encoding: str = "utf-8",
    quarantine: Quarantine | None = None,
) -> Iterator[Record]:
    """Stream the sentences of a CoNLL-U file, one record per sentence.

    Parameters
    ----------
    path : str or Path
        The file (gzip if its name ends in ``.gz``).
    encoding : str, default="utf-8"
        Encoding of the file.
    quarantine : Quarantine or None, default=None
        Where malformed sentences go; None raises instead.

    Yields
    ------
    Record
        Text from the ``# text`` comment (else the word forms joined by
        spaces), id from ``# sent_id`` (else ``<file>:<line>``), no label.

    Raises
    ------
    CorpusError
        For a token line without 10 fields or undecodable bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.conllu"
    >>> row = "1\\tHi\\thi\\tINTJ\\t_\\t_\\t0\\troot\\t_\\t_"
    >>> _ = p.write_text("# sent_id = s1\\n" + row + "\\n\\n")
    >>> [(r.id, r.text) for r in read_conllu(p)]
    [('s1', 'Hi')]
    """
    path = Path(path)
    _check_exists(path)
    yield from _emit(_iter_conllu(path, encoding), quarantine)


# -- directory tree --------------------------------------------------------------
def _iter_directory(root: Path, encoding: str) -> Iterator[Item]:
    for label_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for dirpath, dirnames, filenames in os.walk(label_dir):
            dirnames.sort()
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                file = Path(dirpath) / name
                rid = file.relative_to(root).as_posix()
                raw = file.read_bytes()
                try:
                    text = raw.decode(encoding)
                except UnicodeDecodeError as exc:
                    line = raw.count(b"\n", 0, exc.start) + 1
                    yield CorpusError(
                        file,
                        line,
                        f"undecodable bytes ({exc.reason} at byte {exc.start}; "
                        f"the file is not {encoding}, try encoding='latin-1')",
                        _preview(raw[max(0, exc.start - 40) : exc.start + 40]),
                    )
                    continue
                yield Record(rid, text, label_dir.name)


def read_directory(
    root: str | Path,
    *,
    encoding: str = "utf-8",
    quarantine: Quarantine | None = None,
) -> Iterator[Record]:
    """Stream a directory tree where each sub-folder of ``root`` is a label.

    The 20 Newsgroups layout: ``root/<label>/<file>`` (deeper folders count
    for the label of their top folder). Files are read in sorted order; files
    directly in ``root`` and hidden files are not documents.

    Parameters
    ----------
    root : str or Path
        The corpus folder.
    encoding : str, default="utf-8"
        Encoding of the files.
    quarantine : Quarantine or None, default=None
        Where undecodable files go; None raises instead.

    Yields
    ------
    Record
        With id ``<label>/<file name>`` and the folder name as label.

    Raises
    ------
    CorpusError
        For a file with undecodable bytes, naming the file and the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "sport").mkdir()
    >>> _ = (root / "sport" / "1.txt").write_text("goal!")
    >>> [(r.id, r.text, r.label) for r in read_directory(root)]
    [('sport/1.txt', 'goal!', 'sport')]
    """
    root = Path(root)
    _check_exists(root, directory=True)
    yield from _emit(_iter_directory(root, encoding), quarantine)


# -- dispatch --------------------------------------------------------------------
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
    text_field: str = "text",
    label_field: str | None = "label",
    id_field: str | None = "id",
    encoding: str = "utf-8",
    quarantine: Quarantine | None = None,
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
    encoding : str, default="utf-8"
        Encoding (text, CSV/TSV, CoNLL-U and directory corpora).
    quarantine : Quarantine or None, default=None
        Where unreadable records go; None raises :class:`CorpusError`.

    Yields
    ------
    Record

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text('text,label\\n"a, b",x\\n')
    >>> [(r.text, r.label) for r in read_corpus(p)]
    [('a, b', 'x')]
    """
    fmt = detect_format(path) if format == "auto" else format
    if fmt not in FORMATS:
        raise ValueError(f"format={fmt!r} is not one of {', '.join(FORMATS)}")
    reader: Callable[..., Iterator[Record]]
    if fmt == "jsonl":
        return read_jsonl(
            path,
            text_field=text_field,
            label_field=label_field,
            id_field=id_field,
            quarantine=quarantine,
        )
    if fmt in ("csv", "tsv"):
        label_col, id_col = _optional_columns(
            Path(path), fmt, label_field, id_field, encoding
        )
        return read_csv(
            path,
            text_column=text_field,
            label_column=label_col,
            id_column=id_col,
            delimiter="\t" if fmt == "tsv" else ",",
            encoding=encoding,
            quarantine=quarantine,
        )
    reader = {"text": read_text, "conllu": read_conllu, "dir": read_directory}[fmt]
    return reader(path, encoding=encoding, quarantine=quarantine)


def _optional_columns(
    path: Path,
    fmt: str,
    label_field: str | None,
    id_field: str | None,
    encoding: str,
) -> tuple[str | None, str | None]:
    """Drop the default ``label``/``id`` columns when the header lacks them."""
    _check_exists(path)
    with _open_bytes(path) as fh:
        first = fh.readline().decode(encoding, errors="replace")
    header = next(csv.reader([first], delimiter="\t" if fmt == "tsv" else ","), [])
    label = label_field if label_field != "label" or label_field in header else None
    rid = id_field if id_field != "id" or id_field in header else None
    return label, rid
