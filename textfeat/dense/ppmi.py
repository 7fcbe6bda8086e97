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

from collections.abc import Iterable, Sequence
from numbers import Integral, Real
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.extmath import randomized_svd

from textfeat._compat import Interval, StrOptions, fit_context
from textfeat._validation import check_token_lists, text_step_tags
from textfeat.dense.vectors import WordVectors
from textfeat.text._documents import document_index
from textfeat.text.vocab import SPECIALS, UNK, UNK_ID, Vocabulary

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
        rng = check_random_state(self.random_state)
        vocab = Vocabulary(self.min_count, self.max_size).fit(docs)
        ids, offsets = vocab.encode_documents(docs, self.handle_unknown)
        counts = self._cooccurrences(ids, offsets, len(vocab))
        ppmi = self._ppmi(counts)
        active = np.flatnonzero(np.asarray(counts.sum(axis=1)).ravel() > 0)
        if len(active) <= self.dim:
            raise ValueError(
                f"PPMIVectors: dim={self.dim} needs more than {self.dim} words with "
                f"a context; the corpus has {len(active)}. Lower dim or min_count."
            )
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
        self.vectors_ = WordVectors(
            words, W, handle_unknown="unk" if has_unk else "zero"
        )
        self.vocabulary_ = vocab
        self.singular_values_ = S
        return self

    def _cooccurrences(
        self, ids: np.ndarray, offsets: np.ndarray, n_words: int
    ) -> sp.csr_matrix:
        doc_of = document_index(offsets)
        counts = sp.csr_matrix((n_words, n_words), dtype=np.float64)
        k = self.window
        for d in range(1, k + 1):
            if d >= len(ids):
                break
            same = doc_of[:-d] == doc_of[d:]
            a = ids[:-d][same].astype(np.int32)
            b = ids[d:][same].astype(np.int32)
            w = (k - d + 1) / k if self.dynamic_window else 1.0
            counts = counts + sp.csr_matrix(
                (np.full(len(a), w), (a, b)), shape=(n_words, n_words)
            )
        counts = (counts + counts.T).tocsr()
        # The special symbols never co-occur; *UNK* keeps its counts.
        drop = [i for i in range(len(SPECIALS)) if i != UNK_ID]
        mask = np.ones(n_words)
        mask[drop] = 0
        return (sp.diags(mask) @ counts @ sp.diags(mask)).tocsr()

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
