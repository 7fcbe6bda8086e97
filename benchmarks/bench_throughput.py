"""Issue 11 benchmark: throughput at the tokenizer's floor, short and long texts.

Run from the project root:

    python benchmarks/bench_throughput.py [--repeat 3] [--lines 20000] [--posts 4000]

Figures, each a ratio measured side by side in one run (the two sides
alternate, best of ``--repeat``), with the load average when it was taken:

1. ``SpacyTokenizer -> OneHotVectorizer`` ``transform`` (the pipeline fitted
   on the first quarter of the corpus, in a fresh textfeat engine) on the
   other three quarters, against spaCy's tokenizer alone from a fresh
   blank pipeline (``spacy.blank("en").tokenizer.pipe``), on: the raw
   sentences of UD EWT (``# text =`` lines, train + dev); 20 Newsgroups
   test split into lines of 5+ words; 20 Newsgroups test posts. Wall-clock
   and CPU-time ratios (CPU time moves less with other work on the machine).
2. ``SpacyTokenizer(n_jobs=2)`` against ``n_jobs=1`` on the same
   short and long corpora (wall clock), the short ones also with a pool
   forced below ``PARALLEL_MIN_CHARS``, and 20news train + test lines as a
   short-text corpus above it.
3. The README pipeline's ``predict`` on 20news test against
   ``TfidfVectorizer + LogisticRegression`` fitted on the same training
   posts, and the share of it that is tokenizing.
4. The first ``predict`` after ``textfeat.load_model`` against the same call
   made after one other call, in fresh processes and in processes that
   tokenized before loading (see :func:`first_call`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"
NEWS_TRAIN = CORPORA / "20news" / "train.jsonl.gz"
NEWS_TEST = CORPORA / "20news" / "test.jsonl.gz"
UD = CORPORA / "ud-ewt"


def machine() -> str:
    cpu, ram = "unknown CPU", "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        ram = f"{int(mem) / 2**20:.0f} GiB"
    except OSError:
        pass
    import spacy

    return (
        f"{os.cpu_count()} cores ({cpu}), {ram} RAM, Python "
        f"{platform.python_version()}, spaCy {spacy.__version__}"
    )


def load() -> str:
    return "{:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def ud_sentences() -> list[str]:
    out = []
    for split in ("train", "dev"):
        with (UD / f"en_ewt-ud-{split}.conllu").open(encoding="utf-8") as f:
            out += [ln[9:].rstrip("\n") for ln in f if ln.startswith("# text = ")]
    return out


def news(path: Path) -> tuple[list[str], list[str]]:
    from textfeat import load_jsonl

    texts, labels, _ = load_jsonl(path)
    return texts, labels


def news_lines(posts: list[str], limit: int) -> list[str]:
    lines = [ln.strip() for p in posts for ln in p.splitlines()]
    return [ln for ln in lines if len(ln.split()) >= 5][:limit]


def fresh_engine() -> None:
    """Forget what textfeat's tokenizer learned in this process (a new process)."""
    import textfeat.text.tokenize as tk

    tk._ENGINES.clear()


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def floor_ratio(name: str, texts: list[str], repeat: int) -> list[str]:
    """SpacyTokenizer -> OneHotVectorizer transform vs spaCy's tokenizer alone."""
    import spacy

    from textfeat import OneHotVectorizer, SpacyTokenizer

    cut = len(texts) // 4
    fit, held = texts[:cut], texts[cut:]
    spacy_t, ours_t = [], []
    for r in range(repeat):
        fresh_engine()
        tok = SpacyTokenizer()
        onehot = OneHotVectorizer().fit(tok.fit_transform(fit))
        nlp = spacy.blank("en")

        def anchor(nlp=nlp) -> None:
            for _ in nlp.tokenizer.pipe(held, batch_size=1000):
                pass

        def ours(tok=tok, onehot=onehot) -> None:
            onehot.transform(tok.transform(held))

        if r % 2 == 0:
            spacy_t.append(timed(anchor))
            ours_t.append(timed(ours))
        else:
            ours_t.append(timed(ours))
            spacy_t.append(timed(anchor))
    sw, sc = min(t[0] for t in spacy_t), min(t[1] for t in spacy_t)
    ow, oc = min(t[0] for t in ours_t), min(t[1] for t in ours_t)
    chars = sum(map(len, held)) / 1e6
    return [
        f"| {name}: {len(held):,} texts, {chars:.1f} M chars | {sw:.2f} | {ow:.2f} "
        f"| **{sw / ow:.2f}x** | {sc / oc:.2f}x | {load()} |"
    ]


def process_ratio(
    name: str, texts: list[str], repeat: int, force_pool: bool = False
) -> list[str]:
    """SpacyTokenizer(n_jobs=2) vs n_jobs=1, wall clock.

    With ``force_pool`` a pool is used even below ``PARALLEL_MIN_CHARS``
    (what a pool would give at that size).
    """
    import textfeat.text.tokenize as tk
    from textfeat import SpacyTokenizer

    cut = len(texts) // 4
    fit, held = texts[:cut], texts[cut:]
    chars = sum(map(len, held))
    threshold = tk.PARALLEL_MIN_CHARS
    if force_pool:
        tk.PARALLEL_MIN_CHARS = 0
    times: dict[int, list[float]] = {1: [], 2: []}
    try:
        for r in range(repeat):
            for n in (1, 2) if r % 2 == 0 else (2, 1):
                fresh_engine()
                SpacyTokenizer().fit_transform(fit)
                tok = SpacyTokenizer(n_jobs=n)
                times[n].append(timed(lambda tok=tok: tok.transform(held))[0])
    finally:
        tk.PARALLEL_MIN_CHARS = threshold
    one, two = min(times[1]), min(times[2])
    pool = (
        "pool forced"
        if force_pool
        else ("pool" if chars >= threshold else "inline (under the threshold)")
    )
    return [
        f"| {name}: {len(held):,} texts, {chars / 1e6:.2f} M chars ({pool}) "
        f"| {one:.2f} | {two:.2f} | **{one / two:.2f}x** | {load()} |"
    ]


def readme_pipeline():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from textfeat import OneHotVectorizer, SpacyTokenizer, WordSignatures

    return make_pipeline(
        SpacyTokenizer(attr="lower"),
        WordSignatures(min_count=2),
        OneHotVectorizer(),
        LogisticRegression(max_iter=1000),
    )


def predict_ratio(
    train: tuple, test: list[str], repeat: int, model_path: Path
) -> list[str]:
    """README pipeline predict vs TfidfVectorizer + LogisticRegression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from textfeat import load_model

    texts, labels = train
    ours = load_model(model_path)
    tfidf = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
    tfidf.fit(texts, labels)
    t_ours, t_tfidf, t_tok = [], [], []
    for r in range(repeat):
        pair = [
            lambda: t_ours.append(timed(lambda: ours.predict(test))[0]),
            lambda: t_tfidf.append(timed(lambda: tfidf.predict(test))[0]),
        ]
        for f in pair if r % 2 == 0 else pair[::-1]:
            f()
        t_tok.append(timed(lambda: ours[0].transform(test))[0])
    o, a, k = min(t_ours), min(t_tfidf), min(t_tok)
    return [
        f"| README pipeline `predict` vs TfidfVectorizer + LogisticRegression, "
        f"{len(test):,} posts | {a:.2f} | {o:.2f} | {o / a:.2f}x the time; "
        f"tokenizing {k:.2f} s = {k / o:.0%} of it | {load()} |"
    ]


FIRST_CALL = r"""
import json, sys, time
from textfeat import SpacyTokenizer, load_jsonl, load_model
texts, _, _ = load_jsonl(sys.argv[2])
n, prior, arm = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
batch, warm = texts[:n], texts[n : n + 2]
before = texts[n + 2 : n + 2 + prior]
if before:  # a process that has tokenized before loading the model
    SpacyTokenizer(attr="lower").transform(before)
t = time.perf_counter()
model = load_model(sys.argv[1])
out = {"load": time.perf_counter() - t}
if arm == "control":  # the first call after load_model is not the measured one
    model.predict(warm)
t, c = time.perf_counter(), time.process_time()
model.predict(batch)
out["wall"] = time.perf_counter() - t
out["cpu"] = time.process_time() - c
print(json.dumps(out))
"""


def first_call(model_path: Path, n: int, repeat: int, prior: int) -> list[str]:
    """First predict after load_model against a later one, same posts, same state.

    Each repeat runs two fresh processes that do the same thing (tokenize
    ``prior`` posts, or none, then load the model and predict the same
    ``n`` unseen posts), except that in the *control* process one call on
    two other posts comes between ``load_model`` and the timed ``predict``.
    The difference is what the first call after loading costs beyond a
    later one. (Timing a first call on posts A against a later call on
    posts B charges the first with learning the words A and B share, which
    the later call then finds known: that is not a cost of loading.)
    The two arms alternate in order; best, median and worst of ``repeat``.
    """
    diffs = []
    for r in range(repeat):
        res = {}
        for arm in ("first", "control") if r % 2 == 0 else ("control", "first"):
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    FIRST_CALL,
                    str(model_path),
                    str(NEWS_TEST),
                    str(n),
                    str(prior),
                    arm,
                ],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            res[arm] = json.loads(done.stdout.strip().splitlines()[-1])
        diffs.append(
            (
                res["first"]["wall"] - res["control"]["wall"],
                res["first"]["cpu"] - res["control"]["cpu"],
                res["control"]["wall"],
                res["first"]["wall"],
            )
        )
    diffs.sort()
    best, mid, worst = diffs[0], diffs[len(diffs) // 2], diffs[-1]
    cpu = sorted(d[1] for d in diffs)
    where = (
        f"process that tokenized {prior} posts before" if prior else "fresh process"
    )
    return [
        f"| first `predict` after `load_model` ({where}; {n} unseen posts) vs the "
        f"same call after one other call | {mid[2]:.3f} | {mid[3]:.3f} | "
        f"{mid[0]:+.3f} s median (best {best[0]:+.3f}, worst {worst[0]:+.3f} of "
        f"{repeat}; CPU time {cpu[0]:+.3f} to {cpu[-1]:+.3f} s) | {load()} |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lines", type=int, default=20_000, help="20news lines")
    parser.add_argument("--posts", type=int, default=4000, help="20news posts")
    parser.add_argument("--train", type=int, default=4000, help="posts to fit on")
    parser.add_argument("--first-n", type=int, default=500)
    parser.add_argument(
        "--first-prior",
        type=int,
        default=1000,
        help="posts a process tokenizes before loading the model (first-call row)",
    )
    parser.add_argument(
        "--many-lines",
        type=int,
        default=80_000,
        help="20news lines (train + test) for the short-text corpus above the "
        "pool threshold",
    )
    parser.add_argument("--only", default="floor,processes,predict,first")
    parser.add_argument(
        "--no-write",
        dest="write",
        action="store_false",
        help="do not overwrite benchmarks/README_throughput.md",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    from textfeat import save_model

    ud = ud_sentences()
    test_posts, _ = news(NEWS_TEST)
    lines = news_lines(test_posts, args.lines)
    posts = test_posts[: args.posts]
    out = [
        f"Machine: {machine()}. Load average (1/5/15 min) at the start: {load()}.",
        f"Command: `python benchmarks/bench_throughput.py --repeat {args.repeat} "
        f"--lines {args.lines} --posts {args.posts} --train {args.train} "
        f"--many-lines {args.many_lines}`.",
        "",
    ]
    if "floor" in only:
        out += [
            "| corpus (transform on 3/4, fitted on 1/4) | spaCy alone (s) | "
            "textfeat (s) | throughput ratio (wall) | ratio (CPU time) | load |",
            "|---|---|---|---|---|---|",
        ]
        out += floor_ratio("UD EWT sentences", ud, args.repeat)
        out += floor_ratio("20news lines of 5+ words", lines, args.repeat)
        out += floor_ratio("20news posts", posts, args.repeat)
        out.append("")
        print("\n".join(out), flush=True)
    if "processes" in only:
        rows = [
            "| SpacyTokenizer, n_jobs=2 vs 1 | 1 process (s) | 2 processes (s) "
            "| speed-up | load |",
            "|---|---|---|---|---|",
        ]
        rows += process_ratio("UD EWT sentences", ud, args.repeat)
        rows += process_ratio("UD EWT sentences", ud, args.repeat, force_pool=True)
        rows += process_ratio("20news lines of 5+ words", lines, args.repeat)
        rows += process_ratio(
            "20news lines of 5+ words", lines, args.repeat, force_pool=True
        )
        train_posts, _ = news(NEWS_TRAIN)
        many = news_lines(train_posts + test_posts, args.many_lines)
        rows += process_ratio(
            "20news train + test lines of 5+ words", many, args.repeat
        )
        rows += process_ratio("20news posts", posts, args.repeat)
        out += [*rows, ""]
        print("\n".join(rows), flush=True)
    if "predict" in only or "first" in only:
        train_texts, train_labels = news(NEWS_TRAIN)
        train = (train_texts[: args.train], train_labels[: args.train])
        with tempfile.TemporaryDirectory() as tmp:
            model_path = Path(tmp) / "readme.textfeat"
            rows = [
                "| comparison | anchor (s) | textfeat (s) | ratio | load |",
                "|---|---|---|---|---|",
            ]
            fresh_engine()
            save_model(readme_pipeline().fit(*train), model_path)
            if "predict" in only:
                rows += predict_ratio(train, test_posts, args.repeat, model_path)
            if "first" in only:
                for prior in (0, args.first_prior):
                    rows += first_call(model_path, args.first_n, args.repeat, prior)
            out += rows
            print("\n".join(rows), flush=True)
    if args.write:
        (ROOT / "benchmarks" / "README_throughput.md").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
