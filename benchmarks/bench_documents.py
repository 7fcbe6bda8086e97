"""Document classification: textfeat's pipeline against tuned tf-idf, in one run.

Run from the repository root:

    python benchmarks/bench_documents.py            # both tasks, full data
    python benchmarks/bench_documents.py --quick    # a small slice, for a smoke test

Two tasks, both from 20 Newsgroups ("bydate", ``../shared/corpora/20news``):

* **documents**: the 11,314 train posts -> the 7,532 test posts (raw posts,
  headers included, as ``fetch_20newsgroups`` serves them);
* **lines**: short texts, lines of 5 or more words from the posts' bodies
  (after the header block), labelled by their post's newsgroup, sampled with
  ``numpy.random.default_rng(0)`` (train lines from train posts, test lines
  from test posts).

Two sides, each tuned the same way:

* **scikit-learn**: ``TfidfVectorizer(ngram_range=(1, 2), min_df=2,
  max_df=0.5, sublinear_tf=True)`` + ``LogisticRegression``;
* **textfeat**: ``SpacyTokenizer(attr="lower", keep_punct=...)`` ->
  ``OneHotVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.5,
  weighting="tfidf", sublinear_tf=True)`` + the same ``LogisticRegression``.

Fairness: each side tokenizes the train and test texts once (scikit-learn with
its own analyzer: lower case and ``token_pattern``; textfeat with spaCy,
keeping punctuation or not), and
the cross-validation folds reuse those tokens, so the vectorizer (n-grams,
document frequencies, idf) is refitted in every fold on both sides but the
tokenizer is not. scikit-learn's vectorizer then takes the token lists through
an identity tokenizer, which gives the same matrix as on raw text. ``C`` is
chosen by the same 3-fold stratified CV (same folds, seed 0) over the same
grid on both sides, and so is the one tokenization choice both sides have:
keeping punctuation tokens or not (scikit-learn: its default ``token_pattern``
or the same plus each punctuation character; textfeat: ``keep_punct``). The time compared is fit + predict of the chosen model:
tokenizing train and test, the refit on all of train (vectorizer + logistic
regression) and predicting the test set; the CV time is reported apart.

It prints a markdown table and writes it, with the machine and its load, to
benchmarks/README_documents.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from sklearn.base import clone  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from textfeat import OneHotVectorizer, SpacyTokenizer  # noqa: E402
from textfeat.corpus import load_jsonl  # noqa: E402
from textfeat.text.tokenize import is_word  # noqa: E402

NEWS = ROOT.parent / "shared" / "corpora" / "20news"
OUT = ROOT / "benchmarks" / "README_documents.md"
SEED = 0
#: The C grid, the same for both sides.
GRID = [10.0, 50.0]
#: Logistic regression settings, the same for both sides: saga with a loose
#: tolerance. The default (lbfgs, tol=1e-4) takes over 3 minutes per 20news
#: fit on this loaded 2-core machine, and the grid needs seven fits per side;
#: lbfgs with tol=1e-2 stops after one iteration (chance accuracy). saga at
#: tol=1e-2 is 0.2 points below lbfgs at tol=1e-4 for scikit-learn's side.
#: saga shuffles: random_state makes a run repeatable.
LOGREG = {"solver": "saga", "tol": 1e-2, "max_iter": 100, "random_state": SEED}
#: More saga seeds for the chosen C (its accuracy moves between seeds).
SEEDS = (1, 2)
N_LINES = (20_000, 8_000)  # train lines, test lines
MIN_WORDS = 5
#: scikit-learn's default token_pattern, plus each punctuation character.
PUNCT_PATTERN = r"(?u)\b\w\w+\b|[^\w\s]"


def identity(doc):
    return doc


def sklearn_vectorizer() -> TfidfVectorizer:
    """The anchor's vectorizer, over token lists made by its own analyzer."""
    return TfidfVectorizer(
        tokenizer=identity,
        preprocessor=identity,
        lowercase=False,
        token_pattern=None,
        ngram_range=(1, 2),
        min_df=2,
        max_df=0.5,
        sublinear_tf=True,
    )


def textfeat_vectorizer() -> OneHotVectorizer:
    return OneHotVectorizer(
        ngram_range=(1, 2), min_df=2, max_df=0.5, weighting="tfidf", sublinear_tf=True
    )


def sklearn_tokenize(texts: list[str]) -> list[list[str]]:
    """Lower case, words of 2+ characters (the default token_pattern) and punctuation."""
    analyzer = TfidfVectorizer(token_pattern=PUNCT_PATTERN).build_analyzer()
    return [analyzer(t) for t in texts]


def words(docs: list[list[str]]) -> list[list[str]]:
    """The tokens with a word character (what keep_punct=False keeps)."""
    return [[t for t in doc if is_word(t)] for doc in docs]


def textfeat_tokenize(texts: list[str], n_jobs: int) -> list[list[str]]:
    return SpacyTokenizer(attr="lower", n_jobs=n_jobs).transform(texts)


def body_lines(texts: list[str], labels: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Lines of MIN_WORDS+ words after each post's header block, with its label."""
    lines, y = [], []
    for text, label in zip(texts, labels, strict=True):
        _, _, body = text.partition("\n\n")
        for line in body.splitlines():
            line = line.strip()
            if len(line.split()) >= MIN_WORDS:
                lines.append(line)
                y.append(label)
    return lines, np.asarray(y)


def sample(
    texts: list[str], y: np.ndarray, n: int, rng
) -> tuple[list[str], np.ndarray]:
    idx = np.sort(rng.choice(len(texts), size=min(n, len(texts)), replace=False))
    return [texts[i] for i in idx], y[idx]


def load_tasks(
    quick: bool,
) -> dict[str, tuple[list[str], np.ndarray, list[str], np.ndarray]]:
    tr, ytr, _ = load_jsonl(NEWS / "train.jsonl.gz")
    te, yte, _ = load_jsonl(NEWS / "test.jsonl.gz")
    ytr, yte = np.asarray(ytr), np.asarray(yte)
    rng = np.random.default_rng(SEED)
    n_tr, n_te = N_LINES
    if quick:
        n_tr, n_te = 3_000, 1_500
    ltr, lytr = sample(*body_lines(tr, ytr), n_tr, rng)
    lte, lyte = sample(*body_lines(te, yte), n_te, rng)
    if quick:
        tr, ytr = sample(tr, ytr, 1_500, rng)
        te, yte = sample(te, yte, 1_000, rng)
    return {"documents": (tr, ytr, te, yte), "lines": (ltr, lytr, lte, lyte)}


def run_side(name, tokenize, vectorizer, task, choices=("kept", "dropped")) -> dict:
    tr, ytr, te, yte = task
    start = time.perf_counter()
    tok_tr = tokenize(tr)
    tok_te = tokenize(te)
    t_tok = time.perf_counter() - start
    # Punctuation or not is a choice of each side, made by the same CV as C:
    # the tokens with punctuation, and the same minus every token without a
    # word character (= keep_punct=False for spaCy, = the default
    # token_pattern for scikit-learn).
    variants = {"kept": (tok_tr, tok_te), "dropped": (words(tok_tr), words(tok_te))}
    t_search, best_cv, chosen = 0.0, -1.0, None
    for punct, (vtr, vte) in variants.items():
        if punct not in choices:
            continue
        pipe = Pipeline(
            [("vec", clone(vectorizer)), ("clf", LogisticRegression(**LOGREG))]
        )
        search = GridSearchCV(
            pipe,
            {"clf__C": GRID},
            cv=StratifiedKFold(3, shuffle=True, random_state=SEED),
            refit=True,
            n_jobs=1,
        )
        start = time.perf_counter()
        search.fit(vtr, ytr)
        t_search += time.perf_counter() - start - search.refit_time_
        print(
            f"    {name}, punctuation {punct}: CV {search.best_score_:.4f}", flush=True
        )
        if search.best_score_ > best_cv:
            best_cv, chosen = search.best_score_, (punct, search, vtr, vte)
    punct, search, tok_tr, tok_te = chosen
    t_refit = search.refit_time_
    start = time.perf_counter()
    pred = search.predict(tok_te)
    t_pred = time.perf_counter() - start
    acc = float(np.mean(pred == yte))
    # saga visits the samples in a random order, and on 20news its test
    # accuracy moves by up to 0.9 points between seeds (more than the gap
    # between the two sides): score the chosen C with SEEDS more seeds and
    # compare the means.
    best = search.best_estimator_
    X_tr, X_te = best[0].transform(tok_tr), best[0].transform(tok_te)
    accs = [acc]
    for seed in SEEDS:
        clf = LogisticRegression(
            **{**LOGREG, "random_state": seed}, C=search.best_params_["clf__C"]
        ).fit(X_tr, ytr)
        accs.append(float(np.mean(clf.predict(X_te) == yte)))
    n_feat = len(search.best_estimator_[0].get_feature_names_out())
    out = {
        "accuracy": acc,
        "accuracy_mean": float(np.mean(accs)),
        "accuracy_min": min(accs),
        "accuracy_max": max(accs),
        "C": search.best_params_["clf__C"],
        "cv_accuracy": float(search.best_score_),
        "tokenize": t_tok,
        "refit": t_refit,
        "predict": t_pred,
        "fit_predict": t_tok + t_refit + t_pred,
        "cv": t_search,
        "punct": punct,
        "features": n_feat,
    }
    print(f"  {name}: {out}", flush=True)
    return out


def machine() -> str:
    cpu = "unknown"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}"


def main() -> None:
    import sklearn
    import spacy

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small slices (smoke test)"
    )
    parser.add_argument("--n-jobs", type=int, default=1, help="SpacyTokenizer n_jobs")
    args = parser.parse_args()
    load_before = os.getloadavg()
    tasks = load_tasks(args.quick)
    rows = []
    for task_name, task in tasks.items():
        print(f"{task_name}: {len(task[0])} train, {len(task[2])} test", flush=True)
        # the anchor as the issue specifies it (default token_pattern: no
        # punctuation), and with the same punctuation choice textfeat has
        ref = run_side(
            "scikit-learn", sklearn_tokenize, sklearn_vectorizer(), task, ("dropped",)
        )
        ref_p = run_side(
            "scikit-learn, punct. by CV", sklearn_tokenize, sklearn_vectorizer(), task
        )
        ours = run_side(
            "textfeat",
            lambda texts: textfeat_tokenize(texts, args.n_jobs),
            textfeat_vectorizer(),
            task,
        )
        rows.append((task_name, len(task[0]), len(task[2]), ref, ours, ref_p))
    load_after = os.getloadavg()

    lines = [
        "| task | train / test | side | test accuracy, seed 0 | mean of 3 seeds (min-max) "
        "| punctuation, C (3-fold CV acc.) | features "
        "| tokenize s | refit s | predict s | fit+predict s | ratio | CV s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for task_name, n_tr, n_te, ref, ours, ref_p in rows:
        sides = (
            ("scikit-learn tf-idf (as specified)", ref),
            ("scikit-learn tf-idf, punctuation by CV", ref_p),
            ("textfeat, punctuation by CV", ours),
        )
        for side, r in sides:
            ratio = r["fit_predict"] / ref["fit_predict"]
            lines.append(
                f"| {task_name} | {n_tr:,} / {n_te:,} | {side} | {r['accuracy']:.4f} "
                f"| {r['accuracy_mean']:.4f} ({r['accuracy_min']:.4f}-"
                f"{r['accuracy_max']:.4f}) "
                f"| {r['punct']}, {r['C']:g} ({r['cv_accuracy']:.4f}) | {r['features']:,} "
                f"| {r['tokenize']:.1f} | {r['refit']:.1f} | {r['predict']:.1f} "
                f"| {r['fit_predict']:.1f} | {ratio:.2f}x | {r['cv']:.0f} |"
            )
    table = "\n".join(lines)
    diffs = "; ".join(
        f"{t}: {100 * (o['accuracy_mean'] - r['accuracy_mean']):+.2f} points "
        f"(mean of 3 seeds; seed 0 alone {100 * (o['accuracy'] - r['accuracy']):+.2f})"
        + f", against the anchor with punctuation by CV "
        f"{100 * (o['accuracy_mean'] - rp['accuracy_mean']):+.2f}"
        for t, _, _, r, o, rp in rows
    )
    print(table)
    print(f"textfeat - scikit-learn accuracy: {diffs}")
    if args.quick:
        return
    text = f"""# Document classification: textfeat against tuned tf-idf

Written by `python benchmarks/bench_documents.py` (see its docstring for the
protocol). Both sides: 3-fold stratified CV (seed 0, same folds) over
C in {GRID} with `LogisticRegression({", ".join(f"{k}={v!r}" for k, v in LOGREG.items())})`
refit on all of train, scored on test; punctuation kept or dropped, chosen by the same CV. Each side tokenizes once and
its CV folds reuse the tokens (the vectorizer is refitted per fold on both
sides). "ratio" is textfeat's fit+predict time over scikit-learn's, same run.

- Machine: {machine()}; scikit-learn {sklearn.__version__}, spaCy {spacy.__version__}
- Load average (1, 5, 15 min) before: {", ".join(f"{x:.2f}" for x in load_before)};
  after: {", ".join(f"{x:.2f}" for x in load_after)} (a shared machine: times
  are noisy, ratios less so)
- Command: `python benchmarks/bench_documents.py`
- Accuracy, textfeat minus scikit-learn: {diffs}

{table}
"""
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
