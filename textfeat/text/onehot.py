"""Sparse one-hot (bag-of-words, bag-of-n-grams) encoding of token lists.

The counting is vectorised over the whole batch: the tokens are laid end to
end (:mod:`textfeat.text._documents`), the word n-grams of every document are
built by C-level ``map``/``zip`` over that flat list, factorised through one
dict, and document frequencies come from one ``np.unique`` over ``(document,
feature)`` codes; the matrix is built in one CSR construction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain, compress, count, repeat
from numbers import Integral
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from textfeat._compat import Interval, RealNotInt, StrOptions, fit_context
from textfeat._validation import check_token_lists, text_step_tags
from textfeat.text._documents import document_index, flatten_documents, positions
from textfeat.text._unknown import unknown_word
from textfeat.text.vocab import (
    BOS,
    EOS,
    UNK_ID,
    VOCABULARY_CONSTRAINTS,
    EmptyVocabularyError,
    Vocabulary,
    check_merge_partner,
    check_stream_params,
    fixed_vocabulary,
)

__all__ = ["OneHotVectorizer"]

#: The parameters the fitted state depends on (a partial_fit may not change them).
_FIT_PARAMS = (
    "binary",
    "min_count",
    "max_size",
    "handle_unknown",
    "ngram_range",
    "add_bos",
    "add_eos",
    "min_df",
    "max_df",
    "vocabulary",
    "stop_words",
    "weighting",
)

#: Defaults of the parameters added after the first release: a model file
#: written before them holds none of them and behaves as these say.
_LATER_DEFAULTS: dict[str, Any] = {
    "ngram_range": (1, 1),
    "add_bos": False,
    "add_eos": False,
    "min_df": 1,
    "max_df": 1.0,
    "vocabulary": None,
    "stop_words": None,
    "weighting": None,
    "sublinear_tf": False,
    "norm": "l2",
}

#: The fitted attributes (what a merge builds at its first use).
_FITTED = ("vocabulary_", "idf_")

_DF_CONSTRAINT = [
    Interval(RealNotInt, 0, 1, closed="both"),
    Interval(Integral, 1, None, closed="left"),
]


class OneHotVectorizer(TransformerMixin, BaseEstimator):
    """Token lists -> CSR matrix with one column per vocabulary entry.

    Row ``i`` is the sum of the one-hot vectors of document ``i``'s features
    (Goldberg, ch. 8: a bag of words, or of word n-grams), its indicator, or
    its tf-idf weights, as ``weighting`` says. Column ``j`` is vocabulary id
    ``j``, so the four special symbols (``*PAD*``, ``*UNK*``, ``*S*``,
    ``*/S*``) are columns 0-3 in every fitted vectorizer.

    A word n-gram is its tokens joined by one space (``"new york"``, column
    name ``tok=new york``), as in scikit-learn; a token that itself holds a
    space shares its column with the n-gram of the same spelling. The
    learned vocabulary orders its entries (unigrams and n-grams together) by
    their count in ``fit``, most frequent first, ties broken by the code
    points of the entry, so the order does not depend on document order.

    Parameters
    ----------
    binary : bool, default=True
        The switch of earlier releases, used when ``weighting`` is None: 1
        for a feature present in the document, or (False) its count.
    dtype : numpy dtype, default=np.float64
        Type of the matrix values (a float type for ``weighting="tfidf"``).
    min_count : int, default=1
        Keep features seen at least this often in ``fit``.
    max_size : int or None, default=None
        Keep at most this many features (the most frequent in ``fit``, ties
        by code points), specials apart, after the other cut-offs.
    handle_unknown : {"unk", "ignore", "error"}, default="unk"
        A token not in the vocabulary counts in the ``*UNK*`` column, is
        ignored, or raises :class:`~textfeat.UnknownWordError` (a
        ``ValueError`` and a ``KeyError``) naming the token and its document.
        It applies to single tokens: an n-gram (n >= 2) not in the
        vocabulary is ignored, as in ``CountVectorizer``.
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        Word n-grams of every length from ``min_n`` to ``max_n`` are features
        (``(1, 2)``: tokens and bigrams).
    add_bos, add_eos : bool, default=False
        Put ``*S*`` before / ``*/S*`` after each non-empty document when
        forming n-grams of length >= 2, so ``*S* the`` is a bigram; the
        boundary symbols are never unigram features.
    min_df, max_df : float in [0, 1] or int >= 1, default=1 and 1.0
        Keep features whose document frequency in ``fit`` is at least
        ``min_df`` and at most ``max_df``; a float is a proportion of the
        documents, an int a number of documents (scikit-learn's
        ``CountVectorizer`` rule; a ``max_df`` below ``min_df`` in documents
        is a ``ValueError``).
    vocabulary : list or mapping of str, default=None
        A fixed vocabulary instead of a learned one (see
        :func:`textfeat.text.vocab.fixed_vocabulary`): a list gives the ids
        4, 5, ... in its order, a mapping gives each token its id; the
        specials keep ids 0-3. Entries may be n-grams (``"new york"``).
        ``min_count``, ``max_size``, ``min_df`` and ``max_df`` are then not
        used.
    stop_words : "english", list of str or None, default=None
        Tokens removed before the n-grams are formed: a list, or
        ``"english"`` for spaCy's English list
        (``spacy.lang.en.stop_words.STOP_WORDS``, lower case: pair it with
        ``SpacyTokenizer(attr="lower")``). Matching is exact.
    weighting : {"binary", "count", "tfidf"} or None, default=None
        The values: indicator, count, or tf-idf with scikit-learn's
        ``TfidfTransformer`` rule (smooth idf ``ln((1 + n) / (1 + df)) + 1``
        learned in ``fit``, then ``norm`` on each row). None follows
        ``binary``.
    sublinear_tf : bool, default=False
        With ``weighting="tfidf"``, use ``1 + ln(tf)`` for the counts.
    norm : {"l2", "l1"} or None, default="l2"
        With ``weighting="tfidf"``, the norm each row is scaled to (an empty
        row stays zero).

    Attributes
    ----------
    vocabulary_ : Vocabulary
        Mapping feature -> column, with counts (``vocabulary_.counts_``).
    idf_ : ndarray of float64, shape (len(vocabulary_),)
        With ``weighting="tfidf"``: the idf of every column.

    Examples
    --------
    >>> vec = OneHotVectorizer()
    >>> X = vec.fit_transform([["the", "cat", "the"], ["a", "dog"], []])
    >>> vec.get_feature_names_out()[4:].tolist()
    ['tok=the', 'tok=a', 'tok=cat', 'tok=dog']
    >>> X.toarray()[:, 4:]
    array([[1., 0., 1., 0.],
           [0., 1., 0., 1.],
           [0., 0., 0., 0.]])
    >>> vec.transform([["a", "unicorn"]]).toarray()[0, :5]
    array([0., 1., 0., 0., 0.])

    Bigrams with a start symbol, counted:

    >>> vec = OneHotVectorizer(ngram_range=(1, 2), add_bos=True, weighting="count")
    >>> X = vec.fit_transform([["new", "york", "new", "york"]])
    >>> vec.get_feature_names_out()[4:].tolist()
    ['tok=new', 'tok=new york', 'tok=york', 'tok=*S* new', 'tok=york new']
    >>> X.toarray()[0, 4:].tolist()
    [2.0, 2.0, 2.0, 1.0, 1.0]
    >>> vec.inverse_transform(X[:, :])[0][:2].tolist()
    ['new', 'new york']
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "binary": ["boolean"],
        "dtype": "no_validation",
        **VOCABULARY_CONSTRAINTS,
        "ngram_range": [tuple],
        "add_bos": ["boolean"],
        "add_eos": ["boolean"],
        "min_df": _DF_CONSTRAINT,
        "max_df": _DF_CONSTRAINT,
        "vocabulary": [dict, list, tuple, np.ndarray, None],
        "stop_words": [StrOptions({"english"}), list, tuple, None],
        "weighting": [StrOptions({"binary", "count", "tfidf"}), None],
        "sublinear_tf": ["boolean"],
        "norm": [StrOptions({"l1", "l2"}), None],
    }

    def __init__(
        self,
        *,
        binary: bool = True,
        dtype: Any = np.float64,
        min_count: int = 1,
        max_size: int | None = None,
        handle_unknown: str = "unk",
        ngram_range: tuple[int, int] = (1, 1),
        add_bos: bool = False,
        add_eos: bool = False,
        min_df: float | int = 1,
        max_df: float | int = 1.0,
        vocabulary: Any = None,
        stop_words: str | Sequence[str] | None = None,
        weighting: str | None = None,
        sublinear_tf: bool = False,
        norm: str | None = "l2",
    ) -> None:
        self.binary = binary
        self.dtype = dtype
        self.min_count = min_count
        self.max_size = max_size
        self.handle_unknown = handle_unknown
        self.ngram_range = ngram_range
        self.add_bos = add_bos
        self.add_eos = add_eos
        self.min_df = min_df
        self.max_df = max_df
        self.vocabulary = vocabulary
        self.stop_words = stop_words
        self.weighting = weighting
        self.sublinear_tf = sublinear_tf
        self.norm = norm

    def __getattr__(self, name: str) -> Any:
        # Only reached when the attribute is missing: the fitted state of a
        # merge is built at its first use; a vectorizer from a model file
        # written before these parameters existed behaves as their defaults say.
        if name in _FITTED and "_pending" in self.__dict__:
            self._materialize()
            if name in self.__dict__:
                return self.__dict__[name]
        if name in _LATER_DEFAULTS:
            return _LATER_DEFAULTS[name]
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )

    def __sklearn_is_fitted__(self) -> bool:
        # scikit-learn's check_is_fitted asks this; a merge's pending counts
        # are turned into the fitted state here (None of them passing the
        # cut-offs yet: not fitted, as after the same partial_fit calls)
        self._materialize()
        return "vocabulary_" in self.__dict__

    def __getstate__(self) -> dict[str, Any]:
        self._materialize()  # pickle and copy hold the fitted state, not the parts
        return super().__getstate__()

    def __sklearn_tags__(self) -> Any:
        return text_step_tags(super().__sklearn_tags__())

    # -- parameters ---------------------------------------------------------
    def _weighting(self) -> str:
        """The weighting in force (``weighting``, else the ``binary`` switch)."""
        if self.weighting is None:
            return "binary" if self.binary else "count"
        if self.weighting == "binary" and not self.binary:
            raise ValueError(
                "OneHotVectorizer: weighting='binary' contradicts binary=False; "
                "set only weighting ('binary', 'count' or 'tfidf')."
            )
        return self.weighting

    def _ngram_range(self) -> tuple[int, int]:
        r = self.ngram_range
        ok = isinstance(r, tuple) and len(r) == 2
        ok = ok and all(isinstance(n, Integral) and not isinstance(n, bool) for n in r)
        if not ok or not 1 <= r[0] <= r[1]:
            raise ValueError(
                "The 'ngram_range' parameter of OneHotVectorizer must be a tuple "
                f"(min_n, max_n) of ints with 1 <= min_n <= max_n. Got {r!r} instead."
            )
        return int(r[0]), int(r[1])

    def _stop_set(self) -> frozenset[str]:
        words = self.stop_words
        if words is None:
            return frozenset()
        if isinstance(words, str):
            if words != "english":
                raise ValueError(
                    "The 'stop_words' parameter of OneHotVectorizer must be "
                    f"'english', a list of str or None. Got {words!r} instead."
                )
            from spacy.lang.en.stop_words import STOP_WORDS

            return frozenset(STOP_WORDS)
        for i, w in enumerate(words):
            if not isinstance(w, str):
                raise TypeError(
                    "The 'stop_words' parameter of OneHotVectorizer must hold "
                    f"str; got {w!r} ({type(w).__name__}) at position {i}."
                )
        return frozenset(words)

    def _check_params(self) -> str:
        """Checks no constraint table can state; returns the weighting."""
        dt = np.dtype(self.dtype)  # a bad dtype fails here, naming itself
        self._ngram_range()
        self._stop_set()
        weighting = self._weighting()
        if weighting == "tfidf" and dt.kind != "f":
            raise ValueError(
                "The 'dtype' parameter of OneHotVectorizer must be a float type "
                f"with weighting='tfidf'. Got {dt} instead."
            )
        return weighting

    # -- fitting -------------------------------------------------------------
    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Iterable[Sequence[str]], y: Any = None) -> Self:
        """Learn the vocabulary (and the idf) of the token lists ``X``.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents.
        y : ignored

        Returns
        -------
        self : OneHotVectorizer
        """
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        self._fit_encode(docs, encode=False)
        return self

    @fit_context(prefer_skip_nested_validation=True)
    def fit_transform(
        self, X: Iterable[Sequence[str]], y: Any = None, **fit_params: Any
    ) -> sp.csr_matrix:
        """Learn the vocabulary and encode ``X`` (one pass of input checks).

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents.
        y : ignored

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_documents, len(vocabulary_))
        """
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        return self._fit_encode(docs, encode=True)

    def _fit_encode(
        self, docs: Sequence[Sequence[str]], encode: bool
    ) -> sp.csr_matrix | None:
        """Learn the vocabulary (and idf); the matrix of ``docs`` if ``encode``.

        ``fit`` builds no matrix: the vocabulary comes from the feature counts
        and the idf from the document frequencies, the counts a later
        ``partial_fit`` or ``merge`` continues from. It never raises on a
        token its own cut-offs left out (as ``fit`` did before tf-idf
        existed): the *UNK* column of ``handle_unknown="error"`` is never
        filled, so its idf does not matter.
        """
        weighting = self._check_params()
        segments = self._analyze(docs)
        for name in (*_FITTED, "_stream", "_stream_params", "_pending"):
            self.__dict__.pop(name, None)
        check_stream_params(self, _FIT_PARAMS, "fit")
        n_docs = len(docs)
        # the *UNK* column's idf needs to know which documents hold a word
        # left out of the vocabulary; merging it later would need each
        # document's word list, which grows with the corpus: a plain fit
        # counts it here and keeps no list, so a fitted (or pickled)
        # vectorizer stays the size of its vocabulary; stream from the start
        # with partial_fit to continue or merge such a vectorizer
        fit_only = (
            weighting == "tfidf"
            and self.handle_unknown == "unk"
            and self.vocabulary is None
        )
        scratch: list[Any] = []
        stats = self._chunk_stats(
            segments,
            n_docs,
            weighting,
            scratch if encode or self._needs_df(weighting) else None,
            word_lists=False,
            df_counts=not fit_only,
        )
        if self.vocabulary is not None:
            self.vocabulary_ = fixed_vocabulary(self.vocabulary, type(self).__name__)
        if not encode:
            self._finish(stats, weighting, (segments, scratch) if scratch else None)
            if fit_only:
                self._stream = {"fit_only": True}
            return None
        self._stream = {"fit_only": True} if fit_only else stats
        if self.vocabulary is not None:
            parts = [self._ids_of(strings) for _, strings, _ in segments]
            counts = self._count_matrix(segments, parts, n_docs, self.handle_unknown)
        else:
            counts = self._learn(
                stats, segments, n_docs, self.handle_unknown, tuple(scratch)
            )
        if weighting == "tfidf":
            df = np.bincount(counts.indices, minlength=counts.shape[1])
            self.idf_ = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
        return self._weight(counts, weighting)

    # -- streaming -------------------------------------------------------------
    def partial_fit(self, X: Iterable[Sequence[str]], y: Any = None) -> Self:
        """Add the counts of one chunk ``X`` and rebuild the vocabulary (and idf).

        The first call on an unfitted vectorizer starts from nothing; later
        calls (and calls on a vectorizer fitted by ``fit``) add the chunk's
        feature counts, document frequencies and document count. After any
        call the fitted state equals ``fit`` on all the chunks so far. With a
        fixed ``vocabulary`` only the idf's document frequencies are counted
        (nothing at all unless ``weighting="tfidf"``). A failing call leaves
        the state unchanged.

        Parameters
        ----------
        X : iterable of sequences of str
            One chunk of tokenized documents.
        y : ignored

        Returns
        -------
        self : OneHotVectorizer

        Raises
        ------
        ValueError
            If a parameter the fitted state depends on (all but ``dtype``,
            ``sublinear_tf`` and ``norm``) changed since the counting started;
            if the vectorizer was loaded from a model file (the counts are
            not saved: fit again).

        Notes
        -----
        While no feature passes the cut-offs (where ``fit`` raises), the
        counts are kept and the vectorizer stays unfitted (``transform``
        raises ``NotFittedError``) until a later chunk brings one over them.
        """
        self._validate_params()
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        weighting = self._check_params()
        if any(k in self.__dict__ for k in ("vocabulary_", "_stream", "_pending")):
            before = self._stream_state("partial_fit")
        else:
            before = None
        previous = self.__dict__.get("_stream_params")
        check_stream_params(self, _FIT_PARAMS, "partial_fit")
        try:
            if self.vocabulary is not None:
                self.vocabulary_ = fixed_vocabulary(self.vocabulary, type(self).__name__)
            chunk = self._chunk_stats(
                self._analyze(docs),
                len(docs),
                weighting,
                word_lists="_defer_unknown_df" not in self.__dict__,
            )
            stats = chunk if before is None else _sum_stats([before, chunk])
            try:
                self._finish(stats, weighting)
            except EmptyVocabularyError:
                # no feature passes the cut-offs yet: keep the counts, and
                # stay unfitted until a later chunk brings one over them
                for name in _FITTED:
                    self.__dict__.pop(name, None)
                self._stream = stats
            self.__dict__.pop("_pending", None)
        except BaseException:
            if previous is None:
                self.__dict__.pop("_stream_params", None)
            else:
                self._stream_params = previous
            raise
        return self

    def merge(self, other: OneHotVectorizer) -> OneHotVectorizer:
        """A new vectorizer from the summed counts of ``self`` and ``other``.

        Associative and commutative: merging vectorizers fitted (by ``fit``
        or ``partial_fit``) on any split of a corpus, in any order, gives the
        vocabulary, ids and idf of ``fit`` on all of it. With
        ``weighting="tfidf"`` and ``handle_unknown="unk"`` the parts must
        come from ``partial_fit`` (a plain ``fit`` keeps no per-document word
        lists). A worker whose chunks left no feature over the cut-offs yet
        (counts, no vocabulary) merges too.

        Parameters
        ----------
        other : OneHotVectorizer
            A fitted vectorizer with the same parameters.

        Returns
        -------
        OneHotVectorizer
            A new vectorizer; ``self`` and ``other`` are unchanged.

        Notes
        -----
        The merge itself only gathers the counts; the vocabulary (a sort of
        every feature) and the idf are built when the result is first used
        (``transform``, ``vocabulary_``, ``check_is_fitted``, saving or
        pickling it), with the parameters it had when merged. So folding
        many parts, ``acc = acc.merge(part)``, costs about one sum of all
        their counts, not one vocabulary per part; the counts are summed
        whenever the parts gathered outgrow the largest one, so memory stays
        within about twice the merged counts.

        Examples
        --------
        >>> a = OneHotVectorizer(weighting="tfidf").partial_fit([["a", "b"], ["b"]])
        >>> b = OneHotVectorizer(weighting="tfidf").partial_fit([["c", "b"]])
        >>> whole = OneHotVectorizer(weighting="tfidf").fit([["a", "b"], ["b"], ["c", "b"]])
        >>> merged = b.merge(a)
        >>> merged.vocabulary_ == whole.vocabulary_, (merged.idf_ == whole.idf_).all()
        (True, np.True_)
        """
        check_merge_partner(self, other, _FIT_PARAMS)
        self._check_params()
        parts = [*self._stream_parts("merge"), *other._stream_parts("merge")]
        for est in (self, other):  # counts made under other parameters: refused
            _check_counted_with(est, "merge")
        _check_same_counts(parts)
        sizes = [_stats_size(p) for p in parts]
        if sum(sizes) >= 2 * max(sizes):
            parts = [_sum_stats(parts)]
        out = clone(self)
        check_stream_params(out, _FIT_PARAMS, "merge")
        out._pending = parts
        return out

    # -- a second pass for the *UNK* column (textfeat.batch.fit_corpus) --------
    def _stream_deferred(self) -> None:
        """Keep no word lists from now on when the *UNK* column's document
        frequency can be counted by a second pass instead (see
        :meth:`_second_pass_needed`)."""
        if self._second_pass_needed():
            self._defer_unknown_df = True

    def _second_pass_needed(self) -> bool:
        """Whether a stream over stored shards should count the *UNK* column's
        document frequency in a second pass instead of keeping word lists.

        With tf-idf and ``handle_unknown="unk"``, that frequency depends on the
        final vocabulary; :meth:`partial_fit` alone keeps each document's
        distinct unigrams for it, which grows with the corpus.
        :func:`textfeat.batch.fit_corpus` instead calls
        :meth:`_stream_deferred` on each worker's copy (no word lists),
        merges, then sums :meth:`_second_pass_counts` over the shards and
        ends with :meth:`_finish_stream`: the same idf as ``fit``.
        """
        return (
            self._weighting() == "tfidf"
            and self.handle_unknown == "unk"
            and self.vocabulary is None
        )

    def _second_pass_counts(self, X: Sequence[Sequence[str]]) -> int:
        """Documents of ``X`` with a count in the *UNK* column (a unigram the
        fitted vocabulary left out, or ``*UNK*`` itself)."""
        counts = sp.csr_matrix(self.transform(X))
        return int(np.count_nonzero((counts.indices == UNK_ID) & (counts.data != 0)))

    def _finish_stream(self, unknown_df: int | None = None) -> None:
        """Set the *UNK* column's idf from the summed second pass (None: no
        second pass was needed, nothing to do); the counts are then those of
        ``fit`` in this case (no word lists: not continuable, see
        :meth:`partial_fit`)."""
        if unknown_df is None:
            return
        n_docs = self._stream_state("merge")["n_docs"]
        idf = self.idf_.copy()
        idf[UNK_ID] = np.log((1.0 + n_docs) / (1.0 + unknown_df)) + 1.0
        self.idf_ = idf
        self._stream = {"fit_only": True}
        self.__dict__.pop("_defer_unknown_df", None)

    def _materialize(self) -> None:
        """Build the fitted state from the counts a merge gathered (if any).

        It is built with the parameters in force at the merge (kept in
        ``_stream_params``), as an eager merge would have built it; no
        feature over the cut-offs yet leaves the summed counts, unfitted.
        """
        pending = self.__dict__.get("_pending")
        if pending is None:
            return
        stats = _sum_stats(pending)
        est = clone(self).set_params(**self.__dict__["_stream_params"])
        if est.vocabulary is not None:
            est.vocabulary_ = fixed_vocabulary(est.vocabulary, type(self).__name__)
        try:
            est._finish(stats, est._weighting())
        except EmptyVocabularyError:
            pass
        for name in _FITTED:
            if name in est.__dict__:
                self.__dict__[name] = est.__dict__[name]
        self._stream = stats
        self.__dict__.pop("_pending", None)

    def _stream_parts(self, method: str) -> list[dict[str, Any]]:
        """The counts to merge: one summed dict, or the parts a merge gathered."""
        pending = self.__dict__.get("_pending")
        return list(pending) if pending is not None else [self._stream_state(method)]

    def _stream_state(self, method: str) -> dict[str, Any]:
        pending = self.__dict__.get("_pending")
        if pending is not None:
            return _sum_stats(pending)
        stats = self.__dict__.get("_stream")
        if stats is None or stats.get("fit_only"):
            raise ValueError(
                f"OneHotVectorizer.{method}: this vectorizer holds no counts to "
                "continue from (a model file saves only the fitted state, not the "
                "counts, and fit with weighting='tfidf' and handle_unknown='unk' "
                "keeps no per-document word lists); build it with partial_fit "
                "to stream or merge."
            )
        return stats

    def _needs_df(self, weighting: str) -> bool:
        """Whether the document frequencies of every feature must be kept."""
        default = _same_value(self.min_df, 1) and _same_value(self.max_df, 1.0)
        return weighting == "tfidf" or not default

    def _chunk_stats(
        self,
        segments: list[tuple[int, list[str], np.ndarray]],
        n_docs: int,
        weighting: str,
        scratch: list[Any] | None = None,
        word_lists: bool = True,
        df_counts: bool = True,
    ) -> dict[str, Any]:
        """The additive counts of one chunk (see :func:`_sum_stats`).

        A ``scratch`` list receives the distinct features, their codes,
        document frequencies (or None) and totals, for ``fit`` to reuse.
        Without ``word_lists`` (a plain ``fit``), tf-idf's per-document word
        lists are not built; without ``df_counts`` (a plain ``fit`` that can
        never be merged), neither is the Counter of document frequencies.
        """
        policy = "ignore" if self.handle_unknown == "error" else self.handle_unknown
        stats: dict[str, Any] = {"n_docs": n_docs}
        if self.vocabulary is not None:
            if weighting == "tfidf":
                vocab = fixed_vocabulary(self.vocabulary, type(self).__name__)
                get = vocab.stoi_.get
                parts = [
                    np.fromiter(map(get, s, repeat(-1)), np.int64, len(s))
                    for _, s, _ in segments
                ]
                saved, self.vocabulary_ = self.__dict__.get("vocabulary_"), vocab
                try:
                    counts = self._count_matrix(segments, parts, n_docs, policy)
                finally:
                    if saved is None:
                        del self.vocabulary_
                    else:
                        self.vocabulary_ = saved
                stats["df_cols"] = np.bincount(counts.indices, minlength=len(vocab))
            return stats
        features = chain.from_iterable(s for _, s, _ in segments)
        if scratch is None and not self._needs_df(weighting):
            # counts only (never tf-idf, which needs the df): C-level counting
            stats["counts"] = Counter(features)
            return stats
        strings = list(features)
        uniq, codes = _factorize(strings)
        totals = np.bincount(codes, minlength=len(uniq))
        stats["counts"] = _counter(uniq, totals)
        if self._needs_df(weighting):
            doc_of = (
                np.concatenate([d for _, _, d in segments])
                if segments
                else np.zeros(0, np.int64)
            )
            df = _document_frequencies(doc_of, codes, n_docs, len(uniq))
            if df_counts:
                stats["df"] = _counter(uniq, df)
        else:
            df = None
        if scratch is not None:
            scratch[:] = [uniq, codes, df, totals]
        if word_lists and weighting == "tfidf" and policy == "unk":
            # which distinct unigrams each document holds: whether one of them
            # falls out of the final vocabulary (the *UNK* column) is known
            # only at the end, so this part grows with the corpus
            grams = [(s, d) for n, s, d in segments if n == 1]
            s1, d1 = grams[0] if grams else ([], np.zeros(0, np.int64))
            u1, c1 = _factorize(s1)
            present = sp.csr_matrix(
                (np.ones(len(c1), dtype=np.int8), (d1, c1)), shape=(n_docs, len(u1))
            )
            present.sum_duplicates()
            stats["unigrams"] = [(u1, present.indptr, present.indices)]
        return stats

    def _finish(
        self,
        stats: dict[str, Any],
        weighting: str,
        chunk: tuple[list[Any], list[Any]] | None = None,
    ) -> None:
        """Set the fitted state from accumulated counts (as ``fit`` would).

        The counts are shared with ``vocabulary_.counts_``, never copied:
        no step changes a counts dict in place. ``chunk`` is a plain
        ``fit``'s only chunk, ``(segments, scratch)`` of :meth:`_chunk_stats`:
        the cut-offs and the idf are then read from its arrays, and the
        *UNK* column's document frequency (``handle_unknown="unk"``) is
        counted from its documents.
        """
        n_docs = stats["n_docs"]
        vocabulary = self.__dict__.get("vocabulary_")
        if self.vocabulary is None:
            keep = None
            if chunk is not None:
                uniq, _, df_codes, totals = chunk[1]
                if df_codes is not None:
                    mask = self._df_mask_of(df_codes, totals, n_docs)
                    keep = None if mask is None else frozenset(compress(uniq, mask))
            elif "df" in stats:
                keep = self._df_keep(stats["df"], stats["counts"], n_docs)
            vocabulary = Vocabulary(self.min_count, self.max_size).fit_counts(
                stats["counts"], keep
            )
            if weighting == "tfidf" and chunk is not None:
                df = _column_df(
                    vocabulary, *chunk, n_docs, self.handle_unknown == "unk"
                )
            elif weighting == "tfidf":
                itos = vocabulary.itos_
                get = stats["df"].get
                df = np.fromiter(map(get, itos, repeat(0)), np.int64, len(itos))
                if "unigrams" in stats:
                    df[UNK_ID] = _unknown_df(vocabulary, stats["unigrams"])
        elif weighting == "tfidf":
            df = stats["df_cols"]
        self.vocabulary_ = vocabulary
        self.__dict__.pop("idf_", None)
        if weighting == "tfidf":
            self.idf_ = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
        self._stream = stats

    def _df_keep(
        self, df: Counter[str], counts: Counter[str], n_docs: int
    ) -> frozenset[str] | None:
        """The features passing ``min_df``/``max_df`` (None: no cut-off)."""
        uniq = list(df)
        d = np.fromiter(df.values(), np.int64, len(uniq))
        totals = np.fromiter(map(counts.__getitem__, uniq), np.int64, len(uniq))
        keep = self._df_mask_of(d, totals, n_docs)
        return None if keep is None else frozenset(compress(uniq, keep))

    def _learn(
        self,
        stats: dict[str, Any],
        segments: list[tuple[int, list[str], np.ndarray]],
        n_docs: int,
        policy: str,
        scratch: tuple[list[str], np.ndarray, np.ndarray | None, np.ndarray],
    ) -> sp.csr_matrix:
        """Learn the vocabulary from the features; return the count matrix.

        ``stats`` and ``scratch`` are what :meth:`_chunk_stats` made of the
        same segments (the counts; the distinct features, each feature's
        code, the document frequencies or None, the totals), so the strings
        are factorised once.
        """
        uniq, codes, df, totals = scratch
        keep = None if df is None else self._df_mask_of(df, totals, n_docs)
        counts = stats["counts"]
        kept = None if keep is None else frozenset(compress(uniq, keep))
        self.vocabulary_ = Vocabulary(self.min_count, self.max_size).fit_counts(
            counts, kept
        )
        stoi = self.vocabulary_.stoi_
        code_ids = np.fromiter(map(stoi.get, uniq, repeat(-1)), np.int64, len(uniq))
        ids = code_ids[codes]
        bounds = np.cumsum([0, *(len(s) for _, s, _ in segments)])
        parts = [ids[bounds[k] : bounds[k + 1]] for k in range(len(segments))]
        return self._count_matrix(segments, parts, n_docs, policy)

    def _df_mask_of(
        self, df: np.ndarray, totals: np.ndarray, n_docs: int
    ) -> np.ndarray | None:
        """Which features of document frequencies ``df`` pass (None: all)."""
        high = self.max_df if isinstance(self.max_df, Integral) else self.max_df * n_docs
        low = self.min_df if isinstance(self.min_df, Integral) else self.min_df * n_docs
        if high < low:
            # a count against a proportion can change with more documents:
            # partial_fit waits for them (EmptyVocabularyError)
            mixed = isinstance(self.max_df, Integral) != isinstance(self.min_df, Integral)
            raise (EmptyVocabularyError if mixed else ValueError)(
                "max_df corresponds to < documents than min_df: OneHotVectorizer "
                f"got min_df={self.min_df!r} ({low:g} documents) and max_df="
                f"{self.max_df!r} ({high:g} documents) for {n_docs} documents."
            )
        if low <= 1 and high >= n_docs:
            return None
        keep = (df >= low) & (df <= high)
        if not (keep & (totals >= self.min_count)).any():
            raise EmptyVocabularyError(
                "After pruning, no terms remain: no feature of OneHotVectorizer "
                f"has a document frequency in [{low:g}, {high:g}] (min_df="
                f"{self.min_df!r}, max_df={self.max_df!r}, {n_docs} documents) and "
                f"a count >= min_count={self.min_count}. Try a lower min_df or a "
                "higher max_df."
            )
        return keep

    # -- encoding ------------------------------------------------------------
    def transform(self, X: Iterable[Sequence[str]]) -> sp.csr_matrix:
        """Encode token lists as a CSR matrix.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents.

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_documents, len(vocabulary_))
            Sorted indices, no duplicate entries.
        """
        check_is_fitted(self)
        docs = check_token_lists(X, step=type(self).__name__)
        weighting = self._check_params()
        if self._ngram_range() == (1, 1) and not self._stop_set():
            ids, offsets = self.vocabulary_.encode_documents(docs, self.handle_unknown)
            counts = sp.csr_matrix(
                (np.ones(len(ids), dtype=np.int64), ids, offsets),
                shape=(len(docs), len(self.vocabulary_)),
            )
            counts.sum_duplicates()  # sorts each row and adds repeated tokens
        else:
            segments = self._analyze(docs)
            parts = [self._ids_of(strings) for _, strings, _ in segments]
            counts = self._count_matrix(segments, parts, len(docs), self.handle_unknown)
        return self._weight(counts, weighting)

    def _ids_of(self, strings: list[str]) -> np.ndarray:
        get = self.vocabulary_.stoi_.get
        return np.fromiter(map(get, strings, repeat(-1)), np.int64, len(strings))

    def _analyze(
        self, docs: Sequence[Sequence[str]]
    ) -> list[tuple[int, list[str], np.ndarray]]:
        """``(n, features, document of each feature)`` for every n-gram length."""
        flat, offsets = flatten_documents(docs)
        stop = self._stop_set()
        if stop and flat:
            keep = ~np.fromiter(map(stop.__contains__, flat), bool, len(flat))
            lengths = np.bincount(document_index(offsets)[keep], minlength=len(docs))
            flat = list(compress(flat, keep))
            np.cumsum(lengths, out=offsets[1:])
        lo, hi = self._ngram_range()
        # no n-gram is longer than the longest document with its boundaries,
        # so a huge max_n (from a model file, say) costs no more than that
        longest = int(np.diff(offsets).max(initial=0)) + self.add_bos + self.add_eos
        return [
            (n, *_ngrams(flat, offsets, n, self.add_bos, self.add_eos))
            for n in range(lo, max(lo, min(hi, longest)) + 1)
        ]

    def _count_matrix(
        self,
        segments: list[tuple[int, list[str], np.ndarray]],
        parts: list[np.ndarray],
        n_docs: int,
        policy: str,
    ) -> sp.csr_matrix:
        """Counts of the vocabulary's columns (int64 CSR, canonical).

        ``parts[k]`` holds the vocabulary id of each feature of
        ``segments[k]``, ``-1`` for one not in the vocabulary; ``policy`` is
        the unknown-token policy for single tokens.
        """
        rows, cols = [], []
        for (n, strings, doc_of), ids in zip(segments, parts, strict=True):
            missing = ids < 0
            if n == 1 and missing.any():
                if policy == "error":
                    pos = int(np.flatnonzero(missing)[0])
                    raise unknown_word(
                        strings[pos], f"in document at index {int(doc_of[pos])}"
                    )
                if policy == "unk":
                    ids = np.where(missing, UNK_ID, ids)
                    missing = np.zeros_like(missing)
            rows.append(doc_of[~missing])
            cols.append(ids[~missing])
        row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        out = sp.coo_matrix(
            (np.ones(len(row), dtype=np.int64), (row, col)),
            shape=(n_docs, len(self.vocabulary_)),
        ).tocsr()
        out.sum_duplicates()
        return out

    def _weight(self, counts: sp.csr_matrix, weighting: str) -> sp.csr_matrix:
        """The values ``weighting`` asks for, in ``dtype``."""
        target = np.dtype(self.dtype)
        if weighting == "tfidf":
            idf = self._checked_idf()
            X_out = counts.astype(np.float64)
            if self.sublinear_tf:
                np.log(X_out.data, out=X_out.data)
                X_out.data += 1.0
            X_out.data *= idf[X_out.indices]
            if self.norm is not None:
                X_out = normalize(X_out, norm=self.norm, copy=False)
            return X_out.astype(target)
        if weighting == "binary":
            X_out = counts.astype(target)
            X_out.data.fill(1)
            return X_out
        if target.kind in "iu":
            top = int(np.iinfo(target).max)
            if counts.nnz and int(counts.data.max()) > top:
                raise ValueError(
                    f"The 'dtype' parameter of OneHotVectorizer is {target}, which "
                    f"holds counts up to {top}; a token occurs "
                    f"{int(counts.data.max())} times in one document. Use a wider "
                    "integer type, a float type or binary=True."
                )
        return counts.astype(target)

    def _checked_idf(self) -> np.ndarray:
        """``idf_``, refused unless it is what ``fit`` makes (a model file can lie)."""
        idf = self.__dict__.get("idf_")
        if idf is None:
            raise ValueError(
                "OneHotVectorizer: weighting='tfidf' needs the idf_ learned in "
                "fit; fit again after setting weighting='tfidf'."
            )
        ok = isinstance(idf, np.ndarray) and idf.dtype == np.float64
        ok = ok and idf.shape == (len(self.vocabulary_),)
        if not ok or not np.all(np.isfinite(idf)) or not np.all(idf >= 1.0):
            raise ValueError(
                "OneHotVectorizer: idf_ must be a float64 array of "
                f"{len(self.vocabulary_)} finite values >= 1 (one per column), as "
                "fit makes it; refit (the model file may be damaged)."
            )
        return idf

    def inverse_transform(self, X: Any) -> list[np.ndarray]:
        """The features with a non-zero value in each row.

        Parameters
        ----------
        X : sparse matrix or array-like, shape (n_documents, len(vocabulary_))
            Output of :meth:`transform`, or any matrix of that width.

        Returns
        -------
        list of ndarray of str objects
            One array per row, in column order (the n-grams as their tokens
            joined by a space, as :meth:`get_feature_names_out` without
            ``tok=``), as ``CountVectorizer.inverse_transform``.

        Examples
        --------
        >>> vec = OneHotVectorizer().fit([["a", "b"], ["b"]])
        >>> [row.tolist() for row in vec.inverse_transform(vec.transform([["b", "x"]]))]
        [['*UNK*', 'b']]
        """
        check_is_fitted(self)
        size = len(self.vocabulary_)
        M = sp.csr_matrix(X) if sp.issparse(X) else np.asarray(X)
        if M.ndim != 2 or M.shape[1] != size or M.dtype.kind not in "biuf":
            raise ValueError(
                "OneHotVectorizer.inverse_transform expects a 2-d numeric matrix "
                f"with {size} columns (one per vocabulary entry); got shape "
                f"{M.shape} and dtype {M.dtype}."
            )
        M = sp.csr_matrix(M)
        M.eliminate_zeros()
        M.sort_indices()
        itos = np.asarray(self.vocabulary_.itos_, dtype=object)
        return [itos[M.indices[M.indptr[i] : M.indptr[i + 1]]] for i in range(M.shape[0])]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Column names, ``tok=<token>`` (``tok=new york`` for an n-gram).

        Parameters
        ----------
        input_features : ignored
            Present for Pipeline compatibility.

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self)
        return np.asarray([f"tok={t}" for t in self.vocabulary_.itos_], dtype=object)


def _factorize(strings: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct strings (first-seen order) and each string's code.

    Examples
    --------
    >>> uniq, codes = _factorize(["b", "a", "b"])
    >>> uniq, codes.tolist()
    (['b', 'a'], [0, 1, 0])
    """
    index: dict[str, int] = {}
    first = np.fromiter(map(index.setdefault, strings, count()), np.int64, len(strings))
    renumber = np.empty(len(strings), dtype=np.int64)
    renumber[np.fromiter(index.values(), np.int64, len(index))] = np.arange(len(index))
    return list(index), renumber[first]


def _document_frequencies(
    doc_of: np.ndarray, codes: np.ndarray, n_docs: int, n_uniq: int
) -> np.ndarray:
    """Number of documents holding each code (one CSR build sums repeats)."""
    present = sp.csr_matrix(
        (np.ones(len(codes), dtype=np.int32), (doc_of, codes)),
        shape=(n_docs, n_uniq),
    )
    present.sum_duplicates()
    return np.bincount(present.indices, minlength=n_uniq)


def _counter(keys: list[str], values: np.ndarray) -> Counter[str]:
    """A Counter of ``keys`` to ``values`` (one dict build, in key order)."""
    out: Counter[str] = Counter()
    dict.update(out, zip(keys, values.tolist(), strict=True))
    return out


def _check_counted_with(est: OneHotVectorizer, method: str) -> None:
    """Refuse ``est`` if a parameter changed since its counting started
    (``set_params`` after ``fit``); ``est`` is left as it was."""
    saved = est.__dict__.get("_stream_params")
    check_stream_params(est, _FIT_PARAMS, method)  # raises before recording
    if saved is None:
        est.__dict__.pop("_stream_params", None)
    else:
        est.__dict__["_stream_params"] = saved


def _check_same_counts(parts: Sequence[dict[str, Any]]) -> None:
    """Refuse to sum counts of different kinds (made under other parameters)."""
    keys = parts[0].keys()
    for part in parts[1:]:
        for key in keys ^ part.keys():
            raise ValueError(
                f"OneHotVectorizer.merge: only one side holds the counts {key!r}; "
                "the two were fitted with different parameters."
            )


def _stats_size(stats: dict[str, Any]) -> int:
    """How many entries summing ``stats`` into others costs (its features)."""
    return len(stats.get("counts", ()))


def _sum_stats(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The sum of chunks' counts (associative and commutative); ``parts`` are
    not changed (a single part is returned as it is).

    The largest Counter is copied at dict speed and the others added to it.

    Examples
    --------
    >>> _sum_stats([{"n_docs": 2, "counts": Counter(a=1)}, {"n_docs": 1, "counts": Counter(a=2, b=1)}])
    {'n_docs': 3, 'counts': Counter({'a': 3, 'b': 1})}
    """
    _check_same_counts(parts)
    if len(parts) == 1:
        return parts[0]
    out: dict[str, Any] = {}
    for key in parts[0]:
        values = [part[key] for part in parts]
        if key == "n_docs":
            out[key] = sum(values)
        elif key in ("counts", "df"):
            values.sort(key=len, reverse=True)
            total = Counter(values[0])
            for value in values[1:]:
                total.update(value)
            out[key] = total
        elif key == "df_cols":
            out[key] = np.sum(values, axis=0)
        else:  # "unigrams": per-chunk incidence lists
            out[key] = list(chain.from_iterable(values))
    return out


def _column_df(
    vocabulary: Vocabulary,
    segments: list[tuple[int, list[str], np.ndarray]],
    scratch: list[Any],
    n_docs: int,
    count_unknown: bool,
) -> np.ndarray:
    """The document frequency of every column of ``vocabulary`` in one chunk.

    ``scratch`` is what :meth:`OneHotVectorizer._chunk_stats` made of the
    segments (the distinct features, each feature's code, the unigrams'
    first, and their document frequencies). With ``count_unknown`` (the
    policy "unk") the *UNK* column counts the documents holding a unigram
    left out of ``vocabulary`` or ``*UNK*`` itself, as the matrix would.
    """
    uniq, codes, df, _ = scratch
    ids = np.fromiter(map(vocabulary.stoi_.get, uniq, repeat(-1)), np.int64, len(uniq))
    out = np.zeros(len(vocabulary.itos_), dtype=np.int64)
    known = ids >= 0
    out[ids[known]] = df[known]
    if count_unknown:
        unigrams = segments[0][1] if segments and segments[0][0] == 1 else []
        unknown = ((ids < 0) | (ids == UNK_ID))[codes[: len(unigrams)]]
        doc_of = segments[0][2][unknown] if len(unigrams) else np.zeros(0, np.int64)
        out[UNK_ID] = np.count_nonzero(np.bincount(doc_of, minlength=n_docs))
    return out


def _unknown_df(vocabulary: Vocabulary, unigrams: list[tuple[Any, ...]]) -> int:
    """Documents holding a unigram that maps to the *UNK* column of ``vocabulary``."""
    get = vocabulary.stoi_.get
    total = 0
    for uniq, indptr, indices in unigrams:
        ids = np.fromiter(map(get, uniq, repeat(-1)), np.int64, len(uniq))
        bad = (ids < 0) | (ids == UNK_ID)
        rows = document_index(indptr)
        total += len(np.unique(rows[bad[indices]]))
    return total


def _same_value(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


def _ngrams(
    flat: list[str], offsets: np.ndarray, n: int, add_bos: bool, add_eos: bool
) -> tuple[list[str], np.ndarray]:
    """The n-grams of every document (tokens joined by a space) and their document.

    Examples
    --------
    >>> grams, doc = _ngrams(["a", "b", "c", "d"], np.array([0, 3, 3, 4]), 2, True, False)
    >>> grams, doc.tolist()
    (['*S* a', 'a b', 'b c', '*S* d'], [0, 0, 0, 2])
    """
    if n == 1:
        return flat, document_index(offsets)
    lengths = np.diff(offsets)
    if add_bos or add_eos:
        nonempty = lengths > 0
        grown = lengths + (int(add_bos) + int(add_eos)) * nonempty
        new_offsets = np.zeros_like(offsets)
        np.cumsum(grown, out=new_offsets[1:])
        seq = np.empty(int(new_offsets[-1]), dtype=object)
        tokens = np.empty(len(flat), dtype=object)
        tokens[:] = flat
        seq[positions(offsets) + new_offsets[document_index(offsets)] + add_bos] = tokens
        if add_bos:
            seq[new_offsets[:-1][nonempty]] = BOS
        if add_eos:
            seq[new_offsets[1:][nonempty] - 1] = EOS
        flat, offsets, lengths = seq.tolist(), new_offsets, grown
    n_windows = np.maximum(lengths - n + 1, 0)
    if len(flat) < n or not n_windows.any():
        return [], np.zeros(0, dtype=np.int64)
    win_offsets = np.zeros_like(offsets)
    np.cumsum(n_windows, out=win_offsets[1:])
    doc_of = document_index(win_offsets)
    valid = np.zeros(len(flat) - n + 1, dtype=bool)
    valid[offsets[:-1][doc_of] + positions(win_offsets)] = True
    joined = map(" ".join, zip(*(flat[k:] for k in range(n)), strict=False))
    return list(compress(joined, valid)), doc_of

