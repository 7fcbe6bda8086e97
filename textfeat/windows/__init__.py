"""Token-level samples and the window features around each focus word."""

from textfeat.windows.vectorizer import (
    ATTRIBUTES,
    RARE,
    Token,
    Tokens,
    WindowVectorizer,
    word_shape,
)

__all__ = ["ATTRIBUTES", "RARE", "Token", "Tokens", "WindowVectorizer", "word_shape"]
