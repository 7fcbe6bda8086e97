"""Audit of issue 10's promises through the public surface, one behaviour each.

Each test is a case a hostile user would try next to one the issue named: a
neighbouring member of a class of failure (another format, option, engine or
file layout) that must keep "nothing is dropped silently", "a resume is
refused if the corpus changed" and "runs no code from the file".
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sklearn.pipeline import make_pipeline

from textfeat import OneHotVectorizer, SpacyTokenizer
from textfeat.batch import BatchError, featurize, load_features

TRAIN = ["a cat", "a dog", "the cat sat", "the dog ran"]


@pytest.fixture(scope="module")
def pipe():
    return make_pipeline(SpacyTokenizer(), OneHotVectorizer()).fit(TRAIN)


def interrupt(out: Path, last: int) -> None:
    """Make a finished run look killed before shard ``last`` was complete."""
    (out / "manifest.json").unlink()
    (out / f"shard-{last:05d}.json").unlink()


# -- resume: the fingerprint covers exactly what the reader reads ----------------------
def test_resume_refused_after_edit_inside_symlinked_label_folder(pipe, tmp_path):
    # The reader follows a label folder that is a symbolic link; the corpus
    # fingerprint must cover the files behind it too.
    (tmp_path / "ext" / "pos").mkdir(parents=True)
    (tmp_path / "ext" / "pos" / "1.txt").write_text("a cat\n")
    (tmp_path / "ext" / "pos" / "2.txt").write_text("a dog\n")
    corpus = tmp_path / "corpus"
    (corpus / "neg").mkdir(parents=True)
    (corpus / "neg" / "1.txt").write_text("the dog ran\n")
    os.symlink(tmp_path / "ext" / "pos", corpus / "pos")
    out = tmp_path / "out"
    featurize(pipe, corpus, out, format="dir", chunk_size=1, quiet=True)
    interrupt(out, 2)
    (tmp_path / "ext" / "pos" / "2.txt").write_text("the cat\n")  # same size
    with pytest.raises(BatchError, match="corpus changed.*pos/2.txt"):
        featurize(
            pipe, corpus, out, format="dir", chunk_size=1, quiet=True, resume=True
        )


# -- labels: what the reader yields can be stored ---------------------------------------
def test_label_too_large_for_int64_is_quarantined_not_run_stopping(pipe, tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        '{"text": "a cat", "label": 1}\n'
        '{"text": "a dog", "label": 99999999999999999999}\n'
        '{"text": "the cat sat", "label": 2}\n'
    )
    out = tmp_path / "out"
    featurize(pipe, corpus, out, quarantine=True, quiet=True)
    _, ids, labels = load_features(out)
    entry = json.loads((out / "quarantine.jsonl").read_text())
    assert (list(ids), labels.tolist(), entry["line"]) == (
        ["c.jsonl:1", "c.jsonl:3"],
        [1, 2],
        2,
    )
