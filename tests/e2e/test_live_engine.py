"""The browser engine in real Chromium, held equal to core on the same cases as under Node.

The page is http://localhost/ answered from the repository's files by Playwright
(bench/live_engine.py), so crypto.subtle is there as on a Streamlit page on localhost.
"""

from __future__ import annotations

import pytest

from bench import live_engine as page_harness
from tests import live_engine_cases as live

pytestmark = pytest.mark.browser

RUN = """async (cases) => {
  const engine = await import('/app/static/live/engine.js');
  const { runCases } = await import('/tests/js/engine_harness.mjs');
  return runCases(engine, cases);
}"""


@pytest.fixture(scope="module")
def engine_page(chromium):
    with page_harness.engine_page(chromium) as page:
        yield page


@pytest.mark.slow
def test_preprocessing_equals_core_in_chromium(engine_page):
    cases = {**live.cases(page_harness.manifest_url), "networks": []}
    live.check_preprocessing(engine_page.evaluate(RUN, cases))


@pytest.mark.slow
def test_every_network_and_mode_equals_core_in_chromium(engine_page):
    from core.models.loading import load_pretrained

    models = {(pair, kind): load_pretrained(pair, kind) for pair, kind in live.NETWORKS}
    results = engine_page.evaluate(RUN, live.cases(page_harness.manifest_url))
    live.check_networks(results, models)


def test_a_missing_network_is_a_clear_error(engine_page):
    message = engine_page.evaluate(
        """async (url) => {
          const engine = await import('/app/static/live/engine.js');
          try { await engine.loadNetwork(url); return 'loaded'; }
          catch (error) { return error.message; }
        }""",
        page_harness.manifest_url("no-such-network"),
    )
    assert "HTTP 404" in message and "no-such-network" in message


@pytest.mark.slow
def test_not_one_of_these_equals_core_in_chromium(engine_page):
    """The parameters as the page serves them (app/static/weights/, a checksummed folder),
    scored in Chromium from all8-cnn's logits: core's scores and verdicts."""
    from app.live_weights import UNLIKELY_JSON, WEIGHTS_DIR, unlikely_document
    from core.insight.unlikely import SOURCE, SOURCE_KIND, shipped_parameters
    from core.models.loading import load_pretrained

    urls = []
    for pair, kind in live.NETWORKS:
        folder, text = unlikely_document(pair, kind)
        (WEIGHTS_DIR / folder).mkdir(parents=True, exist_ok=True)
        (WEIGHTS_DIR / folder / UNLIKELY_JSON).write_bytes(text)
        urls.append(f"{page_harness.ORIGIN}/app/static/weights/{folder}/{UNLIKELY_JSON}")
    cases = {
        **live.cases(page_harness.manifest_url),
        "networks": [],
        "inks": [],
        "canvases": [],
        "unlikely": live.unlikely_cases(page_harness.manifest_url("all8-cnn"), urls),
    }
    results = engine_page.evaluate(RUN, cases)["unlikely"]
    parameters = [shipped_parameters(pair, kind) for pair, kind in live.NETWORKS]
    live.check_unlikely(results, load_pretrained(SOURCE, SOURCE_KIND), parameters)
