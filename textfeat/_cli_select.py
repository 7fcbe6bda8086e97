"""``textfeat select OUT_DIR``: the shard mode of the select command.

When the first argument of ``textfeat select`` is a folder, it is read as the
OUT_DIR of ``textfeat featurize`` and the scores are summed shard by shard
(:func:`textfeat.batch.select.select_shards`); a model file keeps the
in-memory mode (model + corpus). :mod:`textfeat.cli` dispatches here.
"""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["select_out_dir"]


def _check_outputs(out_dir: Path, outputs: dict[str, Path | None]) -> None:
    """Refuse an output inside the run folder or given twice."""
    root = out_dir.resolve()
    seen: dict[Path, str] = {}
    for name, path in outputs.items():
        if path is None:
            continue
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

    from textfeat.batch.select import check_run, select_shards
    from textfeat.io.persist import save

    check_run(out_dir)  # not a finished featurize run: say so first

    if plot is not None:
        raise ValueError(
            "--plot is not available for a featurize OUT_DIR: plot_mutual_info "
            "needs the feature matrix; plot from a model and a corpus instead"
        )
    if score not in ("mi", "js", "kl", "chi2"):
        raise ValueError(f"--score must be mi, js, kl or chi2, got {score!r}")
    _check_outputs(out_dir, {"--out": out, "--report": report, "--selector": selector})
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
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if selector is not None:
        save(sel, selector)
    wrote = f"{out}, {report}" + (f", {selector}" if selector is not None else "")
    skipped = doc["n_unlabelled_skipped"]
    note = f" ({skipped} unlabelled records skipped)" if skipped else ""
    typer.echo(
        f"selected {k} of {doc['n_features']} features by {score} over "
        f"{doc['n_records']} labelled records{note}; wrote {wrote}"
    )
    for j in ranking[:5]:
        typer.echo(f"  {names[j]}\t{scores[j]:.4f}")
