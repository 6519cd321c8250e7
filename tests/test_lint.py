"""The tree is clean under ruff (actlib, tests, tools and the notebooks), so lint is part of CI."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed: pip install -r requirements.txt")
    result = subprocess.run([ruff, "check", "--no-cache", "--output-format", "concise", "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, "ruff found problems (fix them, or run `ruff check --fix .`):\n" + result.stdout + result.stderr
