"""The ``textfeat`` command: thin wrappers over importable functions.

Every command prints one line on error (what, where, how to fix) and exits
with status 1, without a traceback (set ``TEXTFEAT_DEBUG=1`` to see it).

The module is longer than 600 lines because each command declares its
options inline, as typer reads them from the signature (the five commands
share the reader and CSV options, declared once as ``Annotated`` aliases);
the work itself is in :mod:`textfeat.batch`, :mod:`textfeat.io` and
:mod:`textfeat.demo`.
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

__all__ = ["app", "main"]

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="textfeat",
    help="Text into features (Goldberg, ch. 8): fit, featurize, select, evaluate, demo.",
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

    from textfeat.batch.shards import LabelCheck
    from textfeat.io import read_corpus

    check = LabelCheck()
    corpus = _Corpus(path, quarantine)
    try:
        records = read_corpus(
            path,
            format=fmt,  # type: ignore[arg-type]
            text_field=text_field,
            label_field=label_field or None,
            quarantine=corpus.quar,
            **csv_opts,
        )
        for rec in tqdm(records, desc="read", unit="rec", disable=quiet):
            check(rec.label, f"{path}, line {rec.line} (record {rec.id!r})")
            corpus.texts.append(rec.text)
            corpus.labels.append(rec.label)
            corpus.where.append((rec.id, rec.line, rec.end_line))
    except BaseException:
        corpus.close()
        raise
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
    written inside a folder corpus (it would be read as a document)."""
    seen: dict[Path, str] = {}
    ins = {k: v.resolve() for k, v in inputs.items() if v is not None}
    for name, path in outputs.items():
        if path is None:
            continue
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

    Example: textfeat fit corpora/topics.jsonl --config pipe.toml --out model.tfm
    """
    from textfeat.io.config import load_config
    from textfeat.io.persist import save

    _check_paths(
        {"corpus": corpus, "config": config},
        {"--out": out, "--quarantine": quarantine},
    )
    pipe = load_config(config)
    csv_opts = _csv_options(delimiter, quotechar, quoting, doublequote, escapechar)
    data = _load_corpus(
        corpus, fmt, text_field, label_field, csv_opts, quarantine, quiet
    )
    try:
        saved = _with_progress(pipe, quiet)
        try:
            _fit_guarded(pipe, data, hasattr(pipe.steps[-1][1], "predict"))
        finally:
            _restore(saved)  # the bar is this run's, never the file's
    finally:
        data.close()
    save(pipe, out)
    typer.echo(
        f"fitted {len(data.texts)} records"
        f"{_quarantined(data.n_quarantined, quarantine)}; model saved to {out}"
    )


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
def select(
    model: Annotated[Path, typer.Argument(help="Model saved by 'textfeat fit'.")],
    corpus: Annotated[Path, typer.Argument(help="Labelled corpus.")],
    k: Annotated[int, typer.Option("-k", help="Features to list.")] = 20,
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
    """
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
        bool, typer.Option("--json", help="Print the metrics as JSON.")
    ] = False,
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
    """Accuracy, macro F1 and a per-class report of a model on a labelled corpus.

    Example: textfeat evaluate model.tfm test.jsonl
    """
    from sklearn.metrics import accuracy_score, classification_report, f1_score

    from textfeat.io.persist import load

    _check_paths({"corpus": corpus, "model": model}, {"--quarantine": quarantine})
    pipe = load(model)
    if not hasattr(pipe, "predict"):
        raise ValueError(f"{model}: the model has no classifier; fit one with a config")
    csv_opts = _csv_options(delimiter, quotechar, quoting, doublequote, escapechar)
    quiet = quiet or as_json  # machine-readable output: no bar either
    data = _load_corpus(
        corpus, fmt, text_field, label_field, csv_opts, quarantine, quiet
    )
    saved = _with_progress(pipe, quiet)
    try:
        _labels(corpus, data.labels)
        _check_label_type(model, getattr(pipe, "classes_", None), data.labels[0])
        try:
            pred = pipe.predict(data.texts).tolist()
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
            pred = pipe.predict(data.texts).tolist()
    finally:
        _restore(saved)
        data.close()
    y, n_bad = data.labels, data.n_quarantined
    metrics: dict[str, Any] = {
        "n": len(y),
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, average="macro", zero_division=0)),
    }
    if quarantine is not None:
        metrics["n_quarantined"] = n_bad
    if as_json:
        typer.echo(json.dumps(metrics))
        return
    typer.echo(
        f"{metrics['n']} records{_quarantined(n_bad, quarantine)}: accuracy "
        f"{metrics['accuracy']:.4f}, macro F1 {metrics['macro_f1']:.4f}"
    )
    typer.echo(classification_report(y, pred, zero_division=0))


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
