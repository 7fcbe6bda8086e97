"""Shared fixtures: the real corpora beside the project, skipped when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpora"
NEWS = SHARED / "20news"
UD_EWT = SHARED / "ud-ewt"


def require(path: Path) -> Path:
    """Skip the calling test, with the reason, when ``path`` does not exist."""
    if not path.exists():
        pytest.skip(f"real corpus not available: {path} is absent (see README)")
    return path
