"""Issue 2 benchmark: text -> one-hot throughput against the anchors.

Run from the project root:

    python benchmarks/bench_foundation.py [--limit N] [--repeat R]

On 20 Newsgroups train (../shared/corpora), in one run:

1. text -> one-hot end to end (SpacyTokenizer + OneHotVectorizer) against
   spaCy's tokenizer alone (``nlp.tokenizer.pipe``) on the same texts;
2. the same with ``n_jobs=2`` against ``n_jobs=1``;
3. one-hot of already-tokenized input against
   ``CountVectorizer(analyzer=identity)`` on the same tokens.

Every spaCy measurement starts from a fresh blank pipeline (its tokenizer
caches what it has seen), and each figure is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import spacy
from sklearn.feature_extraction.text import CountVectorizer

import textfeat.text.tokenize as tokenize_module
from textfeat import OneHotVectorizer, SpacyTokenizer
from textfeat.corpus import load_jsonl

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "corpora" / "20news" / "train.jsonl.gz"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        ram = f"{int(mem) / 2**20:.0f} GiB"
    except OSError:
        ram = "?"
    return (
        f"{os.cpu_count()} cores ({cpu}), {ram} RAM, Python {platform.python_version()}"
    )


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def identity(doc):
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N posts only")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    texts, _, _ = load_jsonl(NEWS)
    texts = texts[: args.limit]
    n_chars = sum(map(len, texts))
    print(f"20news train: {len(texts)} posts, {n_chars / 1e6:.1f} M characters")

    def spacy_alone() -> None:
        nlp = spacy.blank("en")
        for _ in nlp.tokenizer.pipe(texts, batch_size=1000):
            pass

    def ours(n_process: int):
        def run() -> None:
            tokenize_module._ENGINES.clear()  # a fresh tokenizer, as above
            tokens = SpacyTokenizer(n_jobs=n_process).transform(texts)
            OneHotVectorizer().fit_transform(tokens)

        return run

    rows = []
    t_spacy = best(spacy_alone, args.repeat)
    t_ours = best(ours(1), args.repeat)
    rows.append(
        (
            "text -> one-hot vs spaCy tokenizer alone",
            t_spacy,
            t_ours,
            t_spacy / t_ours,
            ">= 0.85",
        )
    )
    t_two = best(ours(2), args.repeat)
    rows.append(
        ("text -> one-hot, n_jobs=2 vs 1", t_ours, t_two, t_ours / t_two, ">= 1.6")
    )

    tokens = SpacyTokenizer().transform(texts)
    n_tokens = sum(map(len, tokens))
    cv = CountVectorizer(analyzer=identity, lowercase=False, binary=True)
    t_cv = best(lambda: cv.fit_transform(tokens), args.repeat)
    t_oh = best(lambda: OneHotVectorizer().fit_transform(tokens), args.repeat)
    rows.append(
        (
            "one-hot of tokens vs CountVectorizer(analyzer=identity)",
            t_cv,
            t_oh,
            t_cv / t_oh,
            ">= 1.0",
        )
    )

    lines = [
        f"Machine: {machine()}.",
        f"Data: 20news train, {len(texts)} posts, {n_chars / 1e6:.1f} M characters, "
        f"{n_tokens / 1e6:.2f} M tokens. Best of {args.repeat} runs.",
        "",
        "| comparison | anchor (s) | ours (s) | throughput ratio (ours/anchor) | target |",
        "|---|---|---|---|---|",
    ]
    for name, anchor, mine, ratio, target in rows:
        lines.append(
            f"| {name} | {anchor:.2f} | {mine:.2f} | {ratio:.2f}x | {target} |"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
