"""Information measures of probability distributions held in arrays.

The functions here take distributions, not feature matrices: ``p`` (and
``q``) hold probabilities or counts along ``axis`` (default the last one), and
any other axes are a batch of distributions, as in :mod:`scipy.special` and
:func:`scipy.stats.entropy`. Their feature-matrix counterparts, which score
every column of ``X`` against labels ``y``, are the scorers in
:mod:`textfeat.info.scoring` (``entropy(X)``, ``joint_entropy(X, y)``,
``mutual_info``, ``kl_score``, ``js_score``). The vocabulary is therefore:

* ``textfeat.entropy(X)``, ``textfeat.joint_entropy(X, y)``, ...: a score for
  each *column* of a matrix (exported at the top of the package);
* ``textfeat.info.distributions.entropy(p)``, ...: a measure of a
  *distribution* (reached through this module, never exported bare, so the
  two never collide).

=======================================  =============================================
:func:`information_content` ``(p)``      ``h(x) = log 1/p(x)``, per outcome
:func:`entropy` ``(p)``                  ``H(p) = -sum p log p``
:func:`joint_entropy` ``(p_xy)``         ``H(X, Y)``: entropy over several axes at once
:func:`cross_entropy` ``(p, q)``         ``H(p, q) = -sum p log q >= H(p)``
:func:`kl_divergence` ``(p, q)``         ``KL(p || q) = sum p log(p / q) >= 0``
:func:`js_divergence` ``(p, q)``         ``(KL(p || m) + KL(q || m)) / 2``, ``m = (p + q) / 2``
=======================================  =============================================

Conventions
-----------
* ``0 log 0 = 0``: outcomes of probability 0 contribute nothing.
* ``KL(p || q) = H(p, q) = inf`` where some ``q_i = 0 < p_i``; JS is always
  finite (at most ``log 2``).
* Counts are normalised along ``axis``, so ``entropy([1, 1, 2])`` is the
  entropy of ``[0.25, 0.25, 0.5]``. Probabilities must be non-negative and
  finite, and every distribution must have some mass.
* Log-space input: ``log_p=`` and ``log_q=`` take log-probabilities or
  unnormalised log-weights (logits); they are normalised with the project's
  stable :func:`~textfeat.head.functions.log_softmax`, so logits of ``1e308``
  give finite results and nothing is exponentiated before it is normalised.
  ``-inf`` is probability 0; ``+inf`` and NaN are refused.
* ``base``: ``None`` (natural log, nats), ``2`` for bits, any finite real
  ``> 1``, as for the column scorers (scipy also takes bases in ``(0, 1)``,
  which turn every measure negative; they are refused here).
* The result has the shape of the input without the reduced axes (a NumPy
  scalar for one distribution). Measures that cannot be negative are clipped
  at 0 against rounding.

The identities that tie them together (tested as properties):
``H(p, q) = H(p) + KL(p || q)``, the chain rule
``H(X, Y) = H(X) + H(Y | X)``, and
``I(X; Y) = H(Y) - H(Y | X) = H(X) + H(Y) - H(X, Y) = KL(p_xy || p_x p_y)``.

Examples
--------
>>> from textfeat.info import distributions as D
>>> float(D.entropy([0.5, 0.25, 0.25], base=2))
1.5
>>> float(D.kl_divergence([0.5, 0.5], [0.25, 0.75], base=2))
0.2075...
>>> float(D.entropy(log_p=[1e308, 0.0]))
0.0
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from textfeat.head.functions import log_softmax

__all__ = [
    "cross_entropy",
    "entropy",
    "information_content",
    "joint_entropy",
    "js_divergence",
    "kl_divergence",
]

Axis = int | Sequence[int]
_LOG2 = math.log(2.0)


# --------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------


def _log_base(base: Any) -> float:
    """``log(base)``; ``None`` is e. Bases above 1 only, as the column scorers."""
    if base is None:
        return 1.0
    if isinstance(base, (bool, np.bool_)) or not isinstance(base, numbers.Real):
        raise TypeError(
            f"base must be a real number > 1 (or None for e); got {base!r} of "
            f"type {type(base).__name__}."
        )
    b = float(base)
    if not (math.isfinite(b) and b > 1.0):
        raise ValueError(
            f"base must be a finite real number > 1 (or None for e); got {base!r}."
        )
    return math.log(b)


def _real_array(x: Any, name: str) -> NDArray[np.float64]:
    """``x`` as a float64 array; complex, non-numeric and NaN refused."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers; got the string {x!r}.")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} could not be read as an array ({exc}).") from None
    if arr.dtype.kind == "c":
        raise TypeError(
            f"{name} must be real; got a complex array (dtype {arr.dtype}). "
            "Probabilities and logits are real numbers."
        )
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be an array of real numbers; got dtype {arr.dtype}."
        )
    arr = arr.astype(np.float64)
    if np.isnan(arr).any():
        where = tuple(int(i) for i in np.argwhere(np.isnan(arr))[0])
        raise ValueError(f"{name} holds NaN at index {where}.")
    return arr


def _axes(axis: Any, ndim: int, name: str) -> tuple[int, ...]:
    """``axis`` (an int or a sequence of ints) as sorted non-negative axes."""
    if ndim == 0:
        raise ValueError(
            f"{name} is a scalar; a distribution needs at least one axis "
            "(pass an array of probabilities or counts)."
        )
    raw = (axis,) if isinstance(axis, (numbers.Integral, np.integer)) else axis
    if isinstance(axis, (bool, np.bool_)) or not isinstance(raw, (tuple, list)):
        raise TypeError(f"axis must be an int or a tuple of ints; got {axis!r}.")
    out = []
    for a in raw:
        if isinstance(a, (bool, np.bool_)) or not isinstance(
            a, (numbers.Integral, np.integer)
        ):
            raise TypeError(f"axis must be an int or a tuple of ints; got {axis!r}.")
        if not -ndim <= a < ndim:
            raise ValueError(
                f"axis {axis!r} is out of range for {name} with {ndim} dimension(s)."
            )
        out.append(int(a) % ndim)
    if not out or len(set(out)) != len(out):
        raise ValueError(f"axis must name distinct axes; got {axis!r}.")
    return tuple(sorted(out))


def _to_last(arr: NDArray, axes: tuple[int, ...]) -> NDArray:
    """Move ``axes`` to the end and flatten them into one."""
    rest = [i for i in range(arr.ndim) if i not in axes]
    moved = np.transpose(arr, rest + list(axes))
    return moved.reshape((*moved.shape[: len(rest)], -1))


def _from_last(flat: NDArray, shape: tuple[int, ...], axes: tuple[int, ...]) -> NDArray:
    """Inverse of :func:`_to_last` for an array of the same size."""
    rest = [i for i in range(len(shape)) if i not in axes]
    order = rest + list(axes)
    moved = flat.reshape(tuple(shape[i] for i in order))
    return np.transpose(moved, np.argsort(order))


def _one_of(value: Any, log_value: Any, name: str) -> None:
    if (value is None) == (log_value is None):
        raise TypeError(
            f"pass exactly one of {name} (probabilities or counts) and "
            f"log_{name} (log-probabilities or logits); got "
            f"{'both' if value is not None else 'neither'}."
        )


def _distribution(
    value: Any, log_value: Any, name: str, axis: Axis
) -> tuple[NDArray[np.float64], NDArray[np.float64], tuple[int, ...], tuple[int, ...]]:
    """Normalised ``(P, log P)`` with the distribution on the last axis.

    Also returns the input's shape and its normalised ``axes``.
    """
    _one_of(value, log_value, name)
    if value is not None:
        arr = _real_array(value, name)
        axes = _axes(axis, arr.ndim, name)
        _check_size(arr, axes, name)
        if arr.size and arr.min() < 0:
            where = tuple(int(i) for i in np.argwhere(arr < 0)[0])
            raise ValueError(
                f"{name} must be non-negative (probabilities or counts); found "
                f"{float(arr[where])!r} at index {where}."
            )
        if np.isinf(arr).any():
            where = tuple(int(i) for i in np.argwhere(np.isinf(arr))[0])
            raise ValueError(
                f"{name} must be finite; found inf at index {where}. Pass "
                f"log_{name}= for log-space values."
            )
        flat = _to_last(arr, axes)
        top = flat.max(axis=-1, keepdims=True)
        _check_mass(top > 0, name, axis)
        scaled = flat / top  # in [0, 1]: the sum cannot overflow
        total = scaled.sum(axis=-1, keepdims=True)
        P = scaled / total
        with np.errstate(divide="ignore"):
            logP = np.log(scaled) - np.log(total)
        return P, logP, arr.shape, axes
    lname = f"log_{name}"
    arr = _real_array(log_value, lname)
    axes = _axes(axis, arr.ndim, lname)
    _check_size(arr, axes, lname)
    if np.isposinf(arr).any():
        where = tuple(int(i) for i in np.argwhere(np.isposinf(arr))[0])
        raise ValueError(
            f"{lname} must be below +inf (log-probabilities or finite logits); "
            f"found +inf at index {where}."
        )
    flat = _to_last(arr, axes)
    _check_mass(~np.all(np.isneginf(flat), axis=-1, keepdims=True), lname, axis)
    logP = np.asarray(log_softmax(flat, axis=-1), dtype=np.float64)
    return np.exp(logP), logP, arr.shape, axes


def _check_size(arr: NDArray, axes: tuple[int, ...], name: str) -> None:
    if any(arr.shape[a] == 0 for a in axes):
        raise ValueError(
            f"{name} has no entries along the distribution axis (shape "
            f"{arr.shape}); a distribution needs at least one outcome."
        )


def _check_mass(has_mass: NDArray[np.bool_], name: str, axis: Axis) -> None:
    if not has_mass.all():
        where = (
            tuple(int(i) for i in np.argwhere(~has_mass[..., 0])[0])
            if (has_mass.ndim > 1)
            else ()
        )
        raise ValueError(
            f"{name} has no mass along axis {axis!r} (all zero"
            f"{' or -inf' if name.startswith('log_') else ''}) for the "
            f"distribution at batch index {where}; it cannot be normalised."
        )


def _pair(
    p: Any, q: Any, log_p: Any, log_q: Any, axis: Axis
) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    P, logP, p_shape, _ = _distribution(p, log_p, "p", axis)
    Q, logQ, q_shape, _ = _distribution(q, log_q, "q", axis)
    if p_shape != q_shape:
        pn = "p" if p is not None else "log_p"
        qn = "q" if q is not None else "log_q"
        raise ValueError(
            f"{pn} and {qn} must have the same shape; got {p_shape} and {q_shape}."
        )
    return P, logP, Q, logQ


def _finish(values: NDArray, log_base: float, clip: bool = True) -> Any:
    """Clip rounding below 0 (in nats), then change the base."""
    out = np.maximum(values, 0.0) if clip else values
    out = out / log_base
    return out[()] if out.ndim == 0 else out


def _plogq(P: NDArray, logP: NDArray, logQ: NDArray) -> NDArray:
    """``sum P log Q`` along the last axis over the support of ``P``.

    The support is ``log P > -inf``, so ``0 log q = 0`` (also for ``q = 0``),
    and an outcome whose probability underflows to 0 but is positive in log
    space still gives ``-inf`` where ``q = 0``.
    """
    support = logP > -np.inf
    with np.errstate(invalid="ignore"):
        terms = np.where(support, P * logQ, 0.0)
    terms[support & np.isneginf(logQ)] = -np.inf
    return np.sum(terms, axis=-1)


# --------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------


def information_content(
    p: ArrayLike | None = None,
    *,
    log_p: ArrayLike | None = None,
    axis: Axis | None = None,
    base: float | None = None,
) -> Any:
    """Shannon information content ``h(x) = log 1/p(x)`` of each outcome.

    Parameters
    ----------
    p : array-like, optional
        With ``axis=None`` (default), the probability of each outcome, in
        ``[0, 1]``, taken element by element. With ``axis`` given,
        distributions or counts along it, normalised first.
    log_p : array-like, optional
        Instead of ``p``: log-probabilities (``<= 0`` with ``axis=None``), or
        logits normalised by ``log_softmax`` along ``axis``.
    axis : int, tuple of ints or None, default=None
        ``None``: element-wise. Otherwise the axis of each distribution.
    base : float or None, default=None
        Base of the logarithm; ``None`` is e (nats), 2 gives bits.

    Returns
    -------
    ndarray or numpy scalar
        Same shape as the input; ``inf`` for an outcome of probability 0.

    Examples
    --------
    >>> from textfeat.info.distributions import information_content
    >>> information_content([0.5, 0.25, 1.0, 0.0], base=2)
    array([ 1.,  2.,  0., inf])
    >>> information_content([3, 1], axis=-1, base=2)  # counts
    array([0.4150375, 2.       ])
    """
    log_base = _log_base(base)
    if axis is None:
        _one_of(p, log_p, "p")
        if p is not None:
            arr = _real_array(p, "p")
            bad = (arr < 0) | (arr > 1)
            if bad.any():
                where = tuple(int(i) for i in np.argwhere(bad)[0])
                raise ValueError(
                    f"p must hold probabilities in [0, 1] with axis=None; found "
                    f"{float(arr[where])!r} at index {where}. Pass axis= to "
                    "normalise counts along an axis."
                )
            with np.errstate(divide="ignore"):
                out = -np.log(arr)
        else:
            arr = _real_array(log_p, "log_p")
            if (arr > 0).any():
                where = tuple(int(i) for i in np.argwhere(arr > 0)[0])
                raise ValueError(
                    f"log_p must hold log-probabilities (<= 0) with axis=None; "
                    f"found {float(arr[where])!r} at index {where}. Pass axis= "
                    "to normalise logits along an axis."
                )
            out = -arr
        return _finish(out, log_base, clip=False) + 0.0  # no -0.0
    _, logP, shape, axes = _distribution(p, log_p, "p", axis)
    return _finish(_from_last(-logP, shape, axes), log_base, clip=False) + 0.0


def entropy(
    p: ArrayLike | None = None,
    *,
    log_p: ArrayLike | None = None,
    axis: Axis = -1,
    base: float | None = None,
) -> Any:
    """Shannon entropy ``H(p) = -sum_i p_i log p_i`` of distributions.

    Parameters
    ----------
    p : array-like, optional
        Probabilities or counts (non-negative, finite), normalised along
        ``axis``.
    log_p : array-like, optional
        Instead of ``p``: log-probabilities or logits, normalised with
        ``log_softmax`` along ``axis``.
    axis : int or tuple of ints, default=-1
        Axis (or axes) of each distribution; :func:`scipy.stats.entropy`
        uses ``axis=0``.
    base : float or None, default=None
        Base of the logarithm; ``None`` is e (nats), 2 gives bits.

    Returns
    -------
    ndarray or numpy scalar
        Between 0 (one certain outcome) and ``log k`` for ``k`` outcomes.

    Examples
    --------
    >>> from textfeat.info.distributions import entropy
    >>> float(entropy([1, 1, 2], base=2))  # counts
    1.5
    >>> entropy([[0.5, 0.5], [1.0, 0.0]], base=2)
    array([1., 0.])
    >>> float(entropy(log_p=[1e308, 1e308]))  # logits
    0.693...
    """
    log_base = _log_base(base)
    P, logP, _, _ = _distribution(p, log_p, "p", axis)
    return _finish(-_plogq(P, logP, logP), log_base)


def joint_entropy(
    p: ArrayLike | None = None,
    *,
    log_p: ArrayLike | None = None,
    axis: Axis = (-2, -1),
    base: float | None = None,
) -> Any:
    """Joint entropy ``H(X, Y) = -sum_{x,y} p(x, y) log p(x, y)``.

    The entropy of a joint table taken over several axes at once (by default
    the last two: rows ``x``, columns ``y``); leading axes are a batch.

    Parameters
    ----------
    p : array-like, optional
        Joint probabilities or counts, normalised over ``axis``.
    log_p : array-like, optional
        Instead of ``p``: joint log-probabilities or logits.
    axis : tuple of ints, default=(-2, -1)
        The axes of the joint distribution.
    base : float or None, default=None
        Base of the logarithm; ``None`` is e (nats), 2 gives bits.

    Returns
    -------
    ndarray or numpy scalar
        Between ``max(H(X), H(Y))`` and ``H(X) + H(Y)`` (independence).

    Examples
    --------
    >>> from textfeat.info.distributions import joint_entropy
    >>> float(joint_entropy([[0.25, 0.25], [0.5, 0.0]], base=2))
    1.5
    >>> float(joint_entropy([[1, 1], [1, 1]], base=2))  # counts
    2.0
    """
    log_base = _log_base(base)
    P, logP, _, _ = _distribution(p, log_p, "p", axis)
    return _finish(-_plogq(P, logP, logP), log_base)


def cross_entropy(
    p: ArrayLike | None = None,
    q: ArrayLike | None = None,
    *,
    log_p: ArrayLike | None = None,
    log_q: ArrayLike | None = None,
    axis: Axis = -1,
    base: float | None = None,
) -> Any:
    """Cross-entropy ``H(p, q) = -sum_i p_i log q_i = H(p) + KL(p || q)``.

    Parameters
    ----------
    p, q : array-like, optional
        Probabilities or counts of the same shape, normalised along ``axis``.
    log_p, log_q : array-like, optional
        Instead of ``p`` / ``q``: log-probabilities or logits (any mix of
        linear and log inputs is allowed).
    axis : int or tuple of ints, default=-1
        Axis (or axes) of each distribution.
    base : float or None, default=None
        Base of the logarithm; ``None`` is e (nats), 2 gives bits.

    Returns
    -------
    ndarray or numpy scalar
        At least ``H(p)``; ``inf`` where some ``q_i = 0 < p_i``.

    Examples
    --------
    >>> from textfeat.info.distributions import cross_entropy
    >>> float(cross_entropy([0.5, 0.5], [0.25, 0.75], base=2))
    1.207...
    >>> float(cross_entropy([1.0, 0.0], [0.0, 1.0]))
    inf
    >>> float(cross_entropy([1.0, 0.0], log_q=[0.0, 1e308]))  # stays finite
    1e+308
    """
    log_base = _log_base(base)
    P, logP, _, logQ = _pair(p, q, log_p, log_q, axis)
    return _finish(-_plogq(P, logP, logQ), log_base)


def kl_divergence(
    p: ArrayLike | None = None,
    q: ArrayLike | None = None,
    *,
    log_p: ArrayLike | None = None,
    log_q: ArrayLike | None = None,
    axis: Axis = -1,
    base: float | None = None,
) -> Any:
    """Relative entropy ``KL(p || q) = sum_i p_i log(p_i / q_i)``.

    Gibbs' inequality: ``KL(p || q) >= 0``, with equality only when
    ``p = q``. Equal to ``scipy.special.rel_entr(p, q).sum(axis)`` and
    ``scipy.stats.entropy(p, q)`` on normalised input.

    Parameters
    ----------
    p, q : array-like, optional
        Probabilities or counts of the same shape, normalised along ``axis``.
    log_p, log_q : array-like, optional
        Instead of ``p`` / ``q``: log-probabilities or logits.
    axis : int or tuple of ints, default=-1
        Axis (or axes) of each distribution.
    base : float or None, default=None
        Base of the logarithm; ``None`` is e (nats), 2 gives bits.

    Returns
    -------
    ndarray or numpy scalar
        Non-negative; ``inf`` where some ``q_i = 0 < p_i``; terms with
        ``p_i = 0`` contribute 0.

    Examples
    --------
    >>> from textfeat.info.distributions import kl_divergence
    >>> float(kl_divergence([0.5, 0.5], [0.25, 0.75], base=2))
    0.2075...
    >>> float(kl_divergence([0.0, 1.0], [0.5, 0.5], base=2))
    1.0
    >>> float(kl_divergence([0.5, 0.5], [1.0, 0.0]))
    inf
    """
    log_base = _log_base(base)
    P, logP, _, logQ = _pair(p, q, log_p, log_q, axis)
    support = logP > -np.inf
    with np.errstate(invalid="ignore"):
        terms = np.where(support, P * (logP - logQ), 0.0)
    terms[support & np.isneginf(logQ)] = np.inf
    return _finish(np.sum(terms, axis=-1), log_base)


def js_divergence(
    p: ArrayLike | None = None,
    q: ArrayLike | None = None,
    *,
    log_p: ArrayLike | None = None,
    log_q: ArrayLike | None = None,
    axis: Axis = -1,
    base: float | None = None,
) -> Any:
    """Jensen-Shannon divergence ``(KL(p || m) + KL(q || m)) / 2``, ``m = (p + q) / 2``.

    Symmetric, finite, between 0 (``p = q``) and ``log 2`` (disjoint
    supports); its square root is :func:`scipy.spatial.distance.jensenshannon`.

    Parameters
    ----------
    p, q : array-like, optional
        Probabilities or counts of the same shape, normalised along ``axis``.
    log_p, log_q : array-like, optional
        Instead of ``p`` / ``q``: log-probabilities or logits; ``log m`` is
        formed with ``logaddexp``.
    axis : int or tuple of ints, default=-1
        Axis (or axes) of each distribution.
    base : float or None, default=None
        Base of the logarithm; ``None`` is e (nats), 2 gives bits.

    Returns
    -------
    ndarray or numpy scalar
        Between 0 and ``log 2`` (1 in base 2).

    Examples
    --------
    >>> from textfeat.info.distributions import js_divergence
    >>> float(js_divergence([1.0, 0.0], [0.0, 1.0], base=2))
    1.0
    >>> float(js_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    """
    log_base = _log_base(base)
    P, logP, Q, logQ = _pair(p, q, log_p, log_q, axis)
    logM = np.logaddexp(logP, logQ) - _LOG2
    with np.errstate(invalid="ignore"):
        a = np.sum(np.where(logP > -np.inf, P * (logP - logM), 0.0), axis=-1)
        b = np.sum(np.where(logQ > -np.inf, Q * (logQ - logM), 0.0), axis=-1)
    return _finish(np.minimum(0.5 * (a + b), _LOG2), log_base)
