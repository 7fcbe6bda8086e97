"""The unknown-word policy shared by every component (names used across textfeat).

One parameter, ``handle_unknown``, one set of values with one meaning each,
and one exception type:

==========  ==================================================================
value       an unknown word (or attribute value) ...
==========  ==================================================================
``"unk"``   becomes the ``*UNK*`` id (or the table's ``*UNK*`` row)
``"ignore"`` is dropped (fires nothing; has no vector)
``"error"`` raises :class:`UnknownWordError`, naming the word and the parameter
``"zero"``  (vectors only) has a vector of zeros
``"mean"``  (vectors only) has the mean of the table's vectors
==========  ==================================================================

Components that map words to ids (:class:`~textfeat.Vocabulary`,
:class:`~textfeat.OneHotVectorizer`, :class:`~textfeat.SequencePadder`,
:class:`~textfeat.PPMIVectors`, :class:`~textfeat.WindowVectorizer`) take
:data:`ID_POLICIES`; :class:`~textfeat.WordVectors` (and through it
:class:`~textfeat.CBOWVectorizer` and the dense windows) takes all of
:data:`UNKNOWN_POLICIES`.

:class:`UnknownWordError` subclasses both ``KeyError`` (what a failed
look-up raised in :class:`~textfeat.WordVectors`) and ``ValueError`` (what
:class:`~textfeat.Vocabulary` raised), so ``except`` clauses written for
either keep working.
"""

from __future__ import annotations

__all__ = [
    "ID_POLICIES",
    "UNKNOWN_POLICIES",
    "VECTOR_POLICIES",
    "UnknownWordError",
    "unknown_word",
]

#: Every value of ``handle_unknown``, in the order the table above gives them.
UNKNOWN_POLICIES: tuple[str, ...] = ("unk", "ignore", "error", "zero", "mean")
#: The values a component that maps words to ids accepts.
ID_POLICIES: tuple[str, ...] = ("unk", "ignore", "error")
#: The values :class:`~textfeat.WordVectors` accepts (all of them).
VECTOR_POLICIES: tuple[str, ...] = UNKNOWN_POLICIES


class UnknownWordError(KeyError, ValueError):
    """An unknown word met with ``handle_unknown="error"``.

    A subclass of both ``KeyError`` and ``ValueError``. ``word`` holds the
    word (or attribute value); the message names it, where it was met and
    the parameter.

    Examples
    --------
    >>> err = UnknownWordError("unknown token 'zzz' (handle_unknown='error')", "zzz")
    >>> isinstance(err, KeyError) and isinstance(err, ValueError), err.word
    (True, 'zzz')
    >>> str(err)
    "unknown token 'zzz' (handle_unknown='error')"
    """

    def __init__(self, message: str, word: object = None) -> None:
        super().__init__(message)
        self.word = word

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])

    def __reduce__(self) -> tuple[type, tuple[str, object]]:
        return (type(self), (str(self.args[0]), self.word))


def unknown_word(
    word: object,
    where: str,
    parameter: str = "handle_unknown",
    value: str = "error",
) -> UnknownWordError:
    """The error for an unknown ``word``: names it, ``where`` and the parameter.

    Parameters
    ----------
    word : object
        The unknown word (or attribute value).
    where : str
        Where it was met (``"in document at index 2"``), may be empty.
    parameter : str, default="handle_unknown"
        The parameter that decided the error, as the user set it
        (``"vectors.handle_unknown"`` for a table inside a step).
    value : str, default="error"
        Its value.

    Returns
    -------
    UnknownWordError

    Examples
    --------
    >>> str(unknown_word("zzz", "at position 1"))
    "unknown token 'zzz' at position 1 (handle_unknown='error')."
    """
    where = f" {where}" if where else ""
    return UnknownWordError(
        f"unknown token {word!r}{where} ({parameter}={value!r}).", word
    )
