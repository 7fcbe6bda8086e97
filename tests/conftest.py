"""Shared fixtures: the real corpora beside the project, skipped when absent,
and the project's own small labelled corpus (``corpora/topics.jsonl``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpora"
NEWS = SHARED / "20news"
UD_EWT = SHARED / "ud-ewt"
#: 360 labelled records in three classes, written by the project.
TOPICS = ROOT / "corpora" / "topics.jsonl"
#: A chunk size that does not divide the 360 records of TOPICS.
CHUNK = 37


def require(path: Path) -> Path:
    """Skip the calling test, with the reason, when ``path`` does not exist."""
    if not path.exists():
        pytest.skip(f"real corpus not available: {path} is absent (see README)")
    return path


def read_rows(path: Path = TOPICS) -> list[dict]:
    """The records of a JSON Lines corpus, as dicts."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_rows(path: Path, rows: list[dict]) -> Path:
    """Write ``rows`` as a JSON Lines corpus at ``path``; returns ``path``."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
