"""Inputs a user controls (uploads, query parameters, file names) never break a page."""

from __future__ import annotations

from html import unescape

import pytest
from markdown_it import MarkdownIt

from app.inputs import as_text
from app.state import DEFAULTS, RECORD_KEY
from core.inputs.uploads import UPLOAD_FORMATS
from tests.app.conftest import drawn, record_of, run_page

EXTENSIONS = {"PNG": {"png"}, "JPEG": {"jpg", "jpeg"}, "GIF": {"gif"}, "BMP": {"bmp"}}
EXTENSIONS["WEBP"] = {"webp"}


@pytest.mark.parametrize("page", ["views/draw.py", "views/compare.py"])
def test_uploaders_accept_exactly_the_decoded_formats(page, no_dataset):
    app = run_page(page)
    assert not app.exception
    accepted = {kind.lstrip(".").lower() for kind in app.get("file_uploader")[0].proto.type}
    assert accepted == set().union(*(EXTENSIONS[name] for name in UPLOAD_FORMATS))


def _toasts(app) -> str:
    return "\n".join(toast.value for toast in app.toast)


@pytest.mark.parametrize("step", ["²", "٢", "0", "99", "1e3", " 2", "-1", "2.0", "99999999999"])
def test_a_bad_tour_step_starts_at_step_one_with_a_notice(step, no_dataset):
    app = run_page("views/tour.py", query={"step": step})
    assert not app.exception, app.exception
    assert app.get("progress")[0].proto.text.startswith("Step 1 of ")
    assert "step" in _toasts(app)


def test_a_good_tour_step_is_followed(no_dataset):
    app = run_page("views/tour.py", query={"step": "3"})
    assert not app.exception and app.get("progress")[0].proto.text.startswith("Step 3 of ")
    assert not app.toast


@pytest.mark.parametrize(
    "name, value",
    [
        ("pair", "2z"),
        ("pair", "<script>"),
        ("mode", "Target"),
        ("kind", "gpu"),
        ("presenter", "x"),
    ],
)
def test_bad_query_parameters_fall_back_with_a_notice(name, value, no_dataset):
    app = run_page(query={name: value})
    assert not app.exception, app.exception
    for key, default in DEFAULTS.items():
        assert app.session_state[key] == default, key
    shown = _toasts(app)
    assert name in shown and value.strip() not in shown.replace(name, "")


def test_good_query_parameters_are_taken_without_a_notice(no_dataset):
    app = run_page(query={"pair": "8B", "mode": "contrast", "kind": "cnn", "presenter": "1"})
    assert not app.exception and not app.toast
    assert [app.session_state[key] for key in ("pair", "mode", "kind")] == ["8B", "contrast", "cnn"]
    assert app.session_state["presenter"] is True


HOSTILE_NAMES = [
    "![x](http://127.0.0.1:9/beacon.png).png",
    "[click](javascript:alert(1)).png",
    "**bold** _it_ `code` <b>html</b> :red[red] $x^2$ # heading.png",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_user_text_renders_as_the_characters_typed(name):
    html = MarkdownIt("commonmark").render(as_text(f"uploaded picture {name}"))
    assert html.count("<") == 2  # only the paragraph's <p> ... </p>: no link, image, emphasis
    assert unescape(html.removeprefix("<p>").removesuffix("</p>\n")) == f"uploaded picture {name}"


@pytest.mark.parametrize("name", HOSTILE_NAMES[:1])
def test_the_draw_page_captions_an_upload_name_escaped(name, no_dataset):
    app = run_page(session={RECORD_KEY: record_of(drawn("Z"), f"uploaded picture {name}")})
    assert not app.exception
    caption = next(c.value for c in app.caption if c.value.startswith("Input:"))
    assert as_text(name) in caption and name not in caption
