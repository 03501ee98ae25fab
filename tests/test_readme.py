"""Every ```python block of the README runs as written, each in a fresh interpreter started in an empty
folder (as a user pasting it would), on the bundled sample; the blocks assert what they show."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M)


def test_the_readme_shows_the_python_api() -> None:
    assert len(BLOCKS) >= 4
    assert all("import tracklens" in b for b in BLOCKS)
    assert sum("tracklens.evaluate(" in b or "Accumulator(" in b or "evaluate_frames(" in b for b in BLOCKS) >= 3


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{k + 1}" for k in range(len(BLOCKS))])
def test_readme_block_runs(block: str, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"README block failed:\n{block}\n--- stderr ---\n{proc.stderr[-3000:]}"
    assert not list(tmp_path.iterdir()), "a README example wrote files into the working folder"
