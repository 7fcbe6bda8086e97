"""Batch runs keep their promises on hostile input: nothing lost, nothing trusted.

Each test states one behaviour of :func:`textfeat.batch.featurize` or the CLI
on a record the pipeline cannot transform, an edited corpus, a second run, a
folder corpus holding the output, labels of one type, line accounting,
resource parameters and the CSV options.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import make_pipeline
from typer.testing import CliRunner

from textfeat import OneHotVectorizer, SpacyTokenizer
from textfeat.batch import (
    BatchError,
    BatchWarning,
    featurize,
    load_features,
    read_manifest,
)
from textfeat.cli import app
from textfeat.corpus import CorpusError

TRAIN = ["a cat", "a dog", "the cat sat", "the dog ran"]
runner = CliRunner()


class Boom(TransformerMixin, BaseEstimator):
    """Passes documents through; any document containing BOOM raises."""

    def __init__(self, error: str = "ValueError") -> None:
        self.error = error

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        X = list(X)
        for doc in X:
            if "BOOM" in doc:
                raise {"ValueError": ValueError, "KeyError": KeyError}[self.error](
                    "cannot take it"
                )
        return X


@pytest.fixture(scope="module")
def pipe():
    return make_pipeline(SpacyTokenizer(), OneHotVectorizer()).fit(TRAIN)


def write_jsonl(path: Path, rows: list[dict | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    return path


def rows_of(n: int, **extra: object) -> list[dict]:
    return [
        {"id": f"r{i}", "text": TRAIN[i % 4], "label": i % 3, **extra} for i in range(n)
    ]


def same_csr(a: sp.spmatrix, b: sp.spmatrix) -> bool:
    a, b = sp.csr_matrix(a), sp.csr_matrix(b)
    return a.shape == b.shape and (a != b).nnz == 0


def files_of(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


# -- records the pipeline cannot transform -------------------------------------
def test_lone_surrogate_record_is_quarantined_with_location(
    pipe, tmp_path: Path
) -> None:
    rows = rows_of(5)
    rows[2]["text"] = "bad \ud800 text"  # valid JSON: "\ud800"
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    report = featurize(
        pipe, path, tmp_path / "o", chunk_size=2, quarantine=True, quiet=True
    )
    assert (report.n_in, report.n_written, report.n_quarantined) == (5, 4, 1)
    [entry] = [
        json.loads(x)
        for x in (tmp_path / "o" / "quarantine.jsonl").read_text().splitlines()
    ]
    assert (entry["file"], entry["line"], entry["end_line"]) == (str(path), 3, 3)
    assert entry["id"] == "r2" and entry["raw"] == "bad \ud800 text"
    assert entry["reason"].startswith("the pipeline failed: UnicodeEncodeError: ")
    X, ids, _ = load_features(tmp_path / "o")
    good = [r for i, r in enumerate(rows) if i != 2]
    assert ids.tolist() == [r["id"] for r in good]
    assert same_csr(X, pipe.transform([r["text"] for r in good]))


def test_pipeline_failure_without_quarantine_names_record(pipe, tmp_path: Path) -> None:
    rows = rows_of(5)
    rows[3]["text"] = "\ud800"
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    with pytest.raises(BatchError, match=r"c\.jsonl, line 4 \(record 'r3'\)") as e:
        featurize(pipe, path, tmp_path / "o", chunk_size=10, quiet=True)
    assert "UnicodeEncodeError" in str(e.value)


@pytest.mark.parametrize("error", ["ValueError", "KeyError"])
def test_any_exception_is_narrowed_to_the_failing_records(
    tmp_path: Path, error: str
) -> None:
    model = make_pipeline(Boom(error), SpacyTokenizer(), OneHotVectorizer()).fit(TRAIN)
    rows = rows_of(9)
    for i in (1, 2, 7):
        rows[i]["text"] = "BOOM here"
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    featurize(model, path, tmp_path / "o", chunk_size=4, quarantine=True, quiet=True)
    entries = [
        json.loads(x)
        for x in (tmp_path / "o" / "quarantine.jsonl").read_text().splitlines()
    ]
    assert [(e["id"], e["line"]) for e in entries] == [("r1", 2), ("r2", 3), ("r7", 8)]
    assert all(f"the pipeline failed: {error}: " in e["reason"] for e in entries)
    X, ids, _ = load_features(tmp_path / "o")
    good = [r for i, r in enumerate(rows) if i not in (1, 2, 7)]
    assert ids.tolist() == [r["id"] for r in good]
    assert same_csr(X, model[1:].transform([r["text"] for r in good]))


def test_pipeline_failures_with_workers_equal_one_process(tmp_path: Path) -> None:
    model = make_pipeline(Boom(), SpacyTokenizer(), OneHotVectorizer()).fit(TRAIN)
    rows = rows_of(30)
    for i in (0, 11, 29):
        rows[i]["text"] = "BOOM"
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    for name, n_jobs in (("one", 1), ("two", 2)):
        featurize(
            model, path, tmp_path / name, chunk_size=7, n_jobs=n_jobs,
            quarantine=True, quiet=True,
        )  # fmt: skip
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")


def test_resume_after_failures_is_byte_identical(pipe, tmp_path: Path) -> None:
    rows: list[dict | str] = list(rows_of(12))
    rows[1] = "{broken json"
    rows[5]["text"] = "\ud800"  # type: ignore[index]
    rows[10]["text"] = "x \udfff"  # type: ignore[index]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    out = tmp_path / "o"
    featurize(pipe, path, out, chunk_size=3, quarantine=True, quiet=True)
    before = files_of(out)
    # What a kill after the second shard leaves behind.
    for name in before:
        if name in ("manifest.json", "quarantine.jsonl", "features.json") or (
            name.startswith(("shard-00002", "shard-00003"))
        ):
            (out / name).unlink()
    featurize(pipe, path, out, chunk_size=3, quarantine=True, resume=True, quiet=True)
    assert files_of(out) == before
    assert len((out / "quarantine.jsonl").read_text().splitlines()) == 3


def test_odd_ids_and_labels_round_trip_exactly(pipe, tmp_path: Path) -> None:
    rows = [
        {"id": "a\ud800", "text": "a cat", "label": "x\udfff"},
        {"id": "b\x00", "text": "a dog", "label": "y\x00"},
        {"id": "", "text": "the cat", "label": ""},
    ]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    featurize(pipe, path, tmp_path / "o", quiet=True)
    _, ids, labels = load_features(tmp_path / "o")
    assert ids.tolist() == [r["id"] for r in rows]
    assert labels.tolist() == [r["label"] for r in rows]


# -- resume fingerprint -------------------------------------------------------
def unfinished_run(pipe, path: Path, out: Path) -> None:
    featurize(pipe, path, out, chunk_size=2, quiet=True)
    (out / "manifest.json").unlink()


def test_resume_refused_when_corpus_content_changed_same_size_and_mtime(
    pipe, tmp_path: Path
) -> None:
    rows = rows_of(6)
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    unfinished_run(pipe, path, tmp_path / "o")
    st = path.stat()
    rows[4]["text"] = "a dog"  # same length as "a cat"
    write_jsonl(path, rows)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    with pytest.raises(BatchError, match="the corpus changed since the run started: "):
        featurize(pipe, path, tmp_path / "o", chunk_size=2, resume=True, quiet=True)


def test_resume_refused_when_corpus_size_changed(pipe, tmp_path: Path) -> None:
    rows = rows_of(6)
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    unfinished_run(pipe, path, tmp_path / "o")
    size = path.stat().st_size
    rows[4]["text"] = "the dog ran"
    write_jsonl(path, rows)
    new = path.stat().st_size
    with pytest.raises(BatchError) as e:
        featurize(pipe, path, tmp_path / "o", chunk_size=2, resume=True, quiet=True)
    assert f"the corpus changed since the run started: size {size} -> {new}" in str(
        e.value
    )
    assert "\n" not in str(e.value)


def make_folder(root: Path) -> Path:
    for label, docs in (("pets", ["a cat", "a dog"]), ("misc", ["the cat sat"])):
        (root / label).mkdir(parents=True)
        for i, text in enumerate(docs):
            (root / label / f"{i}.txt").write_text(text)
    return root


def test_resume_refused_when_a_file_was_added_to_a_folder(pipe, tmp_path: Path) -> None:
    root = make_folder(tmp_path / "corpus")
    unfinished_run(pipe, root, tmp_path / "o")
    (root / "pets" / "9.txt").write_text("the dog ran")
    with pytest.raises(BatchError, match="the corpus changed since the run started"):
        featurize(pipe, root, tmp_path / "o", chunk_size=2, resume=True, quiet=True)


def test_corpus_edited_during_the_run_is_refused_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = rows_of(6)
    path = write_jsonl(tmp_path / "c.jsonl", rows)

    class Edit(Boom):
        def transform(self, X):
            with path.open("a") as fh:  # a writer appends while we read
                fh.write(json.dumps({"text": "late"}) + "\n")
            return list(X)

    model = make_pipeline(Edit(), SpacyTokenizer(), OneHotVectorizer()).fit(TRAIN)
    with pytest.raises(BatchError, match="the corpus changed since the run started"):
        featurize(model, path, tmp_path / "o", chunk_size=100, quiet=True)
    assert not (tmp_path / "o" / "manifest.json").exists()


def test_run_json_holds_the_corpus_fingerprint(pipe, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", rows_of(3))
    featurize(pipe, path, tmp_path / "o", quiet=True)
    import hashlib

    fp = read_manifest(tmp_path / "o")["corpus"]
    assert fp["size"] == path.stat().st_size
    assert fp["mtime_ns"] == path.stat().st_mtime_ns
    assert fp["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


# -- one run at a time ----------------------------------------------------------
def test_two_concurrent_starts_one_is_refused(pipe, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", rows_of(40))
    out = tmp_path / "o"
    barrier = threading.Barrier(2)
    results: list[object] = []

    def start() -> None:
        barrier.wait()
        try:
            results.append(featurize(pipe, path, out, chunk_size=5, quiet=True))
        except BatchError as exc:
            results.append(exc)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors = [r for r in results if isinstance(r, BatchError)]
    assert len(errors) == 1, results
    assert not (out / "run.lock").exists()
    assert load_features(out)[0].shape[0] == 40


def test_lock_of_a_live_run_refuses_a_start(pipe, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", rows_of(3))
    out = tmp_path / "o"
    out.mkdir()
    lock = {"pid": os.getpid(), "host": os.uname().nodename}
    (out / "run.lock").write_text(json.dumps(lock))
    with pytest.raises(BatchError, match=r"another featurize run \(pid \d+"):
        featurize(pipe, path, out, quiet=True)
    assert (out / "run.lock").exists()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_lock_of_a_killed_run_is_taken_over(pipe, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", rows_of(4))
    out = tmp_path / "o"
    unfinished_run(pipe, path, out)
    lock = {"pid": dead_pid(), "host": os.uname().nodename}
    (out / "run.lock").write_text(json.dumps(lock))
    with pytest.warns(BatchWarning, match="stale lock .* no longer running"):
        featurize(pipe, path, out, chunk_size=2, resume=True, quiet=True)
    assert read_manifest(out)["n_written"] == 4
    assert not (out / "run.lock").exists()


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="zombies are read from /proc (Linux)"
)
def test_stale_lock_of_a_killed_unreaped_run_is_taken_over(pipe, tmp_path: Path) -> None:
    # A run killed with SIGKILL whose parent has not reaped it is a zombie:
    # os.kill(pid, 0) still succeeds, yet the run is dead.
    path = write_jsonl(tmp_path / "c.jsonl", rows_of(4))
    out = tmp_path / "o"
    unfinished_run(pipe, path, out)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        # wait for the exit without reaping it (WNOWAIT): the pid is a zombie
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
        lock = {"pid": proc.pid, "host": os.uname().nodename}
        (out / "run.lock").write_text(json.dumps(lock))
        with pytest.warns(BatchWarning, match="stale lock .* no longer running"):
            featurize(pipe, path, out, chunk_size=2, resume=True, quiet=True)
    finally:
        proc.wait()
    assert read_manifest(out)["n_written"] == 4
    assert not (out / "run.lock").exists()


def test_lock_is_removed_when_the_run_fails(pipe, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [*rows_of(3), "{broken"])
    with pytest.raises(Exception, match="invalid JSON"):
        featurize(pipe, path, tmp_path / "o", quiet=True)
    assert not (tmp_path / "o" / "run.lock").exists()


# -- where the output goes -------------------------------------------------------
def test_out_dir_equal_to_the_corpus_folder_is_refused(pipe, tmp_path: Path) -> None:
    root = make_folder(tmp_path / "corpus")
    with pytest.raises(BatchError, match="out_dir .* is the corpus"):
        featurize(pipe, root, root, quiet=True)


def test_out_dir_equal_to_the_corpus_file_is_refused(pipe, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", rows_of(3))
    with pytest.raises(BatchError, match="out_dir .* is the corpus"):
        featurize(pipe, path, path, quiet=True)
    assert path.read_text().count("\n") == 3


# -- labels keep one type ---------------------------------------------------------
def test_int_labels_with_some_missing(pipe, tmp_path: Path) -> None:
    rows = rows_of(4)
    del rows[1]["label"]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    featurize(pipe, path, tmp_path / "o", chunk_size=2, quiet=True)
    m = read_manifest(tmp_path / "o")
    assert (m["label_type"], m["n_unlabelled"]) == ("int", 1)
    _, _, labels = load_features(tmp_path / "o")
    assert labels.dtype == object and labels.tolist() == [0, None, 2, 0]


@pytest.mark.parametrize(
    ("values", "kind", "dtype"),
    [
        ([3, 1, 2], "int", np.int64),
        (["x", "y", "x"], "str", np.str_),
        ([0.5, 1.0, 2.5], "float", np.float64),
        ([True, False, True], "bool", np.bool_),
    ],
)
def test_labels_keep_their_type(
    pipe, tmp_path: Path, values: list, kind: str, dtype: type
) -> None:
    rows = [{"text": "a cat", "label": v} for v in values]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    featurize(pipe, path, tmp_path / "o", chunk_size=2, quiet=True)
    assert read_manifest(tmp_path / "o")["label_type"] == kind
    _, _, labels = load_features(tmp_path / "o")
    assert labels.dtype.type is dtype and labels.tolist() == values


def test_unlabelled_corpus_gives_none_labels(pipe, tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text("a cat\na dog\n")
    featurize(pipe, path, tmp_path / "o", quiet=True)
    m = read_manifest(tmp_path / "o")
    assert (m["label_type"], m["n_unlabelled"]) == ("none", 2)
    assert load_features(tmp_path / "o")[2].tolist() == [None, None]


def test_label_of_another_type_stops_the_run_naming_the_record(
    pipe, tmp_path: Path
) -> None:
    rows = rows_of(5)
    rows[3]["label"] = "three"
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    with pytest.raises(CorpusError, match=r"c\.jsonl, line 4: .*'three' is str"):
        featurize(pipe, path, tmp_path / "o", quiet=True)


def test_label_of_another_type_is_quarantined(pipe, tmp_path: Path) -> None:
    rows = rows_of(5)
    rows[3]["label"] = "three"
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    featurize(pipe, path, tmp_path / "o", quarantine=True, quiet=True)
    m = read_manifest(tmp_path / "o")
    assert (m["label_type"], m["n_written"], m["n_quarantined"]) == ("int", 4, 1)
    assert load_features(tmp_path / "o")[2].tolist() == [0, 1, 2, 1]


def test_label_of_no_scalar_type_is_refused(pipe, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [{"text": "a", "label": [1, 2]}])
    with pytest.raises(CorpusError, match=r"line 1: .*label.* is list"):
        featurize(pipe, path, tmp_path / "o", quiet=True)


def test_int_label_beyond_int64_is_refused(pipe, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [{"text": "a", "label": 10**30}])
    with pytest.raises(CorpusError, match="line 1: .*more than 64 bits"):
        featurize(pipe, path, tmp_path / "o", quiet=True)


# -- resources ------------------------------------------------------------------
def test_n_jobs_above_the_cpu_count_is_bounded_by_the_cpus(
    pipe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import textfeat._parallel as parallel
    import textfeat.batch.executors as executors
    from textfeat.batch.executors import InlineExecutor

    started: list[int] = []

    class Recording(InlineExecutor):  # runs inline, remembers the count
        def __init__(self, fn, state, n_jobs):
            super().__init__(fn, state)
            started.append(n_jobs)

    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)
    monkeypatch.setattr(executors, "PoolExecutor", Recording)
    path = write_jsonl(tmp_path / "c.jsonl", rows_of(2))
    featurize(pipe, path, tmp_path / "o", n_jobs=10_000, quiet=True)
    assert started == [2]


@pytest.mark.parametrize("n_jobs", [0, -2, 1.5, True, "2"])
def test_n_jobs_neither_minus_one_nor_positive_is_refused(
    pipe, tmp_path: Path, n_jobs
) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", rows_of(2))
    with pytest.raises(BatchError, match=r"n_jobs must be -1 or a positive integer"):
        featurize(pipe, path, tmp_path / "o", n_jobs=n_jobs, quiet=True)


def test_model_n_jobs_does_not_choose_the_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = make_pipeline(SpacyTokenizer(n_jobs=6), OneHotVectorizer()).fit(TRAIN)

    def no_pool(*args, **kwargs):
        raise AssertionError("the tokenizer started its own processes")

    monkeypatch.setattr(SpacyTokenizer, "_parallel", no_pool)
    path = write_jsonl(tmp_path / "c.jsonl", rows_of(5))
    featurize(model, path, tmp_path / "o", quiet=True)
    assert model[0].n_jobs == 6  # the caller's model is not changed
    assert load_features(tmp_path / "o")[0].shape[0] == 5


# -- progress ---------------------------------------------------------------------
def test_progress_bar_has_a_total(pipe, tmp_path: Path, capsys) -> None:
    path = tmp_path / "c.txt"
    path.write_text("a cat\n\na dog\n")
    featurize(pipe, path, tmp_path / "o")
    assert re.search(r"\b3(\.00)?/3(\.00)? \[", capsys.readouterr().err)


def test_quiet_run_prints_nothing(pipe, tmp_path: Path, capsys) -> None:
    path = tmp_path / "c.txt"
    path.write_text("a cat\n")
    featurize(pipe, path, tmp_path / "o", quiet=True)
    assert capsys.readouterr().err == ""


# -- the command line ------------------------------------------------------------
def fit_config(tmp_path: Path) -> Path:
    config = tmp_path / "pipe.toml"
    config.write_text(
        '[[step]]\nclass = "SpacyTokenizer"\n\n[[step]]\nclass = "OneHotVectorizer"\n'
        '\n[[step]]\nclass = "LogisticRegression"\nC = 10.0\n'
    )
    return config


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_cli_int_labels_stay_int_from_fit_to_load_features(tmp_path: Path) -> None:
    from textfeat.persist import load

    rows = [{"text": t, "label": i % 2} for i, t in enumerate(TRAIN * 3)]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    model = tmp_path / "m.tfm"
    result = invoke("fit", path, "--config", fit_config(tmp_path), "--out", model)
    assert result.exit_code == 0, result.output
    pipe = load(model)
    assert pipe.classes_.tolist() == [0, 1]
    assert invoke("featurize", model, path, tmp_path / "o", "-q").exit_code == 0
    _, _, labels = load_features(tmp_path / "o")
    pred = pipe.predict([r["text"] for r in rows])
    assert labels.dtype == np.int64 and pred.dtype.kind == "i"
    assert (pred == labels).mean() == 1.0
    result = invoke("evaluate", model, path, "--json")
    assert json.loads(result.output)["accuracy"] == 1.0


def test_cli_fit_quarantine_file(tmp_path: Path) -> None:
    rows: list[dict | str] = [
        {"text": t, "label": "ab"[i % 2]} for i, t in enumerate(TRAIN * 2)
    ]
    rows.insert(2, "{broken")
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    config = fit_config(tmp_path)
    result = invoke("fit", path, "--config", config, "--out", tmp_path / "m.tfm", "-q")
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"error: {path}, line 3: invalid JSON")
    q = tmp_path / "q.jsonl"
    result = invoke(
        "fit", path, "--config", config, "--out", tmp_path / "m.tfm", "--quarantine", q
    )
    assert result.exit_code == 0, result.output
    assert "fitted 8 records; 1 quarantined" in result.output
    [entry] = [json.loads(x) for x in q.read_text().splitlines()]
    assert entry["line"] == 3


def test_cli_evaluate_quarantine_file(tmp_path: Path) -> None:
    rows: list[dict | str] = [
        {"text": t, "label": "ab"[i % 2]} for i, t in enumerate(TRAIN * 2)
    ]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    model = tmp_path / "m.tfm"
    invoke("fit", path, "--config", fit_config(tmp_path), "--out", model)
    bad = write_jsonl(tmp_path / "bad.jsonl", [*rows, "{broken"])
    q = tmp_path / "q.jsonl"
    result = invoke("evaluate", model, bad, "--quarantine", q)
    assert result.exit_code == 0, result.output
    assert "1 quarantined" in result.output
    assert len(q.read_text().splitlines()) == 1


@pytest.mark.parametrize("command", ["fit", "featurize", "select", "evaluate"])
def test_cli_commands_take_every_csv_option(command: str) -> None:
    result = invoke(command, "--help")
    for option in (
        "--delimiter", "--quotechar", "--quoting", "--doublequote",
        "--no-doublequote", "--escapechar",
    ):  # fmt: skip
        assert option in result.output, option


# -- every line accounted for, end to end through featurize ----------------------
def test_manifest_accounts_for_every_line_with_shard_spans(
    pipe, tmp_path: Path
) -> None:
    path = tmp_path / "c.jsonl"
    rows = [json.dumps(r) for r in rows_of(5)]
    path.write_text("\n".join([rows[0], "", rows[1], "{bad", *rows[2:]]) + "\n")
    featurize(pipe, path, tmp_path / "o", chunk_size=2, quarantine=True, quiet=True)
    m = read_manifest(tmp_path / "o")
    assert m["lines"] == {"read": 7, "skipped": 1, "in_written": 5, "in_quarantined": 1}
    spans = [(s["span"]["from"][1], s["span"]["to"][1]) for s in m["shards"]]
    assert spans == [(1, 4), (5, 6), (7, 7)]  # together, lines 1..7


def test_a_swallowed_record_cannot_balance_the_count(
    pipe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import textfeat.batch.run as batch

    real = batch.read_corpus

    def swallowing(*args, **kwargs):
        for i, rec in enumerate(real(*args, **kwargs)):
            if i != 2:  # a reader that loses a record, counts intact
                yield rec

    monkeypatch.setattr(batch, "read_corpus", swallowing)
    path = write_jsonl(tmp_path / "c.jsonl", rows_of(5))
    with pytest.raises(BatchError, match="lines were lost, refusing to write"):
        featurize(pipe, path, tmp_path / "o", quiet=True)
    assert not (tmp_path / "o" / "manifest.json").exists()


def test_unterminated_quote_loses_one_row_not_the_rest(pipe, tmp_path: Path) -> None:
    lines = ["id,text,label"] + [f"r{i},a cat {i},x" for i in range(1000)]
    lines[500] = 'r499,"a cat 499,x'
    path = tmp_path / "c.csv"
    path.write_text("\n".join(lines) + "\n")
    report = featurize(
        pipe, path, tmp_path / "o", chunk_size=300, quarantine=True, quiet=True
    )
    assert (report.n_in, report.n_written, report.n_quarantined) == (1000, 999, 1)
    m = read_manifest(tmp_path / "o")
    assert m["lines"] == {
        "read": 1001, "skipped": 1, "in_written": 999, "in_quarantined": 1,
    }  # fmt: skip
    [entry] = [
        json.loads(x)
        for x in (tmp_path / "o" / "quarantine.jsonl").read_bytes().splitlines()
    ]
    assert entry["line"] == 501
    ids = load_features(tmp_path / "o")[1].tolist()
    assert ids == [f"r{i}" for i in range(1000) if i != 499]


def test_csv_with_a_bom(pipe, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("\ufefftext,label\na cat,x\na dog,y\n".encode())
    featurize(pipe, path, tmp_path / "o", quiet=True)
    _, _, labels = load_features(tmp_path / "o")
    assert labels.tolist() == ["x", "y"]


def test_truncated_gzip_is_quarantined_and_accounted(pipe, tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "c.jsonl.gz"
    data = gzip.compress("".join(json.dumps(r) + "\n" for r in rows_of(400)).encode())
    path.write_bytes(data[: len(data) // 2])
    report = featurize(pipe, path, tmp_path / "o", quarantine=True, quiet=True)
    assert report.n_quarantined == 1 and report.n_written > 0
    m = read_manifest(tmp_path / "o")
    lines = m["lines"]
    assert lines["read"] == lines["in_written"] + lines["in_quarantined"]
    [entry] = [
        json.loads(x)
        for x in (tmp_path / "o" / "quarantine.jsonl").read_bytes().splitlines()
    ]
    assert entry["file"] == str(path) and entry["line"] == lines["read"]


def folder_with_odd_entries(tmp_path: Path) -> Path:
    root = make_folder(tmp_path / "corpus")
    os.symlink(tmp_path / "nowhere.txt", root / "pets" / "dangling.txt")
    os.mkfifo(root / "pets" / "fifo.txt")
    return root


def test_fifo_and_dangling_link_in_a_folder_are_quarantined(
    pipe, tmp_path: Path
) -> None:
    root = folder_with_odd_entries(tmp_path)
    report = featurize(pipe, root, tmp_path / "o", quarantine=True, quiet=True)
    assert (report.n_in, report.n_written, report.n_quarantined) == (5, 3, 2)
    entries = [
        json.loads(x)
        for x in (tmp_path / "o" / "quarantine.jsonl").read_bytes().splitlines()
    ]
    assert sorted(Path(e["file"]).name for e in entries) == ["dangling.txt", "fifo.txt"]
    m = read_manifest(tmp_path / "o")
    assert (m["lines"]["in_written"], m["lines"]["in_quarantined"]) == (3, 2)


def test_fifo_in_a_folder_without_quarantine_names_the_file(
    pipe, tmp_path: Path
) -> None:
    root = folder_with_odd_entries(tmp_path)
    with pytest.raises(CorpusError, match=r"pets/dangling\.txt"):
        featurize(pipe, root, tmp_path / "o", quiet=True)


def test_out_dir_inside_the_folder_corpus_is_not_read(pipe, tmp_path: Path) -> None:
    root = make_folder(tmp_path / "corpus")
    out = root / "pets" / "features"
    featurize(pipe, root, out, chunk_size=2, quiet=True)
    _, ids, _ = load_features(out)
    assert ids.tolist() == ["misc/0.txt", "pets/0.txt", "pets/1.txt"]
    (out / "manifest.json").unlink()
    report = featurize(pipe, root, out, chunk_size=2, resume=True, quiet=True)
    assert (report.n_in, report.n_skipped) == (3, 2)


def test_large_corpus_hashed_during_the_run_is_checked_at_the_end(
    pipe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import textfeat.batch._fingerprint as fingerprint

    monkeypatch.setattr(fingerprint, "_HASH_AT_START", 0)  # every corpus is "large"
    rows = rows_of(6)
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    unfinished_run(pipe, path, tmp_path / "o")
    run = json.loads((tmp_path / "o" / "run.json").read_text())
    assert len(run["corpus"]["sha256"]) == 64
    st = path.stat()
    rows[4]["text"] = "a dog"
    write_jsonl(path, rows)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(BatchError, match="refusing to finish, the corpus changed"):
        featurize(pipe, path, tmp_path / "o", chunk_size=2, resume=True, quiet=True)
    assert not (tmp_path / "o" / "manifest.json").exists()


def test_cli_fit_tsv_with_unescaped_quotes_and_quoting_none(tmp_path: Path) -> None:
    from textfeat.persist import load

    path = tmp_path / "sms.tsv"
    texts = ['He said "hi', "ok then", 'a "quoted" word', 'end"', "fine", 'x "y']
    path.write_text(
        "label\ttext\n" + "".join(f"{'ab'[i % 2]}\t{t}\n" for i, t in enumerate(texts))
    )
    model = tmp_path / "m.tfm"
    config = fit_config(tmp_path)
    result = invoke(
        "fit", path, "--config", config, "--out", model, "--quoting", "none"
    )
    assert result.exit_code == 0, result.output
    assert "fitted 6 records" in result.output
    assert load(model).classes_.tolist() == ["a", "b"]


def test_model_with_the_deprecated_n_process_runs_in_one_process_without_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A model saved before 'n_jobs' replaced 'n_process' (or a user's model
    # that still sets it) runs in the caller's processes, and the batch run
    # does not warn about the alias it set itself (warnings are errors here).
    with pytest.warns(FutureWarning, match="n_jobs"):
        model = make_pipeline(SpacyTokenizer(n_process=2), OneHotVectorizer()).fit(
            TRAIN
        )

    def no_pool(*args, **kwargs):
        raise AssertionError("the tokenizer started its own processes")

    monkeypatch.setattr(SpacyTokenizer, "_parallel", no_pool)
    path = write_jsonl(tmp_path / "c.jsonl", rows_of(5))
    featurize(model, path, tmp_path / "o", quiet=True)
    assert model[0].n_process == 2  # the caller's model is not changed
    assert load_features(tmp_path / "o")[0].shape[0] == 5


# -- a bad reader option leaves nothing behind ---------------------------------


@pytest.mark.parametrize(
    ("name", "opts"),
    [
        ("c.csv", {"quoting": "bogus"}),
        ("c.csv", {"quotechar": "ab"}),
        ("c.txt", {"text_field": ["a", "b"]}),
        ("c.jsonl", {"format": "yaml"}),
    ],
)
def test_bad_reader_option_writes_no_run_and_a_retry_works(
    pipe, tmp_path: Path, name: str, opts: dict
) -> None:
    src = tmp_path / name
    content = {".csv": "text,label\na cat,x\n", ".jsonl": '{"text": "a cat"}\n'}
    src.write_text(content.get(src.suffix, "a cat\n"))
    out = tmp_path / "out"
    with pytest.raises(ValueError):
        featurize(pipe, src, out, **opts)
    assert not (out / "run.json").exists()
    featurize(pipe, src, out, quiet=True)  # the corrected run needs no new folder
    X, _, _ = load_features(out)
    assert X.shape[0] == 1
