"""Sparse one-hot (bag-of-words) encoding of token lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from textfeat._compat import fit_context
from textfeat._validation import check_token_lists, text_step_tags
from textfeat.text.vocab import VOCABULARY_CONSTRAINTS, Vocabulary

__all__ = ["OneHotVectorizer"]


class OneHotVectorizer(TransformerMixin, BaseEstimator):
    """Token lists -> CSR matrix with one column per vocabulary entry.

    Row ``i`` is the sum of the one-hot vectors of document ``i``'s tokens
    (Goldberg, ch. 8: a bag of words), or its indicator if ``binary``. Column
    ``j`` is vocabulary id ``j``, so the four special symbols (``*PAD*``,
    ``*UNK*``, ``*S*``, ``*/S*``) are columns 0-3 in every fitted vectorizer.

    Parameters
    ----------
    binary : bool, default=True
        1 for a token present in the document; if False, its count.
    dtype : numpy dtype, default=np.float64
        Type of the matrix values.
    min_count : int, default=1
        Keep tokens seen at least this often in ``fit``.
    max_size : int or None, default=None
        Keep at most this many tokens (the most frequent), specials apart.
    handle_unknown : {"unk", "ignore", "error"}, default="unk"
        A token not in the vocabulary counts in the ``*UNK*`` column, is
        ignored, or raises :class:`~textfeat.UnknownWordError` (a
        ``ValueError`` and a ``KeyError``) naming the token and its document.

    Attributes
    ----------
    vocabulary_ : Vocabulary
        Mapping token -> column, with counts (``vocabulary_.counts_``).

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
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "binary": ["boolean"],
        "dtype": "no_validation",
        **VOCABULARY_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        binary: bool = True,
        dtype: Any = np.float64,
        min_count: int = 1,
        max_size: int | None = None,
        handle_unknown: str = "unk",
    ) -> None:
        self.binary = binary
        self.dtype = dtype
        self.min_count = min_count
        self.max_size = max_size
        self.handle_unknown = handle_unknown

    def __sklearn_tags__(self) -> Any:
        return text_step_tags(super().__sklearn_tags__())

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Iterable[Sequence[str]], y: Any = None) -> Self:
        """Learn the vocabulary of the token lists ``X``.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents.
        y : ignored

        Returns
        -------
        self : OneHotVectorizer
        """
        return self._fit(
            check_token_lists(X, step=type(self).__name__, allow_empty=False)
        )

    def _fit(self, docs: Sequence[Sequence[str]]) -> Self:
        np.dtype(self.dtype)  # a bad dtype fails here, naming itself
        self.vocabulary_ = Vocabulary(self.min_count, self.max_size).fit(docs)
        return self

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
        return self._encode(check_token_lists(X, step=type(self).__name__))

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
        return self._fit(docs)._encode(docs)

    def _encode(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        ids, offsets = self.vocabulary_.encode_documents(docs, self.handle_unknown)
        target = np.dtype(self.dtype)
        counts = target.kind in "iu" and not self.binary  # summed: could wrap
        data = np.ones(len(ids), dtype=np.int64 if counts else target)
        X_out = sp.csr_matrix(
            (data, ids, offsets), shape=(len(docs), len(self.vocabulary_))
        )
        X_out.sum_duplicates()  # sorts each row and adds repeated tokens
        if counts:
            top = int(np.iinfo(target).max)
            if X_out.nnz and int(X_out.data.max()) > top:
                raise ValueError(
                    f"The 'dtype' parameter of OneHotVectorizer is {target}, which "
                    f"holds counts up to {top}; a token occurs "
                    f"{int(X_out.data.max())} times in one document. Use a wider "
                    "integer type, a float type or binary=True."
                )
            X_out = X_out.astype(target)
        if self.binary:
            X_out.data.fill(1)
        return X_out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Column names, ``tok=<token>``.

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
