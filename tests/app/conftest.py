"""AppTest helpers: run the dashboard in-process, optionally with a drawing already made."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from app.pages import PAGES
from core.inputs.preprocess import canvas_to_input
from core.inputs.strokes import render_strokes

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "main.py")
TIMEOUT = 60

DRAWN = {
    "Z": [[(0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9)]],
    "2": [[(0.15, 0.3), (0.3, 0.1), (0.6, 0.05), (0.85, 0.25), (0.8, 0.5), (0.1, 0.9), (0.9, 0.9)]],
}


def drawn(character: str):
    """A drawing of ``character``: hand-written strokes for 2 and Z, else the first shipped
    example drawing of it (every other pair's characters have one)."""
    if character in DRAWN:
        return canvas_to_input(render_strokes(DRAWN[character]))
    from core.inputs.examples import examples_for, render

    return canvas_to_input(render(examples_for(character)[0]))


def record_of(image, description: str = "a picture put there by the test"):
    """A session record (app/state.py) holding ``image`` as a picture on the canvas, as an
    upload puts it there (its link carries the picture)."""
    from core.inputs.current import CurrentInput
    from core.inputs.link import LinkedInput, encode

    return CurrentInput(
        version=1,
        load=1,
        source="upload",
        image=image,
        picture=image,
        description=description,
        link=encode(LinkedInput("picture", picture=image)),
    )


def current_image(app: AppTest):
    """The 28x28 image of the session's current input (None without one)."""
    from app.state import RECORD_KEY

    record = app.session_state[RECORD_KEY] if RECORD_KEY in app.session_state else None
    return None if record is None else record.image


def run_page(
    page: str | None = None, query: dict | None = None, session: dict | None = None
) -> AppTest:
    """The app opened on ``page`` (a file of app/pages.py; default: the first page), as a
    browser opening its URL would: its first run is that page's. ``session``'s
    ``input_image`` becomes the current input, its other keys go into session_state as they
    are."""
    from app.state import RECORD_KEY

    app = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    for key, value in (session or {}).items():
        if key == "input_image":
            app.session_state[RECORD_KEY] = record_of(value)
        else:
            app.session_state[key] = value
    if page:
        _open_at(app, page)
    app.run()
    return app


def _open_at(app: AppTest, page: str) -> None:
    """Start ``app`` on ``page``: the script hash st.navigation gives a page is that of its URL
    path (AppTest.switch_page can only map a file to it after a first run of the default page,
    which would double every page test's cost)."""
    url_path = {entry.file: entry.url_path for entry in PAGES}[page]
    app._page_hash = calc_hash(url_path)  # AppTest's requested page (streamlit pinned <1.68)


_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def texts(app: AppTest) -> str:
    """Every piece of text on the page, for assertions on what a user reads: Markdown's
    backslash escapes (the app escapes names and numbers it shows as typed) are removed."""
    parts = [
        element.value
        for element in (
            *app.markdown,
            *app.title,
            *app.subheader,
            *app.caption,
            *app.info,
            *app.warning,
            *app.error,
            *app.success,
        )
    ]
    return _MARKDOWN_ESCAPE.sub(r"\1", "\n".join(str(part) for part in parts))


def chart_text(app: AppTest, index: int = 0) -> str:
    """One plotly chart's figure as decoded JSON text (plotly escapes "/" and, without orjson,
    non-ASCII)."""
    return json.dumps(json.loads(app.get("plotly_chart")[index].proto.spec), ensure_ascii=False)


def reference_maps_of(app: AppTest) -> dict:
    """What the page sent to its reference-maps component (app/reference_maps.py)."""
    for element in app.get("bidi_component"):
        if element.proto.component_name.endswith("reference_maps"):
            return json.loads(json.loads(element.proto.json)["config"])
    raise AssertionError("no reference maps on the page")


@pytest.fixture(autouse=True)
def server_path(monkeypatch):
    """Pages take the server path (its own bars and maps, as when the browser engine cannot
    run), whether or not browser weights are exported here; tests of the live canvas ask for
    the live path with their own fixture (tests/app/test_live_canvas.py)."""
    from app import live_canvas

    monkeypatch.setattr(live_canvas, "weights_address", lambda name, kind: None)


@pytest.fixture
def no_dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("EMNIST_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def with_dataset(emnist_dir, monkeypatch):
    monkeypatch.setenv("EMNIST_DIR", str(emnist_dir))
    return emnist_dir
