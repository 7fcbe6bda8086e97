"""Documents laid end to end: flat tokens and offsets (names used across textfeat).

Every step that works on whole batches lays its token lists end to end and
keeps where each one starts: document ``i`` is ``flat[offsets[i]:offsets[i +
1]]``. These helpers are that one layout, so that no module re-derives it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

__all__ = ["document_index", "flatten_documents", "offsets_of", "positions"]


def offsets_of(docs: Sequence[Sequence[Any]]) -> np.ndarray:
    """Start offset of each document, and the total at the end.

    Parameters
    ----------
    docs : sequence of sequences

    Returns
    -------
    ndarray of int64, shape (len(docs) + 1,)

    Examples
    --------
    >>> offsets_of([["a", "b"], [], ["c"]]).tolist()
    [0, 2, 2, 3]
    """
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(
        np.fromiter(map(len, docs), dtype=np.int64, count=len(docs)), out=offsets[1:]
    )
    return offsets


def flatten_documents(docs: Sequence[Sequence[Any]]) -> tuple[list[Any], np.ndarray]:
    """The tokens of all documents in one list, and each document's offset.

    Parameters
    ----------
    docs : sequence of sequences

    Returns
    -------
    flat : list
    offsets : ndarray of int64, shape (len(docs) + 1,)
        Document ``i`` is ``flat[offsets[i]:offsets[i + 1]]``.

    Examples
    --------
    >>> flat, offsets = flatten_documents([["a", "b"], [], ["c"]])
    >>> flat, offsets.tolist()
    (['a', 'b', 'c'], [0, 2, 2, 3])
    """
    return list(chain.from_iterable(docs)), offsets_of(docs)


def document_index(offsets: np.ndarray) -> np.ndarray:
    """The document of each flat position.

    Examples
    --------
    >>> document_index(np.array([0, 2, 2, 3])).tolist()
    [0, 0, 2]
    """
    lengths = np.diff(offsets)
    return np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)


def positions(offsets: np.ndarray) -> np.ndarray:
    """The position of each flat token inside its document.

    Examples
    --------
    >>> positions(np.array([0, 2, 2, 3])).tolist()
    [0, 1, 0]
    """
    lengths = np.diff(offsets)
    return np.arange(int(offsets[-1]), dtype=np.int64) - np.repeat(
        offsets[:-1], lengths
    )
