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
"""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path
from typing import Any

from sklearn.pipeline import Pipeline

__all__ = [
    "DEFAULT_CONFIG",
    "ConfigError",
    "build_pipeline",
    "known_steps",
    "load_config",
    "parse_config",
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


def known_steps() -> dict[str, str]:
    """Short class names a config may use, with their full names.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> steps = known_steps()
    >>> steps["OneHotVectorizer"], steps["LogisticRegression"]
    ('textfeat.OneHotVectorizer', 'sklearn.linear_model.LogisticRegression')
    """
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
        For invalid TOML, no steps, or a step without a known ``class``.

    Examples
    --------
    >>> parse_config('[[step]]\\nclass = "OneHotVectorizer"\\nmin_count = 2\\n')
    [{'class': 'OneHotVectorizer', 'min_count': 2}]
    >>> parse_config('[[step]]\\nclass = "Pickle"\\n')
    Traceback (most recent call last):
    ...
    textfeat.config.ConfigError: <config>, step 1: unknown class 'Pickle'; use one of ...
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML ({exc})") from exc
    steps = data.get("step")
    if not isinstance(steps, list) or not steps:
        raise ConfigError(
            f"{where}: no steps; write one [[step]] table per step, each with a "
            'class = "..." key'
        )
    known = known_steps()
    for i, step in enumerate(steps, start=1):
        cls = step.get("class")
        if cls not in known:
            raise ConfigError(
                f"{where}, step {i}: unknown class {cls!r}; use one of "
                f"{', '.join(sorted(known))}"
            )
    return steps


def build_pipeline(steps: list[dict[str, Any]], *, where: str = "<config>") -> Pipeline:
    """Make an (unfitted) scikit-learn Pipeline from parsed step tables.

    Parameters
    ----------
    steps : list of dict
        As returned by :func:`parse_config`.
    where : str, default="<config>"
        Name used in error messages.

    Returns
    -------
    sklearn.pipeline.Pipeline

    Raises
    ------
    ConfigError
        For a parameter the class does not take. Values are checked when the
        pipeline is fitted, with the parameter's name.

    Examples
    --------
    >>> pipe = build_pipeline(parse_config(DEFAULT_CONFIG))
    >>> [name for name, _ in pipe.steps]
    ['spacytokenizer', 'wordsignatures', 'onehotvectorizer', 'softmaxclassifier']
    """
    known = known_steps()
    built: list[tuple[str, Any]] = []
    seen: set[str] = set()
    for i, table in enumerate(steps, start=1):
        params = dict(table)
        short = params.pop("class")
        name = str(params.pop("name", short.lower()))
        if name in seen:
            raise ConfigError(f"{where}, step {i}: step name {name!r} is used twice")
        seen.add(name)
        module, _, attr = known[short].rpartition(".")
        cls = getattr(importlib.import_module(module), attr)
        valid = set(cls().get_params(deep=False))
        unknown = sorted(set(params) - valid)
        if unknown:
            raise ConfigError(
                f"{where}, step {i} ({short}): unknown parameter {unknown[0]!r}; "
                f"{short} takes {', '.join(sorted(valid))}"
            )
        built.append((name, cls(**params)))
    return Pipeline(built)


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
        return build_pipeline(parse_config(DEFAULT_CONFIG), where="<default config>")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such config file")
    where = str(path)
    return build_pipeline(
        parse_config(path.read_text("utf-8"), where=where), where=where
    )
