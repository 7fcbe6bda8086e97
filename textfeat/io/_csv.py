"""Corpus readers that stream records and account for every line they read.

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
"""

from __future__ import annotations

import codecs
import csv
import errno
import gzip
import json
import math
import os
import stat
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Self

__all__ = [
    "FORMATS",
    "MAX_RECORD_BYTES",
    "QUOTING",
    "CorpusError",
    "LineAccount",
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
Quoting = Literal["minimal", "all", "nonnumeric", "none"]

#: Formats understood by :func:`read_corpus`.
FORMATS = ("text", "jsonl", "csv", "tsv", "conllu", "dir")

#: Default limit on the bytes of one record (or line, or directory file).
MAX_RECORD_BYTES = 1 << 20

#: CSV quoting names and the :mod:`csv` constants they stand for.
QUOTING = {
    "minimal": csv.QUOTE_MINIMAL,
    "all": csv.QUOTE_ALL,
    "nonnumeric": csv.QUOTE_NONNUMERIC,
    "none": csv.QUOTE_NONE,
}

_RAW_PREVIEW = 8192  # characters of raw text kept in an error / quarantine entry
_BLOCK = 1 << 16
_BOM = codecs.BOM_UTF8


class CorpusError(ValueError):
    """A record could not be read; the message names the file and line(s).

    Attributes
    ----------
    path : str
        File of the record.
    line : int
        First physical line of the record (1-based; 0 for a whole file, as
        for a FIFO in a directory corpus).
    reason : str
        What is wrong.
    raw : str or None
        The record's raw text (its first 8192 characters), when there is one;
        undecodable bytes appear as ``\\xNN`` escapes.
    end_line : int
        Last physical line of the record (inclusive); ``line`` by default.

    Examples
    --------
    >>> err = CorpusError("news.jsonl", 7, "invalid JSON")
    >>> str(err), err.line, err.end_line
    ('news.jsonl, line 7: invalid JSON', 7, 7)
    >>> str(CorpusError("a.csv", 3, "row has 3 fields, the header 2", end_line=5))
    'a.csv, lines 3-5: row has 3 fields, the header 2'
    """

    def __init__(
        self,
        path: str | Path,
        line: int,
        reason: str,
        raw: str | None = None,
        end_line: int | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.end_line = line if end_line is None else end_line
        self.reason = reason
        self.raw = raw
        if not line:
            where = f"{path}"
        elif self.end_line == line:
            where = f"{path}, line {line}"
        else:
            where = f"{path}, lines {line}-{self.end_line}"
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> Any:  # keep the fields across processes
        return (
            type(self),
            (self.path, self.line, self.reason, self.raw, self.end_line),
        )


@dataclass(frozen=True, slots=True)
class Record:
    """One document of a corpus.

    Attributes
    ----------
    id : str
        The record's own id, or ``<file>:<line>`` when it has none.
    text : str
        The document, exactly as in the file.
    label : str, int, float, bool or None
        Its label, or None when it has none.
    line, end_line : int
        Physical lines ``[line, end_line]`` (1-based, inclusive) the record
        spans in its file; 0 when unknown. For a directory corpus a record
        is a whole file: ``line=1`` and ``end_line`` its number of lines
        (0 for an empty file). They take no part in equality.

    Examples
    --------
    >>> Record("news.jsonl:3", "Hello there.", "greeting", 3, 3)
    Record(id='news.jsonl:3', text='Hello there.', label='greeting', line=3, end_line=3)
    >>> Record("a", "x") == Record("a", "x", line=9, end_line=9)
    True
    """

    id: str
    text: str
    label: Any = None
    line: int = field(default=0, compare=False)
    end_line: int = field(default=0, compare=False)


class LineAccount:
    """Where every physical line of a corpus went: a record, the quarantine, or skipped.

    Pass one (new) account per read as ``accounting=`` to a reader or to
    :func:`read_corpus`; the reader fills it as it goes. Once the reader is
    exhausted, ``lines_read == lines_in_records + lines_in_quarantined +
    lines_skipped`` holds, and the ranges the reader emitted tile
    ``1..lines_read`` in order without overlap or gap; :meth:`check` proves
    both.

    Skipped lines are lines that are no record: blank lines of text and JSON
    Lines files (whitespace only), empty lines between CSV rows, the CSV
    header row (with any empty lines before it), and the blank lines that
    separate CoNLL-U sentences (comment lines belong to the sentence they
    precede). A file that ends abruptly counts one more line read, the
    (possibly empty) partial line where reading stopped, which is
    quarantined.

    For a directory corpus (``unit == "file"``) the counts are of directory
    entries instead of lines: each regular file is one record or one
    quarantined entry; entries that are not regular files (FIFOs, sockets,
    devices, dangling links, link loops) are quarantined; hidden entries and
    files directly in the root are skipped. Excluded paths are counted
    nowhere.

    Attributes
    ----------
    unit : {"line", "file"}
        What the counts count.
    lines_read : int
        Physical lines consumed from the file (entries, for a directory).
    lines_in_records : int
        Lines inside the records yielded.
    lines_in_quarantined : int
        Lines inside the records quarantined (or raised).
    lines_skipped : int
        Lines that are no record (see above).
    problems : list of str
        Overlaps or gaps found between consecutive ranges (empty when sound).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text('text\\n"open quote\\nfine\\n\\nlast\\n')
    >>> acc, q = LineAccount(), Quarantine()
    >>> [(r.text, r.line) for r in read_csv(p, quarantine=q, accounting=acc)]
    [('fine', 3), ('last', 5)]
    >>> q.entries[0]["line"], q.entries[0]["reason"][:18]
    (2, 'unterminated quote')
    >>> acc.as_dict()
    {'unit': 'line', 'lines_read': 5, 'lines_in_records': 2, 'lines_in_quarantined': 1, 'lines_skipped': 2}
    >>> acc.check()
    True
    """

    def __init__(self) -> None:
        self.unit = "line"
        self.lines_read = 0
        self.lines_in_records = 0
        self.lines_in_quarantined = 0
        self.lines_skipped = 0
        self.problems: list[str] = []
        self._next = 1
        self._started = False

    def _start(self, unit: str) -> None:
        if self._started:
            raise ValueError(
                "The 'accounting' parameter must be a new LineAccount for each "
                "read; this one already counted a corpus."
            )
        self._started = True
        self.unit = unit

    def _take(self, start: int, end: int, kind: int) -> None:
        if start != self._next or end < start:
            if len(self.problems) < 20:
                what = "overlaps" if start < self._next else "leaves a gap before"
                if end < start:
                    what = "is an empty range at"
                self.problems.append(f"range {start}-{end} {what} line {self._next}")
        n = end - start + 1
        if n > 0:
            if kind == 0:
                self.lines_in_records += n
            elif kind == 1:
                self.lines_in_quarantined += n
            else:
                self.lines_skipped += n
        self._next = max(self._next, end + 1)

    def _take_unit(self, kind: int) -> None:
        self._take(self._next, self._next, kind)

    @property
    def balanced(self) -> bool:
        """Whether the identity holds and the ranges tile the lines read."""
        total = self.lines_in_records + self.lines_in_quarantined + self.lines_skipped
        return (
            not self.problems
            and self.lines_read == total
            and self._next == self.lines_read + 1
        )

    def check(self) -> bool:
        """Return True if every line is accounted for; else raise ValueError.

        Raises
        ------
        ValueError
            Naming the counts, and the first overlaps or gaps, when
            ``lines_read != lines_in_records + lines_in_quarantined +
            lines_skipped`` or the ranges do not tile ``1..lines_read``.
        """
        if self.balanced:
            return True
        detail = "; ".join(self.problems[:5])
        raise ValueError(
            f"line accounting does not balance: {self.lines_read} {self.unit}s "
            f"read != {self.lines_in_records} in records + "
            f"{self.lines_in_quarantined} quarantined + {self.lines_skipped} "
            f"skipped (ranges cover 1..{self._next - 1})"
            + (f"; {detail}" if detail else "")
        )

    def as_dict(self) -> dict[str, Any]:
        """The counts as a dict (for a manifest)."""
        return {
            "unit": self.unit,
            "lines_read": self.lines_read,
            "lines_in_records": self.lines_in_records,
            "lines_in_quarantined": self.lines_in_quarantined,
            "lines_skipped": self.lines_skipped,
        }


class Quarantine:
    """Collects the records a reader could not read, instead of failing.

    Each entry is a dict with the ``file``, the line range ``line`` ..
    ``end_line`` (inclusive), the ``reason`` and the ``raw`` text (its first
    8192 characters). Entries are kept in memory (see :meth:`drain`) and, if
    ``path`` is given, appended to that JSON Lines file as they come. The
    file is written with ASCII escapes (``ensure_ascii=True``), so any
    string, even one holding a lone surrogate such as a file name with
    undecodable bytes, can be written, and ``json.loads`` gives it back.

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
            "end_line": error.end_line,
            "reason": error.reason,
            "raw": error.raw,
        }
        self.entries.append(entry)
        self.count += 1
        if self.path is not None:
            if self._fh is None:
                self._fh = self.path.open("a", encoding="utf-8")
            self._fh.write(json.dumps(entry, ensure_ascii=True) + "\n")
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


class _Skip:
    """Lines ``start..end`` that are no record (blank lines, a header)."""

    __slots__ = ("end", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end


Item = Record | CorpusError | _Skip


def _emit(
    items: Iterator[Item],
    quarantine: Quarantine | None,
    account: LineAccount | None,
    whole_files: bool = False,
) -> Iterator[Record]:
    """Yield the records; raise the first error, or quarantine every error."""
    if account is None:
        for item in items:
            cls = type(item)
            if cls is Record:
                yield item  # type: ignore[misc]
            elif cls is _Skip:
                continue
            elif quarantine is None:
                raise item  # type: ignore[misc]
            else:
                quarantine.add(item)  # type: ignore[arg-type]
        return
    for item in items:
        cls = type(item)
        kind = 0 if cls is Record else 2 if cls is _Skip else 1
        if whole_files:
            account._take_unit(kind)
        elif kind == 0:
            account._take(item.line, item.end_line, 0)  # type: ignore[union-attr]
        elif kind == 2:
            account._take(item.start, item.end, 2)  # type: ignore[union-attr]
        else:
            account._take(item.line, item.end_line, 1)  # type: ignore[union-attr]
        if kind == 0:
            yield item  # type: ignore[misc]
        elif kind == 1:
            if quarantine is None:
                raise item  # type: ignore[misc]
            quarantine.add(item)  # type: ignore[arg-type]


def _preview(raw: str | bytes) -> str:
    text = raw if isinstance(raw, str) else raw.decode("utf-8", "backslashreplace")
    return text[:_RAW_PREVIEW]


# -- files and physical lines ------------------------------------------------------
def _open_bytes(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def _check_exists(path: Path, *, directory: bool = False) -> None:
    if directory and not path.is_dir():
        raise FileNotFoundError(f"{path}: no such directory (the corpus root)")
    if not directory:
        try:
            st = os.stat(path)
        except OSError:
            raise FileNotFoundError(f"{path}: no such file") from None
        if not stat.S_ISREG(st.st_mode):
            raise FileNotFoundError(
                f"{path}: not a regular file ({_file_kind(st.st_mode)}); a corpus "
                "file must be a regular file"
            )


def _check_encoding(encoding: Any, func: str) -> str:
    """Return the codec name of ``encoding``; refuse codecs that split lines wrongly."""
    try:
        name = codecs.lookup(encoding).name
        ok = "\n\r".encode(name) == b"\n\r" and b"\n\r".decode(name) == "\n\r"
    except (LookupError, TypeError, ValueError, UnicodeError):
        ok = False
    if not ok:
        raise ValueError(
            f"The 'encoding' parameter of {func} must name an ASCII-compatible "
            f"codec (utf-8, latin-1, cp1252...). Got {encoding!r} instead."
        )
    return "utf-8" if name in ("utf-8", "utf-8-sig") else name


def _check_limit(max_record_bytes: Any, func: str) -> int:
    if (
        isinstance(max_record_bytes, bool)
        or not isinstance(max_record_bytes, int)
        or max_record_bytes < 1
    ):
        raise ValueError(
            f"The 'max_record_bytes' parameter of {func} must be a positive "
            f"integer. Got {max_record_bytes!r} instead."
        )
    return max_record_bytes


def _check_account(accounting: Any, func: str) -> LineAccount | None:
    if accounting is not None and not isinstance(accounting, LineAccount):
        raise ValueError(
            f"The 'accounting' parameter of {func} must be a LineAccount or "
            f"None. Got {type(accounting).__name__} instead."
        )
    return accounting


class _Fault:
    """What is wrong with one physical line.

    ``kind`` is ``"bytes"`` (undecodable; the line's text is decoded with
    replacement characters so a CSV record can still be delimited),
    ``"long"`` (longer than the limit; no text) or ``"end"`` (the file ended
    abruptly or could not be read; the partial line, if any, has no text).
    """

    __slots__ = ("kind", "raw", "reason")

    def __init__(self, kind: str, reason: str, raw: str) -> None:
        self.kind = kind
        self.reason = reason
        self.raw = raw


Line = tuple[int, str, int, _Fault | None]


def _lines(
    path: Path, encoding: str, limit: int, account: LineAccount | None = None
) -> Iterator[Line]:
    """Yield ``(line number, text, byte length, fault or None)`` per physical line.

    Reads blocks, never a whole file; a line longer than ``limit`` bytes is
    reported (with its first bytes) and skipped without being held. The
    text keeps its line ending. A leading UTF-8 BOM is dropped.
    """
    no = 0
    bom = encoding == "utf-8"
    fh = _open_bytes(path)
    try:
        read = getattr(fh, "read1", fh.read)
        pending: list[bytes] = []  # pieces of the unfinished last line
        plen = 0
        skipping = False  # inside an over-long line, dropping bytes
        eat_lf = False  # an over-long line ended with \r at a block's end
        first = True
        while True:
            try:
                block = read(_BLOCK)
                if first:
                    first = False
                    while block and len(block) < 3 and _BOM.startswith(block):
                        more = read(_BLOCK)
                        if not more:
                            break
                        block += more
                    if bom and block.startswith(_BOM):
                        block = block[3:]
            except (EOFError, OSError, zlib.error) as exc:
                no += 1
                partial = b"".join(pending)
                reason = (
                    f"the file ends abruptly or cannot be read after line {no - 1} "
                    f"({type(exc).__name__}: {exc}); this partial line and "
                    "anything after it are lost"
                )
                yield no, "", len(partial), _Fault("end", reason, _preview(partial))
                return
            if not block:
                if pending and not skipping:
                    no += 1
                    yield _decode_line(path, no, b"".join(pending), encoding, limit)
                return
            if eat_lf:
                eat_lf = False
                if block[:1] == b"\n":
                    block = block[1:]
            if skipping:
                cut = _first_newline(block)
                if cut < 0:
                    continue
                skipping = False
                if block[cut : cut + 1] == b"\r" and cut + 1 == len(block):
                    eat_lf = True
                elif block[cut : cut + 2] == b"\r\n":
                    cut += 1
                block = block[cut + 1 :]
                if not block:
                    continue
            if pending:
                if (
                    b"\n" not in block
                    and b"\r" not in block
                    and not pending[-1].endswith(b"\r")
                ):
                    pending.append(block)
                    plen += len(block)
                    if plen > limit:
                        no += 1
                        head = b"".join(pending)[:_RAW_PREVIEW]
                        yield no, "", plen, _long_fault(plen, limit, head, more=True)
                        pending, plen, skipping = [], 0, True
                    continue
                block = b"".join(pending) + block
                pending, plen = [], 0
            lines = block.splitlines(True)
            last = lines[-1]
            if last[-1:] != b"\n":  # unfinished, or \r that \n may follow
                lines.pop()
                pending, plen = [last], len(last)
            for raw in lines:
                no += 1
                n = len(raw)
                if n > limit:
                    yield no, "", n, _long_fault(n, limit, raw[:_RAW_PREVIEW])
                    continue
                try:
                    text = raw.decode(encoding)
                except UnicodeDecodeError:
                    yield _decode_line(path, no, raw, encoding, limit)
                    continue
                yield no, text, n, None
    finally:
        fh.close()
        if account is not None:
            account.lines_read = no


def _first_newline(block: bytes) -> int:
    a, b = block.find(b"\n"), block.find(b"\r")
    if a < 0:
        return b
    return a if b < 0 else min(a, b)


def _long_fault(n: int, limit: int, head: bytes, more: bool = False) -> _Fault:
    size = f"more than {limit}" if more else f"{n}"
    return _Fault(
        "long",
        f"line of {size} bytes, longer than max_record_bytes={limit}; it was not "
        "read (raise max_record_bytes if it is a real record)",
        _preview(head),
    )


def _decode_line(path: Path, no: int, raw: bytes, encoding: str, limit: int) -> Line:
    n = len(raw)
    if n > limit:
        return no, "", n, _long_fault(n, limit, raw[:_RAW_PREVIEW])
    try:
        return no, raw.decode(encoding), n, None
    except UnicodeDecodeError as exc:
        reason = (
            f"undecodable bytes ({exc.reason} at byte {exc.start} of line {no}; "
            f"the file is not {encoding})"
        )
        fault = _Fault(
            "bytes", reason, raw.decode(encoding, "backslashreplace")[:_RAW_PREVIEW]
        )
        return no, raw.decode(encoding, "replace"), n, fault


def _decoded_lines(
    path: Path,
    encoding: str = "utf-8",
    *,
    max_record_bytes: int = MAX_RECORD_BYTES,
    account: LineAccount | None = None,
) -> Iterator[tuple[int, str | CorpusError]]:
    """Number and decode each physical line; a faulty line becomes an error."""
    for no, text, _, fault in _lines(path, encoding, max_record_bytes, account):
        if fault is None:
            yield no, text
        else:
            yield no, CorpusError(path, no, fault.reason, fault.raw)


def _file_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _line_error(path: Path, no: int, fault: _Fault) -> CorpusError:
    return CorpusError(path, no, fault.reason, fault.raw)


class _Labels:
    """Check that labels are scalars of one type within a file."""

    __slots__ = ("kind",)

    def __init__(self) -> None:
        self.kind: type | None = None

    def problem(self, label: Any, name: str) -> str | None:
        if label is None:
            return None
        kind = type(label)
        if kind not in (str, int, float, bool):
            return (
                f"{name} is {kind.__name__}; a label must be a string, an integer, "
                "a float or a boolean"
            )
        if kind is float and not math.isfinite(label):
            return f"{name} is {label!r}; a float label must be finite"
        if kind is int and not -(2**63) <= label < 2**63:
            return (
                f"{name} is {label!r:.40}, an integer of more than 64 bits; "
                "write such labels as strings"
            )
        if self.kind is None:
            self.kind = kind
        elif kind is not self.kind:
            return (
                f"{name} {label!r} is {kind.__name__} but the earlier labels of "
                f"this file are {self.kind.__name__}; labels keep one type"
            )
        return None


# -- plain text ------------------------------------------------------------------
def _iter_text(
    path: Path, encoding: str, limit: int, account: LineAccount | None
) -> Iterator[Item]:
    name = path.name
    for no, line, _, fault in _lines(path, encoding, limit, account):
        if fault is not None:
            yield _line_error(path, no, fault)
            continue
        text = line.rstrip("\r\n")
        if text.strip():
            yield Record(f"{name}:{no}", text, None, no, no)
        else:
            yield _Skip(no, no)


def read_text(
    path: str | Path,
    *,
    encoding: str = "utf-8",
    max_record_bytes: int = MAX_RECORD_BYTES,
    quarantine: Quarantine | None = None,
    accounting: LineAccount | None = None,
) -> Iterator[Record]:
    """Stream a plain text file, one document per non-blank line.

    Parameters
    ----------
    path : str or Path
        The file (gzip if its name ends in ``.gz``). Lines end with ``\\n``,
        ``\\r\\n`` or ``\\r``; a leading UTF-8 BOM is dropped.
    encoding : str, default="utf-8"
        Encoding of the file (an ASCII-compatible codec).
    max_record_bytes : int, default=MAX_RECORD_BYTES
        Longest line read (1 MiB); a longer one is quarantined unread.
    quarantine : Quarantine or None, default=None
        Where unreadable lines go; None raises instead.
    accounting : LineAccount or None, default=None
        Filled with where each line went; whitespace-only lines are skipped.

    Yields
    ------
    Record
        With id ``<file>:<line>``, the line without its line ending, and no
        label.

    Raises
    ------
    CorpusError
        For a line with undecodable bytes, an over-long line or a file that
        ends abruptly, naming the file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.txt"
    >>> _ = p.write_bytes(b"first doc\\n\\nsecond\\rthird\\n")
    >>> [(r.id, r.text) for r in read_text(p)]
    [('c.txt:1', 'first doc'), ('c.txt:3', 'second'), ('c.txt:4', 'third')]
    """
    path = Path(path)
    encoding = _check_encoding(encoding, "read_text")
    limit = _check_limit(max_record_bytes, "read_text")
    account = _check_account(accounting, "read_text")
    _check_exists(path)
    if account is not None:
        account._start("line")
    return _emit(_iter_text(path, encoding, limit, account), quarantine, account)


# -- JSON Lines ------------------------------------------------------------------
_JSON_SPACE = " \t\r\n"


def _iter_jsonl(
    path: Path,
    text_field: str,
    label_field: str | None,
    id_field: str | None,
    limit: int,
    account: LineAccount | None,
) -> Iterator[Item]:
    name = path.name
    labels = _Labels()
    loads = json.loads
    for no, line, _, fault in _lines(path, "utf-8", limit, account):
        if fault is not None:
            yield _line_error(path, no, fault)
            continue
        try:
            obj = loads(line)
        except json.JSONDecodeError as exc:
            if not line.strip(_JSON_SPACE):
                yield _Skip(no, no)
            else:
                yield CorpusError(path, no, f"invalid JSON ({exc.msg})", _preview(line))
            continue
        except RecursionError:
            yield CorpusError(
                path, no, "invalid JSON (nested too deeply)", _preview(line)
            )
            continue
        except ValueError as exc:  # e.g. an integer with too many digits
            yield CorpusError(path, no, f"invalid JSON ({exc})", _preview(line))
            continue
        if type(obj) is not dict:
            yield CorpusError(
                path,
                no,
                f"not a JSON object (a JSON {type(obj).__name__})",
                _preview(line),
            )
            continue
        twice = _repeated_field(line, (text_field, label_field, id_field))
        if twice is not None:
            yield CorpusError(
                path,
                no,
                f"field {twice!r} appears more than once in the object; which "
                "value is meant is ambiguous",
                _preview(line),
            )
            continue
        text = obj.get(text_field, _MISSING)
        if text is _MISSING:
            yield CorpusError(path, no, f"missing field {text_field!r}", _preview(line))
            continue
        if type(text) is not str:
            yield CorpusError(
                path,
                no,
                f"field {text_field!r} is {type(text).__name__}, not a string",
                _preview(line),
            )
            continue
        rid = obj.get(id_field) if id_field else None
        if rid is None:
            rid = f"{name}:{no}"
        elif type(rid) is int:
            rid = str(rid)
        elif type(rid) is not str:
            yield CorpusError(
                path,
                no,
                f"field {id_field!r} is {type(rid).__name__}; an id must be a "
                "string or an integer",
                _preview(line),
            )
            continue
        label = obj.get(label_field) if label_field else None
        if label is not None:
            bad = labels.problem(label, f"field {label_field!r}")
            if bad is not None:
                yield CorpusError(path, no, bad, _preview(line))
                continue
        yield Record(rid, text, label, no, no)


_MISSING = object()


def _repeated_field(line: str, fields: tuple[str | None, ...]) -> str | None:
    """The first of ``fields`` given twice in one JSON object of ``line``.

    ``json.loads`` keeps the last of repeated keys silently. Only lines that
    could repeat one (its quoted name twice, or any escape) are parsed again,
    so the common line costs a few substring counts.
    """
    wanted = [f for f in fields if f]
    if "\\u" not in line and all(line.count(json.dumps(f)) < 2 for f in wanted):
        return None
    last: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        last[:] = [k for k, _ in items]  # the outer object comes last
        return dict(items)

    json.loads(line, object_pairs_hook=pairs)
    return next((f for f in wanted if last.count(f) > 1), None)


def read_jsonl(
    path: str | Path,
    *,
    text_field: str = "text",
    label_field: str | None = "label",
    id_field: str | None = "id",
    max_record_bytes: int = MAX_RECORD_BYTES,
    quarantine: Quarantine | None = None,
    accounting: LineAccount | None = None,
) -> Iterator[Record]:
    """Stream the records of a JSON Lines file (gzip if it ends in ``.gz``).

    Parameters
    ----------
    path : str or Path
        One JSON object a line, UTF-8 (a leading BOM is dropped). Blank
        lines (JSON whitespace only) are not records and are skipped.
    text_field : str, default="text"
        Key of the document text (a string, passed on exactly as decoded,
        lone surrogates from ``\\ud800`` escapes included).
    label_field : str or None, default="label"
        Key of the label; None for unlabelled files. A record without it
        (or with null) gets ``label=None``. A label must be a string,
        integer, finite float or boolean, of one type within the file.
    id_field : str or None, default="id"
        Key of the record's id (a string or integer); when absent the id is
        ``<file>:<line>``.
    max_record_bytes : int, default=MAX_RECORD_BYTES
        Longest line read (1 MiB); a longer one is quarantined unread.
    quarantine : Quarantine or None, default=None
        Where unreadable records go; None raises instead.
    accounting : LineAccount or None, default=None
        Filled with where each line went.

    Yields
    ------
    Record

    Raises
    ------
    CorpusError
        For undecodable bytes, a line that is not a JSON object (or is
        nested too deeply), a missing or non-string text field, a label or
        id of the wrong type, an over-long line, or a gzip file that ends
        abruptly, naming the file and line.

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
    for name, value in (
        ("text_field", text_field),
        ("label_field", label_field),
        ("id_field", id_field),
    ):
        if not (isinstance(value, str) or (value is None and name != "text_field")):
            raise ValueError(
                f"The '{name}' parameter of read_jsonl must be a string"
                f"{'' if name == 'text_field' else ' or None'}. Got {value!r} instead."
            )
    limit = _check_limit(max_record_bytes, "read_jsonl")
    account = _check_account(accounting, "read_jsonl")
    _check_exists(path)
    if account is not None:
        account._start("line")
    items = _iter_jsonl(path, text_field, label_field, id_field, limit, account)
    return _emit(items, quarantine, account)


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
def _csv_dialect(
    func: str,
    delimiter: Any,
    quotechar: Any,
    quoting: Any,
    doublequote: Any,
    escapechar: Any,
) -> dict[str, Any]:
    """Validate the CSV options; return keyword arguments for ``csv.reader``."""

    def refuse(name: str, what: str, value: Any) -> ValueError:
        return ValueError(
            f"The {name!r} parameter of {func} must be {what}. Got {value!r} instead."
        )

    def one_char(value: Any) -> bool:
        return isinstance(value, str) and len(value) == 1 and value not in "\r\n"

    if not one_char(delimiter):
        raise refuse("delimiter", "one character other than a newline", delimiter)
    if not isinstance(quoting, str) or quoting not in QUOTING:
        raise refuse("quoting", f"one of {', '.join(map(repr, QUOTING))}", quoting)
    if quotechar is None:
        if quoting != "none":
            raise refuse(
                "quotechar", "one character (None only with quoting='none')", None
            )
    elif not one_char(quotechar) or quotechar == delimiter:
        raise refuse(
            "quotechar",
            "one character, not a newline nor the delimiter",
            quotechar,
        )
    if not isinstance(doublequote, bool):
        raise refuse("doublequote", "True or False", doublequote)
    if escapechar is not None and (
        not one_char(escapechar) or escapechar in (delimiter, quotechar)
    ):
        raise refuse(
            "escapechar",
            "None or one character, not a newline, the delimiter nor the quotechar",
            escapechar,
        )
    return {
        "delimiter": delimiter,
        "quotechar": quotechar,
        "quoting": QUOTING[quoting],
        "doublequote": doublequote,
        "escapechar": escapechar,
        "strict": True,
    }


def _odd_line(
    item: Line, n_held: int, too_big: bool, bad: list[tuple[int, _Fault]]
) -> str:
    """The slow path of the CSV feeder: a faulty line, a NUL, or too many bytes."""
    no, text, _, fault = item
    if fault is not None:
        if fault.kind != "bytes":
            raise _Restart(fault.reason if n_held == 1 else None)
        bad.append((no, fault))
    elif "\x00" in text:
        reason = f"NUL byte on line {no} (binary data?)"
        bad.append((no, _Fault("bytes", reason, _preview(text))))
        text = text.replace("\x00", "\ufffd")
    if too_big:
        raise _Restart(None)
    return text


class _Restart(Exception):
    """Raised by the CSV line feeder: stop this record and resynchronise."""

    def __init__(self, reason: str | None) -> None:
        self.reason = reason


def _csv_rows(
    path: Path,
    dialect: dict[str, Any],
    encoding: str,
    limit: int,
    account: LineAccount | None,
) -> Iterator[tuple[int, int, list[Any] | None, CorpusError | None]]:
    """Parse CSV rows: ``(first line, last line, fields or None, error or None)``.

    ``csv`` pulls physical lines through ``feed``, which remembers the lines
    of the record in progress (at most ``limit`` bytes of them). A record
    that cannot end well (an unterminated quote running to the end of the
    file or past ``limit`` bytes, a strict-mode quoting error, a line that
    is too long or the end of a damaged file) quarantines only its first
    line; parsing resumes on the next line, replaying the lines held. A
    record that parses but holds an undecodable line or a NUL is quarantined
    whole.
    """
    lines = _lines(path, encoding, limit, account)
    held: list[Line] = []  # the lines of the record in progress
    size = 0
    bad: list[tuple[int, _Fault]] = []  # undecodable / NUL lines of the record

    replay: deque[Line] = deque()  # lines to parse again after a restart

    def feed() -> Iterator[str]:
        nonlocal size
        hold = held.append
        while replay:  # a new feed is made at each restart, so this runs first
            item = replay.popleft()
            hold(item)
            size += item[2]
            text = item[1]
            if item[3] is not None or size > limit or "\x00" in text:
                text = _odd_line(item, len(held), size > limit, bad)
            yield text
        for item in lines:
            hold(item)
            size += item[2]
            text = item[1]
            if item[3] is not None or size > limit or "\x00" in text:
                text = _odd_line(item, len(held), size > limit, bad)
            yield text

    reader = csv.reader(feed(), **dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except (_Restart, csv.Error, ValueError) as exc:
            start, end = held[0][0], held[-1][0]
            if isinstance(exc, _Restart) and exc.reason is not None:
                reason = exc.reason
            elif isinstance(exc, _Restart):
                last = held[-1][3]
                if last is not None and last.kind != "bytes":
                    why = f"runs into line {end}, which is not readable"
                else:
                    why = (
                        f"runs past line {end} and max_record_bytes={limit} "
                        "without ending"
                    )
                reason = (
                    f"unterminated quote or runaway record: the record starting "
                    f"on this line {why}; only this line is quarantined and "
                    "reading resumes on the next line"
                )
            elif str(exc) == "unexpected end of data":
                reason = (
                    "unterminated quote: the quoted field opened on this line "
                    f"reaches the end of the file (line {end}); only this line "
                    "is quarantined and reading resumes on the next line"
                )
            else:
                where = "" if end == start else f" (found on line {end})"
                reason = f"malformed row ({exc}){where}"
                if end != start:
                    reason += "; only this line is quarantined and reading resumes "
                    reason += "on the next line"
            first = held[0]
            raw = first[3].raw if first[3] is not None else _preview(first[1])
            yield start, start, None, CorpusError(path, start, reason, raw, start)
            replay.extendleft(reversed(held[1:]))
            held.clear()
            bad.clear()
            size = 0
            reader = csv.reader(feed(), **dialect)
            continue
        start, end = held[0][0], held[-1][0]
        if bad:
            fault = bad[0][1]
            whole = "" if end == start else "; the whole record is quarantined"
            raw = "".join(
                item[3].raw if item[3] is not None else item[1] for item in held
            )
            yield (
                start,
                end,
                None,
                CorpusError(path, start, fault.reason + whole, _preview(raw), end),
            )
            bad.clear()
        else:
            yield start, end, row, None
        held.clear()
        size = 0


def _iter_csv(
    path: Path,
    dialect: dict[str, Any],
    columns: tuple[str, str | None, str | None],
    optional: tuple[bool, bool],
    encoding: str,
    limit: int,
    account: LineAccount | None,
) -> Iterator[Item]:
    text_column, label_column, id_column = columns
    rows = _csv_rows(path, dialect, encoding, limit, account)
    skip_start = 0
    header: list[Any] | None = None
    for start, end, row, err in rows:
        if err is not None:
            raise CorpusError(
                path,
                start,
                f"unreadable header row: {err.reason}",
                err.raw,
                err.end_line,
            )
        if not row:
            skip_start = skip_start or start
            continue
        header = row
        yield _Skip(skip_start or start, end)
        break
    if header is None:
        if skip_start:
            yield _Skip(skip_start, end)
        return  # an empty file, or blank lines only: no records
    h_start, h_end = (skip_start or start), end
    wanted = {"text": text_column, "label": label_column, "id": id_column}
    index: dict[str, int] = {}
    for (role, name), opt in zip(wanted.items(), (False, *optional), strict=True):
        if name is None:
            continue
        count = header.count(name)
        if count == 0:
            if opt:
                continue
            raise CorpusError(
                path,
                h_start,
                f"missing column {name!r} (the {role} column); the header has "
                f"{header!r}",
                end_line=h_end,
            )
        if count > 1:
            raise CorpusError(
                path,
                h_start,
                f"column {name!r} (the {role} column) appears {count} times in "
                f"the header {header!r}; rename the duplicates",
                end_line=h_end,
            )
        index[role] = header.index(name)
    width = len(header)
    ti = index["text"]
    li = index.get("label")
    ii = index.get("id")
    labels = _Labels()
    numbers = dialect["quoting"] == csv.QUOTE_NONNUMERIC
    name = path.name
    delimiter = dialect["delimiter"]
    for start, end, row, err in rows:
        if err is not None:
            yield err
            continue
        if not row:
            yield _Skip(start, end)
            continue
        if len(row) != width:
            yield CorpusError(
                path,
                start,
                f"row has {len(row)} fields, the header {width}",
                _preview(delimiter.join(map(str, row))),
                end,
            )
            continue
        text = row[ti]
        if numbers and type(text) is not str:
            yield CorpusError(
                path,
                start,
                f"column {text_column!r} is {text!r}, a number: quote the text "
                "(quoting='nonnumeric' reads unquoted fields as numbers)",
                _preview(delimiter.join(map(str, row))),
                end,
            )
            continue
        label = None
        if li is not None:
            label = row[li]
            if label == "":
                label = None
            elif numbers:  # 'nonnumeric' gives floats: one type per file
                bad = labels.problem(label, f"column {label_column!r}")
                if bad is not None:
                    yield CorpusError(
                        path, start, bad, _preview(delimiter.join(map(str, row))), end
                    )
                    continue
        rid = f"{name}:{start}" if ii is None else row[ii]
        if numbers and type(rid) is not str:
            rid = str(rid)
        yield Record(rid, text, label, start, end)


def _raise_field_limit(limit: int) -> None:
    """Let ``csv`` hold fields up to ``limit`` (our own limit bounds them)."""
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)


def read_csv(
    path: str | Path,
    *,
    text_column: str = "text",
    label_column: str | None = None,
    id_column: str | None = None,
    delimiter: str | None = None,
    quotechar: str | None = '"',
    quoting: Quoting = "minimal",
    doublequote: bool = True,
    escapechar: str | None = None,
    encoding: str = "utf-8",
    max_record_bytes: int = MAX_RECORD_BYTES,
    quarantine: Quarantine | None = None,
    accounting: LineAccount | None = None,
) -> Iterator[Record]:
    """Stream the rows of a CSV or TSV file with a header row.

    The options are those of :mod:`csv` (parsed in strict mode). A record
    is one row; a quoted field may span lines. A quoted field that never
    ends (it reaches the end of the file, or the record grows past
    ``max_record_bytes``) quarantines only the line where it started, and
    reading resumes on the next line, so the rows it swallowed come back.

    Parameters
    ----------
    path : str or Path
        The file (gzip if its name ends in ``.gz``). A leading UTF-8 BOM is
        not part of the first column name.
    text_column : str, default="text"
        Name of the column holding the document.
    label_column : str or None, default=None
        Name of the label column, if any. An empty cell is a missing label
        (None).
    id_column : str or None, default=None
        Name of the id column; without it the id is ``<file>:<line>`` (the
        row's first line).
    delimiter : str or None, default=None
        Field separator (one character); None uses a tab for ``.tsv`` files
        (``.tsv.gz`` too), else a comma.
    quotechar : str or None, default='"'
        Character that quotes fields; None only with ``quoting="none"``.
    quoting : {"minimal", "all", "nonnumeric", "none"}, default="minimal"
        ``"minimal"`` and ``"all"`` read quoted fields; ``"nonnumeric"``
        also turns unquoted fields into floats (so the text column must be
        quoted); ``"none"`` makes quote characters ordinary text, one
        record a line (TSVs like the SMS Spam Collection need it).
    doublequote : bool, default=True
        Whether two quote characters inside a quoted field stand for one.
    escapechar : str or None, default=None
        Character that makes the next one literal (a delimiter, quote or
        line ending).
    encoding : str, default="utf-8"
        Encoding of the file (an ASCII-compatible codec).
    max_record_bytes : int, default=MAX_RECORD_BYTES
        Most bytes one record may span (1 MiB); at most this much is held
        to re-read after a runaway quote.
    quarantine : Quarantine or None, default=None
        Where unreadable rows go; None raises instead. An unreadable header,
        a missing column or a duplicated one is an error of the whole file
        and is always raised.
    accounting : LineAccount or None, default=None
        Filled with where each line went; the header and empty lines are
        skipped lines.

    Yields
    ------
    Record

    Raises
    ------
    ValueError
        For an invalid option, naming it.
    CorpusError
        For a missing or duplicated column (on the header's line), a row
        with the wrong number of fields, an unterminated quote, undecodable
        bytes or a NUL byte, naming file and line.

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
    >>> q = pathlib.Path(tempfile.mkdtemp()) / "sms.tsv"
    >>> _ = q.write_text('label\\ttext\\nham\\t"Hi" she said\\nspam\\tWIN "now\\n')
    >>> [r.text for r in read_csv(q, quoting="none")]
    ['"Hi" she said', 'WIN "now']
    """
    return _read_csv(
        path,
        (text_column, label_column, id_column),
        (False, False),
        delimiter,
        quotechar,
        quoting,
        doublequote,
        escapechar,
        encoding,
        max_record_bytes,
        quarantine,
        accounting,
        "read_csv",
    )


def _read_csv(
    path: str | Path,
    columns: tuple[str, str | None, str | None],
    optional: tuple[bool, bool],
    delimiter: str | None,
    quotechar: str | None,
    quoting: Any,
    doublequote: bool,
    escapechar: str | None,
    encoding: str,
    max_record_bytes: int,
    quarantine: Quarantine | None,
    accounting: LineAccount | None,
    func: str,
) -> Iterator[Record]:
    path = Path(path)
    for name, value in zip(("text", "label", "id"), columns, strict=True):
        if not (isinstance(value, str) or (value is None and name != "text")):
            raise ValueError(
                f"The {name!r} column name of {func} must be a string"
                f"{'' if name == 'text' else ' or None'}. Got {value!r} instead."
            )
    if delimiter is None:
        suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
        delimiter = "\t" if suffixes[-1:] == [".tsv"] else ","
    dialect = _csv_dialect(func, delimiter, quotechar, quoting, doublequote, escapechar)
    encoding = _check_encoding(encoding, func)
    limit = _check_limit(max_record_bytes, func)
    account = _check_account(accounting, func)
    _check_exists(path)
    _raise_field_limit(limit)
    if account is not None:
        account._start("line")
    items = _iter_csv(path, dialect, columns, optional, encoding, limit, account)
    return _emit(items, quarantine, account)


# -- CoNLL-U ---------------------------------------------------------------------
def _iter_conllu(
    path: Path, encoding: str, limit: int, account: LineAccount | None
) -> Iterator[Item]:
    from textfeat.conll import _parse_blocks  # conll imports this module

    name = path.name
    prev = 0
    for start, end, item in _parse_blocks(
        path, encoding, max_record_bytes=limit, account=account
    ):
        if start > prev + 1:
            yield _Skip(prev + 1, start - 1)
        prev = end
        if isinstance(item, CorpusError):
            reason = item.reason
            if (start, end) != (item.line, item.line):
                reason += f" (on line {item.line})"
            yield CorpusError(path, start, reason, item.raw, end)
            continue
        meta = item.metadata
        yield Record(
            meta.get("sent_id", f"{name}:{item.line}"),
            meta.get("text", " ".join(item.words)),
            None,
            start,
            end,
        )
    if account is not None and account.lines_read > prev:
        yield _Skip(prev + 1, account.lines_read)


def read_conllu(
    path: str | Path,
    *,
    encoding: str = "utf-8",
    max_record_bytes: int = MAX_RECORD_BYTES,
    quarantine: Quarantine | None = None,
    accounting: LineAccount | None = None,
) -> Iterator[Record]:
    """Stream the sentences of a CoNLL-U file, one record per sentence.

    Parameters
    ----------
    path : str or Path
        The file (gzip if its name ends in ``.gz``).
    encoding : str, default="utf-8"
        Encoding of the file (an ASCII-compatible codec).
    max_record_bytes : int, default=MAX_RECORD_BYTES
        Longest line read (1 MiB); a longer one spoils its sentence.
    quarantine : Quarantine or None, default=None
        Where malformed sentences go (all their lines, comments included);
        None raises instead.
    accounting : LineAccount or None, default=None
        Filled with where each line went; the blank lines between sentences
        are skipped.

    Yields
    ------
    Record
        Text from the ``# text`` comment (else the word forms joined by
        spaces), id from ``# sent_id`` (else ``<file>:<line>``), no label.

    Raises
    ------
    CorpusError
        For a token line without 10 fields, undecodable bytes or a file
        that ends abruptly, naming the sentence's lines.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.conllu"
    >>> row = "1\\tHi\\thi\\tINTJ\\t_\\t_\\t0\\troot\\t_\\t_"
    >>> _ = p.write_text("# sent_id = s1\\n" + row + "\\n\\n")
    >>> [(r.id, r.text, r.line, r.end_line) for r in read_conllu(p)]
    [('s1', 'Hi', 1, 2)]
    """
    path = Path(path)
    encoding = _check_encoding(encoding, "read_conllu")
    limit = _check_limit(max_record_bytes, "read_conllu")
    account = _check_account(accounting, "read_conllu")
    _check_exists(path)
    if account is not None:
        account._start("line")
    return _emit(_iter_conllu(path, encoding, limit, account), quarantine, account)


# -- directory tree --------------------------------------------------------------
def _identity(st: os.stat_result) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)


def _excluded(exclude: Iterable[str | Path] | None) -> set[tuple[int, int]]:
    if exclude is None:
        return set()
    if isinstance(exclude, (str, Path)):
        exclude = [exclude]
    out = set()
    for p in exclude:
        try:
            out.add(_identity(os.stat(p)))
        except OSError:
            continue  # nothing there, nothing to exclude
        except (TypeError, ValueError):
            raise ValueError(
                "The 'exclude' parameter must be an iterable of paths. Got an "
                f"element {p!r} instead."
            ) from None
    return out


_LINK_ERRORS = {
    errno.ENOENT: "a dangling symbolic link (its target does not exist)",
    errno.ELOOP: "a symbolic link loop",
}


def _iter_directory(
    root: Path,
    encoding: str,
    limit: int,
    exclude: set[tuple[int, int]],
    account: LineAccount | None,
) -> Iterator[Item]:
    """Walk ``root``: files of a folder (sorted), then its sub-folders (sorted)."""

    def count() -> None:
        if account is not None:
            account.lines_read += 1

    def walk(
        folder: Path, label: str | None, ancestors: frozenset[tuple[int, int]]
    ) -> Iterator[Item]:
        try:
            names = sorted(os.listdir(folder))
        except OSError as exc:
            count()
            yield CorpusError(folder, 0, f"cannot list the folder ({exc.strerror})")
            return
        subdirs: list[tuple[Path, str, frozenset[tuple[int, int]]]] = []
        for name in names:
            path = folder / name
            if name.startswith("."):
                count()
                yield _Skip(0, 0)
                continue
            try:
                st = os.lstat(path)
            except OSError as exc:
                count()
                yield CorpusError(path, 0, f"cannot stat ({exc.strerror})")
                continue
            if _identity(st) in exclude:
                continue
            if stat.S_ISLNK(st.st_mode):
                try:
                    st = os.stat(path)
                except OSError as exc:
                    count()
                    what = _LINK_ERRORS.get(
                        exc.errno or 0, f"an unreadable symbolic link ({exc.strerror})"
                    )
                    yield CorpusError(path, 0, f"{what}; not a document")
                    continue
                if _identity(st) in exclude:
                    continue
            if stat.S_ISDIR(st.st_mode):
                ident = _identity(st)
                if ident in ancestors:
                    count()
                    yield CorpusError(
                        path,
                        0,
                        "a folder loop (a symbolic link to a folder above it); "
                        "not followed",
                    )
                    continue
                subdirs.append((path, label or name, ancestors | {ident}))
                continue
            count()
            if label is None:  # files directly in the root are not documents
                yield _Skip(0, 0)
            elif not stat.S_ISREG(st.st_mode):
                yield CorpusError(
                    path,
                    0,
                    f"{_file_kind(st.st_mode)}, not a regular file; never opened",
                )
            else:
                yield _read_document(root, path, label, encoding, limit)
        for path, sub_label, sub_ancestors in subdirs:
            yield from walk(path, sub_label, sub_ancestors)

    yield from walk(root, None, frozenset({_identity(os.stat(root))}))


def _read_document(
    root: Path, path: Path, label: str, encoding: str, limit: int
) -> Record | CorpusError:
    """Read one regular file whole (never a FIFO: opened non-blocking, checked)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        return CorpusError(path, 0, f"cannot open ({exc.strerror})")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return CorpusError(
                path, 0, f"{_file_kind(st.st_mode)}, not a regular file; not read"
            )
        if st.st_size > limit:
            return CorpusError(
                path,
                0,
                f"file of {st.st_size} bytes, larger than max_record_bytes={limit}; "
                "not read",
            )
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, min(_BLOCK, limit + 1 - size) or 1)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return CorpusError(
                    path,
                    0,
                    f"file grew past max_record_bytes={limit} while read; not read",
                )
        raw = b"".join(chunks)
    except OSError as exc:
        return CorpusError(path, 0, f"cannot read ({exc.strerror})")
    finally:
        os.close(fd)
    if encoding == "utf-8" and raw.startswith(_BOM):
        raw = raw[3:]
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        head = raw[: exc.start]
        line = head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
        return CorpusError(
            path,
            line,
            f"undecodable bytes ({exc.reason} at byte {exc.start}; the file is not "
            f"{encoding}, try encoding='latin-1')",
            _preview(raw[max(0, exc.start - 40) : exc.start + 40]),
        )
    rid = path.relative_to(root).as_posix()
    return Record(rid, text, label, 1, _count_lines(raw))


def _count_lines(raw: bytes) -> int:
    """Physical lines of ``raw`` (``\\n``, ``\\r\\n`` or ``\\r`` end one)."""
    n = raw.count(b"\n") + raw.count(b"\r") - raw.count(b"\r\n")
    return n + (1 if raw and not raw.endswith((b"\n", b"\r")) else 0)


def read_directory(
    root: str | Path,
    *,
    encoding: str = "utf-8",
    max_record_bytes: int = MAX_RECORD_BYTES,
    exclude: Iterable[str | Path] | None = None,
    quarantine: Quarantine | None = None,
    accounting: LineAccount | None = None,
) -> Iterator[Record]:
    """Stream a directory tree where each sub-folder of ``root`` is a label.

    The 20 Newsgroups layout: ``root/<label>/<file>`` (deeper folders count
    for the label of their top folder). Each folder's files come in sorted
    order, then its sub-folders. Files directly in ``root`` and hidden
    entries (names starting with ``.``, folders included) are not documents.
    Only regular files are opened: a FIFO, socket or device, a dangling
    symbolic link or a link loop is reported (quarantined) and never opened.
    Symbolic links to regular files and to folders are followed (a link
    back to a folder above is a loop and is reported).

    Parameters
    ----------
    root : str or Path
        The corpus folder.
    encoding : str, default="utf-8"
        Encoding of the files (an ASCII-compatible codec); a leading UTF-8
        BOM is dropped.
    max_record_bytes : int, default=MAX_RECORD_BYTES
        Largest file read (1 MiB); a larger one is quarantined unread.
    exclude : iterable of paths or None, default=None
        Files or folders that are not part of the corpus (an output folder
        inside it): not read, not reported, not counted. Paths that do not
        exist are ignored.
    quarantine : Quarantine or None, default=None
        Where unreadable files go; None raises instead.
    accounting : LineAccount or None, default=None
        Filled with counts of directory entries (``unit="file"``): records,
        quarantined entries and skipped ones (hidden entries, files in the
        root).

    Yields
    ------
    Record
        With id ``<label>/<file name>``, the folder name as label, and
        ``line=1``, ``end_line`` the file's number of lines.

    Raises
    ------
    CorpusError
        For a file with undecodable bytes (naming the line), a file that is
        not regular or cannot be read, or a link that leads nowhere.

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
    encoding = _check_encoding(encoding, "read_directory")
    limit = _check_limit(max_record_bytes, "read_directory")
    account = _check_account(accounting, "read_directory")
    _check_exists(root, directory=True)
    excluded = _excluded(exclude)
    if account is not None:
        account._start("file")
    items = _iter_directory(root, encoding, limit, excluded, account)
    return _emit(items, quarantine, account, whole_files=True)


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
        For an unknown format or an invalid option, naming it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text('text,label\\n"a, b",x\\n')
    >>> [(r.text, r.label) for r in read_corpus(p)]
    [('a, b', 'x')]
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
        return _read_csv(
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
