"""Pictures of feature scores; matplotlib is an optional extra.

Install it with ``pip install 'textfeat[plot]'``. Nothing here imports
matplotlib until a plot is asked for, and the figures are built without
``pyplot``: no global state and no window, whatever the backend. Save a figure
with ``fig.savefig(...)``; notebooks display the returned figure as usual.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from textfeat.info.scoring import Categories, mutual_info, top_features

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["plot_mutual_info"]

_INSTALL_HINT = (
    "plot_mutual_info needs matplotlib, which is an optional dependency of "
    "textfeat: pip install 'textfeat[plot]'"
)


def _figure_class() -> type[Figure]:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return Figure


def plot_mutual_info(
    X: Any,
    y: Any,
    *,
    k: int | None = None,
    feature_names: Sequence[str] | Any | None = None,
    n_top: int = 5,
    score: Literal["mi", "pmi"] = "mi",
    categories: Categories = "presence",
    base: float = math.e,
    sample_weight: Any = None,
    n_cols: int | None = None,
    title: str | None = None,
) -> Figure:
    """Plot mutual information against rank, and the top features per class.

    The upper panel shows ``mutual_info(X, y)`` of every feature, sorted, on
    a logarithmic rank axis, with the cut-off ``k`` (what
    ``SelectKBest(mutual_info, k=k)`` keeps) marked. Below, one small bar
    chart per class lists its ``n_top`` features by one-vs-rest score
    (:func:`textfeat.scoring.top_features`).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Feature matrix, as for :func:`textfeat.scoring.mutual_info`.
    y : array-like of shape (n_samples,)
        Class labels, at least two distinct classes.
    k : int, default=None
        Number of features kept; marked on the rank axis. ``None``: no mark.
    feature_names : array-like of str, fitted vectorizer or None, default=None
        Column names, or a fitted object with ``get_feature_names_out``.
    n_top : int, default=5
        Features shown per class.
    score : {"mi", "pmi"}, default="mi"
        Per-class score; see :func:`textfeat.scoring.class_scores`.
    categories : {"presence", "counts", "quantile"}, default="presence"
        How columns become categories for the ranked curve.
    base : float, default=math.e
        Base of the logarithm (the axis says nats or bits for e and 2).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample.
    n_cols : int, default=None
        Columns of the per-class grid; ``None`` picks up to 5.
    title : str, default=None
        Title of the figure.

    Returns
    -------
    matplotlib.figure.Figure
        A figure not attached to ``pyplot``; save it with ``fig.savefig``.

    Raises
    ------
    ImportError
        If matplotlib is not installed, with the command that installs it.

    Examples
    --------
    >>> import numpy as np
    >>> from textfeat.info.plotting import plot_mutual_info
    >>> X = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 1], [0, 1, 1]])
    >>> y = ["spam", "spam", "ham", "ham"]
    >>> fig = plot_mutual_info(X, y, k=1, feature_names=["cheap", "at", "now"])
    >>> len(fig.axes)  # the ranked curve and one panel per class
    3
    """
    Figure = _figure_class()
    from matplotlib.ticker import MaxNLocator

    if k is not None and (not isinstance(k, Integral) or isinstance(k, bool) or k < 1):
        raise ValueError(f"k must be a positive integer or None; got {k!r}.")
    if not isinstance(n_top, Integral) or n_top < 1:
        raise ValueError(f"n_top must be a positive integer; got {n_top!r}.")
    if n_cols is not None and (not isinstance(n_cols, Integral) or n_cols < 1):
        raise ValueError(f"n_cols must be a positive integer or None; got {n_cols!r}.")

    scores = mutual_info(
        X, y, base=base, categories=categories, sample_weight=sample_weight
    )
    per_class = top_features(
        X,
        y,
        n_top=n_top,
        feature_names=feature_names,
        score=score,
        base=base,
        sample_weight=sample_weight,
    )
    unit = {math.e: "nats", 2: "bits"}.get(base, f"log base {base:g}")
    ranked = np.sort(scores)[::-1]
    n_features = ranked.shape[0]
    n_classes = len(per_class)
    if n_cols is None:
        n_cols = min(5, n_classes)
    n_rows = -(-n_classes // n_cols)

    fig = Figure(
        figsize=(3.3 * n_cols, 3.2 + 0.42 * (n_top + 2) * n_rows),
        layout="constrained",
    )
    grid = fig.add_gridspec(
        1 + n_rows, n_cols, height_ratios=[2.2] + [0.3 * (n_top + 2)] * n_rows
    )
    ax = fig.add_subplot(grid[0, :])
    rank = np.arange(1, n_features + 1)
    ax.plot(rank, ranked, color="#1f4e79", lw=1.6)
    ax.set_xscale("log")
    ax.set_xlim(1, max(n_features, 2))
    ax.set_xlabel("rank of feature")
    ax.set_ylabel(f"mutual information ({unit})")
    ax.grid(True, which="major", alpha=0.3)
    if k is not None:
        k_eff = min(int(k), n_features)
        ax.axvspan(1, k_eff, color="#1f4e79", alpha=0.08)
        ax.axvline(k_eff, color="#c0392b", ls="--", lw=1.4)
        kept = ranked[:k_eff].sum() / ranked.sum() if ranked.sum() > 0 else 0.0
        ax.annotate(
            f"k = {k_eff:,}: keeps {k_eff / n_features:.1%} of the features,\n"
            f"{kept:.0%} of the total mutual information",
            xy=(k_eff, ranked[k_eff - 1]),
            xytext=(8, 40),
            textcoords="offset points",
            color="#c0392b",
            fontsize=9,
            arrowprops={"arrowstyle": "-", "color": "#c0392b", "lw": 0.8},
        )
    ax.set_title(
        f"{n_features:,} features ranked by mutual information with the label",
        fontsize=11,
    )

    label = "one-vs-rest MI" if score == "mi" else "PMI"
    for i, (cls, items) in enumerate(per_class.items()):
        cax = fig.add_subplot(grid[1 + i // n_cols, i % n_cols])
        names = [name for name, _ in items]
        values = [value for _, value in items]
        pos = np.arange(len(items))
        cax.barh(pos, values, color="#5b8db8", height=0.7)
        cax.set_yticks(pos, names, fontsize=8)
        cax.invert_yaxis()
        cax.set_title(str(cls), fontsize=9, fontweight="bold")
        cax.tick_params(axis="x", labelsize=7)
        cax.xaxis.set_major_locator(MaxNLocator(nbins=3))
        if not items:
            cax.text(0.5, 0.5, "no feature", ha="center", transform=cax.transAxes)
        if i // n_cols == n_rows - 1:
            cax.set_xlabel(f"{label} ({unit})", fontsize=8)
    if title is not None:
        fig.suptitle(title)
    return fig
