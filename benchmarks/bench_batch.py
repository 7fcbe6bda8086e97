"""Benchmark of textfeat.batch.featurize on 20 Newsgroups repeated to a size.

Measures, on the same texts: records/s of spaCy's tokenizer alone (the
anchor), of featurize with n_jobs=1, n_jobs=2 and Dask with 2 workers; the
peak resident memory of each run (the whole process tree, sampled with
psutil); and the time to resume a run killed at 50 %.

    python benchmarks/bench_batch.py --size 1024 --rss-sizes 256

Not collected by pytest. Develop with a small --size (e.g. 50).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NEWS = ROOT.parent / "shared" / "corpora" / "20news" / "train.jsonl.gz"
CHUNK = 2000


def make_corpus(size_mb: float, path: Path) -> tuple[int, int]:
    """Write 20news train repeated until its text reaches ``size_mb`` MB."""
    from textfeat.corpus import read_jsonl

    base = [(r.id, r.text, r.label) for r in read_jsonl(NEWS)]
    target = int(size_mb * 1e6)
    n = nbytes = rep = 0
    with path.open("w", encoding="utf-8") as fh:
        while nbytes < target:
            for rid, text, label in base:
                fh.write(
                    json.dumps({"id": f"{rep}/{rid}", "text": text, "label": label})
                )
                fh.write("\n")
                n += 1
                nbytes += len(text.encode())
                if nbytes >= target:
                    break
            rep += 1
    return n, nbytes


def fit_model(path: Path) -> None:
    from sklearn.pipeline import make_pipeline

    from textfeat import OneHotVectorizer, SpacyTokenizer, WordSignatures
    from textfeat.corpus import load_jsonl
    from textfeat.persist import save

    texts, _, _ = load_jsonl(NEWS)
    pipe = make_pipeline(
        SpacyTokenizer(attr="lower"), WordSignatures(min_count=2), OneHotVectorizer()
    )
    save(pipe.fit(texts), path)


class TreeRSS:
    """Peak memory of this process and all its descendants, sampled.

    ``peak`` is the summed RSS, which counts pages that forked workers share
    with their parent once per process, so it overstates what the tree uses;
    ``peak_pss`` is the summed proportional set size (a shared page is split
    between the processes that map it), the physical memory the run holds;
    ``peak_max`` is the largest single process.
    """

    def __init__(self, every: float = 0.5) -> None:
        import psutil

        self.proc = psutil.Process()
        self.peak = self.peak_pss = self.peak_max = 0
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            rss = pss = top = 0
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
            except psutil.Error:
                procs = [self.proc]
            for p in procs:
                try:
                    m = p.memory_full_info()
                except psutil.Error:
                    continue
                rss += m.rss
                pss += getattr(m, "pss", m.rss)
                top = max(top, m.rss)
            self.peak = max(self.peak, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_max = max(self.peak_max, top)
            time.sleep(self.every)

    def __enter__(self) -> TreeRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_one(mode: str, model: Path, corpus: Path, out: Path) -> dict:
    """One measured run, in this (fresh) process."""
    from textfeat.batch import featurize
    from textfeat.corpus import read_jsonl

    t0 = time.perf_counter()
    with TreeRSS() as rss:
        if mode == "spacy":
            import spacy

            nlp = spacy.blank("en")
            n = 0
            for _ in nlp.tokenizer.pipe(
                (r.text for r in read_jsonl(corpus)), batch_size=1000
            ):
                n += 1
        else:
            kw = {
                "n1": {"n_jobs": 1},
                "n2": {"n_jobs": 2},
                "dask2": {"n_jobs": 2, "engine": "dask"},
                "resume": {"n_jobs": 2, "resume": True},
            }[mode]
            report = featurize(model, corpus, out, chunk_size=CHUNK, quiet=True, **kw)
            n = report.n_in
    seconds = time.perf_counter() - t0
    return {
        "mode": mode,
        "records": n,
        "seconds": seconds,
        "peak_rss_mb": rss.peak / 1e6,
        "peak_pss_mb": rss.peak_pss / 1e6,
        "peak_rss_one_process_mb": rss.peak_max / 1e6,
    }


def sub(mode: str, model: Path, corpus: Path, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--one", mode, str(model), str(corpus), str(out)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(f"{mode} run failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def kill_at_half(model: Path, corpus: Path, out: Path, n_records: int) -> float:
    """Start an n_jobs=2 run, SIGKILL its process group at 50 % of the shards."""
    n_shards = -(-n_records // CHUNK)
    cmd = [sys.executable, __file__, "--one", "n2", str(model), str(corpus), str(out)]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL)
    t0 = time.perf_counter()
    while len(list(out.glob("shard-*.json"))) < n_shards // 2:
        if proc.poll() is not None:
            raise RuntimeError("the run ended before 50 %")
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return time.perf_counter() - t0


def machine() -> dict:
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "load_before": os.getloadavg(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=float, default=1024, help="MB of text")
    ap.add_argument(
        "--rss-sizes", default="", help="comma-separated MB sizes for the RSS check"
    )
    ap.add_argument(
        "--modes",
        default="spacy,n1,n2,dask2",
        help="runs one after another; 'spacy+n1' runs two single-process "
        "modes at once, one per core",
    )
    ap.add_argument(
        "--no-resume",
        dest="resume",
        action="store_false",
        help="skip the kill-at-50 %% and resume run",
    )
    ap.add_argument(
        "--rss-modes", default="n2,dask2", help="modes run at each --rss-sizes"
    )
    ap.add_argument("--json", type=Path, default=Path("bench_batch.json"))
    ap.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        mode, model, corpus, out = args.one
        print(json.dumps(run_one(mode, Path(model), Path(corpus), Path(out))))
        return
    results: dict = {"machine": machine(), "size_mb": args.size, "runs": []}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        model = tmp / "model.tfm"
        fit_model(model)
        corpus = tmp / "corpus.jsonl"
        n, nbytes = make_corpus(args.size, corpus)
        results.update(records=n, text_bytes=nbytes)
        print(f"corpus: {n} records, {nbytes / 1e6:.0f} MB of text", flush=True)
        for group in args.modes.split(","):
            # "spacy+n1": single-process runs side by side, one per core
            together = group.split("+")
            with ThreadPoolExecutor(len(together)) as threads:
                runs = list(
                    threads.map(
                        lambda m: sub(m, model, corpus, tmp / f"out-{m}"), together
                    )
                )
            for r in runs:
                r["records_per_s"] = r["records"] / r["seconds"]
                if len(together) > 1:
                    r["ran_beside"] = [m for m in together if m != r["mode"]]
                results["runs"].append(r)
                print(r, flush=True)
        if args.resume:
            # resume after a kill at 50 %
            out = tmp / "out-resume"
            killed_after = kill_at_half(model, corpus, out, n)
            r = sub("resume", model, corpus, out)
            r["killed_after_s"] = killed_after
            results["runs"].append(r)
            print(r, flush=True)
        for mb in [float(s) for s in args.rss_sizes.split(",") if s]:
            c = tmp / f"corpus-{mb:g}.jsonl"
            make_corpus(mb, c)
            for mode in args.rss_modes.split(","):
                r = sub(mode, model, c, tmp / f"out-rss-{mode}-{mb:g}")
                r["size_mb"] = mb
                results.setdefault("rss", []).append(r)
                print(r, flush=True)
            c.unlink()
    results["machine"]["load_after"] = os.getloadavg()
    args.json.write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
