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

This module holds the run (:func:`featurize`: chunks, resume, finish); the
format is :mod:`textfeat.batch.shards`, the executors
:mod:`textfeat.batch.executors`. It is longer than 600 lines because
:func:`featurize`'s docstring (every option and guarantee) is 200 of them.
"""

from __future__ import annotations

import json
import platform
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from textfeat._files import MAX_RECORD_BYTES, sha256, write_atomic
from textfeat._parallel import effective_n_jobs
from textfeat.batch._chunks import (
    cut_chunks,
    feature_steps,
    one_process,
    process_chunk,
)
from textfeat.batch._fingerprint import Hasher, corpus_stat, stat_diff
from textfeat.batch._lock import LOCK, acquire_lock, release_lock
from textfeat.batch.executors import executor_for
from textfeat.batch.shards import (
    MANIFEST_FORMAT,
    MANIFEST_VERSION,
    BatchError,
    LabelCheck,
    check_marker,
    json_line,
)
from textfeat.io import LineAccount, Quarantine, Record, detect_format, read_corpus
from textfeat.io._csv import default_delimiter
from textfeat.io._records import check_text_field, text_field_spec

__all__ = ["FeaturizeReport", "featurize"]


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


def _versions() -> dict[str, str]:
    from textfeat.io.persist import versions as model_versions

    return {"python": platform.python_version(), **model_versions()}


def _model_fingerprint(model: Any) -> tuple[str, Any]:
    from textfeat.io.persist import dumps

    try:
        return sha256(dumps(model)), None
    except ValueError as exc:
        # Not saveable safely: fall back on the parameters' text.
        params = repr(sorted(model.get_params(deep=True).items(), key=str))
        return sha256(params.encode()), str(exc)


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


def _effective_delimiter(
    source: Path, format: str, delimiter: str | None
) -> str | None:
    """The field separator the reader will use (None: the format has none)."""
    if delimiter is not None:
        return delimiter
    try:
        fmt = detect_format(source) if format == "auto" else format
    except ValueError:
        return None  # the reader refuses the name with its own message
    if fmt == "tsv":
        return "\t"
    return default_delimiter(source) if fmt == "csv" else None


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


def changed(reason: str) -> str:
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
        reason = stat_diff(before, corpus)
        if reason is None and before.get("sha256") and corpus.get("sha256"):
            if before["sha256"] != corpus["sha256"]:
                reason = "same size and time, other content (SHA-256)"
        if reason is not None:
            raise BatchError(
                f"{out}: cannot resume, {changed(reason)}; start a new run"
            )
        for tmp in out.glob(".*.tmp"):
            tmp.unlink()
        return before
    others = [p for p in out.iterdir() if p.name != LOCK]
    if others:
        raise BatchError(f"{out} is not empty; choose an empty or new folder")
    write_atomic(
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


def check_n_jobs(n_jobs: Any) -> int:
    """The process count used (the rule of :func:`textfeat._parallel.effective_n_jobs`)."""
    try:
        return effective_n_jobs(n_jobs)
    except ValueError as exc:
        raise BatchError(str(exc)) from None


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
    text_field: str | list[str] | tuple[str, ...] = "text",
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
        Passed to :func:`textfeat.corpus.read_corpus`; ``text_field`` may be
        a list of names (text from several fields, joined with a newline).
        ``run.json`` keeps them, so a resume with other text fields, or the
        same in another order, is refused.
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
        ``scheduler``. A count above the CPUs this process may use is
        lowered to them (the rule of every textfeat process count); 0 or
        another negative number is refused with :class:`BatchError`.
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
        64 MiB is computed during the run, written to ``run.json`` as soon
        as it is known, and checked before the manifest is written; a run
        killed before that resumes on size and modification time alone).
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
    >>> from textfeat.batch import load_features, read_manifest
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
        from textfeat.io.persist import load

        model = load(model)
    if engine not in ("local", "dask"):
        raise BatchError(f"engine={engine!r}; use 'local' or 'dask'")
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, int)
        or chunk_size < 1
    ):
        raise BatchError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    n_jobs = check_n_jobs(n_jobs)
    steps = one_process(feature_steps(model))
    fingerprint, unsaveable = _model_fingerprint(model)
    if isinstance(text_field, list | tuple):  # one form in run.json: str or list
        text_field = text_field_spec(check_text_field(text_field, "featurize"))
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
    corpus = corpus_stat(source, inside)
    hasher = Hasher(source, corpus)
    if out.exists() and not out.is_dir():
        raise BatchError(f"out_dir {out} is a file; choose a folder")
    out.mkdir(parents=True, exist_ok=True)
    # The reader checks its options when it is made: build it before run.json
    # is written, so a bad option leaves no run behind to refuse a retry (and
    # after out_dir exists, so a folder corpus can leave it out).
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
    token = acquire_lock(out)
    try:
        start_fp = {**corpus, "sha256": hasher.sha256}
        spec = _run_spec(source, reader_opts, chunk_size, dropout, fingerprint)
        stored = _start(out, spec, resume, start_fp)
        if stored.get("sha256") is None:
            hasher.record_in(out / "run.json")
        report = FeaturizeReport(out_dir=out)
        labels = LabelCheck()
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
        release_lock(out, token)


def _check_corpus_after(
    source: Path,
    out: Path,
    inside: Path | None,
    corpus: dict[str, Any],
    stored: dict[str, Any],
    hasher: Hasher,
    resume: bool,
) -> None:
    """Refuse to finish if the corpus changed while it was read, or (resume)
    its content differs from the first run's."""
    reason = stat_diff(corpus, corpus_stat(source, inside))
    sha = hasher.result()
    if reason is None and stored.get("sha256") not in (None, sha):
        reason = "same size and time, other content (SHA-256)"
    # A first run killed before its corpus was hashed left no hash: its
    # resume was checked on size and modification time (in _start), and the
    # hash is recorded now (the hasher writes it into run.json when known).
    if reason is not None:
        raise BatchError(
            f"{out}: refusing to finish, {changed(reason)}; start a new run"
        )


def _run(
    steps: list[Any],
    out: Path,
    records: Iterator[Record],
    quar: Quarantine,
    chunk_size: int,
    file_of: Any,
    labels: LabelCheck,
    report: FeaturizeReport,
    account: Any,
    hasher: Hasher,
    n_jobs: int,
    engine: str,
    scheduler: str | None,
    resume: bool,
    quarantine: bool,
    dropout: bool,
    quiet: bool,
    tqdm: Any,
) -> dict[int, dict[str, Any]]:
    executor = executor_for(process_chunk, steps, n_jobs, engine, scheduler)
    markers: dict[int, dict[str, Any]] = {}
    bar = tqdm(
        total=hasher.lines, unit="line", unit_scale=True, desc="featurize",
        disable=quiet,
    )  # fmt: skip

    def progress() -> None:
        if bar.total is None and hasher.lines is not None:
            bar.total = hasher.lines
        bar.update(max(account.lines_read, account.lines_done) - bar.n)

    def collect(job: Any) -> None:
        marker = executor.result(job)
        markers[marker["index"]] = marker

    try:
        with executor:
            hasher.start()  # after the pool has forked its workers
            jobs: deque[Any] = deque()
            for chunk in cut_chunks(
                records, quar, chunk_size, file_of, labels, account
            ):
                report.n_in += len(chunk.texts) + len(chunk.quarantined)
                progress()
                done = check_marker(out, chunk.index) if resume else None
                if done is not None:
                    if (
                        done.get("n_read") != len(chunk.texts)
                        or done.get("first_index") != chunk.first_index
                        or done.get("n_quarantined", 0) - done.get("n_failed", 0)
                        != len(chunk.quarantined)
                    ):
                        raise BatchError(
                            f"{out}: shard {chunk.index} does not match the corpus "
                            f"({changed('other records')}); start a new run"
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
    labels: LabelCheck,
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
    write_atomic(out / "quarantine.jsonl", b"".join(json_line(e) for e in entries))
    names = None
    try:
        names = [str(n) for n in steps[-1].get_feature_names_out()]
    except (AttributeError, ValueError, TypeError):
        names = None
    if names is not None:
        write_atomic(out / "features.json", json.dumps(names).encode())
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
    write_atomic(
        out / "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode()
    )
    report.seconds = time.perf_counter() - t0
    return report
