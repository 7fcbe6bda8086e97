"""Fit a pipeline on a corpus larger than memory: stream counts, then train on shards.

:func:`fit_corpus` fits the same pipeline as ``pipeline.fit(texts, labels)``
without ever holding the corpus, in four stages, each on chunks of
``chunk_size`` records and on local processes or Dask workers:

1. **tokens**: the leading steps that learn nothing (the tokenizer) are
   applied by :func:`~textfeat.batch.featurize`, which writes their output
   (token lists) to ``work_dir/tokens`` in shards. This is the one pass that
   tokenizes, and it has everything ``featurize`` has: quarantine, line
   accounting, a progress bar with a total, resume after a kill.
2. **counts**: each step that learns counts (``partial_fit`` and ``merge``:
   :class:`~textfeat.Vocabulary`-based steps, :class:`~textfeat.WordSignatures`,
   :class:`~textfeat.OneHotVectorizer`, ...) is fitted in one pass over the
   token shards: every worker applies the steps fitted so far to one shard and
   counts it into a fresh copy of the step (``partial_fit``); the parent merges
   the copies (``merge``, associative and commutative, in binary trees of up
   to eight shards folded into one running total, so a merge costs about the
   size of the counts and the parent holds at most four parts). Only fitted
   steps and counts travel, never shards. A step may leave to the end what
   only the summed counts need (its private ``_stream_deferred`` /
   ``_finish_stream``): :class:`~textfeat.PPMIVectors` factorises once, not
   after every part; :class:`~textfeat.OneHotVectorizer` with tf-idf and
   ``handle_unknown="unk"`` keeps no per-document word lists and counts the
   *UNK* column's document frequency in a second pass over the token shards
   (``_second_pass_needed``).
3. **features**: when the pipeline ends with a classifier, the fitted feature
   steps featurize the corpus into ``work_dir/features``.
4. **head**: :func:`~textfeat.batch.train_shards` fits the final
   :class:`~textfeat.SoftmaxClassifier` by L-BFGS with the loss and gradient
   summed over the shards, with a checkpoint in ``work_dir/train.log``.

The result equals the in-memory fit: identical vocabularies and ids (the
counts are the same sums), and classifier coefficients to about 1e-9.
Memory is set by ``chunk_size`` and the number of workers, plus the fitted
state itself (a vocabulary grows with the distinct words of the corpus, as it
does in memory).

**Restarts.** Stages 1, 3 and 4 resume where a killed run stopped
(``resume=True``: finished shards are kept, L-BFGS replays its log); stage 2
starts again from the token shards, which costs a read of them, not a second
tokenization.
"""

from __future__ import annotations

import shutil
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sklearn.base import clone, is_classifier, is_regressor

from textfeat.batch._chunks import failure_reason, one_process, transform_chunk
from textfeat.batch.executors import executor_for
from textfeat.batch.run import check_n_jobs, featurize
from textfeat.batch.shards import (
    BatchError,
    entry_files,
    n_rows,
    read_manifest,
    stack_rows,
)

__all__ = ["FitReport", "fit_corpus"]

#: SoftmaxClassifier parameters train_shards honours (L-BFGS).
_HEAD_PARAMS = ("C", "fit_intercept", "tol", "max_iter", "class_weight")
#: Parameters of the stochastic solver only: they do not change an L-BFGS fit.
_HEAD_IGNORED = ("batch_size", "learning_rate", "random_state")
#: What to do when a file of the run's own work folder is damaged.
_AGAIN = "start the fit again"


@dataclass
class FitReport:
    """What a :func:`fit_corpus` run did.

    Attributes
    ----------
    work_dir : Path
        The folder of the intermediate shards.
    n_in : int
        Records read from the corpus (good and quarantined).
    n_fitted : int
        Records the feature steps were fitted on.
    n_quarantined : int
        Records set aside (``quarantine=True``): unreadable, or a step failed.
    n_trained : int
        Labelled records the classifier was trained on (0 without one).
    seconds : dict of str to float
        Wall time of each stage: ``"tokens"``, one ``"fit <step>"`` per step
        that learns counts, ``"features"`` and ``"train"``.
    quarantined : list of dict
        The entries set aside, as in a featurize run's ``quarantine.jsonl``.

    Examples
    --------
    >>> from pathlib import Path
    >>> report = FitReport(Path("work"), n_in=3, n_fitted=3)
    >>> report.n_in - report.n_fitted
    0
    """

    work_dir: Path
    n_in: int = 0
    n_fitted: int = 0
    n_quarantined: int = 0
    n_trained: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    quarantined: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def __str__(self) -> str:
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        return (
            f"{self.n_in} records in: {self.n_fitted} fitted, {self.n_quarantined} "
            f"quarantined, {self.n_trained} trained on [{stages}]"
        )


def _named_steps(model: Any) -> list[tuple[str, Any]]:
    if hasattr(model, "steps"):
        return [(n, s) for n, s in model.steps if s is not None and s != "passthrough"]
    return [(type(model).__name__, model)]


def _learns(step: Any) -> bool:
    tags = getattr(step, "__sklearn_tags__", None)
    return True if tags is None else bool(tags().requires_fit)


def _plan(model: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]], Any]:
    """Split a pipeline: leading steps that learn nothing, steps that stream, head."""
    steps = _named_steps(model)
    if not steps:
        raise BatchError("the pipeline has no steps to fit")
    head = None
    last = steps[-1][1]
    counts_only = (  # e.g. PPMIVectors: learns counts, makes no features
        hasattr(last, "partial_fit")
        and hasattr(last, "merge")
        and not (is_classifier(last) or is_regressor(last))
    )
    if not hasattr(last, "transform") and not counts_only:
        head = steps.pop()
    first = 0
    while first < len(steps) and not _learns(steps[first][1]):
        first += 1
    if first == 0:
        name = steps[0][0] if steps else head[0]  # type: ignore[index]
        raise BatchError(
            f"streaming fit needs a first step that learns nothing, such as "
            f"SpacyTokenizer, to tokenize the corpus once; the first step is "
            f"{name!r}. Fit in memory (without a chunk size) instead"
        )
    for name, step in steps[first:]:
        if _learns(step) and not (
            hasattr(step, "partial_fit") and hasattr(step, "merge")
        ):
            raise BatchError(
                f"step {name!r} ({type(step).__name__}) cannot be fitted chunk by "
                "chunk (it has no partial_fit and merge); fit in memory (without "
                "a chunk size), or select columns after featurize with "
                "'textfeat select'"
            )
    if head is not None:
        from textfeat.head import SoftmaxClassifier

        if type(head[1]) is not SoftmaxClassifier:
            raise BatchError(
                f"the final step {head[0]!r} ({type(head[1]).__name__}) cannot be "
                "trained on shards; streaming fit trains SoftmaxClassifier only. "
                "Use SoftmaxClassifier, or fit in memory (without a chunk size)"
            )
        params = head[1].get_params()
        default = SoftmaxClassifier().get_params()
        odd = [
            k
            for k in params
            if k not in _HEAD_PARAMS + _HEAD_IGNORED and params[k] != default[k]
        ]
        if odd:
            raise BatchError(
                f"the final step {head[0]!r}: {', '.join(sorted(odd))} cannot be "
                "honoured by training on shards; leave them at their defaults, or "
                "fit in memory"
            )
    return steps[:first], steps[first:], head


# -- stage 2: counts -----------------------------------------------------------


class _Merger:
    """Merges fitted parts: in binary trees of up to ``2 ** LEVELS`` shards,
    each tree folded into one running total.

    A part may be as large as the whole vocabulary, so what is held must not
    grow with the corpus: at most ``LEVELS`` tree parts and the total (a
    plain binary tree would hold ``log2(shards)``). The trees keep most
    merges between small parts; the total is merged once per ``2 ** LEVELS``
    shards. Parts are merged in corpus order (the merges are associative).
    """

    LEVELS = 3

    def __init__(self) -> None:
        self.stack: list[tuple[int, Any]] = []
        self.total: Any = None

    def add(self, part: Any) -> None:
        level = 0
        while self.stack and self.stack[-1][0] == level:
            _, other = self.stack.pop()
            part = other.merge(part)
            level += 1
        if level < self.LEVELS:
            self.stack.append((level, part))
        elif self.total is None:
            self.total = part
        else:
            self.total = self.total.merge(part)

    def result(self) -> Any:
        acc = None
        for _, part in reversed(self.stack):
            acc = part if acc is None else part.merge(acc)
        if self.total is not None:
            acc = self.total if acc is None else self.total.merge(acc)
        return acc


def _shard_tokens(out: str, name: str, digest: str, rec: str, rec_digest: str) -> Any:
    """One shard's rows (token lists or a matrix) and record ids, verified."""
    import io

    import numpy as np

    from textfeat.batch.shards import decode_rows, read_checked, unpack_strings

    root = Path(out)
    data = read_checked(root / name, digest, _AGAIN)
    records = read_checked(root / rec, rec_digest, _AGAIN)
    with np.load(io.BytesIO(records), allow_pickle=False) as z:
        ids = unpack_strings(z["ids_data"], z["ids_offsets"])
    X = decode_rows(name, data, root / name)
    if n_rows(X) != len(ids):
        raise BatchError(
            f"{root / name}: {n_rows(X)} rows for {len(ids)} records; {_AGAIN}"
        )
    return X, ids


def _shard_rows(
    fitted: list[Any], quarantine: bool, out: str, name: str, digest: str, rec: str,
    rec_digest: str,
) -> tuple[Any, list[tuple[str, str]]]:
    """One token shard through the steps fitted so far: its rows, and
    ``(record id, reason)`` for each record a step failed on."""
    X, ids = _shard_tokens(out, name, digest, rec, rec_digest)
    failed: list[tuple[str, str]] = []
    if fitted:
        blocks, failures = transform_chunk(fitted, X, 0, False)
        for pos, exc in failures:
            if not quarantine:
                raise BatchError(
                    f"{Path(out) / rec}: record {ids[pos]!r}: a step failed: "
                    f"{failure_reason(exc)}; fix the record, or pass "
                    "quarantine=True (--quarantine) to set such records aside"
                ) from exc
            failed.append((ids[pos], failure_reason(exc)))
        X = stack_rows(blocks) if blocks else []
    return X, failed


def _count_shard(
    state: tuple[list[Any], Any, bool], *args: str
) -> tuple[Any, int, list[tuple[str, str]]]:
    """Apply the fitted steps to one shard and count it into a copy of the step.

    Returns the fitted copy (None if no row is left), the rows counted, and
    ``(record id, reason)`` for each record a step failed on.
    """
    fitted, step, quarantine = state
    X, failed = _shard_rows(fitted, quarantine, *args)
    n = n_rows(X)
    if n == 0:
        return None, 0, failed
    part = clone(step)
    if hasattr(part, "_stream_deferred"):
        part._stream_deferred()  # finished once, by _finish_stream
    return part.partial_fit(X), n, failed


def _second_shard(state: tuple[list[Any], Any, bool], *args: str) -> int:
    """A step's second-pass count of one shard (see ``_second_pass_needed``)."""
    fitted, step, _ = state
    X, _ = _shard_rows(fitted, True, *args)  # failures: named by the first pass
    return step._second_pass_counts(X) if n_rows(X) else 0


def _map_shards(
    tokens: Path,
    fn: Any,
    state: Any,
    run: dict[str, Any],
    desc: str,
    take: Any,
) -> None:
    """``fn(state, *shard)`` for every non-empty shard of the token run, on the
    run's workers; ``take(result)`` in the parent as each one finishes."""
    from tqdm.auto import tqdm

    manifest = read_manifest(tokens)
    where = tokens / "manifest.json"
    jobs_args = [
        (str(tokens), *entry_files(entry, where, _AGAIN))
        for entry in manifest["shards"]
        if entry.get("n_records")
    ]
    executor = executor_for(
        fn, state, run["n_jobs"], run["engine"], run["scheduler"], len(jobs_args)
    )
    bar = tqdm(total=len(jobs_args), unit="shard", desc=desc, disable=run["quiet"])

    def collect(job: Any) -> None:
        take(executor.result(job))
        bar.update(1)

    try:
        with executor:
            jobs: deque[Any] = deque()
            for args in jobs_args:
                jobs.append(executor.submit(args))
                while len(jobs) >= executor.window():
                    collect(executor.wait_one(jobs))
            while jobs:
                collect(executor.wait_one(jobs))
    finally:
        bar.close()


def _count_pass(
    tokens: Path, fitted: list[Any], name: str, step: Any, run: dict[str, Any]
) -> tuple[Any, int, list[tuple[str, str]]]:
    """Fit ``step`` over every shard of the token run; merge the workers' parts
    (and sum a second pass over the shards if the step asks for one)."""
    state = (fitted, clone(step), run["quarantine"])
    merger = _Merger()
    n_counted = 0
    failed: list[tuple[str, str]] = []

    def take(result: Any) -> None:
        nonlocal n_counted
        part, n, bad = result
        failed.extend(bad)
        n_counted += n
        if part is not None:
            merger.add(part)

    _map_shards(tokens, _count_shard, state, run, f"fit {name}", take)
    fitted_step = merger.result()
    if fitted_step is None:
        raise BatchError(
            f"step {name!r}: no record is left to fit it on (every record was "
            "empty or set aside)"
        )
    if hasattr(fitted_step, "_finish_stream"):
        total = None
        if fitted_step._second_pass_needed():
            total = 0

            def add(count: int) -> None:
                nonlocal total
                total += count

            state = (fitted, fitted_step, run["quarantine"])
            _map_shards(tokens, _second_shard, state, run, f"fit {name} (2)", add)
        fitted_step._finish_stream(total)
    return fitted_step, n_counted, failed


# -- the run ---------------------------------------------------------------------


def _prefix_sample(source: Path, reader_opts: dict[str, Any], n: int = 64) -> list[str]:
    """The first readable records' texts, to fit the steps that learn nothing."""
    from textfeat.io import Quarantine, read_corpus

    texts: list[str] = []
    for rec in read_corpus(source, quarantine=Quarantine(), **reader_opts):
        texts.append(rec.text)
        if len(texts) >= n:
            break
    if not texts:
        raise BatchError(f"{source}: the corpus has no readable record")
    return texts


def _check_labels(run: Path, source: Path, label_field: str | None, head: str) -> None:
    """Refuse a corpus with unlabelled records when the pipeline ends with a
    classifier (as the in-memory fit does), before the costly stages."""
    from textfeat.batch.train import run_classes

    manifest = read_manifest(run)
    missing = manifest.get("n_unlabelled", 0)
    if manifest.get("label_type") == "none" or missing:
        raise BatchError(
            f"{source}: {missing} of {manifest.get('n_written')} records have no "
            f"label (label_field={label_field!r}); the final step {head!r} is a "
            "classifier and needs every record labelled"
        )
    try:
        run_classes(run, f"the final step {head!r} is a classifier")
    except BatchError as exc:
        raise BatchError(f"{source}: {str(exc).split(': ', 1)[-1]}") from None


def _rebuild(model: Any, fitted: dict[str, Any]) -> Any:
    """The caller's pipeline structure with the fitted steps."""
    if not hasattr(model, "steps"):
        return next(iter(fitted.values()))
    out = clone(model)
    out.steps = [(n, fitted.get(n, s)) for n, s in model.steps]
    return out


def fit_corpus(
    model: Any,
    source: str | Path,
    work_dir: str | Path,
    *,
    format: str = "auto",
    text_field: str | list[str] | tuple[str, ...] = "text",
    label_field: str | None = "label",
    id_field: str | None = "id",
    encoding: str = "utf-8",
    chunk_size: int = 10_000,
    n_jobs: int = 1,
    engine: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    resume: bool = False,
    quarantine: bool = False,
    keep_work: bool = True,
    cache: bool = True,
    quiet: bool = False,
    **csv_options: Any,
) -> tuple[Any, FitReport]:
    """Fit a pipeline on a corpus streamed in chunks, as ``fit`` would in memory.

    See the module documentation for the four stages, what travels between
    processes and what a restart redoes.

    Parameters
    ----------
    model : Pipeline or estimator
        Unfitted: leading steps that learn nothing (a tokenizer), then steps
        with ``partial_fit`` and ``merge``, then optionally a
        :class:`~textfeat.SoftmaxClassifier` (its ``C``, ``fit_intercept``,
        ``tol``, ``max_iter`` and ``class_weight`` are honoured). It is not
        modified.
    source : str or Path
        The corpus (any format :func:`textfeat.corpus.read_corpus` reads).
    work_dir : str or Path
        Folder of the intermediate runs (``tokens/``, ``features/``,
        ``train.log``): new or empty, or that of a run to resume. It needs room
        for the token lists of the corpus (about its size) and its features.
    format, text_field, label_field, id_field, encoding, **csv_options
        Reader options, as for :func:`~textfeat.batch.featurize`.
    chunk_size : int, default=10_000
        Records per shard; memory grows with it times the workers.
    n_jobs : int, default=1
        Local worker processes (-1: every CPU), or Dask workers of the local
        cluster started when ``engine="dask"`` has no ``scheduler``.
    engine : {"local", "dask"}, default="local"
    scheduler : str or None, default=None
        Address of a running Dask scheduler; its workers must reach
        ``work_dir``.
    resume : bool, default=False
        Continue a killed run in the same ``work_dir``, with the same model,
        corpus and options (anything else is refused).
    quarantine : bool, default=False
        Set aside records that cannot be read or that a step fails on
        (reported), instead of stopping at the first one.
    keep_work : bool, default=True
        Keep ``work_dir`` (its ``features/`` run serves ``textfeat select``
        and ``train``); False removes it after a successful fit.
    cache : bool, default=True
        Training keeps each worker's feature shards in memory between L-BFGS
        iterations (about twice the features' size, split between the
        workers: this stage's memory grows with the corpus). False reads them
        again at every iteration: the memory of one shard, more time.
    quiet : bool, default=False
        No progress bars.

    Returns
    -------
    fitted : Pipeline or estimator
        A fitted clone of ``model``; :func:`textfeat.persist.save` saves it.
    report : FitReport

    Raises
    ------
    BatchError
        For a step that cannot stream (named), a final step other than
        SoftmaxClassifier, a corpus without labels for a classifier, a record a
        step fails on (named, without ``quarantine``), or a ``work_dir`` that
        holds another run.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from sklearn.pipeline import make_pipeline
    >>> from textfeat import OneHotVectorizer, SpacyTokenizer, WordSignatures
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> rows = [("the cat sat", "pet"), ("a dog ran", "pet"), ("stocks fell", "money"),
    ...         ("bonds rose", "money"), ("the cat ran", "pet")]
    >>> _ = (tmp / "c.jsonl").write_text("".join(
    ...     json.dumps({"text": t, "label": y}) + "\\n" for t, y in rows))
    >>> pipe = make_pipeline(SpacyTokenizer(), WordSignatures(min_count=2),
    ...                      OneHotVectorizer())
    >>> fitted, report = fit_corpus(pipe, tmp / "c.jsonl", tmp / "work",
    ...                             chunk_size=2, quiet=True)
    >>> whole = pipe.fit([t for t, _ in rows])
    >>> fitted[-1].vocabulary_.itos_ == whole[-1].vocabulary_.itos_
    True
    >>> report.n_in, report.n_fitted
    (5, 5)
    """
    source, work = Path(source), Path(work_dir)
    n_jobs = check_n_jobs(n_jobs)
    prefix, learners, head = _plan(model)
    reader_opts: dict[str, Any] = {
        "format": format,
        "text_field": text_field,
        "label_field": label_field,
        "id_field": id_field,
        "encoding": encoding,
        **csv_options,
    }
    if work.exists() and not work.is_dir():
        raise BatchError(f"work_dir {work} is a file; choose a folder")
    work.mkdir(parents=True, exist_ok=True)
    if not resume:
        others = [p.name for p in work.iterdir()]
        if others:
            raise BatchError(
                f"work_dir {work} is not empty; pass resume=True (--resume) to "
                "continue the run in it, or choose an empty or new folder"
            )
    report = FitReport(work)
    run_opts = {
        **reader_opts,
        "chunk_size": chunk_size,
        "n_jobs": n_jobs,
        "engine": engine,
        "resume": resume,
        "quarantine": quarantine,
        "quiet": quiet,
    }
    cluster = None
    if engine == "dask" and scheduler is None:  # one local cluster for every stage
        try:
            from textfeat._parallel import local_cluster

            cluster = local_cluster(n_jobs)
        except ImportError as exc:
            raise BatchError(
                "engine='dask' needs dask and distributed; install them with "
                "pip install 'textfeat[dask]' (or pip install 'dask[distributed]')"
            ) from exc
        scheduler = cluster.scheduler_address
    run_opts["scheduler"] = scheduler
    try:
        return _stages(
            model, prefix, learners, head, source, work, reader_opts, run_opts,
            report, label_field, keep_work, cache,
        )  # fmt: skip
    finally:
        if cluster is not None:
            cluster.close()


def _stages(
    model: Any,
    prefix: list[tuple[str, Any]],
    learners: list[tuple[str, Any]],
    head: Any,
    source: Path,
    work: Path,
    reader_opts: dict[str, Any],
    run_opts: dict[str, Any],
    report: FitReport,
    label_field: str | None,
    keep_work: bool,
    cache: bool,
) -> tuple[Any, FitReport]:
    """The four stages of :func:`fit_corpus` (see the module documentation)."""
    n_jobs, engine, scheduler = (run_opts[k] for k in ("n_jobs", "engine", "scheduler"))
    # 1. tokens
    t0 = time.perf_counter()
    sample = _prefix_sample(source, reader_opts)
    fitted: dict[str, Any] = {}
    Xs: Any = sample
    for name, step in prefix:
        est = clone(step).fit(Xs)
        fitted[name] = est
        Xs = est.transform(Xs)
    from sklearn.pipeline import Pipeline

    tokenizer = Pipeline([(n, fitted[n]) for n, _ in prefix])
    tok = featurize(tokenizer, source, work / "tokens", **run_opts)
    report.n_in = tok.n_in
    report.n_quarantined = tok.n_quarantined
    report.n_fitted = tok.n_written
    report.quarantined = [e for m in tok.shards for e in m["quarantined"]]
    report.seconds["tokens"] = time.perf_counter() - t0
    if head is not None:
        _check_labels(work / "tokens", source, label_field, head[0])
    # 2. counts, one pass per step that learns (over the token shards)
    applied: list[Any] = []
    sample_at = 0  # the sample Xs has been through applied[:sample_at]
    failed_ids: dict[str, str] = {}
    for name, step in learners:
        t0 = time.perf_counter()
        if _learns(step):
            est, n, failed = _count_pass(work / "tokens", applied, name, step, run_opts)
            for rid, reason in failed:
                failed_ids.setdefault(rid, f"{name}: {reason}")
            report.n_fitted = min(report.n_fitted, n)
        else:  # learns nothing: fitted (checked) on the sample, as it arrives here
            for done in applied[sample_at:]:
                Xs = done.transform(Xs)
            sample_at = len(applied)
            est = clone(step).fit(Xs)
        fitted[name] = est
        applied = applied + one_process([est])
        report.seconds[f"fit {name}"] = time.perf_counter() - t0
    for rid, reason in failed_ids.items():
        report.quarantined.append(
            {"id": rid, "stage": "fit", "reason": f"a step failed: {reason}"}
        )
    report.n_quarantined += len(failed_ids)
    if head is None:
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)
        return _rebuild(model, fitted), report
    # 3. features
    t0 = time.perf_counter()
    features = Pipeline([(n, fitted[n]) for n, _ in prefix + learners])
    feat = featurize(features, source, work / "features", **run_opts)
    report.seconds["features"] = time.perf_counter() - t0
    report.quarantined = [e for m in feat.shards for e in m["quarantined"]]
    report.n_quarantined = feat.n_quarantined
    # 4. head
    t0 = time.perf_counter()
    manifest = read_manifest(work / "features")
    from textfeat.batch.train import train_shards

    params = head[1].get_params()
    clf = train_shards(
        work / "features",
        **{k: params[k] for k in _HEAD_PARAMS},
        n_jobs=n_jobs,
        engine=engine,
        scheduler=scheduler,
        checkpoint=work / "train.log",
        cache=cache,
    )
    for k in _HEAD_IGNORED:
        clf.set_params(**{k: params[k]})
    report.n_trained = feat.n_written - manifest.get("n_unlabelled", 0)
    report.seconds["train"] = time.perf_counter() - t0
    fitted[head[0]] = clf
    if not keep_work:
        shutil.rmtree(work, ignore_errors=True)
    return _rebuild(model, fitted), report
