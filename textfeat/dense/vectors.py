"""Word vectors: a table of dense vectors with an unknown-word policy.

:class:`WordVectors` holds one vector per word and looks up token lists.
It loads the formats found on disk (word2vec text and binary, GloVe text,
fastText ``.vec``), a spaCy ``Vocab``/``Vectors``, a gensim ``KeyedVectors``
(gensim is optional and never imported here), a dict, or an array with its
word list. Vectors can also be learned from a corpus without any download
with :class:`textfeat.ppmi.PPMIVectors`.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from pathlib import Path
from typing import IO, Any, Self

import numpy as np

from textfeat._cache import derived
from textfeat._files import CorpusError
from textfeat.text.vocab import BOS, EOS, UNK

__all__ = ["MAX_VECTOR_DIM", "VECTOR_FORMATS", "WordVectors"]

#: Formats understood by :meth:`WordVectors.load` and :meth:`WordVectors.save`.
VECTOR_FORMATS: tuple[str, ...] = ("word2vec", "word2vec-binary", "glove", "fasttext")
_POLICIES = ("zero", "mean", "unk", "ignore", "error")
#: Longest vectors :meth:`WordVectors.load` reads: a header (or a first GloVe
#: line) announcing more values per vector is refused as a bad file.
MAX_VECTOR_DIM: int = 65_536
#: Longest word, in bytes, the loaders look for before refusing a record.
_MAX_WORD_BYTES = 1 << 16


class WordVectors:
    """A table of word vectors with an unknown-word policy.

    Parameters
    ----------
    words : sequence of str
        The words, distinct, in row order.
    vectors : array-like of shape (len(words), dim)
        Their vectors; float32 and float64 are kept, other types become
        float64.
    handle_unknown : {"zero", "mean", "unk", "ignore", "error"}, default="zero"
        What an unknown word's vector is: zeros, the mean of all vectors,
        the table's own ``*UNK*`` row (a learned unknown-word vector, as
        :class:`~textfeat.ppmi.PPMIVectors` makes), nothing (the token is
        dropped by :meth:`lookup`), or a ``KeyError``.

    Attributes
    ----------
    words : list of str
    vectors : ndarray of shape (n_words, dim)
    index : dict of str to int
        Row of each word.
    dim : int
        Length of the vectors.

    Notes
    -----
    The table is treated as immutable: ``copy.deepcopy`` (which
    :func:`sklearn.base.clone` applies to parameters) returns it as it is,
    so a grid search does not copy a large table for every candidate.

    Examples
    --------
    >>> wv = WordVectors(["cat", "dog", "car"], [[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    >>> wv.lookup(["dog", "emu"])
    array([[0.9, 0.1],
           [0. , 0. ]])
    >>> [w for w, _ in wv.most_similar("cat", topn=2)]
    ['dog', 'car']
    >>> WordVectors.from_dict({"a": [1.0, 3.0], "b": [3.0, 5.0]},
    ...                       handle_unknown="mean")["zzz"]
    array([2., 4.])
    """

    def __init__(
        self,
        words: Sequence[str],
        vectors: Any,
        *,
        handle_unknown: str = "zero",
    ) -> None:
        words = list(words)
        arr = np.asarray(vectors)
        if arr.dtype not in (np.float32, np.float64):
            arr = arr.astype(np.float64)
        if arr.ndim != 2 or arr.shape[0] != len(words):
            raise ValueError(
                f"WordVectors: 'vectors' must have shape (len(words), dim) = "
                f"({len(words)}, dim); got {arr.shape}."
            )
        if arr.shape[1] == 0:
            raise ValueError("WordVectors: the vectors have no dimension (dim=0).")
        if not np.isfinite(arr).all():
            row = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
            raise ValueError(
                f"WordVectors: the vector of {words[row]!r} (row {row}) is not finite."
            )
        index: dict[str, int] = {}
        for i, w in enumerate(words):
            if not isinstance(w, str):
                raise TypeError(
                    f"WordVectors: word {i} is {type(w).__name__} ({w!r}), not a str."
                )
            if w in index:
                raise ValueError(
                    f"WordVectors: the word {w!r} appears twice (rows {index[w]} "
                    f"and {i})."
                )
            index[w] = i
        if handle_unknown not in _POLICIES:
            raise ValueError(
                "The 'handle_unknown' parameter of WordVectors must be a str among "
                f"{set(_POLICIES)}. Got {handle_unknown!r} instead."
            )
        if handle_unknown == "unk" and UNK not in index:
            raise ValueError(
                f"handle_unknown='unk' needs a {UNK!r} row in the table; this one "
                "has none. Use 'zero' or 'mean', or add the row."
            )
        self.words = words
        self.vectors = arr
        self.index = index
        self.dim = int(arr.shape[1])
        self.handle_unknown = handle_unknown

    # -- container protocol --------------------------------------------------
    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def __getitem__(self, word: str) -> np.ndarray:
        row = self.index.get(word)
        if row is not None:
            return self.vectors[row]
        if self.handle_unknown in ("ignore", "error"):
            raise KeyError(word)
        return self.unknown_vector.copy()

    def __repr__(self) -> str:
        return (
            f"WordVectors(n_words={len(self)}, dim={self.dim}, "
            f"handle_unknown={self.handle_unknown!r})"
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self

    def with_unknown(self, handle_unknown: str) -> WordVectors:
        """The same table (shared, not copied) with another unknown-word policy.

        Examples
        --------
        >>> wv = WordVectors(["a"], [[2.0]]).with_unknown("mean")
        >>> wv["b"]
        array([2.])
        """
        return WordVectors(self.words, self.vectors, handle_unknown=handle_unknown)

    @property
    def unknown_vector(self) -> np.ndarray:
        """Vector given to an unknown word (zeros for "ignore" and "error")."""
        return derived(self, "unknown", self._state(), self._unknown_vector)

    def _state(self) -> tuple[Any, ...]:
        """What the derived tables depend on (they are rebuilt if it changes)."""
        return (self.vectors, self.index, self.handle_unknown)

    def _unknown_vector(self) -> np.ndarray:
        if self.handle_unknown == "mean":
            vec = self.vectors.mean(axis=0)
        elif self.handle_unknown == "unk":
            vec = self.vectors[self.index[UNK]].copy()
        else:
            vec = np.zeros(self.dim, dtype=self.vectors.dtype)
        vec.flags.writeable = False  # shared between calls
        return vec

    def raw_ids(self, tokens: Iterable[str]) -> np.ndarray:
        """Row of each token, ``-1`` for an unknown one (no policy applied).

        Examples
        --------
        >>> WordVectors(["a", "b"], [[0.0], [1.0]]).raw_ids(["b", "x", "a"]).tolist()
        [1, -1, 0]
        """
        return np.fromiter(map(self.index.get, tokens, repeat(-1)), dtype=np.int64)

    def lookup(self, tokens: Iterable[str]) -> np.ndarray:
        """Vectors of ``tokens``, one row each, the unknown-word policy applied.

        Parameters
        ----------
        tokens : iterable of str

        Returns
        -------
        ndarray of shape (n_tokens, dim)
            With ``handle_unknown="ignore"``, unknown tokens have no row.

        Raises
        ------
        KeyError
            For an unknown token with ``handle_unknown="error"``.
        """
        tokens = list(tokens)
        ids = self.raw_ids(tokens)
        missing = ids < 0
        if missing.any():
            if self.handle_unknown == "error":
                bad = tokens[int(np.flatnonzero(missing)[0])]
                raise KeyError(f"unknown word {bad!r} (handle_unknown='error')")
            if self.handle_unknown == "ignore":
                ids = ids[~missing]
            else:
                rows = self._rows()
                ids = np.where(missing, len(self), ids)
                return rows[ids]
        return self.vectors[ids]

    def _rows(self) -> np.ndarray:
        """The vectors, then the unknown vector, then ``*S*`` and ``*/S*``.

        Built once per table (not per call) and never saved with a model.
        """
        return derived(self, "rows", self._state(), self._extended_rows)

    def _extended_rows(self) -> np.ndarray:
        extra = [self.unknown_vector]
        for sym in (BOS, EOS):
            extra.append(
                self.vectors[self.index[sym]]
                if sym in self.index
                else np.zeros(self.dim, dtype=self.vectors.dtype)
            )
        rows = np.vstack([self.vectors, *extra])
        rows.flags.writeable = False
        return rows

    def _lookup_table(self, keys: Iterable[str]) -> tuple[dict[str, int], np.ndarray]:
        """Row in :meth:`_rows` of each key (``-1``: ignored) and those rows."""
        unknown = len(self) if self.handle_unknown != "ignore" else -1
        get = self.index.get
        table = {}
        for key in keys:
            row = get(key)
            if row is None:
                if self.handle_unknown == "error":
                    raise KeyError(f"unknown word {key!r} (handle_unknown='error')")
                row = unknown
            table[key] = row
        return table, self._rows()

    # -- similarity ---------------------------------------------------------------
    def _unit(self) -> np.ndarray:
        return derived(self, "unit", (self.vectors,), self._unit_rows)

    def _unit_rows(self) -> np.ndarray:
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
        return self.vectors / np.where(norms == 0, 1, norms)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of the vectors of two words (0 if one is zero).

        Examples
        --------
        >>> wv = WordVectors(["a", "b"], [[1.0, 0.0], [1.0, 1.0]])
        >>> round(wv.similarity("a", "b"), 4)
        0.7071
        """
        u, v = self[a], self[b]
        nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
        if nu == 0 or nv == 0:
            return 0.0
        return float(u @ v / (nu * nv))

    def most_similar(self, query: str | Any, topn: int = 10) -> list[tuple[str, float]]:
        """The ``topn`` words closest to ``query`` by cosine similarity.

        Parameters
        ----------
        query : str or array-like of shape (dim,)
            A word (left out of the answer) or a vector.
        topn : int, default=10

        Returns
        -------
        list of (str, float)
            Words and cosine similarities, most similar first.
        """
        unit = self._unit()
        exclude = -1
        if isinstance(query, str):
            if query not in self.index:
                raise KeyError(f"unknown word {query!r}")
            exclude = self.index[query]
            q = unit[exclude]
        else:
            q = np.asarray(query, dtype=np.float64)
            norm = np.linalg.norm(q)
            q = q / norm if norm else q
        sims = unit @ q
        if exclude >= 0:
            sims[exclude] = -np.inf
        n = min(topn, len(self) - (exclude >= 0))
        top = np.argsort(-sims, kind="stable")[:n]
        return [(self.words[i], float(sims[i])) for i in top]

    # -- constructors -------------------------------------------------------------
    @classmethod
    def from_dict(
        cls, mapping: Mapping[str, Any], *, handle_unknown: str = "zero"
    ) -> WordVectors:
        """Vectors from a ``{word: vector}`` mapping (in its order)."""
        words = list(mapping)
        if not words:
            raise ValueError("WordVectors.from_dict: the mapping is empty.")
        return cls(
            words,
            np.vstack([np.asarray(mapping[w]) for w in words]),
            handle_unknown=handle_unknown,
        )

    @classmethod
    def from_spacy(cls, source: Any, *, handle_unknown: str = "zero") -> WordVectors:
        """Vectors of a spaCy ``Language``, ``Vocab`` or ``Vectors``.

        spaCy's blank pipelines have no vectors; a pipeline such as
        ``en_core_web_md`` has. Only the default (key table) mode is read;
        floret vectors have no word list.

        Parameters
        ----------
        source : spacy.language.Language, spacy.vocab.Vocab or spacy.vectors.Vectors
        handle_unknown : str, default="zero"

        Returns
        -------
        WordVectors

        Examples
        --------
        >>> import numpy as np
        >>> from spacy.vocab import Vocab
        >>> vocab = Vocab()
        >>> vocab.set_vector("cat", np.array([1.0, 0.0], dtype="f"))
        >>> vocab.set_vector("dog", np.array([0.0, 1.0], dtype="f"))
        >>> wv = WordVectors.from_spacy(vocab)
        >>> sorted(wv.words), wv["dog"].tolist()
        (['cat', 'dog'], [0.0, 1.0])
        """
        if hasattr(source, "vocab"):  # a Language
            source = source.vocab
        if hasattr(source, "vectors"):  # a Vocab
            vectors, strings = source.vectors, source.strings
        else:  # a Vectors, which has its own StringStore
            vectors, strings = source, source.strings
        if getattr(vectors, "mode", "default") != "default":
            raise ValueError(
                f"WordVectors.from_spacy reads spaCy vectors in 'default' mode; "
                f"these are in {vectors.mode!r} mode and have no word list."
            )
        pairs = sorted(vectors.key2row.items(), key=lambda kr: kr[1])
        if not pairs:
            raise ValueError(
                "WordVectors.from_spacy: this spaCy object has no vectors (blank "
                "pipelines have none)."
            )
        words = [strings[key] for key, _ in pairs]
        rows = np.asarray([row for _, row in pairs], dtype=np.int64)
        data = np.asarray(vectors.data)[rows]
        return cls(words, data, handle_unknown=handle_unknown)

    @classmethod
    def from_gensim(
        cls, keyed_vectors: Any, *, handle_unknown: str = "zero"
    ) -> WordVectors:
        """Vectors of a gensim ``KeyedVectors`` (gensim itself is optional).

        Parameters
        ----------
        keyed_vectors : gensim.models.KeyedVectors
            Or a model with a ``wv`` attribute (``Word2Vec``, ``FastText``).
        handle_unknown : str, default="zero"

        Returns
        -------
        WordVectors
        """
        kv = getattr(keyed_vectors, "wv", keyed_vectors)
        if not hasattr(kv, "index_to_key") or not hasattr(kv, "vectors"):
            raise TypeError(
                "WordVectors.from_gensim expects a gensim KeyedVectors (with "
                f"index_to_key and vectors); got {type(keyed_vectors).__name__}."
            )
        return cls(
            list(kv.index_to_key), np.asarray(kv.vectors), handle_unknown=handle_unknown
        )

    # -- files ---------------------------------------------------------------------
    @classmethod
    def load(
        cls,
        path: str | Path,
        format: str = "auto",
        *,
        handle_unknown: str = "zero",
        dtype: Any = np.float32,
        encoding: str = "utf-8",
        unicode_errors: str = "strict",
        duplicates: str = "error",
    ) -> WordVectors:
        """Read vectors from a file.

        Nothing in the file is trusted: a header's counts never size an
        allocation (vectors are stored as they are read), every value must be
        a finite number that fits ``dtype``, and every error names the file
        and the line.

        Parameters
        ----------
        path : str or Path
            The file, gzipped or not (recognised by its first bytes).
        format : {"auto", "word2vec", "word2vec-binary", "glove", "fasttext"}
            ``"word2vec"`` and ``"fasttext"`` (``.vec``) are text with a
            ``<count> <dim>`` header line, then ``word v1 ... vdim`` lines;
            ``"glove"`` is the same without the header; ``"word2vec-binary"``
            has the header, then each word, a space and ``dim`` little-endian
            float32. ``"auto"``: binary for ``.bin`` and ``.bin.gz``, and for
            a file whose first vector is not text; otherwise text with a
            header if the first line is two integers, GloVe if not.
        handle_unknown : str, default="zero"
            As in :class:`WordVectors`.
        dtype : {np.float32, np.float64}, default=np.float32
            Type of the vectors. A value beyond its range (``1e39`` for
            float32), NaN or infinity is refused.
        encoding : str, default="utf-8"
            Encoding of the words; any ASCII-compatible codec (``"latin-1"``,
            ``"cp1252"``, ...). A UTF-8 byte-order mark is skipped.
        unicode_errors : {"strict", "replace", "ignore"}, default="strict"
            What an undecodable word does, as in gensim: raise (naming the
            file, line and byte), become U+FFFD, or lose the bad bytes. The
            GoogleNews vectors hold a few words cut inside a UTF-8 character
            and need ``"ignore"`` (or ``"replace"``).
        duplicates : {"error", "first"}, default="error"
            A word with a second vector raises, or keeps its first vector
            (later ones are skipped; gensim does the same with a warning).

        Returns
        -------
        WordVectors

        Raises
        ------
        textfeat.CorpusError
            For a bad header (not two positive integers, or vectors longer
            than :data:`MAX_VECTOR_DIM`), a line with the wrong number of
            values, a value that is not a finite number fitting ``dtype``, an
            empty or undecodable word, a repeated word, a line longer than any
            record can be, truncated or corrupt gzip data, or a file shorter
            or longer than its header says, naming the file and the line (for
            the binary format, line ``i + 2`` is the ``i``-th vector, the
            header being line 1). An uncompressed binary file too small for
            the vectors its header announces is refused at line 1 before
            anything is read; other files are read up to the record where
            they end.
        ValueError
            For a bad parameter.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
        >>> _ = p.write_text("2 3\\ncat 1 0 0\\ndog 0 1\\n")
        >>> WordVectors.load(p)
        Traceback (most recent call last):
        ...
        textfeat.corpus.CorpusError: ...v.txt, line 3: expected the word and 3 values, got 2 values
        >>> _ = p.write_bytes(b"2 2\\ncaf\\xe9 1 0\\ndog 0 1\\n")
        >>> WordVectors.load(p, unicode_errors="replace").words
        ['caf\ufffd', 'dog']
        >>> WordVectors.load(p, encoding="latin-1").words
        ['caf\xe9', 'dog']
        """
        path = Path(path)
        dt = _check_load_options(format, dtype, encoding, unicode_errors, duplicates)
        if format == "auto":
            binary_name = path.name.endswith((".bin", ".bin.gz"))
            format = "word2vec-binary" if binary_name else _sniff(path)
        options = {
            "dtype": dt,
            "encoding": encoding,
            "errors": unicode_errors,
            "duplicates": duplicates,
        }
        if format == "word2vec-binary":
            words, rows = _read_binary(path, **options)
        else:
            words, rows = _read_text(path, header=format != "glove", **options)
        return cls(words, rows, handle_unknown=handle_unknown)

    def save(self, path: str | Path, format: str = "word2vec") -> None:
        """Write the vectors in one of :data:`VECTOR_FORMATS`.

        Text formats write every value with enough digits to read the same
        float back (``repr`` for float64, 9 significant digits for float32).

        Parameters
        ----------
        path : str or Path
        format : {"word2vec", "word2vec-binary", "glove", "fasttext"}

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.vec"
        >>> wv = WordVectors(["cat", "dog"], np.eye(2, dtype=np.float32))
        >>> wv.save(p, "fasttext")
        >>> print(p.read_text(), end="")
        2 2
        cat 1 0
        dog 0 1
        >>> back = WordVectors.load(p)
        >>> back.words == wv.words and bool((back.vectors == wv.vectors).all())
        True
        """
        path = Path(path)
        if format not in VECTOR_FORMATS:
            raise ValueError(
                "The 'format' parameter of WordVectors.save must be one of "
                f"{VECTOR_FORMATS}. Got {format!r} instead."
            )
        for w in self.words:
            if not w or any(c.isspace() for c in w):
                raise ValueError(
                    f"WordVectors.save: the word {w!r} is empty or holds whitespace, "
                    "which these formats cannot store."
                )
        n, dim = self.vectors.shape
        if format == "word2vec-binary":
            with path.open("wb") as fh:
                fh.write(f"{n} {dim}\n".encode())
                data = self.vectors.astype("<f4")
                for w, row in zip(self.words, data, strict=True):
                    fh.write(w.encode("utf-8") + b" " + row.tobytes() + b"\n")
            return
        fmt = "%.9g" if self.vectors.dtype == np.float32 else "%r"
        with _open_write(path) as fh:
            if format != "glove":
                fh.write(f"{n} {dim}\n")
            for w, row in zip(self.words, self.vectors.tolist(), strict=True):
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
) -> tuple[list[str], np.ndarray]:
    words = _Words(path, duplicates)
    count: int | None = None
    dim = -1
    rows: _Rows | None = None
    flat: list[bytes] = []
    lines: list[int] = []
    block_rows = 1
    n_read = 0
    line_no = 0
    is_utf8 = codecs.lookup(encoding).name == "utf-8"
    limit = _HEADER_BYTES if header else _line_limit(MAX_VECTOR_DIM)
    with _open_binary(path) as fh:
        src = _Source(path, fh)
        while True:
            line_no += 1
            src.line = line_no
            raw = src.readline(limit)
            if not raw:
                break
            if not raw.endswith(b"\n") and len(raw) == limit:
                raise CorpusError(
                    path,
                    line_no,
                    f"line longer than {limit} bytes (not a vector file?)",
                )
            if line_no == 1 and is_utf8 and raw.startswith(_UTF8_BOM):
                raw = raw[len(_UTF8_BOM) :]
            if header and line_no == 1:
                count, dim = _parse_header(path, raw)
                limit = _line_limit(dim)
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
                rows = _Rows(path, dim, dtype, count)
                block_rows = max(1, _BLOCK_BYTES // (8 * dim))
                limit = _line_limit(dim)
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
            f"file ends after {n_read} of the {count} vectors the header "
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
) -> tuple[list[str], np.ndarray]:
    words = _Words(path, duplicates)
    with _open_binary(path) as fh:
        src = _Source(path, fh)
        head = src.readline(_HEADER_BYTES)
        count, dim = _parse_header(path, head)
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
                    f"file ends inside vector {i + 1} of the {count} the header "
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
