"""Input checks shared by the text steps, with the error messages in one place.

Text steps never call ``check_array`` on text. They accept any iterable of
documents (a list, tuple, generator, 1-d array or pandas Series) and a 2-d
array or DataFrame with exactly one column (what scikit-learn's
``ColumnTransformer`` passes for a column list such as ``["text"]``); they
reject a bare string and any other shape, and name the index and the value
of a bad document.

A token list is a ``list`` or ``tuple`` of strings, never a numpy array: a
row of a 2-d array of texts (or a one-element array holding a whole text)
would otherwise pass for a tokenized document and give silently wrong
features, so array documents are refused with a hint to call ``.tolist()``.
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

_TOKEN_CONTAINERS = (list, tuple)


def check_corpus(X: Any, step: str) -> Iterable[Any]:
    """Return ``X`` as an iterable of documents, without reading a stream.

    A bare string, ``None`` or a non-iterable is refused. An object with a
    ``shape`` (numpy array, pandas Series or DataFrame, polars objects) must
    be 1-d, or 2-d with exactly one column, which is flattened to its values
    (never its column names); any other shape is refused naming it. Lists,
    tuples and generators are returned as they are.

    Parameters
    ----------
    X : iterable of documents, 1-d array-like or one-column 2-d array-like
        The corpus.
    step : str
        Name of the calling step, used in error messages.

    Returns
    -------
    iterable
        ``X`` itself, or its one column as a list.

    Examples
    --------
    >>> check_corpus(np.array([["a b"], ["c"]]), "demo")
    ['a b', 'c']
    >>> check_corpus(np.array([["a", "b"], ["c", "d"]]), "demo")
    Traceback (most recent call last):
    ...
    TypeError: demo expects a 1-d sequence of documents or one column; got a ndarray with shape (2, 2); select one column: X[:, 0].
    """
    _reject_bare(X, step)
    if isinstance(X, list | tuple):
        return X
    shape = getattr(X, "shape", None)
    if shape is None or callable(shape):
        return X
    try:
        shape = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        return X
    if len(shape) == 1:
        return X.tolist() if isinstance(X, np.ndarray) else X
    if len(shape) == 2 and shape[1] == 1:
        arr = X if isinstance(X, np.ndarray) else np.asarray(X, dtype=object)
        if arr.shape != shape:
            raise _bad_shape(X, shape, step)
        return arr[:, 0].tolist()
    raise _bad_shape(X, shape, step)


def _bad_shape(X: Any, shape: tuple[int, ...], step: str) -> TypeError:
    kind = type(X).__name__
    columns = getattr(X, "columns", None)
    if len(shape) == 2 and columns is not None and len(columns):
        hint = f"select one column: df[{next(iter(columns))!r}]"
    elif len(shape) == 2:
        hint = "select one column: X[:, 0]"
    else:
        hint = "pass a 1-d sequence of documents"
    return TypeError(
        f"{step} expects a 1-d sequence of documents or one column; got a "
        f"{kind} with shape {shape}; {hint}."
    )


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
    if isinstance(doc, np.ndarray):
        return TypeError(
            f"{step}: document at index {i} is a numpy array of shape "
            f"{doc.shape} ({_preview(doc)}); expected {expected}. A token "
            "list is a list or tuple of strings, never a numpy row (a row of "
            "a 2-d array of texts would pass for tokens): convert each "
            "document with list(doc) or doc.tolist()."
        )
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
    docs = list(check_corpus(X, step))
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
    docs = list(check_corpus(X, step))
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
