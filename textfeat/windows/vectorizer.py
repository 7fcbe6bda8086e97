"""Token-level samples and the window features around each focus word.

Tagging has one sample per token. :class:`Tokens` is the container for that:
one element per token, each keeping a reference to its whole sentence and
its position in it, so that scikit-learn can index it (cross-validation,
``GroupKFold`` on sentence ids, ``GridSearchCV``) and the window of every
token still sees its neighbours after a split.

:class:`WindowVectorizer` turns those tokens into one row each, from the
attributes of the words at relative positions ``-k..k`` (Goldberg, ch. 8:
windows around a focus word). Positions beyond a sentence edge hold the
begin/end symbols ``*S*`` and ``*/S*``, so every token has a full window.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from numbers import Integral
from typing import Any, NamedTuple, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from textfeat._cache import derived
from textfeat._compat import Interval, StrOptions, fit_context
from textfeat._validation import check_token_lists, text_step_tags
from textfeat.text.signatures import goldberg_signature
from textfeat.text.vocab import BOS_ID, EOS_ID, UNK, UNK_ID, Vocabulary

__all__ = ["ATTRIBUTES", "RARE", "Token", "Tokens", "WindowVectorizer", "word_shape"]


# -- the token-level container ---------------------------------------------
class Token(NamedTuple):
    """One token in its sentence: the element type of :class:`Tokens`.

    Attributes
    ----------
    sentence : tuple of str
        The whole sentence.
    position : int
        Index of the token in ``sentence``.

    Examples
    --------
    >>> tok = Token(("the", "cat", "sat"), 1)
    >>> tok.word, tok.sentence[tok.position + 1]
    ('cat', 'sat')
    """

    sentence: tuple[str, ...]
    position: int

    @property
    def word(self) -> str:
        """The token itself, ``sentence[position]``."""
        return self.sentence[self.position]


class Tokens:
    """Tokens in their sentences, one element per token, indexable like an array.

    Built from sentences (lists of words), it holds one element per word of
    every sentence, in order. Indexing with an int gives a :class:`Token`;
    indexing with a slice, a list or array of ints, or a boolean mask gives
    a new ``Tokens`` that shares the sentences, so a train/test split keeps
    the whole sentence of every token and windows see their context. It has
    a ``shape`` so that scikit-learn indexes it as an array
    (``_safe_indexing``), which is what ``cross_val_score``,
    ``GridSearchCV`` and every splitter do.

    Parameters
    ----------
    sentences : iterable of sequences of str
        The sentences (token lists). They are stored once, as tuples.

    Attributes
    ----------
    sentences : tuple of tuples of str
        Every sentence, shared by all subsets.
    sentence_ids : ndarray of int64
        Index in ``sentences`` of each element's sentence: the ``groups``
        for ``GroupKFold`` so that no sentence is split between folds.
    positions : ndarray of int64
        Position of each element in its sentence.

    Examples
    --------
    >>> toks = Tokens([["the", "cat", "sat"], ["hi"]])
    >>> len(toks), toks.words
    (4, ['the', 'cat', 'sat', 'hi'])
    >>> toks[1]
    Token(sentence=('the', 'cat', 'sat'), position=1)
    >>> sub = toks[[2, 3]]
    >>> sub.words, sub.sentence_ids.tolist(), sub[0].sentence
    (['sat', 'hi'], [0, 1], ('the', 'cat', 'sat'))
    >>> toks.align([["D", "N", "V"], ["I"]]).tolist()
    ['D', 'N', 'V', 'I']
    """

    __slots__ = ("_lengths", "positions", "sentence_ids", "sentences")

    def __init__(self, sentences: Iterable[Sequence[str]]) -> None:
        docs = check_token_lists(sentences, step="Tokens")
        self.sentences: tuple[tuple[str, ...], ...] = tuple(map(tuple, docs))
        lengths = np.fromiter(
            map(len, self.sentences), dtype=np.int64, count=len(self.sentences)
        )
        self._lengths = lengths
        self.sentence_ids = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        starts = np.cumsum(lengths) - lengths
        self.positions = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(
            starts, lengths
        )

    @classmethod
    def _subset(cls, parent: Tokens, sel: Any) -> Tokens:
        new = cls.__new__(cls)
        new.sentences = parent.sentences
        new._lengths = parent._lengths
        new.sentence_ids = parent.sentence_ids[sel]
        new.positions = parent.positions[sel]
        return new

    # -- sequence protocol ------------------------------------------------
    def __len__(self) -> int:
        return len(self.positions)

    @property
    def shape(self) -> tuple[int]:
        """``(len(self),)``: one sample per token."""
        return (len(self.positions),)

    @property
    def ndim(self) -> int:
        """1: a sequence of samples."""
        return 1

    def __getitem__(self, key: Any) -> Token | Tokens:
        if isinstance(key, tuple):  # scikit-learn indexes arrays as X[key, ...]
            rest = [k for k in key[1:] if k is not Ellipsis]
            if rest or not key:
                raise IndexError("Tokens is one-dimensional; index it with one key.")
            key = key[0]
        if isinstance(key, Integral | np.integer) and not isinstance(key, bool):
            i = int(key)
            if not -len(self) <= i < len(self):
                raise IndexError(f"index {i} is out of range for {len(self)} tokens.")
            return Token(self.sentences[self.sentence_ids[i]], int(self.positions[i]))
        if isinstance(key, slice):
            return self._subset(self, key)
        sel = np.asarray(key)
        if sel.dtype == bool:
            if sel.shape != (len(self),):
                raise IndexError(
                    f"boolean index of shape {sel.shape} for {len(self)} tokens."
                )
        elif sel.size == 0:
            sel = sel.astype(np.int64)
        elif sel.dtype.kind not in "iu":
            raise IndexError(
                "Tokens can be indexed with an int, a slice, integer indices or a "
                f"boolean mask; got an array of dtype {sel.dtype}."
            )
        return self._subset(self, sel)

    def __iter__(self) -> Iterator[Token]:
        sents = self.sentences
        for s, p in zip(
            self.sentence_ids.tolist(), self.positions.tolist(), strict=True
        ):
            yield Token(sents[s], p)

    def __repr__(self) -> str:
        return (
            f"<Tokens: {len(self)} tokens of {len(np.unique(self.sentence_ids))} "
            f"sentences>"
        )

    # -- views -------------------------------------------------------------
    @property
    def words(self) -> list[str]:
        """The tokens themselves, in order."""
        sents = self.sentences
        return [
            sents[s][p]
            for s, p in zip(
                self.sentence_ids.tolist(), self.positions.tolist(), strict=True
            )
        ]

    def align(self, per_sentence: Sequence[Sequence[Any]]) -> np.ndarray:
        """Pick, for each element, its value from per-sentence lists (tags -> ``y``).

        Parameters
        ----------
        per_sentence : sequence of sequences
            One list per sentence of :attr:`sentences`, as long as it (the
            tags of the words).

        Returns
        -------
        ndarray
            ``per_sentence[sentence_ids[i]][positions[i]]`` for each ``i``.

        Raises
        ------
        ValueError
            If the number of lists or the length of one differs from the
            sentences.
        """
        if len(per_sentence) != len(self.sentences):
            raise ValueError(
                f"align: got {len(per_sentence)} lists for {len(self.sentences)} "
                "sentences."
            )
        for i, (vals, sent) in enumerate(
            zip(per_sentence, self.sentences, strict=True)
        ):
            if len(vals) != len(sent):
                raise ValueError(
                    f"align: list at index {i} has {len(vals)} values for a sentence "
                    f"of {len(sent)} tokens."
                )
        flat = np.asarray(list(chain.from_iterable(per_sentence)))
        starts = np.cumsum(self._lengths) - self._lengths
        return flat[starts[self.sentence_ids] + self.positions]


# -- attributes --------------------------------------------------------------
_SHAPE_MAP = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "X" * 26 + "x" * 26 + "d" * 10,
)
_RUNS = re.compile(r"(.)\1{3,}")
_NUMBER = re.compile(r"[+\-]?(?:\d+(?:[.,:/]\d+)*|[.,]\d+)")


def word_shape(word: str) -> str:
    """Shape of ``word``: ``X`` upper case, ``x`` lower case, ``d`` digit.

    Other characters are kept; runs longer than four are cut to four, so
    ``"Gorbachev"`` and ``"Reagan"`` share a shape.

    Parameters
    ----------
    word : str

    Returns
    -------
    str

    Examples
    --------
    >>> [word_shape(w) for w in ["Gorbachev", "B-52", "1,000.00", "e-mail"]]
    ['Xxxxx', 'X-dd', 'd,ddd.dd', 'x-xxxx']
    """
    shape = word.translate(_SHAPE_MAP)
    if not shape.isascii():
        shape = "".join(
            "X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c
            for c in shape
        )
    return _RUNS.sub(r"\1\1\1\1", shape)


def _flag(test: Callable[[str], bool]) -> Callable[[str], str]:
    return lambda w: "1" if test(w) else "0"


#: Built-in attributes: name -> (feature-name prefix, function of the word).
#: ``prefix<n>`` and ``suffix<n>`` (first / last ``n`` characters, for any
#: ``n`` from 1 to 9) are recognised too.
ATTRIBUTES: dict[str, tuple[str, Callable[[str], str]]] = {
    "word": ("w", str),
    "lower": ("lower", str.lower),
    "signature": ("sig", goldberg_signature),
    "shape": ("shape", word_shape),
    "is_number": ("is_number", _flag(lambda w: _NUMBER.fullmatch(w) is not None)),
    "is_title": ("is_title", _flag(str.istitle)),
    "is_upper": ("is_upper", _flag(str.isupper)),
    "has_digit": ("has_digit", _flag(lambda w: any(c.isdigit() for c in w))),
    "has_hyphen": ("has_hyphen", _flag(lambda w: "-" in w)),
}
_AFFIX = re.compile(r"(prefix|suffix)([1-9])")
#: Value of the ``"ambiguity"`` attribute for words seen too rarely in fit.
RARE = "*RARE*"
#: Words whose attribute ids (or vector rows) a fitted WindowVectorizer
#: remembers between calls, per attribute; the table is emptied past this.
_WORD_TABLE_SIZE = 200_000


def _resolve_attribute(spec: Any) -> tuple[str, Callable[[str], str]]:
    """(feature-name prefix, function) of one attribute spec."""
    if isinstance(spec, tuple) and len(spec) == 2 and callable(spec[1]):
        return str(spec[0]), spec[1]
    if isinstance(spec, str):
        if spec in ATTRIBUTES:
            return ATTRIBUTES[spec]
        m = _AFFIX.fullmatch(spec)
        if m:
            n = int(m.group(2))
            if m.group(1) == "prefix":
                return spec, lambda w: w[:n]
            return spec, lambda w: w[-n:]
    raise ValueError(
        "Each attribute of WindowVectorizer must be one of "
        f"{sorted(ATTRIBUTES)}, 'prefix<n>' or 'suffix<n>' (n in 1..9), or a "
        f"(name, function) pair. Got {spec!r} instead."
    )


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

    With ``encoding="onehot"`` each attribute has its own
    :class:`~textfeat.Vocabulary` learned in ``fit`` and the output is CSR.
    With ``encoding="dense"`` each position is the vector of its word in
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
        1: ["word"]}``. Dense encoding takes exactly one attribute (the
        string looked up in ``vectors``, ``"word"`` or ``"lower"``).
    combination : {"concat", "sum", "mean", "weighted"}, default="concat"
        How the positions are combined (see above).
    weights : array-like of shape (2k + 1,) or None, default=None
        Weight of each position from ``-k`` to ``k`` for ``"weighted"``.
        None gives word2vec's expected dynamic-window weights: 1 for the
        focus and ``(k + 1 - |d|) / k`` at distance ``d``, decaying to
        ``1 / k`` at the window's edge.
    encoding : {"onehot", "dense"}, default="onehot"
        Sparse one-hot columns, or dense word vectors.
    vectors : WordVectors or None, default=None
        The vectors for ``encoding="dense"``.
    min_count : int, default=1
        One-hot: attribute values seen fewer times in ``fit`` become
        ``*UNK*``.
    max_size : int or None, default=None
        One-hot: keep at most this many values per attribute.
    handle_unknown : {"unk", "ignore", "error"}, default="unk"
        One-hot: a value not in its vocabulary fires the ``*UNK*`` column
        of its block, fires nothing, or raises ``ValueError``.
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
        "encoding": [StrOptions({"onehot", "dense"})],
        "vectors": "no_validation",
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "max_size": [Interval(Integral, 1, None, closed="left"), None],
        "handle_unknown": [StrOptions({"unk", "ignore", "error"})],
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
        encoding: str = "onehot",
        vectors: Any = None,
        min_count: int = 1,
        max_size: int | None = None,
        handle_unknown: str = "unk",
        dtype: Any = np.float64,
        conjunctions: Sequence[Sequence[tuple[int, Any]]] | None = None,
        ambiguity_min_count: int = 5,
    ) -> None:
        self.window = window
        self.attributes = attributes
        self.combination = combination
        self.weights = weights
        self.encoding = encoding
        self.vectors = vectors
        self.min_count = min_count
        self.max_size = max_size
        self.handle_unknown = handle_unknown
        self.dtype = dtype
        self.conjunctions = conjunctions
        self.ambiguity_min_count = ambiguity_min_count

    def __sklearn_tags__(self) -> Any:
        return text_step_tags(super().__sklearn_tags__())

    # -- parameters ----------------------------------------------------------
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
            prefix, func = _resolve_attribute(spec)
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
        if self.encoding != "onehot" or self.combination != "concat":
            raise ValueError(
                "The 'conjunctions' parameter of WindowVectorizer needs "
                "encoding='onehot' and combination='concat'; got encoding="
                f"{self.encoding!r} and combination={self.combination!r}."
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
        tokens = _as_tokens(X, type(self).__name__)
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
        if self.encoding == "dense":
            from textfeat.dense.vectors import WordVectors

            if not isinstance(self.vectors, WordVectors):
                raise ValueError(
                    "The 'vectors' parameter of WindowVectorizer must be a "
                    "WordVectors for encoding='dense'. Got "
                    f"{type(self.vectors).__name__} instead."
                )
            if len(funcs) != 1:
                raise ValueError(
                    "encoding='dense' takes exactly one attribute (the string "
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
                values[_checked(func(w), prefix, w)] += c
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
        tokens = _as_tokens(X, type(self).__name__)
        words, word_at, is_eos, centre = _layout(tokens, self.window)
        if self.encoding == "dense":
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
                table[w] = stoi.get(_checked(func(w), prefix, w), -1)
        ids = np.fromiter(
            map(table.__getitem__, words), dtype=np.int64, count=len(words)
        )
        if (ids < 0).any():
            if handle_unknown == "error":
                bad = words[int(np.flatnonzero(ids < 0)[0])]
                raise ValueError(
                    f"unknown value {func(bad)!r} of attribute {prefix!r} (word "
                    f"{bad!r}) with handle_unknown='error'."
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
            rows_of, _ = wv._lookup_table(set(keys.values()))
            for w, key in keys.items():
                table[w] = rows_of[key]
        rows = wv._lookup_table(())[1]
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
        if self.encoding == "dense":
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


def _checked(value: Any, prefix: str, word: str) -> str:
    if not isinstance(value, str):
        raise TypeError(
            f"attribute {prefix!r} returned {type(value).__name__} ({value!r}) for "
            f"the word {word!r}; attribute functions must return strings."
        )
    return value


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


def _as_tokens(X: Any, step: str) -> Tokens:
    if isinstance(X, Tokens):
        return X
    return Tokens(check_token_lists(X, step=step))
