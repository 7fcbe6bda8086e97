"""Featurize a corpus larger than memory into sharded, resumable output.

:func:`featurize` reads a corpus as a stream, cuts it into chunks of
``chunk_size`` records, applies a fitted pipeline to each chunk and writes one
shard per chunk::

    out_dir/
      run.json                     settings and corpus fingerprint (checked on --resume)
      run.lock                     held while a run is going (removed at its end)
      shard-00000.npz              features: CSR (scipy.sparse.load_npz reads it)
      shard-00000.npy                ... or a dense array
      shard-00000.records.npz      record ids, labels and has-label mask of the rows
      shard-00000.json             marker: counts, line spans, checksums, quarantine
      quarantine.jsonl             every record that could not be read or transformed
      features.json                feature names, when the pipeline has them
      manifest.json                shards, counts, lines, labels, checksums, versions

Every file is written to a temporary name and renamed, and a shard counts as
finished only once its marker exists and its checksums match. A run killed at
any point and started again with ``resume=True`` skips the finished shards and
ends with the same files as an uninterrupted run. The arrays do not depend
on the engine, the number of workers or the chunk size: rows are computed
independently, and word dropout (``dropout=True``) draws from the record's
global index (:meth:`textfeat.WordDropout.corrupt`).

Nothing is lost: every record read is written or quarantined, and every
physical line of the input is in a written record, a quarantined record or
counted as skipped (blank lines, headers); the manifest is written only when
both counts balance. Nothing is trusted: a resume is refused when the corpus
changed (size, modification time, content hash), a second run on the same
folder is refused by an exclusive lock, and the number of processes comes from
the caller, never from the model.

Workers write their shards themselves, so with a Dask scheduler on other
machines ``out_dir`` must be on storage every worker can reach.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import itertools
import json
import multiprocessing as mp
import os
import platform
import re
import socket
import stat
import threading
import time
import uuid
import warnings
import zipfile
import zlib
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from textfeat.corpus import (
    MAX_RECORD_BYTES,
    LineAccount,
    Quarantine,
    Record,
    detect_format,
    read_corpus,
)

__all__ = [
    "BatchError",
    "BatchWarning",
    "FeaturizeReport",
    "featurize",
    "load_features",
    "read_manifest",
]

MANIFEST_FORMAT = "textfeat-shards"
MANIFEST_VERSION = 2
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_RAW_PREVIEW = 200
#: Corpora up to this size are hashed before the run starts; larger ones while
#: it runs, the hash being checked before the manifest is written.
_HASH_AT_START = 64 * 2**20
_LOCK = "run.lock"


class BatchError(RuntimeError):
    """A batch run cannot start, resume or finish; the message says why.

    Examples
    --------
    >>> err = BatchError("out/: resume refused: the model changed")
    >>> isinstance(err, RuntimeError), str(err)
    (True, 'out/: resume refused: the model changed')
    """


class BatchWarning(UserWarning):
    """Something a batch run did on its own that the user should know about.

    Examples
    --------
    >>> issubclass(BatchWarning, UserWarning)
    True
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


def _one_process(steps: list[Any]) -> list[Any]:
    """Copies of the steps that start no processes of their own.

    The number of processes is the caller's ``n_jobs``; a ``n_process`` or
    ``n_jobs`` stored in a model (file) never chooses it. The caller's model
    is left as it is.
    """
    out = []
    for step in steps:
        params = step.get_params(deep=True) if hasattr(step, "get_params") else {}
        keys = [
            k
            for k, v in params.items()
            if k.rsplit("__", 1)[-1] in ("n_process", "n_jobs") and v not in (1, None)
        ]
        if keys:
            step = copy.deepcopy(step)
            step.set_params(**dict.fromkeys(keys, 1))
        out.append(step)
    return out


def _apply(steps: Sequence[Any], texts: list[str], start: int, dropout: bool) -> Any:
    Xt: Any = texts
    for step in steps:
        if dropout and hasattr(step, "corrupt"):
            Xt = step.corrupt(Xt, start_index=start)
        else:
            Xt = step.transform(Xt)
    return Xt


def _transform(
    steps: Sequence[Any], texts: list[str], start: int, dropout: bool
) -> tuple[list[Any], list[tuple[int, BaseException]]]:
    """Transform a chunk; if it fails, narrow the failure down to its records.

    Returns the blocks of rows of the records the pipeline could transform,
    in order, and ``(position, exception)`` for each record it could not. A
    chunk that transforms costs one call; a failing one is bisected, so ``k``
    bad records cost about ``2 k log2(len(texts))`` calls. Every record keeps
    its global index (``start`` + position) for word dropout.
    """
    try:
        X = _apply(steps, texts, start, dropout)
    except Exception as exc:  # any error of any step: narrow it down
        if len(texts) == 1:
            return [], [(0, exc)]
        mid = len(texts) // 2
        left, bad_left = _transform(steps, texts[:mid], start, dropout)
        right, bad_right = _transform(steps, texts[mid:], start + mid, dropout)
        return left + right, bad_left + [(i + mid, e) for i, e in bad_right]
    if X.shape[0] != len(texts):
        raise BatchError(
            f"the pipeline returned {X.shape[0]} rows for {len(texts)} records "
            f"(records {start}..); every step must keep one row per record"
        )
    return [X], []


def _reason(exc: BaseException) -> str:
    """``Type: message`` on one line, without memory addresses (reproducible)."""
    text = " ".join(str(exc).split())
    text = re.sub(r"0x[0-9a-fA-F]{6,}", "0x?", text)[:500]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _where(file: str, line: int, rid: str) -> str:
    return f"{file}, line {line} (record {rid!r})"


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


def _json_line(entry: dict[str, Any]) -> bytes:
    """One JSON line, keys sorted (fresh and resumed entries give the same
    bytes), non-ASCII as ``\\uXXXX`` escapes (as the readers' quarantine
    files), so a lone surrogate cannot make writing fail."""
    return (json.dumps(entry, sort_keys=True) + "\n").encode("ascii")


# -- strings and labels in the records file ---------------------------------------
def _pack_strings(values: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes and offsets: every string round-trips, lone surrogates and
    trailing NULs included (a numpy ``str`` array drops trailing NULs)."""
    parts = [v.encode("utf-8", "surrogatepass") for v in values]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in parts], out=offsets[1:])
    return np.frombuffer(b"".join(parts), dtype=np.uint8), offsets


def _unpack_strings(data: np.ndarray, offsets: np.ndarray) -> list[str]:
    buf = data.tobytes()
    bounds = offsets.tolist()
    return [
        buf[a:b].decode("utf-8", "surrogatepass") for a, b in itertools.pairwise(bounds)
    ]


def _str_array(values: list[str]) -> np.ndarray:
    """A numpy ``str`` array, or an object array if ``str`` would alter a value."""
    if any(v.endswith("\x00") for v in values):
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return np.asarray(values, dtype=str) if values else np.zeros(0, dtype="<U1")


#: Label types kept from reading to :func:`load_features`.
_LABEL_TYPES = {str: "str", int: "int", float: "float", bool: "bool"}
_LABEL_DTYPES = {"int": np.int64, "float": np.float64, "bool": np.bool_}
_LABEL_FILL = {"int": 0, "float": np.nan, "bool": False}


class _LabelCheck:
    """Holds a corpus to labels of one type; run on every record in order."""

    def __init__(self) -> None:
        self.kind = "none"
        self.first = ""
        self.n_missing = 0

    def __call__(self, label: Any, where: str) -> None:
        if label is None:
            self.n_missing += 1
            return
        kind = _LABEL_TYPES.get(type(label))
        if kind is None:
            raise BatchError(
                f"{where}: label {label!r:.80} is {type(label).__name__}; a label "
                "must be a string, an integer, a number or a boolean"
            )
        if kind == "int" and not -(2**63) <= label < 2**63:
            raise BatchError(
                f"{where}: label {label} does not fit in 64 bits; write the "
                "labels as strings"
            )
        if self.kind == "none":
            self.kind, self.first = kind, where
        elif kind != self.kind:
            raise BatchError(
                f"{where}: label {label!r:.80} is {kind}, but the labels before it "
                f"are {self.kind} (the first at {self.first}); a corpus holds "
                "labels of one type: fix the record, or write every label as a "
                "string"
            )


def _label_arrays(labels: list[Any]) -> tuple[str, dict[str, np.ndarray]]:
    """The chunk's label type and its arrays (missing labels masked out)."""
    has = np.asarray([v is not None for v in labels], dtype=bool)
    present = [v for v in labels if v is not None]
    kind = _LABEL_TYPES[type(present[0])] if present else "none"
    arrays: dict[str, np.ndarray] = {"has_label": has}
    if kind == "str":
        data, offsets = _pack_strings(["" if v is None else v for v in labels])
        arrays |= {"labels_data": data, "labels_offsets": offsets}
    elif kind != "none":
        fill = _LABEL_FILL[kind]
        arrays["labels"] = np.asarray(
            [fill if v is None else v for v in labels], dtype=_LABEL_DTYPES[kind]
        )
    return kind, arrays


def _read_labels(z: Any, kind: str, n: int) -> tuple[list[Any], np.ndarray]:
    has = z["has_label"] if "has_label" in z.files else np.zeros(n, dtype=bool)
    if kind == "str":
        values: list[Any] = _unpack_strings(z["labels_data"], z["labels_offsets"])
    elif kind in _LABEL_DTYPES:
        values = z["labels"].tolist()
    else:
        values = [None] * n
    return values, has


# -- features ---------------------------------------------------------------------
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


def _stack(blocks: list[Any]) -> Any:
    if len(blocks) == 1:
        return blocks[0]
    if any(sp.issparse(b) for b in blocks):
        return sp.vstack(blocks, format="csr")
    return np.concatenate([np.asarray(b) for b in blocks])


def _span_lines(line: int, end_line: int) -> int:
    """Physical lines of a record or entry spanning ``line..end_line``."""
    return max(0, end_line - line + 1) if line > 0 else max(0, end_line)


def _process_chunk(
    steps: Sequence[Any],
    out_dir: str,
    index: int,
    first_index: int,
    texts: list[str],
    ids: list[str],
    labels: list[Any],
    where: list[tuple[str, int, int]],
    quarantined: list[dict[str, Any]],
    unit: str,
    dropout: bool,
    quarantine: bool,
) -> dict[str, Any]:
    """Featurize one chunk and write its shard; the marker is written last.

    Records the pipeline cannot transform are quarantined (``quarantine``)
    with their file, lines, id and the error, or named in a
    :class:`BatchError`.
    """
    out = Path(out_dir)
    stem = f"shard-{index:05d}"
    files: dict[str, str] = {}
    kind, n_features, dtype = "none", 0, ""
    failed: list[dict[str, Any]] = []
    keep = list(range(len(texts)))
    if texts:
        blocks, failures = _transform(steps, texts, first_index, dropout)
        for pos, exc in failures:
            file, line, end_line = where[pos]
            if not quarantine:
                raise BatchError(
                    f"{_where(file, line, ids[pos])}: the pipeline failed: "
                    f"{_reason(exc)}; fix the record, or pass quarantine=True "
                    "(--quarantine) to set such records aside"
                ) from exc
            failed.append(
                {
                    "file": file,
                    "line": line,
                    "end_line": end_line,
                    "id": ids[pos],
                    "stage": "transform",
                    "reason": f"the pipeline failed: {_reason(exc)}",
                    "raw": texts[pos][:_RAW_PREVIEW],
                }
            )
        if failures:
            bad = {pos for pos, _ in failures}
            keep = [i for i in keep if i not in bad]
        if blocks:
            kind, blob, n_features, dtype = _encode_features(_stack(blocks))
            _write_atomic(out / f"{stem}.{kind}", blob)
            files[f"{stem}.{kind}"] = _sha256(blob)
    ids_kept = [ids[i] for i in keep]
    labels_kept = [labels[i] for i in keep]
    label_kind, label_arrays = _label_arrays(labels_kept)
    ids_data, ids_offsets = _pack_strings(ids_kept)
    blob = _npz({"ids_data": ids_data, "ids_offsets": ids_offsets, **label_arrays})
    _write_atomic(out / f"{stem}.records.npz", blob)
    files[f"{stem}.records.npz"] = _sha256(blob)
    entries = [_entry(e) for e in quarantined] + failed
    spans = list(where) + [(e["file"], e["line"], e["end_line"]) for e in entries]
    marker = {
        "index": index,
        "first_index": first_index,
        "n_read": len(texts),
        "n_records": len(keep),
        "n_quarantined": len(entries),
        "n_failed": len(failed),
        "kind": kind,
        "n_features": n_features,
        "dtype": dtype,
        "label_type": label_kind,
        "n_unlabelled": sum(v is None for v in labels_kept),
        "lines": _lines_of(unit, [where[i] for i in keep], entries),
        "span": _span(spans),
        "files": files,
        "quarantined": entries,
    }
    _write_atomic(
        out / f"{stem}.json", json.dumps(marker, indent=1, sort_keys=True).encode()
    )
    return marker


def _lines_of(
    unit: str, written: list[tuple[str, int, int]], entries: list[dict[str, Any]]
) -> dict[str, int]:
    """Physical lines (directory entries, for a folder) in the written and the
    quarantined records of a shard, as the reader's :class:`LineAccount`
    counts them."""
    if unit == "file":
        return {"in_written": len(written), "in_quarantined": len(entries)}
    return {
        "in_written": sum(_span_lines(a, b) for _, a, b in written),
        "in_quarantined": sum(_span_lines(e["line"], e["end_line"]) for e in entries),
    }


def _entry(e: dict[str, Any]) -> dict[str, Any]:
    """A reader's quarantine entry in the order and with the keys of all."""
    line = e.get("line") or 0
    end_line = e.get("end_line")
    return {
        "file": e.get("file"),
        "line": line,
        "end_line": line if end_line is None else end_line,
        "id": None,
        "stage": "read",
        "reason": e.get("reason"),
        "raw": e.get("raw"),
    }


def _span(spans: list[tuple[str, int, int]]) -> dict[str, Any] | None:
    """First and last physical line of a shard's records, written or not."""
    if not spans:
        return None
    first = min((str(f), a) for f, a, _ in spans)
    last = max((str(f), b) for f, _, b in spans)
    return {"from": list(first), "to": list(last)}


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
    where: list[tuple[str, int, int]]
    quarantined: list[dict[str, Any]]
    unit: str = "line"

    def args(self, out_dir: str, dropout: bool, quarantine: bool) -> tuple[Any, ...]:
        return (
            out_dir,
            self.index,
            self.first_index,
            self.texts,
            self.ids,
            self.labels,
            self.where,
            self.quarantined,
            self.unit,
            dropout,
            quarantine,
        )


def _chunks(
    records: Iterator[Record],
    quarantine: Quarantine,
    chunk_size: int,
    file_of: Any,
    labels: _LabelCheck,
    account: LineAccount,
) -> Iterator[_Chunk]:
    """Cut the stream into chunks; bad records go with the chunk being filled.

    A chunk is closed when the next good record arrives (or at the end), so
    quarantined records after the last good one belong to the last chunk.
    Every label is checked here, in corpus order, so a label of another type
    is named whatever the number of workers.
    """
    index = first = 0
    chunk = _Chunk(0, 0, [], [], [], [], [])
    for rec in records:
        if len(chunk.texts) == chunk_size:
            chunk.quarantined, chunk.unit = quarantine.drain(), account.unit
            yield chunk
            index, first = index + 1, first + len(chunk.texts)
            chunk = _Chunk(index, first, [], [], [], [], [])
        file = file_of(rec)
        labels(rec.label, f"{file}, line {rec.line} (record {rec.id!r})")
        chunk.texts.append(rec.text)
        chunk.ids.append(rec.id)
        chunk.labels.append(rec.label)
        chunk.where.append((file, rec.line, rec.end_line))
    chunk.quarantined, chunk.unit = quarantine.drain(), account.unit
    if chunk.texts or chunk.quarantined or index == 0:
        yield chunk


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


def _effective_delimiter(source: Path, format: str, delimiter: str | None) -> str | None:
    """The field separator the reader will use (None: the format has none)."""
    if delimiter is not None:
        return delimiter
    try:
        fmt = detect_format(source) if format == "auto" else format
    except ValueError:
        return None  # the reader refuses the name with its own message
    if fmt == "tsv":
        return "\t"
    if fmt == "csv":
        suffixes = [s.lower() for s in source.suffixes if s.lower() != ".gz"]
        return "\t" if suffixes[-1:] == [".tsv"] else ","
    return None


_SHARD_FILE = re.compile(r"shard-(\d{5})\.(?:npz|npy|records\.npz)")


def _shard_files(files: Any, index: Any, where: Path) -> dict[str, str]:
    """A shard's ``{file name: sha256}``, each name one this shard may have.

    The names come from a file on disk (a marker or the manifest): only the
    shard's own ``shard-NNNNN.*`` names are taken, so a tampered file can
    never make a reader open anything outside the output folder.
    """
    if not isinstance(files, dict) or not isinstance(index, int):
        raise BatchError(f"{where}: malformed shard entry; featurize again")
    for name, digest in files.items():
        match = _SHARD_FILE.fullmatch(name) if isinstance(name, str) else None
        if match is None or int(match.group(1)) != index:
            raise BatchError(
                f"{where}: file name {name!r} is not one of shard {index}'s files; "
                "the file was tampered with, featurize again"
            )
        if not isinstance(digest, str):
            raise BatchError(f"{where}: malformed checksum of {name}; featurize again")
    return files


def _check_marker(out: Path, index: int) -> dict[str, Any] | None:
    """The shard's marker if the shard is complete and intact, else None."""
    path = out / f"shard-{index:05d}.json"
    if not path.is_file():
        return None
    try:
        marker = json.loads(path.read_bytes())
        files = _shard_files(marker["files"], marker.get("index"), path)
        for name, digest in files.items():
            if _sha256((out / name).read_bytes()) != digest:
                return None
    except (OSError, ValueError, KeyError, TypeError, BatchError):
        return None
    return marker


# -- the corpus fingerprint ---------------------------------------------------------
def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _corpus_stat(source: Path, exclude: Path | None) -> dict[str, Any]:
    """Size and modification time of the corpus; for a folder, of every file.

    Never opens a file: a FIFO or a dangling link is listed by kind.
    """
    try:
        st = source.stat()
    except OSError as exc:
        raise FileNotFoundError(f"{source}: no such corpus file or folder") from exc
    if not source.is_dir():
        return {"kind": "file", "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    files: list[list[Any]] = []

    def walk(folder: Path, ancestors: frozenset[tuple[int, int]]) -> None:
        # As the reader walks (corpus.read_directory): hidden entries left
        # out, links to folders followed (a loop is not), so every file the
        # reader can read is in the fingerprint.
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            files.append([folder.relative_to(source).as_posix(), "unlistable", 0, 0])
            return
        for name in names:
            if _is_hidden(name):
                continue
            path = folder / name
            rel = path.relative_to(source).as_posix()
            try:
                fst = path.stat()
            except OSError:
                files.append([rel, "dangling", 0, 0])
                continue
            if stat.S_ISDIR(fst.st_mode):
                ident = (fst.st_dev, fst.st_ino)
                if ident in ancestors or (
                    exclude is not None and path.resolve() == exclude
                ):
                    continue
                walk(path, ancestors | {ident})
                continue
            kind = "file" if stat.S_ISREG(fst.st_mode) else "special"
            files.append([rel, kind, fst.st_size, fst.st_mtime_ns])

    walk(source, frozenset({(st.st_dev, st.st_ino)}))
    files.sort(key=lambda f: f[0])
    return {
        "kind": "dir",
        "size": sum(f[2] for f in files if f[1] == "file"),
        "mtime_ns": max((f[3] for f in files), default=st.st_mtime_ns),
        "files": files,
    }


def _stat_diff(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """What changed between two :func:`_corpus_stat` results, on one line."""
    if old.get("kind") != new.get("kind"):
        return f"it was a {old.get('kind')}, it is a {new.get('kind')}"
    if old.get("files") is not None and old.get("files") != new.get("files"):
        before = {f[0]: f for f in old["files"]}
        after = {f[0]: f for f in new["files"]}
        parts = []
        for label, names in (
            ("added", sorted(set(after) - set(before))),
            ("removed", sorted(set(before) - set(after))),
            (
                "changed",
                sorted(n for n in set(before) & set(after) if before[n] != after[n]),
            ),
        ):
            if names:
                more = f" and {len(names) - 3} more" if len(names) > 3 else ""
                parts.append(f"{label} {', '.join(names[:3])}{more}")
        return "files " + "; ".join(parts)
    if old.get("size") != new.get("size"):
        return f"size {old.get('size')} -> {new.get('size')}"
    if old.get("mtime_ns") != new.get("mtime_ns"):
        return f"modification time {old.get('mtime_ns')} -> {new.get('mtime_ns')} ns"
    return None


def _count_lines(fh: Any) -> int:
    lines, last = 0, b"\n"
    while block := fh.read(1 << 16):
        lines += block.count(b"\n")
        last = block[-1:]
    return lines + (last != b"\n")


def _hash_file(path: Path, h: Any) -> int | None:
    """Feed a regular file's bytes to ``h``; return its number of lines.

    Lines of a ``.gz`` file are those of its content (None if it does not
    decompress: the reader says where). The file is opened without blocking
    and read only if it is a regular file, so a FIFO cannot hang the run.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return None
        lines, last = 0, b"\n"
        while block := fh.read(1 << 16):
            h.update(block)
            lines += block.count(b"\n")
            last = block[-1:]
        if path.suffix != ".gz":
            return lines + (last != b"\n")
        fh.seek(0)
        try:
            with gzip.GzipFile(fileobj=fh) as gz:
                return _count_lines(gz)
        except (OSError, EOFError, zlib.error):
            return None


def _hash_corpus(source: Path, fp: dict[str, Any]) -> tuple[str, int | None]:
    """SHA-256 of the corpus content (a folder: names and bytes of its files
    in :func:`_corpus_stat` order) and its number of physical lines."""
    h = hashlib.sha256()
    if fp["kind"] == "file":
        lines = _hash_file(source, h)
        return h.hexdigest(), lines
    total: int | None = 0
    for rel, kind, size, _ in fp["files"]:
        h.update(f"{rel}\0{kind}\0{size}\0".encode("utf-8", "surrogatepass"))
        if kind != "file":
            continue
        n = _hash_file(source / rel, h)
        total = None if n is None or total is None else total + n
    return h.hexdigest(), total


class _Hasher:
    """Hash the corpus now (small) or in a thread while the run goes (large)."""

    def __init__(self, source: Path, fp: dict[str, Any]) -> None:
        self.source, self.fp = source, fp
        self.sha256: str | None = None
        self.lines: int | None = None
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        if fp["size"] <= _HASH_AT_START:
            self._run()
            if self.error is not None:
                raise self.error

    def _run(self) -> None:
        try:
            self.sha256, self.lines = _hash_corpus(self.source, self.fp)
        except BaseException as exc:  # reported by result()
            self.error = exc

    def start(self) -> None:
        if self.sha256 is None and self.thread is None and self.error is None:
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()

    def result(self) -> str:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.sha256 is not None
        return self.sha256


# -- one run at a time: the lock ----------------------------------------------------
def _read_lock(path: Path) -> dict[str, Any] | None:
    try:
        holder = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _acquire_lock(out: Path) -> str:
    """Create ``out/run.lock`` atomically; return the token that owns it.

    A lock whose process is gone (same host, pid not alive) is taken over
    with a :class:`BatchWarning`; any other lock refuses the run.
    """
    lock = out / _LOCK
    token = uuid.uuid4().hex
    me = {"pid": os.getpid(), "host": socket.gethostname(), "token": token}
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _read_lock(lock)
            if holder is None and not lock.exists():
                continue  # released meanwhile: try again
            pid, host = (holder or {}).get("pid"), (holder or {}).get("host")
            stale = (
                isinstance(pid, int)
                and host == socket.gethostname()
                and not _pid_alive(pid)
            )
            if not stale:
                raise BatchError(
                    f"{out}: another featurize run (pid {pid} on {host}) holds "
                    f"{lock}; wait for it to end, or delete {lock} if no run is "
                    "going"
                ) from None
            _take_over(lock, holder)
            warnings.warn(
                f"{out}: took over the stale lock of pid {pid}, no longer running "
                "on this host (a killed run)",
                BatchWarning,
                stacklevel=3,
            )
            continue
        with os.fdopen(fd, "w") as fh:
            json.dump(me, fh)
        return token
    raise BatchError(f"{out}: could not take {lock}; another run keeps taking it")


def _take_over(lock: Path, holder: dict[str, Any] | None) -> None:
    """Remove a stale lock, unless another process took it over first."""
    guard = lock.with_name(f"{_LOCK}.takeover")
    try:
        fd = os.open(guard, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        raise BatchError(
            f"{lock.parent}: another run is taking over {lock}; try again, or "
            f"delete {guard} if no run is going"
        ) from None
    try:
        if _read_lock(lock) == holder:
            lock.unlink(missing_ok=True)
    finally:
        os.close(fd)
        guard.unlink(missing_ok=True)


def _release_lock(out: Path, token: str) -> None:
    lock = out / _LOCK
    holder = _read_lock(lock)
    if holder is not None and holder.get("token") == token:
        lock.unlink(missing_ok=True)


# -- the run ----------------------------------------------------------------------
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


def _changed(reason: str) -> str:
    return f"the corpus changed since the run started: {reason}"


def _start(
    out: Path, spec: dict[str, Any], resume: bool, corpus: dict[str, Any]
) -> dict[str, Any]:
    """Check or write ``run.json``; return the corpus fingerprint it holds."""
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
        before = old.get("corpus") or {}
        reason = _stat_diff(before, corpus)
        if reason is None and before.get("sha256") and corpus.get("sha256"):
            if before["sha256"] != corpus["sha256"]:
                reason = "same size and time, other content (SHA-256)"
        if reason is not None:
            raise BatchError(
                f"{out}: cannot resume, {_changed(reason)}; start a new run"
            )
        for tmp in out.glob(".*.tmp"):
            tmp.unlink()
        return before
    others = [p for p in out.iterdir() if p.name != _LOCK]
    if others:
        raise BatchError(f"{out} is not empty; choose an empty or new folder")
    _write_atomic(
        run_file,
        json.dumps({**spec, "corpus": corpus}, indent=1, sort_keys=True).encode(),
    )
    return corpus


def _check_out_dir(source: Path, out: Path) -> Path | None:
    """Refuse an output folder that is the corpus; return it if inside a folder
    corpus (to be left out of the reading)."""
    src, dst = source.resolve(), out.resolve()
    if src == dst:
        raise BatchError(
            f"out_dir {out} is the corpus itself; choose a folder outside it"
        )
    if src.is_dir() and src in dst.parents:
        return dst
    return None


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _check_n_jobs(n_jobs: Any) -> int:
    """``n_jobs`` checked against the machine: -1 is every CPU, more is refused."""
    cpus = _cpus()
    if (
        isinstance(n_jobs, bool)
        or not isinstance(n_jobs, int)
        or (n_jobs < 1 and n_jobs != -1)
    ):
        raise BatchError(f"n_jobs must be -1 or a positive integer, got {n_jobs!r}")
    if n_jobs == -1:
        return cpus
    if n_jobs > cpus:
        raise BatchError(
            f"n_jobs={n_jobs} is more than the {cpus} CPUs of this machine; use "
            f"at most {cpus}, or -1 for all of them"
        )
    return n_jobs


_CSV_OPTIONS = (
    "delimiter",
    "quotechar",
    "quoting",
    "doublequote",
    "escapechar",
    "max_record_bytes",
)


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
    delimiter: str | None = None,
    quotechar: str | None = '"',
    quoting: str = "minimal",
    doublequote: bool = True,
    escapechar: str | None = None,
    max_record_bytes: int = MAX_RECORD_BYTES,
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
        model saved with :func:`textfeat.persist.save`. Its steps run in one
        process each: a ``n_process`` or ``n_jobs`` stored in the model is
        ignored (set to 1 on a copy), only ``n_jobs`` below counts.
    source : str or Path
        The corpus, read as a stream by :func:`textfeat.corpus.read_corpus`.
    out_dir : str or Path
        Output folder: new or empty, or that of the run to resume. It may be
        inside a folder corpus (it is then left out of the reading), but not
        the corpus itself.
    format, text_field, label_field, id_field, encoding
        Passed to :func:`textfeat.corpus.read_corpus`.
    delimiter, quotechar, quoting, doublequote, escapechar, max_record_bytes
        CSV/TSV options of :func:`textfeat.corpus.read_corpus`, with its
        defaults (``delimiter=None``: a tab for TSV, else a comma);
        ``quoting="none"`` reads quotes as ordinary characters. ``run.json``
        keeps the effective values, so a resume may spell a default out or
        leave it out.
    chunk_size : int, default=10_000
        Records per shard. Memory grows with it (times ``2 * n_jobs`` chunks
        in flight), not with the corpus.
    n_jobs : int, default=1
        Worker processes (``-1``: every CPU this process may use), or Dask
        workers of the local cluster started when ``engine="dask"`` has no
        ``scheduler``. More than the CPU count is refused with
        :class:`BatchError`.
    engine : {"local", "dask"}, default="local"
        Local processes, or a Dask cluster.
    scheduler : str or None, default=None
        Address of a running Dask scheduler (``tcp://host:8786``); None starts
        a local cluster for the run.
    resume : bool, default=False
        Continue the run in ``out_dir``: finished shards are skipped, the rest
        written again. Refused if the model or options changed, or if the
        corpus changed (its size and modification time, per file for a
        folder, and the SHA-256 of its content; the hash of a corpus over
        64 MiB is computed during the run and checked before the manifest is
        written).
    quarantine : bool, default=False
        Write the records that cannot be read, and those the pipeline fails
        on (any exception; the failing records of a chunk are found by
        bisection), to ``quarantine.jsonl`` (file, lines, id, reason, raw
        text) and go on; False stops at the first with :class:`CorpusError`
        or :class:`BatchError` naming the record's file and line.
    dropout : bool, default=False
        Apply the training-time corruption of steps that have a ``corrupt``
        method (:class:`~textfeat.WordDropout`), keyed by each record's index
        in the corpus, as ``fit_transform`` would; False gives test-time
        features.
    quiet : bool, default=False
        No progress bar. The bar counts the corpus's physical lines, with a
        total (and time left) once the corpus has been hashed.

    Returns
    -------
    FeaturizeReport

    Raises
    ------
    CorpusError
        An unreadable record, when ``quarantine`` is False.
    BatchError
        For an ``out_dir`` in use (``run.lock``: one run at a time; the lock
        of a killed run is taken over with a :class:`BatchWarning`), a resume
        with other settings or a changed corpus, a record the pipeline fails
        on (without ``quarantine``), labels of more than one type, a pipeline
        without a numeric output, or counts of records or lines that do not
        add up.

    Notes
    -----
    Labels keep one type, declared in the manifest (``label_type``: ``"str"``,
    ``"int"``, ``"float"``, ``"bool"``, or ``"none"`` for an unlabelled
    corpus; ``n_unlabelled`` records have none). A record whose label has
    another type than the first label stops the run, naming the record, even
    with ``quarantine``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.pipeline import make_pipeline
    >>> from textfeat import OneHotVectorizer, SpacyTokenizer
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "c.txt").write_text("a cat\\na dog\\n\\nthe cat\\n")
    >>> pipe = make_pipeline(SpacyTokenizer(), OneHotVectorizer())
    >>> _ = pipe.fit(["a cat", "a dog"])
    >>> report = featurize(pipe, tmp / "c.txt", tmp / "out", chunk_size=2, quiet=True)
    >>> report.n_in, report.n_written, report.n_shards
    (3, 3, 2)
    >>> X, ids, labels = load_features(tmp / "out")
    >>> X.shape, ids.tolist(), labels.tolist()
    ((3, 7), ['c.txt:1', 'c.txt:2', 'c.txt:4'], [None, None, None])
    >>> m = read_manifest(tmp / "out")
    >>> m["label_type"], m["lines"]
    ('none', {'in_quarantined': 0, 'in_written': 3, 'read': 4, 'skipped': 1})
    """
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    if isinstance(model, str | Path):
        from textfeat.persist import load

        model = load(model)
    if engine not in ("local", "dask"):
        raise BatchError(f"engine={engine!r}; use 'local' or 'dask'")
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, int)
        or chunk_size < 1
    ):
        raise BatchError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    n_jobs = _check_n_jobs(n_jobs)
    steps = _one_process(_feature_steps(model))
    fingerprint, unsaveable = _model_fingerprint(model)
    reader_opts: dict[str, Any] = {
        "format": format,
        "text_field": text_field,
        "label_field": label_field,
        "id_field": id_field,
        "encoding": encoding,
    }
    csv_opts = {
        "delimiter": delimiter,
        "quotechar": quotechar,
        "quoting": quoting,
        "doublequote": doublequote,
        "escapechar": escapechar,
        "max_record_bytes": max_record_bytes,
    }
    source = Path(source)
    # The effective options, so a run started with the defaults left out and
    # resumed with them spelled out (or the other way round) is the same run.
    csv_opts["delimiter"] = _effective_delimiter(source, format, delimiter)
    reader_opts |= csv_opts
    out = Path(out_dir)
    inside = _check_out_dir(source, out)
    corpus = _corpus_stat(source, inside)
    hasher = _Hasher(source, corpus)
    if out.exists() and not out.is_dir():
        raise BatchError(f"out_dir {out} is a file; choose a folder")
    out.mkdir(parents=True, exist_ok=True)
    token = _acquire_lock(out)
    try:
        start_fp = {**corpus, "sha256": hasher.sha256}
        spec = _run_spec(source, reader_opts, chunk_size, dropout, fingerprint)
        stored = _start(out, spec, resume, start_fp)
        report = FeaturizeReport(out_dir=out)
        account = LineAccount()
        read_opts = dict(reader_opts)
        if inside is not None:
            read_opts["exclude"] = [inside]
        quar = Quarantine()
        records = read_corpus(
            source,
            quarantine=quar if quarantine else None,
            accounting=account,
            **read_opts,
        )
        labels = _LabelCheck()
        root = source if corpus["kind"] == "dir" else None
        src = str(source)

        def file_of(rec: Record) -> str:
            return str(root / rec.id) if root is not None else src

        markers = _run(
            steps, out, records, quar, chunk_size, file_of, labels, report,
            account, hasher, n_jobs, engine, scheduler, resume, quarantine,
            dropout, quiet, tqdm,
        )  # fmt: skip
        _check_corpus_after(source, out, inside, corpus, stored, hasher, resume)
        return _finish(
            out, model, steps, markers, report, t0, unsaveable, account, labels
        )
    finally:
        _release_lock(out, token)


def _check_corpus_after(
    source: Path,
    out: Path,
    inside: Path | None,
    corpus: dict[str, Any],
    stored: dict[str, Any],
    hasher: _Hasher,
    resume: bool,
) -> None:
    """Refuse to finish if the corpus changed while it was read, or (resume)
    its content differs from the first run's."""
    reason = _stat_diff(corpus, _corpus_stat(source, inside))
    sha = hasher.result()
    if reason is None and stored.get("sha256") not in (None, sha):
        reason = "same size and time, other content (SHA-256)"
    if reason is None and stored.get("sha256") is None:
        if resume:
            reason = (
                "its content hash was never recorded (the first run stopped "
                "before hashing it)"
            )
        else:  # record the hash computed during the run
            run = json.loads((out / "run.json").read_text())
            run["corpus"]["sha256"] = sha
            _write_atomic(
                out / "run.json", json.dumps(run, indent=1, sort_keys=True).encode()
            )
    if reason is not None:
        raise BatchError(
            f"{out}: refusing to finish, {_changed(reason)}; start a new run"
        )


def _run(
    steps: list[Any],
    out: Path,
    records: Iterator[Record],
    quar: Quarantine,
    chunk_size: int,
    file_of: Any,
    labels: _LabelCheck,
    report: FeaturizeReport,
    account: Any,
    hasher: _Hasher,
    n_jobs: int,
    engine: str,
    scheduler: str | None,
    resume: bool,
    quarantine: bool,
    dropout: bool,
    quiet: bool,
    tqdm: Any,
) -> dict[int, dict[str, Any]]:
    executor: _Inline
    if engine == "dask":
        executor = _Dask(steps, n_jobs, scheduler)
    elif n_jobs > 1:
        executor = _Pool(steps, n_jobs)
    else:
        executor = _Inline(steps)
    markers: dict[int, dict[str, Any]] = {}
    bar = tqdm(
        total=hasher.lines, unit="line", unit_scale=True, desc="featurize",
        disable=quiet,
    )  # fmt: skip

    def progress() -> None:
        if bar.total is None and hasher.lines is not None:
            bar.total = hasher.lines
        bar.update(account.lines_read - bar.n)

    def collect(job: Any) -> None:
        marker = executor.result(job)
        markers[marker["index"]] = marker

    try:
        with executor:
            hasher.start()  # after the pool has forked its workers
            jobs: deque[Any] = deque()
            for chunk in _chunks(records, quar, chunk_size, file_of, labels, account):
                report.n_in += len(chunk.texts) + len(chunk.quarantined)
                progress()
                done = _check_marker(out, chunk.index) if resume else None
                if done is not None:
                    if (
                        done.get("n_read") != len(chunk.texts)
                        or done.get("first_index") != chunk.first_index
                        or done.get("n_quarantined", 0) - done.get("n_failed", 0)
                        != len(chunk.quarantined)
                    ):
                        raise BatchError(
                            f"{out}: shard {chunk.index} does not match the corpus "
                            f"({_changed('other records')}); start a new run"
                        )
                    markers[chunk.index] = done
                    report.n_skipped += 1
                    continue
                jobs.append(executor.submit(chunk.args(str(out), dropout, quarantine)))
                while len(jobs) >= executor.window():
                    collect(executor.wait_one(jobs))
            while jobs:
                collect(executor.wait_one(jobs))
        progress()
    finally:
        bar.close()
    return markers


def _finish(
    out: Path,
    model: Any,
    steps: list[Any],
    markers: dict[int, dict[str, Any]],
    report: FeaturizeReport,
    t0: float,
    unsaveable: str | None,
    account: Any,
    labels: _LabelCheck,
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
    lines = {
        "read": account.lines_read,
        "skipped": account.lines_skipped,
        "in_written": sum(m["lines"]["in_written"] for m in ordered),
        "in_quarantined": sum(m["lines"]["in_quarantined"] for m in ordered),
    }
    reader_total = account.lines_in_records + account.lines_in_quarantined
    balanced = (
        lines["read"]
        == lines["in_written"] + lines["in_quarantined"] + lines["skipped"]
        and lines["in_written"] + lines["in_quarantined"] == reader_total
    )
    try:
        account.check()
    except Exception as exc:  # the reader's own identity
        raise BatchError(
            f"{out}: the reader's line count does not add up: {exc}"
        ) from exc
    if not balanced:
        raise BatchError(
            f"{out}: {lines['read']} lines read but {lines['in_written']} in "
            f"written records + {lines['in_quarantined']} in quarantined records "
            f"+ {lines['skipped']} skipped (the reader counted {reader_total} in "
            "records); lines were lost, refusing to write the manifest"
        )
    kinds = {m["kind"] for m in ordered} - {"none"}
    widths = {m["n_features"] for m in ordered if m["kind"] != "none"}
    if len(kinds) > 1 or len(widths) > 1:
        raise BatchError(f"{out}: shards disagree on their kind or width")
    label_kinds = {m["label_type"] for m in ordered} - {"none"}
    if len(label_kinds) > 1:
        raise BatchError(
            f"{out}: shards disagree on the label type: {sorted(label_kinds)}"
        )
    entries = [e for m in ordered for e in m["quarantined"]]
    _write_atomic(out / "quarantine.jsonl", b"".join(_json_line(e) for e in entries))
    names = None
    try:
        names = [str(n) for n in steps[-1].get_feature_names_out()]
    except (AttributeError, ValueError, TypeError):
        names = None
    if names is not None:
        _write_atomic(out / "features.json", json.dumps(names).encode())
    run = json.loads((out / "run.json").read_text())
    manifest = {
        "format": MANIFEST_FORMAT,
        "format_version": MANIFEST_VERSION,
        "source": run["source"],
        "corpus": run["corpus"],
        "reader": run["reader"],
        "chunk_size": run["chunk_size"],
        "dropout": run["dropout"],
        "n_records_in": report.n_in,
        "n_written": report.n_written,
        "n_quarantined": report.n_quarantined,
        "n_failed": sum(m["n_failed"] for m in ordered),
        "lines": lines,
        "kind": kinds.pop() if kinds else "none",
        "n_features": widths.pop() if widths else 0,
        "dtype": next((m["dtype"] for m in ordered if m["dtype"]), ""),
        "label_type": label_kinds.pop() if label_kinds else "none",
        "n_unlabelled": sum(m["n_unlabelled"] for m in ordered),
        "feature_names": "features.json" if names is not None else None,
        "quarantine": "quarantine.jsonl",
        "shards": [
            {
                k: m[k]
                for k in (
                    "index",
                    "first_index",
                    "n_records",
                    "n_quarantined",
                    "n_failed",
                    "label_type",
                    "lines",
                    "span",
                    "files",
                )
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
        If the folder has no manifest (the run is unfinished: resume it), or
        one of another format version.

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
    try:
        manifest = json.loads(path.read_bytes())
    except ValueError as exc:
        raise BatchError(f"{path}: not a textfeat featurize manifest ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise BatchError(f"{path}: not a textfeat featurize manifest")
    if manifest.get("format_version") != MANIFEST_VERSION:
        raise BatchError(
            f"{path}: format version {manifest.get('format_version')!r}, this "
            f"textfeat reads version {MANIFEST_VERSION}; featurize the corpus again"
        )
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
        Exactly as read (an object array if a ``str`` array would alter one,
        which happens only for ids ending in a NUL character).
    labels : ndarray
        Of the type declared in the manifest's ``label_type`` when every
        record has a label: int64, float64, bool or str. When some records
        have none (``n_unlabelled > 0``, or an unlabelled corpus), an object
        array holding the labels as Python values and None for the missing
        ones.

    Raises
    ------
    BatchError
        For an unfinished run, a checksum mismatch, or a manifest or shard
        that is malformed or names files that are not its own.

    Examples
    --------
    See :func:`featurize`.
    """
    out = Path(out_dir)
    manifest = read_manifest(out)
    try:
        return _load_shards(out, manifest, verify)
    except (KeyError, TypeError, IndexError) as exc:
        raise BatchError(
            f"{out / 'manifest.json'}: malformed manifest or shard "
            f"({type(exc).__name__}: {exc}); featurize again"
        ) from exc


def _load_shards(
    out: Path, manifest: dict[str, Any], verify: bool
) -> tuple[Any, np.ndarray, np.ndarray]:
    blocks: list[Any] = []
    ids: list[str] = []
    values: list[Any] = []
    where = out / "manifest.json"
    shards = manifest.get("shards")
    if not isinstance(shards, list) or not all(isinstance(s, dict) for s in shards):
        raise BatchError(f"{where}: malformed shard list; featurize again")
    for shard in shards:
        files = _shard_files(shard.get("files"), shard.get("index"), where)
        for name, digest in files.items():
            data = (out / name).read_bytes()
            if verify and _sha256(data) != digest:
                raise BatchError(
                    f"{out / name}: checksum mismatch; the file changed after the "
                    "run, featurize again"
                )
            buf = io.BytesIO(data)
            if name.endswith(".records.npz"):
                with np.load(buf, allow_pickle=False) as z:
                    shard_ids = _unpack_strings(z["ids_data"], z["ids_offsets"])
                    vals, has = _read_labels(z, shard["label_type"], len(shard_ids))
                ids += shard_ids
                values += [
                    v if h else None for v, h in zip(vals, has.tolist(), strict=True)
                ]
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
    kind = manifest["label_type"]
    if kind == "none" or any(v is None for v in values):
        labels = np.empty(len(values), dtype=object)
        labels[:] = values
    elif kind == "str":
        labels = _str_array(values)
    else:
        labels = np.asarray(values, dtype=_LABEL_DTYPES[kind])
    return X, _str_array(ids), labels
