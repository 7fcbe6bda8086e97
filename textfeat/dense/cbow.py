"""Continuous bag of words: a document as the (weighted) average of its word vectors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain
from numbers import Real
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from textfeat._compat import Interval, StrOptions, fit_context
from textfeat._validation import check_token_lists, text_step_tags
from textfeat.dense.vectors import WordVectors
from textfeat.text._documents import document_index, flatten_documents
from textfeat.text._unknown import unknown_word

__all__ = ["CBOWVectorizer"]


class CBOWVectorizer(TransformerMixin, BaseEstimator):
    """Token lists -> the weighted average of their word vectors (CBOW).

    Row ``i`` is ``sum_t a_t v_t / sum_t a_t`` over the tokens ``t`` of
    document ``i`` (Goldberg, ch. 8: continuous bag of words), with ``v_t``
    the token's vector in ``vectors`` and ``a_t`` its weight. The sum runs
    over:

    - ``average_over="known"``: the tokens that have a vector; unknown
      tokens are left out of both sums, so the result is the mean of the
      known words' vectors;
    - ``average_over="all"``: every token, an unknown one contributing the
      table's unknown vector (``vectors.handle_unknown``: zeros by default,
      which shrinks the average towards zero by the share of unknown
      words; ``"mean"`` or ``"unk"`` rows otherwise).

    An empty document, or one whose tokens are all unknown with
    ``"known"``, gives a zero row, never NaN. The result does not depend on
    the order of the tokens.

    Parameters
    ----------
    vectors : WordVectors
        The word vectors.
    weighting : {"uniform", "tfidf", "sif"}, default="uniform"
        ``a_t = 1``; ``a_t = idf(t) = log((1 + n) / (1 + df(t))) + 1`` (the
        smoothed idf of scikit-learn's ``TfidfTransformer``, learned in
        ``fit``; a word not seen in fit has ``df = 0``), so that the sum over
        a document's tokens is tf-idf weighting; or smooth inverse frequency
        ``a_t = sif_a / (sif_a + p(t))`` with ``p(t)`` the word's relative
        frequency in ``fit`` (Arora, Liang & Ma 2017, without their
        common-component removal).
    average_over : {"known", "all"}, default="known"
        Which tokens the average runs over (see above).
    sif_a : float, default=1e-3
        The ``a`` of the SIF weights.
    dtype : numpy dtype, default=np.float64
        Type of the output.

    Attributes
    ----------
    idf_ : dict of str to float
        With ``weighting="tfidf"``: the idf of every word seen in fit.
    word_probability_ : dict of str to float
        With ``weighting="sif"``: the relative frequency of every word seen.
    n_docs_ : int
        Documents seen in fit.

    Examples
    --------
    >>> wv = WordVectors(["good", "bad", "movie"], [[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    >>> cbow = CBOWVectorizer(vectors=wv).fit([["good", "movie"]])
    >>> cbow.transform([["good", "movie", "zzz"], [], ["zzz"]])
    array([[0.5, 0.5],
           [0. , 0. ],
           [0. , 0. ]])
    >>> CBOWVectorizer(vectors=wv, average_over="all").fit([["a"]]).transform(
    ...     [["good", "movie", "zzz", "zzz"]])
    array([[0.25, 0.25]])
    >>> cbow.get_feature_names_out().tolist()
    ['cbow0', 'cbow1']
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "vectors": [WordVectors],
        "weighting": [StrOptions({"uniform", "tfidf", "sif"})],
        "average_over": [StrOptions({"known", "all"})],
        "sif_a": [Interval(Real, 0, None, closed="neither")],
        "dtype": "no_validation",
    }

    def __init__(
        self,
        vectors: WordVectors | None = None,
        *,
        weighting: str = "uniform",
        average_over: str = "known",
        sif_a: float = 1e-3,
        dtype: Any = np.float64,
    ) -> None:
        self.vectors = vectors
        self.weighting = weighting
        self.average_over = average_over
        self.sif_a = sif_a
        self.dtype = dtype

    def __sklearn_tags__(self) -> Any:
        return text_step_tags(super().__sklearn_tags__())

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Iterable[Sequence[str]], y: Any = None) -> Self:
        """Learn the word weights (idf or frequencies) from ``X``.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents.
        y : ignored

        Returns
        -------
        self : CBOWVectorizer
        """
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        np.dtype(self.dtype)
        self.n_docs_ = len(docs)
        if self.weighting == "tfidf":
            df: Counter[str] = Counter(chain.from_iterable(map(set, docs)))
            n = len(docs)
            self.idf_ = {w: float(np.log((1 + n) / (1 + c)) + 1) for w, c in df.items()}
            self._default_weight = float(np.log(1 + n) + 1)
        elif self.weighting == "sif":
            counts: Counter[str] = Counter(chain.from_iterable(docs))
            total = sum(counts.values()) or 1
            self.word_probability_ = {w: c / total for w, c in counts.items()}
            self._default_weight = 1.0
        return self

    def _weights(self, words: list[str]) -> np.ndarray:
        if self.weighting == "uniform":
            return np.ones(len(words))
        if self.weighting == "tfidf":
            get, default = self.idf_.get, self._default_weight
            return np.fromiter((get(w, default) for w in words), dtype=np.float64)
        a = self.sif_a
        get = self.word_probability_.get
        return np.fromiter((a / (a + get(w, 0.0)) for w in words), dtype=np.float64)

    def transform(self, X: Iterable[Sequence[str]]) -> np.ndarray:
        """Average word vectors of each document.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents.

        Returns
        -------
        ndarray of shape (n_documents, vectors.dim)
        """
        check_is_fitted(self, "n_docs_")
        docs = check_token_lists(X, step=type(self).__name__)
        wv = self.vectors
        words, offsets = flatten_documents(docs)
        # Weights per distinct word, computed once, then spread over tokens.
        uniq = list(dict.fromkeys(words))
        pos = {w: i for i, w in enumerate(uniq)}
        tok = np.fromiter(map(pos.__getitem__, words), dtype=np.int64, count=len(words))
        weight = self._weights(uniq)[tok]
        row_of = wv.raw_ids(uniq)[tok]
        doc_of = document_index(offsets)
        known = row_of >= 0
        if (
            self.average_over == "all"
            and wv.handle_unknown == "error"
            and not known.all()
        ):
            pos = int(np.flatnonzero(~known)[0])
            raise unknown_word(
                words[pos],
                f"in document at index {int(doc_of[pos])}",
                "vectors.handle_unknown",
            )
        if self.average_over == "all" and wv.handle_unknown != "ignore":
            cols = np.where(known, row_of, len(wv))
            # the vectors and the unknown vector, built once per table
            table = wv.padded_rows()[: len(wv) + 1]
            mask = np.ones(len(words), dtype=bool)
        else:
            cols, table, mask = row_of, wv.vectors, known
        # A (documents x table rows) matrix of summed weights; one product.
        A = sp.csr_matrix(
            (weight[mask], (doc_of[mask], cols[mask])),
            shape=(len(docs), table.shape[0]),
        )
        total = np.bincount(doc_of[mask], weights=weight[mask], minlength=len(docs))
        out = np.asarray(A @ table, dtype=np.float64)
        nonzero = total > 0
        out[nonzero] /= total[nonzero, None]
        out[~nonzero] = 0.0
        return out.astype(self.dtype, copy=False)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Column names ``cbow0`` ... ``cbow<dim-1>``.

        Parameters
        ----------
        input_features : ignored
            Present for Pipeline compatibility.

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self, "n_docs_")
        return np.asarray([f"cbow{i}" for i in range(self.vectors.dim)], dtype=object)
