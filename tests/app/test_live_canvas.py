"""The live drawing component on the pages: what it is sent, and what the server does with
what it sends back (its state is set through session_state, as a browser would set it)."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from app import live_canvas
from core.inputs.strokes import CANVAS_SIZE, DEFAULT_BRUSH, unit_to_pixels
from tests.app.conftest import DRAWN, current_image, drawn, run_page, texts


def _strokes(character: str) -> list[dict]:
    """A drawing as the component sends it: canvas pixels, flattened x, y pairs."""
    return [
        {"w": DEFAULT_BRUSH, "p": [v for point in unit_to_pixels(stroke) for v in point]}
        for stroke in DRAWN[character]
    ]


def _sent(app, key: str = "canvas", engine: dict | None = None, **drawing) -> None:
    """What the component sets on pointer-up (and, if it fails, its engine report)."""
    app.session_state[key] = {"drawing": drawing, **({"engine": engine} if engine else {})}
    app.run()


def _data(app, index: int = 0) -> dict:
    """The data the page sent to its (first) live canvas."""
    components = [
        c for c in app.get("bidi_component") if c.proto.component_name.endswith("live_canvas")
    ]
    return json.loads(json.loads(components[index].proto.json)["config"])


def _input(app, index: int = 0) -> dict:
    """What the page put on its (first) live canvas: the record's input."""
    return _data(app, index)["input"]


def _prediction(app) -> str:
    return next(m.value for m in app.markdown if "Prediction" in m.value)


@pytest.fixture
def live(monkeypatch):
    """Every network has browser weights (the live path), whatever is exported here."""
    monkeypatch.setattr(live_canvas, "weights_address", lambda name, kind: f"w/{name}-{kind}.json")


def test_the_canvas_is_sent_the_question_and_the_network(no_dataset, live):
    app = run_page(query={"pair": "8B", "mode": "contrast"})
    assert not app.exception
    data = _data(app)
    assert data["input"]["strokes"] == [] and data["input"]["picture"] is None
    assert data["size"] == CANVAS_SIZE and data["question"]["mode"] == "contrast"
    assert data["question"]["why"] is None and data["question"]["against"] is None
    assert [n["labels"] for n in data["networks"]] == [["8", "B/b"]]
    assert data["networks"][0]["url"] == "w/8B-dense.json"
    assert len(data["palette"]) == 4 and data["engine"].endswith("engine.js")
    assert "Draw a character" in texts(app)


def test_the_canvas_is_sent_the_not_one_of_these_check(no_dataset, live):
    """Each panel gets its network's parameters (at an address carrying their checksum) and
    the server's refusal text; the canvas gets the 8-character CNN whose logits they read."""
    import hashlib

    from app.live_weights import STATIC_DIR

    data = _data(run_page(query={"pair": "8B", "mode": "contrast"}))
    panel = data["networks"][0]
    assert panel["refusal"] == "This does not look like 8 or B/b"
    assert data["judge"] == "w/all8-cnn.json"
    folder, name = panel["unlikely"].split("/")[-2:]
    assert folder.startswith("8B-unlikely-")
    served = (STATIC_DIR / "weights" / folder / name).read_bytes()
    assert hashlib.sha256(served).hexdigest()[:8] == folder.rsplit("-", 1)[1]
    assert json.loads(served)["classes"] == [3, 4]  # 8 and B among 0 2 5 8 B O S Z


def test_a_drawing_sent_on_pointer_up_is_explained_by_the_server(no_dataset, live):
    app = run_page()
    _sent(app, id="one", strokes=_strokes("Z"))
    assert not app.exception
    assert "**Z/z**" in _prediction(app)
    assert "Input: your drawing" in texts(app)
    assert np.array_equal(current_image(app), drawn("Z"))  # core's preprocessing
    assert _input(app)["strokes"] == _strokes("Z")  # kept: a remount shows it again
    # the live canvas shows bars and map; the server adds numbers, sentence and exports, and
    # the page no plotly figure at all (the global maps are the reference-maps component's)
    assert len(app.get("progress")) == 0 and len(app.get("plotly_chart")) == 0
    assert "Map stability" in texts(app)


def _packed(image: np.ndarray) -> str:
    """A 28x28 input as the component packs it: 784 bytes, base64."""
    return base64.b64encode(np.asarray(image, np.uint8).tobytes()).decode("ascii")


def test_the_browsers_input_is_the_input_and_the_strokes_are_kept(no_dataset, live):
    """The strokes say Z, the browser's 28x28 input is a 2: the server explains the 2 (the image
    the live bars explained), and keeps the strokes for the canvas."""
    app = run_page()
    _sent(app, id="one", strokes=_strokes("Z"), input=_packed(drawn("2")))
    assert not app.exception
    assert np.array_equal(current_image(app), drawn("2"))
    assert "**2**" in _prediction(app)
    assert _input(app)["strokes"] == _strokes("Z")


@pytest.mark.parametrize(
    "sent, phrase",
    [
        (12, "neither base64 text nor a list"),
        ("not base64!", "not valid base64"),
        (base64.b64encode(bytes(783)).decode(), "has 783 grey levels"),
        ("A" * 5000, "too long"),
        ([1.5] * 783, "has 783 values"),
        ([float("nan")] * 784, "finite"),
        ([256] * 784, "between 0 and 255"),
    ],
)
def test_a_bad_browser_input_gets_a_message_never_an_exception(no_dataset, live, sent, phrase):
    app = run_page()
    _sent(app, id="bad", strokes=_strokes("Z"), input=sent)
    assert not app.exception
    assert phrase in texts(app)
    assert "Prediction" not in texts(app)
    assert _input(app)["strokes"] == _strokes("Z")  # the canvas keeps what was drawn


@pytest.mark.parametrize(
    "strokes, phrase",
    [
        ("not a list", "not a list of strokes"),
        ([{"w": 20}], "not a brush width and a list of points"),
        ([{"w": 0, "p": [1, 2]}], "brush width"),
        ([{"w": 20, "p": [1, 2, 3]}], "x, y pairs"),
        ([{"w": 20, "p": [1, "NaN"]}], "finite number"),
        ([{"w": 20, "p": [1, True]}], "finite number"),
        ([{"w": 20, "p": [1e9, 2]}], "on or near the 280x280 canvas"),
        ([{"w": 20, "p": [1, 2]}] * 401, "at most 400"),
        ([{"w": 20, "p": [1.0, 2.0] * 20_001}], "more than 20000 points"),
    ],
)
def test_a_bad_drawing_gets_a_message_never_an_exception(no_dataset, live, strokes, phrase):
    app = run_page()
    _sent(app, id="bad", strokes=strokes)
    assert not app.exception
    assert phrase in texts(app).replace("\\", "")
    assert "Prediction" not in texts(app)


def test_a_bad_picture_gets_a_message(no_dataset, live):
    app = run_page()
    _sent(app, id="bad", strokes=[], picture=[300] * 784)
    assert not app.exception
    assert "between 0 and 255" in texts(app)


def test_clicking_an_example_twice_then_drawing_is_your_drawing(no_dataset, live):
    app = run_page()
    for _ in range(2):
        app.pills(key="example_pick").set_value("Z with a bar").run()
    assert "example drawing" in texts(app)
    loads = _input(app)["load"]
    assert _input(app)["strokes"]  # the example is on the canvas, as strokes
    _sent(app, id="stroke", strokes=_input(app)["strokes"] + _strokes("2"))
    assert "Input: your drawing" in texts(app) and "example" not in texts(app)
    assert _input(app)["load"] == loads  # the canvas keeps what it drew: no reload


def test_the_drawing_and_its_result_survive_a_page_switch(no_dataset, live):
    app = run_page()
    _sent(app, id="one", strokes=_strokes("2"))
    before = _prediction(app)
    app.switch_page("views/compare.py").run()
    assert not app.exception
    compared = _data(app)
    assert len(compared["networks"]) == 4 and compared["input"]["strokes"] == _strokes("2")
    app.switch_page("views/draw.py").run()
    assert _prediction(app) == before
    assert _input(app)["strokes"] == _strokes("2")  # the canvas and the result agree


def test_an_upload_replaces_the_drawing(monkeypatch):
    from types import SimpleNamespace

    from app import inputs, state
    from core.inputs.uploads import image_to_png

    session = SimpleNamespace(session_state={})  # the pages' session, without a page
    monkeypatch.setattr(inputs, "st", session)
    monkeypatch.setattr(state, "st", session)
    assert inputs.accept_drawing({"id": "one", "strokes": _strokes("Z")}) is None
    assert inputs.strokes() and state.current_input() is not None
    upload = SimpleNamespace(
        name="two.png", file_id="u1", getvalue=lambda: image_to_png(drawn("2"))
    )
    loads = state.current().load
    assert inputs.load_upload(upload) is None
    assert inputs.strokes() == () and state.current().load == loads + 1  # the canvas shows it
    assert inputs.description() == "uploaded picture two.png"
    blank = SimpleNamespace(
        name="blank.png", file_id="u2", getvalue=lambda: image_to_png(np.zeros((28, 28), np.uint8))
    )
    assert "blank" in inputs.load_upload(blank)
    assert state.current_input() is None and inputs.strokes() == ()  # nothing stale beside it
    assert state.current().load == loads + 2 and "blank" in state.current().problem
    # the canvas shows the reason as typed (the record's is Markdown for the page)
    from app import live_canvas

    monkeypatch.setattr(live_canvas, "st", session)
    shown = live_canvas.input_data()["problem"]
    assert shown.startswith("blank.png: the image is blank") and "\\" not in shown


def test_a_test_image_or_upload_is_shown_on_the_canvas_as_a_picture(no_dataset, live):
    app = run_page(session={"input_image": drawn("2")})
    data = _input(app)
    assert data["strokes"] == [] and len(data["picture"]) == 784
    assert np.array_equal(np.array(data["picture"]).reshape(28, 28), drawn("2"))


def test_fallback_when_the_browser_engine_fails(no_dataset, live):
    app = run_page()
    _sent(app, id="one", strokes=_strokes("Z"), engine={"ok": False, "reason": "script error"})
    assert not app.exception
    assert "Live explanation off (script error)" in texts(app)
    assert len(app.get("progress")) == 2  # the server's own bars and map
    assert [chart.key for chart in app.get("plotly_chart")] == ["explanation"]
    assert "**Z/z**" in _prediction(app)


def test_fallback_when_a_network_has_no_browser_weights(no_dataset, monkeypatch):
    monkeypatch.setattr(live_canvas, "weights_address", lambda name, kind: None)
    app = run_page()
    _sent(app, id="one", strokes=_strokes("2"))
    assert "Live explanation off (no browser weights" in texts(app)
    assert len(app.get("progress")) == 2


def test_compare_pairs_follows_the_same_drawing_with_four_networks(no_dataset, live):
    app = run_page("views/compare.py")
    assert not app.exception
    data = _data(app)
    assert [n["labels"] for n in data["networks"]] == [
        ["2", "Z/z"],
        ["5", "S/s"],
        ["8", "B/b"],
        ["0", "O/o"],
    ]
    _sent(app, key="compare_canvas", id="one", strokes=_strokes("Z"))
    assert not app.exception
    # the four live maps are the page's only maps; the server adds one row per network
    assert len(app.get("plotly_chart")) == 0 and len(app.dataframe[0].value) == 4
    assert _input(app)["strokes"] == _strokes("Z")


def test_presenter_clear_empties_the_canvas_and_the_result(no_dataset, live):
    app = run_page(query={"presenter": "1"})
    _sent(app, id="one", strokes=_strokes("Z"))
    loads = _input(app)["load"]
    app.button(key="presenter_clear").click().run()
    assert "Prediction" not in texts(app)
    data = _input(app)
    assert data["strokes"] == [] and data["picture"] is None and data["load"] > loads
