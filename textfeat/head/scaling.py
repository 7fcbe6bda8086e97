"""Column scaling by feature frequency, for sparse indicator features.

One-hot and window features mix columns that fire on half the rows (``*S*``
at the sentence edge, ``the``) with columns that fire twice. With an L2
penalty and a gradient method, the frequent columns dominate the curvature:
L-BFGS needs many iterations before the rare columns' weights settle.
Multiplying column ``j`` by ``count_j ** -power`` (``count_j`` = the rows
where it is non-zero in ``fit``) evens that out.

It is not only a change of units: with L2 regularisation, scaling a column
by ``s_j`` is the same as penalising its weight (in the original units) by
``1 / s_j ** 2``, i.e. by ``count_j ** (2 * power)``, so frequent columns
are held closer to zero and rare ones are freer. ``power=0`` is the
identity.
"""

from __future__ import annotations

from numbers import Real
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from textfeat._compat import Interval, fit_context

__all__ = ["FrequencyScaler"]


def _nonzero_counts(X: Any) -> np.ndarray:
    """Number of rows where each column is non-zero (explicit zeros ignored)."""
    if sp.issparse(X):
        nz = X.data != 0
        if X.format == "csr":
            cols = X.indices[nz]
        else:  # csc
            cols = np.repeat(np.arange(X.shape[1]), np.diff(X.indptr))[nz]
        return np.bincount(cols, minlength=X.shape[1]).astype(np.float64)
    return np.count_nonzero(X, axis=0).astype(np.float64)


class FrequencyScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Multiply each column by ``count ** -power``, ``count`` from ``fit``.

    ``count_j`` is the number of rows of the training matrix where column
    ``j`` is non-zero. The factors are then divided by a common constant so
    that their mean over the training matrix's non-zero entries is 1 (the
    overall scale of the features, and so the meaning of ``C`` in the
    classifier, stays about where it was). A column that is all zero in
    ``fit`` keeps factor 1 before that normalisation.

    Rare columns get larger values than frequent ones. This preconditions
    L2-regularised linear models on one-hot features: L-BFGS converges in
    far fewer iterations. It also changes the model: the penalty on column
    ``j``'s weight, in the original units, becomes proportional to
    ``count_j ** (2 * power)`` (see the module docstring).

    Sparse input stays sparse (same format as CSR/CSC, sorted indices kept);
    the dtype of a floating input is kept.

    Parameters
    ----------
    power : float, default=0.25
        Exponent; ``0`` gives the identity.

    Attributes
    ----------
    scale_ : ndarray of shape (n_features_in_,)
        The factor of each column.
    n_features_in_ : int
        Number of columns seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 1.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    >>> scaler = FrequencyScaler(power=0.5).fit(X)
    >>> np.round(scaler.scale_, 4)  # 4**-0.5 and 1**-0.5, mean over non-zeros 1
    array([0.8333, 1.6667])
    >>> np.round(scaler.transform(X)[0], 4)
    array([0.8333, 1.6667])
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "power": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, power: float = 0.25) -> None:
        self.power = power

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> Self:
        """Count the non-zero rows of each column and set the factors.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training features.
        y : ignored

        Returns
        -------
        self : FrequencyScaler
        """
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32]
        )
        if sp.issparse(X) and not X.has_canonical_format:
            X = X.copy()
            X.sum_duplicates()
        counts = _nonzero_counts(X)
        scale = np.ones(X.shape[1], dtype=np.float64)
        seen = counts > 0
        scale[seen] = counts[seen] ** -float(self.power)
        total = float(counts @ scale)
        if total > 0:
            scale *= counts.sum() / total
        self.scale_ = scale
        return self

    def transform(self, X: Any) -> Any:
        """Scale the columns of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features_in_)

        Returns
        -------
        {ndarray, sparse matrix} of shape (n_samples, n_features_in_)
            Same kind as ``X`` (CSR or CSC for sparse input).
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            reset=False,
        )
        scale = self.scale_.astype(X.dtype, copy=False)
        if sp.issparse(X):
            out = X.copy()
            if out.format == "csr":
                out.data *= scale[out.indices]
            else:  # csc: the data of column j are contiguous
                out.data *= np.repeat(scale, np.diff(out.indptr))
            return out
        return X * scale
