"""Pipelines described in TOML: a list of steps, each a class and its parameters.

A config file lists the steps in order; ``class`` names a textfeat class or a
scikit-learn class on :data:`textfeat.io.persist.TRUSTED` (by its short name),
``name`` optionally names the step, and every other key is a parameter::

    [[step]]
    class = "SpacyTokenizer"
    attr = "lower"

    [[step]]
    class = "OneHotVectorizer"
    min_count = 2

    [[step]]
    class = "LogisticRegression"
    max_iter = 1000

``textfeat steps`` (:mod:`textfeat._cli_steps`) lists the classes of
:func:`known_steps` with every parameter, its default and the values it
accepts, read from the estimators themselves (:func:`step_parameters`).
Values are checked when a config is loaded, against the estimator's own
``_parameter_constraints``, and every error (:class:`ConfigError`) names the
file, the line when it can be found, the step and the parameter.
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

__all__ = [
    "DEFAULT_CONFIG",
    "ConfigError",
    "StepParameter",
    "build_pipeline",
    "known_steps",
    "load_config",
    "parse_config",
    "step_parameters",
]

#: The pipeline of ``textfeat demo`` and of ``textfeat fit`` without a config.
DEFAULT_CONFIG = """\
[[step]]
class = "SpacyTokenizer"
attr = "lower"

[[step]]
class = "WordSignatures"
min_count = 2

[[step]]
class = "OneHotVectorizer"

[[step]]
class = "SoftmaxClassifier"
C = 10.0
max_iter = 300
"""


class ConfigError(ValueError):
    """A pipeline config is unreadable or names an unknown step or parameter.

    Examples
    --------
    >>> try:
    ...     parse_config('[[step]]\\nclass = "NoSuchStep"\\n')
    ... except ConfigError as err:
    ...     print(type(err).__name__)
    ConfigError
    """


# Its public home, in messages (textfeat.config re-exports this module).
ConfigError.__module__ = "textfeat.config"


def _class_of(full: str) -> type:
    module, _, attr = full.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def _not_a_step(cls: type) -> str | None:
    """Why ``cls`` cannot be a step of a config (None when it can)."""
    try:
        init = inspect.signature(cls.__init__)
        fit = inspect.signature(cls.fit)  # type: ignore[attr-defined]
    except (TypeError, ValueError, AttributeError):
        return "it has no fit method with a readable signature"
    params = [p for p in list(init.parameters.values())[1:] if p.kind in _KEYWORDS]
    required = [p.name for p in params if p.default is p.empty]
    if required:
        return (
            f"it needs {', '.join(map(repr, required))}, other estimators that a "
            "config cannot describe; list the steps themselves as [[step]] tables"
        )
    if list(fit.parameters)[1:2] != ["X"]:
        return "its fit takes labels, not documents or features"
    if hasattr(cls, "_parameter_constraints"):
        from textfeat._compat import InvalidParameterError, validate_parameters

        try:
            validate_parameters(cls())
        except InvalidParameterError as exc:
            return (
                f"it needs a value a config cannot write ({exc}); build it in "
                "Python"
            )
    return None


_KEYWORDS = (
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    inspect.Parameter.KEYWORD_ONLY,
)


def _candidates() -> dict[str, str]:
    """textfeat's estimators and the scikit-learn classes of the allow-list."""
    import textfeat
    from textfeat.io.persist import TRUSTED

    out = {}
    for name in textfeat.__all__:
        obj = getattr(textfeat, name, None)
        if isinstance(obj, type) and hasattr(obj, "get_params"):
            out[name] = f"textfeat.{name}"
    for full in sorted(TRUSTED):
        short = full.rsplit(".", 1)[1]
        if short[:1].isupper():
            out.setdefault(short, full)
    return out


def known_steps() -> dict[str, str]:
    """Short class names a config may use, with their full names.

    The allow-list: textfeat's estimators and the scikit-learn classes of
    :data:`textfeat.io.persist.TRUSTED`, less those a config cannot build
    (``Pipeline``, ``FeatureUnion`` and ``ColumnTransformer`` need other
    estimators; ``LabelEncoder`` transforms labels; ``CBOWVectorizer`` needs
    word vectors, which TOML cannot hold). Nothing else is ever
    imported: a ``class`` is looked up here by its short name, so a dotted
    path to other code is refused.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> steps = known_steps()
    >>> steps["OneHotVectorizer"], steps["LogisticRegression"]
    ('textfeat.OneHotVectorizer', 'sklearn.linear_model.LogisticRegression')
    >>> "Pipeline" in steps
    False
    """
    return {
        short: full
        for short, full in _candidates().items()
        if _not_a_step(_class_of(full)) is None
    }


@dataclass(frozen=True)
class StepParameter:
    """One parameter of a config step, read from the estimator itself.

    Attributes
    ----------
    name : str
        The keyword of the estimator's ``__init__``.
    default : object
        Its default, as in the signature.
    accepts : str
        The values it accepts, from the estimator's ``_parameter_constraints``
        (the wording of scikit-learn's errors); ``""`` when undeclared.
    """

    name: str
    default: Any
    accepts: str

    @property
    def toml(self) -> str | None:
        """The default written in TOML, or None if TOML cannot write it."""
        return _toml_value(self.default)


def _toml_value(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("-inf" if value < 0 else "inf") if math.isinf(value) else repr(value)
    if isinstance(value, np.dtype) or (
        isinstance(value, type) and issubclass(value, np.generic)
    ):
        return json.dumps(np.dtype(value).name)  # a dtype is written by its name
    if isinstance(value, list | tuple):
        parts = [_toml_value(v) for v in value]
        if all(p is not None for p in parts):
            return "[" + ", ".join(parts) + "]"  # type: ignore[arg-type]
    return None


class _Probe:
    """A value no constraint accepts: its error tells what is accepted."""

    def __repr__(self) -> str:
        return "<probe>"


def _accepts(cls: type, name: str) -> str:
    from textfeat._compat import InvalidParameterError, validate_parameters

    if name not in getattr(cls, "_parameter_constraints", {}):
        return ""
    try:
        validate_parameters(cls(**{name: _Probe()}))
    except InvalidParameterError as exc:
        found = re.search(r" must be (.*)\. Got <probe> instead", str(exc), re.S)
        if found is None:
            return ""
        # sorted options, so the text does not change with set order
        return re.sub(
            r"\{([^{}]*)\}",
            lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}",
            found.group(1),
        )
    return "any value"


def step_parameters(step: str) -> list[StepParameter]:
    """The parameters of a config step, with defaults, from its own signature.

    Parameters
    ----------
    step : str
        A short class name of :func:`known_steps`.

    Returns
    -------
    list of StepParameter
        In the order of the estimator's ``__init__``.

    Raises
    ------
    ConfigError
        For a name that is not a config step.

    Examples
    --------
    >>> p = {p.name: p for p in step_parameters("OneHotVectorizer")}
    >>> p["min_count"].default, p["min_count"].accepts
    (1, 'an int in the range [1, inf)')
    >>> p["ngram_range"].toml
    '[1, 1]'
    """
    known = known_steps()
    if step not in known:
        raise ConfigError(_unknown_class(step, known))
    cls = _class_of(known[step])
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return [
        StepParameter(p.name, p.default, _accepts(cls, p.name))
        for p in params
        if p.kind in _KEYWORDS
    ]


def _unknown_class(cls: Any, known: dict[str, str]) -> str:
    hint = f"use one of {', '.join(sorted(known))}"
    if isinstance(cls, str):
        short = cls.rsplit(".", 1)[-1]
        if short in known and known[short] == cls:
            hint = f"write its short name, class = {json.dumps(short)}"
        elif cls in _candidates():
            reason = _not_a_step(_class_of(_candidates()[cls]))
            return f"class {cls!r} cannot be a config step: {reason}"
        elif "." in cls:
            hint = (
                "a class is named from the allow-list (see 'textfeat steps'), never by a module path; "
                + hint
            )
    return f"unknown class {cls!r:.80}; {hint}"


def _step_lines(text: str) -> list[tuple[int, list[str]]]:
    """Line number and lines of each ``[[step]]`` table (best effort, for errors)."""
    out: list[tuple[int, list[str]]] = []
    for no, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if re.fullmatch(r"\[\[\s*step\s*\]\]\s*(#.*)?", stripped):
            out.append((no, []))
        elif stripped.startswith("["):
            out.append((0, []))  # another table: not a step's lines
        elif out:
            out[-1][1].append(line)
    return [(no, lines) for no, lines in out if no]


class _Where:
    """Where a step or one of its keys is, for error messages."""

    def __init__(self, where: str, text: str | None, n_steps: int) -> None:
        self.where = where
        lines = _step_lines(text) if text is not None else []
        self.lines = lines if len(lines) == n_steps else []

    def __call__(self, i: int, short: Any = None, key: str | None = None) -> str:
        out = f"{self.where}, "
        if self.lines:
            no, body = self.lines[i - 1]
            if key is not None:
                pattern = rf"\s*(['\"]?){re.escape(key)}\1\s*="
                found = [k for k, ln in enumerate(body, 1) if re.match(pattern, ln)]
                no += found[0] if found else 0
            out += f"line {no}, "
        out += f"step {i}"
        return out + (f" ({short:.80})" if isinstance(short, str) else "")


def parse_config(text: str, *, where: str = "<config>") -> list[dict[str, Any]]:
    """Parse the TOML text of a pipeline config into a list of step tables.

    Parameters
    ----------
    text : str
        TOML with an array of ``[[step]]`` tables.
    where : str, default="<config>"
        Name used in error messages (the file path).

    Returns
    -------
    list of dict
        One dict per step with ``class``, optionally ``name``, and parameters.

    Raises
    ------
    ConfigError
        For invalid TOML (with its line), another top-level key than
        ``step``, no steps, a step that is not a table, or a ``class`` that
        is not a step of :func:`known_steps` (a dotted path included).

    Examples
    --------
    >>> parse_config('[[step]]\\nclass = "OneHotVectorizer"\\nmin_count = 2\\n')
    [{'class': 'OneHotVectorizer', 'min_count': 2}]
    >>> parse_config('[[step]]\\nclass = "Pickle"\\n')
    Traceback (most recent call last):
    ...
    textfeat.config.ConfigError: <config>, line 2, step 1 (Pickle): unknown class 'Pickle'; use one of ...
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML ({exc})") from exc
    except RecursionError:
        raise ConfigError(f"{where}: invalid TOML (nested too deeply)") from None
    other = sorted(set(data) - {"step"})
    if other:
        raise ConfigError(
            f"{where}: unknown top-level key {other[0]!r}; a config holds only "
            "[[step]] tables"
        )
    steps = data.get("step")
    if not isinstance(steps, list) or not steps:
        raise ConfigError(
            f"{where}: no steps; write one [[step]] table per step, each with a "
            'class = "..." key'
        )
    at = _Where(where, text, len(steps))
    known = known_steps()
    for i, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            raise ConfigError(
                f"{at(i)}: a step must be a table with a class key, got "
                f"{step!r:.60}; write [[step]] tables"
            )
        if "class" not in step:
            raise ConfigError(f'{at(i)}: no class key; add class = "..."')
        cls = step["class"]
        if not isinstance(cls, str) or cls not in known:
            raise ConfigError(f"{at(i, cls, 'class')}: {_unknown_class(cls, known)}")
    return steps


#: Names a step may not take (they are the Pipeline's own parameters).
_PIPELINE_PARAMS = frozenset(Pipeline([]).get_params(deep=False))


def build_pipeline(
    steps: list[dict[str, Any]], *, where: str = "<config>", text: str | None = None
) -> Pipeline:
    """Make an (unfitted) scikit-learn Pipeline from parsed step tables.

    Every value is checked here against the estimator's own
    ``_parameter_constraints``, so a config with a bad value fails when it is
    loaded, not later in ``fit``. A TOML array given for a parameter whose
    default is a tuple becomes a tuple (``ngram_range = [1, 2]``).

    Parameters
    ----------
    steps : list of dict
        As returned by :func:`parse_config`.
    where : str, default="<config>"
        Name used in error messages.
    text : str or None, default=None
        The TOML text, to give line numbers in error messages.

    Returns
    -------
    sklearn.pipeline.Pipeline

    Raises
    ------
    ConfigError
        Naming the file, the step and the parameter: for a parameter the
        class does not take, a value of the wrong type or out of range (a
        boolean where a number is expected included), a step name that is
        not a string, has ``__``, is used twice or is one of the Pipeline's
        own parameters, and a step without ``transform`` before the last.

    Examples
    --------
    >>> pipe = build_pipeline(parse_config(DEFAULT_CONFIG))
    >>> [name for name, _ in pipe.steps]
    ['spacytokenizer', 'wordsignatures', 'onehotvectorizer', 'softmaxclassifier']
    >>> build_pipeline([{"class": "OneHotVectorizer", "min_count": 0}], where="p.toml")
    Traceback (most recent call last):
    ...
    textfeat.config.ConfigError: p.toml, step 1 (OneHotVectorizer): The 'min_count' parameter of OneHotVectorizer must be an int in the range [1, inf). Got 0 instead.
    """
    known = known_steps()
    at = _Where(where, text, len(steps))
    built: list[tuple[str, Any]] = []
    seen: set[str] = set()
    for i, table in enumerate(steps, start=1):
        params = dict(table)
        short = params.pop("class")
        if short not in known:
            raise ConfigError(f"{at(i)}: {_unknown_class(short, known)}")
        name = params.pop("name", short.lower())
        _check_name(name, seen, at(i, short, "name"))
        seen.add(name)
        cls = _class_of(known[short])
        defaults = cls().get_params(deep=False)
        unknown = sorted(set(params) - set(defaults))
        if unknown:
            raise ConfigError(
                f"{at(i, short, unknown[0])}: unknown parameter {unknown[0]!r:.80}; "
                f"{short} takes {', '.join(sorted(defaults))}"
            )
        for key, value in params.items():
            params[key] = _check_value(
                cls, short, key, value, defaults[key], at(i, short, key)
            )
        step = cls(**params)
        if i < len(steps) and not hasattr(step, "transform"):
            raise ConfigError(
                f"{at(i, short)}: {short} has no transform, so it can only be the "
                "last step; move it to the end or remove the steps after it"
            )
        built.append((name, step))
    return Pipeline(built)


def _check_name(name: Any, seen: set[str], at: str) -> None:
    if not isinstance(name, str) or not name or "__" in name:
        raise ConfigError(
            f"{at}: the step name must be a non-empty string without '__'. Got "
            f"{name!r:.60} instead"
        )
    if name in seen:
        raise ConfigError(f"{at}: step name {name!r} is used twice")
    if name in _PIPELINE_PARAMS:
        raise ConfigError(
            f"{at}: step name {name!r} is a parameter of the Pipeline itself; "
            "choose another"
        )


def _check_value(
    cls: type, short: str, key: str, value: Any, default: Any, at: str
) -> Any:
    """The value of parameter ``key``, checked by the estimator's constraints."""
    from textfeat._compat import InvalidParameterError, validate_parameters

    if isinstance(value, list) and isinstance(default, tuple):
        value = tuple(value)
    if isinstance(default, np.dtype) or (
        isinstance(default, type) and issubclass(default, np.generic)
    ):  # a dtype: written by its name, and it must be a numeric one
        try:
            ok = isinstance(value, str) and np.dtype(value).kind in "biuf"
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ConfigError(
                f"{at}: The {key!r} parameter of {short} must be the name of a "
                f"numeric dtype such as \"float32\". Got {value!r:.80} instead."
            )
    constraints = getattr(cls, "_parameter_constraints", {}).get(key, [])
    takes_bool = isinstance(default, bool) or any(
        c in ("boolean", "verbose", "no_validation") or c is bool for c in constraints
    )
    if isinstance(value, bool) and not takes_bool:
        raise ConfigError(
            f"{at}: The {key!r} parameter of {short} does not take a boolean "
            f"(its default is {default!r}). Got {_toml_value(value)} instead."
        )
    try:
        validate_parameters(cls(**{key: value}))
    except InvalidParameterError as exc:
        text = re.sub(  # a long value is not repeated whole
            r"Got (.{80}).+ instead\.$", r"Got \1... instead.", str(exc), flags=re.S
        )
        raise ConfigError(f"{at}: {text}") from None
    except AttributeError:
        pass  # no declared constraints: the estimator checks the value in fit
    return value


def load_config(path: str | Path | None = None) -> Pipeline:
    """Read a TOML config file and build its pipeline (default: the demo's).

    Parameters
    ----------
    path : str, Path or None, default=None
        The file; None uses :data:`DEFAULT_CONFIG`.

    Returns
    -------
    sklearn.pipeline.Pipeline

    Examples
    --------
    >>> load_config().steps[-1][0]
    'softmaxclassifier'
    """
    if path is None:
        text, where = DEFAULT_CONFIG, "<default config>"
    else:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such config file")
        where = str(path)
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            raise ConfigError(
                f"{where}, line {line}: not UTF-8 text ({exc.reason} at byte "
                f"{exc.start}); a config is a UTF-8 TOML file"
            ) from None
    return build_pipeline(parse_config(text, where=where), where=where, text=text)
