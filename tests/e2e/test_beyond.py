"""The new features in a real Chromium: confidence and sentence per stroke, the CNN switch,
the 8-character network, and the indirect explanations page."""

from __future__ import annotations

import pytest

from bench.browser import CANVAS, draw, wait_for_app, wait_for_text
from tests.app.conftest import DRAWN

pytestmark = [pytest.mark.browser, pytest.mark.dataset]
TIMEOUT = 30_000


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.locator(CANVAS).wait_for(timeout=TIMEOUT)


def test_cnn_drawing_gets_confidence_and_a_sentence(page, dashboard):
    _open(page, f"{dashboard}/?pair=2Z&kind=cnn&mode=contrast")
    draw(page, DRAWN["Z"])
    wait_for_text(page, r"Prediction: Z/z \(\d")
    wait_for_text(page, r"Map stability: −?\d\.\d\d")
    wait_for_text(page, r"(make|makes) it Z/z rather than 2|Nothing in the drawing speaks for Z/z")
    assert page.get_by_role("radiogroup", name="Architecture").get_by_text("CNN").is_visible()
    assert "kind=cnn" in page.url


def test_eight_character_network_from_the_draw_page(page, dashboard):
    from playwright.sync_api import (
        expect,
    )  # imported here: without Playwright the fixtures skip first

    _open(page, f"{dashboard}/?mode=contrast")
    draw(page, DRAWN["2"])
    wait_for_text(page, r"Prediction: 2 \(\d")
    page.get_by_text("all 8 characters", exact=True).click()  # the drawing stays on the canvas
    expect(page.locator(".live-canvas .bar")).to_have_count(8, timeout=TIMEOUT)  # live bars
    wait_for_text(page, r"Prediction: \S+ \(\d")
    wait_for_text(page, r"rather than")
    wait_for_text(page, r"and not")  # the global maps of the two characters compared


def test_indirect_page_shows_templates_neighbours_and_map(page, dashboard):
    _open(page, dashboard)
    draw(page, DRAWN["Z"])
    wait_for_text(page, r"Prediction: Z/z")
    page.get_by_role("link", name="Indirect explanations").click()
    wait_for_text(page, r"The 8 training images nearest to the current input")
    wait_for_text(page, r"Labels of the nearest images: 2: \d, Z/z: \d")
    assert page.locator('[data-testid="stException"]').count() == 0
    # plotly's front end loads on a page's first chart (Draw & explain draws none): wait for it
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3")
    assert page.locator('[data-testid="stException"]').count() == 0
