"""Entropy and mutual-information scores for every feature at once.

Goldberg (ch. 8) and Manning, Raghavan and Schütze (*Introduction to
Information Retrieval*, ch. 13) rank features by the information they carry
about the label. This module computes, for each column ``X_j`` of a feature
matrix and a vector of class labels ``y``:

* :func:`entropy`: ``H(X_j)``;
* :func:`conditional_entropy`: ``H(Y | X_j)``;
* :func:`joint_entropy`: ``H(X_j, Y)``;
* :func:`mutual_info`: ``I(X_j; Y) = H(Y) - H(Y | X_j)``, a scorer that plugs
  into :class:`~sklearn.feature_selection.SelectKBest` and
  :class:`~sklearn.feature_selection.SelectPercentile`;
* :func:`kl_score` and :func:`js_score`: for each class ``c``, the KL or
  Jensen-Shannon divergence between ``P(X_j | c)`` and ``P(X_j)``, reduced
  over the classes (largest, or prior-weighted mean) to one score per
  feature, also a ``SelectKBest`` scorer; ``class_scores(score="kl")`` and
  ``score="js"`` give the whole ``(n_features, n_classes)`` table;
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

.. rubric:: Mixed matrices: ``discrete_features``

``discrete_features`` names the columns that hold category labels, read as
:func:`~sklearn.feature_selection.mutual_info_classif` reads it (boolean mask,
column indices, a bool, or ``"auto"``). A discrete column is scored by its
distinct values (negative values are categories too), exactly as
scikit-learn scores a discrete column, i.e. as
:func:`sklearn.metrics.mutual_info_score`. scikit-learn estimates the mutual
information of a *continuous* column with a nearest-neighbour estimator that
adds random noise; that estimate is not a function of a contingency table,
so these scorers do not imitate it: continuous columns are refused with a
``ValueError`` unless ``categories="quantile"``, which bins them into
``n_bins`` equal-frequency bins (a plug-in score of the binned column, not
scikit-learn's estimate). ``categories`` only applies to the columns that are
not discrete.

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
from typing import Any, Literal

import numpy as np

from textfeat._compat import StrOptions, validate_params
from textfeat.info._divergence import divergence_scores
from textfeat.info._tables import (
    BASE,
    CATEGORIES,
    DISCRETE,
    N_BINS,
    Categories,
    check_base,
    conditional_entropy_sum,
    entropy_sum,
    finish,
    joint_entropy_sum,
    mi_sum,
    prepare,
    prepare_unlabelled,
)
from textfeat.info.per_class import class_scores, top_features

__all__ = [
    "class_scores",
    "conditional_entropy",
    "entropy",
    "joint_entropy",
    "js_score",
    "kl_score",
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
    "discrete_features": DISCRETE,
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
    discrete_features: Any = None,
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
    discrete_features : {"auto"}, bool, array-like or None, default=None
        Which columns hold category labels, as in
        :func:`~sklearn.feature_selection.mutual_info_classif`: a boolean
        mask, column indices, a bool for all columns, or ``"auto"`` (all
        columns of a sparse ``X``, none of a dense one). See "Mixed matrices"
        in the module documentation. ``None``: every column is read by
        ``categories``.

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
    t = prepare_unlabelled(X, categories, n_bins, sample_weight, discrete_features)
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
    discrete_features: Any = None,
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
    discrete_features : {"auto"}, bool, array-like or None, default=None
        Which columns hold category labels, as in
        :func:`~sklearn.feature_selection.mutual_info_classif`: a boolean
        mask, column indices, a bool for all columns, or ``"auto"`` (all
        columns of a sparse ``X``, none of a dense one). See "Mixed matrices"
        in the module documentation. ``None``: every column is read by
        ``categories``.

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
    t, _ = prepare(X, y, categories, n_bins, sample_weight, discrete_features)
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
    discrete_features: Any = None,
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
    discrete_features : {"auto"}, bool, array-like or None, default=None
        Which columns hold category labels, as in
        :func:`~sklearn.feature_selection.mutual_info_classif`: a boolean
        mask, column indices, a bool for all columns, or ``"auto"`` (all
        columns of a sparse ``X``, none of a dense one). See "Mixed matrices"
        in the module documentation. ``None``: every column is read by
        ``categories``.

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
    t, _ = prepare(X, y, categories, n_bins, sample_weight, discrete_features)
    return finish(mi_sum(t), t.total, log_base)


@validate_params(_SCORER_CONSTRAINTS, prefer_skip_nested_validation=True)
def joint_entropy(
    X: Any,
    y: Any,
    *,
    base: float = math.e,
    categories: Categories = "presence",
    n_bins: int = 10,
    sample_weight: Any = None,
    discrete_features: Any = None,
) -> np.ndarray:
    """Joint entropy ``H(X_j, Y)`` of each feature and the labels.

    Summed directly over the cells of each feature's contingency table with
    the label, so the chain rule ``H(X_j, Y) = H(X_j) + H(Y | X_j)`` and
    ``I(X_j; Y) = H(X_j) + H(Y) - H(X_j, Y)`` hold to rounding against
    :func:`entropy`, :func:`conditional_entropy` and :func:`mutual_info`.

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
    discrete_features : {"auto"}, bool, array-like or None, default=None
        Columns holding category labels; see :func:`mutual_info`.

    Returns
    -------
    ndarray of shape (n_features,)
        ``H(X_j, Y)``, between ``max(H(X_j), H(Y))`` and ``H(X_j) + H(Y)``.

    Examples
    --------
    >>> import numpy as np
    >>> from textfeat.info.scoring import joint_entropy
    >>> X = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    >>> y = ["spam", "spam", "ham", "ham"]
    >>> joint_entropy(X, y, base=2)
    array([1., 2.])
    """
    log_base = check_base(base)
    t, _ = prepare(X, y, categories, n_bins, sample_weight, discrete_features)
    return finish(joint_entropy_sum(t), t.total, log_base)


_DIVERGENCE_CONSTRAINTS: dict[str, list[Any]] = {
    **_SCORER_CONSTRAINTS,
    "aggregate": [StrOptions({"max", "mean"})],
}

_DIVERGENCE_DOC = """
    Parameters
    ----------
    X : {{array-like, sparse matrix}} of shape (n_samples, n_features)
        Feature matrix; see :func:`entropy`.
    y : array-like of shape (n_samples,)
        Class labels (strings or integers), at least two distinct classes.
    aggregate : {{"max", "mean"}}, default="max"
        How the per-class divergences become one score: ``"max"``, the
        largest over the classes (a feature that marks any one class well
        ranks high); ``"mean"``, their mean weighted by the class priors
        ``P(c)``{mean_note}.
    base : float, default=math.e
        Base of the logarithm, greater than 1: ``math.e`` gives nats, 2 bits.
    categories : {{"presence", "counts", "quantile"}}, default="presence"
        How a column becomes categories; see :func:`entropy`.
    n_bins : int, default=10
        Number of bins for ``categories="quantile"``; ignored otherwise.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample (``None``: all 1).
    discrete_features : {{"auto"}}, bool, array-like or None, default=None
        Columns holding category labels; see :func:`mutual_info`.

    Returns
    -------
    ndarray of shape (n_features,)
        {returns}
"""


def _divergence_score(
    kind: str,
    X: Any,
    y: Any,
    aggregate: str,
    base: float,
    categories: str,
    n_bins: int,
    sample_weight: Any,
    discrete_features: Any,
) -> np.ndarray:
    log_base = check_base(base)
    t, _ = prepare(X, y, categories, n_bins, sample_weight, discrete_features)
    return divergence_scores(t, kind, aggregate) / log_base


@validate_params(_DIVERGENCE_CONSTRAINTS, prefer_skip_nested_validation=True)
def kl_score(
    X: Any,
    y: Any,
    *,
    aggregate: Literal["max", "mean"] = "max",
    base: float = math.e,
    categories: Categories = "presence",
    n_bins: int = 10,
    sample_weight: Any = None,
    discrete_features: Any = None,
) -> np.ndarray:
    """Kullback-Leibler divergence of each feature's class-conditional law.

    For every feature ``j`` and class ``c``,
    ``KL(P(X_j | c) || P(X_j)) = sum_v P(v | c) log(P(v | c) / P(v))``, how far
    the feature's distribution in the class is from its distribution overall;
    then one score per feature (see ``aggregate``). A ``score_func`` for
    :class:`~sklearn.feature_selection.SelectKBest`. The whole table is
    ``class_scores(X, y, score="kl")`` (presence categories).
    {doc}
    Examples
    --------
    >>> import numpy as np
    >>> from textfeat.info.scoring import kl_score
    >>> X = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    >>> y = ["spam", "spam", "ham", "ham"]
    >>> kl_score(X, y, base=2)
    array([1., 0.])
    """
    return _divergence_score(
        "kl",
        X,
        y,
        aggregate,
        base,
        categories,
        n_bins,
        sample_weight,
        discrete_features,
    )


@validate_params(_DIVERGENCE_CONSTRAINTS, prefer_skip_nested_validation=True)
def js_score(
    X: Any,
    y: Any,
    *,
    aggregate: Literal["max", "mean"] = "max",
    base: float = math.e,
    categories: Categories = "presence",
    n_bins: int = 10,
    sample_weight: Any = None,
    discrete_features: Any = None,
) -> np.ndarray:
    """Jensen-Shannon divergence of each feature's class-conditional law.

    For every feature ``j`` and class ``c``, with ``P = P(X_j | c)``,
    ``Q = P(X_j)`` and ``M = (P + Q) / 2``,
    ``JS(P, Q) = KL(P || M) / 2 + KL(Q || M) / 2``: symmetric, finite and at
    most ``log 2`` (KL is at most ``log(1 / P(c))``, so it favours features
    of small classes). Then one score per feature (see
    ``aggregate``). A ``score_func`` for
    :class:`~sklearn.feature_selection.SelectKBest`; the whole table is
    ``class_scores(X, y, score="js")`` (presence categories).
    {doc}
    Examples
    --------
    >>> import numpy as np
    >>> from textfeat.info.scoring import js_score
    >>> X = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    >>> y = ["spam", "spam", "ham", "ham"]
    >>> js_score(X, y, base=2).round(4)
    array([0.3113, 0.    ])
    """
    return _divergence_score(
        "js",
        X,
        y,
        aggregate,
        base,
        categories,
        n_bins,
        sample_weight,
        discrete_features,
    )


kl_score.__doc__ = (kl_score.__doc__ or "").format(
    doc=_DIVERGENCE_DOC.format(
        mean_note=", which equals the mutual information ``I(X_j; Y)``",
        returns="Between 0 and ``log(1 / P(c))`` for the class ``c`` that "
        "scores, never ``inf`` (``P(v) >= P(c) P(v | c)``).",
    )
)
js_score.__doc__ = (js_score.__doc__ or "").format(
    doc=_DIVERGENCE_DOC.format(
        mean_note="",
        returns="Between 0 and ``log(2)`` (1 bit).",
    )
)
