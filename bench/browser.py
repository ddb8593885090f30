"""Start the dashboard on loopback and drive it in Debian's Chromium with Playwright.

Shared by the end-to-end tests, the load test and the benchmarks. Playwright's own browser
download cannot reach the internet here, so the system's ``/usr/bin/chromium`` is launched.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
CANVAS = "canvas.draw"  # the live drawing component's canvas (app/static/live/canvas.js)
STOCK_CANVAS = "canvas.upper-canvas"  # fabric.js' interactive layer of streamlit-drawable-canvas


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerURL(str):
    """The server's address (a plain ``str``), which also knows the server's process id."""

    pid: int


def resident_memory_mb(pid: int) -> float:
    """Resident set size of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextmanager
def app_server(
    script: str | Path = ROOT / "app" / "main.py",
    env: dict | None = None,
    port: int | None = None,
    timeout: float = 90,
):
    """Run ``streamlit run script`` on 127.0.0.1; yield its URL (with ``.pid``); stop it afterwards.

    The server writes to a temporary log file, not a pipe: nobody reads a pipe while the
    server runs, and a full pipe would block the server's next log line (and every session).
    """
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            # this checkout's code first, whichever copy of the project is installed
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = ServerURL(f"http://127.0.0.1:{port}")
        url.pid = process.pid
        try:
            wait_until_healthy(url, process, timeout, lambda: _startup_failure(url, log))
            yield url
        finally:
            stop(process, timeout=15)


def _startup_failure(url: str, log) -> str:
    log.seek(0)
    output = log.read().decode(errors="replace")
    return f"the dashboard did not start on {url}:\n{output[-3000:]}"


def wait_until_healthy(
    url: str, process: subprocess.Popen, timeout: float, failure: Callable[[], str]
) -> None:
    """Poll ``url``'s Streamlit health check until it answers ``ok``; if ``process`` ends or
    ``timeout`` seconds pass first, raise a RuntimeError with the text ``failure()`` gives."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(failure())
        time.sleep(0.2)


def stop(process: subprocess.Popen, timeout: float) -> None:
    """Ask ``process`` to end; kill it if it has not ended after ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()


def launch(playwright):
    path = chromium_path()
    if path is None:
        raise RuntimeError("no Chromium found: apt-get install chromium (or set CHROMIUM_PATH)")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)


@contextmanager
def chromium():
    """Playwright with the system's Chromium launched; yield the browser, close it after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


def stable_box(page, selector: str, timeout: float = 10.0) -> dict:
    """The element's bounding box once the page has stopped moving it (two reads 0.2 s apart
    agree): a stroke drawn while a late element still shifts the canvas lands elsewhere."""
    locator = page.locator(selector).first
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        time.sleep(0.2)
        again = locator.bounding_box()
        if again == box:
            return box
        box = again
    return box


def draw(
    page, strokes, margin: float = 0.15, steps_per_segment: int = 6, canvas: str = CANVAS
) -> float:
    """Draw strokes (lists of (x, y) in the unit square) on the canvas with the mouse.

    Returns ``time.perf_counter()`` right after the last mouse-up (for latency measurements).
    """
    box = stable_box(page, canvas)
    span_x, span_y = box["width"] * (1 - 2 * margin), box["height"] * (1 - 2 * margin)

    def to_screen(point):
        return box["x"] + box["width"] * margin + point[0] * span_x, box["y"] + box[
            "height"
        ] * margin + point[1] * span_y

    for stroke in strokes:
        points = [to_screen(p) for p in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            for step in range(1, steps_per_segment + 1):
                t = step / steps_per_segment
                page.mouse.move(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        page.mouse.up()
        released = time.perf_counter()
    return released


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script and the browser has painted."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout
    )
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


def wait_for_text(page, pattern: str, timeout: float = 30_000) -> None:
    """Wait until the main area's text matches the regular expression ``pattern``."""
    page.wait_for_function(
        "p => new RegExp(p).test("
        "document.querySelector('[data-testid=\"stMain\"]')?.innerText || '')",
        arg=pattern,
        timeout=timeout,
    )


_FINGERPRINT_JS = r"""old => {
    const main = document.querySelector('[data-testid="stMain"]');
    const found = main && main.innerText.match(/fingerprint (\w+)/);
    return found && found[1] !== old ? found[1] : null;
}"""


def wait_for_new_input(page, previous: str = "", timeout: float = 30_000) -> str:
    """Wait until the draw page explains a new input (its fingerprint changes); return it."""
    return page.wait_for_function(_FINGERPRINT_JS, arg=previous, timeout=timeout).json_value()


def stroke_latencies(
    page, url: str, strokes: int = 20, timeout: float = 30_000, canvas: str = CANVAS
) -> list[float]:
    """Seconds from mouse-up to the page showing the new input, for ``strokes`` strokes.

    Works on any page that prints ``fingerprint <hash>`` of its input after each stroke.
    """
    page.goto(url)
    wait_for_app(page)
    page.locator(canvas).wait_for(timeout=timeout)
    rng = __import__("random").Random(0)
    latencies, previous = [], ""
    for index in range(strokes):
        y = 0.05 + 0.9 * index / max(strokes - 1, 1)
        stroke = [
            (0.1 + 0.2 * rng.random(), y),
            (0.5, y + 0.02 * rng.random()),
            (0.9 - 0.2 * rng.random(), y),
        ]
        released = draw(page, [stroke], canvas=canvas)
        previous = wait_for_new_input(page, previous, timeout)
        wait_for_app(page, timeout)
        latencies.append(time.perf_counter() - released)
    return latencies


def page_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()
