"""The window features around each focus word: :class:`WindowVectorizer`.

:class:`WindowVectorizer` turns tokens (:class:`~textfeat.windows.Tokens`)
into one row each, from the attributes
(:mod:`textfeat.windows.attributes`) of the words at relative positions
``-k..k`` (Goldberg, ch. 8: windows around a focus word). Positions beyond a
sentence edge hold the begin/end symbols ``*S*`` and ``*/S*``, so every
token has a full window.

The module is longer than the others (about 1,000 lines) because it holds
one estimator with thirteen parameters: its docstring alone is some 190
lines, the one-hot, conjunction and dense encodings share the padded layout
and the per-word tables, and ``fit``, ``partial_fit`` and ``merge`` share
the additive counts (:mod:`textfeat.windows.counting`) the fitted state is
built from, so they stay together.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain, repeat
from numbers import Integral
from typing import Any, NamedTuple, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from textfeat._cache import derived
from textfeat._compat import Interval, StrOptions, fit_context
from textfeat._validation import check_token_lists, text_step_tags
from textfeat.text._unknown import ID_POLICIES, unknown_word
from textfeat.text.vocab import (
    BOS,
    BOS_ID,
    EOS,
    EOS_ID,
    UNK,
    UNK_ID,
    EmptyVocabularyError,
    Vocabulary,
    check_merge_partner,
    check_stream_params,
)
from textfeat.windows.attributes import RARE, checked_value, resolve_attribute
from textfeat.windows.counting import add_counts, factorize, sum_rows
from textfeat.windows.tokens import Tokens, as_tokens

__all__ = ["WindowVectorizer"]

#: Words whose attribute ids (or vector rows) a fitted WindowVectorizer
#: remembers between calls, per attribute; the table is emptied past this.
_WORD_TABLE_SIZE = 200_000

#: The parameters the fitted state depends on (a partial_fit may not change
#: them; ``weights``, ``handle_unknown`` and ``dtype`` act in transform only).
_FIT_PARAMS = (
    "window",
    "attributes",
    "combination",
    "representation",
    "encoding",
    "vectors",
    "min_count",
    "max_size",
    "conjunctions",
    "ambiguity_min_count",
)
#: What fit learns.
_FITTED = (
    "slots_",
    "conjunctions_",
    "conjunction_keys_",
    "ambiguity_",
    "vocabularies_",
    "n_features_out_",
)
#: The keys 0 and 1 of every attribute's count table: the edge symbols.
_EDGES = (BOS, EOS)


class _Setup(NamedTuple):
    """What the parameters say ``fit`` counts (see ``WindowVectorizer._fit_setup``)."""

    slots: list[tuple[int, str]]
    funcs: dict[str, Callable[[str], str]]
    conjunctions: list[tuple[tuple[int, str], ...]]
    dense: bool
    amb: bool
    counted: list[str]


def _offset_name(d: int) -> str:
    return f"{d:+d}" if d else "0"


# -- the vectorizer ----------------------------------------------------------
class WindowVectorizer(TransformerMixin, BaseEstimator):
    """One row per token from the words in a window of ``k`` on each side.

    Each position ``d`` in ``-k..k`` around the focus token contributes the
    attributes chosen for it (the word, its lower case, signature, affixes,
    shape...). Positions beyond the sentence edges hold ``*S*`` (before)
    and ``*/S*`` (after), for every attribute.

    ``combination`` says how positions are combined (Goldberg, ch. 8):

    ``"concat"``
        Position-aware: one block of columns per position and attribute,
        named like ``w[-1]=the`` or ``suffix3[0]=ing``.
    ``"sum"``, ``"mean"``, ``"weighted"``
        Position-free: one block per attribute (``w=the``), the sum of the
        positions' encodings, their mean (the sum divided by ``2k + 1``), or
        their sum weighted by ``weights``.

    ``conjunctions`` (one-hot, ``"concat"`` only) adds one block per
    conjunction of (position, attribute) pairs, after the single positions'
    blocks: its values are the joined values of its parts, named like
    ``lower[-1]|lower[0]=the|dog``, so a linear model can weigh a word
    bigram or a suffix seen after a given word. A part's value is taken
    after its own attribute's vocabulary (a rare value is ``*UNK*``);
    combinations seen fewer than ``min_count`` times in ``fit``, or beyond
    the ``max_size`` most frequent, share the block's ``*UNK*`` column, as
    do combinations first met in ``transform`` (none fires with
    ``handle_unknown="ignore"``).

    With ``representation="onehot"`` each attribute has its own
    :class:`~textfeat.Vocabulary` learned in ``fit`` and the output is CSR.
    With ``representation="dense"`` each position is the vector of its word in
    ``vectors`` (a :class:`~textfeat.vectors.WordVectors`; its unknown-word
    policy applies, and ``*S*``/``*/S*`` are zero unless the table has
    them) and the output is a float array: ``2k + 1`` vectors side by side
    for ``"concat"``, one vector otherwise.

    Parameters
    ----------
    window : int, default=2
        ``k``, the number of positions on each side.
    attributes : sequence or dict, default=("word",)
        Attributes of every position: names from :data:`ATTRIBUTES`,
        ``"prefix<n>"``, ``"suffix<n>"``, ``"ambiguity"`` (see
        ``ambiguity_min_count``), or ``(name, function)`` pairs. A
        dict maps relative positions to their own list (positions left out
        contribute nothing), e.g. ``{0: ["word", "suffix3"], -1: ["word"],
        1: ["word"]}``. The dense representation takes exactly one attribute (the
        string looked up in ``vectors``, ``"word"`` or ``"lower"``).
    combination : {"concat", "sum", "mean", "weighted"}, default="concat"
        How the positions are combined (see above).
    weights : array-like of shape (2k + 1,) or None, default=None
        Weight of each position from ``-k`` to ``k`` for ``"weighted"``.
        None gives word2vec's expected dynamic-window weights: 1 for the
        focus and ``(k + 1 - |d|) / k`` at distance ``d``, decaying to
        ``1 / k`` at the window's edge.
    representation : {"onehot", "dense"}, default="onehot"
        Sparse one-hot columns, or dense word vectors.
    vectors : WordVectors or None, default=None
        The vectors for ``representation="dense"``.
    min_count : int, default=1
        One-hot: attribute values seen fewer times in ``fit`` become
        ``*UNK*``.
    max_size : int or None, default=None
        One-hot: keep at most this many values per attribute.
    handle_unknown : {"unk", "ignore", "error"}, default="unk"
        One-hot: a value not in its vocabulary fires the ``*UNK*`` column
        of its block, fires nothing, or raises
        :class:`~textfeat.UnknownWordError` (a ``ValueError``).
    dtype : numpy dtype, default=np.float64
        Type of the output values.
    conjunctions : sequence of sequences of (int, attribute) pairs or None, \
default=None
        Conjunction features (see above), e.g. ``[[(-1, "lower"), (0,
        "lower")]]`` for the word bigram ending at the focus. Each
        conjunction has two or more distinct parts; an attribute is given as
        in ``attributes``.
    ambiguity_min_count : int, default=5
        For the ``"ambiguity"`` attribute (feature prefix ``amb``), learned
        in ``fit(X, y)`` from the tags: a word's *ambiguity class* is the
        set of tags seen with its lower case, joined by ``+``
        (``ADP+SCONJ``), as in taggers since TnT. Words seen fewer than
        this many times in ``fit``, and words never seen, get ``*RARE*``;
        that keeps a rare training word's class from giving its own tag
        away. (A frequent word's class includes the tag of each of its
        training tokens: the class is a property of the word type, so it
        is not cross-fitted.)
    encoding : {"onehot", "dense"} or None, default=None
        Deprecated alias of ``representation`` (removed in the next
        release; ``encoding`` means a character encoding elsewhere in
        textfeat). Setting it warns (``FutureWarning``) in ``fit`` and takes
        precedence over ``representation``.

    Attributes
    ----------
    vocabularies_ : dict of str to Vocabulary
        One-hot: the vocabulary of each attribute, by feature-name prefix.
    slots_ : list of (int, str)
        The (position, attribute prefix) pairs, in column order.
    conjunctions_ : list of tuples of (int, str)
        The parts of each conjunction as (position, attribute prefix).
    conjunction_keys_ : list of ndarray of int64
        For each conjunction, the kept combinations in column order (after
        its ``*UNK*`` column), each coded as a mixed-radix number over the
        parts' vocabulary ids.
    ambiguity_ : dict of str to str
        Lower-cased word -> ambiguity class, for words seen at least
        ``ambiguity_min_count`` times (empty without ``"ambiguity"``).
    n_features_out_ : int
        Number of output columns.

    Streaming: :meth:`partial_fit` adds the counts of one chunk of tokens
    and :meth:`merge` sums the counts of two vectorizers (fitted on
    independent chunks, by any workers); the cut-offs apply to the summed
    counts, so both give exactly the state of ``fit`` on all the tokens,
    whatever the chunking or merge order. The counts (each attribute's
    values, each conjunction's raw combinations, the words' tags) are kept
    in memory with the fitted state, bounded by the distinct values and
    combinations; a model file holds only the fitted state, so a loaded
    vectorizer with conjunctions or ``"ambiguity"`` cannot continue.

    Examples
    --------
    >>> vec = WindowVectorizer(window=1, attributes=["word"])
    >>> X = vec.fit_transform([["the", "cat", "sat"]])
    >>> X.shape
    (3, 21)
    >>> names = vec.get_feature_names_out()
    >>> [names[j] for j in X[1].indices]
    ['w[-1]=the', 'w[0]=cat', 'w[+1]=sat']
    >>> [names[j] for j in X[2].indices]
    ['w[-1]=cat', 'w[0]=sat', 'w[+1]=*/S*']
    >>> summed = WindowVectorizer(window=1, combination="sum").fit([["a", "a", "b"]])
    >>> row = summed.transform([["a", "a", "b"]])[1]
    >>> dict(zip(summed.get_feature_names_out()[row.indices], row.data))
    {'w=a': np.float64(2.0), 'w=b': np.float64(1.0)}
    >>> bigram = WindowVectorizer(
    ...     window=1, attributes={0: ["word"]}, conjunctions=[[(-1, "word"), (0, "word")]]
    ... )
    >>> X = bigram.fit_transform([["the", "cat", "sat"]])
    >>> names = bigram.get_feature_names_out()
    >>> [names[j] for j in X[1].indices]
    ['w[0]=cat', 'w[-1]|w[0]=the|cat']
    >>> amb = WindowVectorizer(window=0, attributes=["ambiguity"], ambiguity_min_count=2)
    >>> amb = amb.fit([["I", "can", "can", "it"]], ["PRON", "AUX", "VERB", "PRON"])
    >>> amb.ambiguity_
    {'can': 'AUX+VERB'}
    >>> list(amb.get_feature_names_out()[4:])
    ['amb[0]=*RARE*', 'amb[0]=AUX+VERB']
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "window": [Interval(Integral, 0, None, closed="left")],
        "attributes": [list, tuple, dict],
        "combination": [StrOptions({"concat", "sum", "mean", "weighted"})],
        "weights": ["array-like", None],
        "representation": [StrOptions({"onehot", "dense"})],
        "encoding": [StrOptions({"onehot", "dense"}), None],
        "vectors": "no_validation",
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "max_size": [Interval(Integral, 1, None, closed="left"), None],
        "handle_unknown": [StrOptions(set(ID_POLICIES))],
        "dtype": "no_validation",
        "conjunctions": [list, tuple, None],
        "ambiguity_min_count": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        window: int = 2,
        attributes: Sequence[Any] | Mapping[int, Sequence[Any]] = ("word",),
        combination: str = "concat",
        weights: Any = None,
        representation: str = "onehot",
        vectors: Any = None,
        min_count: int = 1,
        max_size: int | None = None,
        handle_unknown: str = "unk",
        dtype: Any = np.float64,
        conjunctions: Sequence[Sequence[tuple[int, Any]]] | None = None,
        ambiguity_min_count: int = 5,
        encoding: str | None = None,
    ) -> None:
        self.window = window
        self.attributes = attributes
        self.combination = combination
        self.weights = weights
        self.representation = representation
        self.vectors = vectors
        self.min_count = min_count
        self.max_size = max_size
        self.handle_unknown = handle_unknown
        self.dtype = dtype
        self.conjunctions = conjunctions
        self.ambiguity_min_count = ambiguity_min_count
        self.encoding = encoding

    def __sklearn_tags__(self) -> Any:
        return text_step_tags(super().__sklearn_tags__())

    # -- parameters ----------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        # Only reached when the attribute is missing: a vectorizer from a
        # model file written before 'representation' replaced 'encoding'
        # holds only 'encoding', which _representation() then follows.
        if name == "representation":
            return "onehot"
        if name == "encoding":
            return None
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )

    def _representation(self, warn: bool = False) -> str:
        """``representation``, or the deprecated ``encoding`` when it is set."""
        encoding = getattr(self, "encoding", None)
        if encoding is None:
            return self.representation
        if warn and "representation" in vars(self):  # not an old model file
            warnings.warn(
                "The 'encoding' parameter of WindowVectorizer was renamed "
                "'representation' and will be removed in the next release; use "
                f"representation={encoding!r}.",
                FutureWarning,
                stacklevel=3,
            )
        return encoding

    def _slots(self) -> tuple[list[tuple[int, str]], dict[str, Callable[[str], str]]]:
        """(position, prefix) pairs in column order, and the prefix functions."""
        k = self.window
        if isinstance(self.attributes, Mapping):
            per_pos = {}
            for d, specs in self.attributes.items():
                if (
                    isinstance(d, bool)
                    or not isinstance(d, Integral)
                    or not -k <= d <= k
                ):
                    raise ValueError(
                        "The keys of the 'attributes' dict of WindowVectorizer must "
                        f"be positions in -window..window (window={k}). Got {d!r}."
                    )
                per_pos[int(d)] = specs
        else:
            per_pos = dict.fromkeys(range(-k, k + 1), self.attributes)
        funcs: dict[str, Callable[[str], str]] = {}
        slots: list[tuple[int, str]] = []
        for d in sorted(per_pos):
            specs = per_pos[d]
            if isinstance(specs, str) or not isinstance(specs, Sequence):
                specs = [specs]
            for spec in specs:
                prefix = self._add_attribute(funcs, spec)
                if (d, prefix) in slots:
                    raise ValueError(
                        f"Attribute {prefix!r} is given twice for position {d}."
                    )
                slots.append((d, prefix))
        if not slots:
            raise ValueError(
                "The 'attributes' parameter of WindowVectorizer gives no attribute."
            )
        return slots, funcs

    def _add_attribute(self, funcs: dict[str, Callable[[str], str]], spec: Any) -> str:
        """Resolve ``spec`` into ``funcs`` (prefix -> function); its prefix.

        ``"ambiguity"`` is the fitted table's look-up. A built-in name
        always means the same function; a ``(name, function)`` pair, or
        ``"ambiguity"``, may not share its name with a different function.
        """
        if isinstance(spec, str) and spec == "ambiguity":
            prefix, func = "amb", self._ambiguity_of
        else:
            prefix, func = resolve_attribute(spec)
        known = funcs.setdefault(prefix, func)
        fixed = isinstance(spec, str) and spec != "ambiguity"
        if known is not func and known != func and not fixed:
            raise ValueError(f"Two different attribute functions are named {prefix!r}.")
        return prefix

    def _ambiguity_of(self, word: str) -> str:
        return self.ambiguity_.get(word.lower(), RARE)

    def _conjunction_parts(
        self, funcs: dict[str, Callable[[str], str]]
    ) -> list[tuple[tuple[int, str], ...]]:
        """The (position, prefix) parts of each conjunction; adds their functions."""
        if self.conjunctions is None:
            return []
        if self._representation() != "onehot" or self.combination != "concat":
            raise ValueError(
                "The 'conjunctions' parameter of WindowVectorizer needs "
                "representation='onehot' and combination='concat'; got "
                f"representation={self._representation()!r} and combination="
                f"{self.combination!r}."
            )
        k = self.window
        out = []
        for conj in self.conjunctions:
            if isinstance(conj, str) or not isinstance(conj, Sequence) or len(conj) < 2:
                raise ValueError(
                    "Each conjunction of WindowVectorizer must be a sequence of two "
                    f"or more (position, attribute) pairs. Got {conj!r}."
                )
            parts = []
            for part in conj:
                if not (isinstance(part, Sequence) and len(part) == 2):
                    raise ValueError(
                        "Each part of a conjunction of WindowVectorizer must be a "
                        f"(position, attribute) pair. Got {part!r} in {conj!r}."
                    )
                d, spec = part
                if (
                    isinstance(d, bool)
                    or not isinstance(d, Integral)
                    or not -k <= d <= k
                ):
                    raise ValueError(
                        "The positions in 'conjunctions' of WindowVectorizer must be "
                        f"in -window..window (window={k}). Got {d!r} in {conj!r}."
                    )
                prefix = self._add_attribute(funcs, spec)
                parts.append((int(d), prefix))
            if len(set(parts)) != len(parts):
                raise ValueError(f"A conjunction repeats one of its parts: {conj!r}.")
            out.append(tuple(parts))
        return out

    def _conjunction_codes(
        self,
        parts: tuple[tuple[int, str], ...],
        encoded: dict[str, np.ndarray],
        centre: np.ndarray,
    ) -> np.ndarray:
        """Mixed-radix code of each token's combination of the parts' ids."""
        code = np.zeros(len(centre), dtype=np.int64)
        for d, p in parts:
            code = code * len(self.vocabularies_[p]) + encoded[p][centre + d]
        return code

    def _position_weights(self) -> np.ndarray:
        k = self.window
        n = 2 * k + 1
        if self.combination == "weighted":
            if self.weights is None:
                d = np.abs(np.arange(-k, k + 1))
                return np.where(d == 0, 1.0, (k + 1 - d) / max(k, 1))
            w = np.asarray(self.weights, dtype=np.float64)
            if w.shape != (n,) or not np.isfinite(w).all():
                raise ValueError(
                    "The 'weights' parameter of WindowVectorizer must hold 2 * "
                    f"window + 1 = {n} finite numbers. Got {self.weights!r}."
                )
            return w
        if self.combination == "mean":
            return np.full(n, 1.0 / n)
        return np.ones(n)

    # -- fit / partial_fit / merge -------------------------------------------------
    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Tokens | Iterable[Sequence[str]], y: Any = None) -> Self:
        """Learn each attribute's vocabulary from the tokens of ``X``.

        Parameters
        ----------
        X : Tokens or iterable of sequences of str
            Tokens in their sentences; plain sentences mean all their tokens.
        y : array-like of shape (n_tokens,) or None, default=None
            One tag per token. Needed only for the ``"ambiguity"``
            attribute, ignored otherwise.

        Returns
        -------
        self : WindowVectorizer
        """
        tokens = as_tokens(X, type(self).__name__)
        if len(tokens) == 0:
            raise ValueError("WindowVectorizer: X contains no tokens; fit needs some.")
        setup = self._fit_setup(warn=True)
        state = self._chunk_stats(tokens, y, setup)
        fitted = self._finish(state, setup)
        for name in ("_stream", "_stream_params"):
            vars(self).pop(name, None)
        check_stream_params(self, _FIT_PARAMS, "fit")
        self._set_fitted(fitted, state)
        return self

    def partial_fit(self, X: Tokens | Iterable[Sequence[str]], y: Any = None) -> Self:
        """Add the counts of one chunk of tokens and rebuild the fitted state.

        The first call on an unfitted vectorizer starts from nothing; later
        calls (and calls on a vectorizer fitted by ``fit``) add the chunk's
        counts: each attribute's values, each conjunction's combinations of
        raw values, and (for ``"ambiguity"``) each lower-cased word's count
        and tags. The cut-offs (``min_count``, ``max_size``,
        ``ambiguity_min_count``) are applied to the summed counts, so after
        any call the fitted state (``vocabularies_``, ``conjunction_keys_``,
        ``ambiguity_``...) equals ``fit`` on all the chunks so far, however
        they were cut (a sentence may even be split between chunks of
        :class:`~textfeat.windows.Tokens`: a window sees the whole sentence).
        A failing call leaves the state unchanged.

        The counts kept grow with the distinct values and combinations, not
        with the number of tokens; a call costs about ``fit`` on the chunk
        plus one rebuild of the vocabularies from the summed counts.

        Parameters
        ----------
        X : Tokens or iterable of sequences of str
            One chunk of tokens in their sentences (a chunk without tokens
            adds nothing).
        y : array-like of shape (n_tokens,) or None, default=None
            One tag per token of the chunk, for the ``"ambiguity"``
            attribute.

        Returns
        -------
        self : WindowVectorizer

        Raises
        ------
        ValueError
            If a parameter the fitted state depends on (all but ``weights``,
            ``handle_unknown`` and ``dtype``) changed since the counting
            started, or if the vectorizer was loaded from a model file that
            does not hold what it needs to continue (conjunctions or the
            ``"ambiguity"`` attribute: fit again).

        Notes
        -----
        While some attribute has no value over ``min_count`` (where ``fit``
        raises), the counts are kept and the vectorizer stays unfitted
        (``transform`` raises ``NotFittedError``) until a later chunk brings
        one over it.

        Examples
        --------
        >>> part = WindowVectorizer(window=1, min_count=2)
        >>> part = part.partial_fit([["the", "cat"]]).partial_fit([["the", "dog"]])
        >>> whole = WindowVectorizer(window=1, min_count=2).fit([["the", "cat"], ["the", "dog"]])
        >>> part.vocabularies_["w"].itos_ == whole.vocabularies_["w"].itos_ == [
        ...     "*PAD*", "*UNK*", "*S*", "*/S*", "the"]
        True
        """
        self._validate_params()
        if not isinstance(X, Tokens):
            X = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        tokens = as_tokens(X, type(self).__name__)
        snapshot = dict(vars(self))
        try:
            check_stream_params(self, _FIT_PARAMS, "partial_fit")
            setup = self._fit_setup(warn=True)
            before = self._stream_state("partial_fit", setup)
            state = self._chunk_stats(tokens, y, setup)
            if before is not None:
                state = _add_stats(before, state, setup)
            try:
                fitted = self._finish(state, setup)
            except EmptyVocabularyError:
                fitted = None  # nothing over the cut-offs yet: keep the counts
            self._set_fitted(fitted, state)
        except BaseException:
            vars(self).clear()
            vars(self).update(snapshot)
            raise
        return self

    def merge(self, other: WindowVectorizer) -> WindowVectorizer:
        """A new vectorizer from the summed counts of ``self`` and ``other``.

        Associative and commutative: merging vectorizers fitted (by ``fit``
        or ``partial_fit``) on any split of a corpus, in any order, gives the
        vocabularies, conjunction keys and ambiguity classes of ``fit`` on
        all of it. A part whose chunks left some attribute without a value
        over ``min_count`` (counts, not fitted yet) merges too. The cost is
        about the size of the counts.

        Parameters
        ----------
        other : WindowVectorizer
            A vectorizer counted with the same parameters.

        Returns
        -------
        WindowVectorizer
            A new vectorizer (fitted unless the summed counts still leave an
            attribute without a value over ``min_count``); ``self`` and
            ``other`` are unchanged.

        Raises
        ------
        TypeError
            If ``other`` is not a WindowVectorizer.
        ValueError
            If a parameter differs between the two, or either holds no
            counts (never fitted: ``NotFittedError``; loaded from a model
            file without them).

        Examples
        --------
        >>> a = WindowVectorizer(window=1).partial_fit([["the", "cat"]])
        >>> b = WindowVectorizer(window=1).partial_fit([["a", "dog"]])
        >>> merged = a.merge(b)
        >>> merged.vocabularies_["w"].itos_[4:]
        ['a', 'cat', 'dog', 'the']
        >>> merged.transform([["the", "dog"]]).shape
        (2, 24)
        """
        check_merge_partner(self, other, _FIT_PARAMS)
        out = clone(self)
        setup = out._fit_setup()
        mine = self._stream_state("merge", setup, partner="this")
        theirs = other._stream_state("merge", setup, partner="the other")
        state = _add_stats(mine, theirs, setup)
        try:
            fitted = out._finish(state, setup)
        except EmptyVocabularyError:
            fitted = None
        check_stream_params(out, _FIT_PARAMS, "merge")
        out._set_fitted(fitted, state)
        return out

    # -- the counts behind fit -----------------------------------------------------
    def _fit_setup(self, warn: bool = False) -> _Setup:
        """Check the parameters ``fit`` uses; the slots, functions, conjunctions."""
        np.dtype(self.dtype)
        slots, funcs = self._slots()
        self._position_weights()  # a bad `weights` fails here
        conjunctions = self._conjunction_parts(funcs)
        dense = self._representation(warn=warn) == "dense"
        if dense:
            from textfeat.dense.vectors import WordVectors

            if not isinstance(self.vectors, WordVectors):
                raise ValueError(
                    "The 'vectors' parameter of WindowVectorizer must be a "
                    "WordVectors for representation='dense'. Got "
                    f"{type(self.vectors).__name__} instead."
                )
            if len(funcs) != 1:
                raise ValueError(
                    "representation='dense' takes exactly one attribute (the string "
                    f"looked up in the vectors); got {sorted(funcs)}."
                )
        amb = funcs.get("amb") == self._ambiguity_of
        # the attributes whose values are counted: all of them for one-hot,
        # only the ambiguity classes' words for dense
        counted = [p for p in funcs if not dense or (amb and p == "amb")]
        return _Setup(slots, funcs, conjunctions, dense, amb, counted)

    def _chunk_stats(self, tokens: Tokens, y: Any, setup: _Setup) -> dict[str, Any]:
        """The additive counts of ``tokens`` (see :func:`_add_stats`).

        For each counted attribute: its distinct keys (the value, or the
        lower-cased word for ``"ambiguity"``, whose class is known only from
        the summed counts), after the edge symbols ``*S*`` and ``*/S*`` at
        keys 0 and 1, and the count of each over the tokens. For each
        conjunction: the distinct combinations of its parts' keys over the
        tokens, with counts. For ``"ambiguity"``: the tags seen with each
        lower-cased word.
        """
        tags = self._checked_tags(tokens, y) if setup.amb else None
        if setup.conjunctions:
            words, word_at, is_eos, centre = _layout(tokens, self.window)
            uniq, codes = factorize(words)
            padded = np.full(len(is_eos), -1, dtype=np.int64)
            padded[word_at] = codes
            focus = padded[centre]
        else:
            uniq, focus = factorize(tokens.words)
        values: dict[str, dict[str, Any]] = {}
        key_at: dict[str, np.ndarray] = {}
        for p in setup.counted:
            if setup.amb and p == "amb":
                keyed = list(map(str.lower, uniq))
            else:
                func = setup.funcs[p]
                keyed = [checked_value(func(w), p, w) for w in uniq]
            keys, key_of_word = factorize(keyed, first=_EDGES)
            values[p] = {
                "keys": keys,
                "counts": np.bincount(key_of_word[focus], minlength=len(keys)),
            }
            key_at[p] = key_of_word
        stats: dict[str, Any] = {"values": values}
        if tags is not None:
            stats["tags"] = _tag_sets(values["amb"]["keys"], key_at["amb"][focus], tags)
        if setup.conjunctions:
            padded_keys = {}
            for p in {p for parts in setup.conjunctions for _, p in parts}:
                keyed = np.where(is_eos, 1, 0)  # _EDGES: *S* is key 0, */S* key 1
                keyed[word_at] = key_at[p][codes]
                padded_keys[p] = keyed
            stats["conjunctions"] = [
                sum_rows(
                    np.stack([padded_keys[p][centre + d] for d, p in parts], axis=1),
                    np.ones(len(centre), dtype=np.int64),
                )
                for parts in setup.conjunctions
            ]
        return stats

    def _checked_tags(self, tokens: Tokens, y: Any) -> list[str]:
        """The tags ``y`` as str, one per token, or a ValueError naming ``y``."""
        if y is None:
            raise ValueError(
                "The 'ambiguity' attribute of WindowVectorizer is learned from the "
                "tags: call fit(X, y) with one tag per token of X."
            )
        tags = np.asarray(y, dtype=object)
        if tags.ndim != 1 or len(tags) != len(tokens):
            raise ValueError(
                "WindowVectorizer: y must hold one tag per token for the "
                f"'ambiguity' attribute; got shape {tags.shape} for {len(tokens)} "
                "tokens."
            )
        return list(map(str, tags.tolist()))

    def _finish(self, stats: dict[str, Any], setup: _Setup) -> dict[str, Any]:
        """The fitted attributes ``fit`` makes, from summed counts.

        Raises EmptyVocabularyError when an attribute has no value over
        ``min_count`` (``fit`` lets it through; ``partial_fit`` keeps the
        counts and stays unfitted).
        """
        values = stats["values"]
        ambiguity: dict[str, str] = {}
        if setup.amb:
            keys, counts = values["amb"]["keys"], values["amb"]["counts"]
            frequent = np.flatnonzero(counts >= self.ambiguity_min_count).tolist()
            tag_sets = stats["tags"]
            ambiguity = {
                w: "+".join(sorted(tag_sets[w]))
                for w in sorted(keys[i] for i in frequent)
            }
        fitted: dict[str, Any] = {
            "slots_": setup.slots,
            "conjunctions_": setup.conjunctions,
            "conjunction_keys_": [],
            "ambiguity_": ambiguity,
        }
        if setup.dense:
            per = self.vectors.dim
            fitted["vocabularies_"] = {}
            fitted["n_features_out_"] = (
                per * len(setup.slots) if self.combination == "concat" else per
            )
            return fitted
        vocabularies: dict[str, Vocabulary] = {}
        key_ids: dict[str, np.ndarray] = {}
        for p in setup.funcs:
            keys, counts = values[p]["keys"], values[p]["counts"]
            if setup.amb and p == "amb":
                # a word's value is its class: sum the words' counts by class
                classes, of_key = factorize(
                    [ambiguity.get(w, RARE) for w in keys[len(_EDGES) :]]
                )
                by_class = np.zeros(len(classes), dtype=np.int64)
                np.add.at(by_class, of_key, counts[len(_EDGES) :])
                totals = Counter(
                    {c: n for c, n in zip(classes, by_class.tolist(), strict=True) if n}
                )
            else:  # (a key seen only in a focus word's context counts 0)
                totals = Counter(
                    {k: c for k, c in zip(keys, counts.tolist(), strict=True) if c}
                )
            vocab = Vocabulary(self.min_count, self.max_size).fit_counts(totals)
            vocabularies[p] = vocab
            if setup.conjunctions:
                table = ambiguity if setup.amb and p == "amb" else None
                key_ids[p] = _key_ids(keys, vocab, table)
        fitted["vocabularies_"] = vocabularies
        for parts, (rows, counts) in zip(
            setup.conjunctions, stats.get("conjunctions", []), strict=True
        ):
            radix = [len(vocabularies[p]) for _, p in parts]
            if float(np.prod(radix, dtype=np.float64)) >= 2.0**62:
                raise ValueError(
                    f"The conjunction {parts!r} has too many possible values "
                    f"({' x '.join(map(str, radix))}) to be coded in 64 bits; "
                    "raise min_count or set max_size."
                )
            code = np.zeros(len(rows), dtype=np.int64)
            for j, (_, p) in enumerate(parts):
                code = code * len(vocabularies[p]) + key_ids[p][rows[:, j]]
            # raw combinations that meet in the vocabularies' ids add up
            keys, of_row = np.unique(code, return_inverse=True)
            totals = np.zeros(len(keys), dtype=np.int64)
            np.add.at(totals, of_row.ravel(), counts)
            keep = totals >= self.min_count
            keys, totals = keys[keep], totals[keep]
            if self.max_size is not None and len(keys) > self.max_size:
                order = np.lexsort((keys, -totals))  # most frequent, then by code
                keys = np.sort(keys[order[: self.max_size]])
            fitted["conjunction_keys_"].append(keys)
        sizes = (
            [len(vocabularies[p]) for _, p in setup.slots]
            if self.combination == "concat"
            else [len(v) for v in vocabularies.values()]
        )
        fitted["n_features_out_"] = sum(sizes) + sum(
            1 + len(keys) for keys in fitted["conjunction_keys_"]
        )
        return fitted

    def _set_fitted(self, fitted: dict[str, Any] | None, stats: dict[str, Any]) -> None:
        """Replace the fitted attributes (None: unfitted) and keep the counts."""
        for name in _FITTED:
            vars(self).pop(name, None)
        if fitted is not None:
            vars(self).update(fitted)
        self._stream = stats

    def _stream_state(
        self, method: str, setup: _Setup, partner: str | None = None
    ) -> dict[str, Any] | None:
        """The counts to continue from (None: a first partial_fit call)."""
        stats = vars(self).get("_stream")
        if stats is not None:
            return stats
        fitted = "slots_" in vars(self)
        if not fitted:
            if partner is None:
                return None
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"WindowVectorizer.merge: {partner} WindowVectorizer is not fitted "
                "(no fit or partial_fit call yet); merge only vectorizers that "
                "counted some tokens."
            )
        # loaded from a model file, which holds the fitted state: the values'
        # counts are the vocabularies' counts, but not the raw combinations of
        # conjunctions nor the words' tags behind the ambiguity classes
        if setup.conjunctions or setup.amb:
            raise ValueError(
                f"WindowVectorizer.{method}: this vectorizer holds no counts to "
                "continue from (a model file saves the vocabularies, not the raw "
                "counts of conjunctions or the tags behind ambiguity classes); fit "
                "it again, or build it with partial_fit to stream or merge."
            )
        values = {}
        for p in setup.counted:
            vocab = vars(self).get("vocabularies_", {}).get(p)
            if vocab is None:
                raise ValueError(
                    f"WindowVectorizer.{method}: this vectorizer has no vocabulary "
                    f"for the attribute {p!r} of its parameters; fit it again."
                )
            saved = vocab.counts_
            keys, codes = factorize(list(saved), first=_EDGES)
            counts = np.zeros(len(keys), dtype=np.int64)
            counts[codes] = np.fromiter(saved.values(), np.int64, len(saved))
            values[p] = {"keys": keys, "counts": counts}
        return {"values": values}

    def _block_sizes(self) -> list[int]:
        if self.combination == "concat":
            return [len(self.vocabularies_[p]) for _, p in self.slots_]
        return [len(self.vocabularies_[p]) for p in self._attribute_order()]

    def _attribute_order(self) -> list[str]:
        """The attributes in block order for a position-free combination.

        The order of the ``attributes`` parameter (as ``fit`` builds
        ``vocabularies_``), never the key order of ``vocabularies_``, which
        a model file does not keep.
        """
        _, funcs = self._slots()
        return list(funcs)

    def transform(
        self, X: Tokens | Iterable[Sequence[str]]
    ) -> sp.csr_matrix | np.ndarray:
        """One row per token of ``X``.

        Parameters
        ----------
        X : Tokens or iterable of sequences of str
            Tokens in their sentences; plain sentences mean all their tokens.

        Returns
        -------
        scipy.sparse.csr_matrix or ndarray of shape (n_tokens, n_features_out_)
            CSR for one-hot (sorted indices, no duplicates), a float array
            for dense.
        """
        check_is_fitted(self)
        tokens = as_tokens(X, type(self).__name__)
        words, word_at, is_eos, centre = _layout(tokens, self.window)
        if self._representation() == "dense":
            return self._dense(words, word_at, is_eos, centre)
        return self._onehot(words, word_at, is_eos, centre)

    def _encode_attribute(
        self,
        prefix: str,
        func: Callable[[str], str],
        words: list[str],
        word_at: np.ndarray,
        is_eos: np.ndarray,
        handle_unknown: str | None = None,
    ) -> np.ndarray:
        """Ids of one attribute over the padded layout (BOS/EOS at the edges)."""
        handle_unknown = handle_unknown or self.handle_unknown
        # word -> id, kept between calls: an attribute is a function of the
        # word, so a word seen before is not computed again.
        tables = derived(
            self,
            "attribute_ids",
            (self.vocabularies_, self.attributes, getattr(self, "ambiguity_", None)),
            dict,
        )
        table = tables.setdefault(prefix, {})
        missing = set(words).difference(table)
        if len(table) + len(missing) > _WORD_TABLE_SIZE:
            table.clear()
            missing = set(words)
        if missing:
            stoi = self.vocabularies_[prefix].stoi_
            for w in missing:
                table[w] = stoi.get(checked_value(func(w), prefix, w), -1)
        ids = np.fromiter(
            map(table.__getitem__, words), dtype=np.int64, count=len(words)
        )
        if (ids < 0).any():
            if handle_unknown == "error":
                bad = words[int(np.flatnonzero(ids < 0)[0])]
                raise unknown_word(
                    func(bad), f"as attribute {prefix!r} of the word {bad!r}"
                )
            ids[ids < 0] = UNK_ID
        out = np.where(is_eos, EOS_ID, BOS_ID)
        out[word_at] = ids
        return out

    def _onehot(
        self,
        words: list[str],
        word_at: np.ndarray,
        is_eos: np.ndarray,
        centre: np.ndarray,
    ) -> sp.csr_matrix:
        _, funcs = self._slots()
        if getattr(self, "conjunctions_", []):
            self._conjunction_parts(funcs)  # functions of conjunction-only attributes
        k = self.window
        n = len(centre)
        encoded = {
            p: self._encode_attribute(p, funcs[p], words, word_at, is_eos)
            for p in self.vocabularies_
        }
        sizes = self._block_sizes()
        block_start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        concat = self.combination == "concat"
        attr_start = dict(
            zip(self._attribute_order(), block_start.tolist(), strict=False)
        )
        pos_w = self._position_weights()
        conjunctions = getattr(self, "conjunctions_", [])
        n_slots = len(self.slots_) + len(conjunctions)
        cols = np.empty((n, n_slots), dtype=np.int64)
        vals = np.empty((n, n_slots), dtype=np.float64)
        for j, (d, p) in enumerate(self.slots_):
            ids = encoded[p][centre + d]
            cols[:, j] = ids + (block_start[j] if concat else attr_start[p])
            vals[:, j] = 1.0 if concat else pos_w[d + k]
            if self.handle_unknown == "ignore":
                vals[ids == UNK_ID, j] = 0.0
        start = int(sum(sizes))
        for j, (parts, keys) in enumerate(
            zip(conjunctions, self.conjunction_keys_, strict=True), len(self.slots_)
        ):
            code = self._conjunction_codes(parts, encoded, centre)
            at = np.searchsorted(keys, code)
            found = at < len(keys)
            found[found] = keys[at[found]] == code[found]
            cols[:, j] = start + np.where(found, at + 1, 0)  # 0: the block's *UNK*
            vals[:, j] = 1.0
            if self.handle_unknown == "ignore":
                vals[~found, j] = 0.0
            start += 1 + len(keys)
        X = sp.csr_matrix(
            (
                vals.ravel(),
                cols.ravel(),
                np.arange(0, n * n_slots + 1, n_slots),
            ),
            shape=(n, self.n_features_out_),
        )
        if not concat:
            X.sum_duplicates()
        X.eliminate_zeros()
        X.sort_indices()
        return X.astype(self.dtype, copy=False)

    def _dense(
        self,
        words: list[str],
        word_at: np.ndarray,
        is_eos: np.ndarray,
        centre: np.ndarray,
    ) -> np.ndarray:
        _, funcs = self._slots()
        [func] = funcs.values()
        wv = self.vectors
        # word -> row, kept between calls (see _encode_attribute)
        table = derived(
            self,
            "vector_rows",
            (wv, wv.vectors, wv.index, wv.handle_unknown, self.attributes),
            dict,
        )
        missing = set(words).difference(table)
        if len(table) + len(missing) > _WORD_TABLE_SIZE:
            table.clear()
            missing = set(words)
        if missing:
            keys = {w: func(w) for w in missing}
            rows_of, _ = wv.row_table(set(keys.values()))
            for w, key in keys.items():
                table[w] = rows_of[key]
        rows = wv.row_table(())[1]
        ids = np.fromiter(
            map(table.__getitem__, words), dtype=np.int64, count=len(words)
        )
        # rows: the vectors plus, at the end, *S* and */S* (zero when absent).
        bos, eos = len(rows) - 2, len(rows) - 1
        padded = np.where(is_eos, eos, bos)
        padded[word_at] = ids
        keep = padded >= 0
        if not keep.all():  # handle_unknown="ignore": the position counts as zero
            padded = np.where(keep, padded, len(rows))
            rows = np.vstack([rows, np.zeros((1, rows.shape[1]), dtype=rows.dtype)])
        k = self.window
        n = len(centre)
        dtype = np.dtype(self.dtype)
        if self.combination == "concat":
            return (
                np.hstack([rows[padded[centre + d]] for d, _ in self.slots_])
                .astype(dtype, copy=False)
                .reshape(n, -1)
            )
        pos_w = self._position_weights()
        out = np.zeros((n, rows.shape[1]), dtype=np.float64)
        for d, _ in self.slots_:
            out += pos_w[d + k] * rows[padded[centre + d]]
        return out.astype(dtype, copy=False)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Column names: ``w[-1]=the`` (concat) or ``w=the`` (position-free).

        Dense columns are ``vec[-1]_0``... (concat) or ``vec_0``...

        Parameters
        ----------
        input_features : ignored
            Present for Pipeline compatibility.

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self)
        names: list[str] = []
        if self._representation() == "dense":
            dim = self.vectors.dim
            if self.combination == "concat":
                for d, _ in self.slots_:
                    names += [f"vec[{_offset_name(d)}]_{i}" for i in range(dim)]
            else:
                names = [f"vec_{i}" for i in range(dim)]
            return np.asarray(names, dtype=object)
        if self.combination == "concat":
            for d, p in self.slots_:
                tag = f"{p}[{_offset_name(d)}]="
                names += [tag + v for v in self.vocabularies_[p].itos_]
            for parts, keys in zip(
                getattr(self, "conjunctions_", []),
                getattr(self, "conjunction_keys_", []),
                strict=True,
            ):
                tag = "|".join(f"{p}[{_offset_name(d)}]" for d, p in parts) + "="
                radix = [len(self.vocabularies_[p]) for _, p in parts]
                ids = np.unravel_index(keys, radix) if len(keys) else [[]] * len(parts)
                values = [
                    [self.vocabularies_[p].itos_[i] for i in part_ids.tolist()]
                    for (_, p), part_ids in zip(parts, ids, strict=True)
                ]
                names.append(tag + UNK)
                names += [tag + "|".join(combo) for combo in zip(*values, strict=True)]
        else:
            for p in self._attribute_order():
                vocab = self.vocabularies_[p]
                names += [f"{p}={v}" for v in vocab.itos_]
        return np.asarray(names, dtype=object)

def _layout(
    tokens: Tokens, k: int
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The sentences of ``tokens`` end to end, with ``k`` edge symbols each side.

    Only the sentences holding the requested tokens are laid out, each once.
    Returns the words in order, the index of each word in the padded layout,
    a mask of the end-of-sentence slots (the other edge slots are begin
    slots), and the index of each token of ``tokens`` in that layout.
    """
    used, inverse = np.unique(tokens.sentence_ids, return_inverse=True)
    sents = [tokens.sentences[s] for s in used.tolist()]
    lengths = np.fromiter(map(len, sents), dtype=np.int64, count=len(sents))
    padded = lengths + 2 * k
    starts = np.cumsum(padded) - padded
    total = int(padded.sum())
    word_at = np.repeat(starts + k, lengths) + (
        np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    )
    is_eos = np.zeros(total, dtype=bool)
    if k:
        tail = (starts + padded)[:, None] - np.arange(1, k + 1)[None, :]
        is_eos[tail.ravel()] = True
    centre = starts[inverse.ravel()] + k + tokens.positions
    return list(chain.from_iterable(sents)), word_at, is_eos, centre


# -- the counts behind fit, partial_fit and merge ---------------------------------
def _tag_sets(
    keys: list[str], key_of_token: np.ndarray, tags: list[str]
) -> dict[str, frozenset[str]]:
    """The tags seen with each key (lower-cased word), from one tag per token.

    Examples
    --------
    >>> tags = _tag_sets(["*S*", "*/S*", "can"], np.array([2, 2]), ["AUX", "VERB"])
    >>> list(tags), sorted(tags["can"])
    (['can'], ['AUX', 'VERB'])
    """
    names, tag_code = factorize(tags)
    if not names:
        return {}
    pairs = np.unique(key_of_token * len(names) + tag_code)
    seen: dict[str, set[str]] = {}
    for k, t in zip(*np.divmod(pairs, len(names)), strict=True):
        seen.setdefault(keys[int(k)], set()).add(names[int(t)])
    return {w: frozenset(ts) for w, ts in seen.items()}


def _key_ids(
    keys: list[str], vocab: Vocabulary, ambiguity: dict[str, str] | None
) -> np.ndarray:
    """The vocabulary id of each key (the edges at 0 and 1, an unknown as UNK).

    With ``ambiguity`` the keys are lower-cased words and their value is
    their class (``*RARE*`` for a word without one).
    """
    words = keys[len(_EDGES) :]
    if ambiguity is not None:
        words = [ambiguity.get(w, RARE) for w in words]
    ids = np.empty(len(keys), dtype=np.int64)
    ids[: len(_EDGES)] = (BOS_ID, EOS_ID)
    ids[len(_EDGES) :] = np.fromiter(
        map(vocab.stoi_.get, words, repeat(UNK_ID)), np.int64, len(words)
    )
    return ids


def _add_stats(
    a: dict[str, Any], b: dict[str, Any], setup: _Setup
) -> dict[str, Any]:
    """The sum of two chunks' counts (associative and commutative).

    The keys of ``b`` are mapped into those of ``a``; each conjunction's rows
    (keys of its parts) follow them and equal rows add up.
    """
    if a["values"].keys() != b["values"].keys() or ("tags" in a) != ("tags" in b):
        raise ValueError(
            "WindowVectorizer.merge: the two hold counts of different attributes; "
            "they were fitted with different parameters."
        )
    values: dict[str, dict[str, Any]] = {}
    codes: dict[str, np.ndarray] = {}
    for p, mine in a["values"].items():
        theirs = b["values"][p]
        keys, code = factorize(theirs["keys"], first=mine["keys"])
        values[p] = {
            "keys": keys,
            "counts": add_counts(mine["counts"], theirs["counts"], code, len(keys)),
        }
        codes[p] = code
    out: dict[str, Any] = {"values": values}
    if "tags" in a:
        tags = dict(a["tags"])
        for w, ts in b["tags"].items():
            tags[w] = tags[w] | ts if w in tags else ts
        out["tags"] = tags
    if setup.conjunctions:
        out["conjunctions"] = []
        for parts, (rows_a, counts_a), (rows_b, counts_b) in zip(
            setup.conjunctions, a["conjunctions"], b["conjunctions"], strict=True
        ):
            moved = np.stack(
                [codes[p][rows_b[:, j]] for j, (_, p) in enumerate(parts)], axis=1
            ).reshape(len(rows_b), len(parts))
            out["conjunctions"].append(
                sum_rows(
                    np.concatenate([rows_a, moved]), np.concatenate([counts_a, counts_b])
                )
            )
    return out
