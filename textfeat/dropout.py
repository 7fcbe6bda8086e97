"""Word dropout (kept import path).

The code lives in :mod:`textfeat.text.dropout`; this module re-exports its names so that
``from textfeat.dropout import WordDropout`` keeps working. The objects are the same
(``WordDropout.__module__`` is ``textfeat.text.dropout``).

Examples
--------
>>> from textfeat.dropout import WordDropout
>>> import textfeat.text.dropout
>>> WordDropout is textfeat.text.dropout.WordDropout
True
"""

from textfeat.text.dropout import (
    WordDropout,
    token_uniforms,
)

__all__ = [
    "WordDropout",
    "token_uniforms",
]
