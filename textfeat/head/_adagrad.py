"""Mini-batch AdaGrad on the softmax loss: the optimizer of ``partial_fit``.

:class:`AdaGrad` updates the weights ``W`` (``(n_features, n_out)``, C order)
and the intercepts ``b`` in place. What carries over from one call of
``partial_fit`` to the next is plain data: the sums of squared gradients
(:attr:`AdaGrad.acc_W`, :attr:`AdaGrad.acc_b`) and the sample weight seen so
far (:attr:`AdaGrad.seen`), which sets the weight decay ``W / (C * seen)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from textfeat.head._loss import ce_and_residual, linear

__all__ = ["AdaGrad"]


class AdaGrad:
    """Per-coordinate steps ``lr * g / (sqrt(sum of g**2) + eps)``.

    Parameters
    ----------
    W : ndarray of shape (n_features, n_out)
        Weights, float64, C order; updated in place.
    b : ndarray of shape (n_out,)
        Intercepts, float64; updated in place when ``fit_intercept``.
    state : tuple of two ndarrays or None
        The accumulators ``(acc_W, acc_b)`` of earlier calls; None starts
        from zeros.
    seen : float
        Total sample weight seen before (including a previous ``fit``).
    learning_rate, C : float
        Step size and inverse regularisation strength.
    fit_intercept : bool
        Whether ``b`` is learned.

    Examples
    --------
    >>> import numpy as np
    >>> W, b = np.zeros((1, 1)), np.zeros(1)
    >>> opt = AdaGrad(W, b, None, 0.0, learning_rate=0.5, C=1.0, fit_intercept=True)
    >>> X, y = np.array([[1.0], [-1.0]]), np.array([1, 0])
    >>> opt.step(X, np.arange(2), y, np.ones(2), True)
    True
    >>> round(float(W[0, 0]), 6), opt.seen  # -lr * g / |g|: a step of lr
    (0.5, 2.0)
    """

    eps = 1e-10

    def __init__(
        self,
        W: NDArray[np.float64],
        b: NDArray[np.float64],
        state: Any,
        seen: Any,
        *,
        learning_rate: float,
        C: float,
        fit_intercept: bool,
    ) -> None:
        n_features, n_out = W.shape
        if state is None:
            state = (np.zeros((n_features, n_out)), np.zeros(n_out))
        ok = (
            isinstance(state, tuple)
            and len(state) == 2
            and all(isinstance(a, np.ndarray) and a.dtype == np.float64 for a in state)
            and state[0].shape == (n_features, n_out)
            and state[1].shape == (n_out,)
        )
        if not ok:
            raise ValueError(
                "SoftmaxClassifier._adagrad must be None or two float64 arrays "
                f"of shapes ({n_features}, {n_out}) and ({n_out},); got "
                f"{type(state).__name__} (the model's state was changed)."
            )
        if not (
            isinstance(seen, float | int)
            and not isinstance(seen, bool)
            and math.isfinite(seen)
            and seen >= 0
        ):
            raise ValueError(
                "SoftmaxClassifier._seen must be a finite number >= 0, got "
                f"{seen!r} (the model's state was changed)."
            )
        self.W = W
        self.b = b
        self.acc_W, self.acc_b = state
        self.seen = seen
        self.learning_rate = float(learning_rate)
        self.C = float(C)
        self.fit_intercept = fit_intercept
        self._step = np.empty_like(W)

    @property
    def state(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The accumulators to keep for the next call."""
        return self.acc_W, self.acc_b

    def step(
        self,
        X: Any,
        rows: NDArray[np.intp],
        y_idx: NDArray[np.intp],
        sample_weight: NDArray[np.float64],
        binary: bool,
    ) -> bool:
        """One step on the mean loss of ``X[rows]``; False if their weight is 0.

        Parameters
        ----------
        X : {ndarray, CSR matrix} of shape (n_samples, n_features)
            The chunk.
        rows : ndarray of int
            The rows of the mini-batch.
        y_idx : ndarray of int of shape (n_samples,)
            Class index of each row of the chunk.
        sample_weight : ndarray of shape (n_samples,)
            Weight of each row of the chunk.
        binary : bool
            Whether the model has one logit (two classes).

        Returns
        -------
        bool
            Whether a step was taken.
        """
        w = sample_weight[rows]
        w_sum = float(w.sum())
        if w_sum <= 0:
            return False
        self.seen += w_sum
        W, step, lr, eps = self.W, self._step, self.learning_rate, self.eps
        Xb = X[rows]
        Z = linear(Xb, W, self.b if self.fit_intercept else None)
        _, R = ce_and_residual(Z, y_idx[rows], binary)
        R *= (w / w_sum)[:, None]
        g_W = np.asarray(Xb.T @ R.astype(X.dtype, copy=False), dtype=np.float64)
        g_W += W * (1.0 / (self.C * self.seen))
        np.square(g_W, out=step)
        self.acc_W += step
        np.sqrt(self.acc_W, out=step)
        step += eps
        np.divide(g_W, step, out=step)
        step *= lr
        W -= step
        if self.fit_intercept:
            g_b = R.sum(axis=0)
            self.acc_b += g_b * g_b
            self.b -= lr * g_b / (np.sqrt(self.acc_b) + eps)
        return True
