"""OneHotVectorizer fit and merge cost: several versions of the code, side by side.

Run from the project root:

    python benchmarks/bench_onehot_fit.py [--posts 4000] [--chunks 100]
        [--repeat 5] [--rev 23979cf --rev d93f39b]

The 20 Newsgroups train posts are tokenized once (``SpacyTokenizer()``) and
the token lists written to a temporary file. Each version of ``textfeat``
(every ``--rev``, extracted with ``git archive``, and the working tree) then
runs in its own process on those same token lists, with ``PYTHONPATH``
pointing at it; the versions take turns, ``--repeat`` rounds, and each
figure is the best of its rounds:

* ``fit``: ``OneHotVectorizer(**params).fit(docs)`` for three settings;
* ``fold``: the docs cut into ``--chunks`` parts, each fitted by
  ``partial_fit`` (not timed), then folded as a streaming driver does,
  ``acc = acc.merge(part)``, and used once (``acc.transform`` of one
  document, which builds the fitted state); against ``fit`` on all of them
  in the same process. Versions without ``merge`` skip it.

Ratios are against the first version given, measured in the same run.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import pickle
import platform
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "corpora" / "20news" / "train.jsonl.gz"

SETTINGS = {
    "default": {},
    "tfidf": {"weighting": "tfidf"},
    "bigrams_min_df_tfidf": {"ngram_range": (1, 2), "min_df": 2, "weighting": "tfidf"},
}

WORKER = r"""
import json, pickle, sys, time
import textfeat
from textfeat import OneHotVectorizer

docs = pickle.load(open(sys.argv[1], "rb"))
n_chunks = int(sys.argv[2])
settings = json.loads(sys.argv[3])
out = {}
for name, params in settings.items():
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    try:
        vec = OneHotVectorizer(**params)
    except TypeError:  # a version without these parameters
        continue
    t0 = time.perf_counter()
    vec.fit(docs)
    out["fit " + name] = time.perf_counter() - t0
    out["size " + name] = len(vec.vocabulary_)
if hasattr(OneHotVectorizer, "merge"):
    for name in ("default", "bigrams_min_df_tfidf"):
        params = {k: tuple(v) if isinstance(v, list) else v
                  for k, v in settings[name].items()}
        size = -(-len(docs) // n_chunks)
        parts = [OneHotVectorizer(**params).partial_fit(docs[i:i + size])
                 for i in range(0, len(docs), size)]
        t0 = time.perf_counter()
        acc = parts[0]
        for part in parts[1:]:
            acc = acc.merge(part)
        acc.transform(docs[:1])
        out["fold " + name] = time.perf_counter() - t0
        assert acc.vocabulary_.itos_ == OneHotVectorizer(**params).fit(docs).vocabulary_.itos_
print(json.dumps({"file": textfeat.__file__, **out}))
"""


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return (
        f"{os.cpu_count()} cores ({cpu}), {int(mem) / 2**20:.0f} GiB RAM, "
        f"Python {platform.python_version()}"
    )


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def extract(rev: str, into: Path) -> Path:
    """The ``textfeat`` package of ``rev``, extracted under ``into``."""
    data = subprocess.run(
        ["git", "archive", rev, "textfeat"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    dest = into / rev
    dest.mkdir()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=4000)
    ap.add_argument("--chunks", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rev", action="append", default=None)
    args = ap.parse_args()
    revs = args.rev or ["23979cf", "d93f39b"]

    from textfeat import SpacyTokenizer

    with gzip.open(NEWS, "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for _, line in zip(range(args.posts), fh, strict=False)]
    docs = SpacyTokenizer().transform(texts)
    print(f"# {machine()}")
    print(f"# {len(docs)} posts, {sum(map(len, docs)):,} tokens; {args.chunks} chunks")
    print(f"# before: {uptime()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        tokens = tmp_path / "docs.pkl"
        tokens.write_bytes(pickle.dumps(docs))
        versions = {rev: extract(rev, tmp_path) for rev in revs}
        versions["worktree"] = ROOT
        best: dict[str, dict[str, float]] = {v: {} for v in versions}
        for _ in range(args.repeat):
            for name, path in versions.items():
                res = subprocess.run(
                    [sys.executable, "-c", WORKER, str(tokens), str(args.chunks),
                     json.dumps(SETTINGS)],
                    env={**os.environ, "PYTHONPATH": str(path)},
                    cwd=tmp,  # not the project root: "" on sys.path comes first
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                got = json.loads(res.stdout)
                if not got.pop("file").startswith(str(path)):  # the version asked for
                    raise RuntimeError(f"{name}: imported another textfeat")
                for key, value in got.items():
                    best[name][key] = min(best[name].get(key, value), value)
    print(f"# after: {uptime()}")
    keys = sorted({k for b in best.values() for k in b if not k.startswith("size")})
    print("| measure | " + " | ".join(best) + " | worktree / oldest |")
    print("|---|" + "---:|" * (len(best) + 1))
    for key in keys:
        cells = [f"{b[key]:.3f} s" if key in b else "-" for b in best.values()]
        ref = next((b[key] for b in best.values() if key in b), None)
        ratio = f"{best['worktree'][key] / ref:.2f}x" if ref else "-"
        print(f"| {key} | " + " | ".join(cells) + f" | {ratio} |")
    sizes = {k: v for k, v in best["worktree"].items() if k.startswith("size")}
    print("# vocabulary sizes:", sizes)


if __name__ == "__main__":
    main()
