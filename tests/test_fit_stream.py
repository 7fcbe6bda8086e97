"""Streaming fit (fit_corpus, ``textfeat fit --chunk-size``): oracle is the in-memory fit.

Every streamed model is compared with ``pipeline.fit`` on the same records:
identical vocabularies, signatures and ids, classifier coefficients to 1e-6 (the issue's bound; about 1e-9 in practice),
identical predictions; with 1 and 2 workers, Dask, chunk sizes that do not
divide the corpus, and after kill -9 and resume at each stage.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import CHUNK, NEWS, TOPICS, UD_EWT, read_rows, require, write_rows
from sklearn.feature_selection import SelectKBest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from typer.testing import CliRunner

from textfeat import (
    FrequencyScaler,
    OneHotVectorizer,
    SoftmaxClassifier,
    SpacyTokenizer,
    WordSignatures,
)
from textfeat.batch import (
    BatchError,
    BatchWarning,
    featurize,
    fit_corpus,
    load_features,
)
from textfeat.batch.fit import _Merger
from textfeat.cli import app
from textfeat.corpus import CorpusError
from textfeat.io.config import load_config
from textfeat.io.persist import load

TIGHT = {"C": 10.0, "tol": 1e-10, "max_iter": 1000}


def _pipe(head: bool = True):
    steps = [
        SpacyTokenizer(attr="lower"),
        WordSignatures(min_count=2),
        OneHotVectorizer(),
    ]
    if head:
        steps.append(SoftmaxClassifier(**TIGHT))
    return make_pipeline(*steps)


@pytest.fixture(scope="module")
def memory():
    rows = read_rows()
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    return texts, labels, _pipe().fit(texts, labels)


def _same_model(streamed, whole, texts) -> None:
    assert streamed[1].known_words_ == whole[1].known_words_
    assert streamed[2].vocabulary_.itos_ == whole[2].vocabulary_.itos_
    np.testing.assert_allclose(streamed[-1].coef_, whole[-1].coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        streamed[-1].intercept_, whole[-1].intercept_, rtol=0, atol=1e-6
    )
    np.testing.assert_array_equal(streamed.predict(texts), whole.predict(texts))


# -- equality with the in-memory fit -----------------------------------------------


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_streamed_pipeline_equals_in_memory_fit(tmp_path, memory, n_jobs):
    texts, _, whole = memory
    fitted, report = fit_corpus(
        _pipe(), TOPICS, tmp_path / "w", chunk_size=CHUNK, n_jobs=n_jobs, quiet=True
    )
    _same_model(fitted, whole, texts)
    assert (report.n_in, report.n_fitted, report.n_trained) == (360, 360, 360)
    assert report.n_quarantined == 0


@pytest.mark.parametrize("chunk_size", [1, 7, 360, 1000])
def test_feature_steps_do_not_depend_on_the_chunk_size(tmp_path, memory, chunk_size):
    texts, _, whole = memory
    fitted, _ = fit_corpus(
        _pipe(head=False), TOPICS, tmp_path / "w", chunk_size=chunk_size, quiet=True
    )
    assert fitted[1].known_words_ == whole[1].known_words_
    assert fitted[2].vocabulary_.itos_ == whole[2].vocabulary_.itos_
    assert (fitted.transform(texts) != whole[:-1].transform(texts)).nnz == 0


def test_streamed_fit_on_a_dask_cluster_equals_in_memory(tmp_path, memory):
    pytest.importorskip("distributed")
    texts, _, whole = memory
    fitted, _ = fit_corpus(
        _pipe(), TOPICS, tmp_path / "w", chunk_size=CHUNK, n_jobs=2, engine="dask",
        quiet=True,
    )  # fmt: skip
    _same_model(fitted, whole, texts)


def test_dask_scheduler_address_is_used(tmp_path, memory):
    pytest.importorskip("distributed")
    from dask.distributed import Client

    from textfeat._parallel import local_cluster

    texts, _, whole = memory
    with local_cluster(2) as cluster, Client(cluster):
        fitted, _ = fit_corpus(
            _pipe(), TOPICS, tmp_path / "w", chunk_size=CHUNK, n_jobs=2,
            engine="dask", scheduler=cluster.scheduler_address, quiet=True,
        )  # fmt: skip
    _same_model(fitted, whole, texts)


def test_tfidf_and_frequency_cutoffs_stream_exactly(tmp_path):
    rows = read_rows()
    texts = [r["text"] for r in rows]
    pipe = make_pipeline(
        SpacyTokenizer(),
        OneHotVectorizer(weighting="tfidf", min_df=2, max_df=0.9, ngram_range=(1, 2)),
    )
    fitted, _ = fit_corpus(pipe, TOPICS, tmp_path / "w", chunk_size=CHUNK, quiet=True)
    whole = pipe.fit(texts)
    assert fitted[-1].vocabulary_.itos_ == whole[-1].vocabulary_.itos_
    np.testing.assert_array_equal(fitted[-1].idf_, whole[-1].idf_)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_tfidf_unknown_column_streams_exactly_without_word_lists(
    tmp_path, monkeypatch, n_jobs
):
    # The *UNK* column's idf needs the documents holding a word the final
    # vocabulary leaves out; partial_fit alone keeps every document's word
    # list for it (memory growing with the corpus). fit_corpus counts it in
    # a second pass over the token shards instead.
    import textfeat.batch.fit as fit_module

    parts = []
    count_shard = fit_module._count_shard

    def spy(state, *args):
        part, n, failed = count_shard(state, *args)
        parts.append(part)
        return part, n, failed

    monkeypatch.setattr(fit_module, "_count_shard", spy)
    texts = [r["text"] for r in read_rows()]
    pipe = make_pipeline(
        SpacyTokenizer(),
        OneHotVectorizer(weighting="tfidf", handle_unknown="unk", min_count=3),
    )
    fitted, _ = fit_corpus(
        pipe, TOPICS, tmp_path / "w", chunk_size=CHUNK, n_jobs=n_jobs, quiet=True
    )
    whole = pipe.fit(texts)
    assert fitted[-1].vocabulary_.itos_ == whole[-1].vocabulary_.itos_
    np.testing.assert_array_equal(fitted[-1].idf_, whole[-1].idf_)
    unk = whole[-1].vocabulary_.stoi_["*UNK*"]
    assert whole[-1].idf_[unk] < np.log(361) + 1  # *UNK* is in some documents
    X = fitted.transform(texts)
    assert (X != whole.transform(texts)).nnz == 0
    if n_jobs == 1:  # the parts counted in this process: no word lists kept
        assert parts and all("unigrams" not in p._stream for p in parts)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_ppmi_vectors_stream_and_factorise_once(tmp_path, monkeypatch, n_jobs):
    # PPMIVectors makes no features (no transform): the last step of a
    # pipeline that learns word vectors, fitted by streaming its counts. The
    # SVD runs once, on the summed counts, not after every shard and merge.
    from textfeat import PPMIVectors

    calls = []
    finish = PPMIVectors._finish

    def spy(self, state):
        calls.append(1)
        return finish(self, state)

    monkeypatch.setattr(PPMIVectors, "_finish", spy)
    texts = [r["text"] for r in read_rows()]
    params = dict(dim=8, window=2, min_count=2, random_state=0)
    pipe = make_pipeline(SpacyTokenizer(attr="lower"), PPMIVectors(**params))
    fitted, _ = fit_corpus(
        pipe, TOPICS, tmp_path / "w", chunk_size=CHUNK, n_jobs=n_jobs, quiet=True
    )
    assert len(calls) == 1  # in this process: the one after the last merge
    whole = make_pipeline(SpacyTokenizer(attr="lower"), PPMIVectors(**params))
    whole.fit(texts)
    assert fitted[-1].vocabulary_.itos_ == whole[-1].vocabulary_.itos_
    np.testing.assert_array_equal(
        fitted[-1].vectors_.vectors, whole[-1].vectors_.vectors
    )


def test_news_posts_stream_as_in_memory(tmp_path):
    src = require(NEWS / "train.jsonl.gz")
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for _, line in zip(range(700), fh, strict=False)]
    rows = rows[::2] + rows[1::2]  # several classes in every chunk
    corpus = write_rows(tmp_path / "news.jsonl", rows)
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    fitted, _ = fit_corpus(
        _pipe(), corpus, tmp_path / "w", chunk_size=123, n_jobs=2, quiet=True
    )
    _same_model(fitted, _pipe().fit(texts, labels), texts)


def test_ud_ewt_sentences_stream_as_in_memory(tmp_path):
    src = require(UD_EWT / "en_ewt-ud-dev.conllu")
    fitted, report = fit_corpus(
        _pipe(head=False), src, tmp_path / "w", format="conllu", chunk_size=500,
        n_jobs=2, quiet=True,
    )  # fmt: skip
    from textfeat.io import read_corpus

    texts = [r.text for r in read_corpus(src, format="conllu")]
    whole = _pipe(head=False).fit(texts)
    assert report.n_fitted == len(texts)
    assert fitted[2].vocabulary_.itos_ == whole[2].vocabulary_.itos_


def test_a_frequency_scaler_after_the_vectorizer_streams(tmp_path, memory):
    texts, labels, _ = memory
    pipe = make_pipeline(
        SpacyTokenizer(),
        OneHotVectorizer(),
        FrequencyScaler(),
        SoftmaxClassifier(**TIGHT),
    )
    if not hasattr(FrequencyScaler, "partial_fit"):
        with pytest.raises(BatchError, match="frequencyscaler.*partial_fit"):
            fit_corpus(pipe, TOPICS, tmp_path / "w", chunk_size=CHUNK, quiet=True)
        return
    fitted, _ = fit_corpus(pipe, TOPICS, tmp_path / "w", chunk_size=CHUNK, quiet=True)
    whole = pipe.fit(texts, labels)
    np.testing.assert_allclose(fitted[-1].coef_, whole[-1].coef_, atol=1e-9, rtol=0)


def test_the_callers_pipeline_is_left_unfitted(tmp_path):
    pipe = _pipe()
    fit_corpus(pipe, TOPICS, tmp_path / "w", chunk_size=CHUNK, quiet=True)
    assert not hasattr(pipe[2], "vocabulary_")
    assert not hasattr(pipe[-1], "coef_")


def test_the_work_dir_holds_a_features_run_for_select_and_train(tmp_path, memory):
    texts, _, whole = memory
    fit_corpus(_pipe(), TOPICS, tmp_path / "w", chunk_size=CHUNK, quiet=True)
    X, _, y = load_features(tmp_path / "w" / "features")
    assert (X != whole[:-1].transform(texts)).nnz == 0
    assert y.tolist() == memory[1]


def test_keep_work_false_removes_the_work_dir(tmp_path):
    fit_corpus(
        _pipe(head=False), TOPICS, tmp_path / "w", chunk_size=CHUNK, keep_work=False,
        quiet=True,
    )  # fmt: skip
    assert not (tmp_path / "w").exists()


# -- the merge tree ------------------------------------------------------------------


class _Sum:
    def __init__(self, items):
        self.items = tuple(items)

    def merge(self, other):
        return _Sum(self.items + other.items)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 33, 1000])
def test_merge_tree_merges_every_part_once_in_corpus_order(n):
    merger = _Merger()
    for i in range(n):
        merger.add(_Sum([i]))
    assert merger.result().items == tuple(range(n))


def test_merge_tree_holds_a_bounded_number_of_parts_whatever_the_corpus_size():
    # A part may be as large as the whole vocabulary: holding log2(shards) of
    # them made the parent's memory grow with the corpus (fit at 1 GB peaked
    # 62 MB above 100 MB). Trees of at most 2**LEVELS shards are folded into
    # one running total, so the parts held stay at LEVELS + 1.
    merger = _Merger()
    held = []
    for i in range(5000):
        merger.add(_Sum([i]))
        held.append(len(merger.stack) + (merger.total is not None))
    assert max(held) <= _Merger.LEVELS + 1
    assert merger.result().items == tuple(range(5000))


# -- token shards ----------------------------------------------------------------------


def test_featurize_writes_token_shards_that_round_trip(tmp_path):
    rows = [
        {"id": "a", "text": "Hello, world!"},
        {"id": "b", "text": ""},
        {"id": "c", "text": "naïve café \u00a0 \U0001f600 x\x00y"},
    ]
    corpus = write_rows(tmp_path / "c.jsonl", rows)
    tok = make_pipeline(SpacyTokenizer()).fit(["x"])
    featurize(tok, corpus, tmp_path / "out", chunk_size=2, quiet=True)
    docs, ids, _ = load_features(tmp_path / "out")
    assert docs == tok.transform([r["text"] for r in rows])
    assert ids.tolist() == ["a", "b", "c"]


def test_select_and_train_refuse_a_token_run(tmp_path):
    from textfeat.batch import select_shards, train_shards

    tok = make_pipeline(SpacyTokenizer()).fit(["x"])
    featurize(tok, TOPICS, tmp_path / "out", chunk_size=100, quiet=True)
    for call in (
        lambda: select_shards(tmp_path / "out", k=2),
        lambda: train_shards(tmp_path / "out"),
    ):
        with pytest.raises(BatchError, match="token lists.*vectorizer"):
            call()


def test_a_tampered_token_shard_is_refused(tmp_path):
    tok = make_pipeline(SpacyTokenizer()).fit(["x"])
    featurize(tok, TOPICS, tmp_path / "out", chunk_size=400, quiet=True)
    from textfeat.batch.shards import decode_tokens, encode_tokens, npz_bytes

    good = encode_tokens([["a", "b"], ["c"]])
    assert decode_tokens(good, tmp_path / "x") == [["a", "b"], ["c"]]
    bad_offsets = npz_bytes(
        {
            "data": np.frombuffer(b"abc", np.uint8),
            "offsets": np.array([0, 5, 3]),
            "doc_offsets": np.array([0, 2]),
        }
    )
    with pytest.raises(BatchError, match="malformed token shard"):
        decode_tokens(bad_offsets, tmp_path / "x")
    with pytest.raises(BatchError, match="not a token shard"):
        decode_tokens(b"PK not a zip", tmp_path / "x")
    shard = tmp_path / "out" / "shard-00000.tok.npz"
    shard.write_bytes(good)  # checksums no longer match
    with pytest.raises(BatchError, match="checksum"):
        load_features(tmp_path / "out")


def test_a_tampered_token_shard_stops_the_count_pass(tmp_path):
    fit_corpus(_pipe(head=False), TOPICS, tmp_path / "w", chunk_size=100, quiet=True)
    from textfeat.batch.fit import _count_pass

    (tmp_path / "w" / "tokens" / "shard-00001.tok.npz").write_bytes(b"altered")
    with pytest.raises(BatchError, match="checksum mismatch"):
        run = {"n_jobs": 1, "engine": "local", "scheduler": None}
        _count_pass(
            tmp_path / "w" / "tokens", [], "v", OneHotVectorizer(),
            {**run, "quarantine": False, "quiet": True},
        )  # fmt: skip


# -- refusals, each naming what is wrong -----------------------------------------------


@pytest.mark.parametrize(
    ("pipe", "match"),
    [
        (make_pipeline(OneHotVectorizer()), "first step that learns nothing"),
        (
            make_pipeline(SpacyTokenizer(), OneHotVectorizer(), SelectKBest(k=2)),
            r"'selectkbest' \(SelectKBest\) cannot be fitted chunk by chunk",
        ),
        (
            make_pipeline(SpacyTokenizer(), OneHotVectorizer(), LogisticRegression()),
            "trains SoftmaxClassifier only",
        ),
        (
            make_pipeline(
                SpacyTokenizer(), OneHotVectorizer(), SoftmaxClassifier(temperature=2.0)
            ),
            "temperature cannot be honoured",
        ),
    ],
)
def test_pipelines_that_cannot_stream_are_refused_before_any_work(
    tmp_path, pipe, match
):
    with pytest.raises(BatchError, match=match):
        fit_corpus(pipe, TOPICS, tmp_path / "w", chunk_size=CHUNK, quiet=True)
    assert not (tmp_path / "w" / "tokens").exists()


def test_a_work_dir_holding_a_run_is_refused_without_resume(tmp_path):
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "old").write_text("x")
    with pytest.raises(BatchError, match="not empty.*--resume"):
        fit_corpus(_pipe(), TOPICS, tmp_path / "w", chunk_size=CHUNK, quiet=True)


def test_a_work_dir_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "w").write_text("x")
    with pytest.raises(BatchError, match="is a file"):
        fit_corpus(_pipe(), TOPICS, tmp_path / "w", chunk_size=CHUNK, quiet=True)


def test_unlabelled_records_are_refused_for_a_classifier(tmp_path):
    rows = read_rows()
    del rows[5]["label"]
    corpus = write_rows(tmp_path / "c.jsonl", rows)
    with pytest.raises(BatchError, match="1 of 360 records have no label"):
        fit_corpus(_pipe(), corpus, tmp_path / "w", chunk_size=CHUNK, quiet=True)
    assert not (tmp_path / "w" / "features").exists()  # refused before featurizing


def test_one_class_is_refused_before_featurizing(tmp_path):
    rows = [dict(r, label="x") for r in read_rows()[:50]]
    corpus = write_rows(tmp_path / "c.jsonl", rows)
    with pytest.raises(BatchError, match="one class only"):
        fit_corpus(_pipe(), corpus, tmp_path / "w", chunk_size=CHUNK, quiet=True)
    assert not (tmp_path / "w" / "features").exists()


@pytest.mark.parametrize("chunk_size", [0, -3])
def test_a_bad_chunk_size_is_refused_naming_it(tmp_path, chunk_size):
    with pytest.raises(BatchError, match="chunk_size"):
        fit_corpus(_pipe(), TOPICS, tmp_path / "w", chunk_size=chunk_size, quiet=True)


def test_unreadable_records_are_quarantined_and_the_rest_fitted(tmp_path, memory):
    rows = read_rows()
    lines = [json.dumps(r) for r in rows]
    lines.insert(40, '{"id": "bad", "text": 5, "label": "space"}')
    lines.insert(90, "{not json")
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="line 41"):
        fit_corpus(_pipe(), corpus, tmp_path / "w1", chunk_size=CHUNK, quiet=True)
    fitted, report = fit_corpus(
        _pipe(), corpus, tmp_path / "w2", chunk_size=CHUNK, quarantine=True, quiet=True
    )
    assert (report.n_in, report.n_fitted, report.n_quarantined) == (362, 360, 2)
    assert sorted(e["line"] for e in report.quarantined) == [41, 91]
    _same_model(fitted, memory[2], memory[0])


# -- kill -9 at each stage, then resume: the same model --------------------------------

_KILLER = """
import os, signal, sys
from textfeat.batch import fit as F, run as R, train as T
from textfeat.io.config import load_config
stage, after = sys.argv[3], int(sys.argv[4])
calls = 0
def dying(real):
    def call(*args, **kwargs):
        global calls
        calls += 1
        if calls > after:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return call
if stage in ("tokens", "features"):
    real = R.process_chunk
    R.process_chunk = dying(real)
    if stage == "features":  # the tokens run's 10 shards first
        after += 10
elif stage == "counts":
    F._count_shard = dying(F._count_shard)
else:
    T._Local.__call__ = dying(T._Local.__call__)
pipe = load_config(sys.argv[5])
F.fit_corpus(pipe, sys.argv[1], sys.argv[2], chunk_size=37, quiet=True)
"""

_CONFIG = """
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
tol = 1e-10
max_iter = 1000
"""


@pytest.mark.parametrize(
    ("stage", "after"), [("tokens", 4), ("counts", 5), ("features", 3), ("train", 6)]
)
def test_kill9_then_resume_gives_the_in_memory_model(tmp_path, memory, stage, after):
    config = tmp_path / "pipe.toml"
    config.write_text(_CONFIG)
    work = tmp_path / "w"
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILLER), str(TOPICS), str(work),
         stage, str(after), str(config)],
        capture_output=True, check=False,
    )  # fmt: skip
    assert proc.returncode == -9, proc.stderr.decode()
    with pytest.raises(BatchError, match="not empty"):
        fit_corpus(load_config(config), TOPICS, work, chunk_size=37, quiet=True)
    from textfeat.batch import run as R

    calls = {"n": 0}
    real = R.process_chunk

    def counting(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    R.process_chunk = counting
    try:
        if stage in ("tokens", "features"):  # the killed featurize left its lock
            with pytest.warns(BatchWarning, match="stale lock"):
                fitted, _ = fit_corpus(
                    load_config(config), TOPICS, work, chunk_size=37, resume=True,
                    quiet=True,
                )  # fmt: skip
        else:
            fitted, _ = fit_corpus(
                load_config(config),
                TOPICS,
                work,
                chunk_size=37,
                resume=True,
                quiet=True,
            )
    finally:
        R.process_chunk = real
    texts, _, whole = memory
    _same_model(fitted, whole, texts)
    done_before = {"tokens": after, "counts": 10, "features": 10 + after, "train": 20}
    assert calls["n"] == 20 - done_before[stage]  # finished shards were not redone


def test_a_resume_with_another_chunk_size_is_refused(tmp_path):
    fit_corpus(_pipe(head=False), TOPICS, tmp_path / "w", chunk_size=CHUNK, quiet=True)
    with pytest.raises(BatchError, match="chunk_size"):
        fit_corpus(
            _pipe(head=False), TOPICS, tmp_path / "w", chunk_size=50, resume=True,
            quiet=True,
        )  # fmt: skip


# -- the command line --------------------------------------------------------------------

runner = CliRunner()


def test_cli_fit_chunk_size_saves_the_in_memory_model(tmp_path, memory):
    config = tmp_path / "pipe.toml"
    config.write_text(_CONFIG)
    out = tmp_path / "m.tfm"
    result = runner.invoke(
        app,
        ["fit", str(TOPICS), "--config", str(config), "--out", str(out),
         "--chunk-size", "37", "-j", "2", "-q", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert (info["n_fitted"], info["n_trained"], info["work_dir"]) == (360, 360, None)
    assert not (tmp_path / "m.tfm.work").exists()  # the default work dir is removed
    texts, _, whole = memory
    _same_model(load(out), whole, texts)


def test_cli_fit_work_dir_is_kept_and_serves_select(tmp_path):
    out, work = tmp_path / "m.tfm", tmp_path / "work"
    result = runner.invoke(
        app,
        ["fit", str(TOPICS), "--out", str(out), "--chunk-size", "100",
         "--work-dir", str(work), "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        [
            "select",
            str(work / "features"),
            "-k",
            "5",
            "--out",
            str(tmp_path / "s.json"),
            "--report",
            str(tmp_path / "s.md"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads((tmp_path / "s.json").read_text())["indices"]) == 5


def test_cli_fit_quarantine_file_lists_the_records_set_aside(tmp_path):
    lines = TOPICS.read_text(encoding="utf-8").splitlines()
    lines.insert(10, '{"id": "bad", "text": 5, "label": "space"}')
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    quar = tmp_path / "q.jsonl"
    result = runner.invoke(
        app,
        ["fit", str(corpus), "--out", str(tmp_path / "m.tfm"), "--chunk-size", "100",
         "--quarantine", str(quar), "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    entries = [json.loads(x) for x in quar.read_text().splitlines()]
    assert [(e["line"], e["stage"]) for e in entries] == [(11, "read")]
    assert "1 quarantined" in result.output


def test_cli_failed_streaming_fit_leaves_no_default_work_dir(tmp_path):
    lines = TOPICS.read_text(encoding="utf-8").splitlines()
    lines.insert(10, '{"id": "bad", "text": 5, "label": "space"}')
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "fit",
            str(corpus),
            "--out",
            str(tmp_path / "m.tfm"),
            "--chunk-size",
            "100",
            "-q",
        ],
    )
    assert result.exit_code == 1
    assert "line 11" in result.output
    assert not (tmp_path / "m.tfm.work").exists()


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["-j", "2"], "-j takes effect only with --chunk-size"),
        (["--engine", "dask", "--resume"], "--engine, --resume take effect only"),
        (
            ["--chunk-size", "10", "--test-size", "0.2"],
            "cannot be combined with --chunk-size",
        ),
        (["--chunk-size", "10", "--cv", "3"], "cannot be combined with --chunk-size"),
        (["--chunk-size", "0"], "--chunk-size must be a positive"),
        (["--chunk-size", "10", "--engine", "spark"], "--engine must be local or dask"),
        (
            ["--chunk-size", "10", "--scheduler", "tcp://x:1"],
            "--scheduler needs --engine dask",
        ),
    ],
)
def test_cli_streaming_options_are_checked(tmp_path, args, match):
    result = runner.invoke(
        app, ["fit", str(TOPICS), "--out", str(tmp_path / "m.tfm"), "-q", *args]
    )
    assert result.exit_code == 1, result.output
    assert match in result.output
    assert not (tmp_path / "m.tfm").exists()


def test_cli_work_dir_may_not_be_the_corpus_or_the_model(tmp_path):
    out = tmp_path / "m.tfm"
    result = runner.invoke(
        app, ["fit", str(TOPICS), "--out", str(out), "--chunk-size", "10",
              "--work-dir", str(out)]
    )  # fmt: skip
    assert result.exit_code == 1
    assert "--work-dir" in result.output


# -- progress: bars with a total that move while the corpus is read ---------------------


class _Bar:
    """Stands for tqdm: records the total and the position after each update."""

    made: list[_Bar] = []

    def __init__(self, *args, total=None, desc=None, disable=False, **kwargs):
        self.total, self.desc, self.n, self.seen = total, desc, 0, []
        _Bar.made.append(self)

    def update(self, k=1):
        self.n += k
        self.seen.append(self.n)

    def close(self):
        pass


@pytest.fixture
def bars(monkeypatch):
    import tqdm.auto

    _Bar.made = []
    monkeypatch.setattr(tqdm.auto, "tqdm", _Bar)
    return _Bar.made


def test_featurize_bar_moves_with_each_chunk_not_only_at_the_end(tmp_path, bars):
    tok = make_pipeline(SpacyTokenizer()).fit(["x"])
    featurize(tok, TOPICS, tmp_path / "out", chunk_size=100)
    [bar] = bars
    assert bar.total == 360
    assert [n for n in bar.seen if 0 < n < 360]  # it moved before the end
    assert bar.n == 360


def test_streaming_fit_shows_a_bar_with_a_total_at_every_stage(tmp_path, bars):
    fit_corpus(_pipe(), TOPICS, tmp_path / "w", chunk_size=100)
    totals = {bar.desc: bar.total for bar in bars}
    assert totals == {
        "featurize": 360,
        "fit wordsignatures": 4,
        "fit onehotvectorizer": 4,
    }
    assert all(bar.n == bar.total for bar in bars)


def test_in_memory_fit_read_bar_has_the_line_total(tmp_path, bars):
    result = runner.invoke(app, ["fit", str(TOPICS), "--out", str(tmp_path / "m.tfm")])
    assert result.exit_code == 0, result.output
    read = [bar for bar in bars if bar.desc == "read"]
    assert [(b.total, b.n) for b in read] == [(360, 360)]


def test_training_without_the_shard_cache_gives_the_same_model(tmp_path, memory):
    texts, _, whole = memory
    fitted, _ = fit_corpus(
        _pipe(), TOPICS, tmp_path / "w", chunk_size=CHUNK, cache=False, quiet=True
    )
    _same_model(fitted, whole, texts)


def test_cli_no_cache_reaches_training(tmp_path, monkeypatch):
    from textfeat.batch import train as T

    seen = []
    real = T.train_shards

    def spy(*args, **kwargs):
        seen.append(kwargs["cache"])
        return real(*args, **kwargs)

    monkeypatch.setattr(T, "train_shards", spy)
    for flag, cache in (("--no-cache", False), ("--cache", True)):
        result = runner.invoke(
            app,
            ["fit", str(TOPICS), "--out", str(tmp_path / f"m{cache}.tfm"),
             "--chunk-size", "100", flag, "-q"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["fit", str(TOPICS), "--out", str(tmp_path / "x.tfm"), "--no-cache"]
    )
    assert result.exit_code == 1 and "--no-cache takes effect only" in result.output
    assert seen == [False, True]


def test_a_runs_labels_are_held_as_int32_codes_per_shard(tmp_path, memory):
    # select and train held every label as a Python object (about 400 bytes
    # a record in the driver: memory grew with the corpus)
    from textfeat.batch.train import plan_run, run_classes

    fit_corpus(_pipe(), TOPICS, tmp_path / "w", chunk_size=CHUNK, quiet=True)
    _, _, _, labels = plan_run(tmp_path / "w" / "features")
    assert all(codes.dtype == np.int32 for _, codes in labels)
    assert sum(len(codes) for _, codes in labels) == 360
    _, _, _, classes, codes = run_classes(tmp_path / "w" / "features", "")
    np.testing.assert_array_equal(classes[codes], memory[1])
