"""The softmax classifier: multinomial logistic regression.

:class:`SoftmaxClassifier` (Goldberg, *Neural Network Methods for NLP*,
chapters 2 and 8) keeps one weight vector per class and a single softmax over
the classes. It minimises the objective of scikit-learn's
:class:`~sklearn.linear_model.LogisticRegression` with an L2 penalty,

.. math::

    C \\sum_i s_i \\, \\mathrm{CE}(y_i, \\operatorname{softmax}(W x_i + b))
    + \\tfrac12 \\lVert W \\rVert_F^2,

with the intercept ``b`` unpenalised, so that ``C`` means the same thing in
both estimators. The loss lives in :mod:`textfeat.head._loss`, the
``partial_fit`` optimizer in :mod:`textfeat.head._adagrad` and the stable
functions in :mod:`textfeat.head.functions`.

This module is longer than 600 lines because about half of it is the
estimator's numpydoc (parameters, attributes, notes and a doctested example
per public method); one estimator is one job.
"""

from __future__ import annotations

import math
import numbers
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize, minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from textfeat._compat import Interval, Options, StrOptions, fit_context, validate_params
from textfeat.head._adagrad import AdaGrad
from textfeat.head._loss import (
    check_weights,
    default_n_threads,
    full_logits,
    linear,
    loss_grad,
    row_and_transpose,
)
from textfeat.head.functions import (
    check_temperature,
    unchecked_log_softmax,
    unchecked_softmax,
)

__all__ = ["SoftmaxClassifier"]

_NOT_FITTED = (
    "This %(name)s instance is not fitted yet: call 'fit' (or 'partial_fit') "
    "before {what} it."
)


def _dense(coef: Any) -> NDArray[np.float64]:
    """``coef`` as a dense float64 array (a sparsified ``coef_`` made dense)."""
    if sp.issparse(coef):
        return np.asarray(coef.toarray(), dtype=np.float64)
    return coef


class SoftmaxClassifier(ClassifierMixin, BaseEstimator):
    """Multinomial logistic regression: one linear score per class, one softmax.

    Minimises ``C * sum_i s_i * CE_i + ||W||^2 / 2`` (``s_i`` the sample
    weight times the class weight, ``CE_i`` the cross-entropy of the softmax
    over all classes, the intercept unpenalised): the objective of
    :class:`~sklearn.linear_model.LogisticRegression` with ``l1_ratio=0``, so
    the two agree at equal ``C``. :meth:`fit` runs L-BFGS
    (:func:`scipy.optimize.minimize`) on the whole data; :meth:`partial_fit`
    takes mini-batch AdaGrad steps on the same softmax loss for data that does
    not fit in memory. Unlike ``SGDClassifier(loss="log_loss")``, which is
    one-vs-rest, both modes train a single softmax over the classes.

    **Two classes.** Like ``LogisticRegression``, the binary model keeps one
    weight vector: ``coef_`` has shape ``(1, n_features)`` and
    :meth:`decision_function` returns the logit ``z`` of ``classes_[1]``, the
    logit of ``classes_[0]`` being pinned at 0, so that
    ``predict_proba = softmax([0, z])`` (the logistic sigmoid). Penalising one
    vector is what ``LogisticRegression`` does for two classes, so ``C`` keeps
    its meaning; two symmetric rows would halve the penalty (``C`` would act
    as ``2 C``).

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength, as in ``LogisticRegression``: the
        weight of the summed (weighted) cross-entropy against
        ``||W||^2 / 2``. ``C=np.inf`` means no penalty (``LogisticRegression``
        with ``C=np.inf``, formerly ``penalty=None``): the plain maximum
        likelihood fit, whose weights grow without bound on separable data
        (``max_iter`` then stops it with a ``ConvergenceWarning``).
    fit_intercept : bool, default=True
        Learn an unpenalised intercept per class.
    tol : float, default=1e-4
        :meth:`fit` stops when every component of the gradient of the
        objective divided by ``C * sum(sample_weight)`` (the mean loss plus
        the scaled penalty) is at most ``tol``: L-BFGS's ``gtol``, the rule
        ``LogisticRegression(solver="lbfgs")`` uses.
    max_iter : int, default=100
        Maximum number of L-BFGS iterations in :meth:`fit`; reaching it
        raises a :class:`~sklearn.exceptions.ConvergenceWarning`.
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying the sample weights of each class; ``"balanced"``
        uses ``n_samples / (n_classes * bincount(y))`` (:meth:`fit` only),
        with the counts weighted by ``sample_weight`` when it is given, as
        ``LogisticRegression`` does.
    warm_start : bool, default=False
        Start :meth:`fit` from the previous solution when the classes and the
        number of features are unchanged.
    learning_rate : float, default=0.5
        AdaGrad step size for :meth:`partial_fit`.
    batch_size : int, default=256
        Mini-batch size for :meth:`partial_fit`.
    random_state : int, RandomState instance or None, default=None
        Shuffles the rows of each :meth:`partial_fit` chunk into mini-batches.
        :meth:`fit` is deterministic and does not use it.
    temperature : float, default=1.0
        Temperature of the softmax in :meth:`predict_proba` and
        :meth:`predict_log_proba`; copied to ``temperature_`` by the fits and
        replaced by :meth:`fit_temperature`. Training always uses 1.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Sorted class labels.
    coef_ : ndarray or scipy.sparse.csr_matrix of shape (1, n_features) or (n_classes, n_features)
        Weights; one row for two classes (see above). A CSR matrix after
        :meth:`sparsify`; :meth:`fit` and :meth:`partial_fit` leave it dense.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : int
        L-BFGS iterations of the last :meth:`fit`, or the number of mini-batch
        steps taken by :meth:`partial_fit` since the last :meth:`fit`.
    temperature_ : float
        Temperature used by :meth:`predict_proba`.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The anchor, same objective.

    Notes
    -----
    ``partial_fit`` applies the penalty as weight decay ``W / (C * n_seen)``
    per unit of sample weight, ``n_seen`` being the total sample weight seen
    so far (starting from the data of a previous :meth:`fit`). It is the
    stochastic gradient of the :meth:`fit` objective over everything seen, a
    sample seen in ``k`` passes counting ``k`` times: after ``k`` passes the
    penalty is that of :meth:`fit` with ``k * C``. (The size of a stream is
    unknown in advance; ``SGDClassifier`` sidesteps this with a per-sample
    ``alpha``.) With the weak penalties that suit text (``C`` around 10) this
    hardly moves the accuracy.

    Between calls, :meth:`partial_fit` keeps plain data only: the AdaGrad
    sums of squared gradients, the sample weight seen, and (for an int
    ``random_state``) the state of its shuffling generator, never the
    generator itself. So a model saved with :func:`textfeat.persist.save`
    after :meth:`partial_fit` loads and continues with the same steps as
    one that was never saved.

    Sparse input (CSR or CSC) is never densified. :meth:`fit` keeps sparse
    copies (the transpose in CSR form and, with several CPUs, the row blocks,
    whose arrays scipy copies: up to twice the size of ``X``) so that both
    products of the gradient (``X @ W`` and ``X.T @ R``) run row by row,
    split into row blocks over up to 4 threads (the CPUs available). Every
    output row is computed as in a single thread, so results do not depend on
    the thread count. A float32 ``X`` is multiplied in float32 (the weights
    are cast, not ``X``); L-BFGS itself runs in float64.

    Examples
    --------
    >>> from textfeat.head.classifier import SoftmaxClassifier
    >>> X = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    >>> y = ["spam", "ham", "eggs", "ham"]
    >>> clf = SoftmaxClassifier(C=100.0).fit(X, y)
    >>> clf.classes_
    array(['eggs', 'ham', 'spam'], dtype='<U4')
    >>> clf.predict([[0.0, 1.0], [1.0, 1.0]])
    array(['spam', 'eggs'], dtype='<U4')
    >>> clf.predict_proba([[0.0, 1.0]]).sum()
    np.float64(1.0)
    """

    #: Private state a model file holds besides the parameters and the learned
    #: attributes (``name_``): what ``partial_fit`` continues from (see
    #: :func:`textfeat.io.persist.declared_state`).
    _persisted_state = ("_adagrad", "_seen", "_rng_state")

    _parameter_constraints: dict[str, list[Any]] = {
        "C": [
            Interval(numbers.Real, 0, None, closed="neither"),
            Options(numbers.Real, {math.inf}),
        ],
        "fit_intercept": ["boolean"],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "temperature": [Interval(numbers.Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        C: float = 1.0,
        *,
        fit_intercept: bool = True,
        tol: float = 1e-4,
        max_iter: int = 100,
        class_weight: dict | str | None = None,
        warm_start: bool = False,
        learning_rate: float = 0.5,
        batch_size: int = 256,
        random_state: int | np.random.RandomState | None = None,
        temperature: float = 1.0,
    ) -> None:
        self.C = C
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.random_state = random_state
        self.temperature = temperature

    # -- helpers -----------------------------------------------------------

    def _validate_X(self, X: Any, reset: bool) -> Any:
        return validate_data(
            self,
            X,
            reset=reset,
            accept_sparse=("csr", "csc"),
            dtype=(np.float64, np.float32),
        )

    def _encode(self, y: NDArray) -> NDArray[np.intp]:
        """Indices of ``y`` in ``classes_``; unknown labels are an error."""
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, len(self.classes_) - 1)
        unknown = self.classes_[idx] != y
        if np.any(unknown):
            raise ValueError(
                f"y contains labels not in classes_ {self.classes_.tolist()}: "
                f"{np.unique(np.asarray(y)[unknown]).tolist()}"
            )
        return idx

    def _weights(
        self, y: NDArray, y_idx: NDArray[np.intp], sample_weight: Any
    ) -> NDArray[np.float64]:
        sw = check_weights(sample_weight, y_idx.shape[0])
        if isinstance(self.class_weight, str):  # "balanced"
            # By the weighted class counts, as LogisticRegression does since
            # scikit-learn 1.6 (a class whose samples all weigh 0 gets 0).
            counts = np.bincount(y_idx, weights=sw, minlength=len(self.classes_))
            with np.errstate(divide="ignore"):
                cw = np.where(counts > 0, sw.sum() / (len(counts) * counts), 0.0)
            sw = sw * cw[y_idx]
        elif self.class_weight is not None:
            cw = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
            sw = sw * cw[y_idx]
        return sw

    def _check_temperature_param(self) -> None:
        check_temperature(self.temperature)

    # -- fitting -----------------------------------------------------------

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Self:
        """Fit by L-BFGS on the whole data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features; CSR or CSC stay sparse, float32 stays float32.
        y : array-like of shape (n_samples,)
            Class labels (strings or numbers), at least two distinct.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights are equivalent to repeating
            samples.

        Returns
        -------
        self : SoftmaxClassifier
            Fitted estimator.

        Examples
        --------
        >>> from textfeat.head.classifier import SoftmaxClassifier
        >>> clf = SoftmaxClassifier().fit([[0.0], [1.0], [2.0]], [0, 1, 2])
        >>> clf.coef_.shape, clf.n_iter_ > 0
        ((3, 1), True)
        """
        self._check_temperature_param()
        old = (
            (self.classes_, self.coef_, self.intercept_)
            if self.warm_start and hasattr(self, "coef_")
            else None
        )
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=("csr", "csc"),
            dtype=(np.float64, np.float32),
        )
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        y_idx = y_idx.ravel()
        if len(self.classes_) < 2:
            raise ValueError(
                "SoftmaxClassifier needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {self.classes_[0]!r}"
            )
        sw = self._weights(y, y_idx, sample_weight)
        sw_sum = float(sw.sum())
        if sw_sum <= 0:
            raise ValueError("sample_weight sums to zero: nothing to fit.")
        binary = len(self.classes_) == 2
        n_out = 1 if binary else len(self.classes_)
        n_features = X.shape[1]
        size = n_features * n_out
        theta0 = np.zeros(size + (n_out if self.fit_intercept else 0))
        if (
            old is not None
            and np.array_equal(old[0], self.classes_)
            and old[1].shape == (n_out, n_features)
        ):
            theta0[:size] = _dense(old[1]).T.ravel()
            if self.fit_intercept:
                theta0[size:] = old[2]
        n_threads = default_n_threads() if sp.issparse(X) else 1
        with ThreadPoolExecutor(n_threads) as pool:
            X, XT = row_and_transpose(X, pool, n_threads)
            result = minimize(
                loss_grad,
                theta0,
                args=(
                    X,
                    XT,
                    y_idx,
                    sw,
                    float(self.C),
                    n_out,
                    self.fit_intercept,
                    binary,
                ),
                jac=True,
                method="L-BFGS-B",
                options={
                    "maxiter": self.max_iter,
                    "gtol": self.tol,
                    "ftol": 64 * np.finfo(np.float64).eps,
                    "maxls": 50,
                },
            )
        if result.status != 0:
            warnings.warn(
                f"L-BFGS did not converge in {result.nit} iterations "
                f"(max_iter={self.max_iter}, tol={self.tol}): {result.message}. "
                "Increase max_iter, scale the features, or lower C.",
                ConvergenceWarning,
                stacklevel=2,
            )
        theta = result.x
        # coef_ is the transpose of a C-ordered (n_features, n_out) block, so
        # coef_.T feeds X @ W without a copy.
        self.coef_ = theta[:size].reshape(n_features, n_out).T
        self.intercept_ = theta[size:].copy() if self.fit_intercept else np.zeros(n_out)
        self.n_iter_ = int(result.nit)
        self.temperature_ = float(self.temperature)
        self._seen = sw_sum
        self._adagrad = None
        return self

    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X: Any,
        y: ArrayLike,
        classes: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> Self:
        """Take mini-batch AdaGrad steps of the softmax loss on one chunk.

        The chunk is shuffled (``random_state``) and cut into batches of
        ``batch_size``; each batch takes one step on the gradient of its mean
        cross-entropy plus the weight decay described in the class Notes.
        Call it once per chunk and once per pass over the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of the training data.
        y : array-like of shape (n_samples,)
            Its labels; each must be in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole data. Required on the first call, unless
            the model was fitted by :meth:`fit`; later calls may omit it.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : SoftmaxClassifier
            Updated estimator.

        Examples
        --------
        >>> from textfeat.head.classifier import SoftmaxClassifier
        >>> clf = SoftmaxClassifier(random_state=0)
        >>> X, y = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], ["a", "b", "c"]
        >>> for _ in range(50):
        ...     clf = clf.partial_fit(X, y, classes=["a", "b", "c"])
        >>> clf.predict(X)
        array(['a', 'b', 'c'], dtype='<U1')
        """
        self._check_temperature_param()
        first = not hasattr(self, "coef_")
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit, which "
                "sees one chunk at a time; pass "
                "compute_class_weight('balanced', classes=classes, y=y_sample) "
                "as a dict instead."
            )
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        X, y = validate_data(
            self,
            X,
            y,
            reset=first,
            accept_sparse=("csr", "csc"),
            dtype=(np.float64, np.float32),
        )
        check_classification_targets(y)
        if classes is not None:
            classes = np.unique(np.asarray(classes))
            if first:
                if len(classes) < 2:
                    raise ValueError(
                        "SoftmaxClassifier needs at least 2 classes, got "
                        f"classes={classes.tolist()}"
                    )
                self.classes_ = classes
            elif not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"classes={classes.tolist()} differs from the classes of the "
                    f"first call, {self.classes_.tolist()}."
                )
        y_idx = self._encode(y)
        sw = self._weights(y, y_idx, sample_weight)
        binary = len(self.classes_) == 2
        n_out = 1 if binary else len(self.classes_)
        n_features = X.shape[1]
        if first:
            self.coef_ = np.zeros((n_features, n_out)).T
            self.intercept_ = np.zeros(n_out)
            self.n_iter_ = 0
            self.temperature_ = float(self.temperature)
            self._seen = 0.0
            self._adagrad = None
        rng = self._shuffle_rng(first)
        if sp.issparse(X) and X.format != "csr":
            X = X.tocsr()
        opt = AdaGrad(
            np.ascontiguousarray(_dense(self.coef_).T),
            self.intercept_,
            self._adagrad,
            self._seen,
            learning_rate=self.learning_rate,
            C=self.C,
            fit_intercept=self.fit_intercept,
        )
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], self.batch_size):
            if opt.step(X, order[start : start + self.batch_size], y_idx, sw, binary):
                self.n_iter_ += 1
        self._keep_rng(rng)
        self.coef_ = opt.W.T
        self.intercept_ = opt.b
        self._adagrad = opt.state
        self._seen = opt.seen
        return self

    def _shuffle_rng(self, first: bool) -> np.random.RandomState:
        """The generator that shuffles this chunk into mini-batches.

        For an int ``random_state`` it continues the stream of the previous
        calls, whose state is kept as plain data in ``_rng_state`` (so a model
        saved and loaded between two calls continues it too); the first call
        starts it from the seed. None or a ``RandomState`` is used as given,
        shared and consumed, as in scikit-learn.
        """
        if not isinstance(self.random_state, numbers.Integral):
            return check_random_state(self.random_state)
        state = None if first else vars(self).get("_rng_state")
        if state is None:
            return check_random_state(self.random_state)
        rng = np.random.RandomState(0)
        try:
            rng.set_state(state)
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            raise ValueError(
                "SoftmaxClassifier._rng_state is not the state of a "
                f"RandomState ({exc}); the model's state was changed."
            ) from None
        return rng

    def _keep_rng(self, rng: np.random.RandomState) -> None:
        """Keep the state of a private generator (never the generator itself)."""
        own = isinstance(self.random_state, numbers.Integral)
        self._rng_state = rng.get_state(legacy=True) if own else None

    @validate_params(
        {
            "X": ["array-like", "sparse matrix"],
            "y": ["array-like"],
            "sample_weight": ["array-like", None],
        },
        prefer_skip_nested_validation=True,
    )
    def fit_temperature(
        self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> Self:
        """Fit ``temperature_`` on held-out data (temperature scaling).

        Minimises the (weighted) log-loss of ``softmax(decision / T)`` over
        ``T`` in ``[1e-3, 1e3]``. The loss is convex in ``1/T``, so the bounded
        search finds the minimum; the arg-max, hence :meth:`predict`, does
        not change. Use data not seen by :meth:`fit`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Held-out features.
        y : array-like of shape (n_samples,)
            Held-out labels, each in ``classes_``.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : SoftmaxClassifier
            With ``temperature_`` set.

        Examples
        --------
        >>> from textfeat.head.classifier import SoftmaxClassifier
        >>> clf = SoftmaxClassifier(C=1e4).fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
        >>> T = clf.fit_temperature([[1.0], [1.6], [1.4], [2.0]], [0, 0, 1, 1]).temperature_
        >>> T > 1.0
        True
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y must be 1-D with {X.shape[0]} labels, got shape {y.shape}."
            )
        y_idx = self._encode(y)
        sw = check_weights(sample_weight, y.shape[0])
        sw_sum = float(sw.sum())
        if sw_sum <= 0:
            raise ValueError("sample_weight sums to zero: nothing to fit.")
        L = full_logits(self._decision(X), len(self.classes_) == 2)
        rows = np.arange(L.shape[0])

        def nll(log_t: float) -> float:
            lp = unchecked_log_softmax(L, -1, math.exp(log_t))
            return -float(lp[rows, y_idx] @ sw) / sw_sum

        res = minimize_scalar(
            nll,
            bounds=(math.log(1e-3), math.log(1e3)),
            method="bounded",
            options={"xatol": 1e-8},
        )
        self.temperature_ = float(math.exp(res.x))
        return self

    # -- prediction ----------------------------------------------------------

    def _decision(self, X: Any) -> NDArray[np.floating]:
        if sp.issparse(self.coef_):  # after sparsify(): X @ coef_.T, sparse
            Z = X @ self.coef_.T.astype(X.dtype)
            Z = np.asarray(Z.toarray() if sp.issparse(Z) else Z)
            Z += self.intercept_.astype(Z.dtype, copy=False)
            return Z
        W = np.ascontiguousarray(self.coef_.T)
        return linear(X, W, self.intercept_)

    # -- sparse coefficients -------------------------------------------------

    def sparsify(self) -> Self:
        """Store ``coef_`` as a ``scipy.sparse.csr_matrix``, as scikit-learn's linear models.

        Worth it only when most weights are exactly zero; the L2 penalty
        rarely makes exact zeros, so measure ``(clf.coef_ == 0).mean()``
        first (or zero the small weights yourself). Predictions are the same,
        computed as ``X @ coef_.T``. :meth:`fit` and :meth:`partial_fit`
        start from (and leave) dense weights. A model file refuses a sparse
        ``coef_`` (:func:`textfeat.persist.save` raises ``ValueError``): call
        :meth:`densify` before saving.

        Returns
        -------
        self : SoftmaxClassifier
            With ``coef_`` a CSR matrix.

        Examples
        --------
        >>> from textfeat.head.classifier import SoftmaxClassifier
        >>> X, y = [[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]], ["a", "b", "c"]
        >>> clf = SoftmaxClassifier().fit(X, y)
        >>> before = clf.predict_proba(X)
        >>> clf.sparsify().coef_.format
        'csr'
        >>> bool(np.allclose(clf.predict_proba(X), before))
        True
        >>> type(clf.densify().coef_).__name__
        'ndarray'
        """
        check_is_fitted(self, msg=_NOT_FITTED.format(what="sparsifying"))
        self.coef_ = sp.csr_matrix(self.coef_)
        return self

    def densify(self) -> Self:
        """Store ``coef_`` as a dense array again (undoes :meth:`sparsify`).

        Returns
        -------
        self : SoftmaxClassifier
            With ``coef_`` an ndarray (unchanged if it was one).

        Examples
        --------
        >>> from textfeat.head.classifier import SoftmaxClassifier
        >>> clf = SoftmaxClassifier().fit([[0.0], [1.0]], [0, 1]).sparsify()
        >>> clf.densify().coef_.shape
        (1, 1)
        """
        check_is_fitted(self, msg=_NOT_FITTED.format(what="densifying"))
        self.coef_ = _dense(self.coef_)
        return self

    def _logits(self, X: Any) -> NDArray[np.float64]:
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return full_logits(self._decision(X), len(self.classes_) == 2)

    def decision_function(self, X: Any) -> NDArray[np.floating]:
        """Class scores ``X @ coef_.T + intercept_`` (no temperature).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the logit of ``classes_[1]`` against
            ``classes_[0]``; otherwise one score per class.

        Examples
        --------
        >>> from textfeat.head.classifier import SoftmaxClassifier
        >>> clf = SoftmaxClassifier().fit([[-1.0], [1.0]], ["no", "yes"])
        >>> clf.decision_function([[-2.0], [2.0]]) > 0
        array([False,  True])
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        Z = self._decision(X)
        return Z[:, 0] if len(self.classes_) == 2 else Z

    def predict(self, X: Any) -> NDArray:
        """Most probable class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``; ties go to the first class.

        Examples
        --------
        >>> from textfeat.head.classifier import SoftmaxClassifier
        >>> SoftmaxClassifier().fit([[-1.0], [1.0]], ["no", "yes"]).predict([[3.0]])
        array(['yes'], dtype='<U3')
        """
        logits = self._logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Class probabilities ``softmax(logits / temperature_)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to one, columns ordered as ``classes_``.

        Examples
        --------
        >>> from textfeat.head.classifier import SoftmaxClassifier
        >>> clf = SoftmaxClassifier().fit([[-1.0], [1.0]], ["no", "yes"])
        >>> clf.predict_proba([[0.0]]).round(3)
        array([[0.5, 0.5]])
        """
        return unchecked_softmax(self._logits(X), -1, self.temperature_)

    def predict_log_proba(self, X: Any) -> NDArray[np.float64]:
        """Log-probabilities from :func:`log_softmax`, never ``log(0)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Finite whenever the logits are, even where :meth:`predict_proba`
            underflows to 0.

        Examples
        --------
        >>> from textfeat.head.classifier import SoftmaxClassifier
        >>> clf = SoftmaxClassifier(C=1e6).fit([[-1.0], [1.0]], ["no", "yes"])
        >>> bool(clf.predict_proba([[1e4]])[0, 0] == 0.0)
        True
        >>> bool(clf.predict_log_proba([[1e4]])[0, 0] > -1e6)
        True
        """
        return unchecked_log_softmax(self._logits(X), -1, self.temperature_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
