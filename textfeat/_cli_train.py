"""``textfeat train``: train the softmax head on a featurize run's shards.

A thin wrapper over :func:`textfeat.batch.train.train_shards`;
:mod:`textfeat.cli` registers it (with its error handling: a
:class:`~textfeat.batch.BatchError` or ``ValueError`` is one line on stderr
and exit status 1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["train"]


class _Indices:
    """Column indices with the width they were chosen from (a selector's API)."""

    def __init__(self, cols: list[int], n_features: int) -> None:
        self.cols = cols
        self.n_features_in_ = n_features

    def get_support(self, indices: bool = False) -> Any:
        import numpy as np

        return np.asarray(self.cols, dtype=np.int64)


def _selection(path: Path) -> Any:
    """Columns from ``--select``: JSON indices (a list, or the ``indices`` of
    ``textfeat select``'s selection JSON) or a saved fitted selector."""
    if path.suffix == ".json":
        try:
            cols = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ValueError(
                f"{path}: not a JSON list of column indices ({exc})"
            ) from None
        width = None
        if isinstance(cols, dict):  # the selection JSON of `textfeat select`
            width, cols = cols.get("n_features"), cols.get("indices")
        if not isinstance(cols, list) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in cols
        ):
            raise ValueError(
                f"{path}: --select wants a JSON list of column indices, or the "
                "selection JSON of 'textfeat select' (its \"indices\")"
            )
        if isinstance(width, int) and not isinstance(width, bool):
            return _Indices(cols, width)  # train_shards checks the width
        return cols
    from textfeat.io.persist import load

    selector = load(path)
    if not hasattr(selector, "get_support"):
        raise ValueError(
            f"{path}: --select wants a fitted selector (with get_support) or a "
            f".json list of column indices, got a {type(selector).__name__}"
        )
    return selector


def train(
    out_dir: Annotated[
        Path, typer.Argument(help="Output folder of 'textfeat featurize'.")
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Model file to write (.tfm).")
    ],
    C: Annotated[float, typer.Option("-C", "--C", help="Inverse L2 strength.")] = 1.0,
    n_jobs: Annotated[
        int, typer.Option("--n-jobs", "-j", help="Workers (-1: all cores).")
    ] = 1,
    engine: Annotated[str, typer.Option(help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: local).")
    ] = None,
    max_iter: Annotated[
        int, typer.Option("--max-iter", help="L-BFGS iterations.")
    ] = 100,
    tol: Annotated[float, typer.Option(help="L-BFGS gradient tolerance.")] = 1e-4,
    epochs: Annotated[
        int | None,
        typer.Option(
            "--epochs",
            help="Train by this many partial_fit passes over the shards instead "
            "of L-BFGS.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Shuffling seed of --epochs.")] = 0,
    select: Annotated[
        Path | None,
        typer.Option(
            "--select",
            help="Train on these columns: a .json list of indices, the selection "
            ".json of 'textfeat select', or a saved fitted selector (.tfm).",
        ),
    ] = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help="Log each evaluation here, so a killed run resumes with the "
            "same result (default: a killed run restarts from scratch).",
        ),
    ] = None,
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help="Keep each worker's shards in memory between L-BFGS iterations "
            "(memory grows with the corpus); --no-cache reads them again at every "
            "iteration (memory of one shard).",
        ),
    ] = True,
) -> None:
    """Train the softmax head on featurized shards; write the model file.

    Example: textfeat train out/ --out head.tfm -C 10 -j 2
    """
    from textfeat.batch.train import train_shards
    from textfeat.io.persist import save

    clf = train_shards(
        out_dir,
        C=C,
        tol=tol,
        max_iter=max_iter,
        select=None if select is None else _selection(select),
        method="lbfgs" if epochs is None else "epochs",
        n_epochs=epochs if epochs is not None else 1,
        random_state=seed,
        n_jobs=n_jobs,
        engine=engine,  # type: ignore[arg-type]
        scheduler=scheduler,
        checkpoint=checkpoint,
        cache=cache,
    )
    save(clf, out)
    typer.echo(
        f"trained: {len(clf.classes_)} classes, {clf.n_features_in_} features, "
        f"{clf.n_iter_} steps; wrote {out}"
    )
