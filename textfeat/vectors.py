"""Word vectors: the table and its file formats (kept import path).

The code lives in :mod:`textfeat.dense.vectors`; this module re-exports its names so that
``from textfeat.vectors import WordVectors`` keeps working. The objects are the same
(``WordVectors.__module__`` is ``textfeat.dense.vectors``).

Examples
--------
>>> from textfeat.vectors import WordVectors
>>> import textfeat.dense.vectors
>>> WordVectors is textfeat.dense.vectors.WordVectors
True
"""

from textfeat.dense.vectors import (
    MAX_VECTOR_DIM,
    VECTOR_FORMATS,
    WordVectors,
)

__all__ = [
    "MAX_VECTOR_DIM",
    "VECTOR_FORMATS",
    "WordVectors",
]
