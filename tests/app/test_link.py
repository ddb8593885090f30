"""The drawing in the link: a copied URL reopens the same input, question and view in a new
session; a bad or tampered link gets a notice and the defaults, never an exception."""

from __future__ import annotations

import numpy as np
import pytest

from tests.app.conftest import current_image, run_page, texts
from tests.app.test_live_canvas import _input, _sent, _strokes


def _link(app) -> dict[str, str]:
    """The session's URL parameters, as the browser's address bar shows them."""
    return {
        key: value[-1] if isinstance(value, list) else value
        for key, value in app.query_params.items()
    }


def _toasts(app) -> str:
    return " ".join(toast.value for toast in app.toast)


def test_a_drawing_and_its_question_reopen_from_the_link(no_dataset):
    app = run_page(query={"pair": "2Z"})
    whole = [{"w": s["w"], "p": [float(round(v)) for v in s["p"]]} for s in _strokes("2")]
    _sent(app, id="one", strokes=whole)  # the pen's whole pixels
    app.sidebar.radio(key="mode").set_value("target").run()
    app.segmented_control(key="why").set_value("Z").run()
    link = _link(app)
    assert link["input"].startswith("strokes:") and link["why"] == "Z"
    reopened = run_page(query=link)  # another machine: a new session
    assert not reopened.exception
    # without the browser's input both are core's rendering of the same strokes
    assert np.array_equal(current_image(reopened), current_image(app))
    assert _input(reopened)["strokes"] == whole  # the link keeps the pen's whole pixels
    assert "**The map answers:** why Z/z" in texts(reopened)
    assert reopened.sidebar.radio(key="mode").value == "target"


def test_an_example_a_picture_and_the_view_reopen_from_the_link(no_dataset):
    app = run_page(query={"pair": "8B", "kind": "cnn"}, session={"palette": "orange-purple"})
    app.pills(key="example_pick").set_value("8, flat side").run()
    link = _link(app)
    assert link["input"] == "example:8, flat side" and link["palette"] == "orange-purple"
    reopened = run_page(query=link)
    assert np.array_equal(current_image(reopened), current_image(app))
    assert "example drawing “8, flat side”" in texts(reopened)
    assert "Orange pixels" in texts(reopened) and reopened.sidebar.radio(key="kind").value == "cnn"


def test_an_upload_reopens_as_its_picture(no_dataset):
    picture = np.zeros((28, 28), np.uint8)
    picture[6:22, 12:16] = 255
    app = run_page(session={"input_image": picture})
    app.run()
    assert _link(app)["input"].startswith("picture:")
    reopened = run_page(query=_link(app))
    assert np.array_equal(current_image(reopened), picture)
    assert "the picture from the link" in texts(reopened)


@pytest.mark.dataset
def test_a_test_image_reopens_by_its_index(with_dataset):
    from core.data.dataset import load_pair

    app = run_page(query={"input": "test:2Z:85"})
    assert not app.exception
    images, _ = load_pair("2Z", "test")
    assert np.array_equal(current_image(app), images[85])
    assert "test image #85 of 2 vs Z/z, labelled 2" in texts(app)


def test_a_test_image_link_carries_its_pixels_where_the_test_set_is_not(no_dataset):
    picture = np.zeros((28, 28), np.uint8)
    picture[5:23, 10:18] = 200
    from core.inputs.link import pack_picture

    app = run_page(query={"input": "test:2Z:85", "image": pack_picture(picture)})
    assert not app.exception and np.array_equal(current_image(app), picture)
    assert "test image #85 of 2 vs Z/z (from the link; the test set is not on" in texts(app)


def test_a_test_image_link_without_the_dataset_says_so(no_dataset):
    app = run_page(query={"input": "test:2Z:85"})
    assert not app.exception and current_image(app) is None
    assert "the test set is not on this machine" in _toasts(app)


@pytest.mark.parametrize(
    "query, notice",
    [
        ({"input": "strokes:%%%"}, "input could not be read"),
        ({"input": "example:nope"}, "no shipped example"),
        ({"input": "picture:AAAA"}, "784 grey levels"),
        ({"input": "strokes:ARQBAAA", "image": "???"}, "image could not be read"),
        ({"why": "Q"}, "why must be one of"),
        ({"net": "all9"}, "net must be one of"),
        ({"palette": "rainbow"}, "palette must be one of"),
        ({"scale": "huge"}, "scale must be own or fixed"),
        ({"shared": "maybe"}, "shared must be 1 or 0"),
    ],
)
def test_a_bad_link_gets_a_notice_and_the_defaults(no_dataset, query, notice):
    app = run_page(query=query)
    assert not app.exception
    assert notice in _toasts(app)
    assert "Draw a character" in texts(app)  # an empty canvas, as on a fresh page
    assert all(value not in _toasts(app) for value in query.values() if len(value) > 3)
    # the refused value leaves the URL, so copying the link again does not repeat the notice
    for name, value in query.items():
        if name not in ("input", "image"):
            assert _link(app).get(name) != value, name


def test_the_colour_scales_go_into_the_link(no_dataset):
    app = run_page(query={"pair": "2Z"})
    app.sidebar.toggle(key="fixed_scale").set_value(True).run()
    assert _link(app).get("scale") == "fixed"
    compare = run_page("views/compare.py", query=_link(app))
    compare.toggle(key="compare_shared_scale").set_value(True).run()
    link = _link(compare)
    assert link.get("shared") == "1" and link.get("scale") == "fixed"
    reopened = run_page("views/compare.py", query=link)
    assert reopened.toggle(key="compare_shared_scale").value is True
    assert reopened.sidebar.toggle(key="fixed_scale").value is True
