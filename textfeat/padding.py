"""Fixed-length id sequences of token lists (kept import path).

The code lives in :mod:`textfeat.text.padding`; this module re-exports its names so that
``from textfeat.padding import SequencePadder`` keeps working. The objects are the same
(``SequencePadder.__module__`` is ``textfeat.text.padding``).

Examples
--------
>>> from textfeat.padding import SequencePadder
>>> import textfeat.text.padding
>>> SequencePadder is textfeat.text.padding.SequencePadder
True
"""

from textfeat.text.padding import (
    MAX_MAXLEN,
    SequencePadder,
)

__all__ = [
    "MAX_MAXLEN",
    "SequencePadder",
]
