"""CoNLL-U as a corpus of records: one :class:`Record` per sentence.

The parsing is :func:`textfeat.io.conll.parse_blocks`, shared with the
token-level reader :func:`textfeat.io.conll.read_conllu`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from textfeat._files import (
    MAX_RECORD_BYTES,
    CorpusError,
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
    start_account,
)
from textfeat.io.conll import parse_blocks

__all__ = ["read_conllu"]


def _iter_conllu(
    path: Path, encoding: str, limit: int, account: LineAccount | None
) -> Iterator[Item]:
    name = path.name
    prev = 0
    for start, end, item in parse_blocks(
        path, encoding, max_record_bytes=limit, account=account
    ):
        if start > prev + 1:
            yield Skip(prev + 1, start - 1)
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
        yield Skip(prev + 1, account.lines_read)


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
    encoding = check_encoding(encoding, "read_conllu")
    limit = check_limit(max_record_bytes, "read_conllu")
    account = check_account(accounting, "read_conllu")
    check_exists(path)
    if account is not None:
        start_account(account, "line")
    return emit(_iter_conllu(path, encoding, limit, account), quarantine, account)
