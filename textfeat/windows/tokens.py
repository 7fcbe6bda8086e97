"""Token-level samples: :class:`Token` and its container :class:`Tokens`.

Tagging has one sample per token. :class:`Tokens` is the container for that:
one element per token, each keeping a reference to its whole sentence and
its position in it, so that scikit-learn can index it (cross-validation,
``GroupKFold`` on sentence ids, ``GridSearchCV``) and the window of every
token still sees its neighbours after a split.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from numbers import Integral
from typing import Any, NamedTuple

import numpy as np

from textfeat._validation import check_token_lists

__all__ = ["Token", "Tokens", "as_tokens"]


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


def as_tokens(X: Any, step: str) -> Tokens:
    """``X`` itself if it is a :class:`Tokens`, else every token of its sentences.

    Parameters
    ----------
    X : Tokens or iterable of sequences of str
        Tokens, or sentences (token lists).
    step : str
        The step's name, for error messages.

    Returns
    -------
    Tokens

    Examples
    --------
    >>> len(as_tokens([["a", "b"], ["c"]], "demo"))
    3
    """
    if isinstance(X, Tokens):
        return X
    return Tokens(check_token_lists(X, step=step))
