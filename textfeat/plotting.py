"""Pictures of feature scores (kept import path).

The code lives in :mod:`textfeat.info.plotting`; this module re-exports
:func:`plot_mutual_info` so that ``from textfeat.plotting import
plot_mutual_info`` keeps working. matplotlib is still imported only when a
plot is asked for.

Examples
--------
>>> from textfeat.plotting import plot_mutual_info
>>> plot_mutual_info.__module__
'textfeat.info.plotting'
"""

from textfeat.info.plotting import plot_mutual_info

__all__ = ["plot_mutual_info"]
