"""The one CPU-count rule and the one process pool (textfeat._parallel)."""

from __future__ import annotations

import os

import pytest

import textfeat._parallel as parallel
from textfeat._parallel import ProcessPool, effective_n_jobs


def test_minus_one_is_every_usable_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 3)
    assert effective_n_jobs(-1) == 3


def test_count_above_the_cpus_is_bounded_by_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 3)
    assert [effective_n_jobs(n) for n in (1, 3, 4, 10_000)] == [1, 3, 3, 3]


@pytest.mark.parametrize("bad", [0, -2, 1.0, True, "2", None])
def test_other_values_are_refused_naming_the_parameter(bad) -> None:
    with pytest.raises(ValueError, match=rf"n_process must be -1 or a positive integer, got {bad!r}"):
        effective_n_jobs(bad, "n_process")


def test_usable_cpus_follow_the_affinity_mask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 5}, raising=False)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 64)
    assert parallel.usable_cpus() == 2


def _scaled(factor: int, x: int) -> int:
    return factor * x


def test_pool_results_come_back_in_order_with_the_state() -> None:
    with ProcessPool(2, _scaled, 10, window=3) as pool:
        assert list(pool.imap((i,) for i in range(20))) == [10 * i for i in range(20)]


def test_pool_reads_the_input_only_a_window_ahead() -> None:
    read = []

    def source():
        for i in range(10):
            read.append(i)
            yield (i,)

    with ProcessPool(1, _scaled, 1, window=2) as pool:
        results = pool.imap(source())
        assert next(results) == 0
        assert len(read) == 2  # two in flight, nothing read beyond


def test_a_worker_exception_reaches_the_caller() -> None:
    with ProcessPool(1, _scaled, None) as pool, pytest.raises(TypeError):
        pool.result(pool.submit(3))


# -- SpacyTokenizer on a pool ------------------------------------------------------
import multiprocessing as mp  # noqa: E402

import spacy  # noqa: E402

import textfeat.text.tokenize as tk  # noqa: E402
from textfeat import SpacyTokenizer  # noqa: E402


@pytest.fixture
def pool_always(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Use a pool whatever the corpus size, with small batches; count worker jobs."""
    monkeypatch.setattr(tk, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(tk, "_MIN_BATCH_CHARS", 2000)
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)
    submitted: list[int] = []
    submit = ProcessPool.submit

    def counting(self, *args):
        submitted.append(len(args[0]))
        return submit(self, *args)

    monkeypatch.setattr(ProcessPool, "submit", counting)
    return submitted


def _spacy_tokens(texts: list[str]) -> list[list[str]]:
    nlp = spacy.blank("en")
    return [[t.text for t in d if not t.is_space] for d in nlp.tokenizer.pipe(texts)]


def _ud_sentences() -> list[str]:
    from conftest import UD_EWT, require

    path = require(UD_EWT) / "en_ewt-ud-dev.conllu"
    with path.open(encoding="utf-8") as f:
        return [ln[9:].rstrip("\n") for ln in f if ln.startswith("# text = ")]


def _news_posts() -> list[str]:
    from conftest import NEWS, require

    from textfeat import load_jsonl

    return load_jsonl(require(NEWS) / "test.jsonl.gz")[0][:300]


@pytest.mark.parametrize("corpus", [_ud_sentences, _news_posts], ids=["ud", "20news"])
def test_two_processes_give_spacys_tokens(pool_always, corpus) -> None:
    texts = corpus()
    got = SpacyTokenizer(n_jobs=2).transform(texts)
    assert got == _spacy_tokens(texts)
    assert sum(pool_always) > 0  # the worker did tokenize part of it
    assert sum(pool_always) < len(texts)  # and so did this process


def test_guided_batches_shrink_and_keep_the_corpus_in_order(monkeypatch) -> None:
    monkeypatch.setattr(tk, "_MIN_BATCH_CHARS", 10)
    texts = [f"word{i} " * 5 for i in range(400)]  # 40 characters each
    tok = SpacyTokenizer(batch_size=50)
    batches = list(tok._guided_batches(texts, sum(map(len, texts)), 2))
    sizes = [len(b) for b in batches]
    assert [d for b in batches for d in b] == texts
    assert sizes[0] == 50  # capped by batch_size
    assert sizes[-2] < sizes[len(sizes) // 2] < sizes[0]  # large first, small last
    assert min(sizes) >= 1


def test_bad_document_in_a_late_batch_is_named_by_its_index(pool_always) -> None:
    texts: list = ["some words here"] * 3000
    texts[2500] = 7
    with pytest.raises(TypeError, match="2500"):
        SpacyTokenizer(n_jobs=2).transform(texts)
    assert mp.active_children() == []


def test_no_worker_outlives_a_call(pool_always) -> None:
    texts = [f"Text number {i}, with words." for i in range(2000)]
    SpacyTokenizer(n_jobs=2).transform(texts)
    assert pool_always and mp.active_children() == []


def test_no_worker_outlives_an_abandoned_stream(pool_always) -> None:
    texts = [f"Text number {i}, with words." for i in range(2000)]
    stream = SpacyTokenizer(n_jobs=2).iter_transform(texts)
    next(stream)
    assert mp.active_children() != []  # the pool is running
    stream.close()
    assert mp.active_children() == []


def _private_dirty_kb() -> int:
    for line in open("/proc/self/smaps_rollup"):
        if line.startswith("Private_Dirty:"):
            return int(line.split()[1])
    raise AssertionError("no Private_Dirty line")


def _dirtied_by_a_full_collection(_state: object) -> int:
    import gc

    before = _private_dirty_kb()
    gc.collect()
    return _private_dirty_kb() - before


@pytest.mark.skipif(
    parallel.start_method() != "fork" or not os.path.exists("/proc/self/smaps_rollup"),
    reason="copy-on-write sharing needs fork and Linux's smaps_rollup",
)
def test_a_full_collection_in_a_worker_does_not_copy_the_parents_objects() -> None:
    # 400,000 small lists (about 40 MB of objects the collector tracks) made
    # before the pool forks. A full collection in a worker walks every tracked
    # object it knows and writes to its header, which copies each page the
    # worker shares with the parent: over a long run the pages of the fitted
    # model became private in every worker (the batch run's summed PSS grew
    # 19 % from 256 MB to 1 GB). Frozen before the fork, they are not walked.
    inherited = [[i] for i in range(400_000)]
    with ProcessPool(1, _dirtied_by_a_full_collection) as pool:
        dirtied_kb = pool.result(pool.submit())
    assert len(inherited) == 400_000
    assert dirtied_kb < 5_000, f"{dirtied_kb} kB of shared pages copied"


def test_the_pool_leaves_the_parents_collector_as_it_found_it() -> None:
    import gc

    assert gc.get_freeze_count() == 0
    with ProcessPool(1, _scaled, 1) as pool:
        assert list(pool.imap([(2,)])) == [2]
    assert gc.get_freeze_count() == 0
