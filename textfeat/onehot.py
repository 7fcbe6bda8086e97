"""One-hot (bag-of-words) vectors of token lists (kept import path).

The code lives in :mod:`textfeat.text.onehot`; this module re-exports its names so that
``from textfeat.onehot import OneHotVectorizer`` keeps working. The objects are the same
(``OneHotVectorizer.__module__`` is ``textfeat.text.onehot``).

Examples
--------
>>> from textfeat.onehot import OneHotVectorizer
>>> import textfeat.text.onehot
>>> OneHotVectorizer is textfeat.text.onehot.OneHotVectorizer
True
"""

from textfeat.text.onehot import (
    OneHotVectorizer,
)

__all__ = [
    "OneHotVectorizer",
]
