"""The demo: train a small text classifier on the bundled corpus and explain it.

The bundled corpus ships inside the package as ``textfeat/data/topics.jsonl``
(package data, read with :mod:`importlib.resources`), so ``textfeat demo``
runs from any folder after ``pip install``. It is a byte-for-byte copy of
``corpora/topics.jsonl``, which ``corpora/make_topics.py`` writes and the
README's examples read; a test keeps the two identical (after rerunning the
script, copy the file over).
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DemoResult", "run_demo"]

#: Where the bundled corpus lives inside the installed package.
DEFAULT_CORPUS = resources.files("textfeat") / "data" / "topics.jsonl"


@dataclass
class DemoResult:
    """What :func:`run_demo` found.

    Attributes
    ----------
    accuracy : float
        Accuracy on the held-out split.
    n_train, n_test : int
        Sizes of the split.
    top_features : dict
        Class -> its highest-weighted feature names, best first.
    example : dict
        One test document with its ``text``, ``label``, ``predicted`` label and
        ``probability``.
    seconds : float
        Wall time.
    pipeline : Pipeline
        The fitted pipeline.

    Examples
    --------
    >>> result = DemoResult(0.9, 3, 1, {"a": ["tok=x"]}, {}, 0.1)
    >>> result.accuracy, result.top_features["a"]
    (0.9, ['tok=x'])
    """

    accuracy: float
    n_train: int
    n_test: int
    top_features: dict[Any, list[str]]
    example: dict[str, Any]
    seconds: float
    pipeline: Any = field(repr=False, default=None)

    def __str__(self) -> str:
        lines = [
            "pipeline: "
            + " -> ".join(type(s).__name__ for _, s in self.pipeline.steps),
            f"trained on {self.n_train} documents, tested on {self.n_test}",
            f"test accuracy: {self.accuracy:.3f}",
            "top features per class:",
        ]
        width = max(len(str(c)) for c in self.top_features)
        for label, names in self.top_features.items():
            lines.append(f"  {label!s:<{width}}  {', '.join(names)}")
        ex = self.example
        text = ex["text"] if len(ex["text"]) <= 90 else ex["text"][:87] + "..."
        lines += [
            "example prediction:",
            f"  text:      {text}",
            f"  predicted: {ex['predicted']} (p={ex['probability']:.2f}); "
            f"true label: {ex['label']}",
            f"done in {self.seconds:.1f} s",
        ]
        return "\n".join(lines)


def run_demo(
    path: str | Path | None = None,
    *,
    test_size: float = 0.25,
    n_top: int = 5,
    random_state: int = 0,
) -> DemoResult:
    """Train SpacyTokenizer -> WordSignatures -> OneHotVectorizer -> softmax.

    Parameters
    ----------
    path : str, Path or None, default=None
        A labelled JSON Lines corpus; None uses the corpus bundled with the
        package (:data:`DEFAULT_CORPUS`, a copy of ``corpora/topics.jsonl``),
        whatever the current folder.
    test_size : float, default=0.25
        Share of the corpus held out (stratified).
    n_top : int, default=5
        Features listed per class.
    random_state : int, default=0
        Seeds the split.

    Returns
    -------
    DemoResult

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> rows = [{"text": f"{w} {w} item {i}", "label": w}
    ...         for i in range(8) for w in ("cat", "dog")]
    >>> _ = p.write_text("".join(json.dumps(r) + "\\n" for r in rows))
    >>> result = run_demo(p, n_top=1)
    >>> result.accuracy, result.top_features
    (1.0, {'cat': ['tok=cat'], 'dog': ['tok=dog']})
    """
    from sklearn.model_selection import train_test_split

    from textfeat.io import load_jsonl
    from textfeat.io.config import load_config

    t0 = time.perf_counter()
    with ExitStack() as stack:
        if path is None:  # a real file even if the package is zipped
            path = stack.enter_context(resources.as_file(DEFAULT_CORPUS))
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(
                f"{path}: no such corpus; run the demo without a corpus to use "
                "the bundled one, or pass a labelled .jsonl file"
            )
        texts, labels, _ = load_jsonl(path)
    if len(set(map(str, labels))) < 2:
        raise ValueError(f"{path}: the demo needs a corpus with at least two labels")
    labels = [str(v) for v in labels]
    X_train, X_test, y_train, y_test = train_test_split(
        texts, labels, test_size=test_size, random_state=random_state, stratify=labels
    )
    pipe = load_config().fit(X_train, y_train)
    predicted = pipe.predict(X_test)
    accuracy = float(np.mean(predicted == np.asarray(y_test)))
    clf = pipe[-1]
    names = np.asarray(pipe[-2].get_feature_names_out())
    coef = np.asarray(clf.coef_)
    rows = (
        {clf.classes_[1]: coef[0], clf.classes_[0]: -coef[0]}
        if coef.shape[0] == 1
        else dict(zip(clf.classes_, coef, strict=True))
    )
    top = {
        str(label): [str(n) for n in names[np.argsort(-w, kind="stable")[:n_top]]]
        for label, w in sorted(rows.items())
    }
    proba = pipe.predict_proba(X_test[:1])[0]
    k = int(np.argmax(proba))
    example = {
        "text": X_test[0],
        "label": y_test[0],
        "predicted": str(clf.classes_[k]),
        "probability": float(proba[k]),
    }
    return DemoResult(
        accuracy=accuracy,
        n_train=len(X_train),
        n_test=len(X_test),
        top_features=top,
        example=example,
        seconds=time.perf_counter() - t0,
        pipeline=pipe,
    )
