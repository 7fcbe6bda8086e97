"""What every model-file module shares: the error, the check failure, the dtype rule.

The bottom of :mod:`textfeat.io.persist`: :mod:`textfeat.io._model_zip`,
:mod:`textfeat.io._model_json` and :mod:`textfeat.io._model_checks` raise
:class:`ModelFileError` (re-exported, with its public home
``textfeat.persist``, by :mod:`textfeat.io.persist`) and :class:`Bad`, and
accept only the dtypes :func:`check_dtype` allows. Imports nothing of textfeat.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["ARRAY_KINDS", "NUMERIC_KINDS", "Bad", "ModelFileError", "check_dtype"]

# dtype kinds a file may use: bool, ints, floats, complex; strings for arrays.
NUMERIC_KINDS = "biufc"
ARRAY_KINDS = "biufcUS"


class ModelFileError(ValueError):
    """A model file is not a textfeat model, is damaged, or names untrusted code.

    Examples
    --------
    >>> from textfeat.persist import loads
    >>> try:
    ...     loads(b"not a model file")
    ... except ModelFileError as err:
    ...     print(type(err).__name__)
    ModelFileError
    """


# Its public home, in messages (textfeat.persist re-exports this module).
ModelFileError.__module__ = "textfeat.persist"


class Bad(Exception):
    """A check failed; the caller adds the file name and raises ModelFileError.

    Examples
    --------
    >>> try:
    ...     check_dtype("O")
    ... except Bad as exc:
    ...     print(exc)
    is the dtype object, not a plain 'biufc' kind
    """


def check_dtype(value: Any, kinds: str = NUMERIC_KINDS) -> np.dtype:
    """``value`` as a plain dtype of one of ``kinds``, else :class:`Bad`.

    Examples
    --------
    >>> check_dtype("<f8")
    dtype('float64')
    >>> check_dtype("<U3", ARRAY_KINDS)
    dtype('<U3')
    """
    try:
        dt = np.dtype(value)
    except (TypeError, ValueError) as exc:
        raise Bad(f"is not a dtype ({value!r})") from exc
    if dt.kind not in kinds or dt.names is not None or dt.shape != () or dt.hasobject:
        raise Bad(f"is the dtype {dt!s}, not a plain {kinds!r} kind")
    if dt.itemsize == 0 or (dt.kind in NUMERIC_KINDS and dt.itemsize > 32):
        raise Bad(f"is the dtype {dt!s}, whose item size is not plausible")
    return dt
