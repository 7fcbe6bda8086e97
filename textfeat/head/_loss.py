"""The softmax loss and its gradient, shared by L-BFGS and AdaGrad.

:func:`loss_grad` is the objective of :class:`~textfeat.head.SoftmaxClassifier`
(the weighted mean cross-entropy plus the scaled L2 penalty) and its gradient,
for :func:`scipy.optimize.minimize`; :func:`ce_and_residual` gives the
per-sample pieces the mini-batch steps use. For sparse ``X`` both products of
the gradient run row by row over row blocks in a thread pool
(:class:`RowBlocks`, :func:`row_and_transpose`); each output row is computed
as in one thread, so results do not depend on the thread count.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from textfeat._parallel import usable_cpus

__all__ = [
    "RowBlocks",
    "ce_and_residual",
    "check_weights",
    "default_n_threads",
    "full_logits",
    "linear",
    "loss_grad",
    "row_and_transpose",
]


def full_logits(Z: NDArray[np.floating], binary: bool) -> NDArray[np.float64]:
    """Logits over all classes, float64; the binary model pins class 0 at 0."""
    if binary:
        out = np.zeros((Z.shape[0], 2))
        out[:, 1] = Z[:, 0]
        return out
    return np.asarray(Z, dtype=np.float64)


def linear(
    X: Any, W: NDArray[np.float64], b: NDArray[np.float64] | None
) -> NDArray[np.floating]:
    """``X @ W + b`` computed in X's dtype (a float32 X is never upcast)."""
    if W.dtype != X.dtype:
        W = W.astype(X.dtype)
    Z = np.asarray(X @ W)
    if b is not None:
        Z += b.astype(Z.dtype, copy=False)
    return Z


def ce_and_residual(
    Z: NDArray[np.floating], y: NDArray[np.intp], binary: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per-sample cross-entropy and ``softmax(logits) - onehot(y)``.

    For the binary model the residual is returned for class 1 only (the
    gradient with respect to its logit ``z``).
    """
    L = full_logits(Z, binary)
    rows = np.arange(L.shape[0])
    z_true = L[rows, y]
    m = L.max(axis=1)
    L -= m[:, None]
    np.exp(L, out=L)
    s = L.sum(axis=1)
    L /= s[:, None]
    ce = np.log(s) + m - z_true
    L[rows, y] -= 1.0
    return ce, (L[:, 1:] if binary else L)


def loss_grad(
    theta: NDArray[np.float64],
    X: Any,
    XT: Any,
    y: NDArray[np.intp],
    sample_weight: NDArray[np.float64],
    C: float,
    n_out: int,
    fit_intercept: bool,
    binary: bool,
) -> tuple[float, NDArray[np.float64]]:
    """The objective divided by ``C * sum(sample_weight)``, and its gradient.

    ``theta`` holds ``W`` of shape ``(n_features, n_out)`` in C order, then the
    ``n_out`` intercepts when ``fit_intercept``. ``XT`` is ``X.T`` (for sparse
    ``X`` a CSR copy of the transpose, so both products run row-wise). The
    scaling makes ``tol`` a bound on the gradient of the *mean* weighted
    cross-entropy plus ``||W||^2 / (2 C sum(sample_weight))``, which is how
    ``LogisticRegression`` interprets its ``tol`` for L-BFGS.
    """
    n_features = X.shape[1]
    size = n_features * n_out
    W = theta[:size].reshape(n_features, n_out)
    b = theta[size:] if fit_intercept else None
    sw_sum = float(sample_weight.sum())
    Z = linear(X, W, b)
    ce, R = ce_and_residual(Z, y, binary)
    R *= (sample_weight / sw_sum)[:, None]
    alpha = 1.0 / (C * sw_sum)
    loss = float(ce @ sample_weight) / sw_sum + 0.5 * alpha * float(
        theta[:size] @ theta[:size]
    )
    grad = np.empty_like(theta)
    gW = grad[:size].reshape(n_features, n_out)
    np.multiply(W, alpha, out=gW)
    gW += XT @ R.astype(X.dtype, copy=False)
    if fit_intercept:
        grad[size:] = R.sum(axis=0)
    return loss, grad


class RowBlocks:
    """A CSR matrix cut into row blocks that share its arrays.

    ``blocks @ W`` computes every block's rows in a thread pool (scipy's
    sparse products release the GIL). Each output row is computed exactly as
    in ``X @ W``, so the result does not depend on the number of threads.
    """

    def __init__(self, X: sp.csr_matrix, pool: ThreadPoolExecutor, n_blocks: int):
        self.shape = X.shape
        self.dtype = X.dtype
        self._pool = pool
        indptr = X.indptr
        # Cut at equal numbers of non-zeros, not rows.
        cuts = np.searchsorted(indptr, np.linspace(0, X.nnz, n_blocks + 1)[1:-1])
        bounds = np.unique(np.r_[0, cuts, X.shape[0]])
        self._blocks = []
        for r0, r1 in itertools.pairwise(bounds.tolist()):
            a, b = indptr[r0], indptr[r1]
            block = sp.csr_matrix(
                (X.data[a:b], X.indices[a:b], indptr[r0 : r1 + 1] - a),
                shape=(r1 - r0, X.shape[1]),
            )
            self._blocks.append((r0, r1, block))

    def __matmul__(self, W: NDArray) -> NDArray:
        out = np.empty((self.shape[0], W.shape[1]), dtype=np.result_type(self.dtype, W))

        def run(item: tuple[int, int, sp.csr_matrix]) -> None:
            r0, r1, block = item
            out[r0:r1] = block @ W

        list(self._pool.map(run, self._blocks))
        return out


def default_n_threads() -> int:
    """Threads for the loss: the usable CPUs (textfeat._parallel's rule), at most 4."""
    return min(4, usable_cpus())


def row_and_transpose(
    X: Any, pool: ThreadPoolExecutor | None, n_threads: int = 1
) -> tuple[Any, Any]:
    """``X`` and ``X.T``; for sparse ``X`` both CSR (one sparse copy), in blocks."""
    if not sp.issparse(X):
        return X, X.T
    if X.format == "csr":
        X, XT = X, X.T.tocsr()
    else:  # CSC: its transpose is already CSR
        X, XT = X.tocsr(), X.T
    if pool is None or n_threads < 2:
        return X, XT
    return (
        RowBlocks(X, pool, n_threads),
        RowBlocks(sp.csr_matrix(XT), pool, n_threads),
    )


def check_weights(sample_weight: ArrayLike | None, n_samples: int) -> NDArray:
    """Validate ``sample_weight``: 1-D, ``n_samples`` long, finite, >= 0."""
    if sample_weight is None:
        return np.ones(n_samples)
    if np.isscalar(sample_weight):
        return np.full(n_samples, float(sample_weight))  # type: ignore[arg-type]
    sw = np.asarray(sample_weight, dtype=np.float64)
    if sw.ndim != 1 or sw.shape[0] != n_samples:
        raise ValueError(f"sample_weight.shape == {sw.shape}, expected ({n_samples},).")
    if not np.all(np.isfinite(sw)) or np.any(sw < 0):
        raise ValueError("sample_weight must be finite and non-negative.")
    return sw
