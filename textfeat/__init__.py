"""textfeat: Chapter 8 text features as scikit-learn transformers."""

from __future__ import annotations

__version__ = "0.1.0"

__all__: list[str] = ["__version__"]
