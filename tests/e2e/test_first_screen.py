"""The first screen of Draw & explain on a 1280x720 projector: the drawing and its live map at
280 px or more, with the bars, the map's legend and the headline, all inside the viewport and
not overlapping; in presenter view also Undo / Clear, the map checks and the sentence. Before the
first stroke, both squares say what to do."""

from __future__ import annotations

import pytest

from bench.browser import wait_for_app
from tests.e2e.truth import settle

WIDTH, HEIGHT = 1280, 720
MINIMUM_SIDE = 280


def _box(page, selector: str) -> dict:
    locator = page.locator(selector).first
    locator.wait_for(state="visible", timeout=30_000)
    box = locator.bounding_box()
    assert box is not None, selector
    return box


def _inside(box: dict, what: str) -> None:
    assert box["x"] >= 0 and box["y"] >= 0, (what, box)
    assert box["x"] + box["width"] <= WIDTH + 0.5, (what, box)
    assert box["y"] + box["height"] <= HEIGHT + 0.5, (what, box)


def _apart(first: dict, second: dict, what: str) -> None:
    separate = (
        first["x"] + first["width"] <= second["x"] + 0.5
        or second["x"] + second["width"] <= first["x"] + 0.5
        or first["y"] + first["height"] <= second["y"] + 0.5
        or second["y"] + second["height"] <= first["y"] + 0.5
    )
    assert separate, (what, first, second)


@pytest.fixture
def projector(chromium):
    context = chromium.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("presenter", [False, True], ids=["sidebar", "presenter"])
def test_drawing_map_bars_and_headline_fill_the_first_screen(projector, dashboard, presenter):
    page = projector
    page.goto(dashboard + ("/?presenter=1" if presenter else "/"))
    wait_for_app(page)
    drawing, live_map = _box(page, "canvas.draw"), _box(page, "canvas.map")
    # before the first stroke: words in both squares, not two identical black squares
    assert page.locator(".pad .placeholder").first.is_visible()
    assert page.locator(".mapbox .placeholder").first.is_visible()

    page.get_by_text("Z with a bar", exact=True).first.click()
    settle(page)
    page.locator(".legend-words").first.wait_for(state="visible")
    assert not page.locator(".pad .placeholder").first.is_visible()
    legend_text = page.locator(".legend-words").first.inner_text()
    assert "Z/z rather than 2" in legend_text and "2 rather than Z/z" in legend_text, legend_text

    drawing, live_map = _box(page, "canvas.draw"), _box(page, "canvas.map")
    for box, what in ((drawing, "drawing"), (live_map, "live map")):
        assert min(box["width"], box["height"]) >= MINIMUM_SIDE - 0.5, (what, box)
    headline = _box(page, "h3:has-text('Prediction')")
    shown = {
        "drawing": drawing,
        "live map": live_map,
        "legend": _box(page, ".legend"),
        "bars": _box(page, ".bars"),
        "headline": headline,
    }
    if presenter:
        shown["undo"] = _box(page, ".tools button:has-text('Undo')")
        shown["clear"] = _box(page, ".tools button:has-text('Clear')")
        shown["confidence"] = _box(page, "p:has-text('Map stability')")
        shown["sentence"] = _box(page, "[data-testid='stMarkdownContainer'] em")
    for what, box in shown.items():
        _inside(box, what)
    _apart(drawing, live_map, "drawing and map")
    for what in ("drawing", "live map", "legend", "bars"):
        _apart(shown[what], headline, f"{what} and the headline")


def test_the_phone_presenter_bar_leaves_the_canvas_in_the_first_screen(chromium, dashboard):
    """390x844 in presenter view: the bar is two short rows, not a first screen of controls."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    try:
        page.goto(dashboard + "/?presenter=1")
        wait_for_app(page)
        settle(page)  # the page's styles applied and nothing moving any more
        page.wait_for_function(
            "() => getComputedStyle(document.querySelector('[data-testid=stHeader]')).display"
            " === 'none'"  # presenter view's style sheet is in
        )
        bar = _box(page, ".st-key-presenter_bar")
        drawing = _box(page, "canvas.draw")
        assert bar["height"] <= 0.2 * 844, bar
        assert bar["x"] + bar["width"] <= 390 + 0.5, bar
        assert drawing["y"] < 844 * 0.6, drawing  # the canvas starts high in the first screen
        for key in ("pair", "mode", "kind"):  # each drop-down still shows its value
            value = page.locator(f".st-key-{key} input").first
            assert value.bounding_box()["width"] >= 40, key
    finally:
        context.close()
