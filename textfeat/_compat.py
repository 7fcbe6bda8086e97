"""The only module that touches private scikit-learn API.

Everything textfeat needs from scikit-learn's private modules is imported
here, so that a scikit-learn upgrade that moves them breaks one file.
"""

from __future__ import annotations

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    RealNotInt,
    StrOptions,
    validate_params,
)

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "Options",
    "RealNotInt",
    "StrOptions",
    "fit_context",
    "validate_parameters",
    "validate_params",
]

#: Decorator for ``fit``-like methods: validates ``_parameter_constraints``
#: once, so that a bad parameter is reported with its name and value.
fit_context = _fit_context


def validate_parameters(estimator: object) -> None:
    """Check ``estimator``'s parameters against its ``_parameter_constraints``.

    For stateless steps whose ``transform`` may run without ``fit``.
    """
    estimator._validate_params()  # type: ignore[attr-defined]
