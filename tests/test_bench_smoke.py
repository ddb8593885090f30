"""The benchmark command runs end to end on a tiny configuration (no timing assertions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_quick_writes_results(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--skip-browser", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["machine"]["cores"] >= 1
    assert results["micro"]["modulex"]["latency_batch1"]["calls"] >= 10
    assert results["micro"]["modulex"]["throughput_64"] > 0
    report = (tmp_path / "results.md").read_text()
    assert "## Targets" in report and "modulex" in report and "tf_gradient_x_input" in report


@pytest.mark.slow
def test_bench_levels_quick_writes_its_section(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "levels", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    levels = json.loads((tmp_path / "results.json").read_text())["levels"]
    row = levels["networks"]["2Z/dense"]
    assert row["strokes_8"]["strokes"] == [8] and row["flip"]["calls"] >= 3
    report = (tmp_path / "results.md").read_text()
    assert "## Why, at every level" in report and "Levels, 2Z/dense" in report
