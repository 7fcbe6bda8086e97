"""Plain text corpora: one record per non-blank line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from textfeat._files import (
    MAX_RECORD_BYTES,
    physical_lines,
)
from textfeat.io._records import (
    Item,
    LineAccount,
    Quarantine,
    Record,
    Skip,
    check_account,
    check_encoding,
    check_exists,
    check_limit,
    emit,
    line_error,
    start_account,
)

__all__ = ["read_text"]


def _iter_text(
    path: Path, encoding: str, limit: int, account: LineAccount | None
) -> Iterator[Item]:
    name = path.name
    for no, line, _, fault in physical_lines(path, encoding, limit, account):
        if fault is not None:
            yield line_error(path, no, fault)
            continue
        text = line.rstrip("\r\n")
        if text.strip():
            yield Record(f"{name}:{no}", text, None, no, no)
        else:
            yield Skip(no, no)


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
    encoding = check_encoding(encoding, "read_text")
    limit = check_limit(max_record_bytes, "read_text")
    account = check_account(accounting, "read_text")
    check_exists(path)
    if account is not None:
        start_account(account, "line")
    return emit(_iter_text(path, encoding, limit, account), quarantine, account)
