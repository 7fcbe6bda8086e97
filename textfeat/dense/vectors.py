"""Word vectors: a table of dense vectors with an unknown-word policy.

:class:`WordVectors` holds one vector per word and looks up token lists.
It loads the formats found on disk (word2vec text and binary, GloVe text,
fastText ``.vec``), a spaCy ``Vocab``/``Vectors``, a gensim ``KeyedVectors``
(gensim is optional and never imported here), a dict, or an array with its
word list. Vectors can also be learned from a corpus without any download
with :class:`textfeat.ppmi.PPMIVectors`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any, Self

import numpy as np

from textfeat._cache import derived
from textfeat.dense.loaders import (
    MAX_VECTOR_DIM,
    VECTOR_FORMATS,
    read_vectors,
    write_vectors,
)
from textfeat.text._unknown import VECTOR_POLICIES, UnknownWordError, unknown_word
from textfeat.text.vocab import BOS, EOS, UNK

__all__ = ["MAX_VECTOR_DIM", "VECTOR_FORMATS", "WordVectors"]

#: The ``handle_unknown`` values of WordVectors (textfeat.text._unknown).
_POLICIES = VECTOR_POLICIES


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
        dropped by :meth:`lookup`), or an :class:`~textfeat.UnknownWordError`
        (a ``KeyError`` and a ``ValueError``) naming the word. The values
        mean the same in every component (:mod:`textfeat.text._unknown`).

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
            raise unknown_word(word, "in WordVectors", value=self.handle_unknown)
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
        UnknownWordError
            For an unknown token with ``handle_unknown="error"`` (a
            ``KeyError`` and a ``ValueError``).
        """
        tokens = list(tokens)
        ids = self.raw_ids(tokens)
        missing = ids < 0
        if missing.any():
            if self.handle_unknown == "error":
                pos = int(np.flatnonzero(missing)[0])
                raise unknown_word(tokens[pos], f"at position {pos}")
            if self.handle_unknown == "ignore":
                ids = ids[~missing]
            else:
                rows = self.padded_rows()
                ids = np.where(missing, len(self), ids)
                return rows[ids]
        return self.vectors[ids]

    def padded_rows(self) -> np.ndarray:
        """The vectors, then the unknown vector, then ``*S*`` and ``*/S*`` (read-only).

        Built once per table (not per call) and never saved with a model.
        Row ``len(self)`` is the unknown vector; ``*S*`` and ``*/S*`` are the
        table's own rows when it has them, zeros otherwise.

        Examples
        --------
        >>> WordVectors(["a"], [[2.0]], handle_unknown="mean").padded_rows().tolist()
        [[2.0], [2.0], [0.0], [0.0]]
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

    def row_table(self, keys: Iterable[str]) -> tuple[dict[str, int], np.ndarray]:
        """Row in :meth:`padded_rows` of each key (``-1``: ignored) and those rows.

        The unknown-word policy applies: an unknown key gets the unknown
        vector's row, ``-1`` with ``"ignore"``, or raises with ``"error"``.

        Examples
        --------
        >>> table, rows = WordVectors(["a"], [[2.0]]).row_table(["a", "z"])
        >>> table, rows[table["z"]].tolist()
        ({'a': 0, 'z': 1}, [0.0])
        """
        unknown = len(self) if self.handle_unknown != "ignore" else -1
        get = self.index.get
        table = {}
        for key in keys:
            row = get(key)
            if row is None:
                if self.handle_unknown == "error":
                    raise unknown_word(key, "in WordVectors")
                row = unknown
            table[key] = row
        return table, self.padded_rows()

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
                raise UnknownWordError(
                    f"unknown word {query!r}: most_similar needs a word of the "
                    "table or a vector.",
                    query,
                )
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
        words, rows = read_vectors(
            path,
            format,
            dtype=dtype,
            encoding=encoding,
            unicode_errors=unicode_errors,
            duplicates=duplicates,
        )
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
        write_vectors(path, self.words, self.vectors, format)
