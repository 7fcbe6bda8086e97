"""Checks of a rebuilt object: its parameters again, then its learned state by class.

:func:`check_loaded` runs on every object a model file rebuilds. For an
estimator: a process count (``n_jobs``, ``n_process``) above the usable CPUs
is lowered to them, ``memory`` must be None, a ``dtype`` must be a plain
numeric one, and the class's own ``_parameter_constraints`` must hold. Then
the learned state of textfeat's classes is checked for type, shape and
consistency (one function per class, in :data:`STATE_CHECKS`, keyed by the
public name of the allow-lists of :mod:`textfeat.io.persist`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from numbers import Integral
from typing import Any

import numpy as np

from textfeat._parallel import usable_cpus
from textfeat.io._model_base import Bad, ModelFileError, check_dtype

__all__ = ["STATE_CHECKS", "check_loaded", "is_int"]

_PROCESS_PARAMS = ("n_jobs", "n_process")
_MAX_WINDOW = 64


def is_int(v: Any, lo: int, hi: int | None = None) -> bool:
    """Whether ``v`` is an integer (not a bool) in ``lo..hi`` (``hi`` None: no bound).

    Examples
    --------
    >>> is_int(3, 0), is_int(True, 0), is_int(3.0, 0), is_int(5, 0, 4)
    (True, False, False, False)
    """
    return (
        isinstance(v, Integral)
        and not isinstance(v, bool)
        and lo <= v
        and (hi is None or v <= hi)
    )


def _need(ok: bool, attr: str, what: str, value: Any) -> None:
    if not ok:
        shown = repr(value)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise Bad(f"'{attr}' must be {what}; got {shown}")


def _float_array(a: Any, attr: str, ndim: int) -> np.ndarray:
    _need(
        isinstance(a, np.ndarray) and a.ndim == ndim and a.dtype.kind == "f",
        attr,
        f"a {ndim}-d float array",
        a if not isinstance(a, np.ndarray) else f"{a.dtype} array of shape {a.shape}",
    )
    return a


def _str_counts(c: Any, attr: str) -> None:
    _need(isinstance(c, Counter), attr, "a Counter", type(c).__name__)
    for k, v in c.items():
        _need(isinstance(k, str) and is_int(v, 0), attr, "str -> count >= 0", (k, v))


def _vocabulary(v: Any) -> None:
    _need(is_int(v.min_count, 1), "min_count", "an int >= 1", v.min_count)
    _need(
        v.max_size is None or is_int(v.max_size, 1), "max_size", "None or an int >= 1",
        v.max_size,
    )
    fitted = [k for k in ("counts_", "itos_", "stoi_") if k in vars(v)]
    if not fitted:
        return
    _need(len(fitted) == 3, "itos_", "present with stoi_ and counts_", fitted)
    from textfeat.vocab import SPECIALS

    itos, stoi = v.itos_, v.stoi_
    _need(
        type(itos) is list and all(type(t) is str for t in itos), "itos_",
        "a list of str", type(itos).__name__,
    )
    _need(itos[: len(SPECIALS)] == list(SPECIALS), "itos_", f"to start {SPECIALS}", itos[:4])
    _need(
        type(stoi) is dict
        and len(stoi) == len(itos)
        and all(type(i) is int for i in stoi.values())
        and all(stoi.get(t) == i for i, t in enumerate(itos)),
        "stoi_",
        "the inverse of itos_",
        type(stoi).__name__ if type(stoi) is not dict else f"{len(stoi)} entries",
    )
    _str_counts(v.counts_, "counts_")


def _word_vectors(v: Any) -> None:
    from textfeat.text._unknown import VECTOR_POLICIES
    from textfeat.vocab import UNK

    words = v.words
    _need(
        type(words) is list and all(type(w) is str for w in words), "words",
        "a list of str", type(words).__name__,
    )
    vec = _float_array(v.vectors, "vectors", 2)
    _need(vec.shape[0] == len(words) and vec.shape[1] >= 1, "vectors",
          f"of shape ({len(words)}, dim >= 1)", vec.shape)
    _need(bool(np.isfinite(vec).all()), "vectors", "finite", "non-finite values")
    _need(type(v.dim) is int and v.dim == vec.shape[1], "dim", f"{vec.shape[1]}", v.dim)
    index = v.index
    _need(
        type(index) is dict
        and len(index) == len(words)
        and all(index.get(w) == i and type(index[w]) is int for i, w in enumerate(words)),
        "index", "the inverse of words", type(index).__name__,
    )
    _need(v.handle_unknown in VECTOR_POLICIES, "handle_unknown", f"one of {VECTOR_POLICIES}",
          v.handle_unknown)
    _need(v.handle_unknown != "unk" or UNK in index, "handle_unknown",
          f"'unk' only with a {UNK!r} row", v.handle_unknown)


def _fitted(est: Any, attr: str, check: Any) -> None:
    if attr in vars(est):
        check(getattr(est, attr), attr)


def _is_vocab(v: Any, attr: str) -> None:
    from textfeat.vocab import Vocabulary

    _need(isinstance(v, Vocabulary) and hasattr(v, "itos_"), attr,
          "a fitted Vocabulary", type(v).__name__)


def _padder(est: Any) -> None:
    from textfeat.padding import MAX_MAXLEN

    _fitted(est, "vocabulary_", _is_vocab)
    if "maxlen_" in vars(est):
        bound = MAX_MAXLEN if est.maxlen is None else min(est.maxlen, MAX_MAXLEN)
        _need(is_int(est.maxlen_, 1, bound), "maxlen_",
              f"an int in 1..{bound} (maxlen or textfeat.padding.MAX_MAXLEN)",
              est.maxlen_)
        _need(est.maxlen is None or est.maxlen_ == est.maxlen, "maxlen_",
              f"equal to maxlen={est.maxlen}", est.maxlen_)


def _signatures(est: Any) -> None:
    _fitted(est, "counts_", _str_counts)
    if "known_words_" in vars(est):
        k = est.known_words_
        _need(isinstance(k, frozenset) and all(type(w) is str for w in k),
              "known_words_", "a frozenset of str", type(k).__name__)


def _dropout(est: Any) -> None:
    _fitted(est, "counts_", _str_counts)
    if "seed_" in vars(est):
        _need(is_int(est.seed_, 0, 2**64 - 1), "seed_", "an int in 0..2**64-1",
              est.seed_)


def _str_to_float(d: Any, attr: str) -> None:
    _need(type(d) is dict and all(type(k) is str and type(v) is float
                                  for k, v in d.items()),
          attr, "a dict of str to float", type(d).__name__)


def _cbow(est: Any) -> None:
    if "n_docs_" in vars(est):
        _need(is_int(est.n_docs_, 0), "n_docs_", "an int >= 0", est.n_docs_)
    _fitted(est, "idf_", _str_to_float)
    _fitted(est, "word_probability_", _str_to_float)
    if "_default_weight" in vars(est):
        w = est._default_weight
        _need(type(w) is float and math.isfinite(w) and w > 0, "_default_weight",
              "a finite float > 0", w)


def _n_features_in(est: Any) -> int | None:
    if "n_features_in_" not in vars(est):
        return None
    _need(is_int(est.n_features_in_, 0), "n_features_in_", "an int >= 0",
          est.n_features_in_)
    return int(est.n_features_in_)


def _scaler(est: Any) -> None:
    n = _n_features_in(est)
    if "scale_" in vars(est):
        _float_array(est.scale_, "scale_", 1)
        _need(est.scale_.shape == (n,), "scale_", f"of length n_features_in_={n}",
              est.scale_.shape)


def _softmax(est: Any) -> None:
    n = _n_features_in(est)
    if "coef_" not in vars(est):
        return
    classes = est.classes_
    _need(isinstance(classes, np.ndarray) and classes.ndim == 1 and len(classes) >= 2,
          "classes_", "a 1-d array of two or more labels", type(classes).__name__)
    k = len(classes)
    coef = _float_array(est.coef_, "coef_", 2)
    rows = 1 if k == 2 and coef.shape[0] == 1 else k
    _need(coef.shape == (rows, n), "coef_", f"of shape ({rows}, {n})", coef.shape)
    _float_array(est.intercept_, "intercept_", 1)
    _need(est.intercept_.shape == (rows,), "intercept_", f"of length {rows}",
          est.intercept_.shape)
    if "n_iter_" in vars(est):
        _need(is_int(est.n_iter_, 0), "n_iter_", "an int >= 0", est.n_iter_)
    if "temperature_" in vars(est):
        t = est.temperature_
        _need(type(t) is float and math.isfinite(t) and t > 0, "temperature_",
              "a finite float > 0", t)


def _ppmi(est: Any) -> None:
    from textfeat.vectors import WordVectors

    _fitted(est, "vocabulary_", _is_vocab)
    if "vectors_" in vars(est):
        _need(isinstance(est.vectors_, WordVectors), "vectors_", "WordVectors",
              type(est.vectors_).__name__)
    if "singular_values_" in vars(est):
        _float_array(est.singular_values_, "singular_values_", 1)


def _pos_pair(p: Any) -> bool:
    return (
        type(p) is tuple and len(p) == 2 and is_int(p[0], -(2**31), 2**31)
        and type(p[1]) is str
    )


def _windows(est: Any) -> None:
    if "slots_" in vars(est):
        _need(type(est.slots_) is list and all(map(_pos_pair, est.slots_)), "slots_",
              "a list of (int, str) tuples", est.slots_)
    if "conjunctions_" in vars(est):
        c = est.conjunctions_
        _need(type(c) is list and all(type(t) is tuple and all(map(_pos_pair, t))
                                      for t in c),
              "conjunctions_", "a list of tuples of (int, str)", c)
        keys = est.conjunction_keys_
        _need(type(keys) is list and len(keys) == len(c)
              and all(isinstance(a, np.ndarray) and a.ndim == 1 and a.dtype.kind in "iu"
                      for a in keys),
              "conjunction_keys_", f"{len(c)} 1-d integer arrays", type(keys).__name__)
    if "vocabularies_" in vars(est):
        v = est.vocabularies_
        _need(type(v) is dict, "vocabularies_", "a dict", type(v).__name__)
        for name, voc in v.items():
            _is_vocab(voc, f"vocabularies_[{name!r}]")
    if "ambiguity_" in vars(est):
        a = est.ambiguity_
        _need(type(a) is dict and all(type(k) is str and type(x) is str
                                      for k, x in a.items()),
              "ambiguity_", "a dict of str to str", type(a).__name__)
    if "n_features_out_" in vars(est):
        _need(is_int(est.n_features_out_, 0, 2**40), "n_features_out_",
              "an int >= 0", est.n_features_out_)
    # transform lays out `window` edge symbols around every sentence: a file
    # may not ask for more than its slots reach (or the customary 64).
    reach = [abs(d) for d, _ in vars(est).get("slots_", [])]
    reach += [abs(d) for c in vars(est).get("conjunctions_", []) for d, _ in c]
    bound = max([_MAX_WINDOW, *reach])
    _need(is_int(est.window, 0, bound) and est.window >= max(reach, default=0),
          "window", f"an int in {max(reach, default=0)}..{bound} (the positions "
          "of slots_ and conjunctions_)", est.window)


def _tokenizer(est: Any) -> None:
    # spaCy imports spacy.lang.<lang>: a file may only name a language code.
    _need(isinstance(est.lang, str) and re.fullmatch(r"[a-z]{2,3}", est.lang) is not None,
          "lang", "a language code such as 'en' or 'xx'", est.lang)


#: The check of the learned state of each textfeat class, by public name.
STATE_CHECKS: dict[str, Any] = {
    "textfeat.Vocabulary": _vocabulary,
    "textfeat.WordVectors": _word_vectors,
    "textfeat.SequencePadder": _padder,
    "textfeat.OneHotVectorizer": lambda e: _fitted(e, "vocabulary_", _is_vocab),
    "textfeat.WordSignatures": _signatures,
    "textfeat.WordDropout": _dropout,
    "textfeat.CBOWVectorizer": _cbow,
    "textfeat.FrequencyScaler": _scaler,
    "textfeat.SoftmaxClassifier": _softmax,
    "textfeat.PPMIVectors": _ppmi,
    "textfeat.WindowVectorizer": _windows,
    "textfeat.SpacyTokenizer": _tokenizer,
}


def _check_params(est: Any) -> None:
    """Parameters a file may not choose freely, then the estimator's constraints."""
    from textfeat._compat import InvalidParameterError, validate_parameters

    try:
        params = est.get_params(deep=False)
    except AttributeError as exc:
        raise Bad(f"lacks a parameter ({exc})") from None
    cpus = usable_cpus()
    for name in _PROCESS_PARAMS:  # processes are bounded by the machine
        value = params.get(name)
        if is_int(value, cpus + 1):
            setattr(est, name, cpus)
    if params.get("memory") is not None:
        raise Bad(
            f"parameter 'memory' is {params['memory']!r}: a model file may not "
            "choose a cache folder (it must be None)"
        )
    if "dtype" in params:
        try:
            check_dtype(params["dtype"])
        except Bad as exc:
            raise Bad(f"parameter 'dtype' {exc}") from None
    if hasattr(est, "_parameter_constraints"):
        try:
            validate_parameters(est)
        except (InvalidParameterError, TypeError, ValueError) as exc:
            raise Bad(f"has an invalid parameter: {exc}") from None



def check_loaded(inst: Any, name: str | None, where: str) -> None:
    """Re-validate ``inst``, whose class has the public name ``name``.

    Raises :class:`ModelFileError` naming the file ``where`` and the class.

    Examples
    --------
    >>> from textfeat import SequencePadder
    >>> pad = SequencePadder(maxlen=4)
    >>> pad.maxlen_ = 9
    >>> check_loaded(pad, "textfeat.SequencePadder", "f.tfm")
    Traceback (most recent call last):
    ...
    textfeat.persist.ModelFileError: f.tfm: SequencePadder 'maxlen_' must be an int in 1..4 (maxlen or textfeat.padding.MAX_MAXLEN); got 9; the file was tampered with or damaged
    """
    from sklearn.base import BaseEstimator

    try:
        if isinstance(inst, BaseEstimator):
            _check_params(inst)
            _n_features_in(inst)
        check = STATE_CHECKS.get(name) if name is not None else None
        if check is not None:
            check(inst)
    except Bad as exc:
        raise ModelFileError(
            f"{where}: {type(inst).__name__} {exc}; the file was tampered with or "
            "damaged"
        ) from None
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
        raise ModelFileError(
            f"{where}: {type(inst).__name__} has a malformed state ({exc}); the "
            "file was tampered with or damaged"
        ) from None
