"""Save and load fitted pipelines without executing code from the file.

A model file is a zip archive holding ``header.json`` (format, library
versions, a SHA-256 per member), ``model.json`` (the classes, their
parameters and learned state as JSON) and one ``.npy`` member per array.
Nothing read from the file chooses code, process counts or allocation sizes
beyond what its bytes hold. On load:

* **Explicit allow-list.** A file may name only

  - the textfeat estimators (:data:`ESTIMATORS`): ``CBOWVectorizer``,
    ``FrequencyScaler``, ``OneHotVectorizer``, ``PPMIVectors``,
    ``SequencePadder``, ``SoftmaxClassifier``, ``SpacyTokenizer``,
    ``WindowVectorizer``, ``WordDropout``, ``WordSignatures``;
  - the value classes a fitted model holds (:data:`VALUE_CLASSES`):
    ``Vocabulary``, ``WordVectors``;
  - the scikit-learn classes on :data:`TRUSTED` (``Pipeline``,
    ``FeatureUnion``, ``ColumnTransformer``, linear models, naive Bayes,
    ``SelectKBest``, ...);
  - the pure functions meant to be a parameter (:data:`FUNCTIONS`): the
    scorers ``mutual_info``, ``entropy``, ``conditional_entropy`` (and
    scikit-learn's ``chi2``, ``f_classif``, ``mutual_info_classif``), the
    word-signature schemes ``goldberg_signature`` and
    ``berkeley_signature``, and the window attribute ``word_shape``.

  Anything else (the CLI, batch, corpus or persist functions, builtins,
  ``os``...) is refused with :class:`ModelFileError` on load and with a
  ``ValueError`` on save. A class is made with ``object.__new__`` and its
  attributes set (each a plain identifier that shadows nothing on the
  class), so no ``__init__``, ``__new__``, ``__setstate__`` or
  ``__reduce__`` code runs; a function entry must name a function and a
  class entry a class.
* **Size limits**, checked against the zip's central directory *and* while
  decompressing (headers can lie): at most ``max_bytes`` (default 2 GiB)
  uncompressed in all, :data:`MAX_MEMBERS` members, a ``header.json`` of at
  most 4 MiB, and for members above 1 MiB a compression ratio of at most
  ``max_ratio`` (default 200). Only stored or deflated, unencrypted regular
  files with the names textfeat writes are read.
* **Arrays**: each ``.npy`` header is parsed first; only plain numeric,
  boolean and fixed-width string dtypes are accepted, and the declared
  shape times the item size must equal the bytes actually present before
  anything is allocated. No pickle.
* **JSON**: nesting is at most :data:`MAX_DEPTH` deep (checked by a linear
  scan *before* parsing) and at most ``max_entries`` (default 50 million)
  values; duplicate keys and bare ``NaN`` are refused.
* **Re-validation**: every estimator's parameters are checked with its own
  ``_parameter_constraints``; a process count (``n_jobs``, ``n_process``)
  above the CPUs this process may use is lowered to them (the
  rule of :func:`textfeat._parallel.effective_n_jobs`); ``memory`` (a cache folder)
  must be None; a ``dtype`` must be a plain numeric one; the learned state
  of textfeat's classes is checked for type, shape and consistency
  (vocabulary ids against their tokens, array shapes against counts,
  ``SequencePadder.maxlen_`` at most ``maxlen`` and
  :data:`textfeat.padding.MAX_MAXLEN` (2**20), ``WindowVectorizer.window``
  at most the reach of its slots or 64, a tokenizer ``lang`` a language
  code).
* Every member's SHA-256 is checked against the header, so a changed or
  truncated file is refused.

The checksums catch corruption and careless edits; they are not a signature
(whoever can write the file can rewrite the checksums), which is why the
checks above, not the checksum, keep a hostile file from running code or
exhausting memory.
"""

from __future__ import annotations

import functools
import importlib
import io
import json
import keyword
import math
import re
import stat
import types
import zipfile
import zlib
from collections import Counter
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np

from textfeat._files import sha256, write_atomic, zip_bytes
from textfeat._parallel import usable_cpus
from textfeat.io._persist_names import LEGACY_NAMES

__all__ = [
    "ESTIMATORS",
    "FUNCTIONS",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_ENTRIES",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "TRUSTED",
    "VALUE_CLASSES",
    "ModelFileError",
    "dumps",
    "load",
    "loads",
    "save",
]

FORMAT = "textfeat-model"
FORMAT_VERSION = 1

#: Default limit on the uncompressed size of all members together (bytes).
MAX_BYTES = 2 * 1024**3
#: Default limit on the compression ratio of a member above 1 MiB.
MAX_RATIO = 200
#: Default limit on the number of JSON values in ``model.json``.
MAX_ENTRIES = 50_000_000
#: Most members a model file may have.
MAX_MEMBERS = 10_000
#: Deepest nesting of lists and objects in ``model.json``.
MAX_DEPTH = 64
_MAX_HEADER_BYTES = 4 * 1024**2
_RATIO_FLOOR = 1024**2
_CHUNK = 1024**2

#: textfeat's estimators: the scikit-learn estimator classes of ``textfeat.__all__``,
#: by their public name (a file names a class where users import it, so a
#: module that moves does not change the files).
ESTIMATORS: frozenset[str] = frozenset(
    {
        "textfeat.CBOWVectorizer",
        "textfeat.FrequencyScaler",
        "textfeat.OneHotVectorizer",
        "textfeat.PPMIVectors",
        "textfeat.SequencePadder",
        "textfeat.SoftmaxClassifier",
        "textfeat.SpacyTokenizer",
        "textfeat.WindowVectorizer",
        "textfeat.WordDropout",
        "textfeat.WordSignatures",
    }
)

#: Classes that fitted textfeat estimators hold as parameters or learned state.
VALUE_CLASSES: frozenset[str] = frozenset({"textfeat.Vocabulary", "textfeat.WordVectors"})

_SKLEARN_FUNCTIONS = frozenset(
    {
        "sklearn.feature_selection.chi2",
        "sklearn.feature_selection.f_classif",
        "sklearn.feature_selection.mutual_info_classif",
    }
)

#: Classes and functions outside textfeat that a model file may name.
TRUSTED: frozenset[str] = frozenset(
    {
        "sklearn.pipeline.Pipeline",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.compose.ColumnTransformer",
        "sklearn.linear_model.LogisticRegression",
        "sklearn.linear_model.SGDClassifier",
        "sklearn.linear_model.RidgeClassifier",
        "sklearn.svm.LinearSVC",
        "sklearn.naive_bayes.MultinomialNB",
        "sklearn.naive_bayes.ComplementNB",
        "sklearn.naive_bayes.BernoulliNB",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_selection.SelectKBest",
        "sklearn.feature_selection.SelectPercentile",
        "sklearn.preprocessing.MaxAbsScaler",
        "sklearn.preprocessing.StandardScaler",
        "sklearn.preprocessing.Normalizer",
        "sklearn.preprocessing.LabelEncoder",
        "sklearn.decomposition.TruncatedSVD",
        *_SKLEARN_FUNCTIONS,
    }
)

#: Pure functions a model file may hold as a parameter (a scorer, a
#: word-signature scheme, a window attribute): nothing else callable.
FUNCTIONS: frozenset[str] = frozenset(
    {
        "textfeat.mutual_info",
        "textfeat.entropy",
        "textfeat.conditional_entropy",
        "textfeat.goldberg_signature",
        "textfeat.berkeley_signature",
        "textfeat.word_shape",
        *_SKLEARN_FUNCTIONS,
    }
)

_CLASSES: frozenset[str] = ESTIMATORS | VALUE_CLASSES | (TRUSTED - _SKLEARN_FUNCTIONS)
_MEMBER_NAME = re.compile(r"arrays/a(0|[1-9][0-9]{0,8})\.npy")
_HEADER_KEYS = {"format", "format_version", "versions", "sha256"}
_SHA = re.compile(r"[0-9a-f]{64}")
# dtype kinds a file may use: bool, ints, floats, complex; strings for arrays.
_NUMERIC_KINDS = "biufc"
_ARRAY_KINDS = "biufcUS"
_PROCESS_PARAMS = ("n_jobs", "n_process")
_MAX_WINDOW = 64


class ModelFileError(ValueError):
    """A model file is not a textfeat model, is damaged, or names untrusted code.

    Examples
    --------
    >>> try:
    ...     loads(b"not a model file")
    ... except ModelFileError as err:
    ...     print(type(err).__name__)
    ModelFileError
    """


# Its public home, in messages (textfeat.persist re-exports this module).
ModelFileError.__module__ = "textfeat.persist"


class _Bad(Exception):
    """A check failed; the caller adds the file name and raises ModelFileError."""


def _qualname(obj: Any) -> str:
    # Modules and other objects without these names never match a class name.
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}"


def _lookup(name: str) -> Any:
    """The object a public name stands for (ImportError or AttributeError)."""
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def _allowed(names: frozenset[str]) -> dict[str, Any]:
    """The objects of the allow-list ``names``, by name (those that exist here)."""
    out = {}
    for name in sorted(names):
        try:
            out[name] = _lookup(name)
        except (ImportError, AttributeError):  # not in this scikit-learn
            continue
    return out


def _public_name(obj: Any, names: frozenset[str]) -> str | None:
    """The name on the allow-list ``names`` of the very object ``obj``, or None."""
    for name, allowed in _allowed(names).items():
        if allowed is obj:
            return name
    return None


def _resolve(name: Any, kind: str, where: str) -> Any:
    """The class (``kind="class"``) or function named ``name``, if allowed.

    ``name`` is a public name on the allow-list, or a name of the fixed
    table of names older files used (:data:`LEGACY_NAMES`). Nothing is
    imported for a name outside both; the object found must be the very
    object the allow-list stands for.
    """
    allowed = _CLASSES if kind == "class" else FUNCTIONS
    if isinstance(name, str):
        name = LEGACY_NAMES.get(name, name)
    if not isinstance(name, str) or name not in allowed:
        raise ModelFileError(
            f"{where}: refuses to load {name!r} as a {kind}: it is not on the "
            f"allow-list (textfeat.persist.{'ESTIMATORS, VALUE_CLASSES and TRUSTED' if kind == 'class' else 'FUNCTIONS'}); "
            "the file is foreign or was tampered with"
        )
    try:
        obj = _lookup(name)
    except (ImportError, AttributeError) as exc:
        raise ModelFileError(
            f"{where}: {name!r} does not exist in this installation; the file "
            "was saved by another version (see its 'versions' header)"
        ) from exc
    if _public_name(obj, allowed) != name:
        raise ModelFileError(f"{where}: {name!r} resolves to another object")
    ok = isinstance(obj, type) if kind == "class" else isinstance(obj, types.FunctionType)
    if not ok:
        raise ModelFileError(f"{where}: {name!r} is not a {kind}")
    return obj


def _check_key(cls: type, key: Any) -> str | None:
    """Why ``key`` may not be an attribute set from a file, or None."""
    if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key):
        return "is not a plain identifier"
    if key.startswith("__"):
        return "is a dunder or name-mangled name"
    if hasattr(cls, key):
        return f"would shadow {cls.__name__}.{key}"
    return None


# -- what a model file holds of an object --------------------------------------
#: State that textfeat classes keep outside the convention (parameters plus
#: learned attributes ending in ``_``), for the classes whose modules do not
#: declare it themselves (``_persisted_state``): the value classes, whose
#: attributes are their constructor's arguments. By public name; resolved to
#: the class objects by :func:`declared_state`.
_DECLARED_STATE: dict[str, tuple[str, ...]] = {
    "textfeat.Vocabulary": ("min_count", "max_size"),
    "textfeat.WordVectors": ("words", "vectors", "index", "dim", "handle_unknown"),
    # the weight of a word fit did not see (tfidf, sif): set by fit
    "textfeat.CBOWVectorizer": ("_default_weight",),
}


@functools.cache
def _declared_table() -> dict[type, tuple[str, ...]]:
    """:data:`_DECLARED_STATE` keyed by the class objects."""
    return {_lookup(name): keys for name, keys in _DECLARED_STATE.items()}


def _is_learned(key: str) -> bool:
    """scikit-learn's convention: learned state ends in ``_`` and is not private."""
    return key.endswith("_") and not key.startswith("_")


@functools.cache
def declared_state(cls: type) -> frozenset[str] | None:
    """The attribute names besides learned ones (``name_``) a file may hold for ``cls``.

    For textfeat's classes: the parameters (``get_params(deep=False)``), the
    private state the class declares in ``_persisted_state`` (what
    ``partial_fit`` continues from) and the entries of
    :data:`_DECLARED_STATE`. Anything else (a cache, a stray attribute) is
    not saved, and a file holding it is refused. None for the scikit-learn
    classes on :data:`TRUSTED`, whose fitted attributes vary by version: a
    file holds their ``__dict__``.

    Examples
    --------
    >>> from textfeat import SoftmaxClassifier
    >>> sorted(declared_state(SoftmaxClassifier) - {*SoftmaxClassifier().get_params()})
    ['_adagrad', '_rng_state', '_seen']
    """
    from sklearn.base import BaseEstimator

    if not cls.__module__.startswith("textfeat."):
        return None
    params = cls._get_param_names() if issubclass(cls, BaseEstimator) else []
    own = vars(cls).get("_persisted_state", ())
    return frozenset([*params, *own, *_declared_table().get(cls, ())])


def saved_state(obj: Any) -> dict[str, Any]:
    """The attributes of ``obj`` a model file holds (see :func:`declared_state`).

    Examples
    --------
    >>> from textfeat import OneHotVectorizer
    >>> vec = OneHotVectorizer().fit([["a"]])
    >>> vec._scratch = "a cache"
    >>> sorted(saved_state(vec))
    ['binary', 'dtype', 'handle_unknown', 'max_size', 'min_count', 'vocabulary_']
    """
    declared = declared_state(type(obj))
    state = vars(obj)
    if declared is None:
        return dict(state)
    return {k: v for k, v in state.items() if k in declared or _is_learned(k)}


def _check_dtype(value: Any, kinds: str = _NUMERIC_KINDS) -> np.dtype:
    """``value`` as a plain dtype of one of ``kinds``, else :class:`_Bad`."""
    try:
        dt = np.dtype(value)
    except (TypeError, ValueError) as exc:
        raise _Bad(f"is not a dtype ({value!r})") from exc
    if dt.kind not in kinds or dt.names is not None or dt.shape != () or dt.hasobject:
        raise _Bad(f"is the dtype {dt!s}, not a plain {kinds!r} kind")
    if dt.itemsize == 0 or (dt.kind in _NUMERIC_KINDS and dt.itemsize > 32):
        raise _Bad(f"is the dtype {dt!s}, whose item size is not plausible")
    return dt


class _Encoder:
    """Turn an object graph into JSON-able values plus named arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, a: np.ndarray, path: str) -> dict[str, Any]:
        if a.dtype.hasobject:
            return {
                "__t": "objarray",
                "shape": list(a.shape),
                "items": self(a.ravel().tolist(), path),
            }
        try:
            _check_dtype(a.dtype, _ARRAY_KINDS)
        except _Bad as exc:
            raise ValueError(f"{path}: cannot save an array whose dtype {exc}") from None
        key = f"a{len(self.arrays)}"
        self.arrays[key] = np.ascontiguousarray(a)
        return {"__t": "ndarray", "key": key}

    def __call__(self, obj: Any, path: str = "model") -> Any:
        if obj is None or isinstance(obj, bool | str):
            return obj
        if isinstance(obj, int) and not isinstance(obj, np.integer):
            return obj
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"__t": "float", "v": repr(obj)}
        if isinstance(obj, np.generic):
            return {
                "__t": "scalar",
                "dtype": obj.dtype.str,
                "v": self(obj.item(), path),
            }
        if isinstance(obj, np.ndarray):
            return self.array(obj, path)
        if isinstance(obj, np.dtype):
            return {"__t": "dtype", "v": obj.str}
        if isinstance(obj, type) and issubclass(obj, np.generic):
            return {"__t": "dtypetype", "v": np.dtype(obj).str}
        if isinstance(obj, slice):  # ColumnTransformer's columns, output_indices_
            parts = (obj.start, obj.stop, obj.step)
            if not all(p is None or type(p) is int for p in parts):
                raise ValueError(f"{path}: cannot save the slice {obj!r} (ints or None)")
            return {"__t": "slice", "v": list(parts)}
        if isinstance(obj, Counter):
            return {"__t": "counter", "items": [[self(k), v] for k, v in obj.items()]}
        if isinstance(obj, set | frozenset):
            items = sorted(obj, key=repr) if obj else []
            return {
                "__t": type(obj).__name__,
                "items": [self(v, path) for v in items],
            }
        if isinstance(obj, tuple):
            return {"__t": "tuple", "items": [self(v, path) for v in obj]}
        if isinstance(obj, list):
            return [self(v, f"{path}[{i}]") for i, v in enumerate(obj)]
        if isinstance(obj, dict):
            if all(isinstance(k, str) and k != "__t" for k in obj):
                return {k: self(v, f"{path}.{k}") for k, v in obj.items()}
            return {
                "__t": "dict",
                "items": [[self(k, path), self(v, path)] for k, v in obj.items()],
            }
        if callable(obj) and hasattr(obj, "__qualname__") and not isinstance(obj, type):
            name = _public_name(obj, FUNCTIONS) or _qualname(obj)
            if name not in FUNCTIONS:
                raise ValueError(
                    f"{path}: cannot save the function {name!r}: a model file may "
                    "only hold the functions on textfeat.persist.FUNCTIONS "
                    f"({', '.join(sorted(n.rsplit('.', 1)[1] for n in FUNCTIONS))})"
                )
            return {"__t": "function", "name": name}
        name = _public_name(type(obj), _CLASSES) or _qualname(type(obj))
        if name not in _CLASSES:
            raise ValueError(
                f"{path}: cannot save a {name!r}: it is not on the allow-list "
                "(textfeat.persist.ESTIMATORS, VALUE_CLASSES and TRUSTED), so it "
                "could not be loaded safely"
            )
        if not hasattr(obj, "__dict__"):
            raise ValueError(f"{path}: cannot save {name!r}, which has no __dict__")
        state = saved_state(obj)
        for key in state:
            why = _check_key(type(obj), key)
            if why:
                raise ValueError(
                    f"{path}: cannot save the attribute {key!r} of {name!r}: it {why}"
                )
        return {
            "__t": "object",
            "class": name,
            "state": {k: self(v, f"{path}.{k}") for k, v in sorted(state.items())},
        }


_PLAIN_KEY = (str, int, float, bool, type(None))


def _plain_key(k: Any) -> Any:
    """``k`` if it is a plain hashable value (or a tuple of them), else _Bad."""
    if isinstance(k, tuple):
        for part in k:
            _plain_key(part)
        return k
    if type(k) not in _PLAIN_KEY and not isinstance(k, np.generic):
        raise _Bad(f"has a key of type {type(k).__name__}, not a plain value")
    return k


_TAG_KEYS = {
    "ndarray": {"key"},
    "objarray": {"shape", "items"},
    "float": {"v"},
    "scalar": {"dtype", "v"},
    "dtype": {"v"},
    "dtypetype": {"v"},
    "slice": {"v"},
    "counter": {"items"},
    "set": {"items"},
    "frozenset": {"items"},
    "tuple": {"items"},
    "dict": {"items"},
    "function": {"name"},
    "object": {"class", "state"},
}


class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray], where: str) -> None:
        self.arrays = arrays
        self.used: set[str] = set()
        self.where = where

    def __call__(self, obj: Any) -> Any:
        if isinstance(obj, list):
            return [self(v) for v in obj]
        if not isinstance(obj, dict):
            return obj
        tag = obj.get("__t")
        if tag is None:
            return {k: self(v) for k, v in obj.items()}
        if tag not in _TAG_KEYS:
            raise ModelFileError(f"{self.where}: unknown entry type {tag!r}")
        if set(obj) != {"__t", *_TAG_KEYS[tag]}:
            raise ModelFileError(
                f"{self.where}: a {tag!r} entry has the keys {sorted(obj)}, expected "
                f"{sorted({'__t', *_TAG_KEYS[tag]})}; the file was tampered with"
            )
        try:
            return self._tagged(tag, obj)
        except _Bad as exc:
            raise ModelFileError(f"{self.where}: a {tag!r} entry {exc}") from None
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            if isinstance(exc, ModelFileError):
                raise
            raise ModelFileError(
                f"{self.where}: malformed {tag!r} entry ({type(exc).__name__}: "
                f"{exc}); the file is damaged"
            ) from exc

    def _items(self, obj: dict[str, Any]) -> list[Any]:
        items = obj["items"]
        if not isinstance(items, list):
            raise _Bad("has 'items' that are not a list")
        return items

    def _pairs(self, obj: dict[str, Any]) -> list[tuple[Any, Any]]:
        out = []
        for pair in self._items(obj):
            if not isinstance(pair, list) or len(pair) != 2:
                raise _Bad("has an item that is not a [key, value] pair")
            out.append((_plain_key(self(pair[0])), pair[1]))
        return out

    def _tagged(self, tag: str, obj: dict[str, Any]) -> Any:
        if tag == "ndarray":
            key = obj["key"]
            if not isinstance(key, str) or key not in self.arrays:
                raise _Bad(f"names the array {key!r}, which the file does not hold")
            self.used.add(key)
            return self.arrays[key]
        if tag == "objarray":
            shape, items = obj["shape"], self._items(obj)
            if (
                not isinstance(shape, list)
                or len(shape) > 32
                or not all(type(n) is int and n >= 0 for n in shape)
                or math.prod(shape) != len(items)
            ):
                raise _Bad(f"has the shape {shape!r} for {len(items)} items")
            out = np.empty(len(items), dtype=object)
            for i, v in enumerate(self(items)):
                out[i] = v
            return out.reshape(shape)
        if tag == "float":
            if obj["v"] not in ("nan", "inf", "-inf"):
                raise _Bad(f"holds {obj['v']!r}, not 'nan', 'inf' or '-inf'")
            return float(obj["v"])
        if tag == "scalar":
            if not isinstance(obj["dtype"], str):
                raise _Bad("has a dtype that is not a string")
            dt = _check_dtype(obj["dtype"], _ARRAY_KINDS)
            v = self(obj["v"])
            if type(v) not in (bool, int, float, str):
                raise _Bad(f"holds a {type(v).__name__}, not a number or string")
            return dt.type(v)
        if tag in ("dtype", "dtypetype"):
            if not isinstance(obj["v"], str):
                raise _Bad("is not a string")
            dt = _check_dtype(obj["v"])
            return dt if tag == "dtype" else dt.type
        if tag == "slice":
            v = obj["v"]
            if not (
                isinstance(v, list)
                and len(v) == 3
                and all(p is None or type(p) is int for p in v)
            ):
                raise _Bad(f"holds {v!r}, not [start, stop, step] of ints or null")
            return slice(*v)
        if tag == "counter":
            out: Counter[Any] = Counter()
            for k, v in self._pairs(obj):
                if type(v) is not int:
                    raise _Bad(f"counts {k!r} {v!r} times, not an integer")
                out[k] = v
            return out
        if tag in ("set", "frozenset"):
            items = [_plain_key(self(v)) for v in self._items(obj)]
            return (set if tag == "set" else frozenset)(items)
        if tag == "tuple":
            return tuple(self(v) for v in self._items(obj))
        if tag == "dict":
            return {k: self(v) for k, v in self._pairs(obj)}
        if tag == "function":
            return _resolve(obj["name"], "function", self.where)
        return self._object(obj)

    def _object(self, obj: dict[str, Any]) -> Any:
        cls = _resolve(obj["class"], "class", self.where)
        name = cls.__name__
        state = obj["state"]
        if not isinstance(state, dict) or "__t" in state:
            raise _Bad(f"for {name} has a state that is not a plain object")
        declared = declared_state(cls)
        for key in state:
            why = _check_key(cls, key)
            if why is None and declared is not None:
                if key not in declared and not _is_learned(key):
                    why = (
                        "is not a parameter, learned state (a name ending in '_') "
                        f"or state {name} declares"
                    )
            if why:
                raise ModelFileError(
                    f"{self.where}: refuses to set the attribute {key!r} of {name}: "
                    f"it {why}; the file was tampered with"
                )
        if cls.__new__ is not object.__new__:  # never run a __new__ named by a file
            raise ModelFileError(f"{self.where}: {name} cannot be rebuilt safely")
        inst = object.__new__(cls)
        vars(inst).update({k: self(v) for k, v in state.items()})
        _check_loaded(inst, self.where)
        return inst


# -- checks of a rebuilt object ---------------------------------------------
def _is_int(v: Any, lo: int, hi: int | None = None) -> bool:
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
        raise _Bad(f"'{attr}' must be {what}; got {shown}")


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
        _need(isinstance(k, str) and _is_int(v, 0), attr, "str -> count >= 0", (k, v))


def _vocabulary(v: Any) -> None:
    _need(_is_int(v.min_count, 1), "min_count", "an int >= 1", v.min_count)
    _need(
        v.max_size is None or _is_int(v.max_size, 1), "max_size", "None or an int >= 1",
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
    from textfeat.vectors import _POLICIES, UNK

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
    _need(v.handle_unknown in _POLICIES, "handle_unknown", f"one of {_POLICIES}",
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
        _need(_is_int(est.maxlen_, 1, bound), "maxlen_",
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
        _need(_is_int(est.seed_, 0, 2**64 - 1), "seed_", "an int in 0..2**64-1",
              est.seed_)


def _str_to_float(d: Any, attr: str) -> None:
    _need(type(d) is dict and all(type(k) is str and type(v) is float
                                  for k, v in d.items()),
          attr, "a dict of str to float", type(d).__name__)


def _cbow(est: Any) -> None:
    if "n_docs_" in vars(est):
        _need(_is_int(est.n_docs_, 0), "n_docs_", "an int >= 0", est.n_docs_)
    _fitted(est, "idf_", _str_to_float)
    _fitted(est, "word_probability_", _str_to_float)
    if "_default_weight" in vars(est):
        w = est._default_weight
        _need(type(w) is float and math.isfinite(w) and w > 0, "_default_weight",
              "a finite float > 0", w)


def _n_features_in(est: Any) -> int | None:
    if "n_features_in_" not in vars(est):
        return None
    _need(_is_int(est.n_features_in_, 0), "n_features_in_", "an int >= 0",
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
        _need(_is_int(est.n_iter_, 0), "n_iter_", "an int >= 0", est.n_iter_)
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
        type(p) is tuple and len(p) == 2 and _is_int(p[0], -(2**31), 2**31)
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
        _need(_is_int(est.n_features_out_, 0, 2**40), "n_features_out_",
              "an int >= 0", est.n_features_out_)
    # transform lays out `window` edge symbols around every sentence: a file
    # may not ask for more than its slots reach (or the customary 64).
    reach = [abs(d) for d, _ in vars(est).get("slots_", [])]
    reach += [abs(d) for c in vars(est).get("conjunctions_", []) for d, _ in c]
    bound = max([_MAX_WINDOW, *reach])
    _need(_is_int(est.window, 0, bound) and est.window >= max(reach, default=0),
          "window", f"an int in {max(reach, default=0)}..{bound} (the positions "
          "of slots_ and conjunctions_)", est.window)


def _tokenizer(est: Any) -> None:
    # spaCy imports spacy.lang.<lang>: a file may only name a language code.
    _need(isinstance(est.lang, str) and re.fullmatch(r"[a-z]{2,3}", est.lang) is not None,
          "lang", "a language code such as 'en' or 'xx'", est.lang)


_STATE_CHECKS: dict[str, Any] = {
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
        raise _Bad(f"lacks a parameter ({exc})") from None
    cpus = usable_cpus()
    for name in _PROCESS_PARAMS:  # processes are bounded by the machine
        value = params.get(name)
        if _is_int(value, cpus + 1):
            setattr(est, name, cpus)
    if params.get("memory") is not None:
        raise _Bad(
            f"parameter 'memory' is {params['memory']!r}: a model file may not "
            "choose a cache folder (it must be None)"
        )
    if "dtype" in params:
        try:
            _check_dtype(params["dtype"])
        except _Bad as exc:
            raise _Bad(f"parameter 'dtype' {exc}") from None
    if hasattr(est, "_parameter_constraints"):
        try:
            validate_parameters(est)
        except (InvalidParameterError, TypeError, ValueError) as exc:
            raise _Bad(f"has an invalid parameter: {exc}") from None


def _check_loaded(inst: Any, where: str) -> None:
    """Re-validate a rebuilt object; ModelFileError naming the file and class."""
    from sklearn.base import BaseEstimator

    name = _public_name(type(inst), _CLASSES)
    try:
        if isinstance(inst, BaseEstimator):
            _check_params(inst)
            _n_features_in(inst)
        check = _STATE_CHECKS.get(name) if name is not None else None
        if check is not None:
            check(inst)
    except _Bad as exc:
        raise ModelFileError(
            f"{where}: {type(inst).__name__} {exc}; the file was tampered with or "
            "damaged"
        ) from None
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
        raise ModelFileError(
            f"{where}: {type(inst).__name__} has a malformed state ({exc}); the "
            "file was tampered with or damaged"
        ) from None


# -- members ----------------------------------------------------------------
def _read_npy(blob: bytes) -> np.ndarray:
    """The array in ``blob``, checked against its own header before allocating."""
    fmt = np.lib.format
    f = io.BytesIO(blob)
    try:
        version = fmt.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(f)
        else:
            raise _Bad(f"is .npy format version {version}, not 1.0 or 2.0")
    except (ValueError, SyntaxError, TypeError, EOFError) as exc:
        raise _Bad(f"has an unreadable .npy header ({exc})") from None
    dtype = _check_dtype(dtype, _ARRAY_KINDS)
    if len(shape) > 32:
        raise _Bad(f"declares {len(shape)} dimensions")
    count = math.prod(shape)
    offset = f.tell()
    if count * dtype.itemsize != len(blob) - offset:
        raise _Bad(
            f"declares shape {shape} of {dtype} ({count * dtype.itemsize} bytes) "
            f"but holds {len(blob) - offset} bytes"
        )
    flat = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran else "C").copy(
        order="F" if fortran else "C"
    )


_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.S)
_MOVES = np.zeros(256, dtype=np.int8)
_MOVES[[ord("["), ord("{")]] = 1
_MOVES[[ord("]"), ord("}")]] = -1


def _json_shape(data: bytes) -> tuple[int, int]:
    """(deepest nesting, number of values, at least) of JSON text, without parsing it.

    Linear in the size of ``data`` whatever it holds (strings are matched
    by an unrolled regular expression, brackets counted with numpy), so a
    hostile file cannot make the check itself slow or recursive.
    """
    bare = np.frombuffer(_STRING.sub(b"0", data), dtype=np.uint8)
    moves = _MOVES[bare]
    moves = moves[moves != 0]
    depth = deepest = 0
    for start in range(0, len(moves), _CHUNK):
        level = np.cumsum(moves[start : start + _CHUNK], dtype=np.int64) + depth
        deepest = max(deepest, int(level.max()))
        depth = int(level[-1])
    n_values = 1 + int(np.count_nonzero(bare == ord(","))) + len(moves) // 2
    return deepest, n_values


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"duplicate key {dup!r}")
    return out


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"bare {name} (non-finite floats are tagged)")


def _parse_json(data: bytes, member: str, where: str, max_entries: int) -> Any:
    deepest, n_values = _json_shape(data)
    if deepest > MAX_DEPTH:
        raise ModelFileError(
            f"{where}: {member} nests {deepest} levels deep (at most {MAX_DEPTH}); "
            "the file was tampered with"
        )
    if n_values > max_entries:
        raise ModelFileError(
            f"{where}: {member} holds about {n_values} values, more than "
            f"max_entries={max_entries}; pass a larger max_entries to load it"
        )
    try:
        return json.loads(
            data, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant
        )
    except (ValueError, RecursionError) as exc:  # RecursionError: belt and braces
        raise ModelFileError(f"{where}: {member} is not valid JSON ({exc})") from None


def _check_directory(data: bytes, where: str) -> None:
    """Refuse an end-of-central-directory record announcing too many members.

    zipfile builds an object per member before we can count them, so the
    announced count and directory size are checked first.
    """
    sig = b"PK\x05\x06"
    if len(data) >= 22 and data[-22:-18] == sig and data[-2:] == b"\0\0":
        pos = len(data) - 22
    else:
        pos = data.rfind(sig, max(0, len(data) - 65557))
    if pos < 0 or pos + 22 > len(data):
        return  # zipfile will call it not a zip archive
    n_members = int.from_bytes(data[pos + 10 : pos + 12], "little")
    size = int.from_bytes(data[pos + 12 : pos + 16], "little")
    if n_members > MAX_MEMBERS or size > MAX_MEMBERS * 1024:
        raise ModelFileError(
            f"{where}: the archive announces {n_members} members in a {size}-byte "
            f"directory (at most {MAX_MEMBERS}); the file was tampered with"
        )


def _read_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, where: str
) -> bytes:
    """A member's bytes, refusing more than ``limit`` whatever its header says."""
    out = bytearray()
    try:
        with zf.open(info) as f:
            while chunk := f.read(min(_CHUNK, limit + 1 - len(out))):
                out += chunk
                if len(out) > limit:
                    break
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        RuntimeError,  # an encrypted member
        NotImplementedError,
    ) as exc:
        raise ModelFileError(f"{where}: {info.filename} is damaged ({exc})") from None

    if len(out) > limit or len(out) != info.file_size:
        raise ModelFileError(
            f"{where}: {info.filename} holds more or fewer bytes than its header "
            f"declares ({info.file_size}); the file was tampered with"
        )
    return bytes(out)


def _members(data: bytes, where: str, max_bytes: int, max_ratio: float) -> dict[str, bytes]:
    """Check the archive's directory, then read its members within the limits."""
    _check_directory(data, where)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ModelFileError(
            f"{where}: not a textfeat model file (not a zip archive); save models "
            "with textfeat.persist.save"
        ) from exc
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if "header.json" not in names or "model.json" not in names:
            raise ModelFileError(
                f"{where}: not a textfeat model file (no header.json/model.json); "
                "save models with textfeat.persist.save"
            )
        if len(infos) > MAX_MEMBERS:
            raise ModelFileError(f"{where}: {len(infos)} members (at most {MAX_MEMBERS})")
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ModelFileError(f"{where}: duplicate members {dup}; the file was tampered with")
        total = 0
        for info in infos:
            name = info.filename
            why = None
            if name not in ("header.json", "model.json") and not _MEMBER_NAME.fullmatch(name):
                why = "is not a name textfeat writes"
            elif info.flag_bits & 0x41:
                why = "is encrypted"
            elif info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                why = f"uses compression method {info.compress_type}"
            elif stat.S_IFMT(info.external_attr >> 16) not in (0, stat.S_IFREG):
                why = "is not a regular file (a link, folder or device)"
            elif name == "header.json" and info.file_size > _MAX_HEADER_BYTES:
                why = f"declares {info.file_size} bytes (at most {_MAX_HEADER_BYTES})"
            elif (
                info.file_size > _RATIO_FLOOR
                and info.file_size > max_ratio * max(info.compress_size, 1)
            ):
                why = (
                    f"inflates {info.compress_size} bytes to {info.file_size} "
                    f"(ratio above max_ratio={max_ratio})"
                )
            if why:
                raise ModelFileError(f"{where}: member {name!r} {why}; refused")
            total += info.file_size
        if total > max_bytes:
            raise ModelFileError(
                f"{where}: the members declare {total} bytes uncompressed, more than "
                f"max_bytes={max_bytes}; pass a larger max_bytes to load it"
            )
        blobs: dict[str, bytes] = {}
        budget = max_bytes
        for info in infos:
            limit = min(info.file_size, budget)
            if info.filename == "header.json":
                limit = min(limit, _MAX_HEADER_BYTES)
            blob = _read_member(zf, info, limit, where)
            budget -= len(blob)
            blobs[info.filename] = blob
    return blobs


def versions() -> dict[str, str]:
    """The versions of textfeat and its dependencies, as a model file records them."""
    import scipy
    import sklearn

    import textfeat

    out = {
        "textfeat": textfeat.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
    }
    try:
        import spacy

        out["spacy"] = spacy.__version__
    except ImportError:  # pragma: no cover - spaCy is a dependency
        pass
    return out


def _npy_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, allow_pickle=False)
    return buf.getvalue()


def dumps(model: Any) -> bytes:
    """Serialise a fitted estimator or pipeline to the bytes of a model file.

    Parameters
    ----------
    model : estimator
        Built from the classes on :data:`ESTIMATORS`, :data:`VALUE_CLASSES`
        and :data:`TRUSTED`, with functions only from :data:`FUNCTIONS`.

    Returns
    -------
    bytes
        The same bytes for the same model (no time stamps), so the SHA-256
        of the result fingerprints a fitted pipeline.

    Raises
    ------
    ValueError
        If the model holds an object that could not be loaded safely (a class
        or function not on the allow-list, a lambda, a RandomState).

    Examples
    --------
    >>> from textfeat import OneHotVectorizer
    >>> vec = OneHotVectorizer().fit([["a", "b"]])
    >>> dumps(vec) == dumps(vec)
    True
    """
    enc = _Encoder()
    body = enc(model)
    members = {f"arrays/{k}.npy": _npy_bytes(a) for k, a in enc.arrays.items()}
    if len(members) + 2 > MAX_MEMBERS:
        raise ValueError(
            f"model: holds {len(members)} arrays; a model file holds at most "
            f"{MAX_MEMBERS - 2}"
        )
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": versions(),
        "sha256": {
            "model.json": sha256(payload),
            **{k: sha256(v) for k, v in members.items()},
        },
    }
    return zip_bytes(
        [
            ("header.json", json.dumps(header, sort_keys=True, indent=1).encode()),
            ("model.json", payload),
            *sorted(members.items()),
        ],
        deflate=True,
    )


def _check_header(header: Any, names: set[str], where: str) -> dict[str, str]:
    """The checksums of a well-formed header naming exactly the members present."""
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(f"{where}: not a textfeat model file (format tag)")
    if header.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{where}: model format version {header.get('format_version')!r}; "
            f"this textfeat reads version {FORMAT_VERSION}"
        )
    if set(header) != _HEADER_KEYS:
        raise ModelFileError(
            f"{where}: the header has the keys {sorted(header)}, expected "
            f"{sorted(_HEADER_KEYS)}; the file was tampered with"
        )
    versions, sums = header["versions"], header["sha256"]
    if not isinstance(versions, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in versions.items()
    ):
        raise ModelFileError(f"{where}: the header's 'versions' is malformed")
    if (
        not isinstance(sums, dict)
        or not all(isinstance(v, str) and _SHA.fullmatch(v) for v in sums.values())
        or set(sums) != names - {"header.json"}
    ):
        raise ModelFileError(
            f"{where}: the members of the file do not match its header; the "
            "file was tampered with or damaged"
        )
    return sums


def loads(
    data: bytes,
    *,
    where: str = "<bytes>",
    max_bytes: int = MAX_BYTES,
    max_entries: int = MAX_ENTRIES,
    max_ratio: float = MAX_RATIO,
) -> Any:
    """Rebuild a model from the bytes written by :func:`dumps`.

    Parameters
    ----------
    data : bytes
        A model file's content.
    where : str, default="<bytes>"
        Name used in error messages (the file path).
    max_bytes : int, default=MAX_BYTES (2 GiB)
        Most bytes all members may hold uncompressed; raise it for a model
        with larger arrays.
    max_entries : int, default=MAX_ENTRIES (50 million)
        Most JSON values ``model.json`` may hold (a vocabulary of ``n``
        words with counts takes about ``5 n``).
    max_ratio : float, default=MAX_RATIO (200)
        Highest compression ratio of a member above 1 MiB.

    Returns
    -------
    estimator

    Raises
    ------
    ModelFileError
        For a foreign or damaged file, a checksum mismatch, a class or
        function not on the allow-list, a file beyond the limits, or a
        parameter or learned attribute its class refuses.

    Examples
    --------
    >>> from textfeat import OneHotVectorizer
    >>> vec = loads(dumps(OneHotVectorizer().fit([["a", "b"]])))
    >>> vec.transform([["b", "zzz"]]).toarray().tolist()
    [[0.0, 1.0, 0.0, 0.0, 0.0, 1.0]]
    >>> loads(b"not a model")
    Traceback (most recent call last):
    ...
    textfeat.persist.ModelFileError: <bytes>: not a textfeat model file (not a zip archive); save models with textfeat.persist.save
    """
    blobs = _members(bytes(data), where, max_bytes, max_ratio)
    header = _parse_json(blobs.pop("header.json"), "header.json", where, max_entries)
    sums = _check_header(header, set(blobs) | {"header.json"}, where)
    for name in sorted(blobs):
        if sha256(blobs[name]) != sums[name]:
            raise ModelFileError(
                f"{where}: checksum mismatch in {name}; the file was tampered "
                "with or damaged, save the model again"
            )
    arrays: dict[str, np.ndarray] = {}
    for name in sorted(blobs):
        if name == "model.json":
            continue
        try:
            arrays[name[len("arrays/") : -len(".npy")]] = _read_npy(blobs.pop(name))
        except _Bad as exc:
            raise ModelFileError(f"{where}: {name} refused: it {exc}") from None
    body = _parse_json(blobs.pop("model.json"), "model.json", where, max_entries)
    if not (isinstance(body, dict) and body.get("__t") == "object"):
        raise ModelFileError(f"{where}: model.json does not hold an estimator")
    decode = _Decoder(arrays, where)
    try:
        model = decode(body)
    except RecursionError:  # pragma: no cover - depth is bounded above
        raise ModelFileError(f"{where}: model.json nests too deeply") from None
    unused = sorted(set(arrays) - decode.used)
    if unused:
        raise ModelFileError(
            f"{where}: the arrays {unused} are not used by the model; the file was "
            "tampered with"
        )
    return model


def save(model: Any, path: str | Path) -> Path:
    """Write a fitted model to ``path`` (written to a temporary name, then renamed).

    Parameters
    ----------
    model : estimator
        See :func:`dumps`.
    path : str or Path
        Destination; ``.tfm`` is the customary suffix.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from textfeat import OneHotVectorizer
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "vec.tfm"
    >>> _ = save(OneHotVectorizer().fit([["a"]]), p)
    >>> load(p).vocabulary_.itos_[-1]
    'a'
    """
    path = Path(path)
    write_atomic(path, dumps(model))
    return path


def load(
    path: str | Path,
    *,
    max_bytes: int = MAX_BYTES,
    max_entries: int = MAX_ENTRIES,
    max_ratio: float = MAX_RATIO,
) -> Any:
    """Load a model written by :func:`save`, running no code from the file.

    Parameters
    ----------
    path : str or Path
    max_bytes, max_entries, max_ratio
        Limits; see :func:`loads`.

    Returns
    -------
    estimator

    Raises
    ------
    ModelFileError
        See :func:`loads`.
    FileNotFoundError
        If there is no such file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.tfm"
    >>> _ = p.write_bytes(b"\\x80\\x04K\\x01.")  # a pickle
    >>> load(p)
    Traceback (most recent call last):
    ...
    textfeat.persist.ModelFileError: ...x.tfm: not a textfeat model file (not a zip archive); save models with textfeat.persist.save
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file")
    return loads(
        path.read_bytes(),
        where=str(path),
        max_bytes=max_bytes,
        max_entries=max_entries,
        max_ratio=max_ratio,
    )
