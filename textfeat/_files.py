"""Files, shared by the readers, batch and persist (private: no public API here).

One home for what every module that reads or writes files needs:

* :class:`CorpusError`, the one error of a record that cannot be read (its
  public homes are :mod:`textfeat.io` and :mod:`textfeat.corpus`);
* physical lines: :func:`physical_lines` reads a file (gzip if its name ends
  in ``.gz``) block by block, splits it on ``\\n``, ``\\r\\n`` or a lone
  ``\\r``, drops a UTF-8 BOM, reports undecodable, over-long and truncated
  lines as a :class:`Fault` without holding them; :func:`decoded_lines`
  turns faults into :class:`CorpusError`; :func:`preview` keeps the first
  :data:`RAW_PREVIEW` characters of a raw record for an error message;
* writing: :func:`write_atomic` (temporary name, fsync, rename) and
  :func:`atomic_writer` (the same for a file written piece by piece),
  :func:`zip_bytes` (a zip archive with fixed time stamps and modes: the same
  members give the same bytes) and :func:`sha256`; :func:`check_output_file`
  refuses, by its option's name, a file to write that is a folder or whose
  folder does not exist, before any work.

Nothing here imports another textfeat module.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import hashlib
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

__all__ = [
    "BLOCK",
    "BOM",
    "MAX_RECORD_BYTES",
    "RAW_PREVIEW",
    "ZIP_DATE",
    "CorpusError",
    "Fault",
    "Line",
    "LineCounter",
    "atomic_writer",
    "decoded_lines",
    "file_kind",
    "open_bytes",
    "physical_lines",
    "preview",
    "sha256",
    "write_atomic",
    "zip_bytes",
]

#: Default limit on the bytes of one record (or line, or directory file).
MAX_RECORD_BYTES = 1 << 20
#: Characters of raw text kept in an error / quarantine entry.
RAW_PREVIEW = 8192
#: Bytes read at a time.
BLOCK = 1 << 16
BOM = codecs.BOM_UTF8
#: Time stamp of every zip member (the earliest a zip can hold): no clock in a file.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class LineCounter(Protocol):
    """What :func:`physical_lines` fills: the number of lines read."""

    lines_read: int


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


# Its public home, in messages and pickles (this module is private).
CorpusError.__module__ = "textfeat.corpus"


def preview(raw: str | bytes) -> str:
    text = raw if isinstance(raw, str) else raw.decode("utf-8", "backslashreplace")
    return text[:RAW_PREVIEW]


def open_bytes(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


class Fault:
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


Line = tuple[int, str, int, Fault | None]


def physical_lines(
    path: Path, encoding: str, limit: int, account: LineCounter | None = None
) -> Iterator[Line]:
    """Yield ``(line number, text, byte length, fault or None)`` per physical line.

    Reads blocks, never a whole file; a line longer than ``limit`` bytes is
    reported (with its first bytes) and skipped without being held. The
    text keeps its line ending. A leading UTF-8 BOM is dropped.
    """
    no = 0
    bom = encoding == "utf-8"
    fh = open_bytes(path)
    try:
        read = getattr(fh, "read1", fh.read)
        pending: list[bytes] = []  # pieces of the unfinished last line
        plen = 0
        skipping = False  # inside an over-long line, dropping bytes
        eat_lf = False  # an over-long line ended with \r at a block's end
        first = True
        while True:
            try:
                block = read(BLOCK)
                if first:
                    first = False
                    while block and len(block) < 3 and BOM.startswith(block):
                        more = read(BLOCK)
                        if not more:
                            break
                        block += more
                    if bom and block.startswith(BOM):
                        block = block[3:]
            except (EOFError, OSError, zlib.error) as exc:
                no += 1
                partial = b"".join(pending)
                reason = (
                    f"the file ends abruptly or cannot be read after line {no - 1} "
                    f"({type(exc).__name__}: {exc}); this partial line and "
                    "anything after it are lost"
                )
                yield no, "", len(partial), Fault("end", reason, preview(partial))
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
                        head = b"".join(pending)[:RAW_PREVIEW]
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
                    yield no, "", n, _long_fault(n, limit, raw[:RAW_PREVIEW])
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


def _long_fault(n: int, limit: int, head: bytes, more: bool = False) -> Fault:
    size = f"more than {limit}" if more else f"{n}"
    return Fault(
        "long",
        f"line of {size} bytes, longer than max_record_bytes={limit}; it was not "
        "read (raise max_record_bytes if it is a real record)",
        preview(head),
    )


def _decode_line(path: Path, no: int, raw: bytes, encoding: str, limit: int) -> Line:
    n = len(raw)
    if n > limit:
        return no, "", n, _long_fault(n, limit, raw[:RAW_PREVIEW])
    try:
        return no, raw.decode(encoding), n, None
    except UnicodeDecodeError as exc:
        reason = (
            f"undecodable bytes ({exc.reason} at byte {exc.start} of line {no}; "
            f"the file is not {encoding})"
        )
        fault = Fault(
            "bytes", reason, raw.decode(encoding, "backslashreplace")[:RAW_PREVIEW]
        )
        return no, raw.decode(encoding, "replace"), n, fault


def decoded_lines(
    path: Path,
    encoding: str = "utf-8",
    *,
    max_record_bytes: int = MAX_RECORD_BYTES,
    account: LineCounter | None = None,
) -> Iterator[tuple[int, str | CorpusError]]:
    """Number and decode each physical line; a faulty line becomes an error."""
    for no, text, _, fault in physical_lines(path, encoding, max_record_bytes, account):
        if fault is None:
            yield no, text
        else:
            yield no, CorpusError(path, no, fault.reason, fault.raw)


def file_kind(mode: int) -> str:
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


# -- writing -------------------------------------------------------------------------
def check_output_file(name: str, path: Path) -> None:
    """Refuse a file to write (``name``: its option) that is a folder or has no folder.

    Examples
    --------
    >>> check_output_file("--out", Path("/"))
    Traceback (most recent call last):
    ...
    ValueError: --out / is a folder; give a file name
    """
    if path.is_dir():
        raise ValueError(f"{name} {path} is a folder; give a file name")
    if not path.resolve().parent.is_dir():
        raise ValueError(
            f"{name} {path}: no folder {path.parent}; create it or choose another path"
        )


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary name, synced, then renamed.

    A reader sees the old file or the new one, never a part of it.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """A file object for ``path``, written under a temporary name and renamed.

    The temporary file (``.<name>.<random>.tmp``, beside ``path``, so the
    rename is atomic) is synced and renamed to ``path`` when the block ends
    without an exception, and removed when it raises (even
    ``KeyboardInterrupt``): ``path`` holds the old file or the whole new
    one, never a part. For output streamed in pieces; :func:`write_atomic`
    writes bytes held in memory.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "p.jsonl"
    >>> with atomic_writer(out, encoding="utf-8") as fh:
    ...     _ = fh.write("one line")
    >>> out.read_text(), [p.name for p in out.parent.iterdir()]
    ('one line', ['p.jsonl'])
    """
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sha256(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


def zip_bytes(members: Iterable[tuple[str, bytes]], *, deflate: bool = False) -> bytes:
    """A zip archive of ``(name, data)`` members, in the order given.

    Every member has the time stamp :data:`ZIP_DATE` and mode 0644, so the
    same members give the same bytes (a file's SHA-256 fingerprints its
    content). ``deflate=False`` stores the members uncompressed (an ``.npz``
    that ``numpy.load`` can map); ``True`` deflates them.
    """
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()
