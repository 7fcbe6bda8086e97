"""Directory corpora: ``root/<label>/<file>``, one record per regular file."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from textfeat._files import (
    BLOCK,
    BOM,
    MAX_RECORD_BYTES,
    CorpusError,
    file_kind,
    preview,
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

__all__ = ["read_directory"]


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
                yield Skip(0, 0)
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
                yield Skip(0, 0)
            elif not stat.S_ISREG(st.st_mode):
                yield CorpusError(
                    path,
                    0,
                    f"{file_kind(st.st_mode)}, not a regular file; never opened",
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
                path, 0, f"{file_kind(st.st_mode)}, not a regular file; not read"
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
            chunk = os.read(fd, min(BLOCK, limit + 1 - size) or 1)
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
    if encoding == "utf-8" and raw.startswith(BOM):
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
            preview(raw[max(0, exc.start - 40) : exc.start + 40]),
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
    encoding = check_encoding(encoding, "read_directory")
    limit = check_limit(max_record_bytes, "read_directory")
    account = check_account(accounting, "read_directory")
    check_exists(root, directory=True)
    excluded = _excluded(exclude)
    if account is not None:
        start_account(account, "file")
    items = _iter_directory(root, encoding, limit, excluded, account)
    return emit(items, quarantine, account, whole_files=True)
