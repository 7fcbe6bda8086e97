"""Information about features: entropy and mutual-information scores, and plots.

* :mod:`textfeat.info.scoring`: ``entropy``, ``conditional_entropy``,
  ``joint_entropy``, ``mutual_info``, ``kl_score``, ``js_score`` (scores of
  every column of ``X``; the last three are ``SelectKBest`` scorers);
* :mod:`textfeat.info.per_class`: ``class_scores`` (MI, PMI, KL, JS) and
  ``top_features``;
* :mod:`textfeat.info.distributions`: ``information_content``, ``entropy``,
  ``joint_entropy``, ``cross_entropy``, ``kl_divergence``, ``js_divergence``
  of probability arrays. They are reached through the module and not
  exported here or at the package top, so ``entropy(X)`` always means the
  column scorer and ``distributions.entropy(p)`` the distribution measure;
* :mod:`textfeat.info.loss`: ``log_loss_from_logits``, the cross-entropy of
  softmax predictions from their logits;
* :mod:`textfeat.info._divergence`: the per-class KL/JS kernel;
* :mod:`textfeat.info._tables`: input checks and the contingency tables;
* :mod:`textfeat.info.plotting`: ``plot_mutual_info`` (matplotlib, an
  optional extra, is imported only when a plot is asked for).

The older paths :mod:`textfeat.scoring` and :mod:`textfeat.plotting`
re-export the same objects.
"""

from textfeat.info import distributions
from textfeat.info.loss import log_loss_from_logits
from textfeat.info.per_class import class_scores, top_features
from textfeat.info.scoring import (
    conditional_entropy,
    entropy,
    joint_entropy,
    js_score,
    kl_score,
    mutual_info,
)

__all__ = [
    "class_scores",
    "conditional_entropy",
    "distributions",
    "entropy",
    "joint_entropy",
    "js_score",
    "kl_score",
    "log_loss_from_logits",
    "mutual_info",
    "top_features",
]
