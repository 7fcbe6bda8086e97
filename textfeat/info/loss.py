"""Cross-entropy (log loss) of a softmax classifier, computed from its logits.

``log_loss_from_logits(y, Z)`` is the mean of ``-log softmax(Z)[i, y_i]``:
the cross-entropy between the one-hot labels and the model's predicted
distribution, the loss :class:`~textfeat.head.classifier.SoftmaxClassifier`
minimises. It is computed with the stable
:func:`~textfeat.head.functions.log_softmax`, so it never forms a probability
and takes its logarithm back: logits of ``1e308`` give a finite loss, and a
confident mistake costs its true (large) log loss.

It equals :func:`sklearn.metrics.log_loss` on ``softmax(Z)`` wherever no
predicted probability is below the machine epsilon, since scikit-learn clips
probabilities to ``[eps, 1 - eps]`` (at most ``-log(eps) ~ 36`` nats per
sample); here nothing is clipped.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils import column_or_1d
from sklearn.utils.multiclass import type_of_target

from textfeat.head.functions import log_softmax

__all__ = ["log_loss_from_logits"]


def _check_logits(logits: Any, n_samples: int) -> np.ndarray:
    if isinstance(logits, (str, bytes)):
        raise TypeError(f"logits must be an array of numbers; got {logits!r}.")
    try:
        Z = np.asarray(logits)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"logits could not be read as an array ({exc}).") from None
    if Z.dtype.kind == "c":
        raise TypeError(f"logits must be real; got a complex array (dtype {Z.dtype}).")
    if Z.dtype.kind not in "biuf":
        raise TypeError(
            f"logits must be an array of real numbers; got dtype {Z.dtype}."
        )
    Z = Z.astype(np.float64)
    if Z.ndim not in (1, 2):
        raise ValueError(
            f"logits must be 1-d (binary: the logit of the second class) or 2-d "
            f"(n_samples, n_classes); got shape {Z.shape}."
        )
    if Z.shape[0] != n_samples:
        raise ValueError(
            f"y_true and logits have different lengths: {n_samples} labels, "
            f"{Z.shape[0]} rows of logits."
        )
    if np.isnan(Z).any():
        where = tuple(int(i) for i in np.argwhere(np.isnan(Z))[0])
        raise ValueError(f"logits hold NaN at index {where}.")
    if np.isposinf(Z).any():
        where = tuple(int(i) for i in np.argwhere(np.isposinf(Z))[0])
        raise ValueError(f"logits must be below +inf; found +inf at index {where}.")
    if Z.ndim == 1:  # binary decision_function: logit of classes[1] vs classes[0]
        Z = np.column_stack([np.zeros_like(Z), Z])
    return Z


def log_loss_from_logits(
    y_true: Any,
    logits: Any,
    *,
    normalize: bool = True,
    sample_weight: Any = None,
    labels: Any = None,
) -> float:
    """Log loss (cross-entropy) of softmax predictions, from the logits.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    logits : array-like of shape (n_samples, n_classes) or (n_samples,)
        Scores whose softmax along each row is the predicted distribution,
        columns in the order of ``labels`` (default ``np.unique(y_true)``),
        as :meth:`SoftmaxClassifier.decision_function` returns them. A 1-d
        array is binary: the logit of the second class against the first.
        ``-inf`` is probability 0; NaN and ``+inf`` are refused.
    normalize : bool, default=True
        Return the (weighted) mean loss per sample; ``False``: the sum.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample.
    labels : array-like, default=None
        All the classes, in the order of the columns of ``logits`` (needed
        when ``y_true`` does not show every class).

    Returns
    -------
    float
        ``sum_i w_i (-log softmax(logits)[i, y_i])``, divided by
        ``sum_i w_i`` if ``normalize``; in nats. ``inf`` if a true class has
        logit ``-inf``.

    Examples
    --------
    >>> import numpy as np
    >>> from textfeat.info.loss import log_loss_from_logits
    >>> Z = np.log([[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]])
    >>> round(log_loss_from_logits(["spam", "ham", "ham", "spam"], Z), 5)
    0.21616
    >>> log_loss_from_logits([0, 1], [[1e308, 0.0], [0.0, 1e308]])
    0.0
    """
    if isinstance(y_true, (str, bytes)):
        raise TypeError(
            f"y_true must be an array of labels; got the string {y_true!r}."
        )
    y = column_or_1d(np.asarray(y_true))
    if y.shape[0] == 0:
        raise ValueError("y_true is empty: the loss needs at least one sample.")
    Z = _check_logits(logits, y.shape[0])
    if labels is None:
        classes = np.unique(y)
        if classes.shape[0] < 2 and Z.shape[1] != classes.shape[0]:
            raise ValueError(
                f"y_true has a single label ({classes[0]!r}): pass labels= so the "
                "columns of logits can be matched to classes."
            )
    else:
        classes = np.unique(column_or_1d(np.asarray(labels)))
        if classes.shape[0] < 2:
            raise ValueError(f"labels must hold at least two classes; got {labels!r}.")
    if type_of_target(y, input_name="y_true") not in ("binary", "multiclass"):
        raise ValueError("y_true must hold class labels (binary or multiclass).")
    if Z.shape[1] != classes.shape[0]:
        raise ValueError(
            f"logits has {Z.shape[1]} columns but there are {classes.shape[0]} "
            f"classes ({classes.tolist()!r}); pass labels= with every class, in "
            "column order."
        )
    try:
        idx = np.minimum(np.searchsorted(classes, y), classes.shape[0] - 1)
        unknown = np.asarray(classes[idx] != y, dtype=bool)
    except TypeError:  # e.g. string labels against integer classes
        raise ValueError(
            f"y_true (dtype {y.dtype}) cannot be matched with the classes "
            f"{classes.tolist()!r} (dtype {classes.dtype}); pass labels of the "
            "same type as y_true."
        ) from None
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise ValueError(
            f"y_true holds {y[i].item()!r} at index {i}, which is not in labels "
            f"{classes.tolist()!r}."
        )
    losses = -np.asarray(log_softmax(Z, axis=1))[np.arange(Z.shape[0]), idx]
    if sample_weight is None:
        return float(losses.mean() if normalize else losses.sum())
    w = _check_weight(sample_weight, y.shape[0])
    used = w > 0  # a zero weight ignores its sample, even an infinite loss
    total = float(np.sum(losses[used] * w[used]))
    if not normalize:
        return total
    if not w.sum() > 0:
        raise ValueError("sample_weight sums to 0: every sample has zero weight.")
    return total / float(w.sum())


def _check_weight(sample_weight: Any, n_samples: int) -> np.ndarray:
    w = np.asarray(sample_weight)
    if w.dtype.kind not in "biuf":
        raise TypeError(
            f"sample_weight must be an array of real numbers; got dtype {w.dtype}."
        )
    w = w.astype(np.float64)
    if w.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have one weight per sample ({n_samples}); got "
            f"shape {w.shape}."
        )
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"sample_weight must be finite and non-negative; found {w[i]!r} at "
            f"index {i}."
        )
    return w
