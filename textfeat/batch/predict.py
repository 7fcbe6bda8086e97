"""Label every record of a corpus with a fitted classifier, as a stream.

:func:`predict_corpus` reads a corpus as a stream, cuts it into chunks of
``chunk_size`` records (:func:`~textfeat.batch._chunks.cut_chunks`, as
:func:`~textfeat.batch.featurize` does), predicts each chunk in this process
or in ``n_jobs`` worker processes (:mod:`textfeat.batch.executors`), and
writes one row per record, in corpus order: its id, the predicted label and,
with ``proba=True``, one probability per class.

* **Bounded memory**: at most ``2 * n_jobs`` chunks are in flight; the corpus
  is never held whole.
* **Nothing dropped silently**: a record that cannot be read, or that the
  pipeline fails on (any exception of any step; the failing records of a
  chunk are found by bisection, :func:`~textfeat.batch._chunks.transform_chunk`),
  stops the run with an error naming its file, line and id, or, with
  ``quarantine``, is written to that JSON Lines file with its file, lines, id,
  stage and reason. Records in = rows written + records quarantined, checked.
* **Atomic files**: the output and quarantine files are written under a
  temporary name and renamed at the end: a run that fails or is killed leaves
  the old file (or none), never a part that looks complete.
* **Same output whatever the chunking**: rows are predicted independently,
  so ``chunk_size`` and ``n_jobs`` do not change a byte.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np

from textfeat._files import MAX_RECORD_BYTES, atomic_writer
from textfeat._parallel import effective_n_jobs
from textfeat.batch._chunks import (
    cut_chunks,
    failure_entry,
    failure_reason,
    one_process,
    quarantine_entry,
    transform_chunk,
)
from textfeat.batch._fingerprint import Hasher, corpus_stat
from textfeat.batch.executors import InlineExecutor, PoolExecutor
from textfeat.batch.shards import BatchError, LabelCheck, json_line, stack_rows
from textfeat.io import LineAccount, Quarantine, Record, read_corpus

__all__ = ["PredictReport", "predict_corpus"]

#: Output formats, and the file name endings ``out_format="auto"`` knows.
OUT_FORMATS = ("auto", "jsonl", "csv")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


@dataclass
class PredictReport:
    """What a :func:`predict_corpus` run did.

    Attributes
    ----------
    out : Path or None
        The output file (None: written to a stream).
    n_in : int
        Records read (good and quarantined).
    n_written : int
        Rows written, one per record predicted.
    n_quarantined : int
        Records set aside (unreadable, or the pipeline failed on them).
    classes : list
        The classifier's classes (the probability columns, in order).
    seconds : float
        Wall time of the run.

    Examples
    --------
    >>> r = PredictReport(None, n_in=3, n_written=2, n_quarantined=1)
    >>> r.n_in == r.n_written + r.n_quarantined
    True
    """

    out: Path | None
    n_in: int = 0
    n_written: int = 0
    n_quarantined: int = 0
    classes: list[Any] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        rate = self.n_in / self.seconds if self.seconds else float("nan")
        where = f" to {self.out}" if self.out is not None else ""
        return (
            f"{self.n_in} records in = {self.n_written} predicted{where} + "
            f"{self.n_quarantined} quarantined [{self.seconds:.1f} s, "
            f"{rate:.0f} records/s]"
        )


class _Outputs:
    """The classifier as the last step of a chunk: one output row per record.

    Column 0 holds the label (a Python value), the next ones the class
    probabilities when ``proba``; an object array, so that the bisection of
    :func:`transform_chunk` narrows a failure of ``predict`` too.
    """

    def __init__(self, final: Any, proba: bool) -> None:
        self.final = final
        self.proba = proba

    def transform(self, X: Any) -> np.ndarray:
        labels = np.asarray(self.final.predict(X)).tolist()
        cols = [labels]
        if self.proba:
            cols += np.asarray(self.final.predict_proba(X), dtype=float).T.tolist()
        out = np.empty((len(labels), len(cols)), dtype=object)
        for j, col in enumerate(cols):
            out[:, j] = col
        return out


def _column(c: Any) -> str:
    return f"proba_{c}"


def header(classes: Sequence[Any], proba: bool) -> list[str]:
    """The output columns: ``id``, ``label`` and ``proba_<class>`` per class."""
    return ["id", "label", *([_column(c) for c in classes] if proba else [])]


def _format_rows(rows: list[list[Any]], names: list[str], out_format: str) -> str:
    if out_format == "jsonl":
        return "".join(
            json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=True) + "\n"
            for row in rows
        )
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    # Strings that cannot be UTF-8 (lone surrogates in an id or a label) are
    # written as \uXXXX escapes, as the JSON Lines rows write them.
    return buf.getvalue().encode("utf-8", "backslashreplace").decode("utf-8")


def predict_chunk(
    state: tuple[list[Any], list[str], str],
    texts: list[str],
    ids: list[str],
    where: list[tuple[str, int, int]],
    first_index: int,
    quarantine: bool,
) -> tuple[str, int, list[dict[str, Any]]]:
    """Predict one chunk; return its formatted rows, their count, and the
    quarantine entries of the records the pipeline failed on.

    Runs in the workers; ``state`` is the steps (the classifier last as an
    :class:`_Outputs`), the column names and the output format.
    """
    steps, names, out_format = state
    if not texts:  # a corpus with no good record: nothing to predict
        return "", 0, []
    blocks, failures = transform_chunk(steps, texts, first_index, False)
    failed = []
    for pos, exc in failures:
        file, line, _ = where[pos]
        if not quarantine:
            raise BatchError(
                f"{file}, line {line} (record {ids[pos]!r}): the pipeline failed: "
                f"{failure_reason(exc)}; fix the record, or pass quarantine= "
                "(--quarantine FILE) to set such records aside"
            ) from exc
        failed.append(failure_entry(where[pos], ids[pos], texts[pos], exc))
    bad = {pos for pos, _ in failures}
    kept = [rid for i, rid in enumerate(ids) if i not in bad]
    values = stack_rows(blocks).tolist() if blocks else []
    rows = [[rid, *row] for rid, row in zip(kept, values, strict=True)]
    return _format_rows(rows, names, out_format), len(rows), failed


def _split_model(model: Any, proba: bool) -> tuple[list[Any], Any]:
    """The feature steps and the classifier of a fitted pipeline (or classifier)."""
    from sklearn.utils.validation import check_is_fitted

    if hasattr(model, "steps"):
        steps = [s for _, s in model.steps]
    else:
        steps = [model]
    final = steps[-1]
    if not hasattr(final, "predict"):
        raise BatchError(
            f"the model's last step ({type(final).__name__}) has no predict; "
            "predict needs a pipeline that ends in a classifier (fit one with a "
            "config whose last step is a classifier)"
        )
    if proba and not hasattr(final, "predict_proba"):
        raise BatchError(
            f"the model's classifier ({type(final).__name__}) has no predict_proba; "
            "leave out proba=True (--proba)"
        )
    check_is_fitted(final)
    feature = [s for s in steps[:-1] if s is not None and s != "passthrough"]
    return feature, final


def _out_format(out: Path | None, out_format: str) -> str:
    if out_format not in OUT_FORMATS:
        raise BatchError(
            f"out_format={out_format!r}; use one of {', '.join(OUT_FORMATS)}"
        )
    if out_format != "auto":
        return out_format
    if out is None:
        return "jsonl"
    fmt = _SUFFIXES.get(out.suffix.lower())
    if fmt is None:
        raise BatchError(
            f"{out}: cannot tell the output format from the name; end it with "
            ".jsonl or .csv, or pass out_format='jsonl' or 'csv' (--out-format)"
        )
    return fmt


def _check_paths(source: Path, outputs: dict[str, Path | None]) -> None:
    """Refuse an output that is the corpus, lies in a folder corpus, is a
    folder, or is another output."""
    src = source.resolve()
    seen: dict[Path, str] = {}
    for name, path in outputs.items():
        if path is None:
            continue
        dst = path.resolve()
        if dst == src or (src.is_dir() and src in dst.parents):
            what = "is" if dst == src else "is inside"
            raise BatchError(
                f"{name} {path} {what} the corpus {source}; choose another path "
                "(it would be overwritten or read)"
            )
        if dst.is_dir():
            raise BatchError(f"{name} {path} is a folder; give a file name")
        if not dst.parent.is_dir():
            raise BatchError(
                f"{name} {path}: the folder {path.parent} does not exist; create it "
                "or choose another path"
            )
        if dst in seen:
            raise BatchError(f"{name} {path} is also the {seen[dst]}; choose another")
        seen[dst] = name


def _check_chunk_size(chunk_size: Any) -> None:
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, int)
        or chunk_size < 1
    ):
        raise BatchError(f"chunk_size must be a positive integer, got {chunk_size!r}")


def predict_corpus(
    model: Any,
    source: str | Path,
    out: str | Path | None = None,
    *,
    proba: bool = False,
    out_format: Literal["auto", "jsonl", "csv"] = "auto",
    format: str = "auto",
    text_field: str | Sequence[str] = "text",
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
    quarantine: str | Path | None = None,
    quiet: bool = False,
    stream: IO[str] | None = None,
) -> PredictReport:
    """Predict the label of every record of a corpus, chunk by chunk.

    Parameters
    ----------
    model : estimator, str or Path
        A fitted pipeline ending in a classifier (or the path of a model saved
        with :func:`textfeat.persist.save`). Its steps run in one process
        each; only ``n_jobs`` below chooses the number of processes.
    source : str or Path
        The corpus, read as a stream by :func:`textfeat.corpus.read_corpus`
        (labels, if any, are not read).
    out : str, Path or None, default=None
        Output file, written atomically (temporary name, renamed at the end);
        None writes to ``stream``.
    proba : bool, default=False
        Add one column per class, ``proba_<class>``, in the order of the
        classifier's ``classes_``: its ``predict_proba``.
    out_format : {"auto", "jsonl", "csv"}, default="auto"
        JSON Lines (one object a record: ``id``, ``label``, ``proba_<class>``)
        or CSV (those columns, with a header). ``"auto"``: from ``out``'s
        name (``.jsonl``, ``.ndjson``, ``.csv``), JSON Lines for a stream.
    format, text_field, id_field, encoding
        Passed to :func:`textfeat.corpus.read_corpus`. The id is the
        record's ``id_field``, or ``<file>:<line>`` when it has none.
    delimiter, quotechar, quoting, doublequote, escapechar, max_record_bytes
        CSV/TSV options of :func:`textfeat.corpus.read_corpus`.
    chunk_size : int, default=10_000
        Records predicted at a time. Memory grows with it (times
        ``2 * n_jobs`` chunks in flight), not with the corpus.
    n_jobs : int, default=1
        Worker processes (``-1``: every CPU this process may use; a larger
        count is lowered to them; 0 or another negative number is refused).
    quarantine : str, Path or None, default=None
        JSON Lines file for the records that cannot be read or that the
        pipeline fails on (``file``, ``line``, ``end_line``, ``id``,
        ``stage``, ``reason``, ``raw``), written atomically; None stops at
        the first with :class:`~textfeat.corpus.CorpusError` or
        :class:`~textfeat.batch.BatchError` naming its file and line.
    quiet : bool, default=False
        No progress bar (on stderr; it counts the corpus's physical lines,
        with their total once the corpus has been counted).
    stream : text file or None, default=None
        Where rows go when ``out`` is None (default: ``sys.stdout``).

    Returns
    -------
    PredictReport

    Raises
    ------
    BatchError
        For a model without a classifier (or without ``predict_proba`` when
        ``proba``), an output path that is the corpus or lies in a folder
        corpus, a bad option, or a record the pipeline fails on (without
        ``quarantine``).
    CorpusError
        For an unreadable record (without ``quarantine``).

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from textfeat import OneHotVectorizer, SpacyTokenizer
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> pipe = make_pipeline(SpacyTokenizer(), OneHotVectorizer(), LogisticRegression())
    >>> _ = pipe.fit(["a cat", "a dog", "the cat", "the dog"], ["c", "d", "c", "d"])
    >>> _ = (tmp / "c.txt").write_text("my cat\\nhis dog\\n")
    >>> report = predict_corpus(pipe, tmp / "c.txt", tmp / "p.jsonl", quiet=True)
    >>> report.n_in, report.n_written, report.n_quarantined
    (2, 2, 0)
    >>> [json.loads(x) for x in (tmp / "p.jsonl").read_text().splitlines()]
    [{'id': 'c.txt:1', 'label': 'c'}, {'id': 'c.txt:2', 'label': 'd'}]
    >>> _ = predict_corpus(pipe, tmp / "c.txt", tmp / "p.csv", proba=True, quiet=True)
    >>> (tmp / "p.csv").read_text().splitlines()[0]
    'id,label,proba_c,proba_d'
    """
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    if isinstance(model, str | Path):
        from textfeat.io.persist import load

        model = load(model)
    _check_chunk_size(chunk_size)
    try:
        n_jobs = effective_n_jobs(n_jobs)
    except ValueError as exc:
        raise BatchError(str(exc)) from None
    source = Path(source)
    out = None if out is None else Path(out)
    quar_path = None if quarantine is None else Path(quarantine)
    fmt = _out_format(out, out_format)
    _check_paths(source, {"out": out, "quarantine": quar_path})
    feature, final = _split_model(model, proba)
    classes = np.asarray(getattr(final, "classes_", [])).tolist()
    names = header(classes, proba)
    steps = one_process([*feature, final])
    state = ([*steps[:-1], _Outputs(steps[-1], proba)], names, fmt)
    hasher = None if quiet else Hasher(source, corpus_stat(source, None))
    account = LineAccount()
    quar = Quarantine()
    records = read_corpus(
        source,
        format=format,  # type: ignore[arg-type]
        text_field=text_field,  # type: ignore[arg-type]
        label_field=None,
        id_field=id_field,
        encoding=encoding,
        quarantine=quar if quar_path is not None else None,
        accounting=account,
        delimiter=delimiter,
        quotechar=quotechar,
        quoting=quoting,  # type: ignore[arg-type]
        doublequote=doublequote,
        escapechar=escapechar,
        max_record_bytes=max_record_bytes,
    )
    root = source if source.is_dir() else None

    def file_of(rec: Record) -> str:
        return str(root / rec.id) if root is not None else str(source)

    report = PredictReport(out=out, classes=classes)
    chunks = cut_chunks(records, quar, chunk_size, file_of, LabelCheck(), account)
    executor: InlineExecutor = (
        PoolExecutor(predict_chunk, state, n_jobs)
        if n_jobs > 1
        else InlineExecutor(predict_chunk, state)
    )
    bar = tqdm(
        total=None if hasher is None else hasher.lines,
        unit="line", unit_scale=True, desc="predict", disable=quiet,
    )  # fmt: skip
    with _open(out, fmt, stream) as fh, _open_quarantine(quar_path) as qfh:
        if fmt == "csv":
            fh.write(_format_rows([names], names, "csv"))

        def collect(job: Any, read_entries: list[dict[str, Any]]) -> None:
            text, n, failed = executor.result(job)
            fh.write(text)
            fh.flush()  # a chunk at a time: a reader of stdout sees rows as they come
            report.n_written += n
            entries = [quarantine_entry(e) for e in read_entries] + failed
            report.n_quarantined += len(entries)
            if qfh is not None:
                qfh.write(b"".join(json_line(e) for e in entries))

        try:
            with executor:
                if hasher is not None:
                    hasher.start()  # after the pool has forked its workers
                jobs: deque[tuple[Any, list[dict[str, Any]]]] = deque()
                for chunk in chunks:
                    report.n_in += len(chunk.texts) + len(chunk.quarantined)
                    if bar.total is None and hasher is not None:
                        bar.total = hasher.lines
                    bar.update(max(account.lines_read, account.lines_done) - bar.n)
                    args = (
                        chunk.texts, chunk.ids, chunk.where, chunk.first_index,
                        quar_path is not None,
                    )  # fmt: skip
                    jobs.append((executor.submit(args), chunk.quarantined))
                    while len(jobs) >= executor.window():
                        collect(*jobs.popleft())
                while jobs:
                    collect(*jobs.popleft())
            bar.update(max(account.lines_read, account.lines_done) - bar.n)
        finally:
            bar.close()
        if report.n_in != report.n_written + report.n_quarantined:
            raise BatchError(
                f"{source}: {report.n_in} records read but {report.n_written} "
                f"predicted and {report.n_quarantined} quarantined; records were "
                "lost, refusing to finish"
            )
    report.seconds = time.perf_counter() - t0
    return report


def _open(out: Path | None, fmt: str, stream: IO[str] | None) -> Any:
    """The output: a file written atomically, or the stream (left open)."""
    import contextlib

    if out is None:
        return contextlib.nullcontext(sys.stdout if stream is None else stream)
    newline = "" if fmt == "csv" else None
    return atomic_writer(out, "w", encoding="utf-8", newline=newline)


def _open_quarantine(path: Path | None) -> Any:
    import contextlib

    if path is None:
        return contextlib.nullcontext(None)
    return atomic_writer(path, "wb")
