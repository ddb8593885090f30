"""Time and memory of every hostile upload (tests/fixtures/hostile_uploads.py).

Each file is prepared in a fresh child process (``python -m bench.uploads FILE``) so its peak
memory can be read from the kernel, which also counts Pillow's buffers (tracemalloc does not):
the child resets its peak resident size (``/proc/self/clear_refs``), prepares the upload, and
reports the peak (``VmHWM``) minus the resident size before.
Wall time is the fastest of ``REPEATS`` runs; CPU time is the process time of that run. The
budget is judged on CPU time (the work an upload costs the server), since on a machine shared
with other jobs the wall time mostly measures the queue for a core (the load average is recorded).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 1.0
BUDGET_MB = 200.0
REPEATS = 3


def run() -> dict:
    from tests.fixtures.hostile_uploads import corpus

    rows = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        for name, (data, expectation) in corpus(large=True).items():
            path = Path(folder) / name
            path.write_bytes(data)
            completed = subprocess.run(
                [sys.executable, "-m", "bench.uploads", str(path)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if completed.returncode != 0:
                rows[name] = {"error": completed.stderr[-500:]}
                continue
            row = json.loads(completed.stdout.strip().splitlines()[-1])
            rows[name] = {"bytes": len(data), "expected": expectation, **row}
            print(f"  {name}: {row['wall_s']:.3f} s, {row['peak_mb']:.0f} MB, {row['outcome']}")
    measured = [row for row in rows.values() if "wall_s" in row]
    return {
        "files": rows,
        "worst_wall_s": max(row["wall_s"] for row in measured),
        "worst_cpu_s": max(row["cpu_s"] for row in measured),
        "worst_peak_mb": max(row["peak_mb"] for row in measured),
        "crashed": sorted(name for name, row in rows.items() if "error" in row),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "budget_s": BUDGET_S,
        "budget_mb": BUDGET_MB,
        "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def _measure_one(path: Path) -> dict:
    from core.inputs.preprocess import ImageInputError
    from core.inputs.uploads import image_file_to_input

    data = path.read_bytes()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current VmRSS
    before_kb = _status_kb("VmRSS")
    best = None
    for _ in range(REPEATS):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            image_file_to_input(data)
            outcome = "prepared"
        except ImageInputError as error:
            outcome = f"refused: {error}"
        timing = (time.perf_counter() - wall, time.process_time() - cpu)
        best = timing if best is None or timing[0] < best[0] else best
    peak_kb = _status_kb("VmHWM")
    return {
        "wall_s": best[0],
        "cpu_s": best[1],
        "peak_mb": (peak_kb - before_kb) / 1024,
        "outcome": outcome,
    }


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    print(json.dumps(_measure_one(Path(sys.argv[1]))))
