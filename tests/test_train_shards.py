"""Training the softmax head over featurize shards: oracle is the in-memory fit."""

from __future__ import annotations

import gzip
import itertools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import CHUNK, NEWS, TOPICS, read_rows, require, write_rows
from sklearn.feature_selection import SelectKBest, chi2
from sklearn.pipeline import make_pipeline
from typer.testing import CliRunner

from textfeat import OneHotVectorizer, SpacyTokenizer
from textfeat._parallel import local_cluster
from textfeat.batch import BatchError, featurize, load_features, read_manifest
from textfeat.batch.train import train_shards
from textfeat.cli import app
from textfeat.head.classifier import SoftmaxClassifier
from textfeat.io.persist import load, save

SCRIPT = Path(sys.executable).parent / "textfeat"
TIGHT = {"C": 1.0, "tol": 1e-9, "max_iter": 1000}


@pytest.fixture(scope="module")
def pipe():
    texts = [r["text"] for r in read_rows()]
    return make_pipeline(SpacyTokenizer(), OneHotVectorizer()).fit(texts)


@pytest.fixture(scope="module")
def topics_out(tmp_path_factory, pipe) -> Path:
    out = tmp_path_factory.mktemp("topics") / "out"
    featurize(pipe, TOPICS, out, chunk_size=CHUNK, quiet=True)
    return out


@pytest.fixture(scope="module")
def reference(topics_out):
    X, _, y = load_features(topics_out)
    return X, y, SoftmaxClassifier(**TIGHT).fit(X, y)


def assert_same_model(clf, ref, atol=1e-6):
    assert isinstance(clf, SoftmaxClassifier)
    np.testing.assert_array_equal(clf.classes_, ref.classes_)
    assert clf.classes_.dtype == ref.classes_.dtype
    np.testing.assert_allclose(clf.coef_, ref.coef_, rtol=0, atol=atol)
    np.testing.assert_allclose(clf.intercept_, ref.intercept_, rtol=0, atol=atol)


# -- equality with the in-memory fit -----------------------------------------------


def test_shards_do_not_divide_the_corpus(topics_out):
    sizes = [s["n_records"] for s in read_manifest(topics_out)["shards"]]
    assert len(set(sizes)) == 2 and sum(sizes) == 360


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_lbfgs_over_shards_equals_in_memory_fit(topics_out, reference, n_jobs):
    X, _, ref = reference
    clf = train_shards(topics_out, n_jobs=n_jobs, **TIGHT)
    assert_same_model(clf, ref)
    np.testing.assert_array_equal(clf.predict(X), ref.predict(X))


def test_worker_count_does_not_change_a_bit(topics_out):
    one = train_shards(topics_out, C=10.0, n_jobs=1)
    two = train_shards(topics_out, C=10.0, n_jobs=2)
    np.testing.assert_array_equal(two.coef_, one.coef_)
    np.testing.assert_array_equal(two.intercept_, one.intercept_)
    assert two.n_iter_ == one.n_iter_


def test_no_cache_rereads_shards_with_the_same_bits(topics_out):
    cached = train_shards(topics_out, n_jobs=2)
    reread = train_shards(topics_out, n_jobs=2, cache=False)
    np.testing.assert_array_equal(reread.coef_, cached.coef_)
    np.testing.assert_array_equal(reread.intercept_, cached.intercept_)


def test_dask_local_cluster_equals_in_memory_fit(topics_out, reference):
    distributed = pytest.importorskip("distributed")
    with (
        local_cluster(2, processes=False) as cluster,
        distributed.Client(cluster) as client,
    ):
        clf = train_shards(topics_out, engine="dask", scheduler=client, n_jobs=2, **TIGHT)
    assert_same_model(clf, reference[2])


def test_dask_scheduler_address_gives_the_same_model(topics_out):
    pytest.importorskip("distributed")
    with local_cluster(2, processes=False) as cluster:
        clf = train_shards(
            topics_out, engine="dask", scheduler=cluster.scheduler_address, n_jobs=2
        )
    local = train_shards(topics_out, n_jobs=1)  # same blocks, same sums
    np.testing.assert_array_equal(clf.coef_, local.coef_)


def test_default_tolerance_agrees_with_fit_at_its_own_tolerance(topics_out, reference):
    # Same L-BFGS settings as fit: the default tol stops both at the same point
    # up to the rounding of the summed gradient.
    X, y, _ = reference
    ref = SoftmaxClassifier(C=10.0).fit(X, y)
    clf = train_shards(topics_out, C=10.0, n_jobs=2)
    assert clf.n_iter_ == ref.n_iter_
    assert_same_model(clf, ref, atol=1e-6)


def test_class_weight_balanced_counts_every_shard(tmp_path, pipe):
    rows = [r for r in read_rows() if r["label"] != "space" or r["id"].endswith("1")]
    out = tmp_path / "out"
    featurize(pipe, write_rows(tmp_path / "c.jsonl", rows), out, chunk_size=CHUNK, quiet=True)
    X, _, y = load_features(out)
    ref = SoftmaxClassifier(class_weight="balanced", **TIGHT).fit(X, y)
    assert_same_model(train_shards(out, class_weight="balanced", **TIGHT), ref)


def test_unlabelled_records_are_skipped(tmp_path, pipe):
    rows = read_rows()
    for r in rows[::5]:
        del r["label"]
    out = tmp_path / "out"
    featurize(pipe, write_rows(tmp_path / "c.jsonl", rows), out, chunk_size=CHUNK, quiet=True)
    assert read_manifest(out)["n_unlabelled"] == 72
    X, _, labels = load_features(out)
    mask = np.array([v is not None for v in labels])
    ref = SoftmaxClassifier(**TIGHT).fit(X[mask], labels[mask].astype(str))
    assert_same_model(train_shards(out, **TIGHT), ref)


def test_two_classes_give_one_weight_row_as_fit(tmp_path, pipe):
    rows = [r for r in read_rows() if r["label"] in ("space", "cooking")]
    out = tmp_path / "out"
    featurize(pipe, write_rows(tmp_path / "c.jsonl", rows), out, chunk_size=CHUNK, quiet=True)
    X, _, y = load_features(out)
    clf = train_shards(out, **TIGHT)
    assert clf.coef_.shape == (1, X.shape[1])
    assert_same_model(clf, SoftmaxClassifier(**TIGHT).fit(X, y))


def test_no_intercept_equals_fit(topics_out, reference):
    X, y, _ = reference
    ref = SoftmaxClassifier(fit_intercept=False, **TIGHT).fit(X, y)
    assert_same_model(train_shards(topics_out, fit_intercept=False, **TIGHT), ref)


def test_select_with_a_fitted_selector_trains_on_its_columns(topics_out, reference):
    X, y, _ = reference
    selector = SelectKBest(chi2, k=50).fit(X, y)
    ref = SoftmaxClassifier(**TIGHT).fit(selector.transform(X), y)
    clf = train_shards(topics_out, select=selector, **TIGHT)
    assert clf.n_features_in_ == 50
    assert_same_model(clf, ref)


def test_select_with_column_indices_equals_fit_on_those_columns(topics_out, reference):
    X, y, _ = reference
    cols = np.array([400, 3, 17, 250, 90])
    ref = SoftmaxClassifier(**TIGHT).fit(X[:, cols], y)
    assert_same_model(train_shards(topics_out, select=cols, **TIGHT), ref)


def test_selector_fitted_on_another_width_is_refused(topics_out, reference):
    X, y, _ = reference
    selector = SelectKBest(chi2, k=5).fit(X[:, :100], y)
    with pytest.raises(ValueError, match="fitted on 100 features, the run has 492"):
        train_shards(topics_out, select=selector)


def test_epochs_are_partial_fit_over_shards_in_shuffled_order(topics_out):
    manifest = read_manifest(topics_out)
    X, _, y = load_features(topics_out)
    bounds = np.cumsum([0] + [s["n_records"] for s in manifest["shards"]])
    ref = SoftmaxClassifier(C=10.0, random_state=3)
    rng = np.random.RandomState(3)
    for _ in range(3):
        for k in rng.permutation(len(bounds) - 1):
            part = slice(bounds[k], bounds[k + 1])
            ref.partial_fit(X[part], y[part], classes=np.unique(y))
    clf = train_shards(topics_out, C=10.0, method="epochs", n_epochs=3, random_state=3)
    assert_same_model(clf, ref, atol=0)
    assert clf.n_iter_ == ref.n_iter_


def test_trained_model_saves_loads_and_predicts(tmp_path, topics_out, reference):
    X, _, _ = reference
    clf = train_shards(topics_out, C=10.0)
    back = load(save(clf, tmp_path / "head.tfm"))
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))
    np.testing.assert_array_equal(back.coef_, clf.coef_)


# -- kill -9 and restart -------------------------------------------------------

_KILLER = """
import os, signal, sys
from textfeat.batch import train as T
calls = 0
real = T._Local.__call__
def dying(self, theta):
    global calls
    calls += 1
    if calls > 6:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, theta)
T._Local.__call__ = dying
T.train_shards(sys.argv[1], checkpoint=sys.argv[2], C=1.0)
"""


def test_kill9_then_resume_from_checkpoint_gives_the_same_bits(tmp_path, topics_out):
    ck = tmp_path / "ck.bin"
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILLER), str(topics_out), str(ck)],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == -9, proc.stderr.decode()
    logged = ck.stat().st_size
    assert logged > 6 * 8 * 492 * 6  # six gradients at least
    with ck.open("ab") as fh:  # a record torn by the kill
        fh.write(b"TFEV\x10\x00\x00\x00\x00\x00\x00\x00half a record")

    from textfeat.batch import train as T

    calls = {"n": 0}
    real = T._Local.__call__

    def counting(self, theta):
        calls["n"] += 1
        return real(self, theta)

    T._Local.__call__ = counting
    try:
        resumed = train_shards(topics_out, checkpoint=ck, C=1.0)
        n_resumed = calls["n"]
        calls["n"] = 0
        fresh = train_shards(topics_out, C=1.0)
    finally:
        T._Local.__call__ = real
    np.testing.assert_array_equal(resumed.coef_, fresh.coef_)
    np.testing.assert_array_equal(resumed.intercept_, fresh.intercept_)
    assert n_resumed == calls["n"] - 6  # the six logged passes were replayed
    assert not ck.exists()  # removed when training finished


def test_checkpoint_of_other_settings_is_refused(tmp_path, topics_out):
    ck = tmp_path / "ck.bin"
    ck.write_bytes(b'{"textfeat-train-checkpoint": "0123"}\n')
    with pytest.raises(BatchError, match=r"ck\.bin: a checkpoint of another run"):
        train_shards(topics_out, checkpoint=ck)


# -- bad inputs ------------------------------------------------------------------


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(BatchError, match=rf"{tmp_path / 'nope'}: no such folder"):
        train_shards(tmp_path / "nope")


def test_unfinished_run_is_named(tmp_path, pipe):
    out = tmp_path / "out"
    featurize(pipe, TOPICS, out, chunk_size=100, quiet=True)
    (out / "manifest.json").unlink()
    with pytest.raises(BatchError, match=rf"{out}: no manifest.json"):
        train_shards(out)


def test_folder_that_is_not_a_featurize_output_is_named(tmp_path):
    (tmp_path / "manifest.json").write_text('{"format": "something else"}')
    with pytest.raises(BatchError, match="manifest.json: not a textfeat featurize"):
        train_shards(tmp_path)


def test_no_labelled_record_is_named(tmp_path, pipe):
    rows = [{k: v for k, v in r.items() if k != "label"} for r in read_rows()[:50]]
    out = tmp_path / "out"
    featurize(pipe, write_rows(tmp_path / "c.jsonl", rows), out, chunk_size=CHUNK, quiet=True)
    with pytest.raises(BatchError, match=rf"{out}: no labelled record"):
        train_shards(out)


def test_one_class_only_is_named(tmp_path, pipe):
    rows = [r for r in read_rows() if r["label"] == "space"]
    out = tmp_path / "out"
    featurize(pipe, write_rows(tmp_path / "c.jsonl", rows), out, chunk_size=CHUNK, quiet=True)
    with pytest.raises(BatchError, match=rf"{out}: .*one class only, 'space'"):
        train_shards(out)


def test_tampered_shard_is_refused(tmp_path, pipe):
    out = tmp_path / "out"
    featurize(pipe, TOPICS, out, chunk_size=100, quiet=True)
    path = out / "shard-00002.npz"
    data = bytearray(path.read_bytes())
    data[-20] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(BatchError, match=r"shard-00002\.npz: checksum mismatch"):
        train_shards(out, n_jobs=2)


def test_tampered_records_file_is_refused(tmp_path, pipe):
    out = tmp_path / "out"
    featurize(pipe, TOPICS, out, chunk_size=100, quiet=True)
    path = out / "shard-00001.records.npz"
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    with pytest.raises(BatchError, match=r"shard-00001\.records\.npz: checksum"):
        train_shards(out)


def test_manifest_naming_a_foreign_file_is_refused(tmp_path, pipe):
    out = tmp_path / "out"
    featurize(pipe, TOPICS, out, chunk_size=100, quiet=True)
    manifest = json.loads((out / "manifest.json").read_text())
    files = manifest["shards"][0]["files"]
    files["../../etc/passwd"] = files.pop(next(iter(files)))
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BatchError, match="is not one of shard 0's files"):
        train_shards(out)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("n_features", 10, r"shard-00000\.npz: features of shape \(100, 492\), but"),
        ("label_type", "int", "shard 0 holds labels of type 'str', the run 'int'"),
    ],
)
def test_manifest_altered_after_the_run_is_refused(tmp_path, pipe, field, value, message):
    out = tmp_path / "out"
    featurize(pipe, TOPICS, out, chunk_size=100, quiet=True)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest[field] = value
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BatchError, match=message):
        train_shards(out)


@pytest.mark.parametrize(
    ("select", "message"),
    [
        ([0, 492], r"select: column indices must be in \[0, 492\)"),
        ([-1], r"select: column indices must be in"),
        (np.ones(3, dtype=bool), r"select: a boolean mask must have 492 entries"),
        (["a"], "select must be a 1-D array of column indices"),
        ([], "select selects no column"),
    ],
)
def test_bad_select_is_named(topics_out, select, message):
    with pytest.raises(ValueError, match=message):
        train_shards(topics_out, select=select)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "sgd"}, "method must be 'lbfgs' or 'epochs', got 'sgd'"),
        ({"engine": "ray"}, "engine must be 'local' or 'dask', got 'ray'"),
        ({"n_jobs": 0}, "n_jobs must be -1 or a positive integer, got 0"),
        ({"C": -1.0}, "'C' parameter"),
        ({"method": "epochs", "n_epochs": 0}, "n_epochs must be a positive integer"),
        ({"method": "epochs", "checkpoint": "c"}, "checkpoint is for method='lbfgs'"),
    ],
)
def test_bad_parameters_are_named(topics_out, kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_shards(topics_out, **kwargs)


# -- the command -------------------------------------------------------------------


def textfeat(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False
    )


def test_cli_train_writes_the_model_of_the_function(tmp_path, topics_out):
    proc = textfeat("train", topics_out, "--out", tmp_path / "m.tfm", "-C", 10, "-j", 2)
    assert proc.returncode == 0, proc.stderr
    assert "6 classes, 492 features" in proc.stdout
    np.testing.assert_allclose(
        load(tmp_path / "m.tfm").coef_, train_shards(topics_out, C=10.0).coef_, atol=1e-12
    )


def in_process(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_cli_train_select_json_and_epochs(tmp_path, topics_out):
    (tmp_path / "cols.json").write_text("[1, 5, 9]")
    result = in_process(
        "train", topics_out, "--out", tmp_path / "m.tfm", "--select",
        tmp_path / "cols.json", "--epochs", 2,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert load(tmp_path / "m.tfm").n_features_in_ == 3


def test_cli_train_missing_folder_names_it_and_exits_1(tmp_path):
    proc = textfeat("train", tmp_path / "out", "--out", tmp_path / "m.tfm")
    assert proc.returncode == 1
    assert proc.stderr == f"error: {tmp_path / 'out'}: no such folder; give the OUT_DIR of featurize\n"
    assert not (tmp_path / "m.tfm").exists()


@pytest.mark.parametrize("kind", ["unfinished", "unlabelled", "one class"])
def test_cli_train_bad_folder_names_it_and_exits_1(tmp_path, pipe, kind):
    out = tmp_path / "out"
    rows = read_rows()[:40]
    if kind == "unlabelled":
        rows = [{k: v for k, v in r.items() if k != "label"} for r in rows]
    if kind == "one class":
        rows = [{**r, "label": "x"} for r in rows]
    featurize(pipe, write_rows(tmp_path / "c.jsonl", rows), out, chunk_size=30, quiet=True)
    if kind == "unfinished":
        (out / "manifest.json").unlink()
    result = in_process("train", out, "--out", tmp_path / "m.tfm")
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {out}: ")
    assert not (tmp_path / "m.tfm").exists()


# -- 20 Newsgroups -------------------------------------------------------------------


def test_20news_subset_over_shards_equals_in_memory_fit(tmp_path):
    path = require(NEWS) / "train.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:  # every 80th: all 20 groups
        rows = [json.loads(line) for line in itertools.islice(fh, 0, None, 80)]
    rows = [{**r, "text": r["text"][:1000]} for r in rows]
    corpus = write_rows(tmp_path / "news.jsonl", rows)
    pipe = make_pipeline(SpacyTokenizer(), OneHotVectorizer(min_df=3))
    pipe.fit([r["text"] for r in rows])
    out = tmp_path / "out"
    featurize(pipe, corpus, out, chunk_size=60, quiet=True)  # 142 records
    X, _, y = load_features(out)
    assert sp.issparse(X) and len(np.unique(y)) == 20
    ref = SoftmaxClassifier(C=0.1, tol=1e-6, max_iter=2000).fit(X, y)
    clf = train_shards(out, C=0.1, tol=1e-6, max_iter=2000, n_jobs=2)
    assert_same_model(clf, ref)
    np.testing.assert_array_equal(clf.predict(X), ref.predict(X))


def test_cli_train_help_has_an_example():
    result = in_process("train", "--help")
    assert result.exit_code == 0
    assert "Example: textfeat train " in result.output


def test_cli_train_without_out_is_a_usage_error(topics_out):
    assert in_process("train", topics_out).exit_code == 2


def test_cli_train_takes_the_selection_json_of_select(tmp_path, topics_out):
    selection = {"n_features": 492, "indices": [3, 17, 90, 250, 400]}
    (tmp_path / "sel.json").write_text(json.dumps(selection))
    result = in_process(
        "train", topics_out, "--out", tmp_path / "m.tfm", "--select", tmp_path / "sel.json"
    )
    assert result.exit_code == 0, result.output
    expected = train_shards(topics_out, select=selection["indices"])
    np.testing.assert_array_equal(load(tmp_path / "m.tfm").coef_, expected.coef_)


def test_cli_train_refuses_a_selection_of_another_width(tmp_path, topics_out):
    (tmp_path / "sel.json").write_text('{"n_features": 500, "indices": [1, 2]}')
    result = in_process(
        "train", topics_out, "--out", tmp_path / "m.tfm", "--select", tmp_path / "sel.json"
    )
    assert result.exit_code == 1
    assert "fitted on 500 features, the run has 492" in result.output
