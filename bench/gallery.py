"""The mistakes gallery's filter change: one script run of the page (AppTest, in process),
after the per-network precomputation is warm. Needs the dataset (EMNIST_DIR)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

MAIN = str(Path(__file__).resolve().parent.parent / "app" / "main.py")
# Each step is what one click or drag does; the cycle returns to where it began.
CHANGES = (
    ("segmented_control", "gallery_true", 0),
    ("segmented_control", "gallery_predicted", 1),
    ("segmented_control", "gallery_show", "all"),
    ("slider", "gallery_confidence", (0.8, 1.0)),
    ("segmented_control", "gallery_predicted", "any"),
    ("segmented_control", "gallery_show", "correct"),
    ("slider", "gallery_confidence", (0.5, 1.0)),
    ("segmented_control", "gallery_true", "any"),
    ("segmented_control", "gallery_show", "incorrect"),
)


def _filter_changes(kind: str, rounds: int) -> dict:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(MAIN, default_timeout=300)
    app.query_params["kind"] = kind
    app.run()
    app.switch_page("views/mistakes.py")
    started = time.perf_counter()
    app.run()  # builds the thumbnails of the whole test set once
    first = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"mistakes page failed: {app.exception}")
    times = []
    for _ in range(rounds):
        for element, key, value in CHANGES:
            getattr(app, element)(key=key).set_value(value)
            begin = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - begin)
    values = np.array(times)
    return {
        "load_average_1min": os.getloadavg()[0],  # the machine is shared: context for the figures
        "first_run_s": first,
        "changes": len(values),
        "p50_s": float(np.percentile(values, 50)),
        "p95_s": float(np.percentile(values, 95)),
        "max_s": float(values.max()),
    }


def run(rounds: int = 3) -> dict:
    from core.data import dataset as data

    if not data.dataset_available():
        return {"skipped": "no dataset (set EMNIST_DIR)"}
    return {kind: _filter_changes(kind, rounds) for kind in ("dense", "cnn")}
