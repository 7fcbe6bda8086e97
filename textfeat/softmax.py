"""The softmax head: stable log-sum-exp functions and a classifier (kept path).

The code lives in :mod:`textfeat.head`: the functions in
:mod:`textfeat.head.functions`, the loss in :mod:`textfeat.head._loss`, the
``partial_fit`` optimizer in :mod:`textfeat.head._adagrad` and the estimator
in :mod:`textfeat.head.classifier`. This module re-exports the public names so
that ``from textfeat.softmax import SoftmaxClassifier, softmax`` keeps
working; they are the same objects (model files record
``textfeat.head.classifier.SoftmaxClassifier``).

Examples
--------
>>> from textfeat.softmax import SoftmaxClassifier, softmax
>>> SoftmaxClassifier.__module__, softmax([0.0, 0.0]).tolist()
('textfeat.head.classifier', [0.5, 0.5])
"""

from textfeat.head.classifier import SoftmaxClassifier
from textfeat.head.functions import log_softmax, logsumexp, softmax

__all__ = ["SoftmaxClassifier", "log_softmax", "logsumexp", "softmax"]
