"""Input checks and per-feature contingency tables, shared by the scorers.

:func:`prepare` validates ``X``, ``y`` and ``sample_weight`` and builds the
non-zero cells of every feature's contingency table with the label
(:class:`Tables`); the ``*_sum`` functions turn them into ``N`` times an
entropy or a mutual information, in nats, for all features at once. The
public scorers are in :mod:`textfeat.info.scoring` and
:mod:`textfeat.info.per_class`; the method is described in the former.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array, column_or_1d
from sklearn.utils.multiclass import type_of_target

from textfeat._compat import Interval, StrOptions

__all__ = [
    "BASE",
    "CATEGORIES",
    "DISCRETE",
    "N_BINS",
    "Categories",
    "Tables",
    "cell_zero_n",
    "check_base",
    "conditional_entropy_sum",
    "entropy_sum",
    "finish",
    "joint_entropy_sum",
    "mi_sum",
    "nonzero_weight",
    "prepare",
    "prepare_unlabelled",
    "tables_from_counts",
    "xlogr",
    "zero_n",
]

Categories = Literal["presence", "counts", "quantile"]

CATEGORIES = StrOptions({"presence", "counts", "quantile"})
BASE = Interval(Real, 1, None, closed="neither")
N_BINS = Interval(Integral, 2, None, closed="left")
#: ``discrete_features``: None, "auto", a bool, a boolean mask or column indices.
DISCRETE = [StrOptions({"auto"}), "boolean", "array-like", None]


# --------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------


def check_base(base: float) -> float:
    """Return ``log(base)``; ``validate_params`` has checked that base > 1."""
    return math.log(base)


def _check_X(
    X: Any, categories: str, n_bins: int, discrete_features: Any = None
) -> tuple[sp.csr_matrix | sp.csc_matrix, str]:
    """Validate ``X``; return a matrix whose non-zeros are categories, and how.

    The second value is the grouping :func:`_tables` applies: ``"presence"``
    or ``"counts"`` (``"quantile"`` input comes back as bin numbers, grouped
    like counts). With ``discrete_features`` the discrete columns keep their
    values (each distinct value a category, negative values included) and the
    other columns are binned, which needs ``categories="quantile"``.
    """
    if discrete_features is not None:
        return _check_mixed(X, categories, n_bins, discrete_features)
    Xs = _check_categories(X, categories, n_bins)
    return Xs, ("counts" if categories == "quantile" else categories)


def _discrete_mask(discrete_features: Any, n_features: int, sparse: bool) -> np.ndarray:
    """``discrete_features`` as a boolean mask, read as scikit-learn reads it.

    ``"auto"`` means every column of a sparse ``X`` and none of a dense one;
    a bool applies to every column; an array is a boolean mask of length
    ``n_features`` or the indices of the discrete columns (negative indices
    count from the end, as in NumPy).
    """
    if isinstance(discrete_features, str):  # "auto", checked by validate_params
        return np.full(n_features, sparse)
    if isinstance(discrete_features, (bool, np.bool_)):
        return np.full(n_features, bool(discrete_features))
    given = discrete_features
    try:
        arr = np.asarray(given)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"discrete_features must be a boolean mask or an array of column "
            f"indices; could not read {given!r} as an array ({exc})."
        ) from None
    if arr.ndim != 1:
        raise ValueError(
            f"discrete_features must be 1-d (a boolean mask or column indices); "
            f"got an array of shape {arr.shape}."
        )
    if arr.dtype == bool:
        if arr.shape[0] != n_features:
            raise ValueError(
                f"discrete_features is a boolean mask of length {arr.shape[0]}, "
                f"but X has {n_features} features."
            )
        return arr.copy()
    if arr.size == 0:
        return np.zeros(n_features, dtype=bool)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(
            f"discrete_features must be a boolean mask or integer column "
            f"indices; got an array of dtype {arr.dtype} ({given!r})."
        )
    bad = (arr < -n_features) | (arr >= n_features)
    if bad.any():
        raise ValueError(
            f"discrete_features holds column index {int(arr[bad][0])}, out of "
            f"range for X with {n_features} features."
        )
    mask = np.zeros(n_features, dtype=bool)
    mask[arr] = True
    return mask


def _check_mixed(
    X: Any, categories: str, n_bins: int, discrete_features: Any
) -> tuple[sp.csr_matrix | sp.csc_matrix, str]:
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
    mask = _discrete_mask(discrete_features, X.shape[1], sp.issparse(X))
    if mask.all():
        if not sp.issparse(X):
            return sp.csr_matrix(X), "counts"
        if not X.has_canonical_format:
            X = X.copy()
            X.sum_duplicates()
        return X, "counts"
    continuous = np.flatnonzero(~mask)
    if categories != "quantile":
        raise ValueError(
            f"discrete_features marks {continuous.shape[0]} column(s) as "
            f"continuous (the first: {continuous[:5].tolist()}), and "
            f"categories={categories!r} cannot score a continuous column "
            "exactly. scikit-learn estimates their mutual information with a "
            "nearest-neighbour estimator, which contingency tables cannot "
            "reproduce. Pass categories='quantile' to bin them into n_bins "
            "equal-frequency bins, mark them discrete, or score them with "
            "sklearn.feature_selection.mutual_info_classif."
        )
    if sp.issparse(X):
        raise TypeError(
            "discrete_features marks continuous columns, which "
            "categories='quantile' bins, and bins need a dense X; X is a sparse "
            "matrix. Pass X.toarray(), or discrete_features=True for sparse "
            "counts."
        )
    codes = np.array(X, dtype=np.float64)
    codes[:, continuous] = _quantile_codes(codes[:, continuous], n_bins)
    return sp.csr_matrix(codes), "counts"


def _check_categories(
    X: Any, categories: str, n_bins: int
) -> sp.csr_matrix | sp.csc_matrix:
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
class Tables:
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
) -> Tables:
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
        return Tables(
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
    return Tables(
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


def tables_from_counts(class_n: Any, presence: Any) -> Tables:
    """The presence :class:`Tables` from additive counts (merged row blocks).

    ``class_n[c]`` is the weight of class ``c`` and ``presence[j, c]`` the
    weight of the samples of class ``c`` where feature ``j`` is non-zero
    (dense or sparse, shape ``(n_features, n_classes)``): both are sums over
    samples, so the counts of row blocks add up to those of the whole matrix
    and the tables equal what :func:`prepare` builds with
    ``categories="presence"``.
    """
    class_n = np.asarray(class_n, dtype=np.float64).reshape(-1)
    P = sp.coo_matrix(sp.csr_matrix(presence, dtype=np.float64))
    n_features, n_classes = P.shape
    if n_classes != class_n.shape[0]:
        raise ValueError(
            f"presence has {n_classes} class columns, class_n has "
            f"{class_n.shape[0]} classes."
        )
    if class_n.min(initial=0.0) < 0 or (P.nnz and P.data.min() < 0):
        raise ValueError("class_n and presence must be non-negative counts.")
    keep = P.data > 0
    cell_feature, cell_class, cell_n = P.row[keep], P.col[keep], P.data[keep]
    if np.any(cell_n > class_n[cell_class] * (1 + ROUNDING)):
        raise ValueError("presence counts a feature in more samples than its class has.")
    feature_n = _group_sum(cell_feature, weights=cell_n, minlength=n_features)
    return Tables(
        total=float(class_n.sum()),
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


def prepare(
    X: Any,
    y: Any,
    categories: str,
    n_bins: int,
    sample_weight: Any,
    discrete_features: Any = None,
) -> tuple[Tables, np.ndarray]:
    Xs, grouping = _check_X(X, categories, n_bins, discrete_features)
    classes, codes = _check_y(y, Xs.shape[0])
    weight = _check_sample_weight(sample_weight, Xs.shape[0])
    return _tables(Xs, codes, classes.shape[0], grouping, weight), classes


# --------------------------------------------------------------------------
# the sums (all in nats, multiplied by N)
# --------------------------------------------------------------------------


def xlogr(n: np.ndarray, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``n * log(num / den)`` with 0 wherever ``n <= 0`` (0 log 0 = 0)."""
    out = np.zeros(np.broadcast(n, num, den).shape)
    pos = np.broadcast_to(n > 0, out.shape)
    n, num, den = (np.broadcast_to(a, out.shape)[pos] for a in (n, num, den))
    out[pos] = n * np.log(num / den)
    return out


#: Differences of weights below this share of the total are rounding: the
#: class sizes (summed over samples) and the table's cells (summed in a sparse
#: product) add float weights in different orders, so ``N_c - n_jc`` for a
#: feature present in every sample of a class can come out as 1e-16 instead
#: of 0, which would put weight in a category the feature does not have.
ROUNDING = 1e-12


def nonzero_weight(diff: np.ndarray, total: float) -> np.ndarray:
    """``diff`` (a difference of weights) with rounding-sized values set to 0."""
    return np.where(diff > ROUNDING * total, diff, 0.0)


def zero_n(t: Tables) -> np.ndarray:
    """Weight of the zero category of each feature, ``N - n_j``."""
    return nonzero_weight(t.total - t.feature_n, t.total)


def cell_zero_n(t: Tables) -> np.ndarray:
    """Weight of category 0 in each non-zero cell's class, ``N_c - n_jc``.

    0 wherever the feature has no category 0 at all (``zero_n`` is 0), so the
    two never disagree.
    """
    n = nonzero_weight(t.class_n[t.cell_class] - t.cell_n, t.total)
    return np.where(zero_n(t)[t.cell_feature] > 0, n, 0.0)


def mi_sum(t: Tables) -> np.ndarray:
    """``N * I(X_j; Y)`` in nats for every feature."""
    d, N = t.n_features, t.total
    nc = t.class_n
    # non-zero categories
    s = _group_sum(
        t.cat_feature[t.catcell_cat],
        weights=xlogr(
            t.catcell_n,
            t.catcell_n * N,
            t.cat_n[t.catcell_cat] * nc[t.catcell_class],
        ),
        minlength=d,
    )
    # zero category: classes where the feature occurs ...
    n0 = zero_n(t)
    cell_n0 = cell_zero_n(t)
    s += _group_sum(
        t.cell_feature,
        weights=xlogr(cell_n0, cell_n0 * N, n0[t.cell_feature] * nc[t.cell_class]),
        minlength=d,
    )
    # ... and classes where it never occurs: N_c log(N / n0) each
    seen = _group_sum(t.cell_feature, weights=nc[t.cell_class], minlength=d)
    s += xlogr(np.where(n0 > 0, nonzero_weight(N - seen, N), 0.0), N, n0)
    return s


def entropy_sum(t: Tables) -> np.ndarray:
    """``N * H(X_j)`` in nats."""
    N = t.total
    s = -_group_sum(
        t.cat_feature, weights=xlogr(t.cat_n, t.cat_n, N), minlength=t.n_features
    )
    n0 = zero_n(t)
    s -= xlogr(n0, n0, N)
    return s


def conditional_entropy_sum(t: Tables) -> np.ndarray:
    """``N * H(Y | X_j)`` in nats."""
    d, N = t.n_features, t.total
    nc = t.class_n
    s = -_group_sum(
        t.cat_feature[t.catcell_cat],
        weights=xlogr(t.catcell_n, t.catcell_n, t.cat_n[t.catcell_cat]),
        minlength=d,
    )
    n0 = zero_n(t)
    cell_n0 = cell_zero_n(t)
    s -= _group_sum(
        t.cell_feature,
        weights=xlogr(cell_n0, cell_n0, n0[t.cell_feature]),
        minlength=d,
    )
    # classes in which the feature never occurs: sum_c N_c log(N_c / n0)
    nc_log_nc = xlogr(nc, nc, 1.0)
    unseen = nc_log_nc.sum() - _group_sum(
        t.cell_feature, weights=nc_log_nc[t.cell_class], minlength=d
    )
    unseen_n = nonzero_weight(
        N - _group_sum(t.cell_feature, weights=nc[t.cell_class], minlength=d), N
    )
    has_zero = n0 > 0
    s[has_zero] -= unseen[has_zero] - xlogr(unseen_n, n0, 1.0)[has_zero]
    return s


def joint_entropy_sum(t: Tables) -> np.ndarray:
    """``N * H(X_j, Y)`` in nats, from the cells of the joint table directly."""
    d, N = t.n_features, t.total
    nc = t.class_n
    s = -_group_sum(
        t.cat_feature[t.catcell_cat],
        weights=xlogr(t.catcell_n, t.catcell_n, N),
        minlength=d,
    )
    # zero category, classes where the feature occurs ...
    cell_n0 = cell_zero_n(t)
    s -= _group_sum(t.cell_feature, weights=xlogr(cell_n0, cell_n0, N), minlength=d)
    # ... and classes where it never occurs: the whole class is in category 0
    class_terms = xlogr(nc, nc, N)
    s -= class_terms.sum() - _group_sum(
        t.cell_feature, weights=class_terms[t.cell_class], minlength=d
    )
    return s


def finish(s: np.ndarray, total: float, log_base: float) -> np.ndarray:
    """Divide by ``N`` and ``log(base)``; clip rounding below zero to zero."""
    return np.maximum(s / (total * log_base), 0.0)


def prepare_unlabelled(
    X: Any,
    categories: str,
    n_bins: int,
    sample_weight: Any,
    discrete_features: Any = None,
) -> Tables:
    """The category counts of ``X`` alone (one dummy class), for ``H(X_j)``."""
    Xs, grouping = _check_X(X, categories, n_bins, discrete_features)
    weight = _check_sample_weight(sample_weight, Xs.shape[0])
    codes = np.zeros(Xs.shape[0], dtype=np.intp)
    return _tables(Xs, codes, 1, grouping, weight)
