"""Stable log-sum-exp, softmax and log-softmax.

The functions follow the max-subtraction identity

.. math::

    T \\log \\sum_j e^{x_j / T} = m + T \\log \\sum_j e^{(x_j - m) / T},
    \\qquad m = \\max_j x_j,

so every exponent is at most zero: nothing overflows for logits as large as
``1e308`` and the largest term contributes exactly ``1`` to the sum.

The public functions validate their arguments; :func:`check_temperature`,
:func:`unchecked_softmax` and :func:`unchecked_log_softmax` are the kernels
behind them for callers that hold a float array and a checked temperature
already (the classifier in :mod:`textfeat.head.classifier`).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from textfeat._compat import Interval, validate_params

__all__ = ["log_softmax", "logsumexp", "softmax"]


def _as_float(x: ArrayLike) -> NDArray[np.floating]:
    """``x`` as a floating array; integers and booleans become float64."""
    arr = np.asarray(x)
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    return arr


def check_temperature(temperature: float) -> None:
    if not math.isfinite(temperature):
        raise ValueError(
            f"The 'temperature' parameter must be a finite float > 0, "
            f"got {temperature!r}."
        )


def _shifted(
    x: NDArray[np.floating], axis: int | None, temperature: float
) -> tuple[NDArray[np.floating], NDArray[np.floating], NDArray[np.floating]]:
    """Return ``m``, ``(x - m) / T`` and ``log sum exp((x - m) / T)``.

    ``m`` is the maximum along ``axis`` (kept as a length-1 axis). Entries equal
    to the maximum get exactly 0, which also covers rows whose maximum is
    ``+inf`` or ``-inf`` (where ``x - m`` would be NaN): a row of ``-inf`` is
    treated as a constant row, so its softmax is uniform. The maximum entries
    contribute exactly 1 each to the sum, so the log is taken as ``log1p`` of
    the rest, which keeps full relative precision when the rest is tiny.
    """
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    with np.errstate(invalid="ignore", over="ignore"):
        z = np.where(x == m, 0.0, x - m).astype(x.dtype, copy=False)
        if temperature != 1.0:
            overflowed = np.isneginf(z) & np.isfinite(x)
            z /= temperature
            if temperature > 1.0 and overflowed.any():
                # x - m below -max-float, yet (x - m) / T representable.
                z = np.where(overflowed, x / temperature - m / temperature, z)
    e = np.exp(z)
    top = z == 0.0
    rest = np.sum(np.where(top, 0.0, e), axis=axis, keepdims=True)
    rest += np.sum(top, axis=axis, keepdims=True) - 1
    with np.errstate(divide="ignore"):
        log_norm = np.log1p(rest).astype(x.dtype, copy=False)
    return m, z, log_norm


def _logsumexp(
    x: NDArray[np.floating],
    axis: int | None = -1,
    temperature: float = 1.0,
    keepdims: bool = False,
) -> NDArray[np.floating]:
    m, _, log_norm = _shifted(x, axis, temperature)
    with np.errstate(invalid="ignore"):
        out = m + temperature * log_norm
    # A row of -inf has m = -inf and log_norm = log(n): the sum is -inf.
    out = np.where(np.isneginf(m), m, out)
    if not keepdims:
        out = np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
    return out


def unchecked_softmax(
    x: NDArray[np.floating], axis: int | None = -1, temperature: float = 1.0
) -> NDArray[np.floating]:
    _, z, log_norm = _shifted(x, axis, temperature)
    np.exp(z - log_norm, out=z)
    return z


def unchecked_log_softmax(
    x: NDArray[np.floating], axis: int | None = -1, temperature: float = 1.0
) -> NDArray[np.floating]:
    _, z, log_norm = _shifted(x, axis, temperature)
    z -= log_norm
    return z


_FUNCTION_CONSTRAINTS: dict[str, list[Any]] = {
    "x": ["array-like"],
    "axis": [Interval(numbers.Integral, None, None, closed="neither"), None],
    "temperature": [Interval(numbers.Real, 0, None, closed="neither")],
}


@validate_params(
    {**_FUNCTION_CONSTRAINTS, "keepdims": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def logsumexp(
    x: ArrayLike,
    axis: int | None = -1,
    *,
    temperature: float = 1.0,
    keepdims: bool = False,
) -> NDArray[np.floating]:
    """Log-sum-exp along an axis, computed with the maximum subtracted.

    Returns ``T * log(sum(exp(x / T)))``, the *smooth maximum* of ``x`` at
    temperature ``T``: ``max(x) <= logsumexp(x) <= max(x) + T * log(n)`` for
    ``n`` entries, and it tends to ``max(x)`` as ``T`` goes to 0.

    Parameters
    ----------
    x : array-like
        Logits. Integers are converted to float64; float32 stays float32.
    axis : int or None, default=-1
        Axis to reduce; ``None`` reduces over all entries.
    temperature : float, default=1.0
        Temperature ``T > 0``, finite.
    keepdims : bool, default=False
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray
        The reduced values. Exact (to rounding) for logits as large as
        ``1e308`` or as small as ``-1e308``; ``-inf`` entries contribute
        nothing; a row that is all ``-inf`` (or empty) gives ``-inf``; a row
        holding ``+inf`` gives ``+inf``; NaN propagates.

    See Also
    --------
    softmax : Normalised exponentials.
    log_softmax : ``x / T - logsumexp(x)``, without forming ``log(0)``.

    Examples
    --------
    >>> import numpy as np
    >>> from textfeat.head.functions import logsumexp
    >>> float(logsumexp([1e308, 1e308]))
    1e+308
    >>> round(float(logsumexp([0.0, np.log(3.0)])), 6)
    1.386294
    >>> logsumexp([[-np.inf, -np.inf], [0.0, -np.inf]])
    array([-inf,   0.])
    """
    check_temperature(temperature)
    return _logsumexp(_as_float(x), axis, float(temperature), keepdims)


@validate_params(_FUNCTION_CONSTRAINTS, prefer_skip_nested_validation=True)
def softmax(
    x: ArrayLike, axis: int | None = -1, *, temperature: float = 1.0
) -> NDArray[np.floating]:
    """Softmax along an axis, computed with the maximum subtracted.

    Returns ``exp(x / T) / sum(exp(x / T))``. The result does not change when
    a constant is added to every logit of a row.

    Parameters
    ----------
    x : array-like
        Logits. Integers are converted to float64; float32 stays float32.
    axis : int or None, default=-1
        Axis along which the probabilities sum to one.
    temperature : float, default=1.0
        Temperature ``T > 0``, finite; large values flatten the distribution,
        small values sharpen it towards the arg-max.

    Returns
    -------
    ndarray
        Same shape as ``x``. ``-inf`` logits get probability exactly 0. A row
        that is all ``-inf`` is treated as a constant row (the limit of
        ``softmax(x + c)`` as ``c -> -inf``) and gives the uniform
        distribution ``1/n``, so rows always sum to one. ``+inf`` logits
        share the whole mass equally.

    Examples
    --------
    >>> import numpy as np
    >>> from textfeat.head.functions import softmax
    >>> softmax([0.0, np.log(3.0)])
    array([0.25, 0.75])
    >>> softmax([1e308, -1e308])
    array([1., 0.])
    >>> softmax([-np.inf, -np.inf])
    array([0.5, 0.5])
    """
    check_temperature(temperature)
    return unchecked_softmax(_as_float(x), axis, float(temperature))


@validate_params(_FUNCTION_CONSTRAINTS, prefer_skip_nested_validation=True)
def log_softmax(
    x: ArrayLike, axis: int | None = -1, *, temperature: float = 1.0
) -> NDArray[np.floating]:
    """Logarithm of :func:`softmax`, computed without taking ``log(0)``.

    Returns ``(x - m) / T - log(sum(exp((x - m) / T)))`` with ``m`` the row
    maximum, so the log-probability of a logit far below the others is a
    large finite negative number rather than ``log(0) = -inf``.

    Parameters
    ----------
    x : array-like
        Logits. Integers are converted to float64; float32 stays float32.
    axis : int or None, default=-1
        Axis along which ``exp`` of the result sums to one.
    temperature : float, default=1.0
        Temperature ``T > 0``, finite.

    Returns
    -------
    ndarray
        Same shape as ``x``. ``-inf`` logits give ``-inf``; a row that is all
        ``-inf`` gives ``-log(n)`` (the uniform distribution, as in
        :func:`softmax`).

    Examples
    --------
    >>> import numpy as np
    >>> from textfeat.head.functions import log_softmax
    >>> log_softmax([0.0, 1000.0])
    array([-1000.,     0.])
    >>> log_softmax([-np.inf, -np.inf])
    array([-0.69314718, -0.69314718])
    """
    check_temperature(temperature)
    return unchecked_log_softmax(_as_float(x), axis, float(temperature))
