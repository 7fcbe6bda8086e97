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
4. The first ``predict`` after ``textfeat.load_model`` in a fresh process
   against a later one on other texts of the same size.
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
w = time.perf_counter()
from textfeat import load_model, load_jsonl
texts, _, _ = load_jsonl(sys.argv[2])
n = int(sys.argv[3])
a, b = texts[:n], texts[n:2 * n]
first, later = (a, b) if sys.argv[4] == "ab" else (b, a)
t = time.perf_counter()
model = load_model(sys.argv[1])
out = {"load": time.perf_counter() - t, "start": time.perf_counter() - w}
for key, batch in (("first", first), ("later", later)):
    t, c = time.perf_counter(), time.process_time()
    model.predict(batch)
    out[key] = time.perf_counter() - t
    out[key + "_cpu"] = time.process_time() - c
print(json.dumps(out))
"""


def first_call(model_path: Path, n: int, repeat: int) -> list[str]:
    """First predict after load_model in a fresh process vs a later one.

    Two fresh processes make a pair: one predicts posts A then B, the other
    B then A, so the first call and the later one cover the same posts (the
    first call's extra cost is not confounded with the posts' length).
    Best and worst pair of ``repeat``, wall clock and CPU time.
    """
    pairs = []
    for _ in range(repeat):
        runs = []
        for order in ("ab", "ba"):
            res = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    FIRST_CALL,
                    str(model_path),
                    str(NEWS_TEST),
                    str(n),
                    order,
                ],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
        pairs.append(
            {
                k: sum(r[k] for r in runs) / 2
                for k in ("first", "later", "first_cpu", "later_cpu", "load")
            }
        )
    best = min(pairs, key=lambda r: r["first"] - r["later"])
    worst = max(pairs, key=lambda r: r["first"] - r["later"])
    cpu = sorted(p["first_cpu"] - p["later_cpu"] for p in pairs)
    return [
        f"| first `predict` after `load_model` (fresh process, {n} posts; pairs of "
        f"processes in both orders) vs a later one on the same posts | "
        f"{best['later']:.3f} | {best['first']:.3f} | "
        f"{best['first'] - best['later']:+.3f} s (worst of {repeat}: "
        f"{worst['first'] - worst['later']:+.3f} s; CPU time "
        f"{cpu[0]:+.3f} to {cpu[-1]:+.3f} s; load_model {best['load']:.2f} s) "
        f"| {load()} |"
    ]


def first_call_in_process(model_path: Path, a: list[str], b: list[str]) -> list[str]:
    """First predict after load_model in this process (spaCy loaded) vs the next."""
    from textfeat import load_model

    rows = []
    for first, later in ((a, b), (b, a)):
        model = load_model(model_path)
        t_first = timed(lambda m=model, x=first: m.predict(x))[0]
        t_later = timed(lambda m=model, x=later: m.predict(x))[0]
        rows.append((t_first, t_later))
    first = sum(r[0] for r in rows) / 2
    later = sum(r[1] for r in rows) / 2
    return [
        f"| first `predict` after `load_model` in a process that already "
        f"tokenized ({len(a)} unseen posts, both orders) vs the next | "
        f"{later:.3f} | {first:.3f} | {first - later:+.3f} s | {load()} |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lines", type=int, default=20_000, help="20news lines")
    parser.add_argument("--posts", type=int, default=4000, help="20news posts")
    parser.add_argument("--train", type=int, default=4000, help="posts to fit on")
    parser.add_argument("--first-n", type=int, default=500)
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
                n = args.first_n
                unseen = train_texts[args.train :]
                rows += first_call_in_process(model_path, unseen[:n], unseen[n : 2 * n])
                rows += first_call(model_path, args.first_n, args.repeat)
            out += rows
            print("\n".join(rows), flush=True)
    if args.write:
        (ROOT / "benchmarks" / "README_throughput.md").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
