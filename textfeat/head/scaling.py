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
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted, validate_data

from textfeat._compat import Interval, fit_context
from textfeat.text.vocab import check_merge_partner, check_stream_params

__all__ = ["FrequencyScaler"]

#: The parameters the fitted state depends on (a partial_fit may not change them).
_FIT_PARAMS = ("power",)


def _nonzero_counts(X: Any) -> np.ndarray:
    """Number of rows where each column is non-zero (explicit zeros ignored).

    ``X`` is validated (CSR or CSC in canonical format, or an array).

    Examples
    --------
    >>> _nonzero_counts(np.array([[1.0, 0.0], [2.0, 0.0]])).tolist()
    [2, 0]
    """
    if sp.issparse(X):
        if not X.has_canonical_format:
            X = X.copy()
            X.sum_duplicates()
        nz = X.data != 0
        if X.format == "csr":
            cols = X.indices[nz]
        else:  # csc
            cols = np.repeat(np.arange(X.shape[1]), np.diff(X.indptr))[nz]
        return np.bincount(cols, minlength=X.shape[1]).astype(np.int64)
    return np.count_nonzero(X, axis=0).astype(np.int64)


def _scale_of(counts: np.ndarray, power: float) -> np.ndarray:
    """The factor of each column from its non-zero row count (see the class)."""
    counts = counts.astype(np.float64)
    scale = np.ones(len(counts), dtype=np.float64)
    seen = counts > 0
    scale[seen] = counts[seen] ** -float(power)
    total = float(counts @ scale)
    if total > 0:
        scale *= counts.sum() / total
    return scale


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

    Streaming: the counts are additive, so :meth:`partial_fit` over chunks
    of rows and :meth:`merge` of scalers fitted on independent chunks give
    exactly the ``scale_`` of ``fit`` on all the rows. The counts (one
    integer per column) are kept with the fitted state and saved in a
    model file, so a loaded scaler continues.

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

    #: Saved in a model file besides the fitted state: the counts partial_fit
    #: and merge continue from (checked when used).
    _persisted_state = ("_stream",)

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
        counts = _nonzero_counts(X)
        vars(self).pop("_stream_params", None)
        check_stream_params(self, _FIT_PARAMS, "fit")
        self._set_counts(counts)
        return self

    def partial_fit(self, X: Any, y: Any = None) -> Self:
        """Add the non-zero row counts of one chunk of rows and reset the factors.

        The first call on an unfitted scaler starts from no counts (and
        learns ``n_features_in_``); later calls (and calls on a scaler
        fitted by ``fit`` or loaded from a model file) add the chunk's
        counts. After any call ``scale_`` equals that of ``fit`` on all the
        rows so far, exactly (the counts are integers). A failing call
        leaves the state unchanged.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One chunk of rows (the same columns in every chunk).
        y : ignored

        Returns
        -------
        self : FrequencyScaler

        Raises
        ------
        ValueError
            If ``power`` changed since the counting started, if ``X`` has
            another number of columns than the chunks before, or if the
            scaler was loaded from a model file that holds no counts.

        Examples
        --------
        >>> import numpy as np
        >>> X = np.array([[1.0, 1.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
        >>> part = FrequencyScaler(power=0.5).partial_fit(X[:3]).partial_fit(X[3:])
        >>> bool((part.scale_ == FrequencyScaler(power=0.5).fit(X).scale_).all())
        True
        """
        self._validate_params()
        snapshot = dict(vars(self))
        try:
            check_stream_params(self, _FIT_PARAMS, "partial_fit")
            before = self._stream_counts("partial_fit")
            X = validate_data(
                self,
                X,
                accept_sparse=["csr", "csc"],
                dtype=[np.float64, np.float32],
                reset=before is None,
            )
            counts = _nonzero_counts(X)
            self._set_counts(counts if before is None else before + counts)
        except BaseException:
            vars(self).clear()
            vars(self).update(snapshot)
            raise
        return self

    def merge(self, other: FrequencyScaler) -> FrequencyScaler:
        """A new scaler from the summed counts of ``self`` and ``other``.

        Associative and commutative: merging scalers fitted (by ``fit`` or
        ``partial_fit``) on any split of the rows, in any order, gives the
        ``scale_`` of ``fit`` on all of them. Costs the size of the counts
        (one integer per column).

        Parameters
        ----------
        other : FrequencyScaler
            A scaler fitted on the same columns with the same ``power``.

        Returns
        -------
        FrequencyScaler
            A new fitted scaler; ``self`` and ``other`` are unchanged.

        Raises
        ------
        TypeError
            If ``other`` is not a FrequencyScaler.
        ValueError
            If ``power``, the number of columns or the column names differ,
            or either scaler holds no counts (never fitted:
            ``NotFittedError``; loaded from an older model file).

        Examples
        --------
        >>> import numpy as np
        >>> X = np.array([[1.0, 1.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
        >>> a = FrequencyScaler(power=0.5).fit(X[:1])
        >>> b = FrequencyScaler(power=0.5).fit(X[1:])
        >>> np.round(a.merge(b).scale_, 4)
        array([0.8333, 1.6667])
        """
        check_merge_partner(self, other, _FIT_PARAMS)
        mine = self._stream_counts("merge", partner="this")
        theirs = other._stream_counts("merge", partner="the other")
        if len(mine) != len(theirs):
            raise ValueError(
                f"FrequencyScaler.merge: this scaler has {len(mine)} columns "
                f"(n_features_in_) and the other {len(theirs)}; merge only "
                "scalers fitted on the same columns."
            )
        names = [vars(s).get("feature_names_in_") for s in (self, other)]
        if (names[0] is None) != (names[1] is None) or (
            names[0] is not None and not np.array_equal(names[0], names[1])
        ):
            raise ValueError(
                "FrequencyScaler.merge: the two scalers were fitted on columns "
                "with different names (feature_names_in_); merge only scalers "
                "fitted on the same columns."
            )
        out = clone(self)
        out.n_features_in_ = len(mine)
        if names[0] is not None:
            out.feature_names_in_ = names[0].copy()
        check_stream_params(out, _FIT_PARAMS, "merge")
        out._set_counts(mine + theirs)
        return out

    def _set_counts(self, counts: np.ndarray) -> None:
        self._stream = {"counts": counts}
        self.scale_ = _scale_of(counts, self.power)

    def _stream_counts(self, method: str, partner: str | None = None) -> np.ndarray | None:
        """The counts to continue from (None: a first partial_fit call)."""
        state = vars(self).get("_stream")
        if state is None:
            if "scale_" in vars(self):
                raise ValueError(
                    f"FrequencyScaler.{method}: this scaler holds no counts to "
                    "continue from (a model file written before FrequencyScaler "
                    "could stream holds only scale_); fit it again."
                )
            if partner is None:
                return None
            raise NotFittedError(
                f"FrequencyScaler.merge: {partner} FrequencyScaler is not fitted "
                "(no fit or partial_fit call yet); merge only fitted scalers."
            )
        counts = state.get("counts") if isinstance(state, dict) else None
        n = vars(self).get("n_features_in_")
        if (
            not isinstance(counts, np.ndarray)
            or counts.dtype != np.int64
            or counts.shape != (n,)
            or (counts.size and counts.min() < 0)
            or set(state) != {"counts"}
        ):
            raise ValueError(
                f"FrequencyScaler.{method}: the counts this scaler holds are "
                f"damaged (expected {{'counts': int64 array of {n} values >= 0}}); "
                "fit it again (the model file may have been tampered with)."
            )
        return counts

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
