"""mypy holds for core/ (config in pyproject.toml: the TensorFlow, Keras and scikit-learn names
are left untyped), so `python -m pytest`, the README's test command and CI's, checks it too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_nothing_in_core():
    done = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if "No module named mypy" in done.stderr:
        raise AssertionError("mypy is not installed: pip install -r requirements-dev.txt")
    assert done.returncode == 0, done.stdout + done.stderr
