"""``textfeat evaluate`` and ``textfeat fit --test-size/--cv``.

Oracles: scikit-learn's ``classification_report(output_dict=True)`` and
``confusion_matrix`` on ``load_model(path).predict`` of the same texts;
``train_test_split`` and ``cross_val_score`` with ``StratifiedKFold`` and the
same seed. Some tests run the real console script, the others typer's
CliRunner.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import NEWS, require
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, confusion_matrix
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from typer.testing import CliRunner

from textfeat import OneHotVectorizer, SpacyTokenizer, load_model, save_model
from textfeat.cli import app
from textfeat.io import read_corpus
from textfeat.io.config import load_config

ROOT = Path(__file__).resolve().parent.parent
TOPICS = ROOT / "corpora" / "topics.jsonl"
SCRIPT = Path(sys.executable).parent / "textfeat"
runner = CliRunner()

CONFIG = (
    '[[step]]\nclass = "SpacyTokenizer"\nattr = "lower"\n\n'
    '[[step]]\nclass = "OneHotVectorizer"\n\n'
    '[[step]]\nclass = "LogisticRegression"\nC = 10.0\nmax_iter = 1000\n'
)


def textfeat(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed console script."""
    if not SCRIPT.exists():
        pytest.skip(f"console script not installed beside the interpreter: {SCRIPT}")
    return subprocess.run(
        [str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def invoke(*args: object) -> object:
    return runner.invoke(app, [str(a) for a in args])


def corpus_of(path: Path) -> tuple[list[str], list[object]]:
    recs = list(read_corpus(path))
    return [r.text for r in recs], [r.label for r in recs]


def sklearn_figures(y: list, pred: list) -> dict:
    """What evaluate --json must hold, computed by scikit-learn alone."""
    report = classification_report(y, pred, output_dict=True, zero_division=0)
    labels = sorted(set(y) | set(pred))
    return {
        "n": len(y),
        "accuracy": report["accuracy"],
        "macro_f1": report["macro avg"]["f1-score"],
        "weighted_f1": report["weighted avg"]["f1-score"],
        "per_class": {str(c): report[str(c)] for c in labels},
        "macro_avg": report["macro avg"],
        "weighted_avg": report["weighted avg"],
        "confusion_matrix": {
            "labels": labels,
            "matrix": confusion_matrix(y, pred, labels=labels).tolist(),
        },
    }


def without(d: dict, *keys: str) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("config") / "pipe.toml"
    path.write_text(CONFIG)
    return path


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory, config: Path) -> Path:
    """A classifier fitted on 3 of every 4 records of the bundled corpus."""
    tmp = tmp_path_factory.mktemp("model")
    lines = TOPICS.read_text().splitlines(keepends=True)
    (tmp / "train.jsonl").write_text("".join(lines[i] for i in range(0, 360) if i % 4))
    (tmp / "test.jsonl").write_text("".join(lines[0:360:4]))
    result = textfeat(
        "fit", tmp / "train.jsonl", "--config", config, "--out", tmp / "m.tfm", "-q"
    )
    assert result.returncode == 0, result.stderr
    return tmp / "m.tfm"


@pytest.fixture
def noisy(tmp_path: Path, model: Path) -> Path:
    """Held-out records with a few labels swapped, so that the model errs."""
    rows = [
        json.loads(x) for x in (model.parent / "test.jsonl").read_text().splitlines()
    ]
    for i, row in enumerate(rows):
        if i % 9 == 0:
            row["label"] = "sports" if row["label"] != "sports" else "space"
    path = tmp_path / "noisy.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


# -- the figures are scikit-learn's --------------------------------------------------
def test_json_equals_classification_report_and_confusion_matrix(
    model: Path, noisy: Path
) -> None:
    result = textfeat("evaluate", model, noisy, "--json")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    texts, y = corpus_of(noisy)
    pred = load_model(model).predict(texts).tolist()
    assert without(got, "unseen_labels") == sklearn_figures(y, pred)
    assert got["accuracy"] < 1.0  # the swapped labels are errors
    assert got["unseen_labels"] == []


def test_table_shows_the_confusion_matrix(model: Path, noisy: Path) -> None:
    result = invoke("evaluate", model, noisy, "-q")
    assert result.exit_code == 0, result.output
    texts, y = corpus_of(noisy)
    pred = load_model(model).predict(texts).tolist()
    labels = sorted(set(y) | set(pred))
    matrix = confusion_matrix(y, pred, labels=labels)
    table = result.stdout.split("columns: predicted)\n")[1].splitlines()
    assert table[0].split() == ["true", "\\", "pred", *labels]
    for label, counts, line in zip(labels, matrix, table[1:], strict=False):
        assert line.split() == [label, *map(str, counts)]


def test_errors_lists_misclassified_records_with_true_and_predicted(
    model: Path, noisy: Path
) -> None:
    result = invoke("evaluate", model, noisy, "--json", "--errors", "3")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)["errors"]
    recs = list(read_corpus(noisy))
    pred = load_model(model).predict([r.text for r in recs]).tolist()
    wrong = [(r, p) for r, p in zip(recs, pred, strict=True) if r.label != p][:3]
    assert len(wrong) == 3
    assert shown == [
        {"id": r.id, "true": r.label, "predicted": p, "text": r.text} for r, p in wrong
    ]


def test_errors_in_the_table_name_true_and_predicted_labels(
    model: Path, noisy: Path
) -> None:
    result = invoke("evaluate", model, noisy, "-q", "--errors", "2")
    assert result.exit_code == 0, result.output
    recs = list(read_corpus(noisy))
    pred = load_model(model).predict([r.text for r in recs]).tolist()
    n_wrong = sum(r.label != p for r, p in zip(recs, pred, strict=True))
    assert f"misclassified: 2 of {n_wrong} shown" in result.stdout
    r, p = next((r, p) for r, p in zip(recs, pred, strict=True) if r.label != p)
    assert f"{r.id}\ttrue {r.label!r}\tpredicted {p!r}\t" in result.stdout


def test_20news_json_equals_sklearn(tmp_path: Path) -> None:
    require(NEWS)
    train = list(itertools.islice(read_corpus(NEWS / "train.jsonl.gz"), 500))
    pipe = make_pipeline(
        SpacyTokenizer(attr="lower"), OneHotVectorizer(min_count=2),
        LogisticRegression(C=10.0, max_iter=300),
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit([r.text for r in train], [r.label for r in train])
    save_model(pipe, tmp_path / "news.tfm")
    test = list(itertools.islice(read_corpus(NEWS / "test.jsonl.gz"), 500))
    path = tmp_path / "test.jsonl"
    path.write_text(
        "".join(json.dumps({"text": r.text, "label": r.label}) + "\n" for r in test)
    )
    result = textfeat("evaluate", tmp_path / "news.tfm", path, "--json")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    pred = load_model(tmp_path / "news.tfm").predict([r.text for r in test]).tolist()
    assert without(got, "unseen_labels") == sklearn_figures(
        [r.label for r in test], pred
    )


# -- labels the model does not know ---------------------------------------------------
def test_no_label_in_common_is_an_error_with_status_1(
    model: Path, tmp_path: Path
) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text(
        "".join(
            json.dumps({"text": t, "label": lab}) + "\n"
            for t, lab in [("a rocket", "pos"), ("bread", "neg"), ("a goal", "pos")]
        )
    )
    result = textfeat("evaluate", model, path, "--json")
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(
        f"error: {path}: no label of the corpus is a class of the model {model} "
        "(the corpus has 'neg', 'pos'; the model knows 'computing', 'cooking'"
    )


def test_unseen_labels_are_named_in_a_warning_and_count_as_errors(
    model: Path, tmp_path: Path
) -> None:
    rows = [
        json.loads(x) for x in (model.parent / "test.jsonl").read_text().splitlines()
    ]
    rows[0]["label"], rows[1]["label"], rows[2]["label"] = "zoology", "art", "art"
    path = tmp_path / "unseen.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = textfeat("evaluate", model, path, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        f"warning: {path}: labels the model has never seen: 'art', 'zoology' "
        "(3 records); they count as errors\n"
    )
    got = json.loads(result.stdout)
    assert got["unseen_labels"] == ["art", "zoology"]
    texts, y = corpus_of(path)
    pred = load_model(model).predict(texts).tolist()
    assert without(got, "unseen_labels") == sklearn_figures(y, pred)
    assert got["per_class"]["art"]["recall"] == 0.0


# -- the plot --------------------------------------------------------------------------
def test_plot_draws_a_png(model: Path, noisy: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra is not installed")
    png = tmp_path / "cm.png"
    result = invoke("evaluate", model, noisy, "-q", "--plot", png)
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_how_to_install_it(
    model: Path, noisy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    result = invoke("evaluate", model, noisy, "-q", "--plot", tmp_path / "cm.png")
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "pip install 'textfeat[plot]'" in line
    assert not (tmp_path / "cm.png").exists()


# -- fit --test-size / --cv: scikit-learn's functions with the same seed -------------
def test_fit_test_size_equals_train_test_split_then_evaluate(
    config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "m.tfm"
    result = textfeat(
        "fit", TOPICS, "--config", config, "--out", out,
        "--test-size", "0.25", "--random-state", "7", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    texts, y = corpus_of(TOPICS)
    x_tr, x_te, y_tr, y_te = train_test_split(
        texts, y, test_size=0.25, stratify=y, random_state=7
    )
    oracle = load_config(config).fit(x_tr, y_tr)
    pred = oracle.predict(x_te).tolist()
    assert got["n_fitted"] == len(x_tr) == 270
    assert got["test"] == sklearn_figures(y_te, pred)
    # the model saved is the one fitted on the training part
    saved = load_model(out)
    np.testing.assert_array_equal(saved[-1].coef_, oracle[-1].coef_)


def test_fit_test_size_prints_the_evaluate_report(config: Path, tmp_path: Path) -> None:
    result = invoke(
        "fit", TOPICS, "--config", config, "--out", tmp_path / "m.tfm",
        "--test-size", "0.25", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "fitted 270 records" in result.output
    assert "held-out part (0.25 of the corpus):\n90 records: accuracy" in result.output
    assert "confusion matrix (rows: true label, columns: predicted)" in result.output


def test_fit_cv_equals_cross_val_score(config: Path, tmp_path: Path) -> None:
    result = textfeat(
        "fit", TOPICS, "--config", config, "--out", tmp_path / "m.tfm",
        "--cv", "3", "--random-state", "5", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    cv = json.loads(result.stdout)["cv"]
    texts, y = corpus_of(TOPICS)
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=5)
    for name, scoring in (("accuracy", "accuracy"), ("macro_f1", "f1_macro")):
        scores = cross_val_score(
            load_config(config), texts, y, cv=folds, scoring=scoring
        )
        assert cv[name] == scores.tolist()
        assert cv[f"{name}_mean"] == scores.mean()
        assert cv[f"{name}_std"] == scores.std()
    assert json.loads(result.stdout)["n_fitted"] == 360  # then fitted on everything


def test_fit_cv_with_test_size_draws_the_folds_from_the_training_part(
    config: Path, tmp_path: Path
) -> None:
    result = invoke(
        "fit", TOPICS, "--config", config, "--out", tmp_path / "m.tfm",
        "--cv", "2", "--test-size", "0.5", "--random-state", "3", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    texts, y = corpus_of(TOPICS)
    x_tr, _, y_tr, _ = train_test_split(
        texts, y, test_size=0.5, stratify=y, random_state=3
    )
    folds = StratifiedKFold(n_splits=2, shuffle=True, random_state=3)
    scores = cross_val_score(load_config(config), x_tr, y_tr, cv=folds)
    assert got["cv"]["accuracy"] == scores.tolist()
    assert got["n_fitted"] == 180 and got["test"]["n"] == 180


def test_fit_cv_prints_each_fold_then_mean_and_std(
    config: Path, tmp_path: Path
) -> None:
    result = invoke(
        "fit",
        TOPICS,
        "--config",
        config,
        "--out",
        tmp_path / "m.tfm",
        "--cv",
        "2",
        "-q",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("cross-validation: 2 stratified folds, shuffled")
    assert lines[1].startswith("  fold 1: accuracy ")
    assert lines[2].startswith("  fold 2: accuracy ")
    assert lines[3].startswith("  mean: accuracy ") and "(std " in lines[3]
    assert lines[4].startswith("fitted 360 records")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--test-size", "1.5"], "--test-size must be a share between 0 and 1"),
        (["--test-size", "0"], "--test-size must be a share between 0 and 1"),
        (["--cv", "1"], "--cv must be 2 or more folds, got 1"),
        (["--cv", "61"], "--cv 61: label 'computing' has only 60 record(s)"),
        (["--random-state", "-1"], "--random-state must be between 0 and 2**32 - 1"),
        (["--test-size", "0.5", "--cv", "31"], "has only 30 record(s)"),
    ],
)
def test_bad_split_options_exit_1_with_one_line(
    config: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "m.tfm"
    result = invoke("fit", TOPICS, "--config", config, "--out", out, "-q", *args)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: ") and message in line, line
    assert not out.exists()


def test_test_size_too_small_for_every_label_names_the_option(
    config: Path, tmp_path: Path
) -> None:
    result = invoke(
        "fit", TOPICS, "--config", config, "--out", tmp_path / "m.tfm",
        "--test-size", "0.01", "-q",
    )  # fmt: skip
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: --test-size 0.01: cannot split")


def test_split_options_need_a_classifier(tmp_path: Path) -> None:
    config = tmp_path / "features.toml"
    config.write_text(
        '[[step]]\nclass = "SpacyTokenizer"\n\n[[step]]\nclass = "OneHotVectorizer"\n'
    )
    result = invoke(
        "fit", TOPICS, "--config", config, "--out", tmp_path / "m.tfm", "--cv", "2"
    )
    assert result.exit_code == 1
    assert "--cv scores a classifier" in result.output


# -- exit codes, every command --------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["fit", "nowhere.jsonl"],
        ["featurize", "none.tfm", "c.jsonl", "out"],
        ["predict", "none.tfm", "c.jsonl"],
        ["select", "none.tfm", "c.jsonl"],
        ["evaluate", "none.tfm", "c.jsonl"],
        ["demo", "nowhere.jsonl"],
        ["steps", "NoSuchStep"],
    ],
    ids=lambda a: a[0],
)
def test_every_command_gives_status_1_for_a_user_error(
    tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "c.jsonl").write_text('{"text": "a", "label": "x"}\n')
    result = textfeat(*args, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [["fit"], ["evaluate", "m.tfm"], ["predict", "m.tfm", "c.jsonl", "-j", "x"],
     ["no-such-command"], ["evaluate", "m.tfm", "c.jsonl", "--no-such-option"]],
    ids=["missing-arg", "missing-corpus", "bad-type", "command", "option"],
)  # fmt: skip
def test_usage_errors_give_status_2(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2


@pytest.mark.parametrize("command", ["fit", "predict", "evaluate"])
def test_help_has_an_example(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert f"Example: textfeat {command} " in result.output


def test_a_label_utf8_cannot_hold_is_printed_escaped(
    model: Path, tmp_path: Path
) -> None:
    rows = [
        json.loads(x) for x in (model.parent / "test.jsonl").read_text().splitlines()
    ]
    rows[0]["label"] = "x\ud800"  # valid JSON, but no UTF-8 for stdout
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = textfeat("evaluate", model, path, "-q", "--errors", "1")
    assert result.returncode == 0, result.stderr
    assert "\nx\\ud800 " in result.stdout  # its row of the report
    assert "labels the model has never seen: 'x\\ud800'" in result.stderr
