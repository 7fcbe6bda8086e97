"""Word-vector files: reading and writing word2vec, GloVe and fastText formats.

:func:`read_vectors` reads the text formats (word2vec and fastText ``.vec``
with a ``<count> <dim>`` header, GloVe without) and word2vec's binary
format, gzipped or not; :func:`write_vectors` writes them.
:class:`~textfeat.WordVectors` (``load``/``save``) is the public way to call
them. Nothing in a file is trusted: a header's counts never size an
allocation, every value must be a finite number fitting the dtype, and every
error is a :class:`~textfeat.CorpusError` naming the file and the line.

The module is longer than most (about 550 lines) because the two readers
check everything they read, record by record, with their own buffered source.
"""

from __future__ import annotations

import codecs
import gzip
import numbers
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from textfeat._files import CorpusError

__all__ = ["MAX_VECTOR_DIM", "VECTOR_FORMATS", "read_vectors", "write_vectors"]

#: Formats understood by :meth:`WordVectors.load` and :meth:`WordVectors.save`.
VECTOR_FORMATS: tuple[str, ...] = ("word2vec", "word2vec-binary", "glove", "fasttext")
#: Longest vectors :meth:`WordVectors.load` reads: a header (or a first GloVe
#: line) announcing more values per vector is refused as a bad file.
MAX_VECTOR_DIM: int = 65_536
#: Longest word, in bytes, the loaders look for before refusing a record.
_MAX_WORD_BYTES = 1 << 16


def read_vectors(
    path: str | Path,
    format: str = "auto",
    *,
    dtype: Any = np.float32,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    duplicates: str = "error",
    limit: int | None = None,
) -> tuple[list[str], np.ndarray]:
    """The words and vectors of a file (see :meth:`WordVectors.load`).

    Parameters
    ----------
    path, format, dtype, encoding, unicode_errors, duplicates, limit
        As in :meth:`textfeat.WordVectors.load`.

    Returns
    -------
    words : list of str
    vectors : ndarray of shape (len(words), dim)

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
    >>> _ = p.write_text("cat 1 0\\ndog 0 1\\n")
    >>> words, vectors = read_vectors(p, "glove")
    >>> words, vectors.tolist()
    (['cat', 'dog'], [[1.0, 0.0], [0.0, 1.0]])
    >>> read_vectors(p, "glove", limit=1)[0]
    ['cat']
    """
    path = Path(path)
    dt = _check_load_options(format, dtype, encoding, unicode_errors, duplicates)
    _check_limit(limit)
    if format == "auto":
        binary_name = path.name.endswith((".bin", ".bin.gz"))
        format = "word2vec-binary" if binary_name else _sniff(path)
    options = {
        "dtype": dt,
        "encoding": encoding,
        "errors": unicode_errors,
        "duplicates": duplicates,
        "limit": limit,
    }
    if format == "word2vec-binary":
        words, rows = _read_binary(path, **options)
    else:
        words, rows = _read_text(path, header=format != "glove", **options)
    return words, rows


def write_vectors(
    path: str | Path, words: Sequence[str], vectors: np.ndarray, format: str = "word2vec"
) -> None:
    """Write ``words`` and their ``vectors`` (see :meth:`WordVectors.save`).

    Parameters
    ----------
    path : str or Path
    words : sequence of str
    vectors : ndarray of shape (len(words), dim)
    format : {"word2vec", "word2vec-binary", "glove", "fasttext"}

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
    >>> write_vectors(p, ["cat"], np.ones((1, 2)), "glove")
    >>> p.read_text()
    'cat 1.0 1.0\\n'
    """
    path = Path(path)
    if format not in VECTOR_FORMATS:
        raise ValueError(
            "The 'format' parameter of WordVectors.save must be one of "
            f"{VECTOR_FORMATS}. Got {format!r} instead."
        )
    for w in words:
        if not w or any(c.isspace() for c in w):
            raise ValueError(
                f"WordVectors.save: the word {w!r} is empty or holds whitespace, "
                "which these formats cannot store."
            )
    n, dim = vectors.shape
    if format == "word2vec-binary":
        with path.open("wb") as fh:
            fh.write(f"{n} {dim}\n".encode())
            data = vectors.astype("<f4")
            for w, row in zip(words, data, strict=True):
                fh.write(w.encode("utf-8") + b" " + row.tobytes() + b"\n")
        return
    fmt = "%.9g" if vectors.dtype == np.float32 else "%r"
    with _open_write(path) as fh:
        if format != "glove":
            fh.write(f"{n} {dim}\n")
        for w, row in zip(words, vectors.tolist(), strict=True):
            fh.write(w + " " + " ".join(fmt % v for v in row) + "\n")


# -- readers -------------------------------------------------------------------------
# Nothing read from a file sizes an allocation beyond what its bytes can hold:
# a header's counts are checked against the file size (uncompressed files) and
# the vectors are stored in blocks that grow as records are read.

_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"
_HEADER_BYTES = 256  # a "<count> <dim>" header is never longer
_BLOCK_BYTES = 1 << 20  # rows are parsed and checked a block of about 1 MiB at a time
_TEXT_VALUE_BYTES = 64  # room per value when bounding the length of a text line
_NUMERIC_BYTES = frozenset(b"0123456789+-.eEinfatyINFATY \r\n")
_UNICODE_ERRORS = ("strict", "replace", "ignore")
_DUPLICATES = ("error", "first")


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


def _open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed if it is gzip (by its magic bytes)."""
    if _is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _open_write(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8")
    return path.open("w", encoding="utf-8")


def _check_limit(limit: object) -> None:
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 1
    ):
        raise ValueError(
            "The 'limit' parameter of WordVectors.load must be None or an int >= 1 "
            f"(the number of vectors to read). Got {limit!r} instead."
        )


def _check_load_options(
    format: str, dtype: Any, encoding: str, unicode_errors: str, duplicates: str
) -> np.dtype:
    if format not in ("auto", *VECTOR_FORMATS):
        raise ValueError(
            "The 'format' parameter of WordVectors.load must be 'auto' or one of "
            f"{VECTOR_FORMATS}. Got {format!r} instead."
        )
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = np.dtype(object)
    if dt not in (np.float32, np.float64):
        raise ValueError(
            "The 'dtype' parameter of WordVectors.load must be np.float32 or "
            f"np.float64. Got {dtype!r} instead."
        )
    try:
        codecs.lookup(encoding)
        ascii_safe = " \n0123456789.-+eE".encode(encoding) == b" \n0123456789.-+eE"
    except (LookupError, TypeError, UnicodeError):
        raise ValueError(
            "The 'encoding' parameter of WordVectors.load must be the name of a "
            f"text encoding. Got {encoding!r} instead."
        ) from None
    if not ascii_safe:
        raise ValueError(
            "The 'encoding' parameter of WordVectors.load must be an "
            "ASCII-compatible encoding (utf-8, latin-1, cp1252, ...): the "
            f"formats separate fields with ASCII spaces. Got {encoding!r}."
        )
    if unicode_errors not in _UNICODE_ERRORS:
        raise ValueError(
            "The 'unicode_errors' parameter of WordVectors.load must be one of "
            f"{_UNICODE_ERRORS}. Got {unicode_errors!r} instead."
        )
    if duplicates not in _DUPLICATES:
        raise ValueError(
            "The 'duplicates' parameter of WordVectors.load must be one of "
            f"{_DUPLICATES}. Got {duplicates!r} instead."
        )
    return dt


class _Source:
    """A file's bytes read in chunks, with read errors named by file and line.

    ``line`` is the caller's current record (line) number, used when the
    compressed stream turns out to be truncated or corrupt.
    """

    def __init__(self, path: Path, fh: IO[bytes]) -> None:
        self.path = path
        self.fh = fh
        self.line = 1
        self.buf = b""
        self.pos = 0

    def _read(self, n: int) -> bytes:
        try:
            return self.fh.read1(n)  # type: ignore[attr-defined]
        except (EOFError, OSError, zlib.error) as exc:
            raise CorpusError(
                self.path,
                self.line,
                f"the compressed data is truncated or corrupt ({exc})",
            ) from exc

    def readline(self, limit: int) -> bytes:
        """One line with its ``\\n`` (``b""`` at the end), at most ``limit`` bytes."""
        while True:
            end = self.buf.find(b"\n", self.pos, self.pos + limit)
            if end >= 0:
                line = self.buf[self.pos : end + 1]
                self.pos = end + 1
                return line
            if len(self.buf) - self.pos >= limit or not self.fill(
                len(self.buf) - self.pos + 1
            ):
                take = min(limit, len(self.buf) - self.pos)
                line = self.buf[self.pos : self.pos + take]
                self.pos += take
                return line

    def fill(self, need: int) -> bool:
        """Make ``need`` bytes available from ``pos``; False at the end of file."""
        have = len(self.buf) - self.pos
        if have >= need:
            return True
        parts = [self.buf[self.pos :]]
        try:
            while have < need:
                chunk = self._read(max(_BLOCK_BYTES, need - have))
                if not chunk:
                    break
                parts.append(chunk)
                have += len(chunk)
        finally:  # keep what was read, even when the rest is corrupt
            self.buf = b"".join(parts)
            self.pos = 0
        return have >= need

    def take(self, n: int) -> bytes | None:
        """The next ``n`` bytes, or None if the file ends before them."""
        if not self.fill(n):
            return None
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def skip_newlines(self) -> None:
        while self.fill(1) and self.buf[self.pos] == 0x0A:
            self.pos += 1

    def until_space(self, limit: int) -> bytes | None:
        """Bytes before the next space (which is consumed); None if none in ``limit``."""
        start = 0
        while True:
            end = self.buf.find(b" ", self.pos + start, self.pos + limit)
            if end >= 0:
                word = self.buf[self.pos : end]
                self.pos = end + 1
                return word
            have = len(self.buf) - self.pos
            if have >= limit or not self.fill(have + 1):
                return None
            start = have

    def rest(self, limit: int) -> bytes:
        """Up to ``limit`` more bytes (what follows the announced records)."""
        self.fill(limit)
        return self.buf[self.pos : self.pos + limit]


class _Rows:
    """Vectors stored in a buffer that grows as rows are read (never from a header).

    ``add`` takes a block of rows parsed as float64 (or float32 for binary
    files), refuses a non-finite value or one that overflows ``dtype``, naming
    the file and the line of its row, and appends the block.
    """

    def __init__(self, path: Path, dim: int, dtype: np.dtype, cap: int | None) -> None:
        self.path = path
        self.dim = dim
        self.dtype = dtype
        self.cap = cap
        first = max(1, _BLOCK_BYTES // (dim * dtype.itemsize))
        self.buf = np.empty((first if cap is None else min(cap, first), dim), dtype)
        self.n = 0

    def add(self, block: np.ndarray, lines: Sequence[int]) -> None:
        ok = np.isfinite(block)
        top = float(np.finfo(self.dtype).max)
        if block.dtype.itemsize > self.dtype.itemsize:
            ok &= np.abs(block) <= top
        if not ok.all():
            r, j = divmod(int(np.argmin(ok.ravel())), self.dim)
            raise CorpusError(
                self.path,
                lines[r],
                f"value {j + 1} of the vector is {float(block[r, j])!r}: not a "
                f"finite {self.dtype} (NaN, infinity, or beyond {top:.4g})",
            )
        need = self.n + len(block)
        if need > len(self.buf):
            size = max(need, 2 * len(self.buf))
            if self.cap is not None:
                size = min(size, max(self.cap, need))
            self.buf.resize((size, self.dim), refcheck=False)
        self.buf[self.n : need] = block
        self.n = need

    def result(self) -> np.ndarray:
        if self.n < len(self.buf):
            self.buf.resize((self.n, self.dim), refcheck=False)
        return self.buf


def _parse_header(path: Path, raw: bytes) -> tuple[int, int]:
    """``<count> <dim>`` as two positive integers, ``dim`` at most the cap."""
    text = raw.decode("ascii", "replace").strip()
    parts = text.split()
    if (
        not raw.endswith(b"\n")
        or len(parts) != 2
        or not all(p.isascii() and p.isdigit() for p in parts)
        or not all(int(p) > 0 for p in parts)
    ):
        raise CorpusError(
            path,
            1,
            f"bad header {text[:60]!r}: expected '<count> <dim>', two positive "
            "integers, then a newline",
        )
    count, dim = int(parts[0]), int(parts[1])
    _check_dim(path, 1, dim)
    return count, dim


def _check_dim(path: Path, line: int, dim: int) -> None:
    if dim > MAX_VECTOR_DIM:
        raise CorpusError(
            path,
            line,
            f"vectors of {dim} values: more than MAX_VECTOR_DIM = {MAX_VECTOR_DIM} "
            "(a bad header, or not a word-vector file)",
        )


def _check_count(path: Path, count: int, dim: int, min_bytes: int, left: int) -> None:
    """Refuse a header announcing more records than the file's bytes can hold."""
    if count * min_bytes > left:
        raise CorpusError(
            path,
            1,
            f"the header announces {count} vectors of {dim} values, which need at "
            f"least {count * min_bytes} bytes; the file has {left} after the header "
            "(truncated, or a bad header?)",
        )


def _sniff(path: Path) -> str:
    """``word2vec-binary``, ``word2vec`` (text with a header) or ``glove``."""
    with _open_binary(path) as fh:
        src = _Source(path, fh)
        first = src.readline(_HEADER_BYTES)
        if first.startswith(_UTF8_BOM):
            first = first[len(_UTF8_BOM) :]
        parts = first.split()
        if not (
            first.endswith(b"\n")
            and len(parts) == 2
            and all(p.isdigit() for p in parts)
        ):
            return "glove"
        dim = min(int(parts[1]), MAX_VECTOR_DIM)
        try:
            src.fill(_line_limit(dim))
        except CorpusError:  # corrupt further on: judge by what could be read
            pass
        peek = src.buf[src.pos :]
    space = peek.find(b" ")
    end = peek.find(b"\n", space + 1)
    line = peek[space + 1 : end if end >= 0 else len(peek)]
    if space < 0 or set(line[: 4 * dim]) <= _NUMERIC_BYTES:
        return "word2vec"
    if len(line.rstrip(b"\r ").split(b" ")) == dim:  # text with a bad value
        return "word2vec"
    return "word2vec-binary"


def _decode_word(
    path: Path,
    line: int,
    raw: bytes,
    encoding: str,
    errors: str,
    what: str,
) -> str:
    try:
        return raw.decode(encoding, errors)
    except UnicodeDecodeError as exc:
        raise CorpusError(
            path,
            line,
            f"{what}: bytes {raw[exc.start : exc.end + 3]!r} at byte {exc.start} of "
            f"the word {raw[:40]!r} are not valid {encoding} ({exc.reason}); pass "
            "encoding=... or unicode_errors='replace' or 'ignore' (the GoogleNews "
            "vectors need unicode_errors='ignore')",
        ) from None


class _Words:
    """Words in order, refusing empty ones and handling repeated ones."""

    def __init__(self, path: Path, duplicates: str) -> None:
        self.path = path
        self.duplicates = duplicates
        self.words: list[str] = []
        self.seen: dict[str, str] = {}

    def add(self, word: str, line: int, where: str) -> bool:
        """Record ``word``; False if it is a repeat to skip."""
        if not word:
            raise CorpusError(self.path, line, "empty word")
        first = self.seen.get(word)
        if first is not None:
            if self.duplicates == "first":
                return False
            raise CorpusError(
                self.path,
                line,
                f"the word {word!r} already had a vector on {first} "
                "(pass duplicates='first' to keep the first one)",
            )
        self.seen[word] = where
        self.words.append(word)
        return True


def _read_text(
    path: Path,
    *,
    header: bool,
    dtype: np.dtype,
    encoding: str,
    errors: str,
    duplicates: str,
    limit: int | None,
) -> tuple[list[str], np.ndarray]:
    words = _Words(path, duplicates)
    count: int | None = None
    announced: int | None = None
    dim = -1
    rows: _Rows | None = None
    flat: list[bytes] = []
    lines: list[int] = []
    block_rows = 1
    n_read = 0
    line_no = 0
    is_utf8 = codecs.lookup(encoding).name == "utf-8"
    max_len = _HEADER_BYTES if header else _line_limit(MAX_VECTOR_DIM)
    with _open_binary(path) as fh:
        src = _Source(path, fh)
        while True:
            if limit is not None and n_read == limit:
                break  # the first `limit` records: the rest is not read (gensim)
            line_no += 1
            src.line = line_no
            raw = src.readline(max_len)
            if not raw:
                break
            if not raw.endswith(b"\n") and len(raw) == max_len:
                raise CorpusError(
                    path,
                    line_no,
                    f"line longer than {max_len} bytes (not a vector file?)",
                )
            if line_no == 1 and is_utf8 and raw.startswith(_UTF8_BOM):
                raw = raw[len(_UTF8_BOM) :]
            if header and line_no == 1:
                announced, dim = _parse_header(path, raw)
                count = announced if limit is None else min(announced, limit)
                max_len = _line_limit(dim)
                continue
            line = raw.rstrip(b"\r\n").rstrip(b" ")
            if not line:
                raise CorpusError(path, line_no, "blank line")
            parts = line.split(b" ")
            if dim < 0:
                dim = len(parts) - 1
                if dim < 1:
                    raise CorpusError(path, line_no, "a word without any value")
                _check_dim(path, line_no, dim)
            if rows is None:
                rows = _Rows(path, dim, dtype, count if count is not None else limit)
                block_rows = max(1, _BLOCK_BYTES // (8 * dim))
                max_len = _line_limit(dim)
            if count is not None and n_read == count:
                raise CorpusError(
                    path, line_no, f"more vectors than the {count} the header announces"
                )
            n_read += 1
            if len(parts) != dim + 1:
                raise CorpusError(
                    path,
                    line_no,
                    f"expected the word and {dim} values, got {len(parts) - 1} values",
                )
            word = _decode_word(path, line_no, parts[0], encoding, errors, "word")
            if not words.add(word, line_no, f"line {line_no}"):
                continue
            flat.extend(parts[1:])
            lines.append(line_no)
            if len(lines) == block_rows:
                rows.add(_parse_values(path, flat, lines, dim), lines)
                flat, lines = [], []
    if header and count is None:
        raise CorpusError(path, 1, "empty file: no header")
    if count is not None and n_read < count:
        raise CorpusError(
            path,
            line_no,
            f"file ends after {n_read} of the {announced} vectors the header "
            "announces (truncated?)",
        )
    if rows is None:
        raise CorpusError(path, 1, "no vectors in the file")
    if lines:
        rows.add(_parse_values(path, flat, lines, dim), lines)
    return words.words, rows.result()


def _line_limit(dim: int) -> int:
    """Longest text line accepted for vectors of ``dim`` values."""
    return _MAX_WORD_BYTES + _TEXT_VALUE_BYTES * (dim + 1)


def _parse_values(
    path: Path, flat: list[bytes], lines: Sequence[int], dim: int
) -> np.ndarray:
    """The values of a block of lines as float64, naming the line of a bad one."""
    try:
        return np.array(flat, dtype=np.float64).reshape(len(lines), dim)
    except ValueError:
        pass
    for r, line_no in enumerate(lines):
        for j, value in enumerate(flat[r * dim : (r + 1) * dim]):
            try:
                float(value)
            except ValueError:
                raise CorpusError(
                    path,
                    line_no,
                    f"value {j + 1} ({value[:40]!r}) is not a number",
                ) from None
    raise AssertionError("unreachable: a block failed to parse but no value did")


def _read_binary(
    path: Path,
    *,
    dtype: np.dtype,
    encoding: str,
    errors: str,
    duplicates: str,
    limit: int | None,
) -> tuple[list[str], np.ndarray]:
    words = _Words(path, duplicates)
    with _open_binary(path) as fh:
        src = _Source(path, fh)
        head = src.readline(_HEADER_BYTES)
        announced, dim = _parse_header(path, head)
        # With a limit below the header's count, only the first `limit`
        # records are read (and checked), as gensim does.
        count = announced if limit is None else min(announced, limit)
        width = 4 * dim
        if not _is_gzip(path):  # a record is at least "w", a space and the vector
            _check_count(path, count, dim, width + 2, path.stat().st_size - len(head))
        rows = _Rows(path, dim, dtype, count)
        block_rows = max(1, _BLOCK_BYTES // width)
        pending: list[bytes] = []
        lines: list[int] = []
        for i in range(count):
            line_no = i + 2  # the header is line 1, vector i is "line" i + 2
            src.line = line_no
            src.skip_newlines()
            raw = src.until_space(_MAX_WORD_BYTES)
            vec = None if raw is None else src.take(width)
            if vec is None:
                if raw is None and src.fill(_MAX_WORD_BYTES):
                    raise CorpusError(
                        path,
                        line_no,
                        f"vector {i + 1}: no space within {_MAX_WORD_BYTES} bytes "
                        "(wrong dimension, or not a word2vec binary file?)",
                    )
                raise CorpusError(
                    path,
                    line_no,
                    f"file ends inside vector {i + 1} of the {announced} the header "
                    "announces (truncated?)",
                )
            if b"\n" in raw:
                raise CorpusError(
                    path,
                    line_no,
                    f"vector {i + 1}: bad word {raw[:40]!r} (wrong dimension?)",
                )
            word = _decode_word(path, line_no, raw, encoding, errors, f"vector {i + 1}")
            if not words.add(word, line_no, f"vector {i + 1} (line {line_no})"):
                continue
            pending.append(vec)
            lines.append(line_no)
            if len(lines) == block_rows:
                rows.add(_binary_block(pending, dim), lines)
                pending, lines = [], []
        if lines:
            rows.add(_binary_block(pending, dim), lines)
        if count < announced:
            return words.words, rows.result()
        src.line = count + 2
        src.skip_newlines()
        rest = src.rest(_BLOCK_BYTES)
    if rest:
        more = "+" if len(rest) == _BLOCK_BYTES else ""
        raise CorpusError(
            path,
            count + 2,
            f"{len(rest)}{more} bytes after the {count} vectors the header announces "
            "(wrong dimension or count?)",
        )
    return words.words, rows.result()


def _binary_block(pending: list[bytes], dim: int) -> np.ndarray:
    return np.frombuffer(b"".join(pending), dtype="<f4").reshape(len(pending), dim)
