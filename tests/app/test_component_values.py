"""What a hostile browser can send as the live canvas' value (tests/fixtures/hostile_values.py):
decoded within budgets and never raising (app/component_values.py), and no value, however
malformed, breaks the session: the next valid drawing is explained (issue 25)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetStates

from app import component_values
from tests.app.conftest import current_image, drawn, run_page, texts
from tests.fixtures.hostile_values import corpus, valid_drawing

ROOT = Path(__file__).resolve().parents[2]
CORPUS = corpus()
REFUSED = sorted(name for name, (_, _, expected) in CORPUS.items() if expected == "refused")
QUICK = ["not json", "nested 5,000 deep", "400-digit coordinate", "events nested 5,000 deep"]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_decoding_never_raises_and_refuses_exactly_the_malformed_values(name):
    field, text, expected = CORPUS[name]
    value, why = component_values.decode(text)
    if expected == "refused" or field == "events" and expected == "ignored" and why:
        assert why and value is None, name
    else:
        assert why is None, (name, why)


def test_the_corpus_holds_the_values_that_broke_sessions():
    """The eight values of issue 25 that raised inside Streamlit, and the refused large one."""
    for name in ("not json", "empty", "trailing junk", "nested 5,000 deep", "5,000-digit integer"):
        assert CORPUS[name][2] == "refused"
    assert len(CORPUS["over the decoding budget"][1]) > component_values.MAX_VALUE_CHARACTERS


def test_the_budgets_fit_the_canvas_and_the_transport():
    """The largest real drawing (20,000 points, one decimal each) decodes; the transport's cap
    (server.maxWidgetStateSize) is above the decoding budget, and the largest message the app
    sends (server.maxMessageSize) is above both."""
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    largest = valid_drawing(0, drawn("Z")).replace(
        "[60.0,60.0,220.0,60.0,60.0,220.0,220.0,220.0]", str([279.9] * 40_000)
    )
    assert component_values.decode(largest)[1] is None
    assert len(largest) < component_values.MAX_VALUE_CHARACTERS / 1.5
    assert component_values.MAX_VALUE_CHARACTERS < server["maxWidgetStateSize"] * 1e6
    assert server["maxWidgetStateSize"] < server["maxMessageSize"]


def test_install_is_idempotent_and_reads_states_through_decode():
    """Streamlit 1.67 reads a widget state through session_state.unpack_widget_state_value:
    if that changes, this fails (and the protection with it)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState
    from streamlit.runtime.state import session_state
    from streamlit.runtime.state.session_state import WStates

    component_values.install()
    patched = session_state.unpack_widget_state_value
    component_values.install()
    assert session_state.unpack_widget_state_value is patched
    state = WidgetState(id="w", json_value="{not json")
    states = WStates()
    states.set_widget_from_proto(state)
    states.set_widget_metadata(
        session_state.WidgetMetadata(
            id="w", deserializer=lambda v: v, serializer=lambda v: v, value_type="json_value"
        )
    )
    assert component_values.REFUSED_KEY in states["w"]


def _canvas_id(app) -> str:
    for element in app.get("bidi_component"):
        if element.proto.component_name.endswith("live_canvas"):
            return element.proto.id
    raise AssertionError("no live canvas on the page")


def _send(app, field: str, text: str):
    """Send ``text`` as the canvas' raw state or event list, with every other widget's state,
    as a crafted websocket message would (AppTest's own run uses the same session state)."""
    canvas = _canvas_id(app)
    target = canvas if field == "state" else _make_trigger_id(canvas, "events")
    states = WidgetStates()
    for state in app._tree.get_widget_states().widgets:
        if state.id not in (canvas, target):
            states.widgets.append(state)
    sent = states.widgets.add()
    sent.id = target
    if field == "state":
        sent.json_value = text
    else:
        sent.json_trigger_value = text
    return app._run(widget_state=states)


def _check(app, name: str) -> None:
    _, _, expected = CORPUS[name]
    assert not app.exception, (name, [e.stack_trace for e in app.exception])
    shown = texts(app)
    if expected == "refused":
        assert "was refused" in shown, name
    elif expected == "ignored":
        assert "was refused" not in shown and "could not be used" not in shown, name
    elif expected == "explained":
        assert np.array_equal(current_image(app), np.full((28, 28), 255)), name
    else:
        assert expected in shown.replace("\\", ""), (name, shown[-400:])


def _hostile_then_valid(names, monkeypatch) -> None:
    from app import live_canvas

    monkeypatch.setattr(live_canvas, "weights_address", lambda name, kind: f"w/{name}-{kind}.json")
    app = run_page()
    for number, name in enumerate(names):
        field, text, _ = CORPUS[name]
        _check(_send(app, field, text), name)
        image = drawn("Z" if number % 2 else "2")  # a new input each time
        _send(app, "state", valid_drawing(number, image))
        assert not app.exception, (name, [e.stack_trace for e in app.exception])
        assert np.array_equal(current_image(app), image), name
        assert "Prediction" in texts(app) and "was refused" not in texts(app), name


def test_a_malformed_value_does_not_break_the_session(no_dataset, monkeypatch):
    _hostile_then_valid(QUICK, monkeypatch)


@pytest.mark.slow
def test_no_value_of_the_corpus_breaks_the_session(no_dataset, monkeypatch):
    _hostile_then_valid(sorted(CORPUS), monkeypatch)


PAGES = [
    "views/draw.py",
    "views/compare.py",
    "views/global_maps.py",
    "views/mistakes.py",
    "views/models.py",
    "views/methods.py",
    "views/indirect.py",
    "views/tour.py",
]


@pytest.mark.slow
def test_the_apps_own_messages_fit_the_message_cap(no_dataset, monkeypatch):
    """server.maxMessageSize bounds what the server sends too: every page's largest message
    (the Indirect page's 128 first-layer templates, ~1.4 MB), and the canvas sent back its
    largest drawing (20,000 points), stay under half of it."""
    from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    sizes: dict[str, int] = {}
    enqueue = ForwardMsgQueue.enqueue

    def measured(self, message):
        page = measured.page
        sizes[page] = max(sizes.get(page, 0), message.ByteSize())
        return enqueue(self, message)

    monkeypatch.setattr(ForwardMsgQueue, "enqueue", measured)
    for page in PAGES:
        measured.page = page
        app = run_page(page, session={"input_image": drawn("Z")})
        assert not app.exception, page
    measured.page = "draw page with a 20,000-point drawing"
    app = run_page()
    _send(app, "state", CORPUS["20,000 points at brush 80 with the browser's input"][1])
    assert not app.exception
    assert sizes["views/indirect.py"] > 10**6  # the measurement sees the large figure
    assert max(sizes.values()) < server["maxMessageSize"] * 1e6 / 2, sizes
