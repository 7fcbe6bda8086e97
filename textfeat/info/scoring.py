"""Entropy and mutual-information scores for every feature at once.

Goldberg (ch. 8) and Manning, Raghavan and Schütze (*Introduction to
Information Retrieval*, ch. 13) rank features by the information they carry
about the label. This module computes, for each column ``X_j`` of a feature
matrix and a vector of class labels ``y``:

* :func:`entropy`: ``H(X_j)``;
* :func:`conditional_entropy`: ``H(Y | X_j)``;
* :func:`mutual_info`: ``I(X_j; Y) = H(Y) - H(Y | X_j)``, a scorer that plugs
  into :class:`~sklearn.feature_selection.SelectKBest` and
  :class:`~sklearn.feature_selection.SelectPercentile`;
* :func:`class_scores` and :func:`top_features` (in
  :mod:`textfeat.info.per_class`, re-exported here): the one-vs-rest 2x2
  mutual information (or pointwise mutual information) of each feature with
  each class, and the best features of each class, with names.

How a column is turned into categories is chosen with ``categories``:

``"presence"`` (default)
    Two categories: the feature is absent (0) or present (any non-zero value).
``"counts"``
    Each distinct value is its own category, zero included; this is what
    :func:`sklearn.metrics.mutual_info_score` does with a column of counts
    (and what ``mutual_info_classif(discrete_features=True)`` does).
``"quantile"``
    Dense continuous features (embeddings, for instance) are cut into
    ``n_bins`` equal-frequency bins per column; equal values always share a
    bin, so a constant column is one bin.

Everything is computed from sparse contingency counts in a few vectorised
operations: with ``B`` the presence pattern of ``X`` and ``Y`` the one-hot
label matrix, ``B.T @ Y`` holds the number of samples of each class in which
each feature occurs; the absent cells follow from the class sizes and the
feature's document frequency. No Python loop runs over features, and beyond
the input the memory used is proportional to the number of non-zero
(feature, class) cells, plus one 4-byte integer per non-zero of ``X`` for its
presence pattern (``"counts"`` and ``"quantile"`` hold a few arrays the size of
``X``'s non-zeros).

Probabilities are maximum-likelihood (plug-in) estimates, in nats unless
``base`` says otherwise, exactly as :func:`sklearn.metrics.mutual_info_score`.
A constant feature, including one that never occurs, carries no information:
its entropy and mutual information are 0 and ``H(Y | X_j) = H(Y)``.

The input checks and the contingency tables are in
:mod:`textfeat.info._tables`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from textfeat._compat import validate_params
from textfeat.info._tables import (
    BASE,
    CATEGORIES,
    N_BINS,
    Categories,
    check_base,
    conditional_entropy_sum,
    entropy_sum,
    finish,
    mi_sum,
    prepare,
    prepare_unlabelled,
)
from textfeat.info.per_class import class_scores, top_features

__all__ = [
    "class_scores",
    "conditional_entropy",
    "entropy",
    "mutual_info",
    "top_features",
]


# --------------------------------------------------------------------------
# public scorers
# --------------------------------------------------------------------------

_SCORER_CONSTRAINTS: dict[str, list[Any]] = {
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like"],
    "base": [BASE],
    "categories": [CATEGORIES],
    "n_bins": [N_BINS],
    "sample_weight": ["array-like", None],
}


@validate_params(
    {k: v for k, v in _SCORER_CONSTRAINTS.items() if k != "y"},
    prefer_skip_nested_validation=True,
)
def entropy(
    X: Any,
    *,
    base: float = math.e,
    categories: Categories = "presence",
    n_bins: int = 10,
    sample_weight: Any = None,
) -> np.ndarray:
    """Entropy ``H(X_j)`` of every feature.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Feature matrix; CSR and CSC are used without a copy. Must be finite,
        and non-negative unless ``categories="quantile"``.
    base : float, default=math.e
        Base of the logarithm, greater than 1: ``math.e`` gives nats, 2 bits.
    categories : {"presence", "counts", "quantile"}, default="presence"
        How a column becomes categories (see the module documentation):
        absent/present, one category per distinct value, or ``n_bins``
        equal-frequency bins of a dense column.
    n_bins : int, default=10
        Number of bins for ``categories="quantile"``; ignored otherwise.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample (``None``: all 1).

    Returns
    -------
    ndarray of shape (n_features,)
        ``H(X_j)``; between 0 (constant column) and ``log(k_j)`` for a column
        with ``k_j`` categories.

    Examples
    --------
    >>> import numpy as np
    >>> from textfeat.info.scoring import entropy
    >>> X = np.array([[1, 0, 3], [1, 2, 0], [1, 0, 1], [1, 2, 1]])
    >>> entropy(X, base=2)
    array([0. , 1. , 0.811...])
    >>> entropy(X, base=2, categories="counts")
    array([0. , 1. , 1.5])
    """
    log_base = check_base(base)
    t = prepare_unlabelled(X, categories, n_bins, sample_weight)
    return finish(entropy_sum(t), t.total, log_base)


@validate_params(_SCORER_CONSTRAINTS, prefer_skip_nested_validation=True)
def conditional_entropy(
    X: Any,
    y: Any,
    *,
    base: float = math.e,
    categories: Categories = "presence",
    n_bins: int = 10,
    sample_weight: Any = None,
) -> np.ndarray:
    """Conditional entropy ``H(Y | X_j)`` of the labels given each feature.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Feature matrix; see :func:`entropy`.
    y : array-like of shape (n_samples,)
        Class labels (strings or integers), at least two distinct classes.
    base : float, default=math.e
        Base of the logarithm, greater than 1: ``math.e`` gives nats, 2 bits.
    categories : {"presence", "counts", "quantile"}, default="presence"
        How a column becomes categories; see :func:`entropy`.
    n_bins : int, default=10
        Number of bins for ``categories="quantile"``; ignored otherwise.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample (``None``: all 1).

    Returns
    -------
    ndarray of shape (n_features,)
        ``H(Y | X_j)``, between 0 (the feature determines the label) and
        ``H(Y)`` (the feature says nothing about it, e.g. a constant column).

    Examples
    --------
    >>> import numpy as np
    >>> from textfeat.info.scoring import conditional_entropy
    >>> X = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    >>> y = ["spam", "spam", "ham", "ham"]
    >>> conditional_entropy(X, y, base=2)
    array([0., 1.])
    """
    log_base = check_base(base)
    t, _ = prepare(X, y, categories, n_bins, sample_weight)
    return finish(conditional_entropy_sum(t), t.total, log_base)


@validate_params(_SCORER_CONSTRAINTS, prefer_skip_nested_validation=True)
def mutual_info(
    X: Any,
    y: Any,
    *,
    base: float = math.e,
    categories: Categories = "presence",
    n_bins: int = 10,
    sample_weight: Any = None,
) -> np.ndarray:
    """Mutual information ``I(X_j; Y)`` between each feature and the labels.

    A scorer with the ``score_func(X, y)`` signature of
    :class:`~sklearn.feature_selection.SelectKBest` and
    :class:`~sklearn.feature_selection.SelectPercentile`; pass other options
    with :func:`functools.partial`. With ``categories="counts"`` it equals
    :func:`sklearn.metrics.mutual_info_score` applied column by column (and
    ``mutual_info_classif(X, y, discrete_features=True)``), computed for all
    columns at once.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Feature matrix; see :func:`entropy`.
    y : array-like of shape (n_samples,)
        Class labels (strings or integers), at least two distinct classes.
    base : float, default=math.e
        Base of the logarithm, greater than 1: ``math.e`` gives nats, 2 bits.
    categories : {"presence", "counts", "quantile"}, default="presence"
        How a column becomes categories; see :func:`entropy`.
    n_bins : int, default=10
        Number of bins for ``categories="quantile"``; ignored otherwise.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample (``None``: all 1).

    Returns
    -------
    ndarray of shape (n_features,)
        ``I(X_j; Y) = H(Y) - H(Y | X_j)``, between 0 (independent, or a
        constant column) and ``min(H(X_j), H(Y))``.

    Examples
    --------
    >>> import numpy as np
    >>> from textfeat.info.scoring import mutual_info
    >>> X = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    >>> y = ["spam", "spam", "ham", "ham"]
    >>> mutual_info(X, y, base=2)
    array([1., 0.])

    Keep the most informative features:

    >>> from sklearn.feature_selection import SelectKBest
    >>> SelectKBest(mutual_info, k=1).fit(X, y).get_support()
    array([ True, False])
    """
    log_base = check_base(base)
    t, _ = prepare(X, y, categories, n_bins, sample_weight)
    return finish(mi_sum(t), t.total, log_base)
