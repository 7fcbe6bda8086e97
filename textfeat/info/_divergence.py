"""KL and Jensen-Shannon divergence of each feature's class-conditional law.

For feature ``j`` and class ``c`` let ``P_jc = P(X_j | Y = c)`` and
``Q_j = P(X_j)``, both over the categories of ``X_j`` (absent/present, or its
values). :func:`divergence_table` returns ``KL(P_jc || Q_j)`` or
``JS(P_jc, Q_j)`` in nats for every feature and class, from the non-zero
cells of the contingency tables (:class:`textfeat.info._tables.Tables`):

* a (feature, class) pair in which the feature never takes a non-zero value
  puts all of ``P_jc`` on category 0, so its divergence depends on ``j``
  alone and is filled in for the whole row at once;
* the other pairs (one per non-zero cell of the presence table) sum their
  terms with one ``bincount`` over the flat index ``j * k + c``.

``sum_c P(c) KL(P_jc || Q_j) = I(X_j; Y)``: averaged over the classes with
their priors, the KL scores are the mutual information. A class of zero total
weight has no conditional law and scores 0.
"""

from __future__ import annotations

import math

import numpy as np

from textfeat.info._tables import Tables, xlogr, zero_n

__all__ = ["divergence_table"]

LOG2 = math.log(2.0)


def _js_terms(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``p log(2p/(p+q)) + q log(2q/(p+q))`` for ``p, q > 0``."""
    m = p + q
    return p * np.log(2.0 * p / m) + q * np.log(2.0 * q / m)


def divergence_table(t: Tables, n_classes: int, kind: str) -> np.ndarray:
    """``(n_features, n_classes)`` KL (``kind="kl"``) or JS (``"js"``), in nats."""
    d, k, N = t.n_features, n_classes, t.total
    nc = t.class_n
    q0 = zero_n(t) / N  # P(X_j = 0)

    # Pairs where the feature never occurs in the class: P_jc = (1, 0, ...).
    if kind == "kl":
        unseen = xlogr(np.ones(d), 1.0, np.where(q0 > 0, q0, 1.0))
    else:  # 1/2 [log(2/(1+q0)) + q0 log(2 q0/(1+q0))] + 1/2 (1 - q0) log 2
        unseen = 0.5 * (
            np.log(2.0 / (1.0 + q0)) + xlogr(q0, 2.0 * q0, 1.0 + q0) + (1.0 - q0) * LOG2
        )
    out = np.repeat(unseen[:, None], k, axis=1)

    # Pairs with a non-zero cell: non-zero categories, then category 0.
    cls = t.catcell_class
    flat_cat = t.cat_feature[t.catcell_cat] * k + cls
    p_cat = t.catcell_n / nc[cls]
    q_cat = t.cat_n[t.catcell_cat] / N
    flat_seen = t.cell_feature * k + t.cell_class
    n0c = np.maximum(nc[t.cell_class] - t.cell_n, 0.0)
    p_zero = n0c / nc[t.cell_class]
    q_zero = q0[t.cell_feature]
    pos = p_zero > 0
    if kind == "kl":
        acc = np.bincount(flat_cat, weights=xlogr(p_cat, p_cat, q_cat), minlength=d * k)
        acc += np.bincount(
            flat_seen[pos],
            weights=xlogr(p_zero[pos], p_zero[pos], q_zero[pos]),
            minlength=d * k,
        )
    else:
        # categories the class never takes contribute q log 2 each: add
        # (1 - sum of q over the categories it takes) log 2 at the end.
        acc = np.bincount(flat_cat, weights=_js_terms(p_cat, q_cat), minlength=d * k)
        acc += np.bincount(
            flat_seen[pos], weights=_js_terms(p_zero[pos], q_zero[pos]), minlength=d * k
        )
        q_taken = np.bincount(flat_cat, weights=q_cat, minlength=d * k)
        q_taken += np.bincount(flat_seen[pos], weights=q_zero[pos], minlength=d * k)
        acc += np.maximum(1.0 - q_taken, 0.0) * LOG2
        acc *= 0.5
    out.ravel()[flat_seen] = acc[flat_seen]
    out[:, nc <= 0] = 0.0
    return np.maximum(out, 0.0)
