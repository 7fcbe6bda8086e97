"""Batch featurizing: oracle equality, engines, resume after SIGKILL, memory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.pipeline import make_pipeline

from textfeat import (
    OneHotVectorizer,
    SequencePadder,
    SpacyTokenizer,
    WordDropout,
    WordSignatures,
)
from textfeat._parallel import local_cluster
from textfeat.batch import BatchError, featurize, load_features, read_manifest
from textfeat.corpus import CorpusError

ROOT = Path(__file__).resolve().parent.parent
WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()


def write_corpus(path: Path, n: int, *, bad_every: int = 0) -> list[dict]:
    rng = np.random.default_rng(n)
    rows = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            if bad_every and i % bad_every == bad_every - 1:
                fh.write("{broken json\n")
                continue
            k = int(rng.integers(0, 15))
            text = " ".join(rng.choice(WORDS, size=k)) + (" 1984!" if i % 7 else "")
            row = {"id": f"r{i}", "text": text, "label": WORDS[i % 3]}
            rows.append(row)
            fh.write(json.dumps(row) + "\n")
    return rows


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    path = tmp_path_factory.mktemp("corpus") / "c.jsonl"
    return path, write_corpus(path, 230)


@pytest.fixture(scope="module")
def pipe(corpus):
    texts = [r["text"] for r in corpus[1][:100]]
    return make_pipeline(
        SpacyTokenizer(attr="lower"),
        WordSignatures(min_count=3),
        WordDropout(mode="bernoulli", p=0.3, random_state=0),
        OneHotVectorizer(),
    ).fit(texts)


def oracle(pipe, rows, dropout=False):
    texts = [r["text"] for r in rows]
    if not dropout:
        return pipe.transform(texts)
    tokens = pipe[:2].transform(texts)
    return pipe[3].transform(pipe[2].corrupt(tokens))


def same_csr(a: sp.csr_matrix, b: sp.csr_matrix) -> bool:
    return (
        a.shape == b.shape
        and a.data.tobytes() == b.data.tobytes()
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.indptr, b.indptr)
    )


@pytest.mark.parametrize(
    ("chunk_size", "n_jobs", "dropout"),
    [(1000, 1, False), (17, 1, False), (40, 2, False), (23, 1, True), (50, 2, True)],
)
def test_output_equals_transform_of_whole_corpus(
    corpus, pipe, tmp_path: Path, chunk_size: int, n_jobs: int, dropout: bool
) -> None:
    path, rows = corpus
    report = featurize(
        pipe,
        path,
        tmp_path / "out",
        chunk_size=chunk_size,
        n_jobs=n_jobs,
        dropout=dropout,
        quiet=True,
    )
    X, ids, labels = load_features(tmp_path / "out")
    assert same_csr(X, oracle(pipe, rows, dropout))
    assert ids.tolist() == [r["id"] for r in rows]
    assert labels.tolist() == [r["label"] for r in rows]
    assert report.n_shards == -(-len(rows) // chunk_size)
    assert (report.n_in, report.n_written, report.n_quarantined) == (230, 230, 0)


def test_dropout_changes_the_features(corpus, pipe, tmp_path: Path) -> None:
    path, rows = corpus
    featurize(pipe, path, tmp_path / "a", dropout=True, quiet=True)
    X, _, _ = load_features(tmp_path / "a")
    assert not same_csr(X, oracle(pipe, rows, dropout=False))


def test_manifest_lists_shards_checksums_params_versions(
    corpus, pipe, tmp_path: Path
) -> None:
    featurize(pipe, corpus[0], tmp_path / "o", chunk_size=100, quiet=True)
    m = read_manifest(tmp_path / "o")
    assert [s["n_records"] for s in m["shards"]] == [100, 100, 30]
    assert all(len(d) == 64 for s in m["shards"] for d in s["files"].values())
    assert m["pipeline"]["params"]["onehotvectorizer__min_count"] == 1
    assert {"numpy", "scikit-learn", "spacy", "textfeat"} <= set(m["versions"])
    names = json.loads((tmp_path / "o" / "features.json").read_text())
    assert names == pipe[-1].get_feature_names_out().tolist()
    (tmp_path / "o" / "shard-00001.npz").write_bytes(b"changed")
    with pytest.raises(BatchError, match="checksum mismatch"):
        load_features(tmp_path / "o")


def test_dense_output_as_npy(corpus, tmp_path: Path) -> None:
    path, rows = corpus
    texts = [r["text"] for r in rows]
    pad = make_pipeline(SpacyTokenizer(), SequencePadder(maxlen=6)).fit(texts)
    featurize(pad, path, tmp_path / "o", chunk_size=64, quiet=True)
    X, _, _ = load_features(tmp_path / "o")
    assert (tmp_path / "o" / "shard-00000.npy").exists()
    assert X.tobytes() == pad.transform(texts).tobytes()


def test_quarantine_accounts_for_every_record(tmp_path: Path, pipe) -> None:
    path = tmp_path / "bad.jsonl"
    rows = write_corpus(path, 60, bad_every=7)
    with pytest.raises(CorpusError, match=r"bad\.jsonl, line 7: invalid JSON"):
        featurize(pipe, path, tmp_path / "strict", quiet=True)
    report = featurize(
        pipe, path, tmp_path / "q", chunk_size=10, quarantine=True, quiet=True
    )
    assert (report.n_in, report.n_written, report.n_quarantined) == (60, 52, 8)
    lines = (tmp_path / "q" / "quarantine.jsonl").read_text().splitlines()
    assert [json.loads(x)["line"] for x in lines] == list(range(7, 61, 7))
    X, _, _ = load_features(tmp_path / "q")
    assert same_csr(X, oracle(pipe, rows))


def test_refuses_used_folder_and_changed_settings(corpus, pipe, tmp_path: Path) -> None:
    featurize(pipe, corpus[0], tmp_path / "o", chunk_size=100, quiet=True)
    with pytest.raises(BatchError, match="already holds a featurize run"):
        featurize(pipe, corpus[0], tmp_path / "o", chunk_size=100, quiet=True)
    with pytest.raises(BatchError, match="chunk_size differ"):
        featurize(pipe, corpus[0], tmp_path / "o", chunk_size=50, resume=True)


def test_resume_of_finished_run_skips_everything(corpus, pipe, tmp_path: Path) -> None:
    featurize(pipe, corpus[0], tmp_path / "o", chunk_size=100, quiet=True)
    before = (tmp_path / "o" / "manifest.json").read_bytes()
    report = featurize(
        pipe, corpus[0], tmp_path / "o", chunk_size=100, resume=True, quiet=True
    )
    assert report.n_skipped == 3
    assert (tmp_path / "o" / "manifest.json").read_bytes() == before


KILL_SCRIPT = textwrap.dedent(
    """
    import json, os, sys, time
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.pipeline import make_pipeline
    from textfeat import OneHotVectorizer, SpacyTokenizer
    from textfeat.batch import featurize
    from textfeat.corpus import load_jsonl

    class Slow(TransformerMixin, BaseEstimator):
        def fit(self, X, y=None):
            return self
        def transform(self, X):
            time.sleep(float(os.environ.get("SLOW", "0")))
            return X

    corpus, out, resume = sys.argv[1], sys.argv[2], sys.argv[3] == "resume"
    texts, _, _ = load_jsonl(corpus)
    pipe = make_pipeline(SpacyTokenizer(), Slow(), OneHotVectorizer()).fit(texts)
    r = featurize(pipe, corpus, out, chunk_size=20, resume=resume, quiet=True)
    print(json.dumps({"skipped": r.n_skipped, "shards": r.n_shards}))
    """
)


def run_script(script: Path, *args: str, slow: float = 0.0) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SLOW": str(slow)}
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_kill_and_resume_gives_identical_output(corpus, tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT)
    path = corpus[0]
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    proc = run_script(script, str(path), str(killed), "new", slow=0.25)
    deadline = time.monotonic() + 60
    while len(list(killed.glob("shard-*.json"))) < 3:
        if proc.poll() is not None:
            pytest.fail(f"the run ended early: {proc.communicate()}")
        assert time.monotonic() < deadline, "the run never wrote 3 shards"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()  # reaps it and closes the pipes
    assert proc.returncode == -signal.SIGKILL
    assert not (killed / "manifest.json").exists()
    done = len(list(killed.glob("shard-*.json")))
    assert done < 12
    out, err = run_script(script, str(path), str(killed), "resume").communicate()
    assert json.loads(out)["skipped"] >= done, err
    run_script(script, str(path), str(clean), "new").communicate()
    names = sorted(p.name for p in clean.iterdir())
    assert names == sorted(p.name for p in killed.iterdir())
    for name in names:
        assert (clean / name).read_bytes() == (killed / name).read_bytes(), name


def _peak(pipe, path: Path, out: Path, chunk_size: int) -> int:
    tracemalloc.start()
    try:
        featurize(pipe, path, out, chunk_size=chunk_size, quiet=True)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_is_bounded_by_chunk_not_corpus(pipe, tmp_path: Path) -> None:
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    write_corpus(small, 400)
    write_corpus(large, 2400)
    featurize(pipe, small, tmp_path / "warm", chunk_size=50, quiet=True)  # caches
    p_small = _peak(pipe, small, tmp_path / "s", 50)
    p_large = _peak(pipe, large, tmp_path / "l", 50)
    p_one_chunk = _peak(pipe, large, tmp_path / "one", 2400)
    assert p_large < 1.5 * p_small, (p_small, p_large)
    assert p_large < 0.5 * p_one_chunk, (p_large, p_one_chunk)


@pytest.fixture(scope="module")
def dask_cluster():
    with local_cluster(2) as cluster:  # dask is a test dependency: no skip
        yield cluster


@pytest.mark.filterwarnings(
    "ignore::ResourceWarning",
    "ignore::DeprecationWarning:distributed",
    "ignore::DeprecationWarning:tornado",
)
def test_dask_two_workers_equals_local(
    corpus, pipe, tmp_path: Path, dask_cluster
) -> None:
    path, rows = corpus
    for dropout in (False, True):
        out = tmp_path / f"dask-{dropout}"
        report = featurize(
            pipe,
            path,
            out,
            engine="dask",
            scheduler=dask_cluster.scheduler_address,
            chunk_size=31,
            dropout=dropout,
            quiet=True,
        )
        assert report.n_written == len(rows)
        X, ids, _ = load_features(out)
        assert same_csr(X, oracle(pipe, rows, dropout))
        assert ids.tolist() == [r["id"] for r in rows]
