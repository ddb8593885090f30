"""The live drawing component in Chromium (issue 12): per-frame compute, pointer event ->
overlay painted, distinct inputs explained per second while the pen moves (Draw & explain, and
Compare pairs with the CNNs), pointer-up -> the server's confidence and sentence on screen
beside the stock streamlit-drawable-canvas app in the same run, and the cold start.

The component records, per animation frame that explained a new input, the time from the
oldest pointer event it had not painted yet to the end of its paint (``liveStats`` on its
element), and the compute time of that frame.
"""

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
from bench.dashboard import stroke_summary

DRAW_APP = ROOT / "app" / "main.py"
STOCK_APP = ROOT / "bench" / "stock_canvas_app.py"
_READY = """() => [...document.querySelectorAll('*')].some(e =>
    e.shadowRoot?.querySelector('.live-canvas[data-engine=ready]'))"""
_FRAME = "() => new Promise(done => requestAnimationFrame(() => done()))"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(share * len(ordered))) - 1)] if ordered else float("nan")


def _summary_ms(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": statistics.median(values) if values else float("nan"),
        "p95_ms": _percentile(values, 0.95),
    }


def _open_live(page, url: str, timeout: float = 120_000) -> None:
    page.goto(url)
    wait_for_app(page, timeout)
    page.locator(CANVAS).first.wait_for(timeout=timeout)
    page.wait_for_function(_READY, timeout=timeout)


def pen_strokes(page, strokes: int = 6, moves: int = 60) -> dict:
    """Draw ``strokes`` strokes of ``moves`` pointer moves, one per animation frame (a pen at
    the display's rate), and read what the component measured."""
    root = page.locator(".live-canvas").first
    box = page.locator(CANVAS).first.bounding_box()
    root.evaluate("e => { e.liveStats.latencies.length = 0; e.liveStats.computeMs.length = 0; }")
    rates = []
    for index in range(strokes):
        y0 = 0.2 + 0.6 * index / max(strokes - 1, 1)
        points = [
            (0.15 + 0.7 * step / moves, y0 + 0.15 * ((step % 20) - 10) / 10 * (index % 2 * 2 - 1))
            for step in range(moves + 1)
        ]

        def screen(point):
            return box["x"] + box["width"] * point[0], box["y"] + box["height"] * point[1]

        page.mouse.move(*screen(points[0]))
        page.mouse.down()
        started = time.perf_counter()
        for point in points[1:]:
            page.mouse.move(*screen(point))
            page.evaluate(_FRAME)
        elapsed = time.perf_counter() - started
        explained = int(root.get_attribute("data-explained-stroke"))
        page.mouse.up()
        rates.append(explained / elapsed)
        wait_for_app(page)
    stats = root.evaluate(
        "e => ({latencies: e.liveStats.latencies, compute: e.liveStats.computeMs})"
    )
    return {
        "pointer_to_paint": _summary_ms(stats["latencies"]),
        "compute": _summary_ms(stats["compute"]),
        "inputs_per_second": statistics.median(rates),
        "strokes": strokes,
    }


_SYNTHETIC_PEN = """async ([frames, strokes, pauseMs]) => {
    // A pen at the display's rate: one pointer move per animation frame, dispatched in the
    // page (Playwright's own mouse moves cost a round trip each, ~50 ms on this machine).
    const host = [...document.querySelectorAll('*')]
        .find(e => e.shadowRoot?.querySelector('canvas.draw'));
    const root = host.shadowRoot.querySelector('.live-canvas');
    const canvas = root.querySelector('canvas.draw');
    const box = canvas.getBoundingClientRect();
    const frame = () => new Promise(done => requestAnimationFrame(done));
    root.liveStats.latencies.length = 0;
    root.liveStats.computeMs.length = 0;
    const rates = [];
    for (let s = 0; s < strokes; s++) {
        const at = (t) => ({
            clientX: box.left + box.width * (0.15 + 0.7 * t),
            clientY: box.top + box.height
                * (0.2 + 0.6 * s / Math.max(strokes - 1, 1) + 0.1 * Math.sin(12 * t)),
            pointerId: 7, pointerType: 'pen', isPrimary: true, bubbles: true, button: 0, buttons: 1,
        });
        canvas.dispatchEvent(new PointerEvent('pointerdown', at(0)));
        const started = performance.now();
        for (let f = 1; f <= frames; f++) {
            canvas.dispatchEvent(new PointerEvent('pointermove', at(f / frames)));
            await frame();
        }
        const elapsed = (performance.now() - started) / 1000;
        rates.push(Number(root.dataset.explainedStroke) / elapsed);
        canvas.dispatchEvent(new PointerEvent('pointerup', at(1)));
        await new Promise(done => setTimeout(done, pauseMs));
    }
    return {rates, latencies: root.liveStats.latencies, compute: root.liveStats.computeMs};
}"""


def synthetic_pen(page, strokes: int = 6, frames: int = 90) -> dict:
    """Pointer moves dispatched in the page, one per animation frame: what the component
    sustains when the pen moves at the display's rate."""
    stats = page.evaluate(_SYNTHETIC_PEN, [frames, strokes, 300])
    wait_for_app(page)
    return {
        "pointer_to_paint": _summary_ms(stats["latencies"]),
        "compute": _summary_ms(stats["compute"]),
        "inputs_per_second": statistics.median(stats["rates"]),
        "strokes": strokes,
    }


def cold_start(browser, env: dict) -> dict:
    """Server start -> the draw page's live canvas ready -> the first drawing explained live
    and by the server."""
    started = time.perf_counter()
    with app_server(DRAW_APP, env=env) as url:
        ready = time.perf_counter() - started
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        _open_live(page, url)
        canvas_ready = time.perf_counter() - started
        from bench.browser import wait_for_new_input

        # one stroke of pointer events dispatched in the page, one per animation frame:
        # Playwright's mouse costs a round trip per move (~50 ms here), which is the
        # harness's time, not the app's
        page.evaluate(_SYNTHETIC_PEN, [24, 1, 0])
        page.wait_for_function(
            "() => [...document.querySelectorAll('*')].some(e => "
            "Number(e.shadowRoot?.querySelector('.live-canvas')?.dataset.explainedTotal) > 0)"
        )
        live = time.perf_counter() - started
        wait_for_new_input(page, "", timeout=120_000)
        server = time.perf_counter() - started
        page.close()
    return {
        "server_ready_s": ready,
        "canvas_ready_s": canvas_ready,
        "first_live_explanation_s": live,
        "first_server_explanation_s": server,
    }


def run(strokes: int = 12, env: dict | None = None) -> dict:
    env = dict(env or {})
    with chromium() as browser:
        results = {"cold_start": cold_start(browser, env)}
        with app_server(STOCK_APP, env=env) as url:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            stroke_latencies(page, url, strokes=3, canvas=STOCK_CANVAS)  # warm
            results["stock_canvas_app"] = stroke_summary(
                stroke_latencies(page, url, strokes=strokes, canvas=STOCK_CANVAS)
            )
            page.close()
        with app_server(DRAW_APP, env=env) as url:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            _open_live(page, url)
            stroke_latencies(page, url, strokes=3)  # warm
            results["draw_pointer_up"] = stroke_summary(
                stroke_latencies(page, url, strokes=strokes)
            )
            for name, address in (
                ("draw_dense", "/?pair=2Z&mode=contrast"),
                ("draw_cnn", "/?pair=2Z&mode=contrast&kind=cnn"),
                ("compare_dense", "/compare?mode=contrast"),
                ("compare_cnn", "/compare?mode=contrast&kind=cnn"),
            ):
                _open_live(page, url + address)
                pen_strokes(page, strokes=2, moves=20)  # warm the engine's buffers
                results[name] = pen_strokes(page)
                results[f"{name}_in_page_pen"] = synthetic_pen(page)
            page.close()
    results["pointer_up_ratio"] = (
        results["draw_pointer_up"]["median_s"] / results["stock_canvas_app"]["median_s"]
    )
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
