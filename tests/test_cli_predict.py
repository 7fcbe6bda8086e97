"""``textfeat predict`` and :func:`textfeat.batch.predict_corpus`.

Oracle: ``load_model(path).predict`` / ``predict_proba`` on the same texts,
read with the project's own readers. Most tests go through the real console
script (``.venv/bin/textfeat``), some through typer's CliRunner.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import NEWS, require
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from typer.testing import CliRunner

from textfeat import OneHotVectorizer, SpacyTokenizer, load_model, save_model
from textfeat.batch import BatchError, predict_corpus
from textfeat.cli import app
from textfeat.io import read_corpus

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


def texts_of(path: Path, **kwargs: object) -> tuple[list[str], list[str]]:
    recs = list(read_corpus(path, **kwargs))  # type: ignore[arg-type]
    return [r.text for r in recs], [r.id for r in recs]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A classifier fitted on the bundled corpus by ``textfeat fit``."""
    tmp = tmp_path_factory.mktemp("model")
    (tmp / "pipe.toml").write_text(CONFIG)
    result = textfeat(
        "fit", TOPICS, "--config", tmp / "pipe.toml", "--out", tmp / "m.tfm", "-q"
    )
    assert result.returncode == 0, result.stderr
    return tmp / "m.tfm"


# -- the predictions are the model's -------------------------------------------------
def test_predict_labels_equal_load_model_predict(model: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    result = textfeat("predict", model, TOPICS, "--out", out, "--chunk-size", "50")
    assert result.returncode == 0, result.stderr
    rows = read_jsonl(out)
    texts, ids = texts_of(TOPICS)
    assert [r["id"] for r in rows] == ids
    assert [r["label"] for r in rows] == load_model(model).predict(texts).tolist()
    assert all(set(r) == {"id", "label"} for r in rows)


def test_predict_proba_csv_equals_load_model_predict_proba(
    model: Path, tmp_path: Path
) -> None:
    out = tmp_path / "p.csv"
    result = textfeat("predict", model, TOPICS, "-o", out, "--proba", "-q")
    assert result.returncode == 0, result.stderr
    with out.open(newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    pipe = load_model(model)
    texts, ids = texts_of(TOPICS)
    assert header == ["id", "label", *(f"proba_{c}" for c in pipe.classes_)]
    assert [r[0] for r in rows] == ids
    assert [r[1] for r in rows] == pipe.predict(texts).tolist()
    proba = np.array([[float(v) for v in r[2:]] for r in rows])
    np.testing.assert_allclose(proba, pipe.predict_proba(texts), rtol=1e-12, atol=0)


def test_predict_writes_jsonl_to_stdout_and_the_summary_to_stderr(
    model: Path,
) -> None:
    result = textfeat("predict", model, TOPICS, "--proba", "-q")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    texts, _ = texts_of(TOPICS)
    pipe = load_model(model)
    proba = np.array([[r[f"proba_{c}"] for c in pipe.classes_] for r in rows])
    np.testing.assert_allclose(proba, pipe.predict_proba(texts), rtol=1e-12, atol=0)
    assert "360 records in = 360 predicted + 0 quarantined" in result.stderr


def test_output_does_not_depend_on_chunk_size_or_workers(
    model: Path, tmp_path: Path
) -> None:
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    r1 = textfeat("predict", model, TOPICS, "-o", one, "--proba", "-q")
    r2 = textfeat(
        "predict", model, TOPICS, "-o", two, "--proba", "-q",
        "--chunk-size", "7", "-j", "2",
    )  # fmt: skip
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    assert one.read_bytes() == two.read_bytes()


def test_records_without_an_id_are_named_file_and_line(
    model: Path, tmp_path: Path
) -> None:
    path = tmp_path / "new.txt"
    path.write_text("the rocket reached orbit\n\nflour and onion soup\n")
    result = invoke("predict", model, path, "-q")
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["new.txt:1", "new.txt:3"]
    labels = load_model(model).predict(
        ["the rocket reached orbit", "flour and onion soup"]
    )
    assert [r["label"] for r in rows] == labels.tolist()


def test_csv_corpus_ids_come_from_the_id_field(model: Path, tmp_path: Path) -> None:
    path = tmp_path / "new.csv"
    path.write_text('key,body\nk1,a rocket and a planet\nk2,"bread, flour"\n')
    out = tmp_path / "p.jsonl"
    result = invoke(
        "predict", model, path, "--id-field", "key", "--text-field", "body", "-o", out
    )
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    expected = load_model(model).predict(["a rocket and a planet", "bread, flour"])
    assert [(r["id"], r["label"]) for r in rows] == list(
        zip(["k1", "k2"], expected.tolist(), strict=True)
    )


def test_two_text_fields_are_predicted_as_the_joined_text(
    model: Path, tmp_path: Path
) -> None:
    path = tmp_path / "two.jsonl"
    rows = [{"id": "a", "title": "Rocket news", "body": "the planet and the moon"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    pipe = load_model(model)
    joined = ["Rocket news\nthe planet and the moon"]
    out = tmp_path / "p.jsonl"
    result = invoke(
        "predict", model, path, "--text-field", "title",
        "--text-field", "body", "--proba", "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [row] = read_jsonl(out)
    assert row["label"] == pipe.predict(joined)[0]
    got = [row[f"proba_{c}"] for c in pipe.classes_]
    np.testing.assert_allclose(got, pipe.predict_proba(joined)[0], rtol=1e-12)


# -- bad records: quarantine, or an error naming the record; files all or nothing ---
def bad_corpus(tmp_path: Path) -> Path:
    """Six records: line 3 is not JSON, line 5 a lone surrogate the tokenizer refuses."""
    lines = [
        json.dumps({"id": "r1", "text": "the rocket and the planet"}),
        json.dumps({"id": "r2", "text": "bread and onion soup"}),
        "{not json",
        json.dumps({"id": "r4", "text": "the kernel and the database"}),
        json.dumps({"id": "r5", "text": "bad \ud800 text"}),
        json.dumps({"id": "r6", "text": "a match and a goal"}),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_quarantine_file_holds_unreadable_and_failing_records(
    model: Path, tmp_path: Path
) -> None:
    path = bad_corpus(tmp_path)
    out, q = tmp_path / "p.jsonl", tmp_path / "q.jsonl"
    result = textfeat(
        "predict", model, path, "-o", out, "--quarantine", q, "--chunk-size", "4"
    )
    assert result.returncode == 0, result.stderr
    assert "6 records in = 4 predicted" in result.stdout
    assert "2 quarantined" in result.stdout
    rows = read_jsonl(out)
    good = ["the rocket and the planet", "bread and onion soup",
            "the kernel and the database", "a match and a goal"]  # fmt: skip
    assert [r["id"] for r in rows] == ["r1", "r2", "r4", "r6"]
    assert [r["label"] for r in rows] == load_model(model).predict(good).tolist()
    entries = read_jsonl(q)
    assert [(e["line"], e["stage"], e["id"]) for e in entries] == [
        (3, "read", None),
        (5, "transform", "r5"),
    ]
    assert entries[1]["reason"].startswith("the pipeline failed: UnicodeEncodeError")
    assert all(e["file"] == str(path) for e in entries)


def test_failing_record_without_quarantine_is_named_and_no_file_is_left(
    model: Path, tmp_path: Path
) -> None:
    lines = [json.dumps({"id": f"r{i}", "text": "a rocket"}) for i in range(1, 6)]
    lines[3] = json.dumps({"id": "r4", "text": "bad \ud800"})
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "p.csv"
    out.write_text("the previous run\n")
    result = textfeat("predict", model, path, "-o", out, "--chunk-size", "2", "-q")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}, line 4 (record 'r4'): the pipeline failed")
    assert "--quarantine" in line
    assert out.read_text() == "the previous run\n"  # untouched: old file or new one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.jsonl", "p.csv"]


def test_unreadable_record_without_quarantine_stops_with_its_line(
    model: Path, tmp_path: Path
) -> None:
    path = bad_corpus(tmp_path)
    out = tmp_path / "p.jsonl"
    result = textfeat("predict", model, path, "-o", out, "-q")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {path}, line 3: invalid JSON")
    assert not out.exists()


class Interrupt(TransformerMixin, BaseEstimator):
    """Passes texts through, but is 'killed' (KeyboardInterrupt) on a marked text."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        if any("KILL" in x for x in X):
            raise KeyboardInterrupt
        return X


def fitted(*steps: object) -> object:
    texts = ["a rocket", "a planet", "bread soup", "onion soup"]
    return make_pipeline(*steps, SpacyTokenizer(), OneHotVectorizer(),
                         LogisticRegression()).fit(texts, ["s", "s", "c", "c"])  # fmt: skip


def test_interrupted_run_leaves_no_output_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.txt"
    path.write_text("a rocket\n" * 10 + "KILL\n" + "bread\n" * 5)
    out, q = tmp_path / "p.jsonl", tmp_path / "q.jsonl"
    with pytest.raises(KeyboardInterrupt):
        predict_corpus(
            fitted(Interrupt()), path, out, quarantine=q, chunk_size=4, quiet=True
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.txt"]


KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from textfeat import OneHotVectorizer, SpacyTokenizer
    from textfeat.batch import predict_corpus

    class Slow(TransformerMixin, BaseEstimator):
        def fit(self, X, y=None):
            return self
        def transform(self, X):
            time.sleep(0.2)
            return X

    pipe = make_pipeline(Slow(), SpacyTokenizer(), OneHotVectorizer(),
                         LogisticRegression())
    pipe.fit(["a rocket", "bread soup"], ["s", "c"])
    predict_corpus(pipe, sys.argv[1], sys.argv[2], chunk_size=2, quiet=True)
    """
)


def test_killed_run_leaves_no_file_that_looks_complete(tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT)
    corpus = tmp_path / "c.txt"
    corpus.write_text("a rocket\n" * 200)
    out = tmp_path / "p.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(corpus), str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    tmp_files: list[Path] = []
    while not any(p.stat().st_size > 0 for p in tmp_files):
        if proc.poll() is not None:
            pytest.fail(f"the run ended early: {proc.communicate()}")
        assert time.monotonic() < deadline, "the run never wrote a row"
        time.sleep(0.05)
        tmp_files = list(tmp_path.glob(".p.jsonl.*.tmp"))
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()  # rows were written, but only under the temporary name


# -- errors: one line, exit 1 (user) or 2 (usage) --------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{model}", "nowhere.jsonl"], "nowhere.jsonl: no such file"),
        (["none.tfm", "{corpus}"], "none.tfm: no such model file"),
        (["{model}", "{corpus}", "-o", "p.txt"], "cannot tell the output format"),
        (["{model}", "{corpus}", "-o", "{corpus}"], "is the corpus"),
        (["{model}", "{corpus}", "-o", "p.csv", "--quarantine", "p.csv"], "also the"),
        (["{model}", "{corpus}", "--chunk-size", "0"], "chunk_size must be a positive"),
        (["{model}", "{corpus}", "-j", "0"], "n_jobs must be -1 or a positive"),
        (["{model}", "{corpus}", "--out-format", "xml"], "out_format='xml'"),
        (["{model}", "{corpus}", "--format", "xml"], "'format' parameter"),
        (["{features}", "{corpus}"], "has no predict"),
    ],
)
def test_user_errors_exit_1_with_one_line(
    model: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"text": "a rocket"}) + "\n")
    features = tmp_path / "f.tfm"
    save_model(make_pipeline(SpacyTokenizer(), OneHotVectorizer()).fit(["a"]), features)
    names = {"model": model, "corpus": corpus, "features": features}
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = invoke("predict", *(a.format(**names) for a in args), "-q")
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1, result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: ") and message in line, line


def test_user_error_of_the_console_script_is_one_line_with_status_1(
    model: Path, tmp_path: Path
) -> None:
    result = textfeat("predict", model, "nowhere.jsonl", "-o", "p.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "error: nowhere.jsonl: no such corpus file or folder\n"
    assert not (tmp_path / "p.csv").exists()


def test_proba_of_a_classifier_without_predict_proba_is_refused(
    tmp_path: Path,
) -> None:
    from sklearn.svm import LinearSVC

    pipe = make_pipeline(SpacyTokenizer(), OneHotVectorizer(), LinearSVC())
    pipe.fit(["a rocket", "bread soup"], ["s", "c"])
    with pytest.raises(BatchError, match="LinearSVC.*has no predict_proba"):
        predict_corpus(pipe, TOPICS, tmp_path / "p.csv", proba=True, quiet=True)
    assert not (tmp_path / "p.csv").exists()


@pytest.mark.parametrize(
    "args",
    [["--chunk-size", "many"], ["--no-such-option"], []],
    ids=["bad-type", "unknown-option", "missing-argument"],
)
def test_usage_errors_exit_2(model: Path, args: list[str]) -> None:
    corpus = [] if not args else [TOPICS]
    result = textfeat("predict", model, *corpus, *args)
    assert result.returncode == 2


def test_predict_takes_every_reader_option() -> None:
    result = invoke("predict", "--help")
    for option in (
        "--format", "--text-field", "--id-field", "--delimiter", "--quotechar",
        "--quoting", "--doublequote", "--no-doublequote", "--escapechar",
    ):  # fmt: skip
        assert option in result.output, option


def test_help_has_an_example() -> None:
    result = textfeat("predict", "--help")
    assert result.returncode == 0
    assert "Example: textfeat predict model.tfm" in result.stdout


# -- the real corpus ------------------------------------------------------------------
@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A model fitted on 600 training posts of 20 Newsgroups, and the first 600
    test posts as gzipped JSON Lines (the shared corpus's own format)."""
    require(NEWS)
    tmp = tmp_path_factory.mktemp("news")
    train = list(itertools.islice(read_corpus(NEWS / "train.jsonl.gz"), 600))
    pipe = make_pipeline(
        SpacyTokenizer(attr="lower"), OneHotVectorizer(min_count=2),
        LogisticRegression(C=10.0, max_iter=300),
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit([r.text for r in train], [r.label for r in train])
    save_model(pipe, tmp / "news.tfm")
    test = itertools.islice(read_corpus(NEWS / "test.jsonl.gz"), 600)
    with gzip.open(tmp / "test.jsonl.gz", "wt", encoding="utf-8") as fh:
        for r in test:
            fh.write(json.dumps({"id": r.id, "text": r.text, "label": r.label}) + "\n")
    return tmp / "news.tfm", tmp / "test.jsonl.gz"


def test_20news_predict_equals_load_model(
    news: tuple[Path, Path], tmp_path: Path
) -> None:
    model, test = news
    out = tmp_path / "p.csv"
    result = textfeat(
        "predict", model, test, "-o", out, "--proba", "--chunk-size", "150", "-j", "2"
    )
    assert result.returncode == 0, result.stderr
    with out.open(newline="", encoding="utf-8") as fh:
        _, *rows = list(csv.reader(fh))
    texts, ids = texts_of(test)
    pipe = load_model(model)
    assert [r[0] for r in rows] == ids
    assert [r[1] for r in rows] == pipe.predict(texts).tolist()
    proba = np.array([[float(v) for v in r[2:]] for r in rows])
    np.testing.assert_allclose(proba, pipe.predict_proba(texts), rtol=1e-12, atol=0)


# -- edge cases of the output ---------------------------------------------------------
def test_empty_corpus_gives_a_header_only_csv(model: Path, tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")
    out = tmp_path / "p.csv"
    report = predict_corpus(model, path, out, proba=True, quiet=True)
    assert (report.n_in, report.n_written) == (0, 0)
    classes = load_model(model).classes_
    assert (
        out.read_text()
        == ",".join(["id", "label", *(f"proba_{c}" for c in classes)]) + "\n"
    )


def test_an_id_that_utf8_cannot_hold_is_escaped_in_csv(
    model: Path, tmp_path: Path
) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "x\\ud800", "text": "a rocket"}\n')  # valid JSON
    out = tmp_path / "p.csv"
    predict_corpus(model, path, out, quiet=True)
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][0] == "x\\ud800"
    jl = tmp_path / "p.jsonl"
    predict_corpus(model, path, jl, quiet=True)
    assert json.loads(jl.read_text())["id"] == "x\ud800"  # JSON keeps it exactly


def test_output_in_a_missing_folder_is_refused_before_reading(
    model: Path, tmp_path: Path
) -> None:
    with pytest.raises(
        BatchError, match=r"out .*p\.csv: the folder .*nodir does not exist"
    ):
        predict_corpus(model, TOPICS, tmp_path / "nodir" / "p.csv", quiet=True)
