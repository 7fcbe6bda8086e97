"""Featurize a corpus larger than memory into sharded, resumable output.

:func:`featurize` reads a corpus as a stream, cuts it into chunks of
``chunk_size`` records, applies a fitted pipeline to each chunk and writes one
shard per chunk::

    out_dir/
      run.json                     settings of the run (checked on --resume)
      shard-00000.npz              features: CSR (scipy.sparse.load_npz reads it)
      shard-00000.npy                ... or a dense array
      shard-00000.records.npz      record ids and labels of the shard's rows
      shard-00000.json             marker: counts, checksums, quarantined records
      quarantine.jsonl             every record that could not be read
      features.json                feature names, when the pipeline has them
      manifest.json                shards, counts, checksums, params, versions

Every file is written to a temporary name and renamed, and a shard counts as
finished only once its marker exists and its checksums match. A run killed at
any point and started again with ``resume=True`` skips the finished shards and
ends with the same files as an uninterrupted run. The arrays do not depend
on the engine, the number of workers or the chunk size: rows are computed
independently, and word dropout (``dropout=True``) draws from the record's
global index (:meth:`textfeat.WordDropout.corrupt`).

Workers write their shards themselves, so with a Dask scheduler on other
machines ``out_dir`` must be on storage every worker can reach.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing as mp
import os
import platform
import time
import zipfile
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from textfeat.corpus import Quarantine, Record, read_corpus

__all__ = [
    "BatchError",
    "FeaturizeReport",
    "featurize",
    "load_features",
    "read_manifest",
]

MANIFEST_FORMAT = "textfeat-shards"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class BatchError(RuntimeError):
    """A batch run cannot start, resume or finish; the message says why.

    Examples
    --------
    >>> err = BatchError("out/: resume refused: the model changed")
    >>> isinstance(err, RuntimeError), str(err)
    (True, 'out/: resume refused: the model changed')
    """


@dataclass
class FeaturizeReport:
    """What a :func:`featurize` run did.

    Attributes
    ----------
    out_dir : Path
        The output folder.
    n_in : int
        Records read from the corpus (good and quarantined).
    n_written : int
        Rows written to the shards.
    n_quarantined : int
        Records sent to ``quarantine.jsonl``.
    n_shards : int
        Shards in the output.
    n_skipped : int
        Shards found finished and skipped (``resume=True``).
    seconds : float
        Wall time of the run.

    Examples
    --------
    >>> from pathlib import Path
    >>> report = FeaturizeReport(Path("out"), n_in=10, n_written=9, n_quarantined=1)
    >>> report.n_in == report.n_written + report.n_quarantined
    True
    """

    out_dir: Path
    n_in: int = 0
    n_written: int = 0
    n_quarantined: int = 0
    n_shards: int = 0
    n_skipped: int = 0
    seconds: float = 0.0
    shards: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def __str__(self) -> str:
        rate = self.n_in / self.seconds if self.seconds else float("nan")
        return (
            f"{self.n_in} records in = {self.n_written} written + "
            f"{self.n_quarantined} quarantined; {self.n_shards} shards "
            f"({self.n_skipped} resumed) in {self.out_dir} "
            f"[{self.seconds:.1f} s, {rate:.0f} records/s]"
        )


# -- the work on one chunk (runs in workers) -------------------------------------
def _feature_steps(model: Any) -> list[Any]:
    """The steps that make features: a pipeline without a final predictor."""
    steps = [s for _, s in model.steps] if hasattr(model, "steps") else [model]
    steps = [s for s in steps if s is not None and s != "passthrough"]
    if steps and not hasattr(steps[-1], "transform"):
        steps = steps[:-1]
    if not steps:
        raise BatchError(
            f"the model ({type(model).__name__}) has no step with transform; "
            "featurize needs a fitted transformer or pipeline"
        )
    return steps


def _apply(steps: Sequence[Any], texts: list[str], start: int, dropout: bool) -> Any:
    Xt: Any = texts
    for step in steps:
        if dropout and hasattr(step, "corrupt"):
            Xt = step.corrupt(Xt, start_index=start)
        else:
            Xt = step.transform(Xt)
    return Xt


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ascontiguousarray(a), allow_pickle=False)
    return buf.getvalue()


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    """An uncompressed ``.npz`` with no time stamps (same arrays, same bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, a in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            zf.writestr(info, _npy(a))
    return buf.getvalue()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _label_array(labels: list[Any]) -> tuple[np.ndarray, list[str]]:
    kinds = sorted({type(v).__name__ for v in labels})
    text = ["" if v is None else str(v) for v in labels]
    return np.asarray(text, dtype=str) if text else np.zeros(0, dtype="<U1"), kinds


def _encode_features(X: Any) -> tuple[str, bytes, int, str]:
    if sp.issparse(X):
        X = sp.csr_matrix(X)
        X.sort_indices()
        data = _npz(
            {
                "indices": X.indices,
                "indptr": X.indptr,
                "format": np.array(b"csr"),
                "shape": np.asarray(X.shape, dtype=np.int64),
                "data": X.data,
            }
        )
        return "npz", data, X.shape[1], X.dtype.str
    arr = np.asarray(X)
    if arr.dtype.hasobject:
        raise BatchError(
            "the pipeline's output is not numeric (an object array, such as "
            "token lists); featurize needs a matrix, end the pipeline with a "
            "vectorizer"
        )
    n_features = arr.shape[1] if arr.ndim > 1 else 1
    return "npy", _npy(arr), n_features, arr.dtype.str


def _process_chunk(
    steps: Sequence[Any],
    out_dir: str,
    index: int,
    first_index: int,
    texts: list[str],
    ids: list[str],
    labels: list[Any],
    quarantined: list[dict[str, Any]],
    dropout: bool,
) -> dict[str, Any]:
    """Featurize one chunk and write its shard; the marker is written last."""
    out = Path(out_dir)
    stem = f"shard-{index:05d}"
    files: dict[str, str] = {}
    kind, n_features, dtype = "none", 0, ""
    if texts:
        X = _apply(steps, texts, first_index, dropout)
        if X.shape[0] != len(texts):
            raise BatchError(
                f"shard {index}: the pipeline returned {X.shape[0]} rows for "
                f"{len(texts)} records (records {first_index}..)"
            )
        kind, blob, n_features, dtype = _encode_features(X)
        _write_atomic(out / f"{stem}.{kind}", blob)
        files[f"{stem}.{kind}"] = _sha256(blob)
    label_arr, label_kinds = _label_array(labels)
    blob = _npz({"ids": np.asarray(ids, dtype=str), "labels": label_arr})
    _write_atomic(out / f"{stem}.records.npz", blob)
    files[f"{stem}.records.npz"] = _sha256(blob)
    marker = {
        "index": index,
        "first_index": first_index,
        "n_records": len(texts),
        "n_quarantined": len(quarantined),
        "kind": kind,
        "n_features": n_features,
        "dtype": dtype,
        "label_types": label_kinds,
        "files": files,
        "quarantined": quarantined,
    }
    _write_atomic(
        out / f"{stem}.json", json.dumps(marker, indent=1, sort_keys=True).encode()
    )
    return marker


# -- worker-side state for the local process pool --------------------------------
_WORKER_STEPS: list[Any] | None = None


def _init_worker(steps: list[Any]) -> None:
    global _WORKER_STEPS
    _WORKER_STEPS = steps


def _pool_task(args: tuple[Any, ...]) -> dict[str, Any]:
    assert _WORKER_STEPS is not None
    return _process_chunk(_WORKER_STEPS, *args)


# -- chunking ---------------------------------------------------------------------
@dataclass
class _Chunk:
    index: int
    first_index: int
    texts: list[str]
    ids: list[str]
    labels: list[Any]
    quarantined: list[dict[str, Any]]

    def args(self, out_dir: str, dropout: bool) -> tuple[Any, ...]:
        return (
            out_dir,
            self.index,
            self.first_index,
            self.texts,
            self.ids,
            self.labels,
            self.quarantined,
            dropout,
        )


def _chunks(
    records: Iterator[Record], quarantine: Quarantine, chunk_size: int
) -> Iterator[_Chunk]:
    """Cut the stream into chunks; bad records go with the chunk being filled.

    A chunk is closed when the next good record arrives (or at the end), so
    quarantined records after the last good one belong to the last chunk.
    """
    index = first = 0
    texts: list[str] = []
    ids: list[str] = []
    labels: list[Any] = []
    for rec in records:
        if len(texts) == chunk_size:
            yield _Chunk(index, first, texts, ids, labels, quarantine.drain())
            index, first = index + 1, first + len(texts)
            texts, ids, labels = [], [], []
        texts.append(rec.text)
        ids.append(rec.id)
        labels.append(rec.label)
    pending = quarantine.drain()
    if texts or pending or index == 0:
        yield _Chunk(index, first, texts, ids, labels, pending)


# -- executors --------------------------------------------------------------------
class _Inline:
    def __init__(self, steps: list[Any]) -> None:
        self.steps = steps

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def submit(self, args: tuple[Any, ...]) -> Any:
        return _process_chunk(self.steps, *args)

    def window(self) -> int:
        return 1

    def result(self, job: Any) -> dict[str, Any]:
        return job

    def wait_one(self, jobs: deque[Any]) -> Any:
        return jobs.popleft()


class _Pool(_Inline):
    def __init__(self, steps: list[Any], n_jobs: int) -> None:
        super().__init__(steps)
        self.n_jobs = n_jobs
        methods = mp.get_all_start_methods()
        self.ctx = mp.get_context("fork" if "fork" in methods else "spawn")

    def __enter__(self) -> _Pool:
        self.pool = self.ctx.Pool(
            self.n_jobs, initializer=_init_worker, initargs=(self.steps,)
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.terminate()
        self.pool.join()

    def submit(self, args: tuple[Any, ...]) -> Any:
        return self.pool.apply_async(_pool_task, (args,))

    def window(self) -> int:
        return 2 * self.n_jobs

    def result(self, job: Any) -> dict[str, Any]:
        return job.get()


class _Dask(_Inline):
    def __init__(self, steps: list[Any], n_jobs: int, scheduler: str | None) -> None:
        super().__init__(steps)
        self.n_jobs = n_jobs
        self.scheduler = scheduler

    def __enter__(self) -> _Dask:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:
            raise BatchError(
                "engine='dask' needs dask and distributed; install them with "
                "pip install 'textfeat[dask]' (or pip install 'dask[distributed]')"
            ) from exc
        self.cluster = None
        if self.scheduler is None:
            self.cluster = LocalCluster(
                n_workers=self.n_jobs,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            self.client = Client(self.cluster)
        else:
            self.client = Client(self.scheduler)
        [self.steps_future] = self.client.scatter(
            [self.steps], broadcast=True, hash=False
        )
        self.n_workers = max(1, len(self.client.scheduler_info()["workers"]))
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def submit(self, args: tuple[Any, ...]) -> Any:
        return self.client.submit(
            _process_chunk, self.steps_future, *args, pure=False, retries=1
        )

    def window(self) -> int:
        return 2 * self.n_workers

    def result(self, job: Any) -> dict[str, Any]:
        return job.result()

    def wait_one(self, jobs: deque[Any]) -> Any:
        from dask.distributed import wait

        done = wait(list(jobs), return_when="FIRST_COMPLETED").done
        job = next(j for j in jobs if j in done)
        jobs.remove(job)
        return job


# -- the run ----------------------------------------------------------------------
def _versions() -> dict[str, str]:
    from textfeat.persist import _versions as model_versions

    return {"python": platform.python_version(), **model_versions()}


def _model_fingerprint(model: Any) -> tuple[str, Any]:
    from textfeat.persist import dumps

    try:
        return _sha256(dumps(model)), None
    except ValueError as exc:
        # Not saveable safely: fall back on the parameters' text.
        params = repr(sorted(model.get_params(deep=True).items(), key=str))
        return _sha256(params.encode()), str(exc)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return repr(value)


def _params(model: Any) -> dict[str, Any]:
    if not hasattr(model, "get_params"):
        return {}
    params = model.get_params(deep=True)
    return {
        k: _jsonable(v)
        for k, v in sorted(params.items())
        if "__" in k or not hasattr(v, "get_params")
    }


def _check_marker(out: Path, index: int) -> dict[str, Any] | None:
    """The shard's marker if the shard is complete and intact, else None."""
    path = out / f"shard-{index:05d}.json"
    if not path.is_file():
        return None
    try:
        marker = json.loads(path.read_bytes())
        for name, digest in marker["files"].items():
            if _sha256((out / name).read_bytes()) != digest:
                return None
    except (OSError, ValueError, KeyError):
        return None
    return marker


def _run_spec(
    source: Any,
    reader_opts: dict[str, Any],
    chunk_size: int,
    dropout: bool,
    fingerprint: str,
) -> dict[str, Any]:
    return {
        "source": str(Path(source).resolve()),
        "reader": reader_opts,
        "chunk_size": chunk_size,
        "dropout": dropout,
        "model_sha256": fingerprint,
    }


def _start(out: Path, spec: dict[str, Any], resume: bool) -> None:
    run_file = out / "run.json"
    if run_file.exists():
        if not resume:
            raise BatchError(
                f"{out} already holds a featurize run; pass resume=True "
                "(--resume) to continue it, or choose an empty folder"
            )
        old = json.loads(run_file.read_text())
        diff = sorted(k for k in spec if old.get(k) != spec[k])
        if diff:
            raise BatchError(
                f"{out}: cannot resume, the run was started with other settings "
                f"({', '.join(diff)} differ); use the same model, corpus and "
                "options, or a new folder"
            )
        for tmp in out.glob(".*.tmp"):
            tmp.unlink()
        return
    if out.exists() and any(out.iterdir()):
        raise BatchError(f"{out} is not empty; choose an empty or new folder")
    out.mkdir(parents=True, exist_ok=True)
    _write_atomic(run_file, json.dumps(spec, indent=1, sort_keys=True).encode())


def featurize(
    model: Any,
    source: str | Path,
    out_dir: str | Path,
    *,
    format: str = "auto",
    text_field: str = "text",
    label_field: str | None = "label",
    id_field: str | None = "id",
    encoding: str = "utf-8",
    chunk_size: int = 10_000,
    n_jobs: int = 1,
    engine: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    resume: bool = False,
    quarantine: bool = False,
    dropout: bool = False,
    quiet: bool = False,
) -> FeaturizeReport:
    """Apply a fitted pipeline to a corpus in chunks and write sharded output.

    Parameters
    ----------
    model : estimator, str or Path
        A fitted transformer or pipeline (a final predictor is left out: the
        features are what comes out of the step before it), or the path of a
        model saved with :func:`textfeat.persist.save`.
    source : str or Path
        The corpus, read as a stream by :func:`textfeat.corpus.read_corpus`.
    out_dir : str or Path
        Output folder: new or empty, or that of the run to resume.
    format, text_field, label_field, id_field, encoding
        Passed to :func:`textfeat.corpus.read_corpus`.
    chunk_size : int, default=10_000
        Records per shard. Memory grows with it (times ``2 * n_jobs`` chunks
        in flight), not with the corpus.
    n_jobs : int, default=1
        Worker processes (``-1``: every core), or Dask workers of the local
        cluster started when ``engine="dask"`` has no ``scheduler``.
    engine : {"local", "dask"}, default="local"
        Local processes, or a Dask cluster.
    scheduler : str or None, default=None
        Address of a running Dask scheduler (``tcp://host:8786``); None starts
        a local cluster for the run.
    resume : bool, default=False
        Continue the run in ``out_dir``: finished shards are skipped, the rest
        written again. Refused if the model, corpus or options changed.
    quarantine : bool, default=False
        Write unreadable records to ``quarantine.jsonl`` (file, line, reason)
        and go on; False stops at the first with :class:`CorpusError`.
    dropout : bool, default=False
        Apply the training-time corruption of steps that have a ``corrupt``
        method (:class:`~textfeat.WordDropout`), keyed by each record's index
        in the corpus, as ``fit_transform`` would; False gives test-time
        features.
    quiet : bool, default=False
        No progress bar.

    Returns
    -------
    FeaturizeReport

    Raises
    ------
    CorpusError
        An unreadable record, when ``quarantine`` is False.
    BatchError
        For an ``out_dir`` in use, a resume with other settings, a pipeline
        without a numeric output, or counts that do not add up.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.pipeline import make_pipeline
    >>> from textfeat import OneHotVectorizer, SpacyTokenizer
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "c.txt").write_text("a cat\\na dog\\nthe cat\\n")
    >>> pipe = make_pipeline(SpacyTokenizer(), OneHotVectorizer())
    >>> _ = pipe.fit(["a cat", "a dog"])
    >>> report = featurize(pipe, tmp / "c.txt", tmp / "out", chunk_size=2, quiet=True)
    >>> report.n_in, report.n_written, report.n_shards
    (3, 3, 2)
    >>> X, ids, labels = load_features(tmp / "out")
    >>> X.shape, ids.tolist()
    ((3, 7), ['c.txt:1', 'c.txt:2', 'c.txt:3'])
    """
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    if isinstance(model, str | Path):
        from textfeat.persist import load

        model = load(model)
    if engine not in ("local", "dask"):
        raise BatchError(f"engine={engine!r}; use 'local' or 'dask'")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise BatchError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise BatchError(f"n_jobs must be -1 or a positive integer, got {n_jobs!r}")
    steps = _feature_steps(model)
    fingerprint, unsaveable = _model_fingerprint(model)
    reader_opts = {
        "format": format,
        "text_field": text_field,
        "label_field": label_field,
        "id_field": id_field,
        "encoding": encoding,
    }
    out = Path(out_dir)
    _start(
        out, _run_spec(source, reader_opts, chunk_size, dropout, fingerprint), resume
    )

    quar = Quarantine()
    records = read_corpus(
        source, quarantine=quar if quarantine else None, **reader_opts
    )  # type: ignore[arg-type]
    executor: _Inline
    if engine == "dask":
        executor = _Dask(steps, n_jobs, scheduler)
    elif n_jobs > 1:
        executor = _Pool(steps, n_jobs)
    else:
        executor = _Inline(steps)
    report = FeaturizeReport(out_dir=out)
    markers: dict[int, dict[str, Any]] = {}
    bar = tqdm(unit="rec", unit_scale=True, desc="featurize", disable=quiet)

    def collect(job: Any) -> None:
        marker = executor.result(job)
        markers[marker["index"]] = marker
        bar.update(marker["n_records"] + marker["n_quarantined"])

    try:
        with executor:
            jobs: deque[Any] = deque()
            for chunk in _chunks(records, quar, chunk_size):
                report.n_in += len(chunk.texts) + len(chunk.quarantined)
                done = _check_marker(out, chunk.index) if resume else None
                if done is not None:
                    if done["n_records"] != len(chunk.texts) or done["first_index"] != (
                        chunk.first_index
                    ):
                        raise BatchError(
                            f"{out}: shard {chunk.index} does not match the corpus "
                            "(it changed since the run started); start a new run"
                        )
                    markers[chunk.index] = done
                    report.n_skipped += 1
                    bar.update(done["n_records"] + done["n_quarantined"])
                    continue
                jobs.append(executor.submit(chunk.args(str(out), dropout)))
                while len(jobs) >= executor.window():
                    collect(executor.wait_one(jobs))
            while jobs:
                collect(executor.wait_one(jobs))
    finally:
        bar.close()
    return _finish(out, model, steps, markers, report, t0, unsaveable)


def _finish(
    out: Path,
    model: Any,
    steps: list[Any],
    markers: dict[int, dict[str, Any]],
    report: FeaturizeReport,
    t0: float,
    unsaveable: str | None,
) -> FeaturizeReport:
    ordered = [markers[i] for i in sorted(markers)]
    if [m["index"] for m in ordered] != list(range(len(ordered))):
        raise BatchError(f"{out}: shards are missing; run again with --resume")
    report.n_shards = len(ordered)
    report.n_written = sum(m["n_records"] for m in ordered)
    report.n_quarantined = sum(m["n_quarantined"] for m in ordered)
    report.shards = ordered
    if report.n_in != report.n_written + report.n_quarantined:
        raise BatchError(
            f"{out}: {report.n_in} records read but {report.n_written} written and "
            f"{report.n_quarantined} quarantined; records were lost, run again"
        )
    kinds = {m["kind"] for m in ordered} - {"none"}
    widths = {m["n_features"] for m in ordered if m["kind"] != "none"}
    if len(kinds) > 1 or len(widths) > 1:
        raise BatchError(f"{out}: shards disagree on their kind or width")
    entries = [e for m in ordered for e in m["quarantined"]]
    _write_atomic(
        out / "quarantine.jsonl",
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode(),
    )
    names = None
    try:
        names = [str(n) for n in steps[-1].get_feature_names_out()]
    except (AttributeError, ValueError, TypeError):
        names = None
    if names is not None:
        _write_atomic(out / "features.json", json.dumps(names).encode())
    label_types = sorted({t for m in ordered for t in m["label_types"]} - {"NoneType"})
    run = json.loads((out / "run.json").read_text())
    manifest = {
        "format": MANIFEST_FORMAT,
        "format_version": 1,
        "source": run["source"],
        "reader": run["reader"],
        "chunk_size": run["chunk_size"],
        "dropout": run["dropout"],
        "n_records_in": report.n_in,
        "n_written": report.n_written,
        "n_quarantined": report.n_quarantined,
        "kind": kinds.pop() if kinds else "none",
        "n_features": widths.pop() if widths else 0,
        "dtype": next((m["dtype"] for m in ordered if m["dtype"]), ""),
        "label_type": label_types[0]
        if len(label_types) == 1
        else ("none" if not label_types else "mixed"),
        "feature_names": "features.json" if names is not None else None,
        "quarantine": "quarantine.jsonl",
        "shards": [
            {
                k: m[k]
                for k in ("index", "first_index", "n_records", "n_quarantined", "files")
            }
            for m in ordered
        ],
        "pipeline": {
            "class": f"{type(model).__module__}.{type(model).__qualname__}",
            "sha256": run["model_sha256"],
            "params": _params(model),
            "not_saveable": unsaveable,
        },
        "versions": _versions(),
    }
    _write_atomic(
        out / "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode()
    )
    report.seconds = time.perf_counter() - t0
    return report


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    """Read the manifest of a finished :func:`featurize` run.

    Parameters
    ----------
    out_dir : str or Path

    Returns
    -------
    dict

    Raises
    ------
    BatchError
        If the folder has no manifest (the run is unfinished: resume it).

    Examples
    --------
    >>> read_manifest("/nonexistent")
    Traceback (most recent call last):
    ...
    textfeat.batch.BatchError: /nonexistent: no manifest.json; the run did not finish, run featurize again with --resume
    """
    path = Path(out_dir) / "manifest.json"
    if not path.is_file():
        raise BatchError(
            f"{out_dir}: no manifest.json; the run did not finish, run featurize "
            "again with --resume"
        )
    manifest = json.loads(path.read_text())
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BatchError(f"{path}: not a textfeat featurize manifest")
    return manifest


def load_features(
    out_dir: str | Path, *, verify: bool = True
) -> tuple[Any, np.ndarray, np.ndarray]:
    """Load every shard of a finished run: features, record ids and labels.

    Parameters
    ----------
    out_dir : str or Path
        Output folder of :func:`featurize`.
    verify : bool, default=True
        Check each file's SHA-256 against the manifest.

    Returns
    -------
    X : scipy.sparse.csr_matrix or ndarray
        Features, one row per written record, in corpus order.
    ids : ndarray of str
    labels : ndarray
        int64 if every label was an integer, else str (``""`` for none).

    Raises
    ------
    BatchError
        For an unfinished run or a checksum mismatch.

    Examples
    --------
    See :func:`featurize`.
    """
    out = Path(out_dir)
    manifest = read_manifest(out)
    blocks: list[Any] = []
    ids: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    for shard in manifest["shards"]:
        for name, digest in shard["files"].items():
            data = (out / name).read_bytes()
            if verify and _sha256(data) != digest:
                raise BatchError(
                    f"{out / name}: checksum mismatch; the file changed after the "
                    "run, featurize again"
                )
            buf = io.BytesIO(data)
            if name.endswith(".records.npz"):
                with np.load(buf, allow_pickle=False) as z:
                    ids.append(z["ids"])
                    labels.append(z["labels"])
            elif name.endswith(".npz"):
                blocks.append(sp.load_npz(buf))
            else:
                blocks.append(np.load(buf, allow_pickle=False))
    if manifest["kind"] == "npz":
        X: Any = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, 0))
    elif blocks:
        X = np.concatenate(blocks)
    else:
        X = np.zeros((0, 0))
    all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=str)
    all_labels = np.concatenate(labels) if labels else np.zeros(0, dtype=str)
    if manifest["label_type"] == "int":
        all_labels = all_labels.astype(np.int64)
    return X, all_ids, all_labels
