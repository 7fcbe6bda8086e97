"""``textfeat steps``: the steps a pipeline config may use, with their parameters.

Everything shown is read from the estimators themselves (their ``__init__``
signature for the parameters and defaults, their ``_parameter_constraints``
for the accepted values) and from the config's allow-list
(:func:`textfeat.io.config.known_steps`), so it cannot drift from the code.
The command is a thin wrapper over :func:`describe_steps` and
:func:`describe_step`; :mod:`textfeat.cli` registers it.
"""

from __future__ import annotations

import json
import textwrap
from typing import Annotated, Any

import typer

__all__ = ["describe_step", "describe_steps", "steps", "steps_as_dict"]


def _class(name: str) -> type:
    import importlib

    from textfeat.io.config import known_steps

    module, _, attr = known_steps()[name].rpartition(".")
    return getattr(importlib.import_module(module), attr)


def _kind(cls: type) -> str:
    if hasattr(cls, "predict"):
        return "classifier, last step"
    if hasattr(cls, "transform"):
        return "transformer"
    return "fitted only, last step"


def _summary(cls: type) -> str:
    doc = (cls.__doc__ or "").strip().splitlines()
    return doc[0].strip() if doc else ""


def _shown(value: Any, toml: str | None) -> str:
    if toml is not None:
        return toml
    if value is None:
        return "none"
    return getattr(value, "__name__", None) or repr(value)


def describe_steps() -> str:
    """Every step a config may use: class, kind, summary, parameters=defaults.

    Defaults are written as in TOML (``"lower"``, ``true``, ``[1, 1]``);
    ``none`` is a default of None, which a config cannot write (leave the
    key out).

    Returns
    -------
    str

    Examples
    --------
    >>> text = describe_steps()
    >>> print(text[text.index("OneHotVectorizer ("):].splitlines()[0])
    OneHotVectorizer (textfeat.OneHotVectorizer, transformer)
    >>> "min_count=1" in text
    True
    """
    from textfeat.io.config import known_steps, step_parameters

    out = [
        "Steps a pipeline config may use, each as a [[step]] table with "
        'class = "<name>" and any of its parameters (defaults shown; none means '
        "None: leave the key out). 'textfeat steps NAME' prints one as TOML.",
        "",
    ]
    for name, full in sorted(known_steps().items()):
        cls = _class(name)
        params = ", ".join(
            f"{p.name}={_shown(p.default, p.toml)}" for p in step_parameters(name)
        )
        out.append(f"{name} ({full}, {_kind(cls)})")
        if _summary(cls):
            out.append(f"    {_summary(cls)}")
        out.extend(
            textwrap.wrap(
                params or "(no parameters)",
                width=88,
                initial_indent="    ",
                subsequent_indent="    ",
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


def describe_step(name: str) -> str:
    """One step as a TOML ``[[step]]`` table: every parameter at its default.

    Parameters a config cannot write (a default of None, or a function)
    are shown as comments. The text is a valid config of one step.

    Parameters
    ----------
    name : str
        A short class name of :func:`textfeat.io.config.known_steps`.

    Returns
    -------
    str

    Raises
    ------
    textfeat.config.ConfigError
        For a name that is not a config step.

    Examples
    --------
    >>> print(describe_step("WordSignatures"))
    # WordSignatures (textfeat.WordSignatures, transformer)
    # Replace rare and unseen words by their signature (word class).
    [[step]]
    class = "WordSignatures"
    min_count = 2  # an int in the range [1, inf)
    scheme = "goldberg"  # a str among {'berkeley', 'goldberg'} or a callable
    """
    from textfeat.io.config import known_steps, step_parameters

    params = step_parameters(name)  # refuses an unknown name
    cls = _class(name)
    lines = [f"# {name} ({known_steps()[name]}, {_kind(cls)})"]
    if _summary(cls):
        lines.append(f"# {_summary(cls)}")
    lines += ["[[step]]", f"class = {json.dumps(name)}"]
    for p in params:
        accepts = f"  # {p.accepts}" if p.accepts else ""
        if p.toml is not None:
            lines.append(f"{p.name} = {p.toml}{accepts}")
        elif p.default is None:
            lines.append(f"# {p.name}: default None (leave it out){accepts}")
        else:
            lines.append(
                f"# {p.name}: default {_shown(p.default, None)} (cannot be set in a "
                f"config){accepts}"
            )
    return "\n".join(lines)


def steps_as_dict() -> dict[str, Any]:
    """Every step as plain data (the ``--json`` output).

    Returns
    -------
    dict
        ``{"steps": [{"class", "full_name", "kind", "summary", "parameters":
        [{"name", "default", "toml", "accepts"}]}]}``; ``default`` is the
        TOML text's value, or None, or the repr of a default TOML cannot
        write.

    Examples
    --------
    >>> data = steps_as_dict()
    >>> step = next(s for s in data["steps"] if s["class"] == "OneHotVectorizer")
    >>> next(p for p in step["parameters"] if p["name"] == "min_count")["default"]
    1
    """
    import tomllib

    from textfeat.io.config import known_steps, step_parameters

    out = []
    for name, full in sorted(known_steps().items()):
        cls = _class(name)
        params = []
        for p in step_parameters(name):
            if p.toml is not None:
                default = tomllib.loads(f"v = {p.toml}")["v"]
            else:
                default = None if p.default is None else _shown(p.default, None)
            params.append(
                {"name": p.name, "default": default, "toml": p.toml, "accepts": p.accepts}
            )
        out.append(
            {
                "class": name,
                "full_name": full,
                "kind": _kind(cls),
                "summary": _summary(cls),
                "parameters": params,
            }
        )
    return {"steps": out}


def steps(
    name: Annotated[
        str | None,
        typer.Argument(help="One step (its class name) to print as a TOML table."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Every step and parameter as JSON.")
    ] = False,
) -> None:
    """List the steps a pipeline config may use, with parameters and defaults.

    Example: textfeat steps OneHotVectorizer
    """
    if as_json:
        data = steps_as_dict()
        if name is not None:
            describe_step(name)  # refuses an unknown name
            data = next(s for s in data["steps"] if s["class"] == name)
        typer.echo(json.dumps(data, indent=1))
    else:
        typer.echo(describe_steps() if name is None else describe_step(name))
