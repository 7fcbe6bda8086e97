"""Word vectors learned from a corpus: positive PMI, then a truncated SVD.

The settings follow Levy, Goldberg & Dagan (2015), *Improving distributional
similarity with lessons learned from word embeddings* (TACL 3):

- co-occurrences counted in a symmetric window of ``window`` words, each
  pair weighted 1, or ``(window - d + 1) / window`` at distance ``d`` with
  ``dynamic_window`` (the expected weight of word2vec's sampled window);
- context-distribution smoothing: the context probabilities are raised to
  the power ``alpha = 0.75`` and renormalised, which lowers the PMI of rare
  contexts, ``PMI(w, c) = log(#(w, c) * sum_c' #(c')^alpha / (#(w) * #(c)^alpha))``;
- shifted PPMI: ``max(PMI - log(shift), 0)`` (``shift`` plays the part of
  the number of negative samples, 1 = no shift);
- eigenvalue weighting: the word vectors are ``U * S**p`` from the SVD
  ``PPMI ~ U S V^T``; ``p = 0.5`` or ``0`` do better than the textbook
  ``p = 1``;
- optionally the context vectors added to the word vectors (``w + c``), and
  rows scaled to unit length.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import repeat
from numbers import Integral, Real
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.extmath import randomized_svd

from textfeat._compat import Interval, StrOptions, fit_context
from textfeat._validation import check_token_lists, text_step_tags
from textfeat.dense.vectors import WordVectors
from textfeat.text._documents import document_index, flatten_documents
from textfeat.text.vocab import (
    SPECIALS,
    UNK,
    UNK_ID,
    EmptyVocabularyError,
    Vocabulary,
    check_merge_partner,
    check_stream_params,
)
from textfeat.windows.counting import add_counts, factorize, sum_rows

__all__ = ["PPMIVectors"]


class PPMIVectors(BaseEstimator):
    """Learn word vectors from token lists: windowed PPMI, then truncated SVD.

    Train on a large unlabelled corpus, then use :attr:`vectors_` to encode
    a small labelled one (:class:`~textfeat.cbow.CBOWVectorizer`, dense
    :class:`~textfeat.windows.WindowVectorizer`). No download is needed.

    Parameters
    ----------
    dim : int, default=100
        Length of the vectors (SVD components).
    window : int, default=2
        Context words on each side of a word.
    min_count : int, default=5
        Words seen fewer times are rare (see ``handle_unknown``).
    max_size : int or None, default=None
        Keep at most this many words, the most frequent.
    handle_unknown : {"unk", "ignore"}, default="unk"
        Rare words become ``*UNK*``, which gets a learned vector used for
        every unknown word later (``vectors_.handle_unknown == "unk"``); or
        they are dropped before the windows are taken (the window then
        reaches further), and unknown words later get zeros.
    context_smoothing : float, default=0.75
        The exponent ``alpha`` of the context distribution (1 = none).
    shift : float, default=1.0
        PPMI is ``max(PMI - log(shift), 0)``.
    eigenvalue_weighting : float, default=0.5
        ``p`` in ``U * S**p``.
    dynamic_window : bool, default=False
        Weight a pair at distance ``d`` by ``(window - d + 1) / window``.
    add_context : bool, default=False
        Word vectors plus context vectors (``U S^p + V S^p``).
    normalize : bool, default=True
        Scale each vector to unit length.
    n_iter : int, default=5
        Power iterations of the randomized SVD.
    random_state : int, RandomState instance or None, default=None
        Seeds the randomized SVD.

    Attributes
    ----------
    vectors_ : WordVectors
        One vector per word seen (and ``*UNK*`` with ``handle_unknown="unk"``).
    vocabulary_ : Vocabulary
        The words kept, with their counts.
    singular_values_ : ndarray of shape (dim,)
        Singular values of the PPMI matrix.

    Streaming: :meth:`partial_fit` adds the word and pair counts of one
    chunk and :meth:`merge` sums the counts of independent parts; the
    vocabulary cut-offs apply to the summed counts, so both give the
    vocabulary, co-occurrence counts and PPMI matrix of ``fit`` exactly
    (and its vectors, bit for bit, with an int ``random_state``). The
    counts (integer counts of distinct words and word pairs over the raw
    words) are kept with the fitted state and saved in a model file, so a
    loaded estimator continues; they are what makes the file larger than
    its vectors. ``handle_unknown="ignore"`` with a cut-off cannot stream
    (see :meth:`partial_fit`).

    Examples
    --------
    >>> docs = [["the", "cat", "sat"], ["the", "dog", "sat"],
    ...         ["a", "cat", "ran"], ["a", "dog", "ran"]] * 5
    >>> ppmi = PPMIVectors(dim=2, window=1, min_count=1, random_state=0).fit(docs)
    >>> ppmi.vectors_.dim, len(ppmi.vectors_)
    (2, 6)
    >>> ppmi.vectors_.most_similar("cat", topn=1)[0][0]
    'dog'
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "dim": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "max_size": [Interval(Integral, 1, None, closed="left"), None],
        "handle_unknown": [StrOptions({"unk", "ignore"})],
        "context_smoothing": [Interval(Real, 0, 1, closed="right")],
        "shift": [Interval(Real, 0, None, closed="neither")],
        "eigenvalue_weighting": [Interval(Real, 0, None, closed="left")],
        "dynamic_window": ["boolean"],
        "add_context": ["boolean"],
        "normalize": ["boolean"],
        "n_iter": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    #: Saved in a model file besides the fitted state: the counts partial_fit
    #: and merge continue from (checked when used, see _checked_counts).
    _persisted_state = ("_stream",)

    def __init__(
        self,
        *,
        dim: int = 100,
        window: int = 2,
        min_count: int = 5,
        max_size: int | None = None,
        handle_unknown: str = "unk",
        context_smoothing: float = 0.75,
        shift: float = 1.0,
        eigenvalue_weighting: float = 0.5,
        dynamic_window: bool = False,
        add_context: bool = False,
        normalize: bool = True,
        n_iter: int = 5,
        random_state: Any = None,
    ) -> None:
        self.dim = dim
        self.window = window
        self.min_count = min_count
        self.max_size = max_size
        self.handle_unknown = handle_unknown
        self.context_smoothing = context_smoothing
        self.shift = shift
        self.eigenvalue_weighting = eigenvalue_weighting
        self.dynamic_window = dynamic_window
        self.add_context = add_context
        self.normalize = normalize
        self.n_iter = n_iter
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        return text_step_tags(super().__sklearn_tags__(), requires_fit=True)

    # -- fitting --------------------------------------------------------------
    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Iterable[Sequence[str]], y: Any = None) -> Self:
        """Count windowed co-occurrences in ``X`` and factorise their PPMI.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents or sentences; windows do not cross them.
        y : ignored

        Returns
        -------
        self : PPMIVectors
        """
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        if self._streamable():
            state: dict[str, Any] | None = _chunk_counts(
                docs, self.window, self.dynamic_window
            )
            fitted = self._finish(state)
        else:
            # rare words are dropped before the windows are taken, so the
            # pairs are those of the final vocabulary's ids (nothing to stream)
            vocab = Vocabulary(self.min_count, self.max_size).fit(docs)
            ids, offsets = vocab.encode_documents(docs, "ignore")
            pairs, counts = _pair_counts(
                ids, offsets, len(vocab), self.window, self.dynamic_window
            )
            fitted, state = self._factorize(vocab, pairs, counts), None
        for name in ("_stream", "_stream_params"):
            vars(self).pop(name, None)
        check_stream_params(self, _FIT_PARAMS, "fit")
        self._set_fitted(fitted, state)
        return self

    def partial_fit(self, X: Iterable[Sequence[str]], y: Any = None) -> Self:
        """Add the counts of one chunk ``X`` and factorise the summed counts.

        The first call on an unfitted estimator starts from nothing; later
        calls (and calls on one fitted by ``fit``, or loaded from a model
        file written by this version) add the chunk's word counts and
        windowed pair counts (integers per pair of words, and per distance
        with ``dynamic_window``), counted over the raw words. The vocabulary
        cut-offs (``min_count``, ``max_size``) are applied to the summed
        counts, a rare word's pairs then count for ``*UNK*``, and the PPMI
        matrix and its SVD are computed as ``fit`` computes them, so after
        any call the state equals ``fit`` on all the chunks so far: the same
        vocabulary and the same co-occurrence counts and PPMI matrix, bit
        for bit, and (with an int ``random_state``, which seeds the
        randomized SVD the same way) the same vectors and singular values.
        With None or a RandomState instance the SVD's random start differs
        between calls as it does between two fits. A failing call leaves
        the state unchanged.

        Each call ends with one truncated SVD of the summed PPMI matrix, as
        ``fit`` does: a chunk costs about ``fit`` on the chunk plus that
        SVD. To stream many chunks, count them in clones and merge the
        clones at once (``a.merge(b, c, ...)`` factorises once). The counts
        kept grow with the distinct words and word pairs, not with the
        number of tokens.

        Parameters
        ----------
        X : iterable of sequences of str
            One chunk of tokenized documents or sentences.
        y : ignored

        Returns
        -------
        self : PPMIVectors

        Raises
        ------
        ValueError
            If a parameter changed since the counting started; with
            ``handle_unknown="ignore"`` and a vocabulary cut by ``min_count``
            or ``max_size`` (rare words are dropped before the windows are
            taken, so which words meet in a window depends on the final
            vocabulary: an exact stream would have to keep every document;
            use ``handle_unknown="unk"``, or ``fit``); if the estimator was
            loaded from a model file that holds no counts.

        Notes
        -----
        While the summed counts leave no word over the cut-offs, or no more
        than ``dim`` words with a context (where ``fit`` raises), the counts
        are kept and the estimator stays unfitted until a later chunk
        brings enough.

        Examples
        --------
        >>> docs = [["the", "cat", "sat"], ["the", "dog", "sat"],
        ...         ["a", "cat", "ran"], ["a", "dog", "ran"]] * 5
        >>> params = dict(dim=2, window=1, min_count=1, random_state=0)
        >>> part = PPMIVectors(**params).partial_fit(docs[:7]).partial_fit(docs[7:])
        >>> whole = PPMIVectors(**params).fit(docs)
        >>> bool((part.vectors_.vectors == whole.vectors_.vectors).all())
        True
        """
        self._validate_params()
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        snapshot = dict(vars(self))
        try:
            check_stream_params(self, _FIT_PARAMS, "partial_fit")
            before = self._stream_state("partial_fit")
            state = _chunk_counts(docs, self.window, self.dynamic_window)
            if before is not None:
                state = _add_counts(before, state)
            fitted = None
            if not vars(self).get("_defer_factorization"):
                try:
                    fitted = self._finish(state)
                except EmptyVocabularyError:
                    pass  # not enough words yet: keep the counts
            self._set_fitted(fitted, state)
        except BaseException:
            vars(self).clear()
            vars(self).update(snapshot)
            raise
        return self

    def merge(self, other: PPMIVectors, *others: PPMIVectors) -> PPMIVectors:
        """A new estimator from the summed counts of ``self``, ``other`` and ``others``.

        Associative and commutative: merging estimators fitted (by ``fit``
        or ``partial_fit``) on any split of a corpus, in any order, gives the
        vocabulary, co-occurrence counts and PPMI matrix of ``fit`` on all of
        it, and its vectors with an int ``random_state`` (see
        :meth:`partial_fit`). A part whose chunks did not yet give enough
        words (counts, not fitted) merges too.

        Summing the counts costs about their size; the factorisation that
        ``fit`` ends with (one truncated SVD) then runs once per call, so
        merge many parts in one call: ``parts[0].merge(*parts[1:])``.

        Parameters
        ----------
        other : PPMIVectors
            An estimator counted with the same parameters (two RandomState
            instances count as the same ``random_state``: the result takes
            a copy of this one's).
        *others : PPMIVectors
            More of them.

        Returns
        -------
        PPMIVectors
            A new estimator (fitted unless the summed counts are still too
            few); ``self`` and the others are unchanged.

        Raises
        ------
        TypeError
            If a partner is not a PPMIVectors.
        ValueError
            If a parameter differs, a partner was never fitted
            (``NotFittedError``) or holds no counts (a model file written
            before streaming, or the ``handle_unknown="ignore"`` case of
            :meth:`partial_fit`).

        Examples
        --------
        >>> docs = [["the", "cat", "sat"], ["the", "dog", "sat"],
        ...         ["a", "cat", "ran"], ["a", "dog", "ran"]] * 5
        >>> params = dict(dim=2, window=1, min_count=1, random_state=0)
        >>> a = PPMIVectors(**params).partial_fit(docs[:3])
        >>> b = PPMIVectors(**params).partial_fit(docs[3:11])
        >>> c = PPMIVectors(**params).partial_fit(docs[11:])
        >>> merged = a.merge(b, c)
        >>> whole = PPMIVectors(**params).fit(docs)
        >>> bool((merged.vectors_.vectors == whole.vectors_.vectors).all())
        True
        """
        for part in (other, *others):
            check_merge_partner(self, part, _MERGE_PARAMS)
            mine, theirs = self.random_state, part.random_state
            if not (
                isinstance(mine, np.random.RandomState)
                and isinstance(theirs, np.random.RandomState)
            ):
                check_merge_partner(self, part, ("random_state",))
        state = self._stream_state("merge", partner="this")
        for part in (other, *others):
            state = _add_counts(state, part._stream_state("merge", partner="the other"))
        out = clone(self)
        fitted = None
        if any(vars(p).get("_defer_factorization") for p in (self, other, *others)):
            out._defer_factorization = True
        else:
            try:
                fitted = out._finish(state)
            except EmptyVocabularyError:
                pass
        check_stream_params(out, _FIT_PARAMS, "merge")
        out._set_fitted(fitted, state)
        return out

    # -- streaming over stored shards (textfeat.batch.fit_corpus) ---------------
    def _stream_deferred(self) -> None:
        """Count only, from now on: no SVD after each ``partial_fit`` or in
        ``merge`` (the parts stay unfitted, their counts exact), until
        :meth:`_finish_stream`. :func:`textfeat.batch.fit_corpus` calls it on
        each worker's copy, so a stream of n shards factorises once, not
        2n - 1 times."""
        self._defer_factorization = True

    def _second_pass_needed(self) -> bool:
        """Whether :meth:`_finish_stream` needs a pass over the shards (no)."""
        return False

    def _finish_stream(self, total: Any = None) -> None:
        """Factorise the summed counts once, as ``fit`` ends (see
        :meth:`_stream_deferred`); still too few words: left unfitted."""
        vars(self).pop("_defer_factorization", None)
        state = self._stream_state("merge", partner="this")
        try:
            fitted = self._finish(state)
        except EmptyVocabularyError:
            fitted = None
        self._set_fitted(fitted, state)

    # -- the counts behind fit ---------------------------------------------------
    def _streamable(self) -> bool:
        """Whether the pairs are additive over chunks (see partial_fit)."""
        cut = self.min_count != 1 or self.max_size is not None
        return self.handle_unknown != "ignore" or not cut

    def _stream_state(
        self, method: str, partner: str | None = None
    ) -> dict[str, Any] | None:
        """The counts to continue from (None: a first partial_fit call)."""
        if not self._streamable():
            raise ValueError(
                f"PPMIVectors.{method}: with handle_unknown='ignore' and a "
                f"vocabulary cut by min_count={self.min_count!r} or max_size="
                f"{self.max_size!r}, rare words are dropped before the windows "
                "are taken, so which words share a window depends on the final "
                "vocabulary and cannot be counted chunk by chunk (it would take "
                "every document's tokens); use handle_unknown='unk', or fit on "
                "the whole corpus."
            )
        state = vars(self).get("_stream")
        if state is not None:
            return _checked_counts(state, self.window, self.dynamic_window, method)
        if any(name in vars(self) for name in _FITTED):
            raise ValueError(
                f"PPMIVectors.{method}: this estimator holds no counts to continue "
                "from (a model file written before PPMIVectors could stream "
                "holds only the vectors); fit it again."
            )
        if partner is None:
            return None
        raise NotFittedError(
            f"PPMIVectors.merge: {partner} PPMIVectors is not fitted (no fit or "
            "partial_fit call yet); merge only estimators that counted some text."
        )

    def _finish(self, state: dict[str, Any]) -> dict[str, Any]:
        """The fitted attributes ``fit`` makes, from summed raw counts."""
        words, counts = state["words"], state["counts"]
        totals = Counter(
            {w: c for w, c in zip(words, counts.tolist(), strict=True) if c}
        )
        vocab = Vocabulary(self.min_count, self.max_size).fit_counts(totals)
        ids = np.fromiter(
            map(vocab.stoi_.get, words, repeat(UNK_ID)), np.int64, len(words)
        )
        pairs = state["pairs"].copy()
        pairs[:, :2] = ids[pairs[:, :2]]
        # raw pairs that meet in the vocabulary's ids (rare words: *UNK*) add up
        pairs, pair_counts = sum_rows(pairs, state["pair_counts"])
        return self._factorize(vocab, pairs, pair_counts)

    def _factorize(
        self, vocab: Vocabulary, pairs: np.ndarray, pair_counts: np.ndarray
    ) -> dict[str, Any]:
        """PPMI, then the truncated SVD: the fitted attributes."""
        counts = _cooccurrence_matrix(pairs, pair_counts, len(vocab), self.window)
        active = np.flatnonzero(np.asarray(counts.sum(axis=1)).ravel() > 0)
        if len(active) <= self.dim:
            raise _TooFewWords(
                f"PPMIVectors: dim={self.dim} needs more than {self.dim} words with "
                f"a context; the corpus has {len(active)}. Lower dim or min_count."
            )
        ppmi = self._ppmi(counts)
        rng = check_random_state(self.random_state)
        sub = ppmi[active][:, active]
        U, S, Vt = randomized_svd(sub, self.dim, n_iter=self.n_iter, random_state=rng)
        scale = S**self.eigenvalue_weighting
        W = U * scale
        if self.add_context:
            W = W + Vt.T * scale
        if self.normalize:
            norms = np.linalg.norm(W, axis=1, keepdims=True)
            W = W / np.where(norms == 0, 1, norms)
        words = [vocab.itos_[i] for i in active.tolist()]
        has_unk = UNK in words and self.handle_unknown == "unk"
        return {
            "vectors_": WordVectors(
                words, W, handle_unknown="unk" if has_unk else "zero"
            ),
            "vocabulary_": vocab,
            "singular_values_": S,
        }

    def _set_fitted(
        self, fitted: dict[str, Any] | None, state: dict[str, Any] | None
    ) -> None:
        """Replace the fitted attributes (None: unfitted) and the counts."""
        for name in (*_FITTED, "_stream"):
            vars(self).pop(name, None)
        if fitted is not None:
            vars(self).update(fitted)
        if state is not None:
            self._stream = state

    def _cooccurrences(
        self, ids: np.ndarray, offsets: np.ndarray, n_words: int
    ) -> sp.csr_matrix:
        """The symmetric weighted co-occurrence matrix of id sequences."""
        pairs, counts = _pair_counts(
            ids, offsets, n_words, self.window, self.dynamic_window
        )
        return _cooccurrence_matrix(pairs, counts, n_words, self.window)

    def _ppmi(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        counts = counts.tocsr()
        counts.eliminate_zeros()
        row_tot = np.asarray(counts.sum(axis=1)).ravel()
        col_tot = np.asarray(counts.sum(axis=0)).ravel()
        alpha = self.context_smoothing
        with np.errstate(divide="ignore"):
            log_c = np.where(col_tot > 0, np.log(np.maximum(col_tot, 1e-300)), 0.0)
        log_z = np.log((col_tot[col_tot > 0] ** alpha).sum())
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        pmi = (
            np.log(counts.data)
            - np.log(row_tot[rows])
            - alpha * log_c[counts.indices]
            + log_z
            - np.log(self.shift)
        )
        out = sp.csr_matrix(
            (np.maximum(pmi, 0.0), counts.indices.copy(), counts.indptr.copy()),
            shape=counts.shape,
        )
        out.eliminate_zeros()
        return out


class _TooFewWords(EmptyVocabularyError):
    """No more than ``dim`` words with a context (``partial_fit`` waits for more)."""


#: The parameters the fitted state depends on (a partial_fit may not change them).
_FIT_PARAMS = (
    "dim",
    "window",
    "min_count",
    "max_size",
    "handle_unknown",
    "context_smoothing",
    "shift",
    "eigenvalue_weighting",
    "dynamic_window",
    "add_context",
    "normalize",
    "n_iter",
    "random_state",
)
_MERGE_PARAMS = tuple(n for n in _FIT_PARAMS if n != "random_state")
#: What fit learns.
_FITTED = ("vectors_", "vocabulary_", "singular_values_")
_STATE_KEYS = ("words", "counts", "pairs", "pair_counts")


def _chunk_counts(
    docs: Sequence[Sequence[str]], window: int, dynamic: bool
) -> dict[str, Any]:
    """The additive counts of ``docs`` over their raw words.

    ``words`` (distinct, first-seen order) with ``counts``; ``pairs`` rows
    ``(a, b)`` (``(a, b, d)`` with ``dynamic``) of word indices, ``b`` at
    distance ``d <= window`` after ``a`` in one document, and ``pair_counts``.

    Examples
    --------
    >>> state = _chunk_counts([["a", "b", "a"]], window=1, dynamic=False)
    >>> state["words"], state["pairs"].tolist(), state["pair_counts"].tolist()
    (['a', 'b'], [[0, 1], [1, 0]], [1, 1])
    """
    flat, offsets = flatten_documents(docs)
    words, codes = factorize(flat)
    pairs, pair_counts = _pair_counts(codes, offsets, len(words), window, dynamic)
    return {  # keys in sorted order, as a model file gives them back
        "counts": np.bincount(codes, minlength=len(words)).astype(np.int64),
        "pair_counts": pair_counts,
        "pairs": pairs,
        "words": words,
    }


def _pair_counts(
    ids: np.ndarray, offsets: np.ndarray, n: int, window: int, dynamic: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``(a, b)`` (or ``(a, b, d)``) rows of ids in a window, with counts.

    ``b`` follows ``a`` at distance ``d`` in ``1..window`` in one document;
    the rows are sorted.
    """
    if n >= 2**31:
        raise ValueError(
            f"PPMIVectors: {n} distinct words in one count table; at most 2**31 "
            "can be paired (count in smaller chunks)."
        )
    ids = np.asarray(ids, dtype=np.int64)
    doc_of = document_index(offsets)
    keys, dists = [], []
    for d in range(1, window + 1):
        if d >= len(ids):
            break
        same = doc_of[:-d] == doc_of[d:]
        keys.append(ids[:-d][same] * n + ids[d:][same])
        if dynamic:
            dists.append(np.full(len(keys[-1]), d, dtype=np.int64))
    key = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    if not dynamic:
        uniq, counts = np.unique(key, return_counts=True)
        pairs = np.stack(np.divmod(uniq, max(n, 1)), axis=1)
        return pairs.astype(np.int64), counts.astype(np.int64)
    dist = np.concatenate(dists) if dists else np.zeros(0, dtype=np.int64)
    rows = np.stack([*np.divmod(key, max(n, 1)), dist], axis=1)
    return sum_rows(rows, np.ones(len(key), dtype=np.int64))


def _cooccurrence_matrix(
    pairs: np.ndarray, counts: np.ndarray, n: int, window: int
) -> sp.csr_matrix:
    """The symmetric weighted co-occurrence matrix of distinct sorted pair rows.

    A row ``(a, b, d)`` weighs ``(window - d + 1) / window`` (the weights of
    one pair are summed in order of ``d``); the specials other than
    ``*UNK*`` never co-occur. Integer counts in, the same floats out
    whatever the chunking that gave them.
    """
    special = np.zeros(max(n, len(SPECIALS)), dtype=bool)
    special[: len(SPECIALS)] = True
    special[UNK_ID] = False
    keep = ~(special[pairs[:, 0]] | special[pairs[:, 1]])
    pairs, counts = pairs[keep], counts[keep]
    if pairs.shape[1] == 3:
        weighted = counts * ((window - pairs[:, 2] + 1) / window)
        new = np.ones(len(pairs), dtype=bool)
        new[1:] = (pairs[1:, :2] != pairs[:-1, :2]).any(axis=1)
        starts = np.flatnonzero(new)
        values = (
            np.add.reduceat(weighted, starts) if len(starts) else np.zeros(0)
        )
        a, b = pairs[starts, 0], pairs[starts, 1]
    else:
        values = counts.astype(np.float64)
        a, b = pairs[:, 0], pairs[:, 1]
    out = sp.csr_matrix(
        (np.concatenate([values, values]), (np.concatenate([a, b]), np.concatenate([b, a]))),
        shape=(n, n),
    )
    out.sum_duplicates()
    return out


def _add_counts(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """The sum of two count tables (associative and commutative)."""
    words, code = factorize(b["words"], first=a["words"])
    moved = b["pairs"].copy()
    moved[:, :2] = code[moved[:, :2]]
    pairs, pair_counts = sum_rows(
        np.concatenate([a["pairs"], moved]),
        np.concatenate([a["pair_counts"], b["pair_counts"]]),
    )
    return {  # keys in sorted order, as a model file gives them back
        "counts": add_counts(a["counts"], b["counts"], code, len(words)),
        "pair_counts": pair_counts,
        "pairs": pairs,
        "words": words,
    }


def _checked_counts(
    state: Any, window: int, dynamic: bool, method: str
) -> dict[str, Any]:
    """``state`` if it is a well-formed count table (it may come from a file)."""

    def bad(what: str) -> ValueError:
        return ValueError(
            f"PPMIVectors.{method}: the counts this estimator holds are damaged "
            f"({what}); fit it again (the model file may have been tampered with)."
        )

    if not isinstance(state, dict) or sorted(state) != sorted(_STATE_KEYS):
        raise bad(f"expected a dict with the keys {list(_STATE_KEYS)}")
    words, counts = state["words"], state["counts"]
    pairs, pair_counts = state["pairs"], state["pair_counts"]
    if type(words) is not list or not all(type(w) is str for w in words):
        raise bad("'words' must be a list of str")
    if len(set(words)) != len(words):
        raise bad("'words' holds a word twice")
    width = 3 if dynamic else 2
    arrays = {
        "counts": (counts, 1, (len(words),)),
        "pairs": (pairs, 2, (None, width)),
        "pair_counts": (pair_counts, 1, (None,)),
    }
    for name, (arr, ndim, shape) in arrays.items():
        ok = isinstance(arr, np.ndarray) and arr.dtype == np.int64 and arr.ndim == ndim
        ok = ok and all(s is None or s == t for s, t in zip(shape, arr.shape, strict=True))
        if not ok:
            raise bad(f"{name!r} must be an int64 array of shape {shape}")
        if arr.size and arr.min() < 0:
            raise bad(f"{name!r} holds a negative value")
    if len(pair_counts) != len(pairs):
        raise bad("'pair_counts' must have one count per row of 'pairs'")
    if pairs.size and pairs[:, :2].max() >= len(words):
        raise bad("'pairs' names a word index beyond 'words'")
    if dynamic and pairs.size and (pairs[:, 2].min() < 1 or pairs[:, 2].max() > window):
        raise bad(f"'pairs' holds a distance outside 1..window={window}")
    return state
