"""``textfeat select OUT_DIR --plot``: the MI plot from shard counts.

The oracle is ``plot_mutual_info`` on the in-memory matrix of the same run
(what ``textfeat select MODEL CORPUS --plot`` draws); the figures are
compared through their matplotlib objects (curve, cut-off, bars, labels,
titles), not as images.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import CHUNK, TOPICS, read_rows, write_rows
from sklearn.pipeline import make_pipeline

from textfeat import OneHotVectorizer, SpacyTokenizer
from textfeat._cli_select import mi_figure, select_out_dir
from textfeat.batch import featurize, load_features
from textfeat.info.plotting import plot_mutual_info, plot_mutual_info_scores
from textfeat.info.scoring import mutual_info, top_features

SCRIPT = Path(sys.executable).parent / "textfeat"
PNG_START = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"


@pytest.fixture(scope="module")
def pipe():
    texts = [r["text"] for r in read_rows()]
    return make_pipeline(SpacyTokenizer(), OneHotVectorizer()).fit(texts)


@pytest.fixture(scope="module")
def run(tmp_path_factory, pipe) -> Path:
    out = tmp_path_factory.mktemp("topics") / "out"
    featurize(pipe, TOPICS, out, chunk_size=CHUNK, quiet=True)
    return out


@pytest.fixture(scope="module")
def partly_labelled(tmp_path_factory, pipe) -> Path:
    rows = read_rows()
    for r in rows[::7]:
        del r["label"]
    base = tmp_path_factory.mktemp("partly")
    out = base / "out"
    featurize(pipe, write_rows(base / "c.jsonl", rows), out, chunk_size=CHUNK, quiet=True)
    return out


def _in_memory_figure(run: Path, pipe, k: int):
    """What ``textfeat select MODEL CORPUS -k K --plot`` draws on the run's rows."""
    X, _, y = load_features(run)
    mask = np.array([v is not None for v in y])
    names = np.asarray(pipe[-1].get_feature_names_out())
    return plot_mutual_info(X[mask], y[mask].astype(str), k=k, feature_names=names, base=2)


def _drawn(fig) -> dict:
    """Everything the figure shows, read back from its matplotlib objects."""
    rank_ax, *class_axes = fig.axes
    curve = rank_ax.lines[0]
    return {
        "size": tuple(fig.get_size_inches()),
        "suptitle": fig.get_suptitle(),
        "rank": {
            "x": curve.get_xdata(),
            "y": curve.get_ydata(),
            "cutoff": [ln.get_xdata()[0] for ln in rank_ax.lines[1:]],
            "texts": [t.get_text() for t in rank_ax.texts],
            "title": rank_ax.get_title(),
            "labels": (rank_ax.get_xlabel(), rank_ax.get_ylabel()),
        },
        "classes": [
            {
                "title": ax.get_title(),
                "names": [t.get_text() for t in ax.get_yticklabels()],
                "values": np.array([p.get_width() for p in ax.patches]),
                "xlabel": ax.get_xlabel(),
                "texts": [t.get_text() for t in ax.texts],
            }
            for ax in class_axes
        ],
    }


def _assert_same_drawing(got, expected) -> None:
    a, b = _drawn(got), _drawn(expected)
    np.testing.assert_allclose(a["rank"].pop("y"), b["rank"].pop("y"), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(a["rank"].pop("x"), b["rank"].pop("x"))
    assert a["rank"] == b["rank"]
    assert a["size"] == b["size"] and a["suptitle"] == b["suptitle"]
    assert len(a["classes"]) == len(b["classes"])
    for pa, pb in zip(a["classes"], b["classes"], strict=True):
        np.testing.assert_allclose(pa.pop("values"), pb.pop("values"), rtol=0, atol=1e-12)
        assert pa == pb


# -- the figure equals the in-memory one ---------------------------------------------


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_plot_from_shards_draws_the_in_memory_plot(run, pipe, n_jobs):
    fig = mi_figure(run, k=12, n_jobs=n_jobs)
    expected = _in_memory_figure(run, pipe, 12)
    _assert_same_drawing(fig, expected)
    # not vacuous: every class panel has bars, the curve has every feature
    drawn = _drawn(fig)
    assert len(drawn["rank"]["y"]) == len(pipe[-1].get_feature_names_out())
    assert all(len(p["values"]) == 5 for p in drawn["classes"])


def test_plot_from_shards_skips_unlabelled_records_as_select_does(partly_labelled, pipe):
    fig = mi_figure(partly_labelled, k=40)
    _assert_same_drawing(fig, _in_memory_figure(partly_labelled, pipe, 40))


def test_scores_plot_equals_plot_mutual_info_on_a_hand_case():
    # "cheap" is the class (1 bit); "at" and "now" are independent of it
    X = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 1], [0, 1, 0]])
    y = ["spam", "spam", "ham", "ham"]
    names = ["cheap", "at", "now"]
    scores = mutual_info(X, y, base=2)
    np.testing.assert_allclose(scores, [1.0, 0.0, 0.0])
    per_class = top_features(X, y, n_top=2, feature_names=names, base=2)
    got = plot_mutual_info_scores(scores, per_class, k=1, n_top=2, base=2, title="t")
    expected = plot_mutual_info(X, y, k=1, n_top=2, feature_names=names, base=2, title="t")
    _assert_same_drawing(got, expected)
    ham, spam = _drawn(got)["classes"]
    assert (ham["names"], ham["texts"], spam["names"]) == ([], ["no feature"], ["cheap"])


# -- the command line ---------------------------------------------------------------------


def _run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, check=False,
        env=env,
    )  # fmt: skip


def test_cli_writes_the_plot_and_links_it_in_the_report(run, tmp_path):
    res = _run("select", str(run), "-k", "12", "--plot", "mi.png", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    data = (tmp_path / "mi.png").read_bytes()
    assert data.startswith(PNG_START) and data.endswith(PNG_END)
    assert "![mutual information](mi.png)" in (tmp_path / "select.md").read_text()
    assert "mi.png" in res.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mi.png", "select.json", "select.md",
    ]  # fmt: skip


def test_cli_plot_format_follows_the_suffix(run, tmp_path):
    res = _run("select", str(run), "-k", "3", "--plot", "mi.svg", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert b"<svg" in (tmp_path / "mi.svg").read_bytes()[:400]


def test_a_failure_while_drawing_keeps_the_old_plot(run, tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    old = tmp_path / "mi.png"
    old.write_bytes(b"the previous plot")

    def broken(self, fname, *args, **kwargs):
        fname.write(b"half a picture")
        raise OSError("disk full while drawing")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        select_out_dir(
            run, k=3, score="mi", n_jobs=1, engine="local", scheduler=None,
            out=tmp_path / "s.json", selector=None, report=tmp_path / "s.md",
            plot=old,
        )  # fmt: skip
    assert old.read_bytes() == b"the previous plot"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_cli_without_matplotlib_says_how_to_install(run, tmp_path):
    fake = tmp_path / "fake"
    (fake / "matplotlib").mkdir(parents=True)
    (fake / "matplotlib" / "__init__.py").write_text(
        "raise ImportError('No module named matplotlib')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(fake)}
    work = tmp_path / "work"
    work.mkdir()
    res = _run("select", str(run), "-k", "3", "--plot", "mi.png", cwd=work, env=env)
    assert res.returncode == 1
    assert "pip install 'textfeat[plot]'" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert list(work.iterdir()) == []  # refused before the work


@pytest.mark.parametrize(
    ("plot", "message"),
    [
        ("folder", "--plot folder is a folder"),
        ("{run}/manifest.json", "is inside the featurize folder"),
        ("{run}", "is a folder"),
        ("select.md", "--plot select.md is also the --report"),
        ("nowhere/mi.png", "--plot nowhere/mi.png: no folder nowhere"),
        ("mi.xyz", "--plot mi.xyz: matplotlib cannot write .xyz files"),
    ],
)
def test_cli_bad_plot_path_is_refused_naming_the_option(run, tmp_path, plot, message):
    (tmp_path / "folder").mkdir()
    manifest = (run / "manifest.json").read_bytes()
    res = _run("select", str(run), "-k", "3", "--plot", plot.format(run=run),
               cwd=tmp_path)  # fmt: skip
    assert res.returncode == 1
    assert message in res.stderr and "--plot" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "select.json").exists()
    assert (run / "manifest.json").read_bytes() == manifest


# -- bad input to plot_mutual_info_scores ---------------------------------------------------


PER_CLASS = {"ham": [("at", 0.5)], "spam": [("cheap", 1.0)]}


@pytest.mark.parametrize(
    ("scores", "per_class", "kwargs", "error", "message"),
    [
        ([[0.1, 0.2]], PER_CLASS, {}, ValueError, "scores must be a 1-d array"),
        ([], PER_CLASS, {}, ValueError, r"scores must be a 1-d array .* shape \(0,\)"),
        ([0.1, math.nan], PER_CLASS, {}, ValueError, "scores must be finite"),
        (["a", "b"], PER_CLASS, {}, TypeError, "scores must be an array of numbers"),
        ([0.1], {}, {}, TypeError, "per_class must be a non-empty mapping"),
        ([0.1], [("at", 0.5)], {}, TypeError, "per_class must be a non-empty mapping"),
        ([0.1], {"ham": [("at",)]}, {}, ValueError, r"per_class\['ham'\] must hold"),
        ([0.1], {"ham": "at"}, {}, TypeError, r"per_class\['ham'\] must be a list"),
        ([0.1], {"ham": [(1, 0.5)]}, {}, ValueError, r"per_class\['ham'\] must hold"),
        ([0.1], {"ham": [("at", math.inf)]}, {}, ValueError, "finite score"),
        ([0.1], PER_CLASS, {"k": 0}, ValueError, "k must be a positive integer"),
        ([0.1], PER_CLASS, {"n_top": True}, ValueError, "n_top must be a positive"),
        ([0.1], PER_CLASS, {"n_cols": 0}, ValueError, "n_cols must be a positive"),
        ([0.1], PER_CLASS, {"score": "kl"}, ValueError, "score must be 'mi' or 'pmi'"),
        ([0.1], PER_CLASS, {"base": 1}, ValueError, "base must be a number greater"),
    ],
)
def test_scores_plot_rejects_bad_input_naming_it(scores, per_class, kwargs, error, message):
    with pytest.raises(error, match=message):
        plot_mutual_info_scores(scores, per_class, **kwargs)
