"""The corpus fingerprint of a batch run: sizes, times and a SHA-256.

A folder corpus is walked as the reader walks it (links to folders
followed, loops and hidden entries left out). Small corpora are hashed
before the run; larger ones in a thread while it runs (:class:`Hasher`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import stat
import threading
import zlib
from pathlib import Path
from typing import Any

from textfeat._files import write_atomic

__all__ = ["Hasher", "corpus_stat", "stat_diff"]

#: Corpora up to this size are hashed before the run starts; larger ones while
#: it runs, the hash being checked before the manifest is written.
_HASH_AT_START = 64 * 2**20


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def corpus_stat(source: Path, exclude: Path | None) -> dict[str, Any]:
    """Size and modification time of the corpus; for a folder, of every file.

    Never opens a file: a FIFO or a dangling link is listed by kind.
    """
    try:
        st = source.stat()
    except OSError as exc:
        raise FileNotFoundError(f"{source}: no such corpus file or folder") from exc
    if not source.is_dir():
        return {"kind": "file", "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    files: list[list[Any]] = []

    def walk(folder: Path, ancestors: frozenset[tuple[int, int]]) -> None:
        # As the reader walks (corpus.read_directory): hidden entries left
        # out, links to folders followed (a loop is not), so every file the
        # reader can read is in the fingerprint.
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            files.append([folder.relative_to(source).as_posix(), "unlistable", 0, 0])
            return
        for name in names:
            if _is_hidden(name):
                continue
            path = folder / name
            rel = path.relative_to(source).as_posix()
            try:
                fst = path.stat()
            except OSError:
                files.append([rel, "dangling", 0, 0])
                continue
            if stat.S_ISDIR(fst.st_mode):
                ident = (fst.st_dev, fst.st_ino)
                if ident in ancestors or (
                    exclude is not None and path.resolve() == exclude
                ):
                    continue
                walk(path, ancestors | {ident})
                continue
            kind = "file" if stat.S_ISREG(fst.st_mode) else "special"
            files.append([rel, kind, fst.st_size, fst.st_mtime_ns])

    walk(source, frozenset({(st.st_dev, st.st_ino)}))
    files.sort(key=lambda f: f[0])
    return {
        "kind": "dir",
        "size": sum(f[2] for f in files if f[1] == "file"),
        "mtime_ns": max((f[3] for f in files), default=st.st_mtime_ns),
        "files": files,
    }


def stat_diff(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """What changed between two :func:`corpus_stat` results, on one line."""
    if old.get("kind") != new.get("kind"):
        return f"it was a {old.get('kind')}, it is a {new.get('kind')}"
    if old.get("files") is not None and old.get("files") != new.get("files"):
        before = {f[0]: f for f in old["files"]}
        after = {f[0]: f for f in new["files"]}
        parts = []
        for label, names in (
            ("added", sorted(set(after) - set(before))),
            ("removed", sorted(set(before) - set(after))),
            (
                "changed",
                sorted(n for n in set(before) & set(after) if before[n] != after[n]),
            ),
        ):
            if names:
                more = f" and {len(names) - 3} more" if len(names) > 3 else ""
                parts.append(f"{label} {', '.join(names[:3])}{more}")
        return "files " + "; ".join(parts)
    if old.get("size") != new.get("size"):
        return f"size {old.get('size')} -> {new.get('size')}"
    if old.get("mtime_ns") != new.get("mtime_ns"):
        return f"modification time {old.get('mtime_ns')} -> {new.get('mtime_ns')} ns"
    return None


def _count_lines(fh: Any) -> int:
    lines, last = 0, b"\n"
    while block := fh.read(1 << 16):
        lines += block.count(b"\n")
        last = block[-1:]
    return lines + (last != b"\n")


def _hash_file(path: Path, h: Any) -> int | None:
    """Feed a regular file's bytes to ``h``; return its number of lines.

    Lines of a ``.gz`` file are those of its content (None if it does not
    decompress: the reader says where). The file is opened without blocking
    and read only if it is a regular file, so a FIFO cannot hang the run.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return None
        lines, last = 0, b"\n"
        while block := fh.read(1 << 16):
            h.update(block)
            lines += block.count(b"\n")
            last = block[-1:]
        if path.suffix != ".gz":
            return lines + (last != b"\n")
        fh.seek(0)
        try:
            with gzip.GzipFile(fileobj=fh) as gz:
                return _count_lines(gz)
        except (OSError, EOFError, zlib.error):
            return None


def _hash_corpus(source: Path, fp: dict[str, Any]) -> tuple[str, int | None]:
    """SHA-256 of the corpus content (a folder: names and bytes of its files
    in :func:`corpus_stat` order) and its number of physical lines."""
    h = hashlib.sha256()
    if fp["kind"] == "file":
        lines = _hash_file(source, h)
        return h.hexdigest(), lines
    total: int | None = 0
    for rel, kind, size, _ in fp["files"]:
        h.update(f"{rel}\0{kind}\0{size}\0".encode("utf-8", "surrogatepass"))
        if kind != "file":
            continue
        n = _hash_file(source / rel, h)
        total = None if n is None or total is None else total + n
    return h.hexdigest(), total


class Hasher:
    """Hash the corpus now (small) or in a thread while the run goes (large)."""

    def __init__(self, source: Path, fp: dict[str, Any]) -> None:
        self.source, self.fp = source, fp
        self.sha256: str | None = None
        self.lines: int | None = None
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        self.run_file: Path | None = None
        if fp["size"] <= _HASH_AT_START:
            self._run()
            if self.error is not None:
                raise self.error

    def record_in(self, run_file: Path) -> None:
        """Write the hash into ``run_file`` (``run.json``) once it is known.

        A run killed after that can be resumed with its content checked; one
        killed before is resumed on the corpus's size and modification time.
        """
        self.run_file = run_file
        if self.sha256 is not None:
            self._record()

    def _record(self) -> None:
        run = json.loads(self.run_file.read_text())  # type: ignore[union-attr]
        if run["corpus"].get("sha256") is None:
            run["corpus"]["sha256"] = self.sha256
            write_atomic(
                self.run_file,  # type: ignore[arg-type]
                json.dumps(run, indent=1, sort_keys=True).encode(),
            )

    def _run(self) -> None:
        try:
            self.sha256, self.lines = _hash_corpus(self.source, self.fp)
            if self.run_file is not None:
                self._record()
        except BaseException as exc:  # reported by result()
            self.error = exc

    def start(self) -> None:
        if self.sha256 is None and self.thread is None and self.error is None:
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()

    def result(self) -> str:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.sha256 is not None
        return self.sha256
