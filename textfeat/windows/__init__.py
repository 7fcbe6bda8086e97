"""Token-level samples and the window features around each focus word.

* :mod:`textfeat.windows.tokens`: :class:`Token` and :class:`Tokens`, one
  sample per token that keeps its sentence;
* :mod:`textfeat.windows.attributes`: :func:`word_shape`, the flags and
  affixes, :data:`ATTRIBUTES` and the resolution of attribute specs;
* :mod:`textfeat.windows.vectorizer`: :class:`WindowVectorizer`;
* :mod:`textfeat.windows.counting`: the additive count tables behind
  ``partial_fit`` and ``merge`` (also used by ``PPMIVectors``).

``from textfeat.windows import Tokens, WindowVectorizer`` (the path of the
earlier single module) keeps working.
"""

from textfeat.windows.attributes import ATTRIBUTES, RARE, word_shape
from textfeat.windows.tokens import Token, Tokens
from textfeat.windows.vectorizer import WindowVectorizer

__all__ = ["ATTRIBUTES", "RARE", "Token", "Tokens", "WindowVectorizer", "word_shape"]
