"""The window features around each focus word: :class:`WindowVectorizer`.

:class:`WindowVectorizer` turns tokens (:class:`~textfeat.windows.Tokens`)
into one row each, from the attributes
(:mod:`textfeat.windows.attributes`) of the words at relative positions
``-k..k`` (Goldberg, ch. 8: windows around a focus word). Positions beyond a
sentence edge hold the begin/end symbols ``*S*`` and ``*/S*``, so every
token has a full window.

The module is longer than the others (about 700 lines) because it holds one
estimator with thirteen parameters: its docstring alone is some 180 lines,
and the one-hot, conjunction and dense encodings share the padded layout
and the per-word tables, so they stay together.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain
from numbers import Integral
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from textfeat._cache import derived
from textfeat._compat import Interval, StrOptions, fit_context
from textfeat._validation import text_step_tags
from textfeat.text._unknown import ID_POLICIES, unknown_word
from textfeat.text.vocab import BOS_ID, EOS_ID, UNK, UNK_ID, Vocabulary
from textfeat.windows.attributes import RARE, checked_value, resolve_attribute
from textfeat.windows.tokens import Tokens, as_tokens

__all__ = ["WindowVectorizer"]

#: Words whose attribute ids (or vector rows) a fitted WindowVectorizer
#: remembers between calls, per attribute; the table is emptied past this.
_WORD_TABLE_SIZE = 200_000


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

    # -- fit / transform ---------------------------------------------------------
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
        np.dtype(self.dtype)
        slots, funcs = self._slots()
        self._position_weights()  # a bad `weights` fails here
        self.slots_ = slots
        self.conjunctions_ = self._conjunction_parts(funcs)
        self.conjunction_keys_ = []
        self.ambiguity_ = {}
        if funcs.get("amb") == self._ambiguity_of:
            self.ambiguity_ = self._fit_ambiguity(tokens, y)
        if self._representation(warn=True) == "dense":
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
            self.vocabularies_ = {}
            per = self.vectors.dim
            self.n_features_out_ = (
                per * len(slots) if self.combination == "concat" else per
            )
            return self
        counts: Counter[str] = Counter(tokens.words)
        self.vocabularies_ = {}
        for prefix, func in funcs.items():
            values: Counter[str] = Counter()
            for w, c in counts.items():
                values[checked_value(func(w), prefix, w)] += c
            self.vocabularies_[prefix] = Vocabulary(
                self.min_count, self.max_size
            ).fit_counts(values)
        if self.conjunctions_:
            self._fit_conjunctions(tokens, funcs)
        self.n_features_out_ = sum(self._block_sizes()) + sum(
            1 + len(keys) for keys in self.conjunction_keys_
        )
        return self

    def _fit_conjunctions(
        self, tokens: Tokens, funcs: dict[str, Callable[[str], str]]
    ) -> None:
        """Keep the combinations seen at least ``min_count`` times (``max_size``)."""
        words, word_at, is_eos, centre = _layout(tokens, self.window)
        needed = {p for parts in self.conjunctions_ for _, p in parts}
        encoded = {
            p: self._encode_attribute(
                p, funcs[p], words, word_at, is_eos, handle_unknown="unk"
            )
            for p in needed
        }
        for parts in self.conjunctions_:
            radix = [len(self.vocabularies_[p]) for _, p in parts]
            if float(np.prod(radix, dtype=np.float64)) >= 2.0**62:
                raise ValueError(
                    f"The conjunction {parts!r} has too many possible values "
                    f"({' x '.join(map(str, radix))}) to be coded in 64 bits; "
                    "raise min_count or set max_size."
                )
            keys, counts = np.unique(
                self._conjunction_codes(parts, encoded, centre), return_counts=True
            )
            keep = counts >= self.min_count
            keys, counts = keys[keep], counts[keep]
            if self.max_size is not None and len(keys) > self.max_size:
                order = np.lexsort((keys, -counts))  # most frequent, then by code
                keys = np.sort(keys[order[: self.max_size]])
            self.conjunction_keys_.append(keys)

    def _fit_ambiguity(self, tokens: Tokens, y: Any) -> dict[str, str]:
        """Lower-cased word -> the tags seen with it, joined by ``+``."""
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
        lower = [w.lower() for w in tokens.words]
        counts = Counter(lower)
        seen: dict[str, set[str]] = {}
        for w, t in zip(lower, tags.tolist(), strict=True):
            if counts[w] >= self.ambiguity_min_count:
                seen.setdefault(w, set()).add(str(t))
        return {w: "+".join(sorted(ts)) for w, ts in sorted(seen.items())}

    def _block_sizes(self) -> list[int]:
        if self.combination == "concat":
            return [len(self.vocabularies_[p]) for _, p in self.slots_]
        return [len(v) for v in self.vocabularies_.values()]

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
        attr_start = dict(zip(self.vocabularies_, block_start.tolist(), strict=False))
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
            for p, vocab in self.vocabularies_.items():
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
