"""The browser engine's per-frame compute in real Chromium (``python -m bench live-engine``).

The page is served by Playwright from the repository's files (app/static/, pretrained/,
bench/, tests/js/) at http://localhost/, a secure context as a Streamlit page on localhost is;
no Streamlit server is needed to time the engine itself. Also used by tests/e2e to run the
engine's equality cases in Chromium.
"""

from __future__ import annotations

import json
import mimetypes
import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ORIGIN = "http://localhost"
SERVED = ("app/static/", "pretrained/", "bench/", "tests/js/")
PAIRS = ("2Z", "5S", "8B", "0O")
FRAMES = 300


def _fulfil(route):
    path = route.request.url.removeprefix(ORIGIN + "/").split("?")[0]
    if path == "":
        route.fulfill(
            body="<!doctype html><title>engine</title><body></body>", content_type="text/html"
        )
        return
    file = (ROOT / path).resolve()
    if not path.startswith(SERVED) or ROOT not in file.parents or not file.is_file():
        route.fulfill(status=404, body="not found")
        return
    kind = "text/javascript" if file.suffix in (".js", ".mjs") else mimetypes.guess_type(file)[0]
    route.fulfill(body=file.read_bytes(), content_type=kind or "application/octet-stream")


@contextmanager
def engine_page(browser):
    """A blank page at http://localhost/ whose requests are answered from the repository."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.route(f"{ORIGIN}/**", _fulfil)
        page.goto(f"{ORIGIN}/")
        yield page
    finally:
        context.close()


def manifest_url(folder: str) -> str:
    return f"{ORIGIN}/pretrained/{folder}/weights.json"


MEASURE = """async (options) => {
  const { measure } = await import('/bench/live_engine.mjs');
  return measure(options);
}"""


def _summary(values: list[float]) -> dict:
    array = np.asarray(values)
    return {
        "frames": int(array.size),
        "p50_ms": float(np.percentile(array, 50)),
        "p95_ms": float(np.percentile(array, 95)),
        "max_ms": float(array.max()),
    }


def _thread_time(devtools) -> float:
    """CPU seconds used so far by the page's main thread (Chromium's ThreadTime metric)."""
    metrics = devtools.send("Performance.getMetrics")["metrics"]
    return next(metric["value"] for metric in metrics if metric["name"] == "ThreadTime")


def cpu_in_node(repeats: int = 1000) -> dict:
    """The engine's CPU time per call under Node (bench/live_engine_cpu.mjs): preprocessing
    (canvasInk + preprocessInk) and explain per network, independent of other processes' load."""
    node = shutil.which("node") or "/usr/bin/node"
    done = subprocess.run(
        [
            node,
            str(ROOT / "bench" / "live_engine_cpu.mjs"),
            str(ROOT / "app/static/live/engine.js"),
            str(repeats),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout)


def run(frames: int = FRAMES) -> dict:
    from playwright.sync_api import sync_playwright

    from bench import browser as harness

    configurations = {
        "dense": ["2Z"],
        "cnn": ["2Z-cnn"],
        "all8_dense": ["all8"],
        "all8_cnn": ["all8-cnn"],
        "compare_dense": list(PAIRS),
        "compare_cnn": [f"{pair}-cnn" for pair in PAIRS],
    }
    results: dict = {
        "frames": frames,
        "configurations": {},
        "load_average": [round(os.getloadavg()[0], 1)],
    }
    with sync_playwright() as playwright:
        browser = harness.launch(playwright)
        try:
            results["browser"] = browser.version
            with engine_page(browser) as page:
                devtools = page.context.new_cdp_session(page)
                devtools.send("Performance.enable")
                for name, folders in configurations.items():
                    urls = [manifest_url(f) for f in folders]
                    page.evaluate(MEASURE, {"urls": urls, "frames": 20})  # load, compile
                    thread_before = _thread_time(devtools)
                    found = page.evaluate(MEASURE, {"urls": urls, "frames": frames})
                    thread_used = _thread_time(devtools) - thread_before
                    row = _summary(found["total"])
                    row["cpu_per_frame_ms"] = 1000 * thread_used / found["frames_run"]
                    row["preprocessing_p50_ms"] = float(np.percentile(found["preprocessing"], 50))
                    row["networks"] = folders
                    results["configurations"][name] = row
        finally:
            browser.close()
    results["load_average"].append(round(os.getloadavg()[0], 1))
    results["cpu_node"] = cpu_in_node(repeats=max(200, frames * 3))
    results["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
