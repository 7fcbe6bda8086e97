"""The lexical attributes of a word that window features are built from.

:func:`word_shape`, the flags (``is_number``, ``is_title``...), affixes
(``prefix<n>``, ``suffix<n>``) and :data:`ATTRIBUTES`, the table of the
built-in names; :func:`resolve_attribute` turns an attribute spec (a name or
a ``(name, function)`` pair) into its feature-name prefix and function.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from textfeat.text.signatures import goldberg_signature

__all__ = [
    "ATTRIBUTES",
    "RARE",
    "checked_value",
    "resolve_attribute",
    "word_shape",
]

_SHAPE_MAP = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "X" * 26 + "x" * 26 + "d" * 10,
)
_RUNS = re.compile(r"(.)\1{3,}")
_NUMBER = re.compile(r"[+\-]?(?:\d+(?:[.,:/]\d+)*|[.,]\d+)")


def word_shape(word: str) -> str:
    """Shape of ``word``: ``X`` upper case, ``x`` lower case, ``d`` digit.

    Other characters are kept; runs longer than four are cut to four, so
    ``"Gorbachev"`` and ``"Reagan"`` share a shape.

    Parameters
    ----------
    word : str

    Returns
    -------
    str

    Examples
    --------
    >>> [word_shape(w) for w in ["Gorbachev", "B-52", "1,000.00", "e-mail"]]
    ['Xxxxx', 'X-dd', 'd,ddd.dd', 'x-xxxx']
    """
    shape = word.translate(_SHAPE_MAP)
    if not shape.isascii():
        shape = "".join(
            "X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c
            for c in shape
        )
    return _RUNS.sub(r"\1\1\1\1", shape)


def _flag(test: Callable[[str], bool]) -> Callable[[str], str]:
    return lambda w: "1" if test(w) else "0"


#: Built-in attributes: name -> (feature-name prefix, function of the word).
#: ``prefix<n>`` and ``suffix<n>`` (first / last ``n`` characters, for any
#: ``n`` from 1 to 9) are recognised too.
ATTRIBUTES: dict[str, tuple[str, Callable[[str], str]]] = {
    "word": ("w", str),
    "lower": ("lower", str.lower),
    "signature": ("sig", goldberg_signature),
    "shape": ("shape", word_shape),
    "is_number": ("is_number", _flag(lambda w: _NUMBER.fullmatch(w) is not None)),
    "is_title": ("is_title", _flag(str.istitle)),
    "is_upper": ("is_upper", _flag(str.isupper)),
    "has_digit": ("has_digit", _flag(lambda w: any(c.isdigit() for c in w))),
    "has_hyphen": ("has_hyphen", _flag(lambda w: "-" in w)),
}
_AFFIX = re.compile(r"(prefix|suffix)([1-9])")
#: Value of the ``"ambiguity"`` attribute for words seen too rarely in fit.
RARE = "*RARE*"
#: Words whose attribute ids (or vector rows) a fitted WindowVectorizer
#: remembers between calls, per attribute; the table is emptied past this.
def resolve_attribute(spec: Any) -> tuple[str, Callable[[str], str]]:
    """(feature-name prefix, function) of one attribute spec.

    Parameters
    ----------
    spec : str or (str, callable)
        A name of :data:`ATTRIBUTES`, ``"prefix<n>"`` or ``"suffix<n>"``
        (``n`` in 1..9), or a ``(name, function)`` pair.

    Returns
    -------
    (str, callable)

    Raises
    ------
    ValueError
        For any other spec, naming it.

    Examples
    --------
    >>> prefix, func = resolve_attribute("suffix3")
    >>> prefix, func("running")
    ('suffix3', 'ing')
    >>> resolve_attribute("shape")[0]
    'shape'
    """
    if isinstance(spec, tuple) and len(spec) == 2 and callable(spec[1]):
        return str(spec[0]), spec[1]
    if isinstance(spec, str):
        if spec in ATTRIBUTES:
            return ATTRIBUTES[spec]
        m = _AFFIX.fullmatch(spec)
        if m:
            n = int(m.group(2))
            if m.group(1) == "prefix":
                return spec, lambda w: w[:n]
            return spec, lambda w: w[-n:]
    raise ValueError(
        "Each attribute of WindowVectorizer must be one of "
        f"{sorted(ATTRIBUTES)}, 'prefix<n>' or 'suffix<n>' (n in 1..9), or a "
        f"(name, function) pair. Got {spec!r} instead."
    )


def checked_value(value: Any, prefix: str, word: str) -> str:
    """``value`` if it is a str, else a TypeError naming the attribute and word.

    Examples
    --------
    >>> checked_value("Xx", "shape", "Hi")
    'Xx'
    """
    if not isinstance(value, str):
        raise TypeError(
            f"attribute {prefix!r} returned {type(value).__name__} ({value!r}) for "
            f"the word {word!r}; attribute functions must return strings."
        )
    return value
