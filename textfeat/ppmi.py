"""PPMI word vectors (kept import path).

The code lives in :mod:`textfeat.dense.ppmi`; this module re-exports its names so that
``from textfeat.ppmi import PPMIVectors`` keeps working. The objects are the same
(``PPMIVectors.__module__`` is ``textfeat.dense.ppmi``).

Examples
--------
>>> from textfeat.ppmi import PPMIVectors
>>> import textfeat.dense.ppmi
>>> PPMIVectors is textfeat.dense.ppmi.PPMIVectors
True
"""

from textfeat.dense.ppmi import (
    PPMIVectors,
)

__all__ = [
    "PPMIVectors",
]
