"""``textfeat select OUT_DIR``: the shard mode of the select command.

When the first argument of ``textfeat select`` is a folder, it is read as the
OUT_DIR of ``textfeat featurize`` and the scores are summed shard by shard
(:func:`textfeat.batch.select.select_shards`); a model file keeps the
in-memory mode (model + corpus). :mod:`textfeat.cli` dispatches here.
``--plot`` draws, from the merged shard counts (:func:`mi_figure`), the
figure ``plot_mutual_info`` draws on the in-memory matrix of the same run.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from textfeat._files import check_output_file

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["mi_figure", "select_out_dir"]

#: What the in-memory ``textfeat select --plot`` draws: bits, 5 words a class.
_N_TOP = 5


def _check_outputs(out_dir: Path, outputs: dict[str, Path | None]) -> None:
    """Refuse an output that is a folder, has no folder, lies inside the run
    folder or is given twice."""
    root = out_dir.resolve()
    seen: dict[Path, str] = {}
    for name, path in outputs.items():
        if path is None:
            continue
        check_output_file(name, path)
        dst = path.resolve()
        if dst == root or root in dst.parents:
            raise ValueError(
                f"{name} {path} is inside the featurize folder {out_dir}; choose "
                "another path (the folder belongs to the run)"
            )
        if dst in seen:
            raise ValueError(
                f"{name} {path} is also the {seen[dst]}; choose another path"
            )
        seen[dst] = name


def select_out_dir(
    out_dir: Path,
    *,
    k: int,
    score: str,
    n_jobs: int,
    engine: str,
    scheduler: str | None,
    out: Path,
    selector: Path | None,
    report: Path,
    plot: Path | None,
) -> None:
    """Select the ``k`` best columns of a featurize run; write JSON, report, selector."""
    import numpy as np

    from textfeat._files import atomic_writer, write_atomic
    from textfeat.batch.select import check_run, select_shards
    from textfeat.info.plotting import figure_class
    from textfeat.io.persist import save

    check_run(out_dir)  # not a finished featurize run: say so first

    if plot is not None:
        figure_class()  # matplotlib missing: say so before the work
    if score not in ("mi", "js", "kl", "chi2"):
        raise ValueError(f"--score must be mi, js, kl or chi2, got {score!r}")
    _check_outputs(
        out_dir,
        {"--out": out, "--report": report, "--selector": selector, "--plot": plot},
    )
    plot_format = None if plot is None else _plot_format(plot)
    sel = select_shards(
        out_dir,
        k,
        score=score,  # type: ignore[arg-type]
        base=2,  # chi2 ignores it
        n_jobs=n_jobs,
        engine=engine,  # type: ignore[arg-type]
        scheduler=scheduler,
        out=out,
    )
    import json

    doc = json.loads(out.read_text(encoding="utf-8"))
    names = dict(zip(doc["indices"], doc["names"], strict=True))
    ranking = doc["ranking"]
    scores = np.asarray(sel.scores_)
    unit = "" if score == "chi2" else " (bits)"
    lines = [
        f"# {score.upper()} ranking: {out_dir}",
        "",
        f"{doc['n_records']} labelled records ({doc['n_unlabelled_skipped']} "
        f"unlabelled skipped), {doc['n_features']} features, "
        f"{len(doc['classes'])} classes; the {k} best kept (counts summed over "
        "the shards).",
        "",
        f"| rank | column | feature | {score.upper()}{unit} |",
        "|---:|---:|---|---:|",
        *(
            f"| {r} | {j} | `{names[j]}` | {scores[j]:.4f} |"
            for r, j in enumerate(ranking, 1)
        ),
    ]
    if plot is not None and plot_format is not None:
        fig = mi_figure(
            out_dir, k=k, n_jobs=n_jobs, engine=engine, scheduler=scheduler
        )
        try:
            with atomic_writer(plot, "wb") as fh:  # the old file, or the whole new one
                fig.savefig(fh, format=plot_format)
        except OSError as exc:
            raise OSError(f"--plot {plot}: cannot write it ({exc})") from exc
        lines += ["", f"![mutual information]({plot})"]
    write_atomic(report, ("\n".join(lines) + "\n").encode("utf-8"))
    if selector is not None:
        save(sel, selector)
    wrote = ", ".join(str(p) for p in (out, report, selector, plot) if p is not None)
    skipped = doc["n_unlabelled_skipped"]
    note = f" ({skipped} unlabelled records skipped)" if skipped else ""
    typer.echo(
        f"selected {k} of {doc['n_features']} features by {score} over "
        f"{doc['n_records']} labelled records{note}; wrote {wrote}"
    )
    for j in ranking[:5]:
        typer.echo(f"  {names[j]}\t{scores[j]:.4f}")


def _plot_format(plot: Path) -> str:
    """The image format of ``--plot`` (its suffix; none: png), checked early."""
    from matplotlib.backend_bases import FigureCanvasBase

    fmt = plot.suffix[1:].lower() or "png"
    known = FigureCanvasBase.get_supported_filetypes()
    if fmt not in known:
        raise ValueError(
            f"--plot {plot}: matplotlib cannot write .{fmt} files; use one of "
            + ", ".join(f".{k}" for k in sorted(known))
        )
    return fmt


def mi_figure(
    out_dir: str | Path,
    *,
    k: int | None = None,
    n_jobs: int = 1,
    engine: str = "local",
    scheduler: Any = None,
) -> Figure:
    """The MI plot of a featurize run, from its shards' merged counts.

    The same figure (curve, cut-off, per-class bars, labels, titles) as
    ``plot_mutual_info(X, y, k=k, feature_names=names, base=2)`` on the
    labelled rows of the run's matrix, which ``textfeat select MODEL CORPUS
    --plot`` draws; the counts are summed shard by shard
    (:func:`textfeat.batch.select.shard_tables`), so the matrix is never
    loaded.

    Parameters
    ----------
    out_dir : str or Path
        Output folder of :func:`textfeat.batch.featurize`, with labels.
    k : int, default=None
        The cut-off marked on the rank axis.
    n_jobs, engine, scheduler
        As in :func:`textfeat.batch.select.shard_tables`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> mi_figure("/nonexistent")
    Traceback (most recent call last):
    ...
    textfeat.batch.BatchError: /nonexistent: no such folder; give the OUT_DIR of featurize
    """
    import numpy as np

    from textfeat.batch.select import run_feature_names, shard_tables
    from textfeat.info._tables import finish, mi_sum
    from textfeat.info.per_class import table_top_features
    from textfeat.info.plotting import figure_class, plot_mutual_info_scores

    figure_class()
    t, classes, manifest = shard_tables(
        out_dir, n_jobs=n_jobs, engine=engine, scheduler=scheduler
    )
    log_base = math.log(2)
    names = run_feature_names(Path(out_dir), manifest, t.n_features)
    per_class = table_top_features(
        t, classes, np.asarray(names, dtype=object), _N_TOP, "mi", True, 1, log_base
    )
    return plot_mutual_info_scores(
        finish(mi_sum(t), t.total, log_base), per_class, k=k, n_top=_N_TOP, base=2
    )
