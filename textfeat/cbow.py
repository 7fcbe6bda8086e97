"""Continuous bag of words (kept import path).

The code lives in :mod:`textfeat.dense.cbow`; this module re-exports its names so that
``from textfeat.cbow import CBOWVectorizer`` keeps working. The objects are the same
(``CBOWVectorizer.__module__`` is ``textfeat.dense.cbow``).

Examples
--------
>>> from textfeat.cbow import CBOWVectorizer
>>> import textfeat.dense.cbow
>>> CBOWVectorizer is textfeat.dense.cbow.CBOWVectorizer
True
"""

from textfeat.dense.cbow import (
    CBOWVectorizer,
)

__all__ = [
    "CBOWVectorizer",
]
