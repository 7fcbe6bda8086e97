"""Additive count tables keyed by strings: the state the streaming steps keep.

A table is a list of distinct keys (in the order first met) and the count of
each; rows of key indices (word pairs, combinations of window values) carry
their own counts. Adding two tables maps the keys of the second into the
first's, so a sum costs about the size of the tables, never the size of the
text they were counted from. What a step derives from a table (a vocabulary,
a co-occurrence matrix) depends only on the counts, never on the key order,
so any chunking and any order of sums give the same result.

Used by :class:`~textfeat.WindowVectorizer` and
:class:`~textfeat.PPMIVectors` (``partial_fit`` and ``merge``).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count

import numpy as np

__all__ = ["add_counts", "factorize", "sum_rows"]


def factorize(
    strings: Sequence[str], first: Sequence[str] = ()
) -> tuple[list[str], np.ndarray]:
    """The distinct strings (``first``, then first-seen order) and each one's code.

    One C-level pass through a dict; ``first`` (distinct strings) keep the
    codes ``0..len(first) - 1``, the new strings follow in the order met.

    Parameters
    ----------
    strings : sequence of str
        The strings to code.
    first : sequence of str, default=()
        Distinct strings coded first (a table's existing keys).

    Returns
    -------
    keys : list of str
        ``first`` and then the new distinct strings.
    codes : ndarray of int64, shape (len(strings),)
        ``keys[codes[i]] == strings[i]``.

    Examples
    --------
    >>> keys, codes = factorize(["b", "a", "b", "c"], first=["c"])
    >>> keys, codes.tolist()
    (['c', 'b', 'a'], [1, 2, 1, 0])
    """
    index = dict(zip(first, range(len(first)), strict=True))
    if len(index) != len(first):
        raise ValueError("factorize: the strings of 'first' must be distinct.")
    n0 = len(index)
    provisional = np.fromiter(
        map(index.setdefault, strings, count(n0)), np.int64, len(strings)
    )
    # the new strings got n0 + (position of their first occurrence): renumber
    # them n0, n0 + 1, ... in the order they were met (the dict's order)
    renumber = np.empty(n0 + len(strings), dtype=np.int64)
    renumber[np.fromiter(index.values(), np.int64, len(index))] = np.arange(len(index))
    return list(index), renumber[provisional]


def add_counts(
    counts: np.ndarray, other: np.ndarray, codes: np.ndarray, size: int
) -> np.ndarray:
    """``counts`` grown to ``size`` with ``other[i]`` added at ``codes[i]``.

    Parameters
    ----------
    counts : ndarray of int64, shape (n,)
        The counts of a table's first ``n`` keys.
    other : ndarray of int64, shape (m,)
        Counts of another table's keys.
    codes : ndarray of int64, shape (m,)
        Where each of those keys sits in the sum (see :func:`factorize`).
    size : int
        Number of keys of the sum (``>= n``).

    Returns
    -------
    ndarray of int64, shape (size,)

    Examples
    --------
    >>> add_counts(np.array([2, 1]), np.array([5, 1]), np.array([1, 2]), 3).tolist()
    [2, 6, 1]
    """
    out = np.zeros(size, dtype=np.int64)
    out[: len(counts)] = counts
    np.add.at(out, codes, other)
    return out


def sum_rows(rows: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct row of ``rows`` once, in lexicographic order, with its counts summed.

    Parameters
    ----------
    rows : ndarray of int, shape (n, k)
        Keys (for example the codes of a word pair).
    counts : ndarray of int64, shape (n,) or (n, c)
        The count (or ``c`` counts) of each row.

    Returns
    -------
    rows : ndarray of int64, shape (m, k)
        The distinct rows, sorted.
    counts : ndarray of int64, shape (m,) or (m, c)
        Their summed counts (exact integer sums).

    Examples
    --------
    >>> rows, counts = sum_rows(np.array([[1, 2], [0, 5], [1, 2]]), np.array([1, 4, 2]))
    >>> rows.tolist(), counts.tolist()
    ([[0, 5], [1, 2]], [4, 3])
    """
    rows = np.asarray(rows, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    if len(rows) == 0:
        return rows.reshape(0, rows.shape[1]), counts
    order = np.lexsort(rows.T[::-1])
    rows, counts = rows[order], counts[order]
    new = np.ones(len(rows), dtype=bool)
    new[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    starts = np.flatnonzero(new)
    return rows[starts], np.add.reduceat(counts, starts, axis=0)
