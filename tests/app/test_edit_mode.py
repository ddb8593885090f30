"""Edit mode: strokes -> Fabric objects -> (moved, scaled, rotated by st_canvas) -> strokes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.canvas import fabric_drawing, strokes_from_fabric
from app.edit_mode import EDITED, same_drawing
from core.inputs.strokes import PixelStroke
from tests.app.conftest import current_image, run_page, texts
from tests.app.test_live_canvas import _data, _sent, _strokes

SQUARE = PixelStroke(10.0, [(100.0, 100.0), (140.0, 100.0), (140.0, 120.0)])


def _points(drawing) -> np.ndarray:
    return np.array([p for stroke in strokes_from_fabric(drawing) for p in stroke.points])


def test_an_untouched_drawing_comes_back_unchanged():
    assert same_drawing(strokes_from_fabric(fabric_drawing([SQUARE])), [SQUARE], tolerance=1e-9)


def test_a_move_shifts_every_point():
    drawing = fabric_drawing([SQUARE])
    drawing["objects"][0]["left"] += 15
    drawing["objects"][0]["top"] -= 5
    assert np.allclose(_points(drawing), np.array(SQUARE.points) + [15, -5])


def test_a_scale_stretches_about_the_centre_and_thickens_the_brush():
    drawing = fabric_drawing([SQUARE])
    drawing["objects"][0].update(scaleX=2.0, scaleY=0.5)
    # the box centre is (120, 110): x distances double, y distances halve
    assert np.allclose(_points(drawing), [(80, 105), (160, 105), (160, 115)])
    assert strokes_from_fabric(drawing)[0].width == pytest.approx(10.0)  # sqrt(2 * 0.5) = 1


def test_a_quarter_turn_rotates_clockwise_on_screen():
    drawing = fabric_drawing([SQUARE])
    drawing["objects"][0]["angle"] = 90
    # (x, y) - centre = (-20, -10) -> (10, -20): y grows downwards, so +90 degrees is clockwise
    assert np.allclose(_points(drawing)[0], (130, 90))


def test_a_corner_origin_is_taken_into_account():
    drawing = fabric_drawing([SQUARE])
    item = drawing["objects"][0]
    half_w, half_h = (item["width"] + 10) / 2, (item["height"] + 10) / 2
    item.update(originX="left", originY="top", left=item["left"] - half_w, top=item["top"] - half_h)
    assert np.allclose(_points(drawing), SQUARE.points)


def test_edit_mode_opens_the_strokes_and_the_edit_becomes_the_input(no_dataset):
    app = run_page()
    _sent(app, id="one", strokes=_strokes("2"))
    before = current_image(app).copy()
    app.toggle(key="editing_drawing").set_value(True).run()
    assert not app.exception
    editor = next(c for c in app.get("bidi_component") if "drawable" in c.proto.component_name)
    opened = json.loads(editor.proto.json)
    assert opened["realtimeUpdateStreamlit"] is True
    objects = opened["initialDrawing"]["objects"]
    assert len(objects) == 1 and objects[0]["type"] == "Path"
    # st_canvas sends the drawing after the person rotates the stroke a quarter turn
    turned = {**opened["initialDrawing"], "objects": [{**objects[0], "angle": 90}]}
    app.session_state["edit_canvas"] = {"drawing": {"raw": turned, "data": None}}
    app.run()
    assert not app.exception
    assert EDITED in texts(app).replace("\\", "")  # the caption escapes its punctuation
    assert not np.array_equal(current_image(app), before)
    edited = _data(app)["input"]
    assert edited["strokes"] != _strokes("2") and len(edited["strokes"]) == 1
    assert _data(app)["editing"] is True  # the live maps stay, the pad is hidden
    app.toggle(key="editing_drawing").set_value(False).run()  # back on the live canvas
    closed = _data(app)["input"]
    assert closed["strokes"] == edited["strokes"] and closed["load"] > edited["load"]
    assert _data(app)["editing"] is False
