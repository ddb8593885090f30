"""Every page in the light and the dark theme, kept as screenshots (e2e artifacts).

The app sets no theme (.streamlit/config.toml), so Streamlit follows the system's: the browser
context's ``color_scheme`` chooses it. Each page must render without an exception box, and
the dark screenshot must really be dark (and the light one light) in the main area's corner.
The screenshots go to test-artifacts/e2e/pages/<page>-<theme>.png, the whole page: the window
is made as tall as the main area's content first (Streamlit scrolls inside it, so a plain
full-page screenshot would stop at the window's bottom).
"""

from __future__ import annotations

import pytest

from app import pages as app_pages
from bench.browser import wait_for_app
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.dataset, pytest.mark.slow]
PAGES = [page.url_path for page in app_pages.PAGES]
WIDTH, HEIGHT = 1400, 1000
TALLEST = 12_000  # px: a screenshot taller than this is cut (Chromium's texture limits)
CORNER = 24  # px: the square read in the main area's top-right corner


SETTLED = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    return app && app.dataset.testScriptState === 'notRunning'
        && document.querySelector('[data-testid=stMain] h1') !== null
        && document.querySelector('[data-testid=stSkeleton]') === null;
}"""


def _settle(page) -> None:
    """The script has run and every element is drawn (no loading skeletons: Streamlit loads
    some widgets' code lazily and shows a grey box meanwhile)."""
    page.wait_for_function(SETTLED, timeout=60_000)
    wait_for_app(page)
    page.wait_for_function(SETTLED, timeout=60_000)


def _luminance(path, box) -> float:
    """Mean relative luminance (0 black to 1 white, Rec. 709 weights) of a box of a PNG."""
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB").crop(box), dtype=float) / 255
    return float((pixels @ np.array([0.2126, 0.7152, 0.0722])).mean())


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_in_both_themes(chromium, dashboard, name, theme):
    context = chromium.new_context(viewport={"width": WIDTH, "height": HEIGHT}, color_scheme=theme)
    page = context.new_page()
    try:
        # the default page is served at the root (/draw gives Streamlit's "Page not found")
        page.goto(f"{dashboard}/{'' if name == 'draw' else name}")
        _settle(page)
        assert "Page not found" not in page.locator("body").inner_text(), name
        assert page.locator('[data-testid="stException"]').count() == 0, name
        main = page.locator('[data-testid="stMain"]')
        assert main.inner_text().strip(), name  # the page drew something
        tall = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
        page.set_viewport_size({"width": WIDTH, "height": min(max(HEIGHT, tall), TALLEST)})
        _settle(page)  # plots re-layout in the taller window
        folder = ARTIFACTS / "pages"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}-{theme}.png"
        page.screenshot(path=str(path), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0, name

        box = main.bounding_box()  # the top-right corner of the main area: its background
        right, top = int(box["x"] + box["width"]) - 4, int(box["y"]) + 4
        luminance = _luminance(path, (right - CORNER, top, right, top + CORNER))
        if theme == "dark":
            assert luminance < 0.15, (name, luminance)
        else:
            assert luminance > 0.85, (name, luminance)
    finally:
        context.close()
