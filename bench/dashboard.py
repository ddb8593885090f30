"""Dashboard benchmarks in Chromium: cold start, and stroke -> updated overlay, side by side
with a trivial app (a canvas and one plotly heatmap) measured in the same run."""

from __future__ import annotations

import statistics
import time

from bench.browser import (
    CANVAS,
    ROOT,
    STOCK_CANVAS,
    app_server,
    chromium,
    stroke_latencies,
    wait_for_app,
)

TRIVIAL_APP = ROOT / "bench" / "trivial_app.py"
DRAW_APP = ROOT / "app" / "main.py"


def stroke_summary(values: list[float]) -> dict:
    """Median, 95th percentile and minimum of stroke latencies (seconds)."""
    ordered = sorted(values)
    return {
        "strokes": len(values),
        "median_s": statistics.median(ordered),
        "p95_s": ordered[max(0, int(round(0.95 * len(ordered))) - 1)],
        "min_s": ordered[0],
    }


def cold_start(browser, env: dict) -> dict:
    """Seconds from starting the server to the draw page rendered with its canvas."""
    started = time.perf_counter()
    with app_server(DRAW_APP, env=env) as url:
        ready = time.perf_counter() - started
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.locator(CANVAS).wait_for(timeout=120_000)
        wait_for_app(page, timeout=120_000)
        rendered = time.perf_counter() - started
        page.close()
    return {"server_ready_s": ready, "first_render_s": rendered}


def run(strokes: int = 20, env: dict | None = None) -> dict:
    env = dict(env or {})
    with chromium() as browser:
        results = {"cold_start": cold_start(browser, env)}
        for name, script in (("trivial_app", TRIVIAL_APP), ("draw_page", DRAW_APP)):
            with app_server(script, env=env) as url:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                canvas = STOCK_CANVAS if name == "trivial_app" else CANVAS
                # a warm page, as a user has after the first stroke
                stroke_latencies(page, url, strokes=3, canvas=canvas)
                results[name] = stroke_summary(
                    stroke_latencies(page, url, strokes=strokes, canvas=canvas)
                )
                page.close()
    results["ratio_median"] = results["draw_page"]["median_s"] / results["trivial_app"]["median_s"]
    return results
