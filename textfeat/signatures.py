"""Word signatures for rare words (kept import path).

The code lives in :mod:`textfeat.text.signatures`; this module re-exports its names so that
``from textfeat.signatures import WordSignatures`` keeps working. The objects are the same
(``WordSignatures.__module__`` is ``textfeat.text.signatures``).

Examples
--------
>>> from textfeat.signatures import WordSignatures
>>> import textfeat.text.signatures
>>> WordSignatures is textfeat.text.signatures.WordSignatures
True
"""

from textfeat.text.signatures import (
    WordSignatures,
    berkeley_signature,
    goldberg_signature,
)

__all__ = [
    "WordSignatures",
    "berkeley_signature",
    "goldberg_signature",
]
