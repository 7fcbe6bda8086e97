"""The JSON of a model file: the encoder, the decoder and the checked parser.

:class:`Encoder` turns an object graph into JSON values plus named arrays;
:class:`Decoder` rebuilds it entry by entry (each tagged entry with exactly
its keys, objects made with ``object.__new__`` and only allowed
attributes). Which classes and functions a file may name is not decided
here: :mod:`textfeat.io.persist`, which holds the allow-lists and imports
this module, hands both a :class:`Rules`. :func:`parse_json` bounds the
nesting and the number of values with a linear scan before parsing and
refuses duplicate keys and bare ``NaN``.
"""

from __future__ import annotations

import json
import keyword
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from textfeat.io._model_base import ARRAY_KINDS, Bad, ModelFileError, check_dtype

__all__ = ["MAX_DEPTH", "Decoder", "Encoder", "Rules", "check_key", "is_learned", "parse_json"]

#: Deepest nesting of lists and objects in ``model.json``.
MAX_DEPTH = 64
_CHUNK = 1024**2


@dataclass(frozen=True)
class Rules:
    """What the allow-lists decide, for :class:`Encoder` and :class:`Decoder`.

    Attributes
    ----------
    class_name, function_name : callable ``(obj, path) -> str``
        The public name under which a file holds the class of ``obj`` (or the
        function ``obj``); a ``ValueError`` naming ``path`` if it may not.
    saved_state : callable ``(obj) -> dict``
        The attributes of ``obj`` a file holds.
    resolve : callable ``(name, kind, where) -> object``
        The class (``kind="class"``) or function a file names, or
        :class:`ModelFileError`.
    declared_state : callable ``(cls) -> frozenset or None``
        The attribute names besides learned ones a file may set on ``cls``
        (None: any plain identifier).
    check_loaded : callable ``(obj, where) -> None``
        Re-validates a rebuilt object, or :class:`ModelFileError`.

    Examples
    --------
    >>> from textfeat.io import persist
    >>> persist.RULES.resolve("textfeat.entropy", "function", "f").__name__
    'entropy'
    """

    class_name: Callable[[Any, str], str]
    function_name: Callable[[Any, str], str]
    saved_state: Callable[[Any], dict[str, Any]]
    resolve: Callable[[Any, str, str], Any]
    declared_state: Callable[[type], frozenset[str] | None]
    check_loaded: Callable[[Any, str], None]


def check_key(cls: type, key: Any) -> str | None:
    """Why ``key`` may not be an attribute set from a file, or None.

    Examples
    --------
    >>> from textfeat import OneHotVectorizer
    >>> check_key(OneHotVectorizer, "vocabulary_") is None
    True
    >>> check_key(OneHotVectorizer, "fit")
    'would shadow OneHotVectorizer.fit'
    """
    if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key):
        return "is not a plain identifier"
    if key.startswith("__"):
        return "is a dunder or name-mangled name"
    if hasattr(cls, key):
        return f"would shadow {cls.__name__}.{key}"
    return None


def is_learned(key: str) -> bool:
    """scikit-learn's convention: learned state ends in ``_`` and is not private.

    Examples
    --------
    >>> is_learned("coef_"), is_learned("_rng_state"), is_learned("C")
    (True, False, False)
    """
    return key.endswith("_") and not key.startswith("_")


class Encoder:
    """Turn an object graph into JSON-able values plus named arrays."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, a: np.ndarray, path: str) -> dict[str, Any]:
        if a.dtype.hasobject:
            return {
                "__t": "objarray",
                "shape": list(a.shape),
                "items": self(a.ravel().tolist(), path),
            }
        try:
            check_dtype(a.dtype, ARRAY_KINDS)
        except Bad as exc:
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
            return {"__t": "function", "name": self.rules.function_name(obj, path)}
        name = self.rules.class_name(obj, path)
        if not hasattr(obj, "__dict__"):
            raise ValueError(f"{path}: cannot save {name!r}, which has no __dict__")
        state = self.rules.saved_state(obj)
        for key in state:
            why = check_key(type(obj), key)
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
    """``k`` if it is a plain hashable value (or a tuple of them), else Bad."""
    if isinstance(k, tuple):
        for part in k:
            _plain_key(part)
        return k
    if type(k) not in _PLAIN_KEY and not isinstance(k, np.generic):
        raise Bad(f"has a key of type {type(k).__name__}, not a plain value")
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


class Decoder:
    """Rebuild the object graph of ``model.json``, checking every entry.

    ``arrays`` are the file's arrays by key; :attr:`used` collects the keys
    the graph names, so the caller can refuse a file holding others.
    """

    def __init__(self, arrays: dict[str, np.ndarray], where: str, rules: Rules) -> None:
        self.rules = rules
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
        except Bad as exc:
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
            raise Bad("has 'items' that are not a list")
        return items

    def _pairs(self, obj: dict[str, Any]) -> list[tuple[Any, Any]]:
        out = []
        for pair in self._items(obj):
            if not isinstance(pair, list) or len(pair) != 2:
                raise Bad("has an item that is not a [key, value] pair")
            out.append((_plain_key(self(pair[0])), pair[1]))
        return out

    def _tagged(self, tag: str, obj: dict[str, Any]) -> Any:
        if tag == "ndarray":
            key = obj["key"]
            if not isinstance(key, str) or key not in self.arrays:
                raise Bad(f"names the array {key!r}, which the file does not hold")
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
                raise Bad(f"has the shape {shape!r} for {len(items)} items")
            out = np.empty(len(items), dtype=object)
            for i, v in enumerate(self(items)):
                out[i] = v
            return out.reshape(shape)
        if tag == "float":
            if obj["v"] not in ("nan", "inf", "-inf"):
                raise Bad(f"holds {obj['v']!r}, not 'nan', 'inf' or '-inf'")
            return float(obj["v"])
        if tag == "scalar":
            if not isinstance(obj["dtype"], str):
                raise Bad("has a dtype that is not a string")
            dt = check_dtype(obj["dtype"], ARRAY_KINDS)
            v = self(obj["v"])
            if type(v) not in (bool, int, float, str):
                raise Bad(f"holds a {type(v).__name__}, not a number or string")
            return dt.type(v)
        if tag in ("dtype", "dtypetype"):
            if not isinstance(obj["v"], str):
                raise Bad("is not a string")
            dt = check_dtype(obj["v"])
            return dt if tag == "dtype" else dt.type
        if tag == "slice":
            v = obj["v"]
            if not (
                isinstance(v, list)
                and len(v) == 3
                and all(p is None or type(p) is int for p in v)
            ):
                raise Bad(f"holds {v!r}, not [start, stop, step] of ints or null")
            return slice(*v)
        if tag == "counter":
            out: Counter[Any] = Counter()
            for k, v in self._pairs(obj):
                if type(v) is not int:
                    raise Bad(f"counts {k!r} {v!r} times, not an integer")
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
            return self.rules.resolve(obj["name"], "function", self.where)
        return self._object(obj)

    def _object(self, obj: dict[str, Any]) -> Any:
        cls = self.rules.resolve(obj["class"], "class", self.where)
        name = cls.__name__
        state = obj["state"]
        if not isinstance(state, dict) or "__t" in state:
            raise Bad(f"for {name} has a state that is not a plain object")
        declared = self.rules.declared_state(cls)
        for key in state:
            why = check_key(cls, key)
            if why is None and declared is not None:
                if key not in declared and not is_learned(key):
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
        self.rules.check_loaded(inst, self.where)
        return inst


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


def parse_json(data: bytes, member: str, where: str, max_entries: int) -> Any:
    """The JSON value of the member ``member``, within :data:`MAX_DEPTH` and ``max_entries``.

    Examples
    --------
    >>> parse_json(b'{"a": [1, 2]}', "model.json", "f", 10)
    {'a': [1, 2]}
    >>> parse_json(b'{"a": 1, "a": 2}', "model.json", "f", 10)
    Traceback (most recent call last):
    ...
    textfeat.persist.ModelFileError: f: model.json is not valid JSON (duplicate key 'a')
    """
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
