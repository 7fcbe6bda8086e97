"""End-to-end out-of-core benchmark (issue 12): fit, featurize, select, train.

On 20 Newsgroups train repeated to a size (``make_corpus`` of
``bench_batch.py``), runs the command-line pipeline a user with a corpus
larger than memory runs, each stage in a fresh process tree whose peak memory
is sampled (``TreeRSS`` of ``bench_batch.py``: summed RSS, summed PSS and the
largest process):

1. ``textfeat fit CORPUS --config feat.toml --chunk-size N -j J`` -- the
   streaming fit of the feature steps of the default pipeline
   (``DEFAULT_CONFIG`` less its classifier);
2. ``textfeat featurize feat.tfm CORPUS OUT_DIR --chunk-size N -j J``;
3. ``textfeat select OUT_DIR -k 20000``;
4. ``textfeat train OUT_DIR --select select.json -C 10 --max-iter 300``;

then the test accuracy of the trained head on 20news test (the test set
transformed by ``feat.tfm``, the selected columns kept). Stage ``inmem`` runs
the in-memory counterparts on one corpus (``pipe.fit``, ``pipe.transform``,
``mutual_info`` + top-k, ``SoftmaxClassifier.fit``) and stage ``baseline``
fits the default pipeline in memory on 20news train itself. Results
accumulate in one JSON file (``--json``), keyed by engine, workers and size,
so parts can run separately; ``--report`` prints the markdown tables.

    python benchmarks/bench_outofcore.py --sizes 100 --stages inmem,baseline
    python benchmarks/bench_outofcore.py --sizes 100,256,1024 --engines local
    python benchmarks/bench_outofcore.py --sizes 256 --engines dask
    python benchmarks/bench_outofcore.py --report

Stage 1 needs the streaming ``textfeat fit`` (``--chunk-size``); without it
(``--fit-model inmem``, or when ``fit`` is not in ``--stages`` and the run
has no ``feat.tfm``) stages 2-4 use the feature pipeline fitted in memory
by stage ``inmem`` (``feat-inmem-<size>.tfm``) and the run records that.

Not collected by pytest. Develop with a small size (``--sizes 5``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_batch import NEWS, TreeRSS, machine, make_corpus  # noqa: E402

NEWS_TEST = NEWS.with_name("test.jsonl.gz")
TEXTFEAT = str(Path(sys.executable).with_name("textfeat"))
STAGES = ("fit", "featurize", "select", "train")
#: Also measured: ``textfeat train --no-cache`` (shards read again at each
#: iteration) for a few iterations, for its memory; not in the end-to-end total.
EXTRA = ("train_nocache",)
CLI_STAGES = (*STAGES, *EXTRA, "accuracy")


# -- helpers -------------------------------------------------------------------


def uptime() -> str:
    """``uptime``'s line (load averages), for the record."""
    try:
        return subprocess.run(
            ["uptime"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def code_version() -> str:
    """HEAD and the textfeat files modified in the working tree (shared tree)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--short", "--", "textfeat"],
            capture_output=True,
            text=True,
        ).stdout.split("\n")
    except OSError:
        return "unknown"
    changed = [line[3:] for line in dirty if line.strip()]
    return head + (f" + uncommitted {', '.join(changed)}" if changed else "")


def feature_config() -> str:
    """``DEFAULT_CONFIG`` without its final classifier step."""
    from textfeat.io.config import DEFAULT_CONFIG

    blocks = DEFAULT_CONFIG.split("[[step]]")
    kept = [b for b in blocks[1:] if "SoftmaxClassifier" not in b]
    return "".join("[[step]]" + b for b in kept)


def head_params() -> dict[str, Any]:
    """C and max_iter of the default config's SoftmaxClassifier."""
    from textfeat.io.config import load_config

    clf = load_config().steps[-1][1]
    return {"C": clf.C, "max_iter": clf.max_iter}


def corpus_path(work: Path, size: float) -> Path:
    """The corpus of ``size`` MB, written once (``make_corpus``) and reused.

    Its record count and text bytes sit beside it in ``<corpus>.meta.json``.
    A file placed there by hand (e.g. a hard link to the corpus of
    ``bench_batch.py``, which deletes its own at exit) is counted once.
    """
    path = work / f"corpus-{size:g}.jsonl"
    meta = path.with_suffix(".meta.json")
    if path.exists() and not meta.exists():
        n = nbytes = 0
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                n += 1
                nbytes += len(json.loads(line)["text"].encode())
        meta.write_text(json.dumps({"records": n, "text_bytes": nbytes}))
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        n, nbytes = make_corpus(size, tmp)
        tmp.rename(path)
        meta.write_text(json.dumps({"records": n, "text_bytes": nbytes}))
    return path


def corpus_meta(path: Path) -> dict[str, int]:
    return json.loads(path.with_suffix(".meta.json").read_text())


def streaming_fit_available() -> bool:
    """Whether ``textfeat fit`` has the streaming mode (``--chunk-size``)."""
    res = subprocess.run(
        [TEXTFEAT, "fit", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    return "--chunk-size" in res.stdout


class Results:
    """The accumulated JSON: machine, sessions, and runs keyed by engine, workers, size.

    Several invocations may run at once: ``save`` re-reads the file under a
    lock and writes back only the entries this process touched.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.doc: dict[str, Any] = self._read()
        self.doc.setdefault("runs", {})
        self.touched: set[str] = set()
        self.session: dict[str, Any] | None = None

    def _read(self) -> dict[str, Any]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def run(self, key: str) -> dict[str, Any]:
        self.touched.add(key)
        return self.doc["runs"].setdefault(key, {"stages": {}})

    def set_run(self, key: str, value: dict[str, Any]) -> None:
        self.touched.add(key)
        self.doc["runs"][key] = value

    def save(self) -> None:
        import fcntl

        with self.path.with_suffix(".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            disk = self._read()
            disk.setdefault("runs", {})
            for key in self.touched:
                disk["runs"][key] = self.doc["runs"][key]
            for key in ("machine", "baseline"):
                if key in self.doc:
                    disk[key] = self.doc[key]
            if self.session is not None:
                sessions = disk.setdefault("sessions", [])
                ids = [s.get("id") for s in sessions]
                if self.session["id"] in ids:
                    sessions[ids.index(self.session["id"])] = self.session
                else:
                    sessions.append(self.session)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(disk, indent=1))
            tmp.replace(self.path)


# -- measured child processes ------------------------------------------------------


def measure(cmd: list[str], log: Path) -> dict[str, Any]:
    """Run ``cmd`` in a light wrapper process that samples the whole tree."""
    wrapper = [sys.executable, __file__, "--measure", json.dumps(cmd)]
    with log.open("a") as fh:
        fh.write(f"$ {' '.join(cmd)}\n")
        fh.flush()
        res = subprocess.run(wrapper, stdout=subprocess.PIPE, stderr=fh, text=True)
    lines = res.stdout.strip().splitlines()
    out = json.loads(lines[-1]) if lines else {}
    if res.returncode or out.get("returncode"):
        raise RuntimeError(
            f"failed ({out.get('returncode', res.returncode)}): {' '.join(cmd)}; see {log}"
        )
    return out


def _measure_main(cmd: list[str]) -> None:
    """Wrapper side: the command's wall time and the tree's peak memory."""
    t0 = time.perf_counter()
    with TreeRSS() as rss:
        res = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t0
    sys.stderr.write(res.stdout)
    print(
        json.dumps(
            {
                "cmd": " ".join(Path(c).name if c == TEXTFEAT else c for c in cmd),
                "returncode": res.returncode,
                "seconds": seconds,
                "peak_rss_mb": rss.peak / 1e6,
                "peak_pss_mb": rss.peak_pss / 1e6,
                "peak_rss_one_process_mb": rss.peak_max / 1e6,
                "stdout_tail": res.stdout.strip().splitlines()[-3:],
            }
        )
    )


def run_json(args: list[str], log: Path) -> dict[str, Any]:
    """Run this script with ``args`` in a fresh process; its last stdout line."""
    with log.open("a") as fh:
        fh.write(f"$ bench_outofcore.py {' '.join(args)}\n")
        fh.flush()
        res = subprocess.run(
            [sys.executable, __file__, *args],
            stdout=subprocess.PIPE,
            stderr=fh,
            text=True,
        )
    if res.returncode:
        raise RuntimeError(f"bench_outofcore.py {' '.join(args)} failed; see {log}")
    return json.loads(res.stdout.strip().splitlines()[-1])


# -- in-memory counterparts ----------------------------------------------------------


def _top_k(scores: Any, k: int) -> Any:
    """Column indices of the ``k`` best scores, ascending (SelectKBest's rule)."""
    import numpy as np

    order = np.argsort(scores, kind="mergesort")
    return np.sort(order[-k:])


def _test_set() -> tuple[list[str], list[str]]:
    from textfeat.corpus import load_jsonl

    texts, labels, _ = load_jsonl(NEWS_TEST)
    return texts, labels


def _inmem_main(corpus: Path, feat_toml: Path, save_to: Path, opts: dict) -> None:
    """The four stages in memory on ``corpus``, each timed and its peak sampled.

    Peaks are of this process (and the tokenizer's workers) during the stage,
    so they include what earlier stages left in memory (texts, X).
    """
    import numpy as np

    from textfeat import SoftmaxClassifier, mutual_info
    from textfeat.corpus import load_jsonl
    from textfeat.io.config import load_config
    from textfeat.io.persist import save

    texts, labels, _ = load_jsonl(corpus)
    y = np.asarray(labels)
    pipe = load_config(feat_toml)
    tok = pipe.steps[0][1]
    tok.set_params(n_jobs=opts["jobs"])
    out: dict[str, Any] = {"records": len(texts), "tokenizer_n_jobs": opts["jobs"]}

    def timed(name: str, fn: Any) -> Any:
        t0 = time.perf_counter()
        with TreeRSS() as rss:
            value = fn()
        out[name] = {
            "seconds": time.perf_counter() - t0,
            "peak_rss_mb": rss.peak / 1e6,
            "peak_pss_mb": rss.peak_pss / 1e6,
            "peak_rss_one_process_mb": rss.peak_max / 1e6,
        }
        print(name, out[name], file=sys.stderr, flush=True)
        return value

    timed("fit", lambda: pipe.fit(texts))
    X = timed("featurize", lambda: pipe.transform(texts))
    idx = timed("select", lambda: _top_k(mutual_info(X, y, base=2), opts["k"]))
    clf = SoftmaxClassifier(C=opts["C"], max_iter=opts["max_iter"])
    timed("train", lambda: clf.fit(X[:, idx], y))
    out["n_features"] = int(X.shape[1])
    out["train_n_iter"] = int(clf.n_iter_)
    tok.set_params(n_jobs=1)
    save(pipe, save_to)
    np.save(save_to.with_suffix(".select.npy"), idx)
    t_texts, t_labels = _test_set()
    pred = clf.predict(pipe.transform(t_texts)[:, idx])
    out["test_accuracy"] = float(np.mean(pred == np.asarray(t_labels)))
    out["n_test"] = len(t_texts)
    print(json.dumps(out))


def _baseline_main(feat_toml: Path, opts: dict) -> None:
    """The default pipeline fitted in memory on 20news train itself; test accuracy.

    Also with the ``k`` best columns by mutual information (the streaming
    pipeline's selection, made in memory).
    """
    import numpy as np

    from textfeat import SoftmaxClassifier, mutual_info
    from textfeat.corpus import load_jsonl
    from textfeat.io.config import load_config

    texts, labels, _ = load_jsonl(NEWS)
    y = np.asarray(labels)
    t0 = time.perf_counter()
    pipe = load_config(feat_toml)
    X = pipe.fit_transform(texts)
    t_texts, t_labels = _test_set()
    Xt = pipe.transform(t_texts)
    yt = np.asarray(t_labels)
    out: dict[str, Any] = {"records": len(texts), "n_features": int(X.shape[1])}
    clf = SoftmaxClassifier(C=opts["C"], max_iter=opts["max_iter"]).fit(X, y)
    out["test_accuracy_all_columns"] = float(np.mean(clf.predict(Xt) == yt))
    k = min(opts["k"], X.shape[1])
    idx = _top_k(mutual_info(X, y, base=2), k)
    clf = SoftmaxClassifier(C=opts["C"], max_iter=opts["max_iter"]).fit(X[:, idx], y)
    out["test_accuracy_top_k"] = float(np.mean(clf.predict(Xt[:, idx]) == yt))
    out["k"] = k
    out["seconds"] = time.perf_counter() - t0
    out["n_test"] = len(t_texts)
    print(json.dumps(out))


def _accuracy_main(run_dir: Path) -> None:
    """Test accuracy of a streaming run: feat.tfm, select.json, head.tfm."""
    import numpy as np

    from textfeat.io.persist import load

    pipe = load(run_dir / "feat-used.tfm")
    head = load(run_dir / "head.tfm")
    sel = json.loads((run_dir / "select.json").read_text())
    idx = np.asarray(sel["indices"])
    texts, labels = _test_set()
    t0 = time.perf_counter()
    pred = head.predict(pipe.transform(texts)[:, idx])
    out = {
        "test_accuracy": float(np.mean(pred == np.asarray(labels))),
        "n_test": len(texts),
        "seconds": time.perf_counter() - t0,
        "n_features": int(sel["n_features"]),
        "k": int(sel["k"]),
        "train_n_iter": int(getattr(head, "n_iter_", -1)),
    }
    print(json.dumps(out))


def _names_main(a: Path, b: Path) -> None:
    """Whether two fitted feature pipelines give the same feature names, in order."""
    from textfeat.io.persist import load

    na = load(a).get_feature_names_out().tolist()
    nb = load(b).get_feature_names_out().tolist()
    print(
        json.dumps(
            {
                "n_a": len(na),
                "n_b": len(nb),
                "same_order": na == nb,
                "same_set": set(na) == set(nb),
            }
        )
    )


# -- the streaming pipeline ------------------------------------------------------------


def stage_cmd(
    stage: str, run_dir: Path, corpus: Path, a: argparse.Namespace, engine: str
) -> list[str]:
    """The ``textfeat`` command of one stage."""
    par = ["-j", str(a.jobs)] + (["--engine", "dask"] if engine == "dask" else [])
    if stage == "fit":
        return [
            TEXTFEAT, "fit", str(corpus), "--config", str(a.work / "feat.toml"),
            "--out", str(run_dir / "feat.tfm"), "--chunk-size", str(a.chunk_size),
            *par, "--json", "--quiet",
        ]  # fmt: skip
    if stage == "featurize":
        return [
            TEXTFEAT, "featurize", str(run_dir / "feat.tfm"), str(corpus),
            str(run_dir / "out"), "--chunk-size", str(a.chunk_size), *par, "--quiet",
        ]  # fmt: skip
    if stage == "select":
        return [
            TEXTFEAT, "select", str(run_dir / "out"), "-k", str(a.k), *par,
            "--out", str(run_dir / "select.json"),
            "--report", str(run_dir / "select.md"),
        ]  # fmt: skip
    if stage == "train":
        return [
            TEXTFEAT, "train", str(run_dir / "out"), "--out", str(run_dir / "head.tfm"),
            "-C", f"{a.C:g}", "--max-iter", str(a.max_iter), *par,
            "--select", str(run_dir / "select.json"),
        ]  # fmt: skip
    if stage == "train_nocache":  # memory only: a few iterations
        return [
            TEXTFEAT, "train", str(run_dir / "out"),
            "--out", str(run_dir / "head-nocache.tfm"), "-C", f"{a.C:g}",
            "--max-iter", str(a.nocache_iter), *par,
            "--select", str(run_dir / "select.json"), "--no-cache",
        ]  # fmt: skip
    raise ValueError(stage)


def _clear(stage: str, run_dir: Path) -> None:
    """Remove what an earlier run of ``stage`` left (outputs must be new)."""
    targets = {
        "fit": ["feat.tfm", "feat.tfm.work"],
        "featurize": ["out"],
        "select": ["select.json", "select.md"],
        "train": ["head.tfm"],
        "train_nocache": ["head-nocache.tfm"],
    }[stage]
    for name in targets:
        p = run_dir / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def run_streaming(
    a: argparse.Namespace, res: Results, engine: str, size: float
) -> None:
    corpus = corpus_path(a.work, size)
    meta = corpus_meta(corpus)
    key = f"{engine}-j{a.jobs}-{size:g}MB"
    run_dir = a.work / key
    run_dir.mkdir(parents=True, exist_ok=True)
    log = run_dir / "log.txt"
    run = res.run(key)
    run.update(
        engine=engine,
        jobs=a.jobs,
        size_mb=size,
        records=meta["records"],
        text_bytes=meta["text_bytes"],
        chunk_size=a.chunk_size,
        k=a.k,
        C=a.C,
        max_iter=a.max_iter,
    )
    wanted = [s for s in CLI_STAGES if s in a.stages]
    if not wanted:
        return
    run.setdefault("uptime", []).append({"start": uptime(), "stages": wanted})
    res.save()
    for stage in wanted:
        if stage == "fit" and a.fit_model != "stream":
            continue
        if stage == "featurize" and (
            a.fit_model == "inmem" or not (run_dir / "feat.tfm").exists()
        ):
            fallback = a.work / f"feat-inmem-{a.inmem_size:g}.tfm"
            if not fallback.exists():
                raise SystemExit(
                    f"{run_dir / 'feat.tfm'} missing and no {fallback}: run stage fit "
                    f"or stage inmem at --sizes {a.inmem_size:g} first"
                )
            shutil.copyfile(fallback, run_dir / "feat.tfm")
            run["model_from"] = f"in-memory fit on the {a.inmem_size:g} MB corpus"
        elif stage == "featurize" and "fit" in wanted:
            run["model_from"] = "streaming fit (stage 1 of this run)"
        print(f"[{time.strftime('%H:%M:%S')}] {key}: {stage}", flush=True)
        if stage == "accuracy":
            run["stages"]["accuracy"] = run_json(["--accuracy", str(run_dir)], log)
        else:
            _clear(stage, run_dir)
            if stage == "featurize":  # the model the shards, and so the head, use
                shutil.copyfile(run_dir / "feat.tfm", run_dir / "feat-used.tfm")
            r = measure(stage_cmd(stage, run_dir, corpus, a, engine), log)
            r["records_per_s"] = meta["records"] / r["seconds"]
            if stage == "fit":  # fit --json: the seconds of its own stages
                try:
                    r["fit_report"] = json.loads(r["stdout_tail"][-1])
                except (IndexError, ValueError):
                    pass
            r["uptime_end"] = uptime()
            r["code"] = code_version()
            run["stages"][stage] = r
        print(f"  {run['stages'][stage]}", flush=True)
        res.save()
    run["uptime"][-1]["end"] = uptime()
    res.save()
    if a.clean and (run_dir / "out").exists():
        shutil.rmtree(run_dir / "out")


def run_inmem(a: argparse.Namespace, res: Results, size: float) -> None:
    corpus = corpus_path(a.work, size)
    key = f"inmem-{size:g}MB"
    log = a.work / f"{key}.log"
    start = uptime()
    print(f"[{time.strftime('%H:%M:%S')}] {key}", flush=True)
    opts = {"jobs": a.jobs, "k": a.k, "C": a.C, "max_iter": a.max_iter}
    out = run_json(
        [
            "--inmem",
            str(corpus),
            str(a.work / "feat.toml"),
            str(a.work / f"feat-inmem-{size:g}.tfm"),
            json.dumps(opts),
        ],
        log,
    )
    out.update(size_mb=size, uptime={"start": start, "end": uptime()}, **opts)
    res.set_run(key, out)
    res.save()
    print(f"  {out}", flush=True)


def run_baseline(a: argparse.Namespace, res: Results) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] baseline", flush=True)
    start = uptime()
    opts = {"k": a.k, "C": a.C, "max_iter": a.max_iter}
    out = run_json(
        ["--baseline", str(a.work / "feat.toml"), json.dumps(opts)],
        a.work / "baseline.log",
    )
    out.update(uptime={"start": start, "end": uptime()}, **opts)
    res.doc["baseline"] = out
    res.save()
    print(f"  {out}", flush=True)


# -- report ----------------------------------------------------------------------------


def _mb(x: float | None) -> str:
    return "" if x is None else f"{x:,.0f}"


def report(doc: dict[str, Any], inmem_size: float) -> str:
    """Markdown tables of the accumulated results."""
    runs = doc["runs"]
    stream = {
        k: r
        for k, r in runs.items()
        if not k.startswith("inmem") and any(s in r["stages"] for s in STAGES)
    }
    lines: list[str] = []
    # times and memory, per run
    lines += [
        "| run | records | stage | seconds | records/s | summed PSS MB | summed RSS MB | largest process MB |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for key, r in sorted(
        stream.items(), key=lambda kv: (kv[1]["engine"], kv[1]["size_mb"])
    ):
        total = 0.0
        for s in (*STAGES, *EXTRA):
            m = r["stages"].get(s)
            if m is None:
                continue
            total += m["seconds"] if s in STAGES else 0.0
            lines.append(
                f"| {key} | {r['records']:,} | {s} | {m['seconds']:,.1f} | "
                f"{m['records_per_s']:,.0f} | {_mb(m['peak_pss_mb'])} | "
                f"{_mb(m['peak_rss_mb'])} | {_mb(m['peak_rss_one_process_mb'])} |"
            )
        done = [s for s in STAGES if s in r["stages"]]
        lines.append(
            f"| {key} | | **total ({'+'.join(done)})** | **{total:,.1f}** | "
            f"{r['records'] / total if total else 0:,.0f} | | | |"
        )
    # ratios against the in-memory counterpart
    mem = runs.get(f"inmem-{inmem_size:g}MB")
    if mem:
        lines += [
            "",
            f"Per record, streaming against in memory on the {inmem_size:g} MB slice "
            f"({mem['records']:,} records; in memory: tokenizer n_jobs="
            f"{mem['tokenizer_n_jobs']}):",
            "",
            "| run | fit | featurize | select | train |",
            "|---|---:|---:|---:|---:|",
            "| in memory, s per 1,000 records | "
            + " | ".join(
                f"{1000 * mem[s]['seconds'] / mem['records']:.2f}" for s in STAGES
            )
            + " |",
        ]
        for key, r in sorted(
            stream.items(), key=lambda kv: (kv[1]["engine"], kv[1]["size_mb"])
        ):
            cells = []
            for s in STAGES:
                m = r["stages"].get(s)
                if m is None:
                    cells.append("not measured")
                    continue
                ratio = (m["seconds"] / r["records"]) / (
                    mem[s]["seconds"] / mem["records"]
                )
                cells.append(f"{ratio:.2f}x")
            lines.append(f"| {key} | " + " | ".join(cells) + " |")
    # memory against size
    lines += [
        "",
        "| engine | stage | "
        + " | ".join(
            f"{r['size_mb']:g} MB PSS / RSS"
            for r in sorted(
                {r["size_mb"]: r for r in stream.values()}.values(),
                key=lambda r: r["size_mb"],
            )
        )
        + " | change of PSS, smallest to largest |",
    ]
    sizes = sorted({r["size_mb"] for r in stream.values()})
    lines.append("|---|---|" + "---:|" * (len(sizes) + 1))
    for engine in sorted({r["engine"] for r in stream.values()}):
        for s in (*STAGES, *EXTRA):
            cells, pss = [], []
            for size in sizes:
                r = next(
                    (
                        r
                        for r in stream.values()
                        if r["engine"] == engine and r["size_mb"] == size
                    ),
                    None,
                )
                m = r and r["stages"].get(s)
                if not m:
                    cells.append("")
                    continue
                pss.append(m["peak_pss_mb"])
                cells.append(f"{m['peak_pss_mb']:,.0f} / {m['peak_rss_mb']:,.0f}")
            change = f"{100 * (pss[-1] / pss[0] - 1):+.0f} %" if len(pss) > 1 else ""
            lines.append(f"| {engine} | {s} | " + " | ".join(cells) + f" | {change} |")
    # accuracy
    lines += ["", "| model | test accuracy (20news test) |", "|---|---:|"]
    for key, r in sorted(
        stream.items(), key=lambda kv: (kv[1]["engine"], kv[1]["size_mb"])
    ):
        acc = r["stages"].get("accuracy")
        if acc:
            lines.append(
                f"| streaming {key} (top {acc['k']:,} of {acc['n_features']:,} "
                f"columns, {acc['train_n_iter']} L-BFGS steps) | {acc['test_accuracy']:.4f} |"
            )
    for key, r in runs.items():
        if key.startswith("inmem") and "test_accuracy" in r:
            lines.append(
                f"| in memory on the {r['size_mb']:g} MB corpus (top {r['k']:,}) | "
                f"{r['test_accuracy']:.4f} |"
            )
    b = doc.get("baseline")
    if b:
        lines.append(
            f"| in memory on 20news train (default pipeline, all {b['n_features']:,} "
            f"columns) | {b['test_accuracy_all_columns']:.4f} |"
        )
        lines.append(
            f"| in memory on 20news train, top {b['k']:,} by MI | "
            f"{b['test_accuracy_top_k']:.4f} |"
        )
    return "\n".join(lines)


# -- main --------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="100", help="MB of text, comma-separated")
    ap.add_argument(
        "--stages",
        default="fit,featurize,select,train,accuracy",
        help="of fit,featurize,select,train,accuracy (streaming), inmem, baseline",
    )
    ap.add_argument("--engines", default="local", help="local, dask or both")
    ap.add_argument("--jobs", type=int, default=2, help="-j of every stage")
    ap.add_argument("--chunk-size", type=int, default=2000)
    ap.add_argument("-k", dest="k", type=int, default=20000)
    ap.add_argument("-C", dest="C", type=float, default=None, help="default: config's")
    ap.add_argument("--max-iter", type=int, default=None, help="default: config's")
    ap.add_argument(
        "--fit-model",
        choices=["auto", "stream", "inmem"],
        default="auto",
        help="feat.tfm of stages 2-4: the streaming fit (stage 1), the in-memory "
        "fit of stage inmem, or auto (streaming if textfeat fit has it)",
    )
    ap.add_argument("--inmem-size", type=float, default=100)
    ap.add_argument("--work", type=Path, default=Path("/tmp/ooc"))
    ap.add_argument(
        "--json", type=Path, default=None, help="default: WORK/results.json"
    )
    ap.add_argument(
        "--clean", action="store_true", help="remove the featurize output at the end"
    )
    ap.add_argument(
        "--nocache-iter",
        type=int,
        default=5,
        help="--max-iter of stage train_nocache (textfeat train --no-cache)",
    )
    ap.add_argument("--report", action="store_true", help="print the tables and exit")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--inmem", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--baseline", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--accuracy", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--names", nargs=2, type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.measure:
        return _measure_main(json.loads(a.measure))
    if a.inmem:
        c, toml, to, opts = a.inmem
        return _inmem_main(Path(c), Path(toml), Path(to), json.loads(opts))
    if a.baseline:
        return _baseline_main(Path(a.baseline[0]), json.loads(a.baseline[1]))
    if a.accuracy:
        return _accuracy_main(a.accuracy)
    if a.names:
        return _names_main(*a.names)
    a.json = a.json or a.work / "results.json"
    if a.report:
        print(report(json.loads(a.json.read_text()), a.inmem_size))
        return
    defaults = head_params()
    a.C = defaults["C"] if a.C is None else a.C
    a.max_iter = defaults["max_iter"] if a.max_iter is None else a.max_iter
    a.stages = set(a.stages.split(","))
    a.work.mkdir(parents=True, exist_ok=True)
    (a.work / "feat.toml").write_text(feature_config())
    if a.fit_model == "auto":
        a.fit_model = "stream" if streaming_fit_available() else "inmem"
    res = Results(a.json)
    import platform

    res.doc.setdefault("machine", {**machine(), "python": platform.python_version()})
    res.session = {
        "id": f"{os.getpid()}-{time.time():.0f}",
        "argv": sys.argv[1:],
        "start": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "uptime": uptime(),
        "fit_model": a.fit_model,
    }
    res.save()
    sizes = [float(s) for s in a.sizes.split(",") if s]
    if "baseline" in a.stages:
        run_baseline(a, res)
    for size in sizes:
        if "inmem" in a.stages:
            run_inmem(a, res, size)
    for engine in a.engines.split(","):
        for size in sizes:
            run_streaming(a, res, engine, size)
    res.session["end"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    res.session["uptime_end"] = uptime()
    res.save()


if __name__ == "__main__":
    main()
