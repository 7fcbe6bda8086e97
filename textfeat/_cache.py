"""Look-up tables derived from fitted state: built lazily, never saved.

What ``fit`` learns is exactly what a model file holds (:mod:`textfeat.persist`
saves an estimator's ``__dict__``), so a table derived from it (a set with
the special symbols added, a word -> id map, a mean vector) must not live in
``__dict__``. It lives here instead, keyed weakly by the object it belongs
to (so it goes when that object goes, and ``clone``, ``pickle`` and model
files never see it), and tagged with the fitted attributes it was built from:
after a new ``fit`` (new attribute objects) it is rebuilt on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

__all__ = ["derived", "forget"]

T = TypeVar("T")

_TABLES: WeakKeyDictionary[Any, dict[str, tuple[tuple[Any, ...], Any]]] = (
    WeakKeyDictionary()
)


def derived(
    owner: Any, name: str, sources: tuple[Any, ...], build: Callable[[], T]
) -> T:
    """The table ``name`` of ``owner``, built by ``build()`` from ``sources``.

    It is built once and returned again while every object of ``sources`` is
    the same object (``is``) as when it was built. ``sources`` are held
    strongly, so they must not refer back to ``owner``.

    Parameters
    ----------
    owner : object
        The estimator (or table) the cache belongs to; hashable by identity.
    name : str
        Which of its tables.
    sources : tuple
        The fitted attributes and parameters the table is derived from.
    build : callable
        Makes the table.

    Returns
    -------
    The table.

    Examples
    --------
    >>> class Box:
    ...     pass
    >>> box, words = Box(), frozenset({"a"})
    >>> calls = []
    >>> def build():
    ...     calls.append(1)
    ...     return words | {"*UNK*"}
    >>> derived(box, "known", (words,), build) == {"a", "*UNK*"}
    True
    >>> _ = derived(box, "known", (words,), build)
    >>> len(calls), "known" in vars(box)
    (1, False)
    """
    tables = _TABLES.get(owner)
    if tables is None:
        tables = _TABLES[owner] = {}
    entry = tables.get(name)
    if (
        entry is not None
        and len(entry[0]) == len(sources)
        and all(a is b for a, b in zip(entry[0], sources, strict=True))
    ):
        return entry[1]
    value = build()
    tables[name] = (sources, value)
    return value


def forget(owner: Any) -> None:
    """Drop every table of ``owner`` (they are rebuilt on next use).

    Examples
    --------
    >>> class Box:
    ...     pass
    >>> box = Box()
    >>> derived(box, "t", (), lambda: 1)
    1
    >>> forget(box)
    >>> derived(box, "t", (), lambda: 2)
    2
    """
    _TABLES.pop(owner, None)
