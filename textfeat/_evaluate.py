"""The figures of a classifier on labelled data, behind ``textfeat evaluate``.

:func:`evaluation_report` computes them once (scikit-learn's
``classification_report`` and ``confusion_matrix`` on the same predictions,
with their defaults: labels in ``unique_labels(y_true, y_pred)`` order,
``zero_division=0``); :func:`format_report` turns them into text tables,
:func:`plot_confusion_matrix` into a picture (matplotlib, the ``plot``
extra), and :func:`label_overlap` says which labels of the data the model
has never seen.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "evaluation_report",
    "format_report",
    "label_overlap",
    "plot_confusion_matrix",
]

_FIELDS = ("precision", "recall", "f1-score")

_INSTALL_HINT = (
    "drawing the confusion matrix needs matplotlib, an optional dependency of "
    "textfeat: pip install 'textfeat[plot]'"
)


def _value(v: Any) -> Any:
    """A label as a plain Python value (JSON-ready)."""
    return v.item() if isinstance(v, np.generic) else v


def _scores(d: dict[str, Any]) -> dict[str, Any]:
    return {**{k: float(d[k]) for k in _FIELDS}, "support": int(d["support"])}


def evaluation_report(y_true: Sequence[Any], y_pred: Sequence[Any]) -> dict[str, Any]:
    """Every figure of predictions against true labels, in one dict.

    Parameters
    ----------
    y_true, y_pred : sequences of labels
        True and predicted labels, of one type.

    Returns
    -------
    dict
        ``n``; ``accuracy``; ``macro_f1`` and ``weighted_f1``; ``per_class``
        (``{str(label): {"precision", "recall", "f1-score", "support"}}``);
        ``macro_avg`` and ``weighted_avg`` (the same four fields); and
        ``confusion_matrix``: ``{"labels": [...], "matrix": [[...]]}``, rows
        the true labels and columns the predicted ones, both in ``labels``
        order. The values are those of scikit-learn's
        ``classification_report(y_true, y_pred, output_dict=True,
        zero_division=0)`` and ``confusion_matrix(y_true, y_pred)``.

    Examples
    --------
    >>> r = evaluation_report(["a", "a", "b", "c"], ["a", "b", "b", "b"])
    >>> r["accuracy"], r["confusion_matrix"]
    (0.5, {'labels': ['a', 'b', 'c'], 'matrix': [[1, 1, 0], [0, 1, 0], [0, 1, 0]]})
    >>> r["per_class"]["b"]
    {'precision': 0.3333333333333333, 'recall': 1.0, 'f1-score': 0.5, 'support': 1}
    >>> evaluation_report(["a", "a"], ["a", "a"])["confusion_matrix"]["matrix"]
    [[2]]
    """
    from sklearn.metrics import (
        accuracy_score,
        classification_report,
        confusion_matrix,
    )
    from sklearn.utils.multiclass import unique_labels

    labels = unique_labels(y_true, y_pred)
    report = classification_report(y_true, y_pred, output_dict=True, zero_division=0)
    with warnings.catch_warnings():
        # One label in all: the 1 x 1 matrix is right (the labels are given);
        # scikit-learn warns about its shape all the same.
        warnings.filterwarnings("ignore", "A single label was found", UserWarning)
        matrix = confusion_matrix(y_true, y_pred, labels=labels)
    return {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(report["macro avg"]["f1-score"]),
        "weighted_f1": float(report["weighted avg"]["f1-score"]),
        "per_class": {str(c): _scores(report[str(c)]) for c in labels},
        "macro_avg": _scores(report["macro avg"]),
        "weighted_avg": _scores(report["weighted avg"]),
        "confusion_matrix": {
            "labels": [_value(c) for c in labels],
            "matrix": matrix.tolist(),
        },
    }


def label_overlap(labels: Sequence[Any], classes: Sequence[Any]) -> list[Any]:
    """The distinct labels of ``labels`` that are not in ``classes``, sorted.

    Examples
    --------
    >>> label_overlap(["a", "z", "b", "z"], ["a", "b"])
    ['z']
    """
    known = {_value(c) for c in classes}
    return sorted({_value(v) for v in labels} - known, key=repr)


def _table(header: list[str], rows: list[list[str]], right: bool = True) -> list[str]:
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
    out = []
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0])]
        cells += [
            (c.rjust(w) if right else c.ljust(w))
            for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    return out


def format_report(report: dict[str, Any]) -> str:
    """The report of :func:`evaluation_report` as text: scores, then the matrix.

    Long or many labels get numbers as column heads, the row names saying
    which number is which.

    Examples
    --------
    >>> print(format_report(evaluation_report(["a", "a", "b"], ["a", "b", "b"])))
    3 records: accuracy 0.6667, macro F1 0.6667, weighted F1 0.6667
    <BLANKLINE>
    label         precision  recall  f1-score  support
    a                1.0000  0.5000    0.6667        2
    b                0.5000  1.0000    0.6667        1
    macro avg        0.7500  0.7500    0.6667        3
    weighted avg     0.8333  0.6667    0.6667        3
    <BLANKLINE>
    confusion matrix (rows: true label, columns: predicted)
    true \\ pred  a  b
    a            1  1
    b            0  1
    """
    lines = [
        f"{report['n']} records: accuracy {report['accuracy']:.4f}, macro F1 "
        f"{report['macro_f1']:.4f}, weighted F1 {report['weighted_f1']:.4f}",
        "",
    ]
    rows = [
        [name, *(f"{s[k]:.4f}" for k in _FIELDS), str(s["support"])]
        for name, s in [
            *report["per_class"].items(),
            ("macro avg", report["macro_avg"]),
            ("weighted avg", report["weighted_avg"]),
        ]
    ]
    lines += _table(["label", *_FIELDS, "support"], rows)
    cm = report["confusion_matrix"]
    names = [str(c) for c in cm["labels"]]
    numbered = len(names) > 10 or max(map(len, names), default=0) > 12
    heads = [str(i) for i in range(len(names))] if numbered else names
    row_names = [f"{i} {n}" for i, n in enumerate(names)] if numbered else names
    lines += ["", "confusion matrix (rows: true label, columns: predicted)"]
    lines += _table(
        ["true \\ pred", *heads],
        [[r, *map(str, m)] for r, m in zip(row_names, cm["matrix"], strict=True)],
    )
    return "\n".join(lines)


def figure_class() -> type[Figure]:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return Figure


def plot_confusion_matrix(
    matrix: Sequence[Sequence[int]], labels: Sequence[Any], *, title: str | None = None
) -> Figure:
    """Draw a confusion matrix: counts in cells, rows true, columns predicted.

    Built without ``pyplot`` (no global state, no window); save it with
    ``fig.savefig(path)``.

    Parameters
    ----------
    matrix : k x k counts
        Rows the true labels, columns the predicted ones.
    labels : sequence of k labels
        The order of the rows and columns.
    title : str or None, default=None

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImportError
        When matplotlib is not installed, saying how to install it.

    Examples
    --------
    >>> fig = plot_confusion_matrix([[3, 1], [0, 2]], ["a", "b"])
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['a', 'b']
    """
    figure = figure_class()
    m = np.asarray(matrix, dtype=np.int64)
    k = len(labels)
    size = max(4.0, 0.45 * k + 2.5)
    fig = figure(figsize=(size + 1.0, size), layout="constrained")
    ax = fig.add_subplot()
    im = ax.imshow(m, cmap="Blues", vmin=0)
    fig.colorbar(im, ax=ax, shrink=0.8, label="records")
    names = [str(c) for c in labels]
    ax.set_xticks(range(k), names, rotation=45 if k > 3 else 0, ha="right")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    if title:
        ax.set_title(title)
    top = m.max() if m.size else 0
    if k <= 30:
        for i in range(k):
            for j in range(k):
                dark = top > 0 and m[i, j] > top / 2
                ax.text(
                    j, i, str(m[i, j]), ha="center", va="center",
                    color="white" if dark else "black", fontsize=8,
                )  # fmt: skip
    return fig
