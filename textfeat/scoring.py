"""Entropy and mutual-information scores (kept import path).

The code lives in :mod:`textfeat.info`: the scorers in
:mod:`textfeat.info.scoring`, the per-class scores in
:mod:`textfeat.info.per_class`. This module re-exports the public names so
that ``from textfeat.scoring import mutual_info`` keeps working; they are the
same objects (model files record ``textfeat.info.scoring.mutual_info``).

Examples
--------
>>> from textfeat.scoring import mutual_info
>>> mutual_info.__module__
'textfeat.info.scoring'
"""

from textfeat.info.per_class import class_scores, top_features
from textfeat.info.scoring import (
    Categories,
    conditional_entropy,
    entropy,
    mutual_info,
)

__all__ = [
    "Categories",
    "class_scores",
    "conditional_entropy",
    "entropy",
    "mutual_info",
    "top_features",
]
