"""The mixin shared by text steps (steps whose input or output is not a matrix)."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_is_fitted

from textfeat._validation import text_step_tags

__all__ = ["TextTransformerMixin"]


class TextTransformerMixin(TransformerMixin):
    """Tags, feature names and ``set_output`` for steps that output token lists.

    Token lists are not tables, so scikit-learn's output wrapping is switched
    off for these steps: ``set_output`` is accepted (a Pipeline calls it on
    every step) and leaves their output as lists. Their
    ``get_feature_names_out`` returns the single name ``"tokens"`` so that a
    Pipeline's ``get_feature_names_out`` can pass through them to the step
    that makes the matrix.
    """

    #: Whether ``transform`` needs a fitted step (False for stateless steps).
    _requires_fit: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        kwargs["auto_wrap_output_keys"] = None
        super().__init_subclass__(**kwargs)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        return text_step_tags(tags, requires_fit=self._requires_fit)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Name of the output: ``["tokens"]`` (the output is token lists)."""
        if self._requires_fit:
            check_is_fitted(self)
        return np.asarray(["tokens"], dtype=object)

    def set_output(self, *, transform: str | None = None) -> Self:
        """Accept an output configuration; token lists are returned as they are."""
        return self
