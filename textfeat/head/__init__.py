"""The classification head: stable softmax functions, the classifier, scaling.

* :mod:`textfeat.head.functions`: ``logsumexp``, ``softmax``, ``log_softmax``;
* :mod:`textfeat.head._loss`: the softmax loss, its gradient and the row
  blocks its sparse products run over;
* :mod:`textfeat.head._adagrad`: the mini-batch optimizer of ``partial_fit``;
* :mod:`textfeat.head.classifier`: :class:`SoftmaxClassifier`;
* :mod:`textfeat.head.scaling`: :class:`FrequencyScaler`.

The older paths :mod:`textfeat.softmax` and :mod:`textfeat.scaling` re-export
the same objects.
"""

from textfeat.head.classifier import SoftmaxClassifier
from textfeat.head.functions import log_softmax, logsumexp, softmax
from textfeat.head.scaling import FrequencyScaler

__all__ = [
    "FrequencyScaler",
    "SoftmaxClassifier",
    "log_softmax",
    "logsumexp",
    "softmax",
]
