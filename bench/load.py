"""Load test: many concurrent browser sessions on one dashboard server, on loopback only.

Each session draws, reads the prediction and switches pages for a fixed number of rounds.
Reports errors (target 0), latency percentiles, and the server's memory before and after.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

from bench.browser import CANVAS, CHROMIUM_ARGS, ROOT, app_server, chromium_path, resident_memory_mb

STROKES = {
    "Z": [[(0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9)]],
    "S": [
        [(0.85, 0.15), (0.5, 0.0), (0.15, 0.2), (0.5, 0.5), (0.85, 0.8), (0.5, 1.0), (0.15, 0.85)]
    ],
}
TIMEOUT_MS = (
    300_000  # 20 browsers and the server share the CPU: slow is measured, only a hang is an error
)
ARTIFACTS = (
    ROOT / "test-artifacts" / "load"
)  # a screenshot and the page text of every failed session


async def _canvas_box(page) -> dict:
    """The canvas' box once it stops moving.

    The canvas component lays itself out after its script loads; on a busy machine that
    happens late, and a stroke drawn at the earlier position misses the canvas.
    """
    previous = None
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        box = await page.locator(CANVAS).bounding_box()
        if box and box == previous:
            return box
        previous = box
        await page.wait_for_timeout(300)
    raise TimeoutError("the canvas kept moving")


INK_SHOWN_JS = """() => {
    // The canvas component renders into a shadow root: search through open shadow roots.
    const canvases = [];
    const walk = root => root.querySelectorAll('*').forEach(element => {
        if (element.matches('canvas.dc-canvas.lower-canvas')) canvases.push(element);
        if (element.shadowRoot) walk(element.shadowRoot);
    });
    walk(document);
    return canvases.some(canvas => {
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i] > 128) return true;
        return false;
    });
}"""
INK_WAIT_MS = 15_000
DRAW_ATTEMPTS = 3


async def _draw(page, strokes, record) -> None:
    """Draw until the canvas shows the ink.

    Under 20 browsers a stroke now and then never reaches the canvas' drawing handler (the
    canvas stays black, as if the mouse had missed); a person would draw again, and so does
    the load test, counting it. Ink on the canvas without a prediction is an error.
    """
    for attempt in range(DRAW_ATTEMPTS):
        box = await _canvas_box(page)
        for stroke in strokes:
            points = [
                (
                    box["x"] + box["width"] * (0.15 + 0.7 * x),
                    box["y"] + box["height"] * (0.15 + 0.7 * y),
                )
                for x, y in stroke
            ]
            await page.mouse.move(*points[0])
            await page.mouse.down()
            for x, y in points[1:]:
                await page.mouse.move(x, y, steps=4)
            await page.mouse.up()
        try:
            await page.wait_for_function(INK_SHOWN_JS, timeout=INK_WAIT_MS)
            return
        except Exception:
            record("stroke_redrawn", attempt + 1)
    raise TimeoutError(f"the canvas took none of {DRAW_ATTEMPTS} strokes")


async def _settled(page) -> None:
    await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


async def _session(browser, url: str, number: int, rounds: int, record) -> None:
    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    context.set_default_timeout(
        TIMEOUT_MS
    )  # every wait below: Playwright's 30 s default is too short here
    page = await context.new_page()
    character = "Z" if number % 2 == 0 else "S"
    pair = "2Z" if character == "Z" else "5S"
    try:
        await page.goto(f"{url}/?pair={pair}")
        await page.locator(CANVAS).wait_for()
        await _settled(page)
        for _ in range(rounds):
            await page.get_by_role("button", name="Reset canvas & history").click()
            # The click's rerun may not have started yet: wait until the page shows the empty state.
            await page.get_by_text("Draw a character on the canvas").wait_for()
            await _settled(page)
            started = time.perf_counter()
            await _draw(page, STROKES[character], record)
            await page.wait_for_function(
                "() => /Prediction: \\S+ \\(/.test(document.querySelector('[data-testid=\"stMain\"]')?.innerText || '')"
            )
            await _settled(page)
            record("draw_to_prediction", time.perf_counter() - started)
            for link, heading in (
                ("Compare pairs", "Compare pairs"),
                ("Models", "Models"),
                ("Draw & explain", "Draw & explain"),
            ):
                started = time.perf_counter()
                await page.get_by_role("link", name=link).click()
                await page.get_by_role("heading", name=heading).first.wait_for()
                await _settled(page)
                record("page_switch", time.perf_counter() - started)
                if await page.locator('[data-testid="stException"]').count():
                    record("error", f"session {number}: exception shown on {link}")
            await page.locator(CANVAS).wait_for()
    except Exception as error:  # every failure is counted, the test goes on
        record(
            "error", f"session {number}: {type(error).__name__}: {str(error).splitlines()[0][:200]}"
        )
        await _keep_evidence(page, number)
    finally:
        await context.close()


async def _keep_evidence(page, number: int) -> None:
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / f"session-{number}.png"), full_page=True)
        (ARTIFACTS / f"session-{number}.txt").write_text(
            await page.locator("body").inner_text(timeout=10_000)
        )
    except Exception:  # the evidence is a bonus; the error is already counted
        pass


async def _run(url: str, sessions: int, rounds: int) -> dict:
    from playwright.async_api import async_playwright

    timings: dict[str, list] = {
        "draw_to_prediction": [],
        "page_switch": [],
        "error": [],
        "stroke_redrawn": [],
    }

    def record(kind, value):
        timings[kind].append(value)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        started = time.perf_counter()
        await asyncio.gather(
            *(_session(browser, url, number, rounds, record) for number in range(sessions))
        )
        elapsed = time.perf_counter() - started
        await browser.close()
    return {"timings": timings, "elapsed_s": elapsed}


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    return {
        "count": len(values),
        "p50_s": statistics.median(ordered),
        "p95_s": ordered[max(0, int(round(0.95 * len(ordered))) - 1)],
        "max_s": ordered[-1],
    }


async def _warm_up(url: str) -> None:
    """One session that visits every page, so every model and cache is loaded before measuring."""
    await _run(url, sessions=1, rounds=1)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(sessions: int = 20, rounds: int = 2, env: dict | None = None) -> dict:
    """Start the dashboard on 127.0.0.1 and drive ``sessions`` concurrent browser sessions."""
    with app_server(ROOT / "app" / "main.py", env=env) as url:
        asyncio.run(_warm_up(url))
        memory_before = resident_memory_mb(url.pid)
        cpu_before = cpu_seconds(url.pid)
        outcome = asyncio.run(_run(url, sessions, rounds))
        memory_after = resident_memory_mb(url.pid)
        cpu_first_wave = cpu_seconds(url.pid) - cpu_before
        second = asyncio.run(
            _run(url, sessions, rounds)
        )  # a second wave: does memory keep growing?
        memory_after_second = resident_memory_mb(url.pid)
    timings = outcome["timings"]
    reruns_per_round = 1 + 1 + 3  # clear and one stroke (fragment reruns), three page switches
    errors = timings["error"] + second["timings"]["error"]
    return {
        "sessions": sessions,
        "rounds": rounds,
        "reruns": 2 * sessions * rounds * reruns_per_round,
        "errors": len(errors),
        "error_messages": errors[:10],
        "strokes_redrawn": len(timings["stroke_redrawn"])
        + len(second["timings"]["stroke_redrawn"]),
        "draw_to_prediction": _percentiles(
            timings["draw_to_prediction"] + second["timings"]["draw_to_prediction"]
        ),
        "page_switch": _percentiles(timings["page_switch"] + second["timings"]["page_switch"]),
        "wave_seconds": [outcome["elapsed_s"], second["elapsed_s"]],
        "server_cpu_s_per_rerun": cpu_first_wave / (sessions * rounds * reruns_per_round),
        "server_cpu_share_first_wave": cpu_first_wave
        / (outcome["elapsed_s"] * (os.cpu_count() or 1)),
        "server_memory_mb": {
            "before": memory_before,
            "after_first_wave": memory_after,
            "after_second_wave": memory_after_second,
        },
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
