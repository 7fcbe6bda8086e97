"""Where the chunks of a batch run are computed: inline, a process pool, or Dask.

Each executor is given the function to run and its state (the fitted
steps), sent to every worker once, and runs ``fn(state, *args)`` per job:

* :class:`InlineExecutor`: in this process, one job at a time;
* :class:`PoolExecutor`: local worker processes
  (:class:`textfeat._parallel.ProcessPool`);
* :class:`DaskExecutor`: a Dask cluster (local, or a running scheduler).

They share one interface: ``submit(args)`` returns a job, ``window()`` is
how many jobs to keep in flight, ``wait_one(jobs)`` takes a finished one
off the queue and ``result(job)`` gives its value. Nothing here knows what a
chunk is.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from textfeat._parallel import ProcessPool, local_cluster
from textfeat.batch.shards import BatchError

__all__ = ["DaskExecutor", "InlineExecutor", "PoolExecutor", "executor_for"]


class InlineExecutor:
    """Jobs run in this process, when submitted."""

    def __init__(self, fn: Callable[..., Any], state: Any) -> None:
        self.fn = fn
        self.state = state

    def __enter__(self) -> InlineExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def submit(self, args: tuple[Any, ...]) -> Any:
        return self.fn(self.state, *args)

    def window(self) -> int:
        return 1

    def result(self, job: Any) -> Any:
        return job

    def wait_one(self, jobs: deque[Any]) -> Any:
        return jobs.popleft()


class PoolExecutor(InlineExecutor):
    """Jobs in ``n_jobs`` local worker processes, two per worker in flight."""

    def __init__(self, fn: Callable[..., Any], state: Any, n_jobs: int) -> None:
        super().__init__(fn, state)
        self.n_jobs = n_jobs

    def __enter__(self) -> PoolExecutor:
        self.pool = ProcessPool(self.n_jobs, self.fn, self.state).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.__exit__(*exc)

    def submit(self, args: tuple[Any, ...]) -> Any:
        return self.pool.submit(*args)

    def window(self) -> int:
        return self.pool.window

    def result(self, job: Any) -> Any:
        return self.pool.result(job)


class DaskExecutor(InlineExecutor):
    """Jobs on a Dask cluster: a local one of ``n_jobs`` processes, or a scheduler."""

    def __init__(
        self, fn: Callable[..., Any], state: Any, n_jobs: int, scheduler: str | None
    ) -> None:
        super().__init__(fn, state)
        self.n_jobs = n_jobs
        self.scheduler = scheduler

    def __enter__(self) -> DaskExecutor:
        try:
            from dask.distributed import Client
        except ImportError as exc:
            raise BatchError(
                "engine='dask' needs dask and distributed; install them with "
                "pip install 'textfeat[dask]' (or pip install 'dask[distributed]')"
            ) from exc
        self.cluster = None
        if self.scheduler is None:
            self.cluster = local_cluster(self.n_jobs)
            self.client = Client(self.cluster)
        else:
            self.client = Client(self.scheduler)
        [self.state_future] = self.client.scatter(
            [self.state], broadcast=True, hash=False
        )
        self.n_workers = max(1, len(self.client.scheduler_info()["workers"]))
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def submit(self, args: tuple[Any, ...]) -> Any:
        return self.client.submit(
            self.fn, self.state_future, *args, pure=False, retries=1
        )

    def window(self) -> int:
        return 2 * self.n_workers

    def result(self, job: Any) -> Any:
        return job.result()

    def wait_one(self, jobs: deque[Any]) -> Any:
        from dask.distributed import wait

        done = wait(list(jobs), return_when="FIRST_COMPLETED").done
        job = next(j for j in jobs if j in done)
        jobs.remove(job)
        return job


def executor_for(
    fn: Callable[..., Any],
    state: Any,
    n_jobs: int,
    engine: str,
    scheduler: str | None,
    n_tasks: int | None = None,
) -> InlineExecutor:
    """The executor of a run: Dask for ``engine="dask"``, a process pool for
    ``n_jobs > 1`` (unless ``n_tasks`` says one job or none), else inline."""
    if engine == "dask":
        return DaskExecutor(fn, state, n_jobs, scheduler)
    if n_jobs > 1 and (n_tasks is None or n_tasks > 1):
        return PoolExecutor(fn, state, n_jobs)
    return InlineExecutor(fn, state)
