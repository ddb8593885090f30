"""Shared fixtures. Dataset tests read EMNIST_DIR; without it they skip loudly (never in CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # no GPU probe (and no CUDA errors) in tests
# Importing app/ limits BLAS to one thread per call, right for a server shared by sessions; the
# suite runs one test at a time in one process, and core's batch tests want every core.
os.environ.setdefault("MODULEX_BLAS_THREADS", str(os.cpu_count() or 1))

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_skipped_for_data: list[str] = []


@pytest.fixture(scope="session")
def emnist_dir() -> Path:
    """The real dataset folder; skip (loudly) when EMNIST_DIR is unset, fail in CI."""
    configured = os.environ.get("EMNIST_DIR")
    if not configured:
        message = (
            "EMNIST_DIR is not set: tests on the real EMNIST data are SKIPPED "
            "(set EMNIST_DIR=../shared/emnist)"
        )
        if IN_CI:
            pytest.fail(message + " -- CI must run them")
        _skipped_for_data.append(message)
        pytest.skip(message)
    folder = Path(configured).resolve()
    if not (folder / "pairs").is_dir():
        pytest.fail(f"EMNIST_DIR={configured} has no pairs/ folder")
    return folder


def pytest_terminal_summary(terminalreporter):
    if _skipped_for_data:
        terminalreporter.write_sep("!", "DATASET TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(_skipped_for_data)} tests: {_skipped_for_data[0]}", red=True
        )
