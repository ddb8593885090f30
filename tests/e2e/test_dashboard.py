"""The dashboard in a real Chromium: draw, read the prediction, clear, redraw, visit every page."""

from __future__ import annotations

import re

import pytest

from app.pages import PAGES
from bench.browser import CANVAS, draw, page_text, wait_for_app, wait_for_new_input, wait_for_text
from tests.app.conftest import DRAWN

pytestmark = [pytest.mark.browser, pytest.mark.dataset]
TIMEOUT = 30_000


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)


def test_draw_predict_clear_and_redraw(page, dashboard):
    _open(page, dashboard)
    page.locator(CANVAS).wait_for(timeout=TIMEOUT)
    assert "Draw a character" in page_text(page)

    draw(page, DRAWN["Z"])
    wait_for_text(page, r"Prediction: Z/z \(\d")
    bars = page.locator(".live-canvas .bar").all_inner_texts()  # both probabilities, live
    assert [re.match(r"(\S+)\s+([\d.]+)%", bar).group(1) for bar in bars] == ["2", "Z/z"]
    wait_for_text(page, r"Red pixels (speak for|make it)")  # contrast mode is the default
    assert page.locator("canvas.reference-map").count() == 2  # the global maps
    assert page.locator(".js-plotly-plot").count() == 0  # no plotly in the first screen
    reference = page.locator("canvas.reference-map").first
    reference.hover()
    assert re.match(
        r"row \d+, column \d+: importance -?[\d.e+-]+ \(scale ±", reference.get_attribute("title")
    )
    assert page.locator("canvas.map").count() == 1  # the live explanation beside the drawing
    assert page.locator(".live-canvas .bar").count() == 2  # both probabilities, live

    page.get_by_role("button", name="Clear").click()
    wait_for_text(page, "Draw a character")
    wait_for_app(page)
    assert "Prediction:" not in page_text(page)

    draw(page, DRAWN["2"])
    wait_for_text(page, r"Prediction: 2 \(\d")


def test_overlay_follows_each_stroke(page, dashboard):
    _open(page, f"{dashboard}/?pair=8B&mode=contrast")
    page.locator(CANVAS).wait_for(timeout=TIMEOUT)
    strokes = [
        [(0.3, 0.0), (0.3, 1.0)],
        [(0.3, 0.0), (0.8, 0.1), (0.8, 0.4), (0.3, 0.5)],
        [(0.3, 0.5), (0.9, 0.6), (0.9, 0.9), (0.3, 1.0)],
    ]
    fingerprints = [""]
    for stroke in strokes:
        draw(page, [stroke])
        fingerprints.append(wait_for_new_input(page, fingerprints[-1]))
    assert len(set(fingerprints[1:])) == len(
        strokes
    )  # a new input, prediction and overlay per stroke
    wait_for_text(page, r"Prediction: B/b")
    text = page_text(page)
    assert "8 vs B/b" in text and "rather than" in text  # pair and contrast mode from the URL


@pytest.mark.parametrize("path, title", [(entry.url_path, entry.title) for entry in PAGES])
def test_every_page_opens_by_its_url(page, dashboard, path, title):
    _open(page, f"{dashboard}/{path}?pair=5S")
    page.get_by_role("heading", name=re.compile(re.escape(title))).first.wait_for(timeout=TIMEOUT)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_role("combobox", name="Pair").input_value() == "5 vs S/s"
    assert "pair=5S" in page.url
