"""Word dropout: training tokens replaced by the unknown symbol at random."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise, repeat
from numbers import Real
from typing import Any, Self

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from textfeat._base import TextTransformerMixin
from textfeat._compat import Interval, StrOptions, fit_context
from textfeat._validation import check_token_lists
from textfeat.text._documents import document_index, flatten_documents, positions
from textfeat.text.vocab import (
    SPECIALS,
    UNK,
    check_merge_partner,
    check_stream_params,
    count_tokens,
)

#: The parameters the fitted state depends on (a partial_fit may not change them).
_COUNT_PARAMS = ("mode", "alpha", "p", "random_state")

__all__ = ["WordDropout"]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GAMMA = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser, vectorised (uint64 arithmetic wraps modulo 2**64)."""
    z = x + _GAMMA
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def token_uniforms(
    seed: int, doc_index: np.ndarray, position: np.ndarray
) -> np.ndarray:
    """One uniform draw in [0, 1) per (document index, token position).

    A counter-based generator: the draw of a token is a hash of the seed, its
    document's index in the corpus and its position in the document, so it
    does not depend on how the corpus is cut into batches or processes.

    Parameters
    ----------
    seed : int
        Seed in ``[0, 2**63)``.
    doc_index, position : ndarray of int
        Global document index and position of each token.

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> u = token_uniforms(7, np.array([0, 0, 5]), np.array([0, 1, 0]))
    >>> bool(((u >= 0) & (u < 1)).all()), len(set(u.tolist()))
    (True, 3)
    >>> bool((u[2:] == token_uniforms(7, np.array([5]), np.array([0]))).all())
    True
    """
    key = _mix(np.uint64(seed) ^ doc_index.astype(np.uint64))
    bits = _mix(key + position.astype(np.uint64))
    return (bits >> np.uint64(11)).astype(np.float64) * 2.0**-53


class WordDropout(TextTransformerMixin, BaseEstimator):
    """Replace training tokens by ``*UNK*`` at random (word dropout).

    ``fit`` learns the word counts ``c(w)``. ``fit_transform`` then replaces
    each token ``w`` of the training data by ``*UNK*`` with probability

    * ``alpha / (c(w) + alpha)`` in ``"frequency"`` mode (Goldberg, ch. 8,
      after Kiperwasser and Goldberg 2016): rare words are dropped often, so
      the model learns what to do with the unknown symbol;
    * ``p`` in ``"bernoulli"`` mode, a plain regulariser.

    ``transform`` is the identity, so data seen after training (in a
    Pipeline's ``predict`` or ``score``) is never corrupted. Special symbols
    are never dropped.

    Parameters
    ----------
    mode : {"frequency", "bernoulli"}, default="frequency"
        How the drop probability is set.
    alpha : float, default=0.25
        Frequency mode's constant (``alpha >= 0``; 0 drops nothing).
    p : float, default=0.1
        Bernoulli mode's drop probability, in ``[0, 1]``.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws. Each token's draw depends only on this seed, its
        document's index and its position, never on batching or processes.

    Streaming: :meth:`partial_fit` adds one chunk's counts and
    :meth:`merge` returns a new dropout from the summed counts of two fitted
    on independent chunks; either way the counts equal ``fit``'s on all the
    documents, whatever the chunking or merge order.

    Attributes
    ----------
    counts_ : collections.Counter
        Word counts learned in ``fit``.
    seed_ : int
        Seed of the draws, taken from ``random_state`` in ``fit``.
    drop_rate_ : float
        Share of tokens replaced by the last ``fit_transform`` (or
        :meth:`corrupt`) call.

    Examples
    --------
    >>> docs = [["a", "rare", "word"], ["a", "a", "a"]]
    >>> drop = WordDropout(alpha=10.0, random_state=0)
    >>> drop.fit_transform(docs)
    [['*UNK*', '*UNK*', '*UNK*'], ['*UNK*', '*UNK*', 'a']]
    >>> drop.transform(docs) == docs  # never corrupts data after fit
    True
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "mode": [StrOptions({"frequency", "bernoulli"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "p": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        mode: str = "frequency",
        *,
        alpha: float = 0.25,
        p: float = 0.1,
        random_state: Any = None,
    ) -> None:
        self.mode = mode
        self.alpha = alpha
        self.p = p
        self.random_state = random_state

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Iterable[Sequence[str]], y: Any = None) -> Self:
        """Learn the word counts and draw the seed.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized training documents.
        y : ignored

        Returns
        -------
        self : WordDropout
        """
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        counts = count_tokens(docs)
        vars(self).pop("_stream_params", None)  # fit starts the counting over
        check_stream_params(self, _COUNT_PARAMS, "fit")
        self.counts_ = counts
        rng = check_random_state(self.random_state)
        self.seed_ = int(rng.randint(0, 2**62, dtype=np.int64))
        return self

    def partial_fit(self, X: Iterable[Sequence[str]], y: Any = None) -> Self:
        """Add the word counts of one chunk ``X`` (the seed is drawn once).

        The first call on an unfitted dropout draws ``seed_`` as ``fit``
        does and starts from no counts; later calls (and calls on a dropout
        fitted by ``fit`` or loaded from a model file) only add counts.
        After any call the state is that of ``fit`` on all the chunks so far.

        Parameters
        ----------
        X : iterable of sequences of str
            One chunk of tokenized training documents.
        y : ignored

        Returns
        -------
        self : WordDropout

        Raises
        ------
        ValueError
            If ``mode``, ``alpha``, ``p`` or ``random_state`` changed since
            the counting started.
        """
        self._validate_params()
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        check_stream_params(self, _COUNT_PARAMS, "partial_fit")
        counts = Counter(vars(self).get("counts_", ()))
        counts.update(count_tokens(docs))
        if "seed_" not in vars(self):
            rng = check_random_state(self.random_state)
            self.seed_ = int(rng.randint(0, 2**62, dtype=np.int64))
        self.counts_ = counts
        return self

    def merge(self, other: WordDropout) -> WordDropout:
        """A new dropout with the summed counts of ``self`` and ``other``.

        Associative and commutative: merging dropouts fitted on any split of
        a corpus, in any order, gives the counts of ``fit`` on all of it. The
        seed is the smaller of the two; with the same int ``random_state``
        both have the seed ``fit`` would draw.

        Parameters
        ----------
        other : WordDropout
            A fitted dropout with the same parameters.

        Returns
        -------
        WordDropout
            A new fitted dropout; ``self`` and ``other`` are unchanged.

        Examples
        --------
        >>> a = WordDropout(random_state=0).fit([["a", "b"]])
        >>> b = WordDropout(random_state=0).fit([["a"]])
        >>> a.merge(b).counts_
        Counter({'a': 2, 'b': 1})
        """
        check_is_fitted(self)
        check_is_fitted(other)
        check_merge_partner(self, other, _COUNT_PARAMS)
        out = clone(self)
        out.counts_ = self.counts_ + other.counts_
        out.seed_ = min(self.seed_, other.seed_)
        check_stream_params(out, _COUNT_PARAMS, "merge")
        return out

    def fit_transform(
        self, X: Iterable[Sequence[str]], y: Any = None, **fit_params: Any
    ) -> list[list[str]]:
        """Fit, then return the training documents with dropout applied.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized training documents.
        y : ignored

        Returns
        -------
        list of lists of str
        """
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        return self.fit(docs).corrupt(docs)

    def transform(self, X: Iterable[Sequence[str]]) -> list[list[str]]:
        """Return the documents unchanged (dropout is for training only).

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents.

        Returns
        -------
        list of lists of str
            Copies of the token lists.
        """
        check_is_fitted(self)
        return [list(doc) for doc in check_token_lists(X, step=type(self).__name__)]

    def drop_probability(self, tokens: Iterable[str]) -> np.ndarray:
        """Probability that each token is replaced by :meth:`corrupt`.

        Parameters
        ----------
        tokens : iterable of str

        Returns
        -------
        ndarray of float64

        Examples
        --------
        >>> drop = WordDropout(alpha=1.0).fit([["a", "a", "a", "b"]])
        >>> drop.drop_probability(["a", "b", "new", "*UNK*"]).tolist()
        [0.25, 0.5, 1.0, 0.0]
        """
        check_is_fitted(self)
        tokens = list(tokens)
        specials = frozenset(SPECIALS)
        if self.mode == "bernoulli":
            probs = np.full(len(tokens), float(self.p))
        else:
            alpha = float(self.alpha)
            if alpha == 0:
                probs = np.zeros(len(tokens))
            else:
                counts = np.fromiter(
                    map(self.counts_.get, tokens, repeat(0)),
                    dtype=np.float64,
                    count=len(tokens),
                )
                probs = alpha / (counts + alpha)
        is_special = np.fromiter(
            map(specials.__contains__, tokens), dtype=bool, count=len(tokens)
        )
        probs[is_special] = 0.0
        return probs

    def corrupt(
        self, X: Iterable[Sequence[str]], *, start_index: int = 0
    ) -> list[list[str]]:
        """Apply dropout to documents numbered from ``start_index``.

        ``fit_transform(X)`` is ``fit(X).corrupt(X)``. To process a corpus in
        batches, call ``corrupt(batch, start_index=i)`` with the index of the
        batch's first document: the result is the same as one call on the
        whole corpus.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents.
        start_index : int, default=0
            Index of the first document in the whole corpus.

        Returns
        -------
        list of lists of str

        Examples
        --------
        >>> docs = [["x", "y"], ["y", "z"], ["z", "x"]]
        >>> drop = WordDropout(mode="bernoulli", p=0.5, random_state=1).fit(docs)
        >>> whole = drop.corrupt(docs)
        >>> whole == drop.corrupt(docs[:1]) + drop.corrupt(docs[1:], start_index=1)
        True
        """
        check_is_fitted(self)
        docs = check_token_lists(X, step=type(self).__name__)
        flat, offsets = flatten_documents(docs)
        doc_of = document_index(offsets)
        u = token_uniforms(self.seed_, doc_of + int(start_index), positions(offsets))
        dropped = np.flatnonzero(u < self.drop_probability(flat))
        for k in dropped.tolist():
            flat[k] = UNK
        self.drop_rate_ = len(dropped) / len(flat) if flat else 0.0
        bounds = offsets.tolist()
        return [flat[a:b] for a, b in pairwise(bounds)]
