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
* :func:`class_scores`: the one-vs-rest 2x2 mutual information (or pointwise
  mutual information) of each feature with each class;
* :func:`top_features`: the best features of each class, with names.

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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array, column_or_1d
from sklearn.utils.multiclass import type_of_target

from textfeat._compat import HasMethods, Interval, StrOptions, validate_params

__all__ = [
    "class_scores",
    "conditional_entropy",
    "entropy",
    "mutual_info",
    "top_features",
]

Categories = Literal["presence", "counts", "quantile"]

_CATEGORIES = StrOptions({"presence", "counts", "quantile"})
_BASE = Interval(Real, 1, None, closed="neither")
_N_BINS = Interval(Integral, 2, None, closed="left")


# --------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------


def _check_base(base: float) -> float:
    """Return ``log(base)``; ``validate_params`` has checked that base > 1."""
    return math.log(base)


def _check_X(X: Any, categories: str, n_bins: int) -> sp.csr_matrix | sp.csc_matrix:
    """Validate ``X`` and return a CSR/CSC matrix whose non-zeros are categories.

    For ``"presence"`` and ``"counts"`` the values are kept as given (explicit
    zeros may remain; they are treated as absent). For ``"quantile"`` the
    dense input is replaced by its bin numbers (0 to ``n_bins - 1``).
    """
    if categories == "quantile":
        if sp.issparse(X):
            raise TypeError(
                "categories='quantile' bins dense continuous features; X is a "
                "sparse matrix. Use categories='presence' or 'counts' for "
                "sparse counts, or pass X.toarray()."
            )
        X = check_array(
            X,
            dtype=np.float64,
            ensure_all_finite=True,
            ensure_min_samples=0,
            ensure_min_features=0,
            input_name="X",
        )
        _check_not_empty(X)
        return sp.csr_matrix(_quantile_codes(X, n_bins))

    X = check_array(
        X,
        accept_sparse=("csr", "csc"),
        dtype="numeric",
        ensure_all_finite=True,
        ensure_min_samples=0,
        ensure_min_features=0,
        input_name="X",
    )
    _check_not_empty(X)
    if not sp.issparse(X):
        X = sp.csr_matrix(X)
    elif not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    if X.nnz and X.data.min() < 0:
        where = np.flatnonzero(X.data < 0)[0]
        coo = X.tocoo()
        row, col = int(coo.row[where]), int(coo.col[where])
        raise ValueError(
            f"X must be non-negative with categories={categories!r} (presence "
            f"or counts); found {float(X.data[where])!r} at row {row}, column {col}. "
            "Use categories='quantile' for signed continuous features."
        )
    return X


def _check_not_empty(X: Any) -> None:
    n_samples, n_features = X.shape
    if n_samples == 0 or n_features == 0:
        raise ValueError(
            f"X is empty (shape {X.shape}): entropy and mutual information need "
            "at least one sample and one feature."
        )


def _quantile_codes(X: np.ndarray, n_bins: int) -> np.ndarray:
    """Bin each column of dense ``X`` into ``n_bins`` equal-frequency bins.

    A value goes to the bin whose lower edge it reaches (``searchsorted`` with
    ``side="right"``), so equal values always share a bin. The loop runs over
    the ``n_bins - 1`` inner edges, never over columns.
    """
    quantiles = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
    edges = np.quantile(X, quantiles, axis=0)
    codes = np.zeros(X.shape, dtype=np.int32)
    for edge in edges:
        codes += X >= edge
    return codes


def _check_y(y: Any, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the sorted class labels and each sample's class index."""
    y = check_array(
        y,
        ensure_2d=False,
        dtype=None,
        ensure_all_finite=True,
        ensure_min_samples=0,
        input_name="y",
    )
    y_type = type_of_target(y, input_name="y")
    if y_type not in ("binary", "multiclass"):
        raise ValueError(
            f"y must hold class labels (one per sample); its type is {y_type!r}. "
            "Continuous targets need a regression score (for example "
            "sklearn.feature_selection.mutual_info_regression)."
        )
    y = column_or_1d(y)
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X and y have different lengths: X has {n_samples} samples, "
            f"y has {y.shape[0]} labels."
        )
    classes, codes = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            f"y has a single class ({classes[0]!r}): there is nothing to "
            "predict, so every feature would score 0. Pass labels of at least "
            "two classes."
        )
    return classes, codes.reshape(-1)


def _check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    w = check_array(
        sample_weight,
        ensure_2d=False,
        dtype=np.float64,
        ensure_all_finite=True,
        input_name="sample_weight",
    )
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must be a 1-d array with one weight per sample "
            f"({n_samples}); got shape {w.shape}."
        )
    if w.min() < 0:
        raise ValueError(
            f"sample_weight must be non-negative; found {w.min()!r} at index "
            f"{int(np.argmin(w))}."
        )
    if not w.sum() > 0:
        raise ValueError("sample_weight sums to 0: every sample has zero weight.")
    return w


# --------------------------------------------------------------------------
# contingency tables
# --------------------------------------------------------------------------


def _group_sum(
    index: np.ndarray, weights: np.ndarray | None = None, minlength: int = 0
) -> np.ndarray:
    """``np.bincount`` that always returns float64 (also for empty input)."""
    return np.bincount(index, weights=weights, minlength=minlength).astype(
        np.float64, copy=False
    )


@dataclass(frozen=True)
class _Tables:
    """Non-zero cells of the per-feature contingency tables.

    The zero category of every feature (absent / value 0) is implicit: its
    counts are the class sizes minus the feature's non-zero counts.
    """

    total: float  # N, total weight
    class_n: np.ndarray  # (k,) weight of each class, N_c
    feature_n: np.ndarray  # (d,) weight of samples where X_j != 0
    # cells (feature, class) of the presence table with positive weight
    cell_feature: np.ndarray
    cell_class: np.ndarray
    cell_n: np.ndarray
    # non-zero categories: (feature, value) pairs; for presence, one per feature
    cat_feature: np.ndarray
    cat_n: np.ndarray
    # cells (category, class) with positive weight
    catcell_cat: np.ndarray
    catcell_class: np.ndarray
    catcell_n: np.ndarray

    @property
    def n_features(self) -> int:
        return self.feature_n.shape[0]


def _presence_counts(
    X: sp.csr_matrix | sp.csc_matrix, Y: sp.csr_matrix | np.ndarray
) -> Any:
    """``B.T @ Y`` where ``B`` is the presence pattern of ``X``, without copying X.

    ``B`` shares ``X``'s index arrays; only its data (ones, or zeros for
    explicit zeros) is new. Integer ones keep unweighted counts exact and
    small; weighted ``Y`` brings float64.
    """
    dtype = np.int32 if Y.dtype == np.int32 else np.float64
    if np.count_nonzero(X.data) == X.nnz:
        ones = np.ones(X.nnz, dtype=dtype)
    else:
        ones = (X.data != 0).astype(dtype)
    B = X.__class__((ones, X.indices, X.indptr), shape=X.shape, copy=False)
    return B.T @ Y


def _tables(
    X: sp.csr_matrix | sp.csc_matrix,
    codes: np.ndarray,
    n_classes: int,
    categories: str,
    weight: np.ndarray | None,
) -> _Tables:
    n_samples, n_features = X.shape
    if weight is None:
        class_n = _group_sum(codes, minlength=n_classes)
    else:
        class_n = _group_sum(codes, weights=weight, minlength=n_classes)
    total = float(class_n.sum())

    if categories == "presence":
        data = np.ones(n_samples, np.int32) if weight is None else weight
        Y = sp.csr_matrix(
            (data, codes, np.arange(n_samples + 1)), shape=(n_samples, n_classes)
        )
        M = _presence_counts(X, Y).tocoo()
        keep = M.data > 0
        cell_feature = M.row[keep]
        cell_class = M.col[keep]
        cell_n = M.data[keep].astype(np.float64)
        feature_n = _group_sum(cell_feature, weights=cell_n, minlength=n_features)
        return _Tables(
            total=total,
            class_n=class_n,
            feature_n=feature_n,
            cell_feature=cell_feature,
            cell_class=cell_class,
            cell_n=cell_n,
            cat_feature=np.arange(n_features),
            cat_n=feature_n,
            catcell_cat=cell_feature,
            catcell_class=cell_class,
            catcell_n=cell_n,
        )

    # "counts" and "quantile": group the non-zeros by (feature, value).
    coo = X.tocoo()
    nz = coo.data != 0
    row, col, val = coo.row[nz], coo.col[nz], coo.data[nz]
    del coo, nz
    order = np.lexsort((val, col))
    col, val, row = col[order], val[order], row[order]
    del order
    new = np.empty(col.shape[0], dtype=bool)
    new[:1] = True
    np.logical_or(col[1:] != col[:-1], val[1:] != val[:-1], out=new[1:])
    cat = np.cumsum(new) - 1
    cat_feature = col[new]
    del col, val, new
    w = np.ones(row.shape[0]) if weight is None else weight[row]
    cls = codes[row]
    del row
    T = sp.coo_matrix(
        (w, (cat, cls)), shape=(cat_feature.shape[0], n_classes)
    ).tocsr()  # sums the duplicates
    T.eliminate_zeros()
    T = T.tocoo()
    catcell_cat, catcell_class, catcell_n = T.row, T.col, T.data
    cat_n = _group_sum(catcell_cat, weights=catcell_n, minlength=T.shape[0])
    # presence table: sum the categories of each feature
    P = sp.coo_matrix(
        (catcell_n, (cat_feature[catcell_cat], catcell_class)),
        shape=(n_features, n_classes),
    ).tocsr()
    P.eliminate_zeros()
    P = P.tocoo()
    feature_n = _group_sum(P.row, weights=P.data, minlength=n_features)
    return _Tables(
        total=total,
        class_n=class_n,
        feature_n=feature_n,
        cell_feature=P.row,
        cell_class=P.col,
        cell_n=P.data,
        cat_feature=cat_feature,
        cat_n=cat_n,
        catcell_cat=catcell_cat,
        catcell_class=catcell_class,
        catcell_n=catcell_n,
    )


def _prepare(
    X: Any,
    y: Any,
    categories: str,
    n_bins: int,
    sample_weight: Any,
) -> tuple[_Tables, np.ndarray]:
    Xs = _check_X(X, categories, n_bins)
    classes, codes = _check_y(y, Xs.shape[0])
    weight = _check_sample_weight(sample_weight, Xs.shape[0])
    return _tables(Xs, codes, classes.shape[0], categories, weight), classes


# --------------------------------------------------------------------------
# the sums (all in nats, multiplied by N)
# --------------------------------------------------------------------------


def _xlogr(n: np.ndarray, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``n * log(num / den)`` with 0 wherever ``n <= 0`` (0 log 0 = 0)."""
    out = np.zeros(np.broadcast(n, num, den).shape)
    pos = np.broadcast_to(n > 0, out.shape)
    n, num, den = (np.broadcast_to(a, out.shape)[pos] for a in (n, num, den))
    out[pos] = n * np.log(num / den)
    return out


def _zero_n(t: _Tables) -> np.ndarray:
    """Weight of the zero category of each feature, ``N - n_j``."""
    return np.maximum(t.total - t.feature_n, 0.0)


def _mi_sum(t: _Tables) -> np.ndarray:
    """``N * I(X_j; Y)`` in nats for every feature."""
    d, N = t.n_features, t.total
    nc = t.class_n
    # non-zero categories
    s = _group_sum(
        t.cat_feature[t.catcell_cat],
        weights=_xlogr(
            t.catcell_n,
            t.catcell_n * N,
            t.cat_n[t.catcell_cat] * nc[t.catcell_class],
        ),
        minlength=d,
    )
    # zero category: classes where the feature occurs ...
    n0 = _zero_n(t)
    cell_n0 = np.maximum(nc[t.cell_class] - t.cell_n, 0.0)
    s += _group_sum(
        t.cell_feature,
        weights=_xlogr(cell_n0, cell_n0 * N, n0[t.cell_feature] * nc[t.cell_class]),
        minlength=d,
    )
    # ... and classes where it never occurs: N_c log(N / n0) each
    seen = _group_sum(t.cell_feature, weights=nc[t.cell_class], minlength=d)
    s += _xlogr(np.maximum(N - seen, 0.0), N, n0)
    return s


def _entropy_sum(t: _Tables) -> np.ndarray:
    """``N * H(X_j)`` in nats."""
    N = t.total
    s = -_group_sum(
        t.cat_feature, weights=_xlogr(t.cat_n, t.cat_n, N), minlength=t.n_features
    )
    n0 = _zero_n(t)
    s -= _xlogr(n0, n0, N)
    return s


def _conditional_entropy_sum(t: _Tables) -> np.ndarray:
    """``N * H(Y | X_j)`` in nats."""
    d, N = t.n_features, t.total
    nc = t.class_n
    s = -_group_sum(
        t.cat_feature[t.catcell_cat],
        weights=_xlogr(t.catcell_n, t.catcell_n, t.cat_n[t.catcell_cat]),
        minlength=d,
    )
    n0 = _zero_n(t)
    cell_n0 = np.maximum(nc[t.cell_class] - t.cell_n, 0.0)
    s -= _group_sum(
        t.cell_feature,
        weights=_xlogr(cell_n0, cell_n0, n0[t.cell_feature]),
        minlength=d,
    )
    # classes in which the feature never occurs: sum_c N_c log(N_c / n0)
    nc_log_nc = _xlogr(nc, nc, 1.0)
    unseen = nc_log_nc.sum() - _group_sum(
        t.cell_feature, weights=nc_log_nc[t.cell_class], minlength=d
    )
    unseen_n = np.maximum(
        N - _group_sum(t.cell_feature, weights=nc[t.cell_class], minlength=d), 0.0
    )
    has_zero = n0 > 0
    s[has_zero] -= unseen[has_zero] - _xlogr(unseen_n, n0, 1.0)[has_zero]
    return s


def _finish(s: np.ndarray, total: float, log_base: float) -> np.ndarray:
    """Divide by ``N`` and ``log(base)``; clip rounding below zero to zero."""
    return np.maximum(s / (total * log_base), 0.0)


# --------------------------------------------------------------------------
# public scorers
# --------------------------------------------------------------------------

_SCORER_CONSTRAINTS: dict[str, list[Any]] = {
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like"],
    "base": [_BASE],
    "categories": [_CATEGORIES],
    "n_bins": [_N_BINS],
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
    >>> from textfeat.scoring import entropy
    >>> X = np.array([[1, 0, 3], [1, 2, 0], [1, 0, 1], [1, 2, 1]])
    >>> entropy(X, base=2)
    array([0. , 1. , 0.811...])
    >>> entropy(X, base=2, categories="counts")
    array([0. , 1. , 1.5])
    """
    log_base = _check_base(base)
    Xs = _check_X(X, categories, n_bins)
    weight = _check_sample_weight(sample_weight, Xs.shape[0])
    # the tables need classes; one dummy class gives the category counts
    codes = np.zeros(Xs.shape[0], dtype=np.intp)
    t = _tables(Xs, codes, 1, categories, weight)
    return _finish(_entropy_sum(t), t.total, log_base)


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
    >>> from textfeat.scoring import conditional_entropy
    >>> X = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    >>> y = ["spam", "spam", "ham", "ham"]
    >>> conditional_entropy(X, y, base=2)
    array([0., 1.])
    """
    log_base = _check_base(base)
    t, _ = _prepare(X, y, categories, n_bins, sample_weight)
    return _finish(_conditional_entropy_sum(t), t.total, log_base)


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
    >>> from textfeat.scoring import mutual_info
    >>> X = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    >>> y = ["spam", "spam", "ham", "ham"]
    >>> mutual_info(X, y, base=2)
    array([1., 0.])

    Keep the most informative features:

    >>> from sklearn.feature_selection import SelectKBest
    >>> SelectKBest(mutual_info, k=1).fit(X, y).get_support()
    array([ True, False])
    """
    log_base = _check_base(base)
    t, _ = _prepare(X, y, categories, n_bins, sample_weight)
    return _finish(_mi_sum(t), t.total, log_base)


# --------------------------------------------------------------------------
# per-class view
# --------------------------------------------------------------------------


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "score": [StrOptions({"mi", "pmi"})],
        "base": [_BASE],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def class_scores(
    X: Any,
    y: Any,
    *,
    score: Literal["mi", "pmi"] = "mi",
    base: float = math.e,
    sample_weight: Any = None,
) -> np.ndarray:
    """One-vs-rest score of each feature for each class.

    For feature ``j`` and class ``c`` the 2x2 table crosses "feature present"
    with "sample in class ``c``" (``N11``, ``N10``, ``N01``, ``N00`` in the
    notation of Manning et al., *Introduction to Information Retrieval*,
    eq. 13.17). Features are taken by presence.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Non-negative feature matrix; non-zero means present.
    y : array-like of shape (n_samples,)
        Class labels, at least two distinct classes.
    score : {"mi", "pmi"}, default="mi"
        ``"mi"``: mutual information of the 2x2 table, which is high for
        features strongly associated with the class *or* with its absence.
        ``"pmi"``: pointwise mutual information
        ``log(P(present, c) / (P(present) P(c)))``, positive when the feature
        is over-represented in the class, ``-inf`` where the feature never
        occurs in the class (or at all); it favours rare features.
    base : float, default=math.e
        Base of the logarithm, greater than 1.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample.

    Returns
    -------
    ndarray of shape (n_features, n_classes)
        Column ``i`` belongs to ``np.unique(y)[i]``. Memory is
        ``O(n_features x n_classes)``.

    Examples
    --------
    >>> import numpy as np
    >>> from textfeat.scoring import class_scores
    >>> X = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    >>> y = ["spam", "spam", "ham", "ham"]
    >>> class_scores(X, y, base=2)
    array([[1., 1.],
           [0., 0.]])
    >>> class_scores(X, y, score="pmi", base=2)
    array([[-inf,   1.],
           [  0.,   0.]])
    """
    log_base = _check_base(base)
    t, classes = _prepare(X, y, "presence", 2, sample_weight)
    return _class_scores(t, classes.shape[0], score, log_base)


def _class_counts(t: _Tables, n_classes: int) -> sp.csc_matrix:
    """The (feature, class) presence counts as a sparse matrix."""
    return sp.csc_matrix(
        (t.cell_n, (t.cell_feature, t.cell_class)), shape=(t.n_features, n_classes)
    )


def _class_scores(
    t: _Tables, n_classes: int, score: str, log_base: float
) -> np.ndarray:
    d, k, N = t.n_features, n_classes, t.total
    n11 = _class_counts(t, k)
    n1 = t.feature_n
    n0 = _zero_n(t)
    out = np.empty((d, k))
    for c in range(k):  # a loop over classes, vectorised over features
        a = n11[:, [c]].toarray().ravel()
        nc = t.class_n[c]
        if score == "pmi":
            pos = a > 0
            col = np.full(d, -np.inf)
            col[pos] = np.log(a[pos] * N / (n1[pos] * nc)) / log_base
            out[:, c] = col
            continue
        not_c = N - nc
        b = np.maximum(n1 - a, 0.0)  # present, other classes
        e = np.maximum(nc - a, 0.0)  # absent, class c
        f = np.maximum(n0 - e, 0.0)  # absent, other classes
        mi = (
            _xlogr(a, a * N, n1 * nc)
            + _xlogr(b, b * N, n1 * not_c)
            + _xlogr(e, e * N, n0 * nc)
            + _xlogr(f, f * N, n0 * not_c)
        )
        out[:, c] = _finish(mi, N, log_base)
    return out


def _feature_names(feature_names: Any, n_features: int) -> np.ndarray:
    if feature_names is None:
        return np.asarray([f"x{i}" for i in range(n_features)], dtype=object)
    if hasattr(feature_names, "get_feature_names_out"):
        feature_names = feature_names.get_feature_names_out()
    elif isinstance(feature_names, str):
        raise TypeError(
            "feature_names must be a sequence of names or a fitted vectorizer "
            "with get_feature_names_out; got a single string."
        )
    names = np.asarray(feature_names, dtype=object)
    if names.ndim != 1 or names.shape[0] != n_features:
        raise ValueError(
            f"feature_names has {names.size} names but X has {n_features} features."
        )
    return names


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "n_top": [Interval(Integral, 1, None, closed="left")],
        "feature_names": ["array-like", HasMethods(["get_feature_names_out"]), None],
        "score": [StrOptions({"mi", "pmi"})],
        "positive": ["boolean"],
        "min_count": [Interval(Real, 0, None, closed="left")],
        "base": [_BASE],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def top_features(
    X: Any,
    y: Any,
    *,
    n_top: int = 10,
    feature_names: Sequence[str] | Any | None = None,
    score: Literal["mi", "pmi"] = "mi",
    positive: bool = True,
    min_count: float = 1,
    base: float = math.e,
    sample_weight: Any = None,
) -> dict[Any, list[tuple[str, float]]]:
    """The ``n_top`` best features of each class by one-vs-rest score.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Non-negative feature matrix; non-zero means present.
    y : array-like of shape (n_samples,)
        Class labels, at least two distinct classes.
    n_top : int, default=10
        Number of features listed per class (fewer if fewer qualify).
    feature_names : array-like of str, fitted vectorizer or None, default=None
        Names of the columns of ``X``, or any fitted object with
        ``get_feature_names_out`` (a vectorizer, a pipeline). ``None`` gives
        ``x0``, ``x1``, ...
    score : {"mi", "pmi"}, default="mi"
        One-vs-rest score; see :func:`class_scores`.
    positive : bool, default=True
        Keep only features over-represented in the class (occurring in a
        larger share of its samples than of all samples). One-vs-rest mutual
        information also rewards features typical of the *other* classes;
        this keeps the list about the class itself.
    min_count : float, default=1
        Skip features present in fewer than ``min_count`` samples overall
        (total weight). PMI in particular favours features seen once.
    base : float, default=math.e
        Base of the logarithm, greater than 1.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample.

    Returns
    -------
    dict
        Class label (in ``np.unique(y)`` order, as plain Python values) to a
        list of ``(feature name, score)`` pairs, best first; ties keep column
        order.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from textfeat.scoring import top_features
    >>> docs = ["cheap pills now", "cheap offer now", "meeting at noon",
    ...         "lunch at noon"]
    >>> y = ["spam", "spam", "ham", "ham"]
    >>> vec = CountVectorizer()
    >>> X = vec.fit_transform(docs)
    >>> top = top_features(X, y, n_top=2, feature_names=vec, base=2)
    >>> top["spam"]
    [('cheap', 1.0), ('now', 1.0)]
    >>> top["ham"]
    [('at', 1.0), ('noon', 1.0)]
    """
    log_base = _check_base(base)
    t, classes = _prepare(X, y, "presence", 2, sample_weight)
    names = _feature_names(feature_names, t.n_features)
    scores = _class_scores(t, classes.shape[0], score, log_base)
    keep = t.feature_n >= min_count
    n11 = _class_counts(t, classes.shape[0])
    result: dict[Any, list[tuple[str, float]]] = {}
    for c, label in enumerate(classes.tolist()):
        ok = keep.copy()
        if positive:
            a = n11[:, [c]].toarray().ravel()
            ok &= a * t.total > t.feature_n * t.class_n[c]
        idx = np.flatnonzero(ok)
        order = idx[np.argsort(-scores[idx, c], kind="stable")][:n_top]
        result[label] = [(str(names[j]), float(scores[j, c])) for j in order]
    return result
