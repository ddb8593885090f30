"""The stderr filter drops exactly the known harmless lines and passes everything else."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.quiet import harmless

ROOT = Path(__file__).resolve().parents[2]


def test_known_lines_are_harmless_and_real_ones_are_not():
    assert harmless(b"E0000 00:00:1 cuda_platform.cc:52] failed call to cuInit: INTERNAL")
    assert harmless(b"I0000 port.cc:153] oneDNN custom operations are on. You may see")
    assert not harmless(b"E0000 something else failed")
    assert not harmless(b"Traceback (most recent call last):")


@pytest.mark.slow
def test_a_filtered_process_keeps_real_lines_in_order(tmp_path):
    script = (
        "import os, sys\n"
        "from app import quiet\n"
        "quiet.install()\n"
        "os.write(2, b'first real line\\n')\n"
        "os.write(2, b'I0000 cudart_stub.cc:31] Could not find cuda drivers on your machine\\n')\n"
        "sys.stderr.write('second real line\\n'); sys.stderr.flush()\n"
        "os.write(2, b'no newline at the end')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    # the app package imports TensorFlow, whose own start-up lines are filtered too
    assert done.stderr.decode().splitlines() == [
        "first real line",
        "second real line",
        "no newline at the end",
    ]
