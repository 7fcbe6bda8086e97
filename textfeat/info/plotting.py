"""Pictures of feature scores; matplotlib is an optional extra.

Install it with ``pip install 'textfeat[plot]'``. Nothing here imports
matplotlib until a plot is asked for, and the figures are built without
``pyplot``: no global state and no window, whatever the backend. Save a figure
with ``fig.savefig(...)``; notebooks display the returned figure as usual.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from textfeat.info.scoring import Categories, mutual_info, top_features

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["plot_mutual_info", "plot_mutual_info_scores"]

_INSTALL_HINT = (
    "plot_mutual_info needs matplotlib, which is an optional dependency of "
    "textfeat: pip install 'textfeat[plot]'"
)


def figure_class() -> type[Figure]:
    """matplotlib's ``Figure``, or an ImportError saying how to install it.

    Call it before a long computation whose end is a plot, so that a missing
    matplotlib is reported first (``textfeat select --plot`` does).

    Examples
    --------
    >>> figure_class().__name__
    'Figure'
    """
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
    figure_class()  # matplotlib missing: say so before the work
    _check_layout(k, n_top, n_cols)
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
    return plot_mutual_info_scores(
        scores,
        per_class,
        k=k,
        n_top=n_top,
        score=score,
        base=base,
        n_cols=n_cols,
        title=title,
    )


def _positive(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool) and value >= 1


def _check_layout(k: Any, n_top: Any, n_cols: Any) -> None:
    if k is not None and not _positive(k):
        raise ValueError(f"k must be a positive integer or None; got {k!r}.")
    if n_top is not None and not _positive(n_top):
        raise ValueError(f"n_top must be a positive integer; got {n_top!r}.")
    if n_cols is not None and not _positive(n_cols):
        raise ValueError(f"n_cols must be a positive integer or None; got {n_cols!r}.")


def _check_scores(scores: Any) -> np.ndarray:
    try:
        ranked = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            "scores must be an array of numbers, one per feature; got "
            f"{type(scores).__name__}."
        ) from None
    if ranked.ndim != 1 or ranked.shape[0] < 1:
        raise ValueError(
            "scores must be a 1-d array with one score per feature; got shape "
            f"{ranked.shape}."
        )
    if not np.isfinite(ranked).all():
        raise ValueError("scores must be finite; got NaN or infinity.")
    return ranked


def _check_per_class(per_class: Any) -> list[tuple[Any, list[tuple[str, float]]]]:
    if not isinstance(per_class, Mapping) or not per_class:
        raise TypeError(
            "per_class must be a non-empty mapping of class to (feature name, "
            f"score) pairs, as top_features returns; got {type(per_class).__name__}."
        )
    out = []
    for cls, items in per_class.items():
        if not isinstance(items, (list, tuple)):
            raise TypeError(
                f"per_class[{cls!r}] must be a list of (feature name, score) "
                f"pairs; got {type(items).__name__}."
            )
        pairs = []
        for item in items:
            ok = isinstance(item, (tuple, list)) and len(item) == 2
            ok = ok and isinstance(item[0], str) and isinstance(item[1], Real)
            ok = ok and not isinstance(item[1], bool) and math.isfinite(item[1])
            if not ok:
                raise ValueError(
                    f"per_class[{cls!r}] must hold (feature name, finite score) "
                    f"pairs; got {item!r}."
                )
            pairs.append((item[0], float(item[1])))
        out.append((cls, pairs))
    return out


def plot_mutual_info_scores(
    scores: Any,
    per_class: Mapping[Any, Sequence[tuple[str, float]]],
    *,
    k: int | None = None,
    n_top: int | None = None,
    score: Literal["mi", "pmi"] = "mi",
    base: float = math.e,
    n_cols: int | None = None,
    title: str | None = None,
) -> Figure:
    """The figure of :func:`plot_mutual_info`, drawn from scores computed before.

    For scores that were not computed from an in-memory matrix: summed over
    the shards of a featurize run (:func:`textfeat.batch.select.shard_tables`,
    what ``textfeat select OUT_DIR --plot`` draws), or kept from an earlier
    run. Given the ``mutual_info`` and ``top_features`` of ``X`` and ``y``,
    it draws exactly what ``plot_mutual_info(X, y, ...)`` draws.

    Parameters
    ----------
    scores : array-like of shape (n_features,)
        Mutual information of every feature with the label, in base ``base``
        (what :func:`textfeat.scoring.mutual_info` returns).
    per_class : mapping
        Class label to a list of ``(feature name, score)`` pairs, best first
        (what :func:`textfeat.scoring.top_features` returns); one panel per
        class, in the mapping's order.
    k : int, default=None
        Number of features kept; marked on the rank axis. ``None``: no mark.
    n_top : int, default=None
        Height of each class panel in bars; ``None``: the longest list.
    score : {"mi", "pmi"}, default="mi"
        What the per-class values are (the axis label).
    base : float, default=math.e
        Base of the logarithm of the scores (the axis says nats or bits for e
        and 2).
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
    >>> from textfeat.info.plotting import plot_mutual_info_scores
    >>> per_class = {"ham": [("at", 1.0)], "spam": [("cheap", 1.0)]}
    >>> fig = plot_mutual_info_scores([1.0, 0.0, 0.31], per_class, k=1, base=2)
    >>> fig.axes[0].lines[0].get_ydata().tolist()  # the ranked curve
    [1.0, 0.31, 0.0]
    >>> [ax.get_title() for ax in fig.axes[1:]]
    ['ham', 'spam']
    """
    Figure = figure_class()
    from matplotlib.ticker import MaxNLocator

    _check_layout(k, n_top, n_cols)
    if score not in ("mi", "pmi"):
        raise ValueError(f"score must be 'mi' or 'pmi'; got {score!r}.")
    if (
        isinstance(base, bool)
        or not isinstance(base, Real)
        or not math.isfinite(base)
        or not base > 1
    ):
        raise ValueError(f"base must be a number greater than 1; got {base!r}.")
    ranked = np.sort(_check_scores(scores))[::-1]
    classes = _check_per_class(per_class)
    if n_top is None:
        n_top = max(1, *(len(items) for _, items in classes))
    unit = {math.e: "nats", 2: "bits"}.get(base, f"log base {base:g}")
    n_features = ranked.shape[0]
    n_classes = len(classes)
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
    for i, (cls, items) in enumerate(classes):
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
