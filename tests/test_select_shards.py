"""Scores and selection over featurize shards: the oracle is the in-memory scorer."""

from __future__ import annotations

import gzip
import itertools
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import CHUNK, NEWS, TOPICS, read_rows, require, write_rows
from sklearn.pipeline import make_pipeline

from textfeat import OneHotVectorizer, SpacyTokenizer
from textfeat.batch import BatchError, featurize, load_features, read_manifest
from textfeat.batch.select import select_shards, shard_scores, shard_tables
from textfeat.batch.train import train_shards
from textfeat.info import (
    class_scores,
    conditional_entropy,
    entropy,
    joint_entropy,
    js_score,
    kl_score,
    mutual_info,
)
from textfeat.info._tables import tables_from_counts
from textfeat.io.persist import load, save

SCRIPT = Path(sys.executable).parent / "textfeat"
TOL = {"rtol": 0, "atol": 1e-12}


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
def memory(topics_out):
    X, _, y = load_features(topics_out)
    return X, y


# -- equality with the in-memory scorers -----------------------------------------------


def test_shards_do_not_divide_the_corpus(topics_out):
    sizes = [s["n_records"] for s in read_manifest(topics_out)["shards"]]
    assert len(set(sizes)) == 2 and sum(sizes) == 360


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_mutual_info_over_shards_equals_in_memory(topics_out, memory, n_jobs):
    X, y = memory
    got = shard_scores(topics_out, "mi", n_jobs=n_jobs)
    np.testing.assert_allclose(got, mutual_info(X, y), **TOL)


@pytest.mark.parametrize(
    ("score", "oracle"),
    [
        ("entropy", lambda X, y, b: entropy(X, base=b)),
        ("conditional_entropy", lambda X, y, b: conditional_entropy(X, y, base=b)),
        ("joint_entropy", lambda X, y, b: joint_entropy(X, y, base=b)),
        ("kl", lambda X, y, b: kl_score(X, y, base=b)),
        ("js", lambda X, y, b: js_score(X, y, base=b, aggregate="mean")),
    ],
)
def test_feature_scores_over_shards_equal_in_memory(topics_out, memory, score, oracle):
    X, y = memory
    agg = "mean" if score == "js" else "max"
    got = shard_scores(topics_out, score, base=2, aggregate=agg, n_jobs=2)
    np.testing.assert_allclose(got, oracle(X, y, 2), **TOL)


@pytest.mark.parametrize("kind", ["mi", "pmi", "kl", "js"])
def test_class_scores_over_shards_equal_in_memory(topics_out, memory, kind):
    X, y = memory
    got = shard_scores(topics_out, f"class_{kind}", base=2)
    np.testing.assert_allclose(got, class_scores(X, y, score=kind, base=2), **TOL)


def test_dask_local_cluster_equals_in_memory(topics_out, memory):
    distributed = pytest.importorskip("distributed")
    X, y = memory
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = shard_scores(topics_out, "mi", engine="dask", scheduler=client)
    np.testing.assert_allclose(got, mutual_info(X, y), **TOL)


def test_shard_order_does_not_change_the_counts(topics_out, tmp_path):
    # The same run with its shard list reversed in the manifest: the merged
    # counts are identical bit for bit (integer sums).
    copy = tmp_path / "rev"
    shutil.copytree(topics_out, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["shards"] = manifest["shards"][::-1]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    a, _, _ = shard_tables(topics_out)
    b, _, _ = shard_tables(copy, n_jobs=2)
    np.testing.assert_array_equal(a.class_n, b.class_n)
    np.testing.assert_array_equal(a.feature_n, b.feature_n)
    np.testing.assert_array_equal(
        shard_scores(topics_out, "mi"), shard_scores(copy, "mi")
    )


def test_unlabelled_records_are_skipped(pipe, tmp_path, memory):
    rows = read_rows()
    for r in rows[::5]:
        del r["label"]
    out = tmp_path / "out"
    featurize(
        pipe, write_rows(tmp_path / "c.jsonl", rows), out, chunk_size=CHUNK, quiet=True
    )
    X, _, y = load_features(out)
    mask = np.array([v is not None for v in y])
    ref = mutual_info(X[mask], y[mask].astype(str))
    np.testing.assert_allclose(shard_scores(out, "mi", n_jobs=2), ref, **TOL)


def test_tables_from_counts_match_a_hand_computed_case():
    # X = [[1, 0], [1, 1], [0, 0], [0, 1]], y = [a, a, b, b]: feature 0 is
    # the class (MI = 1 bit), feature 1 is independent of it (MI = 0).
    t = tables_from_counts([2, 2], np.array([[2, 0], [1, 1]]))
    from textfeat.info._tables import finish, mi_sum

    np.testing.assert_allclose(finish(mi_sum(t), t.total, math.log(2)), [1.0, 0.0])


def test_tables_from_counts_refuse_more_presence_than_class_size():
    with pytest.raises(ValueError, match="more samples than its class"):
        tables_from_counts([1, 2], sp.csr_matrix(np.array([[2, 0]])))


# -- the selection --------------------------------------------------------------------


def test_selection_is_select_k_best_on_the_in_memory_scores(
    topics_out, memory, tmp_path
):
    from sklearn.feature_selection import SelectKBest

    X, y = memory
    sel = select_shards(topics_out, 25, out=tmp_path / "sel.json")
    ref = SelectKBest(mutual_info, k=25).fit(X, y)
    np.testing.assert_array_equal(sel.get_support(), ref.get_support())
    assert (sel.transform(X) != ref.transform(X)).nnz == 0


def test_chi2_over_shards_equals_scikit_learn(topics_out, memory):
    from sklearn.feature_selection import chi2

    X, y = memory
    sel = select_shards(topics_out, 10, score="chi2", n_jobs=2)
    stat, pval = chi2(X.astype(np.float64), y)
    np.testing.assert_allclose(sel.scores_, stat, rtol=1e-12, atol=0)
    np.testing.assert_allclose(sel.pvalues_, pval, rtol=1e-9, atol=1e-300)


def test_selection_file_names_the_columns(topics_out, pipe, tmp_path):
    path = tmp_path / "sel.json"
    sel = select_shards(topics_out, 7, score="js", out=path)
    doc = json.loads(path.read_text())
    names = pipe.steps[-1][1].get_feature_names_out()
    assert doc["k"] == 7 and doc["score"] == "js"
    assert doc["indices"] == sel.get_support(indices=True).tolist()
    assert doc["names"] == [str(names[j]) for j in doc["indices"]]
    assert sorted(doc["ranking"]) == doc["indices"]
    np.testing.assert_array_equal(doc["scores"], sel.scores_[doc["indices"]])


def test_saved_selector_round_trips_and_trains(topics_out, tmp_path):
    sel = select_shards(topics_out, 30)
    save(sel, tmp_path / "sel.tfm")
    back = load(tmp_path / "sel.tfm")
    np.testing.assert_array_equal(back.get_support(), sel.get_support())
    clf = train_shards(topics_out, select=back)
    assert clf.coef_.shape == (6, 30)  # 6 classes, the 30 selected columns


# -- bad inputs ---------------------------------------------------------------------------


def test_not_a_featurize_folder(tmp_path):
    with pytest.raises(BatchError, match="not the OUT_DIR of textfeat featurize"):
        shard_scores(tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(BatchError, match="no such folder"):
        select_shards(tmp_path / "nope", 3)


def test_unfinished_run(topics_out, tmp_path):
    copy = tmp_path / "half"
    shutil.copytree(topics_out, copy)
    (copy / "manifest.json").unlink()
    with pytest.raises(BatchError, match="did not finish"):
        select_shards(copy, 3)


@pytest.mark.parametrize("k", [0, -1, 493, True, 2.5])
def test_bad_k_is_refused(topics_out, k):
    with pytest.raises(ValueError, match="k must be"):
        select_shards(topics_out, k)


@pytest.mark.parametrize("score", ["f_classif", "", None, "entropy"])
def test_unknown_score_is_refused(topics_out, score):
    with pytest.raises(ValueError, match="score must be"):
        select_shards(topics_out, 3, score=score)


def test_bad_base_is_refused(topics_out):
    with pytest.raises(ValueError, match="base must be"):
        shard_scores(topics_out, base=1)


def test_no_labels(pipe, tmp_path):
    rows = [{"id": r["id"], "text": r["text"]} for r in read_rows()[:50]]
    out = tmp_path / "out"
    featurize(
        pipe, write_rows(tmp_path / "c.jsonl", rows), out, chunk_size=CHUNK, quiet=True
    )
    with pytest.raises(BatchError, match="no labelled record"):
        select_shards(out, 3)


def test_one_class(pipe, tmp_path):
    rows = [r for r in read_rows() if r["label"] == "space"]
    out = tmp_path / "out"
    featurize(
        pipe, write_rows(tmp_path / "c.jsonl", rows), out, chunk_size=CHUNK, quiet=True
    )
    with pytest.raises(BatchError, match="one class only"):
        shard_scores(out)


def test_tampered_shard(topics_out, tmp_path):
    copy = tmp_path / "bad"
    shutil.copytree(topics_out, copy)
    shard = next(p for p in copy.rglob("*.npz") if not p.name.endswith(".records.npz"))
    shard.write_bytes(shard.read_bytes() + b"x")
    with pytest.raises(BatchError, match="checksum mismatch"):
        shard_scores(copy, n_jobs=2)


def test_tampered_feature_names(topics_out, tmp_path):
    copy = tmp_path / "bad"
    shutil.copytree(topics_out, copy)
    (copy / "features.json").write_text('["a", "b"]')
    with pytest.raises(BatchError, match="JSON list of 492 strings"):
        select_shards(copy, 3, out=tmp_path / "s.json")


# -- a real corpus ----------------------------------------------------------------------


def test_20news_mutual_info_over_shards_equals_in_memory(tmp_path):
    path = require(NEWS) / "train.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:  # every 10th: all 20 groups
        rows = [json.loads(line) for line in itertools.islice(fh, 0, None, 10)]
    rows = [{**r, "text": r["text"][:1500]} for r in rows]
    corpus = write_rows(tmp_path / "news.jsonl", rows)
    pipe = make_pipeline(SpacyTokenizer(), OneHotVectorizer())
    pipe.fit([r["text"] for r in rows])
    out = tmp_path / "out"
    featurize(pipe, corpus, out, chunk_size=97, quiet=True)
    X, _, y = load_features(out)
    assert len(np.unique(y)) == 20 and len(rows) % 97
    got = shard_scores(out, "mi", n_jobs=2)
    np.testing.assert_allclose(got, mutual_info(X, y), **TOL)
    got = shard_scores(out, "class_mi")
    np.testing.assert_allclose(got, class_scores(X, y), **TOL)


# -- the command line (console script) ---------------------------------------------------


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_cli_writes_selection_report_and_selector_that_train_uses(topics_out, tmp_path):
    res = _run("select", str(topics_out), "-k", "12", "-j", "2", "--selector", "s.tfm",
               cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr
    doc = json.loads((tmp_path / "select.json").read_text())
    sel = select_shards(topics_out, 12)
    assert doc["indices"] == sel.get_support(indices=True).tolist()
    assert "| 1 |" in (tmp_path / "select.md").read_text()
    res = _run("train", str(topics_out), "--out", "m.tfm", "--select", "s.tfm",
               cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert load(tmp_path / "m.tfm").n_features_in_ == 12


def test_cli_selection_json_is_what_train_select_takes(topics_out, tmp_path):
    res = _run("select", str(topics_out), "-k", "9", "--out", "sel.json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    res = _run("train", str(topics_out), "--out", "m.tfm", "--select", "sel.json",
               cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr
    expected = train_shards(topics_out, select=select_shards(topics_out, 9))
    np.testing.assert_array_equal(load(tmp_path / "m.tfm").coef_, expected.coef_)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-k", "0"], "k must be an integer >= 1, got 0"),
        (["-k", "493"], "k must be at most the run's 492 features, got 493"),
        (["-k", "3", "--score", "f"], "--score must be mi, js, kl or chi2, got 'f'"),
        (["-k", "3", "--engine", "spark"], "engine must be 'local' or 'dask'"),
    ],
)
def test_cli_bad_option_exits_1_with_one_line(topics_out, tmp_path, args, message):
    res = _run("select", str(topics_out), *args, cwd=tmp_path)
    assert res.returncode == 1
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "select.json").exists()


def test_cli_output_inside_the_run_is_refused(topics_out, tmp_path):
    res = _run("select", str(topics_out), "--out", str(topics_out / "s.json"),
               cwd=tmp_path)  # fmt: skip
    assert res.returncode == 1 and "inside the featurize folder" in res.stderr
    assert not (topics_out / "s.json").exists()


def test_cli_plain_folder_is_not_a_run(tmp_path):
    (tmp_path / "empty").mkdir()
    res = _run("select", "empty", cwd=tmp_path)
    assert res.returncode == 1 and "not the OUT_DIR of textfeat featurize" in res.stderr


def test_cli_model_without_corpus_is_refused(tmp_path):
    (tmp_path / "m.tfm").write_bytes(b"x")
    res = _run("select", "m.tfm", cwd=tmp_path)
    assert res.returncode == 1 and "give a corpus after the model" in res.stderr


def test_manifest_width_disagreeing_with_the_shards(topics_out, tmp_path):
    copy = tmp_path / "bad"
    shutil.copytree(topics_out, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["n_features"] = 491
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BatchError, match="the manifest and records file say 491"):
        shard_scores(copy, n_jobs=2)


def test_dask_engine_starts_its_own_local_cluster(topics_out, memory):
    pytest.importorskip("distributed")
    X, y = memory
    got = shard_scores(topics_out, "mi", engine="dask", n_jobs=2)
    np.testing.assert_allclose(got, mutual_info(X, y), **TOL)


def test_scheduler_with_local_engine_is_refused(topics_out):
    with pytest.raises(ValueError, match="scheduler is for engine='dask'"):
        shard_scores(topics_out, scheduler="tcp://127.0.0.1:1")


def _rewrite_shard(run: Path, fn) -> None:
    """Replace the first features file by ``fn(X)`` and fix its digest (a
    manifest tampered consistently: only the content check can catch it)."""
    import hashlib

    manifest = json.loads((run / "manifest.json").read_text())
    files = manifest["shards"][0]["files"]
    name = next(n for n in files if not n.endswith(".records.npz"))
    X = sp.load_npz(run / name)
    sp.save_npz(run / name, fn(X.tocsr()))
    files[name] = hashlib.sha256((run / name).read_bytes()).hexdigest()
    (run / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("value", "message"), [(np.nan, "NaN or infinity"), (-1.0, "negative feature")]
)
def test_bad_feature_values_are_refused(topics_out, tmp_path, value, message):
    copy = tmp_path / "bad"
    shutil.copytree(topics_out, copy)

    def poison(X):
        X = X.astype(np.float64)
        X.data[0] = value
        return X

    _rewrite_shard(copy, poison)
    with pytest.raises(BatchError, match=message):
        shard_scores(copy)


def test_selection_file_counts_the_skipped_unlabelled_records(pipe, tmp_path):
    rows = read_rows()
    for r in rows[:10]:
        del r["label"]
    out = tmp_path / "out"
    featurize(pipe, write_rows(tmp_path / "c.jsonl", rows), out, chunk_size=CHUNK, quiet=True)
    select_shards(out, 3, out=tmp_path / "s.json")
    doc = json.loads((tmp_path / "s.json").read_text())
    assert (doc["n_records"], doc["n_unlabelled_skipped"]) == (350, 10)
