"""The README's Python examples run, so they cannot drift from the code."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(code, capsys):
    cwd = Path.cwd()
    os.chdir(ROOT)  # examples use paths relative to the project root
    try:
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    match = re.search(r"accuracy: ([0-9.]+)", out)
    if match:  # the pipeline example prints its accuracy: it must have learned
        assert float(match.group(1)) > 0.9
