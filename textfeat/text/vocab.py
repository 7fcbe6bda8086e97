"""The vocabulary and the special symbols shared by every textfeat component.

The four special symbols have fixed, distinct ids in every vocabulary, so a
padding id can never be mistaken for an unknown word, and any component can
refer to them without looking them up:

=======  ========  ====
name     symbol    id
=======  ========  ====
PAD      ``*PAD*``   0
UNK      ``*UNK*``   1
BOS      ``*S*``     2
EOS      ``*/S*``    3
=======  ========  ====
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from itertools import chain, repeat
from numbers import Integral
from typing import Literal, Self

import numpy as np

from textfeat._compat import Interval, StrOptions
from textfeat.text._documents import document_index, offsets_of
from textfeat.text._unknown import ID_POLICIES, UnknownWordError, unknown_word

__all__ = [
    "BOS",
    "BOS_ID",
    "EOS",
    "EOS_ID",
    "PAD",
    "PAD_ID",
    "SPECIALS",
    "UNK",
    "UNK_ID",
    "VOCABULARY_CONSTRAINTS",
    "UnknownWordError",
    "Vocabulary",
    "check_merge_partner",
    "check_stream_params",
    "count_tokens",
    "fixed_vocabulary",
]

PAD = "*PAD*"
UNK = "*UNK*"
BOS = "*S*"
EOS = "*/S*"
#: The special symbols in id order: ``SPECIALS[PAD_ID] == PAD`` and so on.
SPECIALS: tuple[str, ...] = (PAD, UNK, BOS, EOS)
PAD_ID, UNK_ID, BOS_ID, EOS_ID = range(len(SPECIALS))

#: The unknown-word policies of a word -> id mapping (see textfeat.text._unknown).
HandleUnknown = Literal["unk", "ignore", "error"]

#: Parameter constraints shared by every step that builds a Vocabulary, so
#: that ``min_count``, ``max_size`` and ``handle_unknown`` mean one thing.
VOCABULARY_CONSTRAINTS: dict[str, list[object]] = {
    "min_count": [Interval(Integral, 1, None, closed="left")],
    "max_size": [Interval(Integral, 1, None, closed="left"), None],
    "handle_unknown": [StrOptions(set(ID_POLICIES))],
}

class EmptyVocabularyError(ValueError):
    """No token passes the cut-offs (``min_count``, ``min_df``...) of a fit.

    ``partial_fit`` catches it: the counts are kept and the step has no
    vocabulary (it is not fitted) until a later chunk brings a token over
    the cut-offs.
    """


#: Sentinel id for a token that is not in the vocabulary.
_MISSING = -1


class Vocabulary(Mapping[str, int]):
    """A token <-> id mapping with counts, a frequency cut-off and fixed specials.

    Ids ``0..3`` are always ``PAD``, ``UNK``, ``BOS``, ``EOS``. Regular tokens
    follow, most frequent first, ties broken by the token's code points, so
    the order is the same whatever order the documents come in. A special
    symbol met in the data (for example ``*UNK*`` written by
    :class:`~textfeat.WordDropout`) is counted but keeps its fixed id.

    Parameters
    ----------
    min_count : int, default=1
        Keep tokens seen at least this many times.
    max_size : int or None, default=None
        Keep at most this many regular tokens (the four specials come on
        top), the most frequent ones.

    Streaming: :meth:`partial_fit` adds the counts of one chunk of documents
    and rebuilds the mapping, and :meth:`merge` returns a new vocabulary
    built from the summed counts of two (fitted on independent chunks, by
    any workers). Both give exactly the vocabulary ``fit`` gives on all the
    documents, whatever the chunking or merge order. A vocabulary from
    :func:`fixed_vocabulary` has no counts and refuses both.

    Attributes
    ----------
    counts_ : collections.Counter
        Counts of every token seen in ``fit``, kept or not.
    itos_ : list of str
        Token of each id (``itos_[i]``).
    stoi_ : dict of str to int
        Id of each token.

    Examples
    --------
    >>> vocab = Vocabulary().fit([["the", "cat"], ["the", "dog"]])
    >>> vocab.itos_
    ['*PAD*', '*UNK*', '*S*', '*/S*', 'the', 'cat', 'dog']
    >>> vocab["the"], len(vocab)
    (4, 7)
    >>> vocab.lookup_ids(["the", "emu"]).tolist()
    [4, 1]
    >>> vocab.lookup_tokens([5, 0])
    ['cat', '*PAD*']
    >>> part = Vocabulary().partial_fit([["the", "cat"]]).partial_fit([["the", "dog"]])
    >>> part == vocab
    True
    >>> Vocabulary().fit([["the", "cat"]]).merge(Vocabulary().fit([["the", "dog"]])) == vocab
    True
    """

    def __init__(self, min_count: int = 1, max_size: int | None = None) -> None:
        self.min_count = min_count
        self.max_size = max_size

    def __repr__(self) -> str:
        size = f", size={len(self.itos_)}" if hasattr(self, "itos_") else ""
        return (
            f"Vocabulary(min_count={self.min_count!r}, "
            f"max_size={self.max_size!r}{size})"
        )

    # -- building ---------------------------------------------------------
    def fit(self, docs: Iterable[Sequence[str]]) -> Self:
        """Count the tokens of ``docs`` and build the mapping.

        Parameters
        ----------
        docs : iterable of sequences of str
            Tokenized documents.

        Returns
        -------
        self : Vocabulary

        Raises
        ------
        ValueError
            If no regular token is seen at least ``min_count`` times.
        """
        return self.fit_counts(count_tokens(docs))

    def partial_fit(self, docs: Iterable[Sequence[str]]) -> Self:
        """Add the token counts of one chunk ``docs`` and rebuild the mapping.

        The first call (on an unfitted vocabulary) starts from no counts; a
        vocabulary fitted by ``fit`` continues from its ``counts_``.

        Parameters
        ----------
        docs : iterable of sequences of str
            One chunk of tokenized documents.

        Returns
        -------
        self : Vocabulary

        Raises
        ------
        ValueError
            If ``min_count`` or ``max_size`` changed since the counting
            started, or if the vocabulary is a fixed one (no counts).

        Notes
        -----
        While no token reaches ``min_count`` (where ``fit`` raises), the
        counts are kept and the vocabulary is not built (lookups raise
        ``NotFittedError``) until a later chunk brings one over it.
        """
        check_stream_params(self, ("min_count", "max_size"), "partial_fit")
        counts = self._stream_counts("partial_fit")
        counts.update(count_tokens(docs))
        try:
            return self.fit_counts(counts)
        except EmptyVocabularyError:
            self.counts_ = counts
            for name in ("itos_", "stoi_"):
                vars(self).pop(name, None)
            return self

    def merge(self, other: Vocabulary) -> Vocabulary:
        """A new vocabulary built from the summed counts of ``self`` and ``other``.

        Associative and commutative: merging the vocabularies of any split
        of a corpus, in any order, gives the vocabulary of ``fit`` on it.

        Parameters
        ----------
        other : Vocabulary
            A vocabulary fitted (or partially fitted) with the same
            ``min_count`` and ``max_size``.

        Returns
        -------
        Vocabulary
            A new fitted vocabulary; ``self`` and ``other`` are unchanged.
        """
        check_merge_partner(self, other, ("min_count", "max_size"))
        counts = self._stream_counts("merge") + other._stream_counts("merge")
        return Vocabulary(self.min_count, self.max_size).fit_counts(counts)

    def _stream_counts(self, method: str) -> Counter[str]:
        """A copy of the counts to continue from (empty when unfitted)."""
        if not hasattr(self, "itos_") and not hasattr(self, "counts_"):
            return Counter()
        if hasattr(self, "itos_") and not self.counts_:
            raise ValueError(
                f"Vocabulary.{method}: this vocabulary is a fixed one (built "
                "from a 'vocabulary' parameter, without counts); only a "
                "vocabulary learned from documents can be updated or merged."
            )
        return Counter(self.counts_)

    def fit_counts(
        self, counts: Mapping[str, int], keep: Container[str] | None = None
    ) -> Self:
        """Build the mapping from token counts instead of documents.

        Parameters
        ----------
        counts : mapping of str to int
            Token counts, for example merged from several shards.
        keep : container of str or None, default=None
            If given, only these tokens may enter the vocabulary (a caller's
            own filter, such as a document-frequency cut-off); ``counts_``
            still holds every count.

        Returns
        -------
        self : Vocabulary

        Examples
        --------
        >>> Vocabulary(min_count=2).fit_counts({"a": 3, "b": 1, "c": 2}).itos_[4:]
        ['a', 'c']
        """
        _check_min_count(self.min_count, "Vocabulary")
        if self.max_size is not None and (
            not isinstance(self.max_size, Integral) or self.max_size < 1
        ):
            raise ValueError(
                "The 'max_size' parameter of Vocabulary must be an int >= 1 or "
                f"None. Got {self.max_size!r} instead."
            )
        self.counts_ = counts if type(counts) is Counter else Counter(counts)
        self._stream_params = {"min_count": self.min_count, "max_size": self.max_size}
        specials = set(SPECIALS)
        min_count = self.min_count
        if min_count > 1:
            kept = [t for t, c in self.counts_.items() if c >= min_count]
        else:
            kept = list(self.counts_)
        if keep is not None:
            kept = list(filter(keep.__contains__, kept))
        if specials & self.counts_.keys():
            kept = [t for t in kept if t not in specials]
        if not kept:
            most = max(
                (c for t, c in self.counts_.items() if t not in specials), default=0
            )
            raise EmptyVocabularyError(
                f"Empty vocabulary: no token occurs at least min_count="
                f"{self.min_count} times (the most frequent occurs {most} "
                "times). Lower min_count or give more text."
            )
        # Count descending, ties by code points: sort by token, then a stable
        # sort by count (reverse=True keeps equal counts in token order).
        kept.sort()
        kept.sort(key=self.counts_.__getitem__, reverse=True)
        if self.max_size is not None:
            kept = kept[: self.max_size]
        self.itos_ = [*SPECIALS, *kept]
        self.stoi_ = {tok: i for i, tok in enumerate(self.itos_)}
        return self

    # -- Mapping interface -----------------------------------------------
    def __getitem__(self, token: str) -> int:
        return self._fitted_stoi()[token]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fitted_itos())

    def __len__(self) -> int:
        return len(self._fitted_itos())

    def __contains__(self, token: object) -> bool:
        return token in self._fitted_stoi()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return getattr(self, "itos_", None) == getattr(other, "itos_", None)

    __hash__ = None  # type: ignore[assignment]

    def _fitted_stoi(self) -> dict[str, int]:
        try:
            return self.stoi_
        except AttributeError:
            raise _not_fitted() from None

    def _fitted_itos(self) -> list[str]:
        try:
            return self.itos_
        except AttributeError:
            raise _not_fitted() from None

    # -- lookups ---------------------------------------------------------
    def lookup_ids(
        self, tokens: Iterable[str], handle_unknown: HandleUnknown = "unk"
    ) -> np.ndarray:
        """Ids of ``tokens`` as an ``int64`` array.

        Parameters
        ----------
        tokens : iterable of str
            The tokens, in order.
        handle_unknown : {"unk", "ignore", "error"}, default="unk"
            What an unknown token becomes: the ``UNK`` id, nothing (dropped),
            or an :class:`~textfeat.UnknownWordError` (a ``ValueError`` and a
            ``KeyError``) naming the token.

        Returns
        -------
        ndarray of int64

        Examples
        --------
        >>> vocab = Vocabulary().fit([["a", "b"]])
        >>> vocab.lookup_ids(["b", "zzz", "a"], handle_unknown="ignore").tolist()
        [5, 4]
        """
        tokens = list(tokens)
        return resolve_unknown(self._raw_ids(tokens), handle_unknown, tokens)

    def _raw_ids(self, tokens: Iterable[str]) -> np.ndarray:
        """Ids with ``-1`` for tokens not in the vocabulary (vectorised lookup)."""
        get = self._fitted_stoi().get
        return np.fromiter(map(get, tokens, repeat(_MISSING)), dtype=np.int64)

    def lookup_tokens(self, ids: Iterable[int]) -> list[str]:
        """Tokens of ``ids``.

        Parameters
        ----------
        ids : iterable of int
            Ids in ``range(len(self))``.

        Returns
        -------
        list of str

        Examples
        --------
        >>> Vocabulary().fit([["a"]]).lookup_tokens([4, 1])
        ['a', '*UNK*']
        """
        itos = self._fitted_itos()
        out = []
        for i in ids:
            if not 0 <= int(i) < len(itos):
                raise IndexError(
                    f"id {int(i)} is out of range for a vocabulary of {len(itos)}."
                )
            out.append(itos[int(i)])
        return out

    def encode_documents(
        self, docs: Sequence[Sequence[str]], handle_unknown: HandleUnknown = "unk"
    ) -> tuple[np.ndarray, np.ndarray]:
        """Ids of all documents at once, and each document's start offset.

        One C-level pass over all tokens; document ``i`` is
        ``ids[offsets[i]:offsets[i + 1]]``.

        Parameters
        ----------
        docs : sequence of sequences of str
            Tokenized documents.
        handle_unknown : {"unk", "ignore", "error"}, default="unk"
            As in :meth:`lookup_ids`.

        Returns
        -------
        ids : ndarray of int64
        offsets : ndarray of int64, shape (len(docs) + 1,)

        Examples
        --------
        >>> vocab = Vocabulary().fit([["a", "b"]])
        >>> ids, offsets = vocab.encode_documents([["a", "x"], [], ["b"]], "ignore")
        >>> ids.tolist(), offsets.tolist()
        ([4, 5], [0, 1, 1, 2])
        """
        offsets = offsets_of(docs)
        ids = self._raw_ids(chain.from_iterable(docs))
        missing = ids == _MISSING
        if not missing.any():
            return ids, offsets
        if handle_unknown == "ignore":
            doc_of = document_index(offsets)
            lengths = np.bincount(doc_of[~missing], minlength=len(docs))
            np.cumsum(lengths, out=offsets[1:])
            ids = ids[~missing]
        elif handle_unknown == "error":
            pos = int(np.flatnonzero(missing)[0])
            i = int(document_index(offsets)[pos])
            raise unknown_word(
                docs[i][pos - int(offsets[i])], f"in document at index {i}"
            )
        else:
            ids[missing] = UNK_ID
        return ids, offsets


def fixed_vocabulary(vocabulary: object, owner: str) -> Vocabulary:
    """A :class:`Vocabulary` from a user's fixed ``vocabulary`` parameter.

    A list (or tuple, or 1-d array) of str gives the ids in its order, after
    the four specials: ``["cat", "dog"]`` maps ``cat`` to 4 and ``dog`` to 5.
    It may start with the four specials in their order (``SPECIALS``), and
    may hold no special anywhere else. A mapping gives each token its id:
    regular ids must be exactly ``4, 5, ..., 3 + n`` (no gap, no repeat), and
    a special, if present, must have its fixed id. ``counts_`` is empty.

    Parameters
    ----------
    vocabulary : list or mapping of str
        The value of the ``vocabulary`` parameter.
    owner : str
        The class whose parameter it is, for error messages.

    Returns
    -------
    Vocabulary

    Raises
    ------
    ValueError
        On a duplicate token, a repeated or missing id, a special out of
        place, no regular token, or a set or str (which have no order of
        tokens).
    TypeError
        On a token that is not a str or an id that is not an int.

    Examples
    --------
    >>> fixed_vocabulary(["cat", "dog"], "Demo").itos_
    ['*PAD*', '*UNK*', '*S*', '*/S*', 'cat', 'dog']
    >>> fixed_vocabulary({"dog": 5, "cat": 4, "*UNK*": 1}, "Demo")["dog"]
    5
    >>> fixed_vocabulary(["cat", "cat"], "Demo")
    Traceback (most recent call last):
    ...
    ValueError: The 'vocabulary' parameter of Demo holds 'cat' twice (at positions 0 and 1); each token must appear once.
    """
    where = f"The 'vocabulary' parameter of {owner}"
    n_special = len(SPECIALS)
    if isinstance(vocabulary, Mapping):
        regular: dict[int, str] = {}
        for tok, i in vocabulary.items():
            if not isinstance(tok, str):
                raise TypeError(
                    f"{where} must map str tokens to ids; got the key {tok!r} "
                    f"({type(tok).__name__})."
                )
            if isinstance(i, bool) or not isinstance(i, Integral):
                raise TypeError(
                    f"{where} must map tokens to int ids; got {tok!r}: {i!r} "
                    f"({type(i).__name__})."
                )
            i = int(i)
            if tok in SPECIALS:
                if i != SPECIALS.index(tok):
                    raise ValueError(
                        f"{where} gives the special {tok!r} the id {i}; its id is "
                        f"fixed at {SPECIALS.index(tok)}."
                    )
                continue
            if i < n_special:
                raise ValueError(
                    f"{where} gives {tok!r} the id {i}; ids 0-{n_special - 1} "
                    f"belong to the specials {SPECIALS}, regular ids start at "
                    f"{n_special} (a 0-based mapping can be passed as the list "
                    "sorted(mapping, key=mapping.get))."
                )
            if i in regular:
                raise ValueError(
                    f"{where} gives the id {i} to both {regular[i]!r} and {tok!r}; "
                    "each id must appear once."
                )
            regular[i] = str(tok)  # a numpy str_ becomes a plain str
        top = n_special + len(regular)
        for i in range(n_special, top):
            if i not in regular:
                raise ValueError(
                    f"{where} has no token with the id {i} (its {len(regular)} "
                    f"regular tokens must have the ids {n_special}..{top - 1}, "
                    "without gaps)."
                )
        tokens = [regular[i] for i in range(n_special, top)]
    elif isinstance(vocabulary, (str, bytes, set, frozenset)) or not isinstance(
        vocabulary, (Sequence, np.ndarray)
    ):
        raise ValueError(
            f"{where} must be a list of str (ids in its order) or a mapping of "
            f"str to id; got {type(vocabulary).__name__} {vocabulary!r:.60}"
            + (" (a set has no order)." if isinstance(vocabulary, (set, frozenset))
               else ".")
        )
    else:
        tokens = list(vocabulary)
        start = n_special if tuple(tokens[:n_special]) == SPECIALS else 0
        tokens = tokens[start:]
        seen: dict[str, int] = {}
        for pos, tok in enumerate(tokens, start):
            if not isinstance(tok, str):
                raise TypeError(
                    f"{where} must hold str tokens; got {tok!r} "
                    f"({type(tok).__name__}) at position {pos}."
                )
            if tok in seen:
                raise ValueError(
                    f"{where} holds {tok!r} twice (at positions {seen[tok]} and "
                    f"{pos}); each token must appear once."
                )
            seen[tok] = pos
        for special in SPECIALS:
            if special in seen:
                raise ValueError(
                    f"{where} holds the special {special!r} at position "
                    f"{seen[special]}; a list may hold the specials only as its "
                    f"first {n_special} entries, in the order {SPECIALS}."
                )
    if not tokens:
        raise ValueError(f"{where} holds no regular token; give at least one.")
    tokens = [str(t) for t in tokens]  # a numpy str_ becomes a plain str
    vocab = Vocabulary()
    vocab.counts_ = Counter()
    vocab.itos_ = [*SPECIALS, *tokens]
    vocab.stoi_ = {tok: i for i, tok in enumerate(vocab.itos_)}
    return vocab


def _same(a: object, b: object) -> bool:
    """Whether two parameter values are the same (1 and 1.0 are not: min_df)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and np.array_equal(a, b)
        )
    if isinstance(a, (bool, Integral, float)) or isinstance(b, (bool, Integral, float)):
        return type(a) is type(b) and a == b
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return repr(a) == repr(b)


def check_stream_params(est: object, names: Sequence[str], method: str) -> None:
    """Refuse a parameter changed since the counting of ``est`` started.

    The parameters ``names`` in force when ``fit`` or the first
    ``partial_fit`` call ran are kept (in the private ``_stream_params``);
    a later ``partial_fit`` call with other values would mix counts made
    under two settings, so it is a ``ValueError`` naming the parameter.
    The call then records the current values.

    Parameters
    ----------
    est : object
        The estimator (or :class:`Vocabulary`) being updated.
    names : sequence of str
        The parameters the counts depend on.
    method : str
        The calling method, for the message.

    Examples
    --------
    >>> vocab = Vocabulary().fit([["a"]])
    >>> vocab.min_count = 2
    >>> check_stream_params(vocab, ("min_count", "max_size"), "partial_fit")
    Traceback (most recent call last):
    ...
    ValueError: Vocabulary.partial_fit: the 'min_count' parameter changed from 1 to 2 since the counting started (fit or the first partial_fit call); restore it, or call fit to start over.
    """
    owner = type(est).__name__
    current = {n: getattr(est, n) for n in names}
    before = vars(est).get("_stream_params")
    if before is not None:
        for n in names:
            if n in before and not _same(before[n], current[n]):
                raise ValueError(
                    f"{owner}.{method}: the {n!r} parameter changed from "
                    f"{before[n]!r} to {current[n]!r} since the counting started "
                    "(fit or the first partial_fit call); restore it, or call fit "
                    "to start over."
                )
    # containers are copied (an in-place edit is a change); other values,
    # such as a RandomState or a callable, are kept as the same object
    vars(est)["_stream_params"] = {
        n: copy.deepcopy(v) if isinstance(v, (list, dict, set, np.ndarray)) else v
        for n, v in current.items()
    }


def check_merge_partner(est: object, other: object, names: Sequence[str]) -> None:
    """Refuse to merge ``est`` with ``other`` unless same class and parameters.

    Parameters
    ----------
    est, other : object
        The two fitted estimators whose counts are to be summed.
    names : sequence of str
        The parameters the counts depend on; each must be equal.

    Examples
    --------
    >>> check_merge_partner(Vocabulary(), Vocabulary(min_count=2), ["min_count"])
    Traceback (most recent call last):
    ...
    ValueError: Vocabulary.merge: the 'min_count' parameter differs (1 here, 2 in the other); merge only counts made with the same parameters.
    """
    owner = type(est).__name__
    if type(other) is not type(est):
        raise TypeError(
            f"{owner}.merge expects another {owner}; got {type(other).__name__}."
        )
    for n in names:
        a, b = getattr(est, n), getattr(other, n)
        if not _same(a, b):
            raise ValueError(
                f"{owner}.merge: the {n!r} parameter differs ({a!r} here, {b!r} "
                "in the other); merge only counts made with the same parameters."
            )


def count_tokens(docs: Iterable[Iterable[str]]) -> Counter[str]:
    """Count the tokens of all documents (one C-level pass per document).

    Parameters
    ----------
    docs : iterable of iterables of str
        Tokenized documents.

    Returns
    -------
    collections.Counter

    Examples
    --------
    >>> count_tokens([["a", "b"], ["a"]])
    Counter({'a': 2, 'b': 1})
    """
    counts: Counter[str] = Counter()
    for doc in docs:
        counts.update(doc)
    return counts


def resolve_unknown(
    ids: np.ndarray, handle_unknown: HandleUnknown, tokens: Sequence[str]
) -> np.ndarray:
    """Apply an unknown-word policy to raw ids (``-1`` marks an unknown).

    Examples
    --------
    >>> resolve_unknown(np.array([4, -1]), "unk", ["a", "zz"]).tolist()
    [4, 1]
    """
    missing = ids == _MISSING
    if not missing.any():
        return ids
    if handle_unknown == "unk":
        ids = ids.copy()
        ids[missing] = UNK_ID
        return ids
    if handle_unknown == "ignore":
        return ids[~missing]
    pos = int(np.flatnonzero(missing)[0])
    raise unknown_word(tokens[pos], f"at position {pos}")


def _not_fitted() -> Exception:
    from sklearn.exceptions import NotFittedError

    return NotFittedError(
        "This Vocabulary is not built yet; call fit(docs) or fit_counts(counts)."
    )


def _check_min_count(min_count: object, owner: str) -> None:
    if (
        isinstance(min_count, bool)
        or not isinstance(min_count, Integral)
        or min_count < 1
    ):
        raise ValueError(
            f"The 'min_count' parameter of {owner} must be an int >= 1. "
            f"Got {min_count!r} instead."
        )
