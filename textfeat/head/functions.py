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

from textfeat._compat import Interval, InvalidParameterError, validate_params

__all__ = ["log_softmax", "logsumexp", "softmax"]


_REAL_KINDS = "biuf"


def _as_float(x: ArrayLike, name: str = "x", owner: str = "logsumexp") -> NDArray:
    """``x`` as a real floating array; integers and booleans become float64.

    Complex input is refused (its real part is not the same function), and so
    is anything that is not a real number, naming the parameter ``name`` of
    ``owner`` and the value received.
    """
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be an array-like of real "
            f"numbers. Got {_short(x)} ({exc})."
        ) from None
    kind = arr.dtype.kind
    if kind == "c":
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be real; got a complex "
            f"input ({arr.dtype}, {_short(x)}). Pass its real part (x.real) or "
            "its modulus (abs(x)) explicitly."
        )
    if kind == "O":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError, OverflowError):
            kind = "O"
        else:
            kind = "f"
    if kind not in _REAL_KINDS:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be an array-like of real "
            f"numbers; got dtype {arr.dtype} ({_short(x)})."
        )
    if kind != "f":
        arr = arr.astype(np.float64)
    return arr


def _short(x: object) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_axis(axis: object, ndim: int, owner: str) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple of ints) as a tuple of distinct axes."""
    if axis is None:
        return tuple(range(ndim))
    items = axis if isinstance(axis, tuple) else (axis,)
    if not all(
        isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in items
    ):
        raise InvalidParameterError(
            f"The 'axis' parameter of {owner} must be None, an int or a tuple of "
            f"ints. Got {axis!r} instead."
        )
    out = tuple(int(a) + ndim if int(a) < 0 else int(a) for a in items)
    if not all(0 <= a < ndim for a in out) or len(set(out)) != len(out):
        raise InvalidParameterError(
            f"The 'axis' parameter of {owner} must name distinct axes of an "
            f"input with {ndim} dimension(s) ({-ndim} to {ndim - 1}). Got "
            f"{axis!r} instead."
        )
    return out


def check_temperature(temperature: float) -> None:
    if not math.isfinite(temperature):
        raise ValueError(
            f"The 'temperature' parameter must be a finite float > 0, "
            f"got {temperature!r}."
        )


def _gap(
    x: NDArray[np.floating], m: NDArray[np.floating], top: NDArray[np.bool_], t: float
) -> NDArray[np.floating]:
    """``(x - m) / t``, exactly 0 where ``top``, never overflowing before ``/ t``."""
    with np.errstate(invalid="ignore", over="ignore"):
        z = np.where(top, 0.0, x - m).astype(x.dtype, copy=False)
        if t != 1.0:
            overflowed = np.isneginf(z) & np.isfinite(x)
            z /= t
            if t > 1.0 and overflowed.any():
                # x - m below -max-float, yet (x - m) / T representable.
                z = np.where(overflowed, x / t - m / t, z)
    return z


def _shifted(
    x: NDArray[np.floating], axis: int | tuple[int, ...] | None, temperature: float
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
    z = _gap(x, m, x == m, temperature)
    e = np.exp(z)
    top = z == 0.0
    rest = np.sum(np.where(top, 0.0, e), axis=axis, keepdims=True)
    rest += np.sum(top, axis=axis, keepdims=True) - 1
    with np.errstate(divide="ignore"):
        log_norm = np.log1p(rest).astype(x.dtype, copy=False)
    return m, z, log_norm


def _logsumexp(
    x: NDArray[np.floating],
    axis: int | tuple[int, ...] | None = -1,
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


def _weighted_logsumexp(
    x: NDArray[np.floating],
    b: NDArray[np.floating],
    axis: tuple[int, ...],
    t: float,
) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
    """``T log |sum b exp(x / T)|`` and the sign of the sum (keepdims shapes).

    scipy's scheme: a zero weight removes its term (even an infinite or NaN
    one); the terms at the maximum ``m`` are summed apart (``w``, the sum of
    their weights) so that ``log|sum| = m + T (log|w| + log1p(rest / w))``
    keeps full precision; where that is not finite (``w = 0``, infinities),
    the direct sum decides.
    """
    x = np.where(b == 0, -np.inf, x)
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    top = x == m
    w = np.sum(np.where(top, b, 0.0), axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        z = _gap(x, m, top, t)
        rest = np.sum(np.where(top, 0.0, b * np.exp(z)), axis=axis, keepdims=True)
        s = np.where(rest == 0, rest, rest / w)
        sign = np.sign(s + 1) * np.sign(w)
        s = np.where(s < -1, -s - 2, s)
        out = m + t * (np.log1p(s) + np.log(np.abs(w)))
        bad = ~np.isfinite(out)
        if bad.any():
            direct = np.sum(b * np.exp(x / t), axis=axis, keepdims=True)
            out = np.where(bad, t * np.log(np.abs(direct)), out)
            sign = np.where(bad, np.sign(direct), sign)
    return out.astype(x.dtype, copy=False), sign.astype(x.dtype, copy=False)


def unchecked_softmax(
    x: NDArray[np.floating],
    axis: int | tuple[int, ...] | None = -1,
    temperature: float = 1.0,
) -> NDArray[np.floating]:
    _, z, log_norm = _shifted(x, axis, temperature)
    np.exp(z - log_norm, out=z)
    return z


def unchecked_log_softmax(
    x: NDArray[np.floating],
    axis: int | tuple[int, ...] | None = -1,
    temperature: float = 1.0,
) -> NDArray[np.floating]:
    _, z, log_norm = _shifted(x, axis, temperature)
    z -= log_norm
    return z


def _scalar(out: NDArray[np.floating]) -> Any:
    """A 0-d result as a numpy scalar (as scipy.special returns it)."""
    return out[()] if out.ndim == 0 else out


_FUNCTION_CONSTRAINTS: dict[str, list[Any]] = {
    "x": "no_validation",
    "axis": "no_validation",
    "temperature": [Interval(numbers.Real, 0, None, closed="neither")],
}

#: What ``axis`` accepts, for the docstrings.
_AXIS = "int, tuple of ints or None"


@validate_params(
    {
        **_FUNCTION_CONSTRAINTS,
        "b": "no_validation",
        "keepdims": ["boolean"],
        "return_sign": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def logsumexp(
    x: ArrayLike,
    axis: int | tuple[int, ...] | None = -1,
    b: ArrayLike | None = None,
    keepdims: bool = False,
    return_sign: bool = False,
    *,
    temperature: float = 1.0,
) -> Any:
    """Log-sum-exp along an axis, computed with the maximum subtracted.

    Returns ``T * log(sum(b * exp(x / T)))`` (``b = 1`` by default), the
    *smooth maximum* of ``x`` at temperature ``T``: without weights,
    ``max(x) <= logsumexp(x) <= max(x) + T * log(n)`` for ``n`` entries, and
    it tends to ``max(x)`` as ``T`` goes to 0. The arguments after ``x`` are
    those of :func:`scipy.special.logsumexp`, in its order, and mean the same,
    except that ``axis`` defaults to the last axis (one value per row of
    logits), not to all of them.

    Parameters
    ----------
    x : array-like or scalar
        Logits, real. Integers and booleans are converted to float64; float32
        stays float32. A scalar or 0-d array counts as one entry. Complex
        input is refused (``InvalidParameterError``, a ``ValueError`` and a
        ``TypeError``).
    axis : int, tuple of ints or None, default=-1
        Axis or axes to reduce; ``None`` reduces over all entries.
    b : array-like or scalar, default=None
        Weights of the terms, real, broadcast against ``x`` as in scipy (the
        result has the broadcast shape, reduced). They may be negative, to
        subtract terms; a zero weight removes its term, even an infinite or
        NaN one.
    keepdims : bool, default=False
        Keep the reduced axes with length 1.
    return_sign : bool, default=False
        Also return the sign of the weighted sum; ``res`` is then the log of
        its absolute value. Without it, a negative sum gives NaN.
    temperature : float, default=1.0
        Temperature ``T > 0``, finite.

    Returns
    -------
    res : ndarray or numpy scalar
        The reduced values (a numpy scalar when nothing is left, as in
        scipy). Exact (to rounding) for logits as large as ``1e308`` or as
        small as ``-1e308``; ``-inf`` entries contribute nothing; a row that
        is all ``-inf`` (or empty, or whose weighted sum is exactly 0) gives
        ``-inf``; a row holding ``+inf`` gives ``+inf``; NaN propagates.
    sgn : ndarray or numpy scalar
        Only with ``return_sign=True``: ``+1``, ``-1`` or ``0`` (a zero sum),
        NaN where ``res`` is NaN.

    Notes
    -----
    The values equal scipy 1.17's except where scipy's fallback for a
    non-finite result recomputes ``log(sum(b * exp(x)))`` directly and so
    contradicts its own rules: here a zero weight removes its term in every
    case (scipy lets ``0 * exp(inf)`` back in as NaN when the rest is not
    finite), a negative sum is NaN without ``return_sign`` even when it
    underflows (scipy takes ``log(-0.0) = -inf``), and an empty sum has sign
    0 (scipy says -1), like any other zero sum.

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

    scipy's own examples: weights, and a negative sum with its sign:

    >>> round(float(logsumexp(np.arange(10), b=np.arange(10, 0, -1))), 10)
    9.9170178533
    >>> res, sgn = logsumexp([1, 2], b=[1, -1], return_sign=True)
    >>> round(float(res), 10), float(sgn)
    (1.5413248546, -1.0)
    >>> bool(np.isnan(logsumexp([1, 2], b=[1, -1])))
    True
    >>> bool(logsumexp(np.ones((2, 3)), axis=(0, 1)) == 1 + np.log(6))
    True
    """
    check_temperature(temperature)
    t = float(temperature)
    x = _as_float(x, "x", "logsumexp")
    if b is not None:
        b = _as_float(b, "b", "logsumexp")
        try:
            shape = np.broadcast_shapes(x.shape, b.shape)
        except ValueError:
            raise InvalidParameterError(
                f"The 'b' parameter of logsumexp must broadcast against x: x has "
                f"shape {x.shape}, b has shape {b.shape}."
            ) from None
        dtype = np.result_type(x.dtype, b.dtype)
        x = np.broadcast_to(x, shape).astype(dtype, copy=False)
        b = np.broadcast_to(b, shape).astype(dtype, copy=False)
    x = np.atleast_1d(x)
    axes = _check_axis(axis, x.ndim, "logsumexp")
    if b is None:
        out = _logsumexp(x, axes, t, keepdims=True)
        sign = None
        if return_sign:
            sign = np.where(np.isneginf(out), 0.0, 1.0).astype(x.dtype)
            sign[np.isnan(out)] = np.nan
    else:
        out, sign = _weighted_logsumexp(x, np.atleast_1d(b), axes, t)
        if not return_sign:
            out = np.where(sign < 0, np.nan, out).astype(x.dtype, copy=False)
    if not keepdims:
        out = np.squeeze(out, axis=axes)
        sign = None if sign is None else np.squeeze(sign, axis=axes)
    if return_sign:
        return _scalar(out), _scalar(sign)
    return _scalar(out)


def _checked(
    x: ArrayLike, axis: object, owner: str
) -> tuple[NDArray[np.floating], tuple[int, ...], tuple[int, ...]]:
    """``x`` as a float array of at least one dimension, its axes, its shape."""
    arr = _as_float(x, "x", owner)
    shape = arr.shape
    arr = np.atleast_1d(arr)
    return arr, _check_axis(axis, arr.ndim, owner), shape


@validate_params(_FUNCTION_CONSTRAINTS, prefer_skip_nested_validation=True)
def softmax(
    x: ArrayLike, axis: int | tuple[int, ...] | None = -1, *, temperature: float = 1.0
) -> Any:
    """Softmax along an axis, computed with the maximum subtracted.

    Returns ``exp(x / T) / sum(exp(x / T))``. The result does not change when
    a constant is added to every logit of a row. ``x`` and ``axis`` are those
    of :func:`scipy.special.softmax`, except that ``axis`` defaults to the
    last axis.

    Parameters
    ----------
    x : array-like or scalar
        Logits, real. Integers are converted to float64; float32 stays
        float32. Complex input is refused.
    axis : int, tuple of ints or None, default=-1
        Axis or axes along which the probabilities sum to one; ``None``: all
        entries.
    temperature : float, default=1.0
        Temperature ``T > 0``, finite; large values flatten the distribution,
        small values sharpen it towards the arg-max.

    Returns
    -------
    ndarray or numpy scalar
        Same shape as ``x`` (a numpy scalar for a scalar). ``-inf`` logits
        get probability exactly 0. A row that is all ``-inf`` is treated as
        a constant row (the limit of ``softmax(x + c)`` as ``c -> -inf``) and
        gives the uniform distribution ``1/n``, so rows always sum to one.
        ``+inf`` logits share the whole mass equally.

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
    >>> softmax(np.zeros((2, 2)), axis=None)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    check_temperature(temperature)
    arr, axes, shape = _checked(x, axis, "softmax")
    return _scalar(unchecked_softmax(arr, axes, float(temperature)).reshape(shape))


@validate_params(_FUNCTION_CONSTRAINTS, prefer_skip_nested_validation=True)
def log_softmax(
    x: ArrayLike, axis: int | tuple[int, ...] | None = -1, *, temperature: float = 1.0
) -> Any:
    """Logarithm of :func:`softmax`, computed without taking ``log(0)``.

    Returns ``(x - m) / T - log(sum(exp((x - m) / T)))`` with ``m`` the row
    maximum, so the log-probability of a logit far below the others is a
    large finite negative number rather than ``log(0) = -inf``. ``x`` and
    ``axis`` are those of :func:`scipy.special.log_softmax`, except that
    ``axis`` defaults to the last axis.

    Parameters
    ----------
    x : array-like or scalar
        Logits, real. Integers are converted to float64; float32 stays
        float32. Complex input is refused.
    axis : int, tuple of ints or None, default=-1
        Axis or axes along which ``exp`` of the result sums to one.
    temperature : float, default=1.0
        Temperature ``T > 0``, finite.

    Returns
    -------
    ndarray or numpy scalar
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
    >>> float(log_softmax(3.0))
    0.0
    """
    check_temperature(temperature)
    arr, axes, shape = _checked(x, axis, "log_softmax")
    return _scalar(unchecked_log_softmax(arr, axes, float(temperature)).reshape(shape))
