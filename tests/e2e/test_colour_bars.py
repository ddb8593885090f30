"""The multi-map figures as Chromium renders them: no two colour-bar label boxes overlap.

tests/app/test_colour_bars.py checks the plotly layout with estimated label sizes; here the
boxes are the real ones, read from the SVG plotly drew (``g.colorbar text``: tick labels and
titles of every bar), on Compare pairs (four maps, after a drawing), Methods (the default
methods, then all of them) and the Guided tour's steps 1, 2 and 5, at 1280x720 and 1400x1000.
"""

from __future__ import annotations

import pytest

from bench.browser import wait_for_app
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.dataset, pytest.mark.slow]
TIMEOUT = 30_000
SLACK = 0.5  # px: boxes that share an edge (or round into each other) do not overlap
VIEWPORTS = [(1280, 720), (1400, 1000)]

# every non-empty text of every colour bar, figure by figure: [figure][bar][label]
LABEL_BOXES = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot =>
    [...plot.querySelectorAll('g.colorbar')].map(bar =>
        [...bar.querySelectorAll('text')]
            .filter(text => text.textContent.trim())
            .map(text => {
                const box = text.getBoundingClientRect();
                return {text: text.textContent, left: box.left, top: box.top,
                        right: box.right, bottom: box.bottom};
            })))"""


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"] - SLACK
        and b["left"] < a["right"] - SLACK
        and a["top"] < b["bottom"] - SLACK
        and b["top"] < a["bottom"] - SLACK
    )


def _assert_no_overlap(page, bars_expected: int, name: str) -> None:
    page.wait_for_function(
        "n => [...document.querySelectorAll('.js-plotly-plot')].some("
        "p => p.querySelectorAll('g.colorbar').length >= n)",
        arg=bars_expected,
        timeout=TIMEOUT,
    )
    wait_for_app(page)
    figures = page.evaluate(LABEL_BOXES)
    largest = max(range(len(figures)), key=lambda i: len(figures[i]))
    assert len(figures[largest]) >= bars_expected, name  # the multi-map figure, each bar drawn
    _screenshot(page, page.locator(".js-plotly-plot").nth(largest), name)
    for figure in figures:
        labels = [label for bar in figure for label in bar]
        assert all(label["right"] > label["left"] for label in labels)  # really rendered
        for i, first in enumerate(labels):
            for second in labels[i + 1 :]:
                assert not _overlap(first, second), (name, first, second)


def _screenshot(page, figure, name: str) -> None:
    """The figure as an artifact, in a window tall enough to hold it whole (a figure taller
    than the window comes out clipped); its width, hence its layout, stays the same."""
    size = page.viewport_size
    height = figure.bounding_box()["height"]
    page.set_viewport_size(
        {"width": size["width"], "height": max(size["height"], int(height) + 80)}
    )
    try:
        figure.scroll_into_view_if_needed()
        figure.screenshot(path=str(ARTIFACTS / f"colour-bars-{name}.png"))
    finally:
        page.set_viewport_size(size)


@pytest.fixture(params=VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def screen(chromium, request):
    width, height = request.param
    context = chromium.new_context(viewport={"width": width, "height": height})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield context.new_page(), f"{width}x{height}"
    context.close()


def test_four_networks_four_bars(screen, dashboard):
    """The tour's four pair networks, each map on its own scale (Compare pairs draws its four
    maps in the live canvas, without plotly)."""
    page, size = screen
    page.goto(f"{dashboard}/tour?step=2&kind=cnn")
    wait_for_app(page)
    _assert_no_overlap(page, 4, f"four-networks-{size}")


def test_methods_default_and_all_methods(screen, dashboard):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page, size = screen
    page.goto(f"{dashboard}/methods")
    wait_for_app(page)
    # a test image: no drawing needed
    page.locator(".st-key-methods_use_test button").click()
    wait_for_app(page)
    chosen = page.locator('[data-testid="stMultiSelect"]').first
    default = chosen.locator("[data-tag]").count()
    assert default >= 2
    _assert_no_overlap(page, default, f"methods-default-{size}")

    chosen.scroll_into_view_if_needed()
    select_all = page.get_by_role("option", name="Select all")  # the list's own: every method
    for _ in range(3):  # a click while the page still settles may not open the list
        chosen.get_by_role("button", name="Open").click()
        try:
            select_all.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    select_all.click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    every = chosen.locator("[data-tag]").count()
    assert every > default
    _assert_no_overlap(page, every, f"methods-all-{size}")


@pytest.mark.parametrize("step", [1, 2, 5])
def test_tour_steps(screen, dashboard, step):
    page, size = screen
    page.goto(f"{dashboard}/tour?step={step}")
    wait_for_app(page)
    _assert_no_overlap(page, 2, f"tour-{step}-{size}")
