"""The live drawing component in a real Chromium: the overlay follows the pen, pointer-up
updates the page, undo / redo / clear, a page switch, a phone, the fallback, the first screen."""

from __future__ import annotations

import pytest

from bench.browser import (
    CANVAS,
    draw,
    page_text,
    wait_for_app,
    wait_for_new_input,
    wait_for_text,
)
from tests.app.conftest import DRAWN

pytestmark = [pytest.mark.browser, pytest.mark.dataset, pytest.mark.slow]
TIMEOUT = 30_000
LIVE = ".live-canvas"


def _open(page, url: str, engine: str = "ready") -> None:
    page.goto(url)
    wait_for_app(page)
    page.locator(CANVAS).first.wait_for(timeout=TIMEOUT)
    page.wait_for_function(
        "state => document.querySelector('[data-testid=stMain]') && [...document.querySelectorAll"
        "('*')].some(e => e.shadowRoot?.querySelector(`.live-canvas[data-engine=${state}]`))",
        arg=engine,
        timeout=TIMEOUT,
    )


def _live(page, name: str) -> str:
    return page.locator(LIVE).first.get_attribute(f"data-{name}")


def _pen_down_and_move(page, points, press: bool = True) -> None:
    """Press on the canvas (unless ``press`` is False: the pen is down already) and move
    through ``points`` (unit square), one animation frame per step, leaving the pen down."""
    box = page.locator(CANVAS).first.bounding_box()

    def screen(x, y):
        return box["x"] + box["width"] * (0.15 + 0.7 * x), box["y"] + box["height"] * (
            0.15 + 0.7 * y
        )

    if press:
        page.mouse.move(*screen(*points[0]))
        page.mouse.down()
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        for step in range(1, 9):
            t = step / 8
            page.mouse.move(*screen(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t))
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")


def _map_pixels(page, index: int = 0) -> list[int]:
    return (
        page.locator("canvas.map")
        .nth(index)
        .evaluate("c => Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data)")
    )


def test_the_overlay_follows_the_pen_and_pointer_up_updates_the_page(page, dashboard):
    _open(page, f"{dashboard}/?pair=2Z&mode=contrast")
    _pen_down_and_move(page, DRAWN["Z"][0][:2])
    halfway = int(_live(page, "explained-stroke"))
    first_map = _map_pixels(page)
    _pen_down_and_move(page, DRAWN["Z"][0][1:], press=False)
    during = int(_live(page, "explained-stroke"))
    assert halfway >= 1 and during > halfway  # distinct inputs explained while the pen is down
    assert _map_pixels(page) != first_map  # the overlay was repainted for the new strokes
    assert "Prediction" not in page_text(page)  # nothing was sent yet: the browser did it
    page.mouse.up()
    wait_for_text(page, r"Prediction: Z/z \(\d")
    wait_for_text(page, r"Map stability: −?\d\.\d\d")
    caption = page.locator(".caption").first.inner_text()
    assert caption.startswith("Z/z") and "why Z/z and not 2" in caption


@pytest.mark.parametrize("kind", ["dense", "cnn"])
def test_after_pointer_up_the_page_and_the_live_bars_give_the_same_numbers(page, dashboard, kind):
    """The server explains the very 28x28 input the browser explained: the page's percentage
    is the live bar's, and the server's probabilities are the browser's (abs <= 1e-5)."""
    import base64
    import hashlib
    import json
    import re

    import numpy as np

    from core.models.loading import load_network
    from core.models.prediction import predict

    _open(page, f"{dashboard}/?pair=2Z&mode=contrast&kind={kind}")
    draw(page, DRAWN["Z"])
    fingerprint = wait_for_new_input(page)
    wait_for_app(page)
    sent = _live(page, "sent-input")
    levels = np.frombuffer(base64.b64decode(sent), np.uint8).reshape(28, 28)
    assert hashlib.sha1(levels.tobytes()).hexdigest()[:8] == fingerprint  # THE input
    browser = np.array(
        json.loads(page.locator("canvas.map").first.get_attribute("data-probabilities"))
    )
    server = predict(load_network("2Z", kind), levels[None])[0]  # what the page computed with
    np.testing.assert_allclose(server, browser, rtol=0, atol=1e-5)
    shown = re.search(r"Prediction: (\S+) \((\d+\.\d)%\)", page_text(page))
    bars = page.locator(LIVE).first.locator(".value").all_inner_texts()
    predicted = int(np.argmax(browser))
    assert shown.group(2) + "%" == bars[predicted]  # same rounding: one decimal
    assert shown.group(1) == ["2", "Z/z"][predicted]
    assert page.locator(".panel").first.get_attribute("data-refused") == "false"


@pytest.mark.parametrize("kind", ["dense", "cnn"])
def test_a_line_is_not_one_of_these_live_and_on_the_page(page, dashboard, kind):
    """A vertical line: the live headline and the page's answer are the same refusal, the
    live bars are greyed, and the browser's score is core's for the very input it sent."""
    import base64

    import numpy as np

    from core.insight.unlikely import (
        SOURCE,
        SOURCE_KIND,
        eight_logits,
        shipped_parameters,
        unlikely_scores,
    )
    from core.models.loading import load_network

    refusal = "This does not look like 2 or Z/z"
    _open(page, f"{dashboard}/?pair=2Z&mode=contrast&kind={kind}")
    draw(page, [[(0.5, 0.0), (0.5, 1.0)]])
    wait_for_new_input(page)
    wait_for_app(page)
    wait_for_text(page, refusal)
    assert "Prediction:" not in page_text(page)
    panel = page.locator(".panel").first
    assert page.locator(".caption").first.inner_text().startswith(refusal + " ·")
    assert panel.get_attribute("data-refused") == "true"
    grey = panel.locator(".fill").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert grey == "rgb(154, 160, 166)"
    levels = np.frombuffer(base64.b64decode(_live(page, "sent-input")), np.uint8).reshape(1, 28, 28)
    score = unlikely_scores(
        eight_logits(load_network(SOURCE, SOURCE_KIND), levels),
        levels,
        shipped_parameters("2Z", kind),
    )[0]
    browser = float(panel.get_attribute("data-unlikely-score"))
    assert browser == score or abs(browser - score) <= 1e-4 * max(1.0, abs(score))


def test_undo_redo_and_clear(page, dashboard):
    _open(page, dashboard)
    draw(page, [DRAWN["Z"][0][:2]])
    one = wait_for_new_input(page)
    draw(page, [DRAWN["Z"][0][1:]])
    two = wait_for_new_input(page, one)
    page.get_by_role("button", name="Undo").click()
    assert wait_for_new_input(page, two) == one  # the first stroke alone, as before
    page.get_by_role("button", name="Redo").click()
    assert wait_for_new_input(page, one) == two
    page.get_by_role("button", name="Clear").click()
    wait_for_text(page, "Draw a character")
    assert _live(page, "strokes") == "0"
    page.get_by_role("button", name="Undo").click()  # even a clear can be undone
    assert wait_for_new_input(page, "") == two


def test_the_drawing_survives_a_page_switch(page, dashboard):
    _open(page, dashboard)
    draw(page, DRAWN["2"])
    wait_for_text(page, r"Prediction: 2 \(")
    fingerprint = wait_for_new_input(page)
    page.get_by_role("link", name="Compare pairs").click()
    _open_after_navigation(page)
    assert _live(page, "strokes") == "1"
    assert page.locator("canvas.map").count() == 4
    page.get_by_role("link", name="Draw & explain").click()
    _open_after_navigation(page)
    assert _live(page, "strokes") == "1"  # the canvas shows the drawing explained
    assert wait_for_new_input(page) == fingerprint
    assert int(_live(page, "explained-total")) >= 1  # and the live overlay explains it again


def _open_after_navigation(page) -> None:
    wait_for_app(page)
    page.locator(CANVAS).first.wait_for(timeout=TIMEOUT)
    page.wait_for_function(
        "() => [...document.querySelectorAll('*')].some(e => "
        "e.shadowRoot?.querySelector('.live-canvas[data-engine=ready]'))",
        timeout=TIMEOUT,
    )


def test_all_four_pairs_overlays_follow_the_pen_on_compare_pairs(page, dashboard):
    _open(page, f"{dashboard}/compare?kind=cnn")
    before = [_map_pixels(page, i) for i in range(4)]
    _pen_down_and_move(page, DRAWN["2"][0])
    assert int(_live(page, "explained-stroke")) > 1
    after = [_map_pixels(page, i) for i in range(4)]
    assert all(a != b for a, b in zip(after, before, strict=True))
    from core.data.pairs import PAIRS, pair_title

    captions = page.locator(".caption").all_inner_texts()
    assert len(captions) == 4 and "%" in captions[PAIRS.index("2Z")]  # a 2 is one of 2Z's
    refused = [p.get_attribute("data-refused") == "true" for p in page.locator(".panel").all()]
    for caption, flagged in zip(captions, refused, strict=True):
        assert caption.startswith("This does not look like") if flagged else "%" in caption
    page.mouse.up()
    wait_for_text(page, r"2 vs Z/z: (neither|\S+ \(\d+%\))")
    # after pointer-up, each pair's server title says "neither" exactly where the live
    # panel refused (the last live frame is the input the server explains)
    refused = [p.get_attribute("data-refused") == "true" for p in page.locator(".panel").all()]
    text = page_text(page)
    for pair, flagged in zip(PAIRS, refused, strict=True):
        assert (f"{pair_title(pair)}: neither" in text) == flagged, pair


def test_a_phone_draws_with_touch_without_scrolling(chromium, dashboard):
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    try:
        _open(page, dashboard)
        canvas = page.locator(CANVAS).first
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box["width"] > 300  # the canvas takes the phone's width, the map lies over it
        scrolled = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop")
        points = [(0.2 + 0.6 * t / 20, 0.2 + 0.6 * t / 20) for t in range(21)]
        touch = _touch_stroke(context, page, box, points, end=False)
        assert int(_live(page, "explained-stroke")) > 1  # the overlay follows the finger
        touch("touchEnd")
        after = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop")
        assert after == scrolled and page.evaluate("() => window.scrollY") == 0
        wait_for_text(page, r"Prediction: \S+ \(\d")
    finally:
        context.close()


def test_a_script_error_falls_back_to_the_server_path(page, dashboard):
    page.route("**/live/engine.js", lambda route: route.abort())
    _open(page, dashboard, engine="failed")
    wait_for_text(page, r"Live explanation off \(.+\): the server explains each stroke")
    draw(page, DRAWN["Z"])
    wait_for_text(page, r"Prediction: Z/z \(\d")
    wait_for_app(page)  # the bars follow the prediction's line in the same rerun
    assert page.locator('[data-testid="stProgress"]').count() == 2  # the server's own bars
    page.locator(".js-plotly-plot").first.wait_for()  # plotly's front end loads on first use
    assert page.locator(".js-plotly-plot").count() == 1  # and its map


@pytest.mark.parametrize("query", ["", "?presenter=1"])
def test_canvas_and_map_are_in_the_first_screen_at_1280x720(chromium, dashboard, query):
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        _open(page, f"{dashboard}/{query}")
        for selector in (CANVAS, "canvas.map"):
            box = page.locator(selector).first.bounding_box()
            assert box["width"] >= 150, selector
            assert 0 <= box["y"] and box["y"] + box["height"] <= 720, (selector, box)
            assert box["x"] + box["width"] <= 1280, (selector, box)
        canvas, live_map = (page.locator(s).first.bounding_box() for s in (CANVAS, "canvas.map"))
        assert live_map["width"] >= canvas["width"] - 1  # the map as large as the canvas
    finally:
        context.close()


def _overlay_pixels(page) -> list[int]:
    return page.locator("canvas.overlay").first.evaluate(
        "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)"
    )


def _touch_stroke(context, page, box, points, end: bool = True):
    """A finger on the canvas (CDP touch events) through ``points`` (unit square), one
    animation frame per step; returns the touch sender (to lift the finger later)."""
    cdp = context.new_cdp_session(page)

    def touch(kind, x=0.0, y=0.0):
        where = [{"x": box["x"] + box["width"] * x, "y": box["y"] + box["height"] * y}]
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": kind, "touchPoints": [] if kind == "touchEnd" else where},
        )

    touch("touchStart", *points[0])
    for x, y in points[1:]:
        touch("touchMove", x, y)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
    if end:
        touch("touchEnd")
    return touch


def test_a_phone_shows_canvas_and_map_in_the_first_screen_at_390x844(chromium, dashboard):
    """On a phone the map is painted over the drawing: canvas and overlay are in the first
    viewport without scrolling, the overlay follows the finger, and the button puts the map
    beside the drawing (both still in the first screen)."""
    from tests.e2e.conftest import ARTIFACTS

    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    try:
        _open(page, f"{dashboard}/?pair=2Z&mode=contrast")

        def in_first_screen(selector, least=150):
            box = page.locator(selector).first.bounding_box()
            assert box is not None and box["width"] >= least, (selector, box)
            assert 0 <= box["y"] and box["y"] + box["height"] <= 844, (selector, box)
            assert 0 <= box["x"] and box["x"] + box["width"] <= 390, (selector, box)
            return box

        canvas = in_first_screen(CANVAS)
        overlay = in_first_screen("canvas.overlay")
        assert overlay == canvas  # the map lies exactly on the drawing
        assert page.locator("canvas.map").first.is_hidden()  # not a second copy below
        toggle = page.get_by_role("button", name="Map beside")
        in_first_screen(".layout-toggle", least=0)

        blank = _overlay_pixels(page)
        assert not any(blank[3::4])  # nothing drawn, nothing explained: fully transparent
        _touch_stroke(context, page, canvas, DRAWN["Z"][0][:2], end=False)
        halfway = _overlay_pixels(page)
        assert any(halfway[3::4])  # the map of the half-drawn Z is over it
        _touch_stroke(context, page, canvas, DRAWN["Z"][0][1:])
        assert _overlay_pixels(page) != halfway  # and it followed the finger
        wait_for_text(page, r"Prediction: Z/z \(\d")
        assert page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop") == 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "phone-map-over-the-drawing.png"))

        toggle.click()  # the map beside the drawing: half the width each, side by side
        page.get_by_role("button", name="Map over the drawing").wait_for()
        assert page.locator("canvas.overlay").first.is_hidden()
        canvas, beside = in_first_screen(CANVAS), in_first_screen("canvas.map")
        assert beside["x"] >= canvas["x"] + canvas["width"]  # beside, not below
        assert abs(beside["width"] - canvas["width"]) <= 1
        page.screenshot(path=str(ARTIFACTS / "phone-map-beside.png"))
    finally:
        context.close()
