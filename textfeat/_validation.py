"""Input checks shared by the text steps, with the error messages in one place.

Text steps never call ``check_array`` on text. They accept any iterable of
documents, reject a bare string, and name the index and the value of a bad
document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "check_corpus",
    "check_documents",
    "check_token_lists",
    "text_step_tags",
]

_TOKEN_CONTAINERS = (list, tuple, np.ndarray)


def check_corpus(X: Any, step: str) -> None:
    """Reject a bare string, ``None`` or a non-iterable given as a corpus."""
    _reject_bare(X, step)


def _reject_bare(X: Any, step: str) -> None:
    if isinstance(X, str | bytes):
        raise TypeError(
            f"{step} expects an iterable of documents, got a single "
            f"{type(X).__name__} ({_preview(X)}). Wrap it in a list: [text]."
        )
    if X is None or not isinstance(X, Iterable):
        raise TypeError(
            f"{step} expects an iterable of documents, got {type(X).__name__}."
        )


def _preview(value: Any, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _bad_document(i: int, doc: Any, step: str, expected: str) -> TypeError:
    return TypeError(
        f"{step}: document at index {i} is {type(doc).__name__} "
        f"({_preview(doc)}); expected {expected}."
    )


def check_documents(
    X: Any, *, step: str, allow_empty: bool = True, offset: int = 0
) -> list[str | Sequence[str]]:
    """Return ``X`` as a list of documents (strings or token lists).

    Parameters
    ----------
    X : iterable of str or of sequences of str
        The corpus.
    step : str
        Name of the calling step, used in error messages.
    allow_empty : bool
        If False, an empty corpus raises ``ValueError`` (for ``fit``).
    offset : int
        Index of ``X[0]`` in the whole corpus, for error messages when ``X``
        is one batch of a larger corpus.

    Returns
    -------
    list
        The documents, in order. Token lists are passed through unchanged.

    Examples
    --------
    >>> check_documents(["a text", ["already", "tokens"]], step="demo")
    ['a text', ['already', 'tokens']]
    >>> check_documents("a text", step="demo")
    Traceback (most recent call last):
    ...
    TypeError: demo expects an iterable of documents, got a single str ('a text'). Wrap it in a list: [text].
    """
    _reject_bare(X, step)
    docs = list(X)
    for i, doc in enumerate(docs):
        if isinstance(doc, str):
            continue
        if isinstance(doc, _TOKEN_CONTAINERS):
            _check_tokens(doc, offset + i, step)
            continue
        raise _bad_document(
            offset + i, doc, step, "a string or a list of token strings"
        )
    if not allow_empty and not docs:
        raise ValueError(f"{step}: X contains no documents; fit needs at least one.")
    return docs


def check_token_lists(
    X: Any, *, step: str, allow_empty: bool = True
) -> list[Sequence[str]]:
    """Return ``X`` as a list of token lists, rejecting raw strings.

    Parameters
    ----------
    X : iterable of sequences of str
        Tokenized documents (the output of :class:`textfeat.SpacyTokenizer`).
    step : str
        Name of the calling step, used in error messages.
    allow_empty : bool
        If False, an empty corpus raises ``ValueError`` (for ``fit``).

    Returns
    -------
    list of sequences of str

    Examples
    --------
    >>> check_token_lists([["a", "b"], []], step="demo")
    [['a', 'b'], []]
    >>> check_token_lists([["a"], None], step="demo")
    Traceback (most recent call last):
    ...
    TypeError: demo: document at index 1 is NoneType (None); expected a list of token strings.
    """
    _reject_bare(X, step)
    docs = list(X)
    for i, doc in enumerate(docs):
        if isinstance(doc, _TOKEN_CONTAINERS):
            _check_tokens(doc, i, step)
            continue
        if isinstance(doc, str):
            raise TypeError(
                f"{step}: document at index {i} is a raw string "
                f"({_preview(doc)}); this step expects token lists. Put a "
                "SpacyTokenizer before it."
            )
        raise _bad_document(i, doc, step, "a list of token strings")
    if not allow_empty and not docs:
        raise ValueError(f"{step}: X contains no documents; fit needs at least one.")
    return docs


def _check_tokens(doc: Sequence[Any], i: int, step: str) -> None:
    if isinstance(doc, np.ndarray):
        if doc.ndim != 1:
            raise TypeError(
                f"{step}: document at index {i} is a {doc.ndim}-d array; "
                "expected a 1-d sequence of token strings."
            )
        if doc.dtype.kind in "US":
            return
    if set(map(type, doc)) <= {str}:  # fast path: one C-level pass
        return
    for j, tok in enumerate(doc):
        if not isinstance(tok, str):
            raise TypeError(
                f"{step}: token {j} of document at index {i} is "
                f"{type(tok).__name__} ({_preview(tok)}); tokens must be strings."
            )


def text_step_tags(tags: Any, *, requires_fit: bool = True) -> Any:
    """Set the scikit-learn tags shared by every text step (input is text)."""
    tags.input_tags.string = True
    tags.input_tags.two_d_array = False
    tags.requires_fit = requires_fit
    return tags
