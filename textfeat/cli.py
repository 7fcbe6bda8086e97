"""The ``textfeat`` command: thin wrappers over importable functions.

Every command prints one line on error (what, where, how to fix) and exits
with status 1, without a traceback (set ``TEXTFEAT_DEBUG=1`` to see it).

Exit status, for every command:

* **0**: done;
* **1**: a user error: a missing or unreadable file, a bad record (without
  ``--quarantine``), a bad option value (``--chunk-size 0``, ``--test-size
  1.5``), a model without a classifier, a corpus none of whose labels the
  model knows, matplotlib missing for ``--plot``; one line on stderr;
* **2**: a usage error found by the command-line parser (click): an unknown
  command or option, a missing argument, a value of the wrong type
  (``--chunk-size abc``); click's usage message on stderr.

The module is longer than 600 lines because each command declares its
options inline, as typer reads them from the signature (the commands
share the reader and CSV options, declared once as ``Annotated`` aliases);
the work itself is in :mod:`textfeat.batch` (:func:`~textfeat.batch.featurize`,
:func:`~textfeat.batch.predict_corpus`), :mod:`textfeat.io`,
:mod:`textfeat._evaluate` and :mod:`textfeat.demo`.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from textfeat._cli_steps import steps as _steps
from textfeat._cli_train import train as _train
from textfeat._files import check_output_file

__all__ = ["app", "main"]

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="textfeat",
    help="Text into features (Goldberg, ch. 8): fit, featurize, predict, select, "
    "evaluate, train, steps, demo. Exit status: 0 done, 1 user error, 2 usage "
    "error.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

FormatOpt = Annotated[
    str,
    typer.Option(
        "--format", help="Corpus format: auto, text, jsonl, csv, tsv, conllu, dir."
    ),
]
TextOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--text-field",
        help="JSON field or CSV column of the text (default: text). Repeat it, or "
        "give a comma-separated list, for text from several fields, joined with a "
        "newline in the order given; write \\, for a comma inside a name.",
        callback=lambda values: _text_fields(values),
    ),
]
LabelOpt = Annotated[
    str, typer.Option("--label-field", help="JSON field or CSV column of the label.")
]
DelimiterOpt = Annotated[
    str | None,
    typer.Option(
        "--delimiter", help="CSV field separator (default: a tab for .tsv, else ',')."
    ),
]
QuotecharOpt = Annotated[
    str | None, typer.Option("--quotechar", help='CSV quote character (default: ").')
]
QuotingOpt = Annotated[
    str | None,
    typer.Option(
        "--quoting",
        help="CSV quoting: minimal (default), all, nonnumeric, or none (quotes "
        "are ordinary characters, as in TSVs with unescaped quotes).",
    ),
]
DoublequoteOpt = Annotated[
    bool | None,
    typer.Option(
        "--doublequote/--no-doublequote",
        help='Whether "" inside a quoted CSV field is one quote (default: yes).',
    ),
]
EscapeOpt = Annotated[
    str | None,
    typer.Option("--escapechar", help="CSV escape character (default: none)."),
]
QuarantineFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--quarantine",
        help="Write unreadable records to this JSON Lines file and go on "
        "(default: stop at the first, naming its file and line).",
    ),
]


def _csv_options(
    delimiter: str | None,
    quotechar: str | None,
    quoting: str | None,
    doublequote: bool | None,
    escapechar: str | None,
) -> dict[str, Any]:
    """The CSV options given on the command line (the reader's defaults else)."""
    opts = {
        "delimiter": delimiter,
        "quotechar": quotechar,
        "quoting": quoting,
        "doublequote": doublequote,
        "escapechar": escapechar,
    }
    return {k: v for k, v in opts.items() if v is not None}


def _errors(func: F) -> F:
    """Turn expected errors into one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sklearn.exceptions import NotFittedError

        from textfeat.batch import BatchError
        from textfeat.io import CorpusError
        from textfeat.io.config import ConfigError
        from textfeat.io.persist import ModelFileError

        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except (
            CorpusError,
            ModelFileError,
            ConfigError,
            BatchError,
            NotFittedError,
            ImportError,
            OSError,
            ValueError,
            TypeError,
        ) as exc:
            if os.environ.get("TEXTFEAT_DEBUG"):
                raise
            typer.echo(f"error: {_one_line(exc)}", err=True)
            raise typer.Exit(1) from None
        except Exception as exc:
            if os.environ.get("TEXTFEAT_DEBUG"):
                raise
            typer.echo(
                f"error: unexpected {type(exc).__name__}: {_one_line(exc)} "
                "(set TEXTFEAT_DEBUG=1 to see the traceback, and report it)",
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _text_fields(values: list[str] | None) -> list[str]:
    """The ``--text-field`` values as the list of names to read (the callback).

    Every value is a comma-separated list of names (``\\,`` is a comma in a
    name, ``\\\\`` a backslash); names are kept exactly, spaces included.
    None (the option not given) is ``["text"]``.
    """
    if not values:
        return ["text"]
    names: list[str] = []
    for value in values:
        part, escaped = "", False
        for ch in value:
            if escaped:
                part += ch if ch in ",\\" else "\\" + ch
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == ",":
                names.append(part)
                part = ""
            else:
                part += ch
        names.append(part + ("\\" if escaped else ""))
    if "" in names:
        raise typer.BadParameter(
            f"{values!r} holds an empty name; give one name per --text-field, or "
            "names separated by single commas"
        )
    return names


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, FileNotFoundError) and exc.filename:
        text = f"{exc.filename}: no such file or folder; check the path"
    return " ".join(text.split())


QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


class _Corpus:
    """A corpus read whole: texts, labels (one type, as read) and where each is."""

    def __init__(self, path: Path, quarantine: Path | None) -> None:
        from textfeat.io import Quarantine

        self.path = path
        self.texts: list[str] = []
        self.labels: list[Any] = []
        self.where: list[tuple[str, int, int]] = []  # (id, line, end_line)
        self.quarantine_path = quarantine
        self.quar: Any = None
        if quarantine is not None:
            quarantine.write_bytes(b"")  # this run's records only
            self.quar = Quarantine(quarantine)

    @property
    def n_quarantined(self) -> int:
        return 0 if self.quar is None else self.quar.count

    def set_aside(self, failures: list[tuple[int, BaseException]]) -> None:
        """Quarantine (or name in the error) the records the pipeline failed on."""
        from textfeat.batch._chunks import failure_reason
        from textfeat.io import CorpusError

        for pos, exc in failures:
            rid, line, end_line = self.where[pos]
            err = CorpusError(
                self._file_of(rid),
                line,
                f"(record {rid!r}) the pipeline failed: {failure_reason(exc)}",
                self.texts[pos][:8192],
                end_line,
            )
            if self.quar is None:
                raise ValueError(
                    f"{err}; fix the record, or pass --quarantine FILE to set "
                    "such records aside"
                ) from exc
            self.quar.add(err)
        bad = {pos for pos, _ in failures}
        keep = [i for i in range(len(self.texts)) if i not in bad]
        self.texts = [self.texts[i] for i in keep]
        self.labels = [self.labels[i] for i in keep]
        self.where = [self.where[i] for i in keep]
        if not self.texts:
            raise ValueError(f"{self.path}: the pipeline failed on every record")

    def subset(self, index: Any) -> _Corpus:
        """The records at ``index`` (in that order), sharing the quarantine."""
        part = object.__new__(_Corpus)
        part.path, part.quarantine_path, part.quar = (
            self.path,
            self.quarantine_path,
            self.quar,
        )
        part.texts = [self.texts[i] for i in index]
        part.labels = [self.labels[i] for i in index]
        part.where = [self.where[i] for i in index]
        return part

    def _file_of(self, rid: str) -> str:
        return str(self.path / rid) if self.path.is_dir() else str(self.path)

    def close(self) -> None:
        if self.quar is not None:
            self.quar.close()


def _load_corpus(
    path: Path,
    fmt: str,
    text_field: str | list[str],
    label_field: str,
    csv_opts: dict[str, Any],
    quarantine: Path | None = None,
    quiet: bool = True,
) -> _Corpus:
    """Read a corpus whole, with a progress bar over its records unless quiet."""
    from tqdm.auto import tqdm

    from textfeat.batch._fingerprint import Hasher, corpus_stat
    from textfeat.batch.shards import LabelCheck
    from textfeat.io import LineAccount, read_corpus

    check = LabelCheck()
    corpus = _Corpus(path, quarantine)
    account = LineAccount()
    bar = None
    try:
        records = read_corpus(
            path,
            format=fmt,  # type: ignore[arg-type]
            text_field=text_field,
            label_field=label_field or None,
            quarantine=corpus.quar,
            accounting=account,
            **csv_opts,
        )
        # the bar counts physical lines: their total is counted (in a thread
        # for a large corpus) while the reading goes on
        lines = None if quiet else Hasher(path, corpus_stat(path, None))
        if lines is not None:
            lines.start()
        bar = tqdm(
            total=None if lines is None else lines.lines, desc="read", unit="line",
            unit_scale=True, disable=quiet,
        )  # fmt: skip
        for n, rec in enumerate(records):
            check(rec.label, f"{path}, line {rec.line} (record {rec.id!r})")
            corpus.texts.append(rec.text)
            corpus.labels.append(rec.label)
            corpus.where.append((rec.id, rec.line, rec.end_line))
            if lines is not None and n % 256 == 0:
                if bar.total is None and lines.lines is not None:
                    bar.total = lines.lines
                bar.update(max(account.lines_read, account.lines_done) - bar.n)
        if lines is not None:
            if bar.total is None and lines.lines is not None:
                bar.total = lines.lines
            bar.update(max(account.lines_read, account.lines_done) - bar.n)
    except BaseException:
        corpus.close()
        raise
    finally:
        if bar is not None:
            bar.close()
    if not corpus.texts:
        corpus.close()
        raise ValueError(f"{path}: the corpus has no records")
    return corpus


def _with_progress(pipe: Any, quiet: bool) -> list[tuple[Any, Any]]:
    """Turn on the tokenizers' progress bars for this run; return what to restore."""
    from textfeat.tokenize import SpacyTokenizer

    steps = getattr(pipe, "steps", [(None, pipe)])
    saved = [
        (step, step.progress) for _, step in steps if isinstance(step, SpacyTokenizer)
    ]
    for step, _ in saved:
        step.progress = not quiet
    return saved


def _restore(saved: list[tuple[Any, Any]]) -> None:
    for step, value in saved:
        step.progress = value


def _fit_guarded(pipe: Any, corpus: _Corpus, supervised: bool) -> None:
    """Fit; if a record makes the first step fail, set it aside and fit again."""
    from sklearn.base import clone

    def fit() -> None:
        if supervised:
            pipe.fit(corpus.texts, _labels(corpus.path, corpus.labels))
        else:
            pipe.fit(corpus.texts)

    try:
        fit()
        return
    except Exception as exc:
        first = pipe.steps[0][1]
        failures = _narrow(lambda docs: clone(first).fit_transform(docs), corpus.texts)
        if not failures:
            raise exc from None
    corpus.set_aside(failures)
    fit()


def _narrow(
    apply: Callable[[list[str]], Any], texts: list[str], start: int = 0
) -> list[tuple[int, BaseException]]:
    """Positions (and errors) of the documents ``apply`` fails on, by bisection."""
    try:
        apply(texts)
        return []
    except Exception as exc:
        if len(texts) == 1:
            return [(start, exc)]
        mid = len(texts) // 2
        return _narrow(apply, texts[:mid], start) + _narrow(
            apply, texts[mid:], start + mid
        )


def _apply(steps: list[Any], docs: list[str]) -> Any:
    X: Any = docs
    for step in steps:
        X = step.transform(X)
    return X


def _check_paths(
    inputs: dict[str, Path | None], outputs: dict[str, Path | None]
) -> None:
    """Refuse an output that would overwrite an input or another output, or be
    written inside a folder corpus (it would be read as a document); and a
    file output (every one but ``--work-dir``) that is a folder or whose
    folder does not exist, before any work."""
    seen: dict[Path, str] = {}
    ins = {k: v.resolve() for k, v in inputs.items() if v is not None}
    for name, path in outputs.items():
        if path is None:
            continue
        if name != "--work-dir":
            check_output_file(name, path)
        dst = path.resolve()
        for in_name, src in ins.items():
            if dst == src or (src.is_dir() and src in dst.parents):
                what = "is" if dst == src else "is inside"
                raise ValueError(
                    f"{name} {path} {what} the {in_name} {inputs[in_name]}; "
                    "choose another path (it would be overwritten or read)"
                )
        if dst in seen:
            raise ValueError(
                f"{name} {path} is also the {seen[dst]}; choose another path"
            )
        seen[dst] = name


def _quarantined(count: int, quarantine: Path | None) -> str:
    return f"; {count} quarantined to {quarantine}" if quarantine is not None else ""


def _labels(path: Path, labels: list[Any]) -> list[Any]:
    """The labels as read (one type: str, int, float or bool), all present."""
    missing = sum(v is None for v in labels)
    if missing:
        raise ValueError(
            f"{path}: {missing} records have no label; this command needs a "
            "labelled corpus (see --label-field)"
        )
    return labels


@app.command()
@_errors
def fit(
    corpus: Annotated[Path, typer.Argument(help="Training corpus.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Where to save the fitted model.")
    ] = Path("model.tfm"),
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="TOML pipeline config (default: demo's)."),
    ] = None,
    test_size: Annotated[
        float | None,
        typer.Option(
            "--test-size",
            help="Hold out this share of the records (0 < F < 1, stratified by "
            "label), fit on the rest, and print the evaluate report on the held-out "
            "part. The model saved is the one fitted on the rest.",
        ),
    ] = None,
    cv: Annotated[
        int | None,
        typer.Option(
            "--cv",
            help="Print K-fold cross-validated accuracy and macro F1 (stratified, "
            "shuffled), then fit on every record (with --test-size: on the "
            "training part).",
        ),
    ] = None,
    random_state: Annotated[
        int,
        typer.Option(
            "--random-state", help="Seed of the --test-size split and --cv folds."
        ),
    ] = 0,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the counts, scores and report as JSON."),
    ] = False,
    chunk_size: Annotated[
        int | None,
        typer.Option(
            "--chunk-size",
            help="Stream the corpus in chunks of N records instead of reading it "
            "whole: memory is set by N and the workers, not the corpus.",
        ),
    ] = None,
    n_jobs: Annotated[
        int,
        typer.Option(
            "--n-jobs", "-j", help="With --chunk-size: workers (-1: all cores)."
        ),
    ] = 1,
    engine: Annotated[
        str, typer.Option(help="With --chunk-size: local or dask.")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(help="With --engine dask: scheduler address (default: local)."),
    ] = None,
    work_dir: Annotated[
        Path | None,
        typer.Option(
            "--work-dir",
            help="With --chunk-size: folder of the intermediate shards, kept after "
            "the fit (its features/ run serves 'textfeat select' and 'train'). "
            "Default: OUT.work beside the model, removed after a successful fit.",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="With --chunk-size: continue a killed fit in its work dir."
        ),
    ] = False,
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help="With --chunk-size: keep the feature shards in memory while the "
            "classifier trains (memory grows with the corpus); --no-cache reads "
            "them at every iteration (memory of one shard).",
        ),
    ] = True,
    fmt: FormatOpt = "auto",
    text_field: TextOpt = None,
    label_field: LabelOpt = "label",
    delimiter: DelimiterOpt = None,
    quotechar: QuotecharOpt = None,
    quoting: QuotingOpt = None,
    doublequote: DoublequoteOpt = None,
    escapechar: EscapeOpt = None,
    quarantine: QuarantineFileOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Build a pipeline from a TOML config, fit it on a corpus and save it.

    With --chunk-size N the corpus is never held in memory: it is tokenized
    once into shards, each step that learns counts is fitted shard by shard
    (partial_fit on workers, counts merged), the features are written in
    shards and a final SoftmaxClassifier is trained over them by L-BFGS
    (textfeat.batch.fit_corpus). The model equals the in-memory one. -j,
    --engine dask [--scheduler ADDR] spread the work; --resume continues a
    killed run.

    --test-size F splits the corpus first (scikit-learn's train_test_split,
    stratified by label, seeded by --random-state), fits on the training part,
    saves that model and reports on the held-out part. --cv K prints the
    scores of cross_validate with StratifiedKFold(K, shuffle=True,
    random_state), then fits on everything; with --test-size too, the folds
    are drawn from the training part only.

    Example: textfeat fit corpora/topics.jsonl --config pipe.toml --out model.tfm --test-size 0.2
    """
    from textfeat.io.config import load_config
    from textfeat.io.persist import save

    _check_paths(
        {"corpus": corpus, "config": config},
        {"--out": out, "--quarantine": quarantine},
    )
    pipe = load_config(config)
    supervised = hasattr(pipe.steps[-1][1], "predict")
    _check_split_options(test_size, cv, random_state, supervised)
    csv_opts = _csv_options(delimiter, quotechar, quoting, doublequote, escapechar)
    quiet = quiet or as_json
    streaming = {
        "-j": n_jobs != 1,
        "--engine": engine != "local",
        "--scheduler": scheduler is not None,
        "--work-dir": work_dir is not None,
        "--resume": resume,
        "--no-cache": not cache,
    }
    if chunk_size is None:
        given = [k for k, v in streaming.items() if v]
        if given:
            raise ValueError(
                f"{', '.join(given)} {'takes' if len(given) == 1 else 'take'} effect "
                "only with --chunk-size N (streaming fit); add --chunk-size, or "
                "leave them out"
            )
    else:
        _fit_streaming(
            pipe, corpus, out, config, chunk_size, n_jobs, engine, scheduler,
            work_dir, resume, cache, test_size, cv, as_json, quiet, quarantine,
            {"format": fmt, "text_field": text_field,
             "label_field": label_field or None, **csv_opts},
        )  # fmt: skip
        return
    data = _load_corpus(
        corpus, fmt, text_field, label_field, csv_opts, quarantine, quiet
    )
    result: dict[str, Any] = {"test": None, "cv": None}
    try:
        train, test = data, None
        if test_size is not None:
            train, test = _split(data, test_size, random_state)
        saved = _with_progress(pipe, quiet)
        try:
            _fit_guarded(pipe, train, supervised)
        finally:
            _restore(saved)  # the bar is this run's, never the file's
        if cv is not None:
            result["cv"] = _cross_validate(config, train, cv, random_state)
        if test is not None:
            from textfeat._evaluate import evaluation_report

            saved = _with_progress(pipe, quiet)
            try:
                pred = _predict_guarded(pipe, test)
            finally:
                _restore(saved)
            result["test"] = evaluation_report(test.labels, pred)
    finally:
        data.close()
    save(pipe, out)
    result |= {
        "n_fitted": len(train.texts),
        "n_quarantined": data.n_quarantined,
        "model": str(out),
    }
    if as_json:
        typer.echo(json.dumps(result))
        return
    if result["cv"] is not None:
        typer.echo(_format_cv(result["cv"]))
    typer.echo(
        f"fitted {len(train.texts)} records"
        f"{_quarantined(data.n_quarantined, quarantine)}; model saved to {out}"
    )
    if result["test"] is not None:
        from textfeat._evaluate import format_report

        typer.echo(f"held-out part ({test_size:g} of the corpus):")
        typer.echo(_printable(format_report(result["test"])))


def _fit_streaming(
    pipe: Any,
    corpus: Path,
    out: Path,
    config: Path | None,
    chunk_size: int,
    n_jobs: int,
    engine: str,
    scheduler: str | None,
    work_dir: Path | None,
    resume: bool,
    cache: bool,
    test_size: float | None,
    cv: int | None,
    as_json: bool,
    quiet: bool,
    quarantine: Path | None,
    reader: dict[str, Any],
) -> None:
    """``fit --chunk-size``: :func:`textfeat.batch.fit_corpus`, then save."""
    import shutil

    from textfeat._files import write_atomic
    from textfeat.batch.shards import json_line
    from textfeat.io.persist import save

    if test_size is not None or cv is not None:
        raise ValueError(
            "--test-size and --cv need the corpus in memory and cannot be combined "
            "with --chunk-size; hold out a test file and run 'textfeat evaluate' on it"
        )
    if chunk_size < 1:
        raise ValueError(
            f"--chunk-size must be a positive number of records, got {chunk_size}"
        )
    if engine not in ("local", "dask"):
        raise ValueError(f"--engine must be local or dask, got {engine!r}")
    if scheduler is not None and engine != "dask":
        raise ValueError("--scheduler needs --engine dask")
    work = work_dir if work_dir is not None else out.with_name(out.name + ".work")
    _check_paths(
        {"corpus": corpus, "config": config},
        {"--out": out, "--quarantine": quarantine, "--work-dir": work},
    )
    fresh = not work.exists()
    try:
        fitted, report = _fit_corpus(
            pipe, corpus, work, chunk_size, n_jobs, engine, scheduler, resume,
            quarantine, work_dir, quiet, {**reader, "cache": cache},
        )  # fmt: skip
    except Exception:
        if fresh and work_dir is None:  # a run that failed leaves nothing behind
            shutil.rmtree(work, ignore_errors=True)
        raise
    save(fitted, out)
    if quarantine is not None:
        write_atomic(quarantine, b"".join(json_line(e) for e in report.quarantined))
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "n_in": report.n_in,
                    "n_fitted": report.n_fitted,
                    "n_quarantined": report.n_quarantined,
                    "n_trained": report.n_trained,
                    "seconds": report.seconds,
                    "model": str(out),
                    "work_dir": str(work) if work_dir is not None else None,
                    "test": None,
                    "cv": None,
                }
            )
        )
        return
    typer.echo(
        f"fitted {report.n_fitted} records"
        f"{_quarantined(report.n_quarantined, quarantine)}; model saved to {out}"
    )
    typer.echo(str(report))


def _fit_corpus(
    pipe: Any,
    corpus: Path,
    work: Path,
    chunk_size: int,
    n_jobs: int,
    engine: str,
    scheduler: str | None,
    resume: bool,
    quarantine: Path | None,
    work_dir: Path | None,
    quiet: bool,
    reader: dict[str, Any],
) -> Any:
    from textfeat.batch import fit_corpus

    return fit_corpus(
        pipe,
        corpus,
        work,
        chunk_size=chunk_size,
        n_jobs=n_jobs,
        engine=engine,  # type: ignore[arg-type]
        scheduler=scheduler,
        resume=resume,
        quarantine=quarantine is not None,
        keep_work=work_dir is not None,
        quiet=quiet,
        **reader,
    )


def _check_split_options(
    test_size: float | None, cv: int | None, random_state: int, supervised: bool
) -> None:
    """Refuse values of --test-size, --cv and --random-state that cannot work."""
    if test_size is not None and not 0.0 < test_size < 1.0:
        raise ValueError(
            f"--test-size must be a share between 0 and 1 (such as 0.2), got "
            f"{test_size:g}"
        )
    if cv is not None and cv < 2:
        raise ValueError(f"--cv must be 2 or more folds, got {cv}")
    if not 0 <= random_state < 2**32:
        raise ValueError(
            f"--random-state must be between 0 and 2**32 - 1, got {random_state}"
        )
    if (test_size is not None or cv is not None) and not supervised:
        option = "--test-size" if test_size is not None else "--cv"
        raise ValueError(
            f"{option} scores a classifier, and the config's last step has no "
            "predict; end the config with a classifier"
        )


def _split(
    data: _Corpus, test_size: float, random_state: int
) -> tuple[_Corpus, _Corpus]:
    """Training and held-out parts: train_test_split, stratified by label."""
    from sklearn.model_selection import train_test_split

    y = _labels(data.path, data.labels)
    try:
        train, test = train_test_split(
            list(range(len(y))),
            test_size=test_size,
            stratify=y,
            random_state=random_state,
        )
    except ValueError as exc:
        raise ValueError(
            f"--test-size {test_size:g}: cannot split {data.path} ({len(y)} records, "
            f"{len(set(y))} labels) with every label on both sides: {exc}"
        ) from None
    return data.subset(train), data.subset(test)


def _cross_validate(
    config: Path | None, data: _Corpus, cv: int, random_state: int
) -> dict[str, Any]:
    """Scores of a fresh pipeline on ``cv`` stratified, shuffled folds."""
    from collections import Counter

    import numpy as np
    from sklearn.model_selection import StratifiedKFold, cross_validate

    from textfeat.io.config import load_config

    y = _labels(data.path, data.labels)
    label, smallest = min(Counter(y).items(), key=lambda kv: (kv[1], repr(kv[0])))
    if cv > smallest:
        fix = (
            f"use --cv {smallest} or fewer"
            if smallest >= 2
            else "cross-validation needs 2 or more records of each label"
        )
        raise ValueError(
            f"--cv {cv}: label {label!r} has only {smallest} record(s) in "
            f"{data.path}, and every fold needs one of each label; {fix}"
        )
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    scores = cross_validate(
        load_config(config),
        data.texts,
        y,
        cv=folds,
        scoring={"accuracy": "accuracy", "macro_f1": "f1_macro"},
        error_score="raise",
    )
    out: dict[str, Any] = {"n_splits": cv, "random_state": random_state}
    for name in ("accuracy", "macro_f1"):
        values = np.asarray(scores[f"test_{name}"], dtype=float)
        out[name] = values.tolist()
        out[f"{name}_mean"] = float(values.mean())
        out[f"{name}_std"] = float(values.std())
    return out


def _format_cv(cv: dict[str, Any]) -> str:
    lines = [
        f"cross-validation: {cv['n_splits']} stratified folds, shuffled "
        f"(random_state {cv['random_state']})"
    ]
    for i, (acc, f1) in enumerate(zip(cv["accuracy"], cv["macro_f1"], strict=True)):
        lines.append(f"  fold {i + 1}: accuracy {acc:.4f}, macro F1 {f1:.4f}")
    lines.append(
        f"  mean: accuracy {cv['accuracy_mean']:.4f} (std {cv['accuracy_std']:.4f}), "
        f"macro F1 {cv['macro_f1_mean']:.4f} (std {cv['macro_f1_std']:.4f})"
    )
    return "\n".join(lines)


@app.command()
@_errors
def featurize(
    model: Annotated[Path, typer.Argument(help="Model saved by 'textfeat fit'.")],
    corpus: Annotated[Path, typer.Argument(help="Corpus to featurize.")],
    out_dir: Annotated[Path, typer.Argument(help="Output folder (new or empty).")],
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", help="Records per shard.")
    ] = 10_000,
    n_jobs: Annotated[
        int, typer.Option("--n-jobs", "-j", help="Worker processes (-1: all cores).")
    ] = 1,
    engine: Annotated[str, typer.Option(help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: local).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip the shards already finished.")
    ] = False,
    quarantine: Annotated[
        bool,
        typer.Option(
            "--quarantine", help="Send unreadable records to quarantine.jsonl."
        ),
    ] = False,
    dropout: Annotated[
        bool, typer.Option("--dropout", help="Apply training-time word dropout.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar.")
    ] = False,
    fmt: FormatOpt = "auto",
    text_field: TextOpt = None,
    label_field: LabelOpt = "label",
    delimiter: DelimiterOpt = None,
    quotechar: QuotecharOpt = None,
    quoting: QuotingOpt = None,
    doublequote: DoublequoteOpt = None,
    escapechar: EscapeOpt = None,
) -> None:
    """Apply a fitted model to a corpus in chunks; write shards and a manifest.

    Example: textfeat featurize model.tfm big.jsonl.gz out/ -j 2 --chunk-size 5000
    """
    from textfeat.batch import featurize as run

    report = run(
        model,
        corpus,
        out_dir,
        format=fmt,
        text_field=text_field,
        label_field=label_field or None,
        chunk_size=chunk_size,
        n_jobs=n_jobs,
        engine=engine,  # type: ignore[arg-type]
        scheduler=scheduler,
        resume=resume,
        quarantine=quarantine,
        dropout=dropout,
        quiet=quiet,
        **_csv_options(delimiter, quotechar, quoting, doublequote, escapechar),
    )
    typer.echo(str(report))


@app.command()
@_errors
def predict(
    model: Annotated[Path, typer.Argument(help="Model saved by 'textfeat fit'.")],
    corpus: Annotated[Path, typer.Argument(help="Corpus to label.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Output file, written whole or not at all (temporary name, then "
            "renamed); .jsonl or .csv. Default: JSON Lines on stdout.",
        ),
    ] = None,
    proba: Annotated[
        bool,
        typer.Option("--proba", help="Add one column per class: proba_<class>."),
    ] = False,
    out_format: Annotated[
        str,
        typer.Option("--out-format", help="auto (from --out's name), jsonl or csv."),
    ] = "auto",
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", help="Records predicted at a time.")
    ] = 10_000,
    n_jobs: Annotated[
        int, typer.Option("--n-jobs", "-j", help="Worker processes (-1: all cores).")
    ] = 1,
    quarantine: Annotated[
        Path | None,
        typer.Option(
            "--quarantine",
            help="Write records that cannot be read or predicted to this JSON "
            "Lines file and go on (default: stop at the first, naming its file "
            "and line).",
        ),
    ] = None,
    quiet: QuietOpt = False,
    fmt: FormatOpt = "auto",
    text_field: TextOpt = None,
    id_field: Annotated[
        str,
        typer.Option(
            "--id-field",
            help="JSON field or CSV column of the record id (default: id; "
            "records without one are named file:line).",
        ),
    ] = "id",
    delimiter: DelimiterOpt = None,
    quotechar: QuotecharOpt = None,
    quoting: QuotingOpt = None,
    doublequote: DoublequoteOpt = None,
    escapechar: EscapeOpt = None,
) -> None:
    """Label every record of a corpus: id, label (and class probabilities).

    Streams the corpus in chunks (bounded memory, -j workers); one row per
    record, in corpus order, as JSON Lines or CSV.

    Example: textfeat predict model.tfm new.jsonl --out labels.csv --proba -j 2
    """
    from textfeat.batch.predict import predict_corpus

    _check_paths(
        {"corpus": corpus, "model": model}, {"--out": out, "--quarantine": quarantine}
    )
    kwargs: dict[str, Any] = {}
    if text_field is not None:
        kwargs["text_field"] = text_field
    try:
        report = predict_corpus(
            model,
            corpus,
            out,
            proba=proba,
            out_format=out_format,  # type: ignore[arg-type]
            format=fmt,
            id_field=id_field or None,
            chunk_size=chunk_size,
            n_jobs=n_jobs,
            quarantine=quarantine,
            quiet=quiet,
            **kwargs,
            **_csv_options(delimiter, quotechar, quoting, doublequote, escapechar),
        )
    except BrokenPipeError:  # stdout closed early (| head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(1) from None
    summary = str(report)
    if quarantine is not None:
        summary += f"; quarantine in {quarantine}"
    typer.echo(summary, err=out is None)


@app.command()
@_errors
def select(
    model: Annotated[
        Path,
        typer.Argument(help="Model saved by 'textfeat fit', or a featurize OUT_DIR."),
    ],
    corpus: Annotated[
        Path | None, typer.Argument(help="Labelled corpus (not with an OUT_DIR).")
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Features to list.")] = 20,
    score: Annotated[str, typer.Option(help="OUT_DIR: mi, js, kl or chi2.")] = "mi",
    n_jobs: Annotated[
        int, typer.Option("--n-jobs", "-j", help="OUT_DIR: workers.")
    ] = 1,
    engine: Annotated[str, typer.Option(help="OUT_DIR: local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="OUT_DIR: Dask address.")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="OUT_DIR: selection JSON to write.")
    ] = Path("select.json"),
    selector: Annotated[
        Path | None, typer.Option(help="OUT_DIR: save the selector (.tfm) here.")
    ] = None,
    report: Annotated[
        Path, typer.Option("--report", help="Markdown report to write.")
    ] = Path("select.md"),
    plot: Annotated[
        Path | None, typer.Option("--plot", help="PNG plot (needs matplotlib).")
    ] = None,
    fmt: FormatOpt = "auto",
    text_field: TextOpt = None,
    label_field: LabelOpt = "label",
    delimiter: DelimiterOpt = None,
    quotechar: QuotecharOpt = None,
    quoting: QuotingOpt = None,
    doublequote: DoublequoteOpt = None,
    escapechar: EscapeOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Rank features by mutual information with the labels; write a report.

    Example: textfeat select model.tfm corpora/topics.jsonl -k 30 --plot mi.png

    With a featurize OUT_DIR instead of a model and a corpus, the -k best
    columns are selected shard by shard (textfeat._cli_select):
    textfeat select out/ -k 2000 -j 2 --out sel.json --selector sel.tfm
    """
    if model.is_dir() and corpus is None:
        from textfeat._cli_select import select_out_dir

        return select_out_dir(
            model, k=k, score=score, n_jobs=n_jobs, engine=engine,
            scheduler=scheduler, out=out, selector=selector, report=report, plot=plot,
        )  # fmt: skip
    if corpus is None:
        raise ValueError(f"select: give a corpus after the model {model}")
    import numpy as np

    from textfeat.batch._chunks import feature_steps
    from textfeat.io.persist import load
    from textfeat.scoring import mutual_info, top_features

    _check_paths(
        {"corpus": corpus, "model": model}, {"--report": report, "--plot": plot}
    )
    pipe = load(model)
    csv_opts = _csv_options(delimiter, quotechar, quoting, doublequote, escapechar)
    data = _load_corpus(corpus, fmt, text_field, label_field, csv_opts, None, quiet)
    y = _labels(corpus, data.labels)
    steps = feature_steps(pipe)
    saved = _with_progress(pipe, quiet)
    try:
        X: Any = data.texts
        for step in steps:
            X = step.transform(X)
    finally:
        _restore(saved)
    names = np.asarray(steps[-1].get_feature_names_out())
    scores = mutual_info(X, y, base=2)
    order = np.argsort(-scores, kind="stable")[:k]
    per_class = top_features(X, y, n_top=5, feature_names=names, base=2)
    lines = [
        f"# Mutual information ranking: {corpus}",
        "",
        f"{X.shape[0]} documents, {X.shape[1]} features, model {model}.",
        "",
        "| rank | feature | MI (bits) |",
        "|---:|---|---:|",
        *(f"| {r} | `{names[j]}` | {scores[j]:.4f} |" for r, j in enumerate(order, 1)),
        "",
        "## Top features per class (one-vs-rest MI, bits)",
        "",
        *(
            f"- **{label}**: " + ", ".join(f"`{n}` ({s:.3f})" for n, s in feats)
            for label, feats in per_class.items()
        ),
    ]
    if plot is not None:
        from textfeat.plotting import plot_mutual_info

        fig = plot_mutual_info(X, y, k=k, feature_names=names, base=2)
        fig.savefig(plot)
        lines += ["", f"![mutual information]({plot})"]
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    typer.echo(f"top {len(order)} features by MI written to {report}")
    for j in order[:5]:
        typer.echo(f"  {names[j]}\t{scores[j]:.4f}")


@app.command()
@_errors
def evaluate(
    model: Annotated[Path, typer.Argument(help="Model saved by 'textfeat fit'.")],
    corpus: Annotated[Path, typer.Argument(help="Labelled corpus.")],
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print every figure as JSON: accuracy, macro and weighted F1, "
            "per-class precision/recall/F1/support, the confusion matrix.",
        ),
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", help="Draw the confusion matrix to this PNG (needs matplotlib)."
        ),
    ] = None,
    errors: Annotated[
        int,
        typer.Option(
            "--errors", help="Show this many misclassified records (first ones)."
        ),
    ] = 0,
    fmt: FormatOpt = "auto",
    text_field: TextOpt = None,
    label_field: LabelOpt = "label",
    delimiter: DelimiterOpt = None,
    quotechar: QuotecharOpt = None,
    quoting: QuotingOpt = None,
    doublequote: DoublequoteOpt = None,
    escapechar: EscapeOpt = None,
    quarantine: QuarantineFileOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Score a model on a labelled corpus: per-class report and confusion matrix.

    The figures are scikit-learn's classification_report and confusion_matrix
    (zero_division=0). Labels the model has never seen are named in a
    warning (they count as errors); a corpus none of whose labels the model
    knows is refused.

    Example: textfeat evaluate model.tfm test.jsonl --errors 5 --plot cm.png
    """
    from textfeat._evaluate import (
        evaluation_report,
        format_report,
        label_overlap,
        plot_confusion_matrix,
    )
    from textfeat.io.persist import load

    _check_paths(
        {"corpus": corpus, "model": model}, {"--quarantine": quarantine, "--plot": plot}
    )
    if errors < 0:
        raise ValueError(f"--errors must be 0 or more, got {errors}")
    if plot is not None:
        from textfeat._evaluate import figure_class

        figure_class()  # matplotlib missing: say so before the work
    pipe = load(model)
    if not hasattr(pipe, "predict"):
        raise ValueError(f"{model}: the model has no classifier; fit one with a config")
    csv_opts = _csv_options(delimiter, quotechar, quoting, doublequote, escapechar)
    quiet = quiet or as_json  # machine-readable output: no bar either
    data = _load_corpus(
        corpus, fmt, text_field, label_field, csv_opts, quarantine, quiet
    )
    try:
        _labels(corpus, data.labels)
        classes = getattr(pipe, "classes_", None)
        _check_label_type(model, classes, data.labels[0])
        unseen = [] if classes is None else _check_overlap(model, corpus, classes, data)
        saved = _with_progress(pipe, quiet)
        try:
            pred = _predict_guarded(pipe, data)
        finally:
            _restore(saved)
    finally:
        data.close()
    y, n_bad = data.labels, data.n_quarantined
    report = evaluation_report(y, pred)
    report["unseen_labels"] = label_overlap(y, classes) if unseen else []
    if quarantine is not None:
        report["n_quarantined"] = n_bad
    wrong = [i for i, (t, p) in enumerate(zip(y, pred, strict=True)) if t != p]
    shown = [
        {
            "id": data.where[i][0],
            "true": y[i],
            "predicted": pred[i],
            "text": data.texts[i],
        }
        for i in wrong[:errors]
    ]
    if plot is not None:
        cm = report["confusion_matrix"]
        fig = plot_confusion_matrix(
            cm["matrix"], cm["labels"], title=f"{model.name} on {corpus.name}"
        )
        fig.savefig(plot)
    if as_json:
        if errors:
            report["errors"] = shown
        typer.echo(json.dumps(report))
        return
    if quarantine is not None:
        typer.echo(f"{n_bad} quarantined to {quarantine}")
    typer.echo(_printable(format_report(report)))
    if errors:
        typer.echo(f"\nmisclassified: {len(shown)} of {len(wrong)} shown")
        for e in shown:
            text = " ".join(e["text"].split())
            text = text if len(text) <= 100 else text[:99] + "…"
            line = f"{e['id']}\ttrue {e['true']!r}\tpredicted {e['predicted']!r}"
            typer.echo(_printable(f"  {line}\t{text}"))
    if plot is not None:
        typer.echo(f"confusion matrix drawn to {plot}")


def _printable(text: str) -> str:
    """``text`` with what UTF-8 cannot hold (lone surrogates in a label, an
    id or a text, valid in JSON) as ``\\uXXXX`` escapes, so printing it
    cannot fail."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _check_overlap(model: Path, corpus: Path, classes: Any, data: _Corpus) -> list[Any]:
    """Refuse a corpus none of whose labels is a class of the model; warn (on
    stderr) about the labels the model has never seen, and return them."""
    from textfeat._evaluate import label_overlap

    known = classes.tolist() if hasattr(classes, "tolist") else list(classes)
    unseen = label_overlap(data.labels, known)
    present = {*data.labels}
    if len(unseen) == len(present):
        some = ", ".join(repr(v) for v in unseen[:5])
        more = f" and {len(unseen) - 5} more" if len(unseen) > 5 else ""
        classes_text = ", ".join(repr(v) for v in known[:5])
        classes_more = f" and {len(known) - 5} more" if len(known) > 5 else ""
        raise ValueError(
            f"{corpus}: no label of the corpus is a class of the model {model} "
            f"(the corpus has {some}{more}; the model knows {classes_text}"
            f"{classes_more}); check --label-field, or evaluate on data labelled "
            "like the training data"
        )
    if unseen:
        n = sum(v in set(unseen) for v in data.labels)
        names = ", ".join(repr(v) for v in unseen)
        typer.echo(
            f"warning: {corpus}: labels the model has never seen: {names} "
            f"({n} records); they count as errors",
            err=True,
        )
    return unseen


def _predict_guarded(pipe: Any, data: _Corpus) -> list[Any]:
    """Predict; if a record makes the pipeline fail, set it aside and predict again."""
    try:
        return pipe.predict(data.texts).tolist()
    except Exception as exc:
        from textfeat.batch._chunks import feature_steps

        steps = feature_steps(pipe)
        failures = _narrow(
            lambda docs: pipe.predict(docs) if not steps else _apply(steps, docs),
            data.texts,
        )
        if not failures:
            raise exc from None
        data.set_aside(failures)
        return pipe.predict(data.texts).tolist()


def _check_label_type(model: Path, classes: Any, label: Any) -> None:
    """Refuse a corpus whose labels are not of the type the model learned."""
    if classes is None or len(classes) == 0:
        return
    learned = classes.tolist()[0] if hasattr(classes, "tolist") else classes[0]
    if isinstance(learned, str) != isinstance(label, str):
        raise ValueError(
            f"{model}: the model was fitted on {type(learned).__name__} labels, the "
            f"corpus has {type(label).__name__} labels (such as {label!r}); use a "
            "corpus labelled like the training one"
        )


@app.command()
@_errors
def demo(
    corpus: Annotated[
        Path | None,
        typer.Argument(help="Labelled .jsonl (default: the bundled topics corpus)."),
    ] = None,
) -> None:
    """Train a small classifier on the bundled corpus and show what it learned.

    Example: textfeat demo
    """
    from textfeat.demo import run_demo

    typer.echo(str(run_demo(corpus)))


app.command("steps")(_errors(_steps))
app.command("train")(_errors(_train))


def main() -> None:
    """Entry point of the ``textfeat`` console script.

    Examples
    --------
    >>> import sys
    >>> sys.argv = ["textfeat", "--help"]
    >>> try:
    ...     main()
    ... except SystemExit as exit:
    ...     print(exit.code)
    Usage: textfeat [OPTIONS] COMMAND [ARGS]...
    ...
    0
    """
    app(prog_name="textfeat")


if __name__ == "__main__":
    main()
    sys.exit(0)
