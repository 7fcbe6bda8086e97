"""Records and the plumbing every corpus reader shares.

:class:`Record` (one document), :class:`LineAccount` (where every physical
line went), :class:`Quarantine` (the records that could not be read), and
for the readers: :class:`Skip` (lines that are no record), :func:`emit`
(yield the records, raise or quarantine the errors, fill the account), the
checks of the options every reader takes, and :class:`Labels` (one label
type per file). The public names are re-exported by :mod:`textfeat.io` and
:mod:`textfeat.corpus`.
"""

from __future__ import annotations

import codecs
import json
import math
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Self

from textfeat._files import (
    CorpusError,
    Fault,
    file_kind,
)

__all__ = [
    "Item",
    "Labels",
    "LineAccount",
    "Quarantine",
    "Record",
    "Skip",
    "check_account",
    "check_encoding",
    "check_exists",
    "check_limit",
    "check_text_field",
    "emit",
    "line_error",
    "start_account",
    "text_field_spec",
]


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
    >>> from textfeat.io import read_csv
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
    def lines_done(self) -> int:
        """Lines (or entries) accounted for so far: the progress of a reading.

        ``lines_read`` is known only once a file is read to its end; this
        grows with every record, quarantined entry and skipped line.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> from textfeat.io import read_corpus
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.txt"
        >>> _ = path.write_text("one\\n\\ntwo\\nthree\\n")
        >>> account = LineAccount()
        >>> records = read_corpus(path, accounting=account)
        >>> _ = next(records)
        >>> account.lines_done
        1
        >>> _ = list(records)
        >>> account.lines_done, account.lines_read
        (4, 4)
        """
        return self._next - 1

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
    >>> from textfeat.io import read_jsonl
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


class Skip:
    """Lines ``start..end`` that are no record (blank lines, a header)."""

    __slots__ = ("end", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end


Item = Record | CorpusError | Skip


def emit(
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
            elif cls is Skip:
                continue
            elif quarantine is None:
                raise item  # type: ignore[misc]
            else:
                quarantine.add(item)  # type: ignore[arg-type]
        return
    for item in items:
        cls = type(item)
        kind = 0 if cls is Record else 2 if cls is Skip else 1
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


def check_exists(path: Path, *, directory: bool = False) -> None:
    if directory and not path.is_dir():
        raise FileNotFoundError(f"{path}: no such directory (the corpus root)")
    if not directory:
        try:
            st = os.stat(path)
        except OSError:
            raise FileNotFoundError(f"{path}: no such file") from None
        if not stat.S_ISREG(st.st_mode):
            raise FileNotFoundError(
                f"{path}: not a regular file ({file_kind(st.st_mode)}); a corpus "
                "file must be a regular file"
            )


def check_encoding(encoding: Any, func: str) -> str:
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


def check_limit(max_record_bytes: Any, func: str) -> int:
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


def check_text_field(text_field: Any, func: str) -> tuple[str, ...]:
    """The names of the text field(s): a string, or a list or tuple of them.

    A record's text is the values of these fields joined with a newline, in
    the order given; one name reads that field alone.

    Examples
    --------
    >>> check_text_field("text", "read_jsonl"), check_text_field(["a", "b"], "f")
    (('text',), ('a', 'b'))
    >>> check_text_field(["a", "a"], "read_csv")
    Traceback (most recent call last):
    ...
    ValueError: The 'text_field' parameter of read_csv must be ... Got ['a', 'a'] instead (it names 'a' twice).
    """
    names: tuple[str, ...] | None = None
    if isinstance(text_field, str):
        names = (text_field,)
    elif isinstance(text_field, list | tuple) and text_field:
        if all(isinstance(name, str) for name in text_field):
            names = tuple(text_field)
    why = ""
    if names is not None:
        twice = next((n for i, n in enumerate(names) if n in names[:i]), None)
        if twice is None:
            return names
        why = f" (it names {twice!r} twice)"
    raise ValueError(
        f"The 'text_field' parameter of {func} must be a string, or a non-empty "
        "list or tuple of distinct strings (text from several fields, joined with "
        f"a newline). Got {text_field!r} instead{why}."
    )


def text_field_spec(names: tuple[str, ...]) -> str | list[str]:
    """One name as a string, several as a list (the form JSON keeps).

    Examples
    --------
    >>> text_field_spec(("text",)), text_field_spec(("title", "body"))
    ('text', ['title', 'body'])
    """
    return names[0] if len(names) == 1 else list(names)


def check_account(accounting: Any, func: str) -> LineAccount | None:
    if accounting is not None and not isinstance(accounting, LineAccount):
        raise ValueError(
            f"The 'accounting' parameter of {func} must be a LineAccount or "
            f"None. Got {type(accounting).__name__} instead."
        )
    return accounting


def line_error(path: Path, no: int, fault: Fault) -> CorpusError:
    return CorpusError(path, no, fault.reason, fault.raw)


class Labels:
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


def start_account(account: LineAccount | None, unit: str) -> None:
    """Start filling ``account`` (None: nothing to fill) with counts of ``unit``."""
    if account is not None:
        account._start(unit)
