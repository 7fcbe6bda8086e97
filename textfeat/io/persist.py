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

The work is split by job: this module holds the allow-lists, what a file
holds of an object, the header and the public functions;
:mod:`textfeat.io._model_zip` reads the archive and its ``.npy`` members,
:mod:`textfeat.io._model_json` encodes, decodes and parses the JSON (told
what the allow-lists decide through :data:`RULES`, so it imports nothing
from here), :mod:`textfeat.io._model_checks` re-validates rebuilt objects,
and :mod:`textfeat.io._model_base` holds :class:`ModelFileError` and the
dtype rule they share. This module is a little over 600 lines because about
200 of them are this description and the numpydoc of the public functions.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import types
from pathlib import Path
from typing import Any

import numpy as np

from textfeat._files import sha256, write_atomic, zip_bytes
from textfeat.io import _model_checks
from textfeat.io._model_base import Bad, ModelFileError
from textfeat.io._model_json import (
    MAX_DEPTH,
    Decoder,
    Encoder,
    Rules,
    is_learned,
    parse_json,
)
from textfeat.io._model_zip import MAX_MEMBERS, npy_bytes, read_members, read_npy
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
        "textfeat.joint_entropy",
        "textfeat.kl_score",
        "textfeat.js_score",
        "textfeat.goldberg_signature",
        "textfeat.berkeley_signature",
        "textfeat.word_shape",
        *_SKLEARN_FUNCTIONS,
    }
)

_CLASSES: frozenset[str] = ESTIMATORS | VALUE_CLASSES | (TRUSTED - _SKLEARN_FUNCTIONS)
_HEADER_KEYS = {"format", "format_version", "versions", "sha256"}
_SHA = re.compile(r"[0-9a-f]{64}")


def _qualname(obj: Any) -> str:
    # Modules and other objects without these names never match a class name.
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}"


def _lookup(name: str) -> Any:
    """The object a public name stands for (ImportError or AttributeError)."""
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


@functools.lru_cache(maxsize=16)
def _allowed(names: frozenset[str]) -> dict[str, Any]:
    """The objects of the allow-list ``names``, by name (those that exist here).

    Computed once per allow-list (saving or loading asks for every object);
    callers only read the mapping.
    """
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
    >>> state = saved_state(vec)
    >>> "_scratch" in state, "vocabulary_" in state, "binary" in state
    (False, True, True)
    """
    declared = declared_state(type(obj))
    if declared is not None and hasattr(obj, "__sklearn_is_fitted__"):
        # state built at first use (a merged OneHotVectorizer) is built now
        obj.__sklearn_is_fitted__()
    state = vars(obj)
    if declared is None:
        return dict(state)
    return {k: v for k, v in state.items() if k in declared or is_learned(k)}


def _function_name(obj: Any, path: str) -> str:
    """The name on :data:`FUNCTIONS` of the function ``obj``, else ValueError."""
    name = _public_name(obj, FUNCTIONS) or _qualname(obj)
    if name not in FUNCTIONS:
        raise ValueError(
            f"{path}: cannot save the function {name!r}: a model file may "
            "only hold the functions on textfeat.persist.FUNCTIONS "
            f"({', '.join(sorted(n.rsplit('.', 1)[1] for n in FUNCTIONS))})"
        )
    return name


def _class_name(obj: Any, path: str) -> str:
    """The name on the allow-lists of the class of ``obj``, else ValueError."""
    name = _public_name(type(obj), _CLASSES) or _qualname(type(obj))
    if name not in _CLASSES:
        raise ValueError(
            f"{path}: cannot save a {name!r}: it is not on the allow-list "
            "(textfeat.persist.ESTIMATORS, VALUE_CLASSES and TRUSTED), so it "
            "could not be loaded safely"
        )
    return name


def _check_loaded(inst: Any, where: str) -> None:
    """Re-validate a rebuilt object by its public name; ModelFileError."""
    _model_checks.check_loaded(inst, _public_name(type(inst), _CLASSES), where)


#: What the allow-lists decide, handed to the encoder and decoder of
#: :mod:`textfeat.io._model_json` (which cannot import this module).
RULES = Rules(
    class_name=_class_name,
    function_name=_function_name,
    saved_state=saved_state,
    resolve=lambda name, kind, where: _resolve(name, kind, where),
    declared_state=declared_state,
    check_loaded=_check_loaded,
)


def versions() -> dict[str, str]:
    """The versions of textfeat and its dependencies, as a model file records them."""
    import scipy
    import sklearn

    from textfeat._version import __version__

    out = {
        "textfeat": __version__,
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
    enc = Encoder(RULES)
    body = enc(model)
    members = {f"arrays/{k}.npy": npy_bytes(a) for k, a in enc.arrays.items()}
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
    blobs = read_members(bytes(data), where, max_bytes, max_ratio)
    header = parse_json(blobs.pop("header.json"), "header.json", where, max_entries)
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
            arrays[name[len("arrays/") : -len(".npy")]] = read_npy(blobs.pop(name))
        except Bad as exc:
            raise ModelFileError(f"{where}: {name} refused: it {exc}") from None
    body = parse_json(blobs.pop("model.json"), "model.json", where, max_entries)
    if not (isinstance(body, dict) and body.get("__t") == "object"):
        raise ModelFileError(f"{where}: model.json does not hold an estimator")
    decode = Decoder(arrays, where, RULES)
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
    _warm_up(model)
    return model


def _warm_up(model: Any) -> None:
    """Let each step prepare what its first call would (spaCy's pipeline).

    So the first ``transform``/``predict`` after loading costs what a later
    one does. Only textfeat's own ``_warm_up`` methods run, on classes the
    allow-list admitted, with parameters already validated.
    """
    params = model.get_params(deep=True) if hasattr(model, "get_params") else {}
    for obj in [model, *params.values()]:
        warm = getattr(type(obj), "_warm_up", None)
        if warm is not None and _public_name(type(obj), ESTIMATORS) is not None:
            warm(obj)
    _warm_up_input_checks()


def _warm_up_input_checks() -> None:
    """Run now what scikit-learn's first input check in a process pays.

    A fitted estimator's first ``predict`` asks narwhals whether its input
    is a data frame, and narwhals' first answer reads the metadata of every
    installed package to find its plugins (10 to 50 ms, then cached).
    """
    try:
        from narwhals.dependencies import is_into_dataframe
    except ImportError:  # pragma: no cover - an older scikit-learn
        return
    is_into_dataframe(np.empty((0, 0)))


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

    Each :class:`~textfeat.SpacyTokenizer` in the model builds its spaCy
    pipeline while loading, so the first ``transform``/``predict`` costs what
    a later one does.

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
