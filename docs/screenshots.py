"""Retake the README's screenshot of the draw page from the running app:
``python docs/screenshots.py`` (needs Chromium; EMNIST_DIR only for the global maps' data).

A 2 is drawn with the mouse, as a person would, so the picture shows the live map, its legend,
the bars and the server's answer of that very drawing.
"""

from __future__ import annotations

from pathlib import Path

from bench.browser import CANVAS, app_server, draw, launch, wait_for_app
from tests.e2e.actions import SHAPES
from tests.e2e.truth import settle

OUT = Path(__file__).resolve().parent / "images" / "dashboard.png"
WIDTH, HEIGHT = 1376, 820


def main() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, app_server() as url:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.goto(f"{url}/?pair=2Z")
        wait_for_app(page)
        draw(page, SHAPES["2"], canvas=CANVAS)
        settle(page)
        page.wait_for_timeout(1500)  # the server's answer and the legend painted
        page.screenshot(path=str(OUT))
        browser.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
