"""Packaging: every import is declared, and the demo corpus ships with the package."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "textfeat"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _name(requirement: str) -> str:
    """The normalised distribution name of a PEP 508 requirement."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


RUNTIME = {_name(r) for r in PYPROJECT["dependencies"]}
EXTRAS = {
    extra: {_name(r) for r in reqs}
    for extra, reqs in PYPROJECT["optional-dependencies"].items()
}


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Top-level module names imported at module scope, and anywhere else."""
    at_import: set[str] = set()
    later: set[str] = set()

    def names(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name.split(".")[0] for a in node.names]
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            return [node.module.split(".")[0]]
        return []

    def visit(node: ast.AST, module_scope: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                continue  # annotations only: never imported at run time
            found = names(child)
            (at_import if module_scope else later).update(found)
            inner = module_scope and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            visit(child, inner)

    visit(tree, True)
    return at_import, later


def _third_party() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Distribution -> files, for imports at module scope and inside functions."""
    dists = md.packages_distributions()
    eager: dict[str, set[str]] = {}
    lazy: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        at_import, later = _imports(ast.parse(path.read_text(), str(path)))
        for found, into in ((at_import, eager), (later, lazy)):
            for module in found:
                if module in sys.stdlib_module_names or module == "textfeat":
                    continue
                for dist in dists.get(module, [module]):
                    into.setdefault(_name(dist), set()).add(path.name)
    return eager, lazy


def test_imports_at_module_scope_are_runtime_dependencies():
    eager, _ = _third_party()
    undeclared = {d: sorted(f) for d, f in eager.items() if d not in RUNTIME}
    assert not undeclared, f"add to [project] dependencies: {undeclared}"


def test_imports_inside_functions_are_declared_in_dependencies_or_an_extra():
    _, lazy = _third_party()
    declared = RUNTIME.union(*EXTRAS.values())
    undeclared = {d: sorted(f) for d, f in lazy.items() if d not in declared}
    assert not undeclared, f"declare (an extra will do): {undeclared}"


def test_the_import_scan_sees_known_imports():
    # Oracle for the scan: cli.py imports typer at module scope, the plot
    # imports matplotlib only when called.
    eager, lazy = _third_party()
    assert "cli.py" in eager["typer"]
    assert "plotting.py" in lazy["matplotlib"] and "matplotlib" not in eager


def test_test_extra_holds_every_optional_dependency():
    optional = set().union(*(reqs for extra, reqs in EXTRAS.items() if extra != "test"))
    assert optional <= EXTRAS["test"]


def test_bundled_demo_corpus_is_the_corpora_file():
    shipped = PACKAGE / "data" / "topics.jsonl"
    assert shipped.read_bytes() == (ROOT / "corpora" / "topics.jsonl").read_bytes()


def test_package_data_globs_include_the_demo_corpus():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["textfeat"]
    assert any(Path("data/topics.jsonl").match(g) for g in globs)


def test_demo_runs_outside_the_clone(tmp_path, monkeypatch):
    from textfeat.demo import run_demo

    monkeypatch.chdir(tmp_path)  # no corpora/ folder here
    result = run_demo(n_top=1)
    assert result.n_train + result.n_test == 360
    assert result.accuracy > 0.9


@pytest.mark.parametrize("name", ["tqdm", "typer"])
def test_used_but_once_undeclared_packages_are_declared(name):
    assert name in RUNTIME


def test_declared_test_dependencies_are_installed():
    # A test that skips on a missing import would hide a broken test set-up:
    # every distribution of the "test" extra (and of its own extras, such as
    # dask[distributed]) must be installed, so a missing one fails here.
    missing = []
    for requirement in PYPROJECT["optional-dependencies"]["test"]:
        extras = re.search(r"\[([^\]]*)\]", requirement)
        names = [_name(requirement)]
        names += [_name(e) for e in extras.group(1).split(",")] if extras else []
        for name in names:
            try:
                md.version(name)
            except md.PackageNotFoundError:
                missing.append(name)
    assert not missing, f"pip install -e '.[test]' (missing: {missing})"
