"""Per-class feature scores: one-vs-rest MI or PMI, KL or JS, and the top features.

:func:`class_scores` crosses "feature present" with "sample in class ``c``"
for every feature and class from the same sparse contingency counts as
:mod:`textfeat.info.scoring`; :func:`top_features` names the best features of
each class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from textfeat._compat import HasMethods, Interval, StrOptions, validate_params
from textfeat.info._divergence import divergence_table
from textfeat.info._tables import (
    BASE,
    Tables,
    check_base,
    finish,
    nonzero_weight,
    prepare,
    xlogr,
    zero_n,
)

__all__ = ["class_scores", "top_features"]


# --------------------------------------------------------------------------
# per-class view
# --------------------------------------------------------------------------


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "score": [StrOptions({"mi", "pmi", "kl", "js"})],
        "base": [BASE],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def class_scores(
    X: Any,
    y: Any,
    *,
    score: Literal["mi", "pmi", "kl", "js"] = "mi",
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
    score : {"mi", "pmi", "kl", "js"}, default="mi"
        ``"mi"``: mutual information of the 2x2 table, which is high for
        features strongly associated with the class *or* with its absence.
        ``"pmi"``: pointwise mutual information
        ``log(P(present, c) / (P(present) P(c)))``, positive when the feature
        is over-represented in the class, ``-inf`` where the feature never
        occurs in the class (or at all); it favours rare features.
        ``"kl"``: ``KL(P(X_j | c) || P(X_j))``, the Kullback-Leibler
        divergence of the feature's presence distribution in the class from
        its distribution overall; averaged over the classes with weights
        ``P(c)`` it is the mutual information ``I(X_j; Y)``.
        ``"js"``: the Jensen-Shannon divergence of the same two
        distributions, symmetric and at most ``log 2``.
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
    >>> from textfeat.info.per_class import class_scores
    >>> X = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    >>> y = ["spam", "spam", "ham", "ham"]
    >>> class_scores(X, y, base=2)
    array([[1., 1.],
           [0., 0.]])
    >>> class_scores(X, y, score="pmi", base=2)
    array([[-inf,   1.],
           [  0.,   0.]])
    >>> class_scores(X, y, score="kl", base=2)
    array([[1., 1.],
           [0., 0.]])
    """
    log_base = check_base(base)
    t, classes = prepare(X, y, "presence", 2, sample_weight)
    return class_score_table(t, classes.shape[0], score, log_base)


def _class_counts(t: Tables, n_classes: int) -> sp.csc_matrix:
    """The (feature, class) presence counts as a sparse matrix."""
    return sp.csc_matrix(
        (t.cell_n, (t.cell_feature, t.cell_class)), shape=(t.n_features, n_classes)
    )


def class_score_table(t: Tables, n_classes: int, score: str, log_base: float) -> np.ndarray:
    if score in ("kl", "js"):
        return divergence_table(t, n_classes, score) / log_base
    d, k, N = t.n_features, n_classes, t.total
    n11 = _class_counts(t, k)
    n1 = t.feature_n
    n0 = zero_n(t)
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
        b = nonzero_weight(n1 - a, N)  # present, other classes
        e = np.where(n0 > 0, nonzero_weight(nc - a, N), 0.0)  # absent, class c
        f = nonzero_weight(n0 - e, N)  # absent, other classes
        mi = (
            xlogr(a, a * N, n1 * nc)
            + xlogr(b, b * N, n1 * not_c)
            + xlogr(e, e * N, n0 * nc)
            + xlogr(f, f * N, n0 * not_c)
        )
        out[:, c] = finish(mi, N, log_base)
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
        "score": [StrOptions({"mi", "pmi", "kl", "js"})],
        "positive": ["boolean"],
        "min_count": [Interval(Real, 0, None, closed="left")],
        "base": [BASE],
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
    score: Literal["mi", "pmi", "kl", "js"] = "mi",
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
    score : {"mi", "pmi", "kl", "js"}, default="mi"
        Per-class score; see :func:`class_scores`.
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
    >>> from textfeat.info.per_class import top_features
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
    log_base = check_base(base)
    t, classes = prepare(X, y, "presence", 2, sample_weight)
    names = _feature_names(feature_names, t.n_features)
    return table_top_features(
        t, classes, names, n_top, score, positive, min_count, log_base
    )


def table_top_features(
    t: Tables,
    classes: np.ndarray,
    names: np.ndarray,
    n_top: int,
    score: str,
    positive: bool,
    min_count: float,
    log_base: float,
) -> dict[Any, list[tuple[str, float]]]:
    """:func:`top_features` from presence tables (merged shard counts, say).

    Parameters
    ----------
    t : Tables
        Presence tables (:func:`textfeat.info._tables.tables_from_counts`).
    classes : ndarray
        The sorted class labels, one per column of the tables.
    names : ndarray of str
        The name of every feature.
    n_top, score, positive, min_count
        As in :func:`top_features`.
    log_base : float
        ``log(base)``.

    Returns
    -------
    dict
        As :func:`top_features`.

    Examples
    --------
    >>> import math
    >>> from textfeat.info._tables import tables_from_counts
    >>> t = tables_from_counts([2, 2], [[0, 2], [1, 1]])  # (feature, class)
    >>> table_top_features(t, np.array(["ham", "spam"]), np.array(["cheap", "at"]),
    ...                    1, "mi", True, 1, math.log(2))
    {'ham': [], 'spam': [('cheap', 1.0)]}
    """
    scores = class_score_table(t, classes.shape[0], score, log_base)
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
