"""No page needs TensorFlow to predict or explain: every page, on a Dense network and a CNN,
with the dataset and a drawing, runs in a fresh interpreter that never imports it (the numpy
view reads the checked weight export; only training and the offline reports load Keras)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

VISIT_EVERY_PAGE = textwrap.dedent(
    """
    import sys
    from streamlit.testing.v1 import AppTest
    from tests.app.conftest import MAIN, drawn
    from tests.app.test_live_canvas import _packed, _strokes

    from app.pages import FILES as PAGES
    DATASET = {with_dataset}

    def check(app, where):
        assert not app.exception, (where, app.exception)
        assert not app.error, (where, [e.value for e in app.error])

    for kind in ("dense", "cnn"):
        app = AppTest.from_file(MAIN, default_timeout=300)
        app.query_params["kind"] = kind
        app.run()
        app.session_state["canvas"] = {{
            "drawing": {{"id": kind, "strokes": _strokes("2"), "input": _packed(drawn("2"))}}
        }}
        app.run()
        check(app, (kind, "draw"))
        assert any("Map stability" in m.value for m in app.markdown)
        for page in PAGES:
            app.switch_page(page)
            app.run()
            check(app, (kind, page))
        if DATASET:
            app.switch_page("views/global_maps.py")
            app.run()
            app.slider(key="global_k").set_value(50).run()
            check(app, (kind, "global maps, k = 50"))
            assert any("k = 50" in m.value for m in [*app.markdown, *app.caption])
            app.switch_page("views/mistakes.py")
            app.run()
            app.selectbox(key="gallery_method").set_value("gradient_x_input").run()
            check(app, (kind, "gallery by another method"))
        for step in range(2, 7):
            app.query_params["step"] = str(step)
            app.switch_page("views/tour.py")
            app.run()
            check(app, (kind, "tour step", step))
    heavy = sorted(name for name in ("tensorflow", "keras") if name in sys.modules)
    print("loaded:", heavy)
    """
)


def _run_without_tensorflow(script: str, emnist: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "EMNIST_DIR": emnist},
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "loaded: []" in done.stdout, done.stdout


@pytest.mark.slow
def test_every_page_runs_without_tensorflow_and_without_the_dataset(tmp_path):
    _run_without_tensorflow(VISIT_EVERY_PAGE.format(with_dataset=False), str(tmp_path))


@pytest.mark.slow
@pytest.mark.dataset
def test_every_page_runs_without_tensorflow_on_the_dataset(emnist_dir):
    """Mistakes (every test image explained), recomputed global maps, the hidden space and the
    tour's mistake step all run on the numpy view."""
    _run_without_tensorflow(VISIT_EVERY_PAGE.format(with_dataset=True), str(emnist_dir))
