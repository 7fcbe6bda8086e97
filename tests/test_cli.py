"""The textfeat command, end to end: CliRunner and its own entry point."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from textfeat.batch import load_features
from textfeat.cli import app
from textfeat.persist import load

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

ROWS = [
    {"id": f"{label}{i}", "text": f"{word} {word} and item {i}", "label": label}
    for i in range(12)
    for label, word in (("pets", "cat"), ("space", "rocket"), ("food", "bread"))
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


def invoke(*args: str) -> object:
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("command", ["fit", "featurize", "select", "evaluate", "demo"])
def test_help_of_each_command_has_an_example(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert f"Example: textfeat {command}" in result.output


def test_fit_featurize_evaluate_select(corpus: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.tfm"
    config = tmp_path / "pipe.toml"
    config.write_text(
        '[[step]]\nclass = "SpacyTokenizer"\n\n[[step]]\nclass = "OneHotVectorizer"\n'
        '\n[[step]]\nclass = "LogisticRegression"\nC = 10.0\n'
    )
    result = invoke("fit", corpus, "--config", config, "--out", model)
    assert result.exit_code == 0, result.output
    pipe = load(model)
    texts = [r["text"] for r in ROWS]
    out = tmp_path / "feats"
    result = invoke("featurize", model, corpus, out, "--chunk-size", "10", "--quiet")
    assert result.exit_code == 0, result.output
    assert "36 records in = 36 written + 0 quarantined; 4 shards" in result.output
    X, ids, _ = load_features(out)
    assert (X != pipe[:-1].transform(texts)).nnz == 0
    assert ids.tolist() == [r["id"] for r in ROWS]
    result = invoke("evaluate", model, corpus, "--json")
    metrics = json.loads(result.output)  # every figure: tests/test_cli_evaluate.py
    assert (metrics["n"], metrics["accuracy"], metrics["macro_f1"]) == (36, 1.0, 1.0)
    report = tmp_path / "sel.md"
    result = invoke("select", model, corpus, "-k", "3", "--report", report)
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert "| 1 | `tok=" in text and "**pets**: `tok=cat`" in text


def test_demo_on_a_given_corpus(corpus: Path) -> None:
    result = invoke("demo", corpus)
    assert result.exit_code == 0, result.output
    assert "test accuracy: 1.000" in result.output
    assert re.search(r"^  pets +tok=cat", result.output, re.MULTILINE)
    assert "example prediction:" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "nowhere.jsonl"], "nowhere.jsonl: no such corpus; run the demo"),
        (["evaluate", "m.tfm", "c.jsonl"], "m.tfm: no such model file"),
        (["fit", "c.jsonl", "--config", "bad.toml"], "unknown parameter 'colour'"),
    ],
)
def test_errors_are_one_line_without_traceback(
    corpus: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "bad.toml").write_text(
        '[[step]]\nclass = "SpacyTokenizer"\ncolour = 1\n'
    )
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = invoke(*args)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert message in lines[0]
    assert "Traceback" not in result.output


def run_module(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "textfeat.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_entry_point_demo_on_bundled_corpus() -> None:
    result = run_module("demo", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    accuracy = float(result.stdout.split("test accuracy: ")[1].split()[0])
    assert accuracy >= 0.8
    assert "top features per class:" in result.stdout


def test_entry_point_error_exit_code(tmp_path: Path) -> None:
    result = run_module("featurize", "none.tfm", "c.jsonl", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: none.tfm: no such model file"


_CONFIG = "".join(
    f'[[step]]\nclass = "{name}"\n\n'
    for name in ("SpacyTokenizer", "OneHotVectorizer", "LogisticRegression")
)


@pytest.fixture
def fitted(corpus: Path, tmp_path: Path) -> Path:
    model = tmp_path / "fitted.tfm"
    config = tmp_path / "fitted.toml"
    config.write_text(_CONFIG)
    assert invoke("fit", corpus, "--config", config, "--out", model).exit_code == 0
    return model


# Every file a command writes, given as a folder or in a folder that does not
# exist: named by its option before any work, never a bare "Is a directory".
_FILE_OUTPUTS = [
    ("fit", "--out"),
    ("fit", "--quarantine"),
    ("predict", "--out"),
    ("predict", "--quarantine"),
    ("select", "--report"),
    ("select", "--plot"),
    ("evaluate", "--plot"),
    ("evaluate", "--quarantine"),
]


def _command(
    command: str, option: str, corpus: Path, model: Path, tmp_path: Path
) -> list[object]:
    """The command line, less the output under test; the others in tmp_path."""
    if command == "fit":
        config = tmp_path / "p.toml"
        config.write_text(_CONFIG)
        args: list[object] = ["fit", corpus, "--config", config]
    else:
        args = [command, model, corpus]
    others = {"fit": "--out", "predict": "--out", "select": "--report"}
    if command in others and option != others[command]:
        args += [others[command], tmp_path / "other.out"]
    return args


@pytest.mark.parametrize("folder", [False, True])
@pytest.mark.parametrize(("command", "option"), _FILE_OUTPUTS)
def test_a_file_output_that_is_a_folder_or_has_none_is_refused_by_name(
    command: str, option: str, folder: bool, corpus: Path, fitted: Path, tmp_path: Path
) -> None:
    if folder:
        target = tmp_path / "a-folder"
        target.mkdir()
        message = f"error: {option} {target} is a folder; give a file name"
    else:
        target = tmp_path / "no-such-folder" / "file.out"
        message = (
            f"error: {option} {target}: no folder {target.parent}; create it or "
            "choose another path"
        )
    args = _command(command, option, corpus, fitted, tmp_path)
    result = invoke(*args, option, target)
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "other.out").exists()  # refused before any work
    assert not folder or list(target.iterdir()) == []
