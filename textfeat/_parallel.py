"""Processes and threads, shared by the tokenizer, batch and the softmax head (private).

**One CPU-count rule.** :func:`usable_cpus` is the number of CPUs this
process may run on (``os.sched_getaffinity`` where it exists, so a container
or ``taskset`` limit counts; else ``os.cpu_count()``). :func:`effective_n_jobs`
turns a requested count into the one used:

* ``-1`` means every usable CPU;
* a positive integer is used as given, **bounded** by the usable CPUs (a
  pipeline saved on a larger machine runs here with the CPUs there are; a
  model file's count is bounded the same way on load);
* anything else (0, other negative numbers, a bool, a float, a string) is
  refused with a ``ValueError`` naming the parameter and the value.

**One process pool.** :class:`ProcessPool` runs ``fn(state, *args)`` in
worker processes started with the ``fork`` method where it exists (the
workers inherit the parent's imports, so they start in milliseconds;
``spawn`` elsewhere). While a forked pool is open the parent's objects are
frozen (``gc.freeze``), so that no garbage collection, in a worker or in the
parent, copies the pages they share. ``state`` (a fitted pipeline, a tokenizer's settings)
is given to each worker once, when it starts, not with every job. Jobs are
submitted one by one (:meth:`ProcessPool.submit`, results with
:meth:`ProcessPool.result`) or as a stream whose results come back in order
with a bounded number in flight (:meth:`ProcessPool.imap`), so memory does not
depend on the length of the input (``multiprocessing.Pool.imap`` reads the
whole input ahead).

Nothing here imports another textfeat module.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = [
    "ProcessPool",
    "dask_client",
    "effective_n_jobs",
    "local_cluster",
    "start_method",
    "usable_cpus",
]


def usable_cpus() -> int:
    """The number of CPUs this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def effective_n_jobs(n_jobs: Any, name: str = "n_jobs") -> int:
    """The process count used for a requested ``n_jobs`` (see the module rule).

    Parameters
    ----------
    n_jobs : int
        ``-1`` for every usable CPU, or a positive integer.
    name : str, default="n_jobs"
        The parameter's name, for the error message.

    Returns
    -------
    int
        Between 1 and :func:`usable_cpus`.

    Raises
    ------
    ValueError
        If ``n_jobs`` is neither -1 nor a positive integer.

    Examples
    --------
    >>> effective_n_jobs(-1) == usable_cpus(), effective_n_jobs(1)
    (True, 1)
    >>> effective_n_jobs(10_000) == usable_cpus()
    True
    """
    if (
        isinstance(n_jobs, bool)
        or not isinstance(n_jobs, int)
        or (n_jobs < 1 and n_jobs != -1)
    ):
        raise ValueError(f"{name} must be -1 or a positive integer, got {n_jobs!r}")
    cpus = usable_cpus()
    return cpus if n_jobs == -1 else min(n_jobs, cpus)


def local_cluster(n_workers: int, *, processes: bool = True) -> Any:
    """A Dask ``LocalCluster`` of single-threaded workers, as textfeat starts one.

    No dashboard, and the scheduler's HTTP server (which Dask starts even
    without a dashboard) on a free port of 127.0.0.1: the default, 8787, may
    be held by another cluster on the machine, and Dask's fallback warns.

    Parameters
    ----------
    n_workers : int
        Worker count (already bounded by :func:`effective_n_jobs`).
    processes : bool, default=True
        Worker processes (True) or threads in this process (False).

    Returns
    -------
    distributed.LocalCluster
        Close it (or use it as a context manager) when done.

    Examples
    --------
    >>> with local_cluster(1, processes=False) as cluster:
    ...     len(cluster.workers)
    1
    """
    from dask.distributed import LocalCluster

    # Worker processes talk over TCP on 127.0.0.1; threads in this process
    # use Dask's in-process transport, which takes no host.
    where = {"host": "127.0.0.1"} if processes else {}
    return LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        **where,
    )


def dask_client(scheduler: Any, n_workers: int) -> tuple[Any, list[Any]]:
    """A Dask client for ``scheduler``, and what the caller must close after.

    ``scheduler`` is None (a :func:`local_cluster` of ``n_workers`` is
    started, and closed with its client), a scheduler address (a client is
    opened), or a ``distributed.Client`` (used as is, left open).

    Examples
    --------
    A client given is used as is, and nothing is left to close:

    >>> client = object()  # stands for a distributed.Client
    >>> dask_client(client, 1) == (client, [])
    True
    """
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise ImportError(
            "engine='dask' needs dask.distributed: pip install 'textfeat[dask]'"
        ) from exc
    if scheduler is None:
        cluster = local_cluster(n_workers)
        client = Client(cluster)
        return client, [cluster, client]
    if isinstance(scheduler, str):
        client = Client(scheduler)
        return client, [client]
    return scheduler, []


def start_method() -> str:
    """``"fork"`` where the platform has it, else ``"spawn"``."""
    return "fork" if "fork" in mp.get_all_start_methods() else "spawn"


# -- worker side: the function and its state, set once per worker -----------------
_WORKER: tuple[Callable[..., Any], Any] | None = None


def _init_worker(fn: Callable[..., Any], state: Any) -> None:
    global _WORKER
    _WORKER = (fn, state)


def _call(args: tuple[Any, ...]) -> Any:
    assert _WORKER is not None
    fn, state = _WORKER
    return fn(state, *args)


class ProcessPool:
    """Worker processes that run ``fn(state, *args)``; a context manager.

    Parameters
    ----------
    n_workers : int
        Number of worker processes (already an effective count: see
        :func:`effective_n_jobs`).
    fn : callable
        A module-level function (it must pickle by name for ``spawn``).
    state : object, default=None
        Passed as ``fn``'s first argument; sent to each worker once.
    window : int or None, default=None
        Most jobs in flight in :meth:`imap` (default ``2 * n_workers``: every
        worker busy with one job and one queued).

    Examples
    --------
    >>> with ProcessPool(2, divmod, 7) as pool:
    ...     list(pool.imap([(2,), (3,), (5,)]))
    [(3, 1), (2, 1), (1, 2)]
    """

    def __init__(
        self,
        n_workers: int,
        fn: Callable[..., Any],
        state: Any = None,
        *,
        window: int | None = None,
    ) -> None:
        self.n_workers = n_workers
        self.fn = fn
        self.state = state
        self.window = window or 2 * n_workers
        self._pool: Any = None

    def __enter__(self) -> ProcessPool:
        method = start_method()
        # Forked workers share the parent's pages until one side writes to
        # them, and a full garbage collection writes to the header of every
        # object it walks: over a long run each worker's first full
        # collection (and the parent's) copied every page of the fitted model.
        # Frozen objects are never walked, so the pages stay shared; they are
        # unfrozen when the pool closes (and garbage among them collected).
        self._froze = method == "fork" and gc.get_freeze_count() == 0
        if self._froze:
            gc.freeze()
        try:
            self._pool = mp.get_context(method).Pool(
                self.n_workers, initializer=_init_worker, initargs=(self.fn, self.state)
            )
        except BaseException:
            self._unfreeze()
            raise
        return self

    def _unfreeze(self) -> None:
        if self._froze:
            self._froze = False
            gc.unfreeze()

    def __exit__(self, *exc: object) -> None:
        try:
            self._pool.terminate()
            self._pool.join()
        finally:
            self._unfreeze()

    def submit(self, *args: Any) -> Any:
        """Start ``fn(state, *args)`` in a worker; returns a handle for :meth:`result`."""
        return self._pool.apply_async(_call, (args,))

    @staticmethod
    def ready(job: Any) -> bool:
        """Whether a submitted job has finished."""
        return bool(job.ready())

    @staticmethod
    def result(job: Any) -> Any:
        """The result of a submitted job (waits; re-raises its exception)."""
        return job.get()

    def imap(self, args: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
        """Results of ``fn(state, *a)`` for each ``a`` of ``args``, in order.

        At most :attr:`window` jobs are in flight: the input is read only as
        far ahead as that.
        """
        jobs: deque[Any] = deque()
        for a in args:
            jobs.append(self.submit(*a))
            while len(jobs) >= self.window:
                yield self.result(jobs.popleft())
        while jobs:
            yield self.result(jobs.popleft())
