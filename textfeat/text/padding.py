"""Fixed-length integer id sequences: padding, truncation and boundary symbols."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from numbers import Integral
from typing import Any, Self

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from textfeat._compat import Interval, StrOptions, fit_context
from textfeat._validation import check_token_lists, text_step_tags
from textfeat.text._documents import document_index, offsets_of, positions
from textfeat.text.vocab import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    VOCABULARY_CONSTRAINTS,
    EmptyVocabularyError,
    Vocabulary,
    check_merge_partner,
    check_stream_params,
    count_tokens,
    fixed_vocabulary,
)

__all__ = ["SequencePadder"]


#: The parameters the fitted state depends on (a partial_fit may not change them).
_FIT_PARAMS = (
    "maxlen",
    "add_bos",
    "add_eos",
    "min_count",
    "max_size",
    "handle_unknown",
    "vocabulary",
)


class SequencePadder(TransformerMixin, BaseEstimator):
    """Token lists -> an integer id matrix of fixed length.

    Each document becomes ``[BOS] + ids + [EOS]`` (boundaries if asked for),
    is truncated to ``maxlen`` on the ``truncating`` side and padded with the
    ``*PAD*`` id (0) on the ``padding`` side. Unknown words get the ``*UNK*``
    id (1), which is never the padding id.

    Parameters
    ----------
    maxlen : int or None, default=None
        Length of every output row; None uses the longest sequence seen in
        ``fit`` (boundaries included).
    padding : {"post", "pre"}, default="post"
        Pad after the sequence or before it.
    truncating : {"post", "pre"}, default="post"
        Cut a longer sequence at its end or at its beginning. Boundary
        symbols are part of the sequence and can be cut like any token.
    add_bos, add_eos : bool, default=False
        Add ``*S*`` before / ``*/S*`` after each document.
    min_count : int, default=1
        Keep tokens seen at least this often in ``fit``.
    max_size : int or None, default=None
        Keep at most this many tokens, specials apart.
    handle_unknown : {"unk", "ignore", "error"}, default="unk"
        An unknown token becomes the ``*UNK*`` id, is dropped, or raises
        :class:`~textfeat.UnknownWordError` naming it and its document.
    dtype : numpy integer dtype, default=np.int64
        Type of the output ids: a signed or unsigned integer type that can
        hold the largest id (``len(vocabulary_) - 1``); ``fit`` refuses a
        narrower one (``np.int8`` holds ids up to 127), and ``transform``
        never casts with wrap-around. Floats and ``bool`` are refused.
    vocabulary : list or mapping of str, default=None
        A fixed vocabulary instead of a learned one (see
        :func:`textfeat.text.vocab.fixed_vocabulary`): a list gives the ids
        4, 5, ... in its order, a mapping gives each token its id; the
        specials keep ids 0-3. ``min_count`` and ``max_size`` are then not
        used. (Keras' ``TextVectorization(vocabulary=...)`` numbers the same
        list from 2, after its padding and OOV ids.)

    Streaming: :meth:`partial_fit` adds one chunk's token counts (and
    longest length) and :meth:`merge` returns a new padder from the summed
    counts of two fitted on independent chunks; either way the state equals
    ``fit`` on all the documents, whatever the chunking or merge order. The
    longest length is private state that a model file does not hold, so a
    loaded padder with ``maxlen=None`` refuses both (fit it again).

    Attributes
    ----------
    vocabulary_ : Vocabulary
        Token <-> id mapping (specials at ids 0-3).
    maxlen_ : int
        The row length used by ``transform``.

    Examples
    --------
    >>> pad = SequencePadder(maxlen=4, add_bos=True)
    >>> pad.fit_transform([["a", "b", "a"], ["b"]])
    array([[2, 4, 5, 4],
           [2, 5, 0, 0]])
    >>> pad.transform([["b", "zzz", "a", "b", "a"]])
    array([[2, 5, 1, 4]])
    >>> pad.inverse_transform([[2, 5, 1, 4]])
    [['b', '*UNK*', 'a']]
    >>> SequencePadder(maxlen=3, vocabulary=["earth", "wind"]).fit_transform(
    ...     [["wind", "fire", "earth", "wind"]])
    array([[5, 1, 4]])
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "maxlen": [Interval(Integral, 1, None, closed="left"), None],
        "padding": [StrOptions({"post", "pre"})],
        "truncating": [StrOptions({"post", "pre"})],
        "add_bos": ["boolean"],
        "add_eos": ["boolean"],
        **VOCABULARY_CONSTRAINTS,
        "dtype": "no_validation",
        "vocabulary": [dict, list, tuple, np.ndarray, None],
    }

    def __init__(
        self,
        maxlen: int | None = None,
        *,
        padding: str = "post",
        truncating: str = "post",
        add_bos: bool = False,
        add_eos: bool = False,
        min_count: int = 1,
        max_size: int | None = None,
        handle_unknown: str = "unk",
        dtype: Any = np.int64,
        vocabulary: Any = None,
    ) -> None:
        self.maxlen = maxlen
        self.padding = padding
        self.truncating = truncating
        self.add_bos = add_bos
        self.add_eos = add_eos
        self.min_count = min_count
        self.max_size = max_size
        self.handle_unknown = handle_unknown
        self.dtype = dtype
        self.vocabulary = vocabulary

    def __getattr__(self, name: str) -> Any:
        # Only reached when the attribute is missing: a padder from a model
        # file written before 'vocabulary' existed learned its vocabulary.
        if name == "vocabulary":
            return None
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )

    def __sklearn_tags__(self) -> Any:
        return text_step_tags(super().__sklearn_tags__())

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Iterable[Sequence[str]], y: Any = None) -> Self:
        """Learn the vocabulary and, if ``maxlen`` is None, the row length.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents.
        y : ignored

        Returns
        -------
        self : SequencePadder
        """
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        for name in ("vocabulary_", "maxlen_", "_longest", "_pending", "_stream_params"):
            vars(self).pop(name, None)
        return self._update(docs, "fit")

    def partial_fit(self, X: Iterable[Sequence[str]], y: Any = None) -> Self:
        """Add one chunk ``X`` to the counts (and the longest document).

        The first call on an unfitted padder starts from nothing; later
        calls (and calls on a padder fitted by ``fit``) add the chunk's
        token counts and longest length. After any call the state equals
        ``fit`` on all the chunks so far. A failing call leaves the state
        unchanged. While no token reaches ``min_count`` (where ``fit``
        raises), the counts are kept and the padder stays unfitted until a
        later chunk brings one over it.

        Parameters
        ----------
        X : iterable of sequences of str
            One chunk of tokenized documents.
        y : ignored

        Returns
        -------
        self : SequencePadder

        Raises
        ------
        ValueError
            If a parameter ``fit`` depends on changed since the counting
            started; if ``maxlen`` is None and either ``handle_unknown`` is
            not ``"unk"`` with a learned vocabulary cut by ``min_count`` or
            ``max_size`` (the longest row then depends on the final
            vocabulary: set ``maxlen``), or the padder was loaded from a
            model file (the longest length is not saved: fit again).
        """
        self._validate_params()
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        return self._update(docs, "partial_fit")

    def merge(self, other: SequencePadder) -> SequencePadder:
        """A new padder from the summed counts of ``self`` and ``other``.

        Associative and commutative: merging padders fitted on any split of
        a corpus, in any order, gives the state of ``fit`` on all of it.

        Parameters
        ----------
        other : SequencePadder
            A fitted padder with the same parameters.

        Returns
        -------
        SequencePadder
            A new fitted padder; ``self`` and ``other`` are unchanged.

        Examples
        --------
        >>> a = SequencePadder().fit([["b", "a"]])
        >>> b = SequencePadder().fit([["b"], ["c", "c", "c"]])
        >>> merged = a.merge(b)
        >>> merged.vocabulary_.itos_[4:], merged.maxlen_
        (['c', 'b', 'a'], 3)
        """
        check_is_fitted(self)
        check_is_fitted(other)
        check_merge_partner(self, other, _FIT_PARAMS)
        out = clone(self)
        if self.vocabulary is None:
            out.vocabulary_ = self.vocabulary_.merge(other.vocabulary_)
        else:
            out.vocabulary_ = self.vocabulary_
        if self.maxlen is None:
            out._longest = max(self._stream_longest("merge"), other._stream_longest("merge"))
            out.maxlen_ = max(1, out._longest + self.add_bos + self.add_eos)
        else:
            out.maxlen_ = int(self.maxlen)
        check_stream_params(out, _FIT_PARAMS, "merge")
        return out

    def _streamable(self) -> bool:
        """Whether the longest row is a max over chunks (see partial_fit)."""
        cut = self.min_count > 1 or self.max_size is not None
        return not (
            self.vocabulary is None and cut and self.handle_unknown != "unk"
        )

    def _stream_longest(self, method: str) -> int:
        longest = vars(self).get("_longest")
        if longest is None:
            if not self._streamable():
                raise ValueError(
                    f"SequencePadder.{method}: with maxlen=None, handle_unknown="
                    f"{self.handle_unknown!r} and a learned vocabulary cut by "
                    "min_count or max_size, the longest row depends on the final "
                    "vocabulary, so it cannot be counted chunk by chunk; set maxlen "
                    "(or handle_unknown='unk')."
                )
            raise ValueError(
                f"SequencePadder.{method}: this padder holds no longest-document "
                "count (a model file saves only the fitted state); fit it again "
                "to stream, or set maxlen."
            )
        return int(longest)

    def _update(self, docs: Sequence[Sequence[str]], method: str) -> Self:
        """Add ``docs`` to the state (``fit`` on a reset padder)."""
        _id_dtype(self.dtype, None)
        fitted = "vocabulary_" in vars(self)
        before = vars(self).get("_stream_params")
        check_stream_params(self, _FIT_PARAMS, method)
        try:
            return self._add(docs, method, fitted)
        except BaseException:
            if before is None:
                vars(self).pop("_stream_params", None)
            else:
                self._stream_params = before
            raise

    def _add(self, docs: Sequence[Sequence[str]], method: str, fitted: bool) -> Self:
        if self.vocabulary is not None:
            vocabulary = (
                self.vocabulary_
                if fitted
                else fixed_vocabulary(self.vocabulary, type(self).__name__)
            )
        else:
            pending = vars(self).get("_pending")
            base = self.vocabulary_.counts_ if fitted else pending
            counts = Counter(base or ())
            counts.update(count_tokens(docs))
            try:
                vocabulary = Vocabulary(self.min_count, self.max_size).fit_counts(
                    counts
                )
            except EmptyVocabularyError:
                if method == "fit":
                    raise
                # no token passes min_count yet: keep the counts, unfitted
                vocabulary = None
            fitted = fitted or pending is not None
        if vocabulary is not None:
            _id_dtype(self.dtype, len(vocabulary) - 1)
        longest = None
        if self.maxlen is None:
            previous = self._stream_longest(method) if fitted else 0
            if self.vocabulary is not None or not self._streamable():
                if method != "fit" and not self._streamable():
                    self._stream_longest(method)  # raises, naming the cause
                _, offsets = vocabulary.encode_documents(docs, self.handle_unknown)
            else:
                # nothing learned is unknown unless cut: count raw lengths
                offsets = offsets_of(docs)
            chunk = int(np.diff(offsets).max(initial=0))
            longest = max(previous, chunk)
            maxlen = max(1, longest + self.add_bos + self.add_eos)
        else:
            maxlen = int(self.maxlen)
        if longest is not None and self._streamable():
            self._longest = longest
        if vocabulary is None:
            self._pending = counts
            for name in ("vocabulary_", "maxlen_"):
                vars(self).pop(name, None)
            return self
        vars(self).pop("_pending", None)
        self.vocabulary_ = vocabulary
        self.maxlen_ = maxlen
        return self

    def _sequences(
        self, X: Iterable[Sequence[str]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flat ids with boundaries, sequence offsets, and kept lengths."""
        check_is_fitted(self)
        docs = check_token_lists(X, step=type(self).__name__)
        ids, offsets = self.vocabulary_.encode_documents(docs, self.handle_unknown)
        n_tok = np.diff(offsets)
        bos, eos = int(self.add_bos), int(self.add_eos)
        seq_len = n_tok + bos + eos
        starts = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(seq_len, out=starts[1:])
        flat = np.empty(int(starts[-1]), dtype=np.int64)
        doc_of = document_index(offsets)
        flat[positions(offsets) + starts[doc_of] + bos] = ids
        if bos:
            flat[starts[:-1]] = BOS_ID
        if eos:
            flat[starts[1:] - 1] = EOS_ID
        return flat, starts, np.minimum(seq_len, self.maxlen_)

    def transform(self, X: Iterable[Sequence[str]]) -> np.ndarray:
        """Encode, truncate and pad each document.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents.

        Returns
        -------
        ndarray of shape (n_documents, maxlen_)
        """
        flat, starts, kept = self._sequences(X)
        n_docs = len(kept)
        seq_len = np.diff(starts)
        seq_of = np.repeat(np.arange(n_docs), seq_len)
        rel = np.arange(len(flat)) - starts[seq_of]  # position in the sequence
        first = seq_len - kept if self.truncating == "pre" else np.zeros_like(kept)
        keep = (rel >= first[seq_of]) & (rel < (first + kept)[seq_of])
        col = rel - first[seq_of]
        if self.padding == "pre":
            col += (self.maxlen_ - kept)[seq_of]
        largest = max(len(self.vocabulary_) - 1, int(flat.max()) if len(flat) else 0)
        _check_row_length(self.maxlen_, self.maxlen)
        out = np.full(
            (n_docs, self.maxlen_), PAD_ID, dtype=_id_dtype(self.dtype, largest)
        )
        out[seq_of[keep], col[keep]] = flat[keep]
        return out

    def lengths(self, X: Iterable[Sequence[str]]) -> np.ndarray:
        """Number of non-padding positions of each row ``transform`` makes.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents.

        Returns
        -------
        ndarray of int64, shape (n_documents,)

        Examples
        --------
        >>> pad = SequencePadder(maxlen=3, add_eos=True).fit([["a", "b", "c"]])
        >>> pad.lengths([["a"], ["a", "b", "c"], []]).tolist()
        [2, 3, 1]
        """
        return self._sequences(X)[2]

    @staticmethod
    def mask(ids: Any) -> np.ndarray:
        """Boolean mask of the non-padding positions of an id matrix.

        Parameters
        ----------
        ids : array-like of int
            Output of :meth:`transform`.

        Returns
        -------
        ndarray of bool

        Examples
        --------
        >>> SequencePadder.mask([[2, 5, 0]]).tolist()
        [[True, True, False]]
        """
        return np.asarray(ids) != PAD_ID

    def inverse_transform(self, X: Any) -> list[list[str]]:
        """Id rows back to tokens, without padding and boundary symbols.

        Parameters
        ----------
        X : array-like of int, shape (n_documents, maxlen_)
            Output of :meth:`transform`.

        Returns
        -------
        list of lists of str
            Unknown words come back as ``*UNK*``.
        """
        check_is_fitted(self)
        ids = np.asarray(X)
        if ids.ndim != 2 or ids.dtype.kind not in "iu":
            raise ValueError(
                "SequencePadder.inverse_transform expects a 2-d integer id "
                f"matrix; got an array of shape {ids.shape} and dtype {ids.dtype}."
            )
        size = len(self.vocabulary_)
        if ids.size and (ids.min() < 0 or ids.max() >= size):
            raise ValueError(
                f"ids must lie in [0, {size}) for this vocabulary; got values in "
                f"[{ids.min()}, {ids.max()}]."
            )
        itos = self.vocabulary_.itos_
        drop = {PAD_ID, BOS_ID, EOS_ID}
        return [[itos[i] for i in row if i not in drop] for row in ids.tolist()]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Column names ``pos=0`` ... ``pos=<maxlen_ - 1>``.

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self)
        return np.asarray([f"pos={i}" for i in range(self.maxlen_)], dtype=object)


def _id_dtype(dtype: Any, largest: int | None) -> np.dtype:
    """``dtype`` as a numpy integer dtype that holds ids up to ``largest``.

    Examples
    --------
    >>> _id_dtype(np.int16, 300)
    dtype('int16')
    >>> _id_dtype(np.int8, 300)
    Traceback (most recent call last):
    ...
    ValueError: The 'dtype' parameter of SequencePadder is int8, which holds ids up to 127; the vocabulary has 301 ids (largest 300). Use a wider integer type such as np.int32.
    """
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(
            "The 'dtype' parameter of SequencePadder must be a numpy integer "
            f"dtype. Got {dtype!r} instead."
        ) from exc
    if dt.kind not in "iu":
        raise ValueError(
            "The 'dtype' parameter of SequencePadder must be an integer "
            f"dtype (ids are integers; bool and floats cannot hold them). Got "
            f"{dtype!r} ({dt}) instead."
        )
    top = int(np.iinfo(dt).max)
    if largest is not None and largest > top:
        raise ValueError(
            f"The 'dtype' parameter of SequencePadder is {dt}, which holds ids "
            f"up to {top}; the vocabulary has {largest + 1} ids (largest "
            f"{largest}). Use a wider integer type such as np.int32."
        )
    return dt


#: Longest row ``SequencePadder.transform`` makes: ``maxlen_`` above this is
#: refused (in ``transform`` and when a model file is loaded).
MAX_MAXLEN = 2**20


def _check_row_length(maxlen_: Any, maxlen: Any) -> None:
    """Refuse a row length no fit can have made (from a tampered model file).

    Examples
    --------
    >>> _check_row_length(10**12, None)
    Traceback (most recent call last):
    ...
    ValueError: SequencePadder: maxlen_=1000000000000 is not an int in 1..1048576 equal to maxlen (None); refit, or set a smaller maxlen.
    """
    ok = isinstance(maxlen_, Integral) and not isinstance(maxlen_, bool)
    ok = ok and 1 <= maxlen_ <= MAX_MAXLEN and maxlen in (None, maxlen_)
    if not ok:
        raise ValueError(
            f"SequencePadder: maxlen_={maxlen_!r} is not an int in 1..{MAX_MAXLEN} "
            f"equal to maxlen ({maxlen!r}); refit, or set a smaller maxlen."
        )
