"""The one CPU-count rule and the one process pool (textfeat._parallel)."""

from __future__ import annotations

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
