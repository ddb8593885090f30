"""Browser fixtures: the dashboard on 127.0.0.1 and Debian's Chromium driven by Playwright.

Without a browser these tests skip with a loud message on a developer's machine; in CI
(``CI=true``) a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench import browser as harness

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str):
    message = f"BROWSER TESTS SKIPPED: {reason} (apt-get install chromium; pip install playwright)"
    if IN_CI:
        pytest.fail(message + " -- CI must run them")
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if harness.chromium_path() is None:
        _unavailable("no Chromium at /usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = harness.launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def dashboard(emnist_dir):
    port = int(os.environ["E2E_PORT"]) if os.environ.get("E2E_PORT") else None
    with harness.app_server(env={"EMNIST_DIR": str(emnist_dir)}, port=port) as url:
        yield url


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def pytest_collection_modifyitems(items):
    """Every browser test starts a server and a Chromium: all of them are in the slow tier."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
