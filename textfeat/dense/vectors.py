"""Word vectors: a table of dense vectors with an unknown-word policy.

:class:`WordVectors` holds one vector per word and looks up token lists.
It loads the formats found on disk (word2vec text and binary, GloVe text,
fastText ``.vec``), a spaCy ``Vocab``/``Vectors``, a gensim ``KeyedVectors``
(gensim is optional and never imported here), a dict, or an array with its
word list. Vectors can also be learned from a corpus without any download
with :class:`textfeat.ppmi.PPMIVectors`.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple, Self

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from textfeat._cache import derived
from textfeat.dense.loaders import (
    MAX_VECTOR_DIM,
    VECTOR_FORMATS,
    read_vectors,
    write_vectors,
)
from textfeat.text._unknown import VECTOR_POLICIES, UnknownWordError, unknown_word
from textfeat.text.vocab import BOS, EOS, PAD, SPECIALS, UNK

__all__ = ["MAX_VECTOR_DIM", "VECTOR_FORMATS", "Coverage", "WordVectors"]

#: The ``handle_unknown`` values of WordVectors (textfeat.text._unknown).
_POLICIES = VECTOR_POLICIES
#: How :meth:`WordVectors.matrix` fills a row whose word has no vector.
_MATRIX_POLICIES = ("zero", "mean", "unk", "random", "error")


class Coverage(NamedTuple):
    """How much of a vocabulary a :class:`WordVectors` table covers.

    Counts the regular entries only: the four specials (``*PAD*``,
    ``*UNK*``, ``*S*``, ``*/S*``) are left out.

    Attributes
    ----------
    n_found : int
        Entries with a vector in the table.
    n_missing : int
        Entries without one (their rows were filled by the policy).
    missing : list of str
        Those entries, in id order.

    Examples
    --------
    >>> Coverage(3, 1, ["zzz"]).ratio
    0.75
    """

    n_found: int
    n_missing: int
    missing: list[str]

    @property
    def ratio(self) -> float:
        """``n_found / (n_found + n_missing)``; 1.0 for no regular entry."""
        total = self.n_found + self.n_missing
        return self.n_found / total if total else 1.0


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

    def most_similar(
        self,
        positive: Any = None,
        negative: Any = None,
        topn: int | None = 10,
        *,
        restrict_vocab: int | None = None,
    ) -> Any:
        """The ``topn`` words closest to a query, by cosine (gensim's 3CosAdd).

        The semantics of gensim's ``KeyedVectors.most_similar``: every query
        word's vector is unit-normalised, the query is the weighted mean
        ``sum(w_i * v_i) / sum(|w_i|)`` (weight ``+1`` for ``positive``,
        ``-1`` for ``negative``) unit-normalised, each word is scored by
        ``cos(word, query)``, and the query words are left out of the answer.
        So ``most_similar(positive=["king", "woman"], negative=["man"])`` is
        the analogy *man : king :: woman : ?*.

        Parameters
        ----------
        positive : str, array-like of shape (dim,), or list of them, default=None
            Words (or vectors) that pull the query towards them. An item may
            be a ``(word_or_vector, weight)`` pair, whose weight is used as
            given (in either list, as gensim does). A vector is used as it
            is, not normalised, and excludes nothing.
        negative : same as ``positive``, default=None
            Words (or vectors) that push the query away from them.
        topn : int >= 0 or None, default=10
            Number of words returned; None returns the similarity of every
            word (of the first ``restrict_vocab``) as an array, query words
            included, as gensim does.
        restrict_vocab : int >= 1 or None, default=None
            Only look among the first ``restrict_vocab`` words (the most
            frequent ones, in most files).

        Returns
        -------
        list of (str, float), or ndarray with ``topn=None``
            Words and cosine similarities, most similar first (ties: earlier
            row first). A word whose vector is zero has similarity 0.

        Raises
        ------
        UnknownWordError
            For a query word not in the table with ``handle_unknown="error"``
            (or every query word unknown with ``"ignore"``). Otherwise an
            unknown word follows the table's policy: ``"zero"`` adds nothing,
            ``"mean"`` adds the unit mean vector, ``"unk"`` the unit
            ``*UNK*`` row (then left out of the answer), ``"ignore"`` drops
            the word and its weight. If the query vector ends up zero, every
            similarity is 0.
        ValueError
            For a bad ``topn``, ``restrict_vocab``, item or vector length, or
            no query at all.

        Examples
        --------
        >>> wv = WordVectors(["man", "woman", "king", "queen"],
        ...                  [[1.0, 0.0], [0.0, 1.0], [1.0, 0.1], [0.1, 1.0]])
        >>> [w for w, _ in wv.most_similar(["king", "woman"], ["man"], topn=1)]
        ['queen']
        >>> [w for w, _ in wv.most_similar("man", topn=2)]
        ['king', 'queen']
        """
        _check_int(topn, "topn", 0)
        _check_int(restrict_vocab, "restrict_vocab", 1)
        items = [
            (item, 1.0, f"positive[{i}]")
            for i, item in enumerate(_query_items(positive, "positive"))
        ] + [
            (item, -1.0, f"negative[{i}]")
            for i, item in enumerate(_query_items(negative, "negative"))
        ]
        if not items:
            raise ValueError(
                "WordVectors.most_similar: no query; pass positive= and/or "
                "negative= (words or vectors)."
            )
        unit = self._unit()
        total = 0.0
        mean = np.zeros(self.dim, dtype=np.float64)
        exclude: set[int] = set()
        dropped: list[str] = []
        for item, default, name in items:
            item, weight = _weighted(item, default, name)
            if isinstance(item, str):
                row = self.index.get(item)
                if row is not None:
                    vec = unit[row]
                    exclude.add(row)
                else:
                    vec = self._unknown_query(item, name, exclude)
                    if vec is None:  # "ignore": dropped with its weight
                        dropped.append(item)
                        continue
            else:
                vec = _query_vector(item, self.dim, name)
            mean += weight * vec
            total += abs(weight)
        if len(dropped) == len(items):
            raise UnknownWordError(
                f"WordVectors.most_similar: none of the query words {dropped!r} is "
                f"in the table (handle_unknown={self.handle_unknown!r}).",
                dropped[0],
            )
        if total > 0:
            mean /= total
        norm = float(np.linalg.norm(mean))
        if norm > 0:
            mean /= norm
        candidates = unit if restrict_vocab is None else unit[:restrict_vocab]
        sims = np.asarray(candidates @ mean, dtype=np.float64)
        if topn is None:
            return sims
        out = [i for i in exclude if i < len(sims)]
        sims[out] = -np.inf
        top = np.argsort(-sims, kind="stable")[: min(topn, len(sims) - len(out))]
        return [(self.words[i], float(sims[i])) for i in top]

    def _unknown_query(self, word: str, name: str, exclude: set[int]) -> Any:
        """The unit vector standing for an unknown query word (None: dropped)."""
        policy = self.handle_unknown
        if policy == "error":
            raise unknown_word(word, f"({name} of most_similar)")
        if policy == "ignore":
            return None
        if policy == "unk":
            exclude.add(self.index[UNK])
        vec = np.asarray(self.unknown_vector, dtype=np.float64)
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm > 0 else vec

    # -- embedding matrix ------------------------------------------------------------
    def matrix(
        self,
        vocabulary: Any,
        *,
        handle_unknown: str | None = None,
        random_state: int | np.random.RandomState | None = None,
        return_coverage: bool = False,
    ) -> Any:
        """An embedding matrix whose row ``i`` is the vector of id ``i`` of ``vocabulary``.

        The bridge between id sequences and pretrained vectors (Goldberg,
        chapter 8): ``matrix[padder.transform(docs)]`` is each token's vector,
        and the matrix initialises a neural network's embedding layer
        (``torch.nn.Embedding.from_pretrained(torch.from_numpy(matrix))``, a
        Keras ``Embedding`` with ``weights=[matrix]``) so that its ids mean
        what the padder's mean.

        Parameters
        ----------
        vocabulary : Vocabulary, fitted estimator, list of str or mapping of str to int
            A fitted :class:`~textfeat.Vocabulary`; a fitted estimator with a
            ``vocabulary_`` (:class:`~textfeat.SequencePadder`,
            :class:`~textfeat.OneHotVectorizer`, ...); a list of words (word
            ``i`` has id ``i``); or a ``{word: id}`` mapping whose ids are
            ``0 .. len - 1``, each once.
        handle_unknown : {"zero", "mean", "unk", "random", "error"} or None, default=None
            The row of a word without a vector: zeros, the mean of the
            table's vectors, the table's ``*UNK*`` row, a random row (normal
            draws with the mean and standard deviation of each dimension of
            the table; row ``i`` depends only on ``random_state`` and ``i``),
            or an :class:`~textfeat.UnknownWordError` naming the first
            regular word missing. None: the table's own policy (``"ignore"``
            gives zeros, since every id needs a row).
        random_state : int, RandomState instance or None, default=None
            Seeds ``handle_unknown="random"``; unused otherwise.
        return_coverage : bool, default=False
            Also return a :class:`Coverage` (``n_found``, ``n_missing``,
            ``missing``, ``ratio``) of the regular entries.

        Returns
        -------
        matrix : ndarray of shape (len(vocabulary), dim)
            In the dtype of the table. The ``*PAD*`` row is zeros. The other
            specials (``*UNK*``, ``*S*``, ``*/S*``) get the table's own row if
            it has one, else the ``handle_unknown`` fill (zeros with
            ``"error"``); the ``*UNK*`` row thus stands for every word the
            vocabulary maps to it.
        coverage : Coverage
            Only with ``return_coverage=True``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            For an unfitted vocabulary or estimator.
        UnknownWordError
            With ``handle_unknown="error"``, for a regular word without a
            vector.
        ValueError
            For a bad argument: a str, a word that is not a str, a repeated
            word or id, a mapping whose ids are not ``0 .. len - 1``.

        Examples
        --------
        >>> from textfeat import SequencePadder
        >>> wv = WordVectors(["the", "cat"], [[1.0, 0.0], [0.0, 1.0]])
        >>> padder = SequencePadder(maxlen=3).fit([["the", "cat", "sat"]])
        >>> padder.vocabulary_.itos_
        ['*PAD*', '*UNK*', '*S*', '*/S*', 'cat', 'sat', 'the']
        >>> emb, cov = wv.matrix(padder, handle_unknown="mean", return_coverage=True)
        >>> emb[padder.transform([["the", "dog"]])].tolist()
        [[[1.0, 0.0], [0.5, 0.5], [0.0, 0.0]]]
        >>> cov
        Coverage(n_found=2, n_missing=1, missing=['sat'])
        """
        policy = self._matrix_policy(handle_unknown)
        try:
            rng = check_random_state(random_state)
        except ValueError:
            raise ValueError(
                "The 'random_state' parameter of WordVectors.matrix must be None, an "
                f"int or a RandomState. Got {random_state!r} instead."
            ) from None
        if not isinstance(return_coverage, bool | np.bool_):
            raise ValueError(
                "The 'return_coverage' parameter of WordVectors.matrix must be a "
                f"bool. Got {return_coverage!r} instead."
            )
        words = _vocabulary_words(vocabulary)
        n = len(words)
        ids = self.raw_ids(words)
        found = ids >= 0
        specials = _special_ids(words)
        special = np.zeros(n, dtype=bool)
        special[list(specials.values())] = True
        regular_missing = np.flatnonzero(~found & ~special)
        if policy == "error" and len(regular_missing):
            first = int(regular_missing[0])
            raise unknown_word(
                words[first],
                f"(id {first}; {len(regular_missing)} of the vocabulary's words "
                "have no vector) in WordVectors.matrix",
            )
        out = np.zeros((n, self.dim), dtype=self.vectors.dtype)
        out[found] = self.vectors[ids[found]]
        fill = np.flatnonzero(~found)
        if len(fill) and policy != "error":
            out[fill] = self._fill_rows(policy, fill, n, rng)
        if PAD in specials:
            out[specials[PAD]] = 0
        if not return_coverage:
            return out
        missing = [words[i] for i in regular_missing.tolist()]
        n_found = int(np.count_nonzero(found & ~special))
        return out, Coverage(n_found, len(missing), missing)

    def _matrix_policy(self, handle_unknown: str | None) -> str:
        if handle_unknown is None:
            return "zero" if self.handle_unknown == "ignore" else self.handle_unknown
        if not isinstance(handle_unknown, str) or handle_unknown not in _MATRIX_POLICIES:
            raise ValueError(
                "The 'handle_unknown' parameter of WordVectors.matrix must be None "
                f"or a str among {_MATRIX_POLICIES}. Got {handle_unknown!r} instead."
            )
        if handle_unknown == "unk" and UNK not in self.index:
            raise ValueError(
                f"WordVectors.matrix: handle_unknown='unk' needs a {UNK!r} row in "
                "the table; this one has none. Use 'zero', 'mean' or 'random'."
            )
        return handle_unknown

    def _fill_rows(
        self, policy: str, rows: np.ndarray, n: int, rng: np.random.RandomState
    ) -> np.ndarray:
        if policy == "zero":
            return np.zeros(self.dim, dtype=self.vectors.dtype)
        if policy == "mean":
            return self.vectors.mean(axis=0)
        if policy == "unk":
            return self.vectors[self.index[UNK]]
        # All n rows are drawn, so that row i depends on the seed and i only.
        draws = rng.standard_normal((n, self.dim))[rows]
        return self.vectors.mean(axis=0) + draws * self.vectors.std(axis=0)

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
        limit: int | None = None,
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
        limit : int >= 1 or None, default=None
            Read only the first ``limit`` vectors of the file (the most
            frequent words, in the usual files), as gensim's
            ``load_word2vec_format(limit=...)``: the rest of the file is not
            read, so not checked either. A skipped repeated word counts.

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
            limit=limit,
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


# -- helpers of most_similar and matrix ----------------------------------------------
def _check_int(value: Any, name: str, low: int) -> None:
    """``value`` is None or an int >= ``low`` (``bool`` refused)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(
            f"The {name!r} parameter of WordVectors.most_similar must be an int >= "
            f"{low} or None. Got {value!r} instead."
        )


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _query_items(query: Any, name: str) -> list[Any]:
    """``positive`` or ``negative`` as a list of words, vectors and pairs."""
    if query is None:
        return []
    if isinstance(query, str):
        return [query]
    if isinstance(query, np.ndarray):
        return [query] if query.ndim == 1 else list(query)
    if (
        isinstance(query, tuple)
        and len(query) == 2
        and isinstance(query[0], str)
        and _is_number(query[1])
    ):
        return [query]  # a single (word, weight) pair; ("a", "b") is two words
    try:
        items = list(query)
    except TypeError:
        raise ValueError(
            f"The {name!r} parameter of WordVectors.most_similar must be a word, a "
            f"vector or a list of them. Got {query!r} instead."
        ) from None
    if items and all(_is_number(v) for v in items):
        return [np.asarray(items, dtype=np.float64)]  # one vector, as a list
    return items


def _weighted(item: Any, default: float, name: str) -> tuple[Any, float]:
    """``(item, weight)``: a pair's own weight (as given), else ``default``."""
    if not isinstance(item, tuple):
        return item, default
    if len(item) != 2 or not _is_number(item[1]) or not np.isfinite(item[1]):
        raise ValueError(
            f"WordVectors.most_similar: {name} must be a word, a vector or a (word "
            f"or vector, finite weight) pair. Got {item!r} instead."
        )
    return item[0], float(item[1])


def _query_vector(item: Any, dim: int, name: str) -> np.ndarray:
    try:
        vec = np.asarray(item, dtype=np.float64)
    except (TypeError, ValueError):
        vec = None
    if vec is None or vec.shape != (dim,) or not np.isfinite(vec).all():
        raise ValueError(
            f"WordVectors.most_similar: {name} must be a word (str) or a finite "
            f"vector of {dim} values. Got {item!r} instead."
        )
    return vec


def _special_ids(words: list[str]) -> dict[str, int]:
    """Id of each special symbol the vocabulary holds (ids 0-3 in a Vocabulary)."""
    head = {w: i for i, w in enumerate(words[: len(SPECIALS)])}
    out = {}
    for sym in SPECIALS:
        i = head.get(sym)
        if i is None and sym in words:  # a list or mapping in another order
            i = words.index(sym)
        if i is not None:
            out[sym] = i
    return out


def _vocabulary_words(vocabulary: Any) -> list[str]:
    """The words of ``vocabulary`` in id order (see :meth:`WordVectors.matrix`)."""
    from textfeat.text.vocab import Vocabulary

    what = type(vocabulary).__name__
    if isinstance(vocabulary, Vocabulary):
        if not hasattr(vocabulary, "itos_"):
            raise NotFittedError(
                "WordVectors.matrix: the Vocabulary passed as 'vocabulary' is not "
                "built yet; call its fit(docs) first."
            )
        return list(vocabulary.itos_)
    if hasattr(vocabulary, "get_params") and hasattr(vocabulary, "fit"):
        if not hasattr(vocabulary, "vocabulary_"):
            check_is_fitted(
                vocabulary,
                msg=f"WordVectors.matrix: the {what} passed as 'vocabulary' is not "
                "fitted yet; call its fit first.",
            )
            raise ValueError(
                f"The 'vocabulary' parameter of WordVectors.matrix: a {what} has no "
                "vocabulary_ (ids of words); pass a SequencePadder, a "
                "OneHotVectorizer, a Vocabulary, a list or a mapping."
            )
        return _vocabulary_words(vocabulary.vocabulary_)
    if isinstance(vocabulary, str | bytes):
        raise ValueError(
            "The 'vocabulary' parameter of WordVectors.matrix must be a fitted "
            "Vocabulary or estimator, a list of words or a {word: id} mapping; got "
            f"a {what} ({vocabulary[:40]!r})."
        )
    if isinstance(vocabulary, Mapping):
        return _mapping_words(vocabulary)
    try:
        words = list(vocabulary)
    except TypeError:
        raise ValueError(
            "The 'vocabulary' parameter of WordVectors.matrix must be a fitted "
            "Vocabulary or estimator, a list of words or a {word: id} mapping. Got "
            f"a {what} instead."
        ) from None
    _check_words(words)
    return words


def _check_words(words: list[Any]) -> None:
    seen: dict[str, int] = {}
    for i, w in enumerate(words):
        if not isinstance(w, str):
            raise ValueError(
                f"WordVectors.matrix: vocabulary[{i}] is a {type(w).__name__} "
                f"({w!r}), not a str."
            )
        if w in seen:
            raise ValueError(
                f"WordVectors.matrix: the word {w!r} appears twice in the vocabulary "
                f"(ids {seen[w]} and {i})."
            )
        seen[w] = i


def _mapping_words(mapping: Mapping[Any, Any]) -> list[str]:
    n = len(mapping)
    words: list[Any] = [None] * n
    for w, i in mapping.items():
        if not isinstance(w, str):
            raise ValueError(
                f"WordVectors.matrix: the vocabulary maps {w!r}, a "
                f"{type(w).__name__}, not a str."
            )
        if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < n:
            raise ValueError(
                f"WordVectors.matrix: the vocabulary maps {w!r} to {i!r}; the ids of "
                f"a mapping of {n} words must be the ints 0 to {n - 1}."
            )
        if words[int(i)] is not None:
            raise ValueError(
                f"WordVectors.matrix: the vocabulary maps both {words[int(i)]!r} and "
                f"{w!r} to id {int(i)}."
            )
        words[int(i)] = w
    return words
