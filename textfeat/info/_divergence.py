"""KL and Jensen-Shannon divergence of each feature's class-conditional law.

For feature ``j`` and class ``c`` let ``P_jc = P(X_j | Y = c)`` and
``Q_j = P(X_j)``, both over the categories of ``X_j`` (absent/present, or its
values). The divergence ``KL(P_jc || Q_j)`` or ``JS(P_jc, Q_j)`` (in nats) is
computed from the non-zero cells of the contingency tables
(:class:`textfeat.info._tables.Tables`):

* a (feature, class) pair in which the feature never takes a non-zero value
  puts all of ``P_jc`` on category 0, so its divergence depends on ``j``
  alone (:func:`_unseen`);
* every other pair is a non-zero cell of the presence table; its terms are
  computed cell by cell (for presence, one non-zero category per feature, the
  cells of the two tables coincide; otherwise the category cells are summed
  into their presence cell with one ``bincount``).

:func:`divergence_table` lays these out as an ``(n_features, n_classes)``
array; :func:`divergence_scores` reduces them over the classes without
forming that array. ``sum_c P(c) KL(P_jc || Q_j) = I(X_j; Y)``: averaged with
the class priors, the KL scores are the mutual information. A class of zero
total weight has no conditional law and scores 0.
"""

from __future__ import annotations

import math

import numpy as np

from textfeat.info._tables import Tables, cell_zero_n, xlogr, zero_n

__all__ = ["divergence_scores", "divergence_table"]

LOG2 = math.log(2.0)


def _js_terms(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``p log(2p/(p+q)) + q log(2q/(p+q))`` with ``0 log 0 = 0``."""
    m = p + q
    return xlogr(p, 2.0 * p, m) + xlogr(q, 2.0 * q, m)


def _sum_into(index: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """``bincount`` that returns float64 also for empty input."""
    return np.bincount(index, weights=weights, minlength=n).astype(
        np.float64, copy=False
    )


def _unseen(q0: np.ndarray, kind: str) -> np.ndarray:
    """Divergence of ``(1, 0, ...)`` (all mass on category 0) from ``Q_j``."""
    if kind == "kl":  # log(1 / q0); q0 > 0 whenever such a pair exists
        return -np.log(np.where(q0 > 0, q0, 1.0))
    # 1/2 [log(2/(1+q0)) + q0 log(2 q0/(1+q0))] + 1/2 (1 - q0) log 2
    return 0.5 * (
        np.log(2.0 / (1.0 + q0)) + xlogr(q0, 2.0 * q0, 1.0 + q0) + (1.0 - q0) * LOG2
    )


def _seen(t: Tables, kind: str) -> np.ndarray:
    """Divergence of each non-zero cell ``(cell_feature, cell_class)``."""
    N, nc = t.total, t.class_n
    q0 = zero_n(t) / N
    cls = t.cell_class
    n_cls = nc[cls]
    # category 0 of the pair
    p0 = cell_zero_n(t) / n_cls
    q0c = q0[t.cell_feature]
    if t.catcell_cat is t.cell_feature:  # presence: the one non-zero category
        p1 = t.cell_n / n_cls  # > 0, and so is q1
        q1 = t.feature_n[t.cell_feature] / N
        with np.errstate(divide="ignore", invalid="ignore"):
            if kind == "kl":
                # p0 > 0 implies q0c > 0; the term is 0 where p0 = 0
                return p1 * np.log(p1 / q1) + np.where(
                    p0 > 0, p0 * np.log(p0 / q0c), 0.0
                )
            # q0c + q1 = 1: every category of the feature is in the two terms
            m1, m0 = p1 + q1, p0 + q0c
            s = p1 * np.log(2.0 * p1 / m1) + q1 * np.log(2.0 * q1 / m1)
            s += np.where(p0 > 0, p0 * np.log(2.0 * p0 / m0), 0.0)
            s += np.where(q0c > 0, q0c * np.log(2.0 * q0c / m0), 0.0)
        return 0.5 * s
    # counts / quantile: sum the category cells into their presence cell
    k = nc.shape[0]
    flat_seen = t.cell_feature * k + cls
    order = None
    if flat_seen.shape[0] > 1 and np.any(flat_seen[1:] < flat_seen[:-1]):
        order = np.argsort(flat_seen, kind="stable")
        flat_seen = flat_seen[order]
    ccls = t.catcell_class
    where = np.searchsorted(
        flat_seen, t.cat_feature[t.catcell_cat] * k + ccls
    )  # every category cell lies in a presence cell
    p = t.catcell_n / nc[ccls]
    q = t.cat_n[t.catcell_cat] / N
    n = flat_seen.shape[0]
    if order is not None:
        p0, q0c = p0[order], q0c[order]
    if kind == "kl":
        vals = _sum_into(where, xlogr(p, p, q), n)
        vals += xlogr(p0, p0, q0c)
    else:
        # categories the class never takes contribute q log 2 each
        vals = _sum_into(where, _js_terms(p, q), n)
        vals += _js_terms(p0, q0c)
        q_taken = _sum_into(where, q, n) + q0c
        vals += np.maximum(1.0 - q_taken, 0.0) * LOG2
        vals *= 0.5
    if order is not None:
        out = np.empty_like(vals)
        out[order] = vals
        vals = out
    return vals


def divergence_table(t: Tables, n_classes: int, kind: str) -> np.ndarray:
    """``(n_features, n_classes)`` KL (``kind="kl"``) or JS (``"js"``), in nats."""
    d, k = t.n_features, n_classes
    out = np.empty((d, k))
    out[:] = _unseen(zero_n(t) / t.total, kind)[:, None]
    out.ravel()[t.cell_feature * k + t.cell_class] = _seen(t, kind)
    out[:, t.class_n <= 0] = 0.0
    return np.maximum(out, 0.0, out=out)


def divergence_scores(t: Tables, kind: str, aggregate: str) -> np.ndarray:
    """Per-feature ``max`` or prior-weighted ``mean`` over the classes, in nats.

    Equal to reducing :func:`divergence_table` along its rows, without the
    ``(n_features, n_classes)`` array.
    """
    d, N, nc = t.n_features, t.total, t.class_n
    unseen = _unseen(zero_n(t) / N, kind)
    vals = np.maximum(_seen(t, kind), 0.0)
    feat = t.cell_feature
    if aggregate == "mean":
        prior = nc / N
        seen_prior = _sum_into(feat, prior[t.cell_class], d)
        out = _sum_into(feat, vals * prior[t.cell_class], d)
        out += unseen * np.maximum(1.0 - seen_prior, 0.0)
        return np.maximum(out, 0.0)
    # max: over the non-zero cells, and the unseen value if a class (of
    # positive weight) lacks the feature. Within one class every feature has
    # at most one cell, so each class is one scatter without duplicates; the
    # cells usually come sorted by class (the product's column order).
    k = nc.shape[0]
    n_classes_pos = int(np.count_nonzero(nc > 0))
    n_seen = np.bincount(feat, minlength=d)
    out = np.where(n_seen < n_classes_pos, np.maximum(unseen, 0.0), 0.0)
    cls = t.cell_class
    if cls.shape[0] > 1 and np.any(cls[1:] < cls[:-1]):
        order = np.argsort(cls, kind="stable")
        cls, feat, vals = cls[order], feat[order], vals[order]
    bounds = np.searchsorted(cls, np.arange(k + 1))
    for c in range(k):  # a loop over classes, vectorised over features
        f = feat[bounds[c] : bounds[c + 1]]
        out[f] = np.maximum(out[f], vals[bounds[c] : bounds[c + 1]])
    return out
