"""Column scaling by feature frequency (kept import path).

The code lives in :mod:`textfeat.head.scaling`; this module re-exports its
public names so that ``from textfeat.scaling import FrequencyScaler`` keeps
working. The class is the same object (its ``__module__`` is
``textfeat.head.scaling``, the name model files record).

Examples
--------
>>> from textfeat.scaling import FrequencyScaler
>>> FrequencyScaler.__module__
'textfeat.head.scaling'
"""

from textfeat.head.scaling import FrequencyScaler

__all__ = ["FrequencyScaler"]
