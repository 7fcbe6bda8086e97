"""Word vectors: a table of dense vectors with an unknown-word policy.

:class:`WordVectors` holds one vector per word and looks up token lists.
It loads the formats found on disk (word2vec text and binary, GloVe text,
fastText ``.vec``), a spaCy ``Vocab``/``Vectors``, a gensim ``KeyedVectors``
(gensim is optional and never imported here), a dict, or an array with its
word list. Vectors can also be learned from a corpus without any download
with :class:`textfeat.ppmi.PPMIVectors`.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Self

import numpy as np

from textfeat.corpus import CorpusError
from textfeat.vocab import BOS, EOS, UNK

__all__ = ["VECTOR_FORMATS", "WordVectors"]

#: Formats understood by :meth:`WordVectors.load` and :meth:`WordVectors.save`.
VECTOR_FORMATS: tuple[str, ...] = ("word2vec", "word2vec-binary", "glove", "fasttext")
_POLICIES = ("zero", "mean", "unk", "ignore", "error")


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
        self._extended_rows: np.ndarray | None = None

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
        return self.unknown_vector

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
        if self.handle_unknown == "mean":
            return self.vectors.mean(axis=0)
        if self.handle_unknown == "unk":
            return self.vectors[self.index[UNK]]
        return np.zeros(self.dim, dtype=self.vectors.dtype)

    # -- lookups -----------------------------------------------------------------
    def raw_ids(self, tokens: Iterable[str]) -> np.ndarray:
        """Row of each token, ``-1`` for an unknown one (no policy applied).

        Examples
        --------
        >>> WordVectors(["a", "b"], [[0.0], [1.0]]).raw_ids(["b", "x", "a"]).tolist()
        [1, -1, 0]
        """
        get = self.index.get
        return np.fromiter((get(t, -1) for t in tokens), dtype=np.int64)

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
        """The vectors, then the unknown vector, then ``*S*`` and ``*/S*``."""
        if self._extended_rows is None:
            extra = [self.unknown_vector]
            for sym in (BOS, EOS):
                extra.append(
                    self.vectors[self.index[sym]]
                    if sym in self.index
                    else np.zeros(self.dim, dtype=self.vectors.dtype)
                )
            self._extended_rows = np.vstack([self.vectors, *extra])
        return self._extended_rows

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
    ) -> WordVectors:
        """Read vectors from a file.

        Parameters
        ----------
        path : str or Path
            The file; text formats may be gzipped (``.gz``).
        format : {"auto", "word2vec", "word2vec-binary", "glove", "fasttext"}
            ``"word2vec"`` and ``"fasttext"`` (``.vec``) are text with a
            ``<count> <dim>`` header line, then ``word v1 ... vdim`` lines;
            ``"glove"`` is the same without the header; ``"word2vec-binary"``
            has the header, then each word, a space and ``dim`` little-endian
            float32. ``"auto"``: binary for ``.bin``, otherwise text with a
            header if the first line is two integers, GloVe if not.
        handle_unknown : str, default="zero"
            As in :class:`WordVectors`.
        dtype : numpy dtype, default=np.float32
            Type of the vectors.

        Returns
        -------
        WordVectors

        Raises
        ------
        textfeat.CorpusError
            For a bad header, a line with the wrong number of values or a
            value that is not a number, a repeated word, or a file shorter
            or longer than its header says, naming the file and the line
            (for the binary format, line ``i + 2`` is the ``i``-th vector,
            the header being line 1).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
        >>> _ = p.write_text("2 3\\ncat 1 0 0\\ndog 0 1\\n")
        >>> WordVectors.load(p)
        Traceback (most recent call last):
        ...
        textfeat.corpus.CorpusError: ...v.txt, line 3: expected the word and 3 values, got 2 values
        """
        path = Path(path)
        if format not in ("auto", *VECTOR_FORMATS):
            raise ValueError(
                "The 'format' parameter of WordVectors.load must be 'auto' or one of "
                f"{VECTOR_FORMATS}. Got {format!r} instead."
            )
        if format == "auto":
            format = "word2vec-binary" if path.suffix == ".bin" else _sniff(path)
        if format == "word2vec-binary":
            words, rows = _read_binary(path, dtype)
        else:
            words, rows = _read_text(path, header=format != "glove", dtype=dtype)
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
def _open_read(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="strict")
    return path.open("r", encoding="utf-8", errors="strict")


def _open_write(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8")
    return path.open("w", encoding="utf-8")


def _parse_header(path: Path, line: str) -> tuple[int, int]:
    parts = line.split()
    if len(parts) != 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise CorpusError(
            path,
            1,
            f"bad header {line.strip()[:60]!r}: expected '<count> <dim>', two "
            "positive integers",
        )
    return int(parts[0]), int(parts[1])


def _sniff(path: Path) -> str:
    with _open_read(path) as fh:
        first = fh.readline()
    parts = first.split()
    return (
        "word2vec" if len(parts) == 2 and all(p.isdigit() for p in parts) else "glove"
    )


def _read_text(path: Path, *, header: bool, dtype: Any) -> tuple[list[str], np.ndarray]:
    words: list[str] = []
    rows: list[np.ndarray] = []
    seen: dict[str, int] = {}
    count = dim = -1
    line_no = 0
    with _open_read(path) as fh:
        while True:
            line_no += 1
            try:
                line = fh.readline()
            except UnicodeDecodeError as exc:
                raise CorpusError(path, line_no, f"undecodable bytes ({exc})") from exc
            if not line:
                break
            if header and line_no == 1:
                count, dim = _parse_header(path, line)
                continue
            parts = line.rstrip("\r\n").rstrip(" ").split(" ")
            if parts == [""]:
                raise CorpusError(path, line_no, "blank line")
            if dim < 0:
                dim = len(parts) - 1
                if dim < 1:
                    raise CorpusError(path, line_no, "a word without any value")
            if header and len(words) == count:
                raise CorpusError(
                    path, line_no, f"more vectors than the {count} the header announces"
                )
            if len(parts) != dim + 1:
                raise CorpusError(
                    path,
                    line_no,
                    f"expected the word and {dim} values, got {len(parts) - 1} values",
                )
            word = parts[0]
            try:
                row = np.array(parts[1:], dtype=dtype)
            except ValueError as exc:
                raise CorpusError(
                    path, line_no, f"a value is not a number ({exc})"
                ) from exc
            if word in seen:
                raise CorpusError(
                    path,
                    line_no,
                    f"the word {word!r} already had a vector on line {seen[word]}",
                )
            seen[word] = line_no
            words.append(word)
            rows.append(row)
    if header and count < 0:
        raise CorpusError(path, 1, "empty file: no header")
    if header and len(words) < count:
        raise CorpusError(
            path,
            line_no,
            f"file ends after {len(words)} of the {count} vectors the header "
            "announces (truncated?)",
        )
    if not words:
        raise CorpusError(path, 1, "no vectors in the file")
    return words, np.vstack(rows)


def _read_binary(path: Path, dtype: Any) -> tuple[list[str], np.ndarray]:
    with path.open("rb") as fh:
        head = fh.readline()
        try:
            count, dim = _parse_header(path, head.decode("ascii"))
        except UnicodeDecodeError:
            raise CorpusError(path, 1, "bad header: not ASCII") from None
        data = fh.read()
    words: list[str] = []
    out = np.empty((count, dim), dtype=dtype)
    seen: dict[str, int] = {}
    pos = 0
    width = 4 * dim
    for i in range(count):
        line_no = i + 2
        while pos < len(data) and data[pos : pos + 1] == b"\n":
            pos += 1
        end = data.find(b" ", pos)
        if end < 0 or end + width > len(data):
            raise CorpusError(
                path,
                line_no,
                f"file ends inside vector {i + 1} of the {count} the header "
                "announces (truncated?)",
            )
        try:
            word = data[pos:end].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorpusError(path, line_no, f"undecodable word ({exc})") from exc
        if not word or "\n" in word:
            raise CorpusError(path, line_no, f"bad word {word!r} (wrong dimension?)")
        if word in seen:
            raise CorpusError(
                path, line_no, f"the word {word!r} already had vector {seen[word]}"
            )
        seen[word] = i + 1
        out[i] = np.frombuffer(data, dtype="<f4", count=dim, offset=end + 1)
        words.append(word)
        pos = end + 1 + width
    rest = data[pos:].strip(b"\n")
    if rest:
        raise CorpusError(
            path,
            count + 2,
            f"{len(rest)} bytes after the {count} vectors the header announces "
            "(wrong dimension or count?)",
        )
    return words, out
