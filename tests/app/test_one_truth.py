"""One truth on screen, page by page: each defect found on the presenter's routes has its own
test here (the Chromium ones, with the random user sessions, are in tests/e2e/)."""

from __future__ import annotations

import json

import numpy as np

from app import live_canvas
from app.explainers import answer_title
from core.explain.question import Question
from core.insight.drawing import explain_drawing
from core.insight.map_scales import load_target_limits
from core.models.loading import load_network
from core.models.paths import model_dir
from tests.app.conftest import current_image, drawn, run_page, texts
from tests.app.test_live_canvas import _data, _input, _sent, _strokes


def test_compare_pairs_words_follow_the_mode_and_palette_with_no_placeholder(no_dataset):
    for palette, colour in (("red-blue", "Red"), ("orange-purple", "Orange")):
        app = run_page("views/compare.py", session={"input_image": drawn("Z"), "palette": palette})
        page = texts(app)
        assert "A/a" not in page  # the old placeholder: "make it **A/a rather than B/b**"
        assert f"{colour} pixels make it each network's prediction rather than" in page
        assert "probability of the prediction" in app.dataframe[0].value.columns


def test_the_8_character_network_never_argues_a_class_against_itself(no_dataset):
    """ "why the prediction, and not 2" with 2 predicted: the runner-up, and the page says so
    (the live map used to be all zero while the server explained the runner-up)."""
    app = run_page(
        query={"net": "all8", "mode": "contrast", "against": "2"},
        session={"input_image": drawn("2")},
    )
    assert not app.exception
    page = texts(app)
    assert "Prediction: **2**" in page
    assert "2 is the class explained, so the map argues against the runner-up" in page
    question = _data(app)["question"]
    assert (question["why"], question["against"]) == (None, 1)  # the live canvas: same rule


def test_the_export_title_of_a_refused_drawing_is_the_verdict():
    line = np.zeros((28, 28), np.uint8)
    line[3:25, 13:15] = 255
    from core.insight.unlikely import UnlikelyCheck, shipped_parameters

    check = UnlikelyCheck(shipped_parameters("2Z", "dense"), load_network("all8", "cnn"))
    found = explain_drawing(load_network("2Z"), line, "contrast", ("2", "Z"), unlikely_check=check)
    assert found.refused
    title = answer_title(found, ["2", "Z/z"], "2 vs Z/z, Dense (thesis)")
    assert title.startswith("2 vs Z/z, Dense (thesis): This does not look like 2 or Z/z")
    assert "(its guess: " in title


def test_the_fixed_scale_is_the_networks_scale_for_drawings(no_dataset, monkeypatch):
    monkeypatch.setattr(live_canvas, "weights_address", lambda name, kind: f"w/{name}-{kind}")
    app = run_page(query={"pair": "5S", "mode": "target"}, session={"fixed_scale": True})
    limits = load_target_limits(model_dir("5S", "dense"), 2)  # one per class explained
    assert _data(app)["networks"][0]["limit"] == limits["target"]
    assert limits["target"][0] != limits["target"][1]
    off = run_page(query={"pair": "5S", "mode": "target"})
    assert _data(off)["networks"][0]["limit"] is None  # each map its own scale


def test_an_example_is_put_on_the_canvas_with_the_input_the_server_explains(no_dataset):
    """The live canvas explains the server's own 28x28 of strokes it places, so both give the
    same numbers."""
    app = run_page()
    app.pills(key="example_pick").set_value("Z with a bar").run()
    placed = _input(app)
    assert placed["strokes"] and len(placed["image"]) == 784
    assert np.array_equal(np.reshape(placed["image"], (28, 28)), current_image(app))
    assert placed["description"] == "example drawing \u201cZ with a bar\u201d"
    _sent(app, id="pen", strokes=placed["strokes"] + _strokes("2"))
    assert _input(app)["image"] is None  # the pen's drawing: the browser's own preprocessing


def test_edited_strokes_dragged_off_the_canvas_are_cut_where_it_ends(no_dataset):
    app = run_page()
    _sent(app, id="one", strokes=_strokes("Z"))
    app.toggle(key="editing_drawing").set_value(True).run()
    editor = next(c for c in app.get("bidi_component") if "drawable" in c.proto.component_name)
    opened = json.loads(editor.proto.json)["initialDrawing"]
    moved = {**opened, "objects": [{**opened["objects"][0], "left": 270.0}]}  # half off
    app.session_state["edit_canvas"] = {"drawing": {"raw": moved, "data": None}}
    app.run()
    assert not app.exception
    points = [v for stroke in _input(app)["strokes"] for v in stroke["p"]]
    width = _input(app)["strokes"][0]["w"]
    assert max(points) <= 280 + width + 2 + 1e-6  # nothing beyond reach of the canvas
    assert max(points[0::2]) > 280  # ...but the stroke still runs to (and past) the edge


def test_the_tour_follows_the_pair_and_gives_every_pages_verdict(no_dataset):
    from app import answers
    from app.views import tour  # noqa: F401  (imported by the page; its names are read here)

    app = run_page("views/tour.py", query={"pair": "8B", "step": "2"})
    assert not app.exception
    assert app.title[0].value.startswith("Guided tour: why 8 and not B/b?")
    shown = json.dumps(json.loads(app.get("plotly_chart")[0].proto.spec), ensure_ascii=False)
    from core.inputs.examples import by_name, render
    from core.inputs.preprocess import canvas_to_input

    image = canvas_to_input(render(by_name("8")))
    for pair, title in (("2Z", "2 vs Z/z"), ("5S", "5 vs S/s"), ("8B", "8 vs B/b")):
        found = answers.answer(image, pair, "dense", Question("contrast"))
        assert (f"{title}: neither" in shown) == found.refused, pair


def test_the_page_says_what_a_target_and_a_contrast_map_show(no_dataset):
    """Beside the map, one sentence on the kind of map: a target map's shared part (why a 2
    can be red "for Z/z"), a contrast map's cancelling."""
    target = texts(
        run_page(query={"mode": "target", "why": "Z"}, session={"input_image": drawn("2")})
    )
    assert "A target map shows all that raises Z/z's score" in target
    assert "a part every character shares" in target
    contrast = texts(run_page(query={"mode": "contrast"}, session={"input_image": drawn("2")}))
    assert "A contrast map keeps only what separates 2 from Z/z" in contrast
    assert "A target map" not in contrast
