"""Information about features: entropy and mutual-information scores, and plots.

* :mod:`textfeat.info.scoring`: ``entropy``, ``conditional_entropy``,
  ``mutual_info`` (a ``SelectKBest`` scorer);
* :mod:`textfeat.info.per_class`: ``class_scores`` and ``top_features``;
* :mod:`textfeat.info._tables`: input checks and the contingency tables;
* :mod:`textfeat.info.plotting`: ``plot_mutual_info`` (matplotlib, an
  optional extra, is imported only when a plot is asked for).

The older paths :mod:`textfeat.scoring` and :mod:`textfeat.plotting`
re-export the same objects.
"""

from textfeat.info.per_class import class_scores, top_features
from textfeat.info.scoring import conditional_entropy, entropy, mutual_info

__all__ = [
    "class_scores",
    "conditional_entropy",
    "entropy",
    "mutual_info",
    "top_features",
]
