"""Save and load fitted pipelines without executing code from the file.

A model file is a zip archive holding ``model.json`` (the classes, their
parameters and learned state as JSON) and one ``.npy`` member per array. On
load:

* only classes and functions on an allow-list are rebuilt: textfeat's own
  estimators and a fixed set of scikit-learn ones (:data:`TRUSTED`); the
  object is made with ``cls.__new__`` and its attributes are set, so no
  ``__init__``, ``__setstate__`` or ``__reduce__`` code named by the file runs;
* arrays are read with ``numpy.load(allow_pickle=False)``, so object arrays
  (which would need pickle) are refused;
* every member's SHA-256 is checked against the header, so a changed or
  truncated file is refused with :class:`ModelFileError`.

There is no plain pickle anywhere on the load path. The checksums catch
corruption and careless edits; they are not a signature (whoever can write
the file can rewrite the checksums), which is why the allow-list, not the
checksum, is what keeps a hostile file from running code.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import math
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TRUSTED", "ModelFileError", "dumps", "load", "loads", "save"]

FORMAT = "textfeat-model"
FORMAT_VERSION = 1
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

#: Classes and functions outside textfeat that a model file may name.
TRUSTED: frozenset[str] = frozenset(
    {
        "sklearn.pipeline.Pipeline",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.linear_model._stochastic_gradient.SGDClassifier",
        "sklearn.linear_model._ridge.RidgeClassifier",
        "sklearn.svm._classes.LinearSVC",
        "sklearn.naive_bayes.MultinomialNB",
        "sklearn.naive_bayes.ComplementNB",
        "sklearn.naive_bayes.BernoulliNB",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_selection._univariate_selection.SelectKBest",
        "sklearn.feature_selection._univariate_selection.SelectPercentile",
        "sklearn.feature_selection._univariate_selection.chi2",
        "sklearn.feature_selection._univariate_selection.f_classif",
        "sklearn.feature_selection._mutual_info.mutual_info_classif",
        "sklearn.preprocessing._data.MaxAbsScaler",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._data.Normalizer",
        "sklearn.preprocessing._label.LabelEncoder",
        "sklearn.decomposition._truncated_svd.TruncatedSVD",
    }
)


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


def _qualname(obj: Any) -> str:
    # Modules and other objects without these names never match a class name.
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}"


def _trusted(name: str) -> bool:
    return name in TRUSTED or (
        name.startswith("textfeat.") and not name.split(".")[-1].startswith("_")
    )


def _resolve(name: str, where: str) -> Any:
    if not _trusted(name):
        raise ModelFileError(
            f"{where}: refuses to load {name!r}, which is not on the allow-list "
            "(textfeat classes and textfeat.persist.TRUSTED); the file is foreign "
            "or was tampered with"
        )
    module, _, attr = name.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ModelFileError(
            f"{where}: {name!r} does not exist in this installation; the file "
            "was saved by another version (see its 'versions' header)"
        ) from exc
    if _qualname(obj) != name:
        raise ModelFileError(f"{where}: {name!r} resolves to another object")
    return obj


class _Encoder:
    """Turn an object graph into JSON-able values plus named arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, a: np.ndarray, path: str) -> dict[str, Any]:
        if a.dtype.hasobject:
            items = a.tolist()
            return {
                "__t": "objarray",
                "shape": list(a.shape),
                "items": self(items, path),
            }
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
            name = _qualname(obj)
            if not _trusted(name) or "<" in name:
                raise ValueError(
                    f"{path}: cannot save the function {name!r}: only functions "
                    "of textfeat or on textfeat.persist.TRUSTED can be saved safely"
                )
            return {"__t": "function", "name": name}
        name = _qualname(type(obj))
        if not _trusted(name):
            raise ValueError(
                f"{path}: cannot save a {name!r}: it is not a textfeat class nor on "
                "textfeat.persist.TRUSTED, so it could not be loaded safely"
            )
        if not hasattr(obj, "__dict__"):
            raise ValueError(f"{path}: cannot save {name!r}, which has no __dict__")
        state = dict(vars(obj))
        return {
            "__t": "object",
            "class": name,
            "state": {k: self(v, f"{path}.{k}") for k, v in sorted(state.items())},
        }


class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray], where: str) -> None:
        self.arrays = arrays
        self.where = where

    def __call__(self, obj: Any) -> Any:
        if isinstance(obj, list):
            return [self(v) for v in obj]
        if not isinstance(obj, dict):
            return obj
        tag = obj.get("__t")
        if tag is None:
            return {k: self(v) for k, v in obj.items()}
        try:
            return self._tagged(tag, obj)
        except (KeyError, TypeError) as exc:
            raise ModelFileError(
                f"{self.where}: malformed {tag!r} entry ({exc}); the file is damaged"
            ) from exc

    def _tagged(self, tag: str, obj: dict[str, Any]) -> Any:
        if tag == "ndarray":
            return self.arrays[obj["key"]]
        if tag == "objarray":
            out = np.empty(len(obj["items"]), dtype=object)
            out[:] = self(obj["items"])
            return out.reshape(obj["shape"])
        if tag == "float":
            return float(obj["v"])
        if tag == "scalar":
            return np.dtype(obj["dtype"]).type(self(obj["v"]))
        if tag == "dtype":
            return np.dtype(obj["v"])
        if tag == "dtypetype":
            return np.dtype(obj["v"]).type
        if tag == "counter":
            return Counter({self(k): v for k, v in obj["items"]})
        if tag in ("set", "frozenset"):
            return (set if tag == "set" else frozenset)(self(v) for v in obj["items"])
        if tag == "tuple":
            return tuple(self(v) for v in obj["items"])
        if tag == "dict":
            return {self(k): self(v) for k, v in obj["items"]}
        if tag == "function":
            return _resolve(obj["name"], self.where)
        if tag == "object":
            cls = _resolve(obj["class"], self.where)
            if not isinstance(cls, type):
                raise ModelFileError(f"{self.where}: {obj['class']!r} is not a class")
            inst = cls.__new__(cls)
            inst.__dict__.update({k: self(v) for k, v in obj["state"].items()})
            return inst
        raise ModelFileError(f"{self.where}: unknown entry type {tag!r}")


def _versions() -> dict[str, str]:
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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dumps(model: Any) -> bytes:
    """Serialise a fitted estimator or pipeline to the bytes of a model file.

    Parameters
    ----------
    model : estimator
        Built from textfeat classes and those on :data:`TRUSTED`.

    Returns
    -------
    bytes
        The same bytes for the same model (no time stamps), so the SHA-256
        of the result fingerprints a fitted pipeline.

    Raises
    ------
    ValueError
        If the model holds an object that could not be loaded safely (an
        untrusted class, a lambda, a RandomState).

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
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": _versions(),
        "sha256": {
            "model.json": _sha256(payload),
            **{k: _sha256(v) for k, v in members.items()},
        },
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in [
            ("header.json", json.dumps(header, sort_keys=True, indent=1).encode()),
            ("model.json", payload),
            *sorted(members.items()),
        ]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def loads(data: bytes, *, where: str = "<bytes>") -> Any:
    """Rebuild a model from the bytes written by :func:`dumps`.

    Parameters
    ----------
    data : bytes
        A model file's content.
    where : str, default="<bytes>"
        Name used in error messages (the file path).

    Returns
    -------
    estimator

    Raises
    ------
    ModelFileError
        For a foreign or damaged file, a checksum mismatch, or a class or
        function that is not on the allow-list.

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
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ModelFileError(
            f"{where}: not a textfeat model file (not a zip archive); save models "
            "with textfeat.persist.save"
        ) from exc
    with zf:
        names = set(zf.namelist())
        if "header.json" not in names or "model.json" not in names:
            raise ModelFileError(
                f"{where}: not a textfeat model file (no header.json/model.json); "
                "save models with textfeat.persist.save"
            )
        try:
            header = json.loads(zf.read("header.json"))
        except (ValueError, zipfile.BadZipFile) as exc:
            raise ModelFileError(f"{where}: unreadable header ({exc})") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ModelFileError(f"{where}: not a textfeat model file (format tag)")
        if header.get("format_version") != FORMAT_VERSION:
            raise ModelFileError(
                f"{where}: model format version {header.get('format_version')!r}; "
                f"this textfeat reads version {FORMAT_VERSION}"
            )
        sums = header.get("sha256", {})
        expected = {"model.json", *(n for n in names if n.startswith("arrays/"))}
        if set(sums) != expected or names - expected - {"header.json"}:
            raise ModelFileError(
                f"{where}: the members of the file do not match its header; the "
                "file was tampered with or damaged"
            )
        blobs: dict[str, bytes] = {}
        for name in sorted(expected):
            try:
                blob = zf.read(name)
            except (zipfile.BadZipFile, OSError) as exc:
                raise ModelFileError(f"{where}: {name} is damaged ({exc})") from exc
            if _sha256(blob) != sums[name]:
                raise ModelFileError(
                    f"{where}: checksum mismatch in {name}; the file was tampered "
                    "with or damaged, save the model again"
                )
            blobs[name] = blob
    arrays: dict[str, np.ndarray] = {}
    for name, blob in blobs.items():
        if name == "model.json":
            continue
        try:
            arrays[name[len("arrays/") : -len(".npy")]] = np.load(
                io.BytesIO(blob), allow_pickle=False
            )
        except ValueError as exc:
            raise ModelFileError(f"{where}: {name} refused ({exc})") from exc
    try:
        body = json.loads(blobs["model.json"])
    except ValueError as exc:
        raise ModelFileError(f"{where}: model.json is not JSON ({exc})") from exc
    return _Decoder(arrays, where)(body)


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
    data = dumps(model)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def load(path: str | Path) -> Any:
    """Load a model written by :func:`save`, running no code from the file.

    Parameters
    ----------
    path : str or Path

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
    return loads(path.read_bytes(), where=str(path))
