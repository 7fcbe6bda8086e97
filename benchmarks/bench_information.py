"""Benchmark the KL / Jensen-Shannon class scores against mutual_info (issue 15).

Run from the repository root:

    python benchmarks/bench_information.py

On the 20 Newsgroups one-hot matrix (the project's own
``SpacyTokenizer(attr="lower")`` -> ``OneHotVectorizer()``, tokenized once;
train 11,314 posts, test 7,532), in one run:

* time of ``class_scores(score="kl"|"js")`` (the whole features x classes
  table) and of the ``SelectKBest`` scorers ``kl_score`` / ``js_score``, for
  all columns, as a ratio of ``mutual_info``'s time on the same matrix
  (medians of interleaved calls), with chi2 for reference;
* exactness in the same run: ``kl_score(aggregate="mean")`` against
  ``mutual_info`` (an identity), and the JS table against
  ``scipy.spatial.distance.jensenshannon`` on a random column slice;
* selection quality: test accuracy of ``SoftmaxClassifier(C=1, max_iter=300)`` on
  the top 2,000 / 10,000 columns by MI, JS, KL and scikit-learn's chi2 (and
  on all columns, for reference).

It prints a markdown section and writes it to benchmarks/README_information.md.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from scipy.spatial.distance import jensenshannon  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.feature_selection import chi2  # noqa: E402

from textfeat import OneHotVectorizer, SoftmaxClassifier, SpacyTokenizer  # noqa: E402
from textfeat.info import class_scores, js_score, kl_score, mutual_info  # noqa: E402

NEWS = ROOT.parent / "shared" / "corpora" / "20news"
OUT = ROOT / "benchmarks" / "README_information.md"
REPEATS = 9
KS = (2_000, 10_000)
C = 1.0
MAX_ITER = 300
SLICE = 300
SEED = 0


def load(path: Path) -> tuple[list[str], np.ndarray]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    return [r["text"] for r in records], np.array([r["label"] for r in records])


def machine() -> str:
    cpu = "unknown"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import scipy
    import sklearn

    return (
        f"{os.cpu_count()} cores ({cpu}); Python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, scikit-learn "
        f"{sklearn.__version__}"
    )


def interleaved(calls: dict[str, object]) -> dict[str, float]:
    """Median time of each call, the calls taking turns (load hits all alike)."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(REPEATS):
        for name, fn in calls.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def accuracy(X, y, Xt, yt, cols) -> tuple[float, float, bool]:
    """Test accuracy, fit + predict seconds, and whether L-BFGS converged."""
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf = SoftmaxClassifier(C=C, max_iter=MAX_ITER).fit(X[:, cols], y)
    acc = float(np.mean(clf.predict(Xt[:, cols]) == yt))
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return acc, time.perf_counter() - start, converged


def main() -> None:
    load_before = os.getloadavg()
    texts, y = load(NEWS / "train.jsonl.gz")
    test_texts, yt = load(NEWS / "test.jsonl.gz")
    tok = SpacyTokenizer(attr="lower", n_jobs=2)
    vec = OneHotVectorizer()
    X = vec.fit_transform(tok.transform(texts)).tocsr()
    Xt = vec.transform(tok.transform(test_texts)).tocsr()
    d = X.shape[1]

    # -- speed ---------------------------------------------------------------
    calls = {
        "mutual_info": lambda: mutual_info(X, y),
        'class_scores(score="kl")': lambda: class_scores(X, y, score="kl"),
        'class_scores(score="js")': lambda: class_scores(X, y, score="js"),
        "kl_score": lambda: kl_score(X, y),
        "js_score": lambda: js_score(X, y),
        "chi2 (scikit-learn)": lambda: chi2(X, y),
    }
    med = interleaved(calls)
    base = med["mutual_info"]

    # -- exactness in the same run --------------------------------------------
    mi = mutual_info(X, y)
    diff_mean = float(np.max(np.abs(kl_score(X, y, aggregate="mean") - mi)))
    table = class_scores(X, y, score="js")
    cols = np.random.default_rng(SEED).choice(d, SLICE, replace=False)
    classes = np.unique(y)
    Xs = X[:, cols].toarray() != 0
    oracle = np.empty((SLICE, classes.size))
    for c, label in enumerate(classes):
        pc = Xs[y == label].mean(axis=0)
        p_all = Xs.mean(axis=0)
        P = np.stack([1 - pc, pc], axis=1)
        Q = np.stack([1 - p_all, p_all], axis=1)
        oracle[:, c] = jensenshannon(P, Q, axis=1) ** 2
    diff_js = float(np.max(np.abs(table[cols] - oracle)))

    # -- selection quality -----------------------------------------------------
    scores = {
        "MI (`mutual_info`)": mi,
        "JS (`js_score`, max over classes)": js_score(X, y),
        "KL (`kl_score`, max over classes)": kl_score(X, y),
        "chi2 (scikit-learn)": np.nan_to_num(chi2(X, y)[0], nan=0.0),
    }
    acc_rows = []
    for name, s in scores.items():
        accs = []
        for k in KS:
            top = np.sort(np.argsort(-s, kind="stable")[:k])
            accs.append(accuracy(X, y, Xt, yt, top))
        acc_rows.append((name, accs))
    all_acc, all_time, all_conv = accuracy(X, y, Xt, yt, np.arange(d))
    load_after = os.getloadavg()

    # -- report ----------------------------------------------------------------
    lines = [
        "## Information scores: KL / JS against mutual information (`bench_information.py`, issue 15)",
        "",
        f'20 Newsgroups, one-hot matrix of the project\'s own `SpacyTokenizer(attr="lower")`'
        f" -> `OneHotVectorizer()`: train {X.shape[0]:,} x {d:,} ({X.nnz:,} non-zeros),"
        f" test {Xt.shape[0]:,} posts, {classes.size} classes. Times are medians of "
        f"{REPEATS} interleaved calls on the whole train matrix.",
        "",
        "| scorer (all columns) | median time (ms) | ratio to `mutual_info` |",
        "|---|---|---|",
    ]
    for name, t in med.items():
        lines.append(f"| `{name}` | {t * 1e3:.1f} | {t / base:.2f}x |")
    worst = max(
        med[n] / base for n in calls if n not in ("mutual_info", "chi2 (scikit-learn)")
    )
    lines += [
        "",
        f"- Slowest KL/JS call: {worst:.2f}x `mutual_info` (aim: within 1.5x): "
        f"{'met' if worst <= 1.5 else '**not met**'}.",
        f'- Exactness in this run: `kl_score(aggregate="mean")` vs `mutual_info` '
        f"max abs difference {diff_mean:.1e} (identity: the prior-weighted KL is the MI); "
        f"JS table vs `scipy.spatial.distance.jensenshannon(...)**2` on {SLICE} random "
        f"columns x {classes.size} classes: {diff_js:.1e}.",
        "",
        f"Selection quality: `SoftmaxClassifier(C={C}, max_iter={MAX_ITER})` trained on the "
        "top-k train columns by each score, accuracy on the test set (fit + predict "
        "seconds in brackets).",
        "",
        "| selected by | " + " | ".join(f"top {k:,}" for k in KS) + " |",
        "|---|" + "---|" * len(KS),
    ]
    for name, accs in acc_rows:
        cells = " | ".join(
            f"{a:.4f} ({t:.0f} s{'' if ok else ', not converged'})" for a, t, ok in accs
        )
        lines.append(f"| {name} | {cells} |")
    lines += [
        f"| (all {d:,} columns) | {all_acc:.4f} ({all_time:.0f} s"
        f"{'' if all_conv else ', not converged'}) |" + " |" * (len(KS) - 1),
        "",
        f"- Machine: {machine()}.",
        f"- Load average (1/5/15 min) before: {load_before[0]:.2f} / {load_before[1]:.2f} / "
        f"{load_before[2]:.2f}; after: {load_after[0]:.2f} / {load_after[1]:.2f} / "
        f"{load_after[2]:.2f}. The machine is shared; ratios are measured in one run.",
        "- Command: `python benchmarks/bench_information.py` (from the repository root).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    OUT.write_text(text)


if __name__ == "__main__":
    main()
