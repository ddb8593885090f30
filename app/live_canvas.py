"""The project's live drawing component (``app/static/live/canvas.js``) on a page.

The browser draws, preprocesses and explains on every animation frame (engine.js); on
pointer-up it sends the strokes at once and the server, the reference, recomputes the
prediction and maps with core. Everything it is sent is rendered from the session's one record
and question (app/state.py): the input it shows (drawn and explained in its next frame when the
server puts a new one there), the question it answers, the palette and the scale. If the browser
engine cannot run, the component says so and :func:`show` reports it: the page then draws the
server's own figures.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import streamlit as st

from app import component_values, inputs, session_budget, state
from core.errors import ProjectFileError
from core.explain.question import indices
from core.inputs.strokes import CANVAS_SIZE, DEFAULT_BRUSH, strokes_payload
from core.insight.palette import palette as palette_named
from core.insight.palette import words

STATIC = Path(__file__).resolve().parent / "static" / "live"
ENGINE_URL_KEY = "live_engine_address"  # tests may point the page at another engine
LIVE_KEY = "live_engine"  # False: the server path only (the sidebar's switch, or a failure)


@cache
def _component():
    component_values.install()  # what a browser sends is checked before Streamlit decodes it
    session_budget.install()  # and what one session may cost the server is bounded
    return st.components.v2.component(
        "modulex_live_canvas",
        js=(STATIC / "canvas.js").read_text(encoding="utf-8"),
        css=(STATIC / "canvas.css").read_text(encoding="utf-8"),
    )


def weights_address(name: str, kind: str) -> str | None:
    """The browser weights' manifest of a network, or None when it has none (the page then
    falls back to the server path for it)."""
    from app.live_weights import weights_url

    try:
        return weights_url(name, kind)
    except (ProjectFileError, OSError, ValueError):  # a missing or damaged export
        return None


def unlikely_address(name: str, kind: str) -> str | None:
    """The browser copy of a network's "not one of these" parameters, or None without them
    (the server then has no check either: both show the prediction)."""
    from app.live_weights import unlikely_url

    try:
        return unlikely_url(name, kind)
    except (ProjectFileError, OSError, ValueError):
        return None


def judge_address() -> str | None:
    """The browser weights of the 8-character CNN, whose logits the check reads."""
    from core.insight.unlikely import SOURCE, SOURCE_KIND

    return weights_address(SOURCE, SOURCE_KIND)


def engine_address() -> str:
    from app.live_weights import engine_url

    return engine_url()


def network(
    name: str, kind: str, title: str, labels, limit: float | list[float] | None = None
) -> dict:
    """A panel of the canvas: the network's browser weights and, for its "not one of these"
    check, its parameters and the answer shown when the check flags the drawing. ``limit``: the
    fixed colour scale, one per explained class (a list) or one for all; None: the map's own."""
    from core.insight.unlikely import not_one_of_these
    from core.models.networks import characters_of

    characters = characters_of(name)
    return {
        "title": title,
        "url": weights_address(name, kind),
        "labels": list(labels),
        "limit": limit,
        "unlikely": unlikely_address(name, kind),
        "refusal": not_one_of_these(characters),
    }


def accept(key: str) -> str | None:
    """Take what the canvas sent (before the page explains anything): a hint if refused. The
    value was decoded within app/component_values.py's budgets when the session state read it;
    one it refused reads as ``{REFUSED_KEY: why}``, which holds no drawing and gives the hint."""
    component_values.install()  # idempotent; also done when the component is first mounted
    sent = st.session_state.get(key)
    refused = inputs.accept_drawing(_value(sent, "drawing"), key)
    return component_values.refusal(sent) or refused


def _levels(image) -> list[int] | None:
    return None if image is None else np.asarray(image, dtype=np.uint8).ravel().tolist()


def input_data() -> dict:
    """The record as the canvas needs it: what to show and, for strokes the server placed,
    the 28x28 input it explains."""
    record = state.current()
    placed = bool(record.strokes) and record.source != "pen"
    return {
        "load": record.load,
        "strokes": strokes_payload(list(record.strokes)),
        "picture": None if record.strokes else _levels(record.picture),
        "raster": record.raster if record.strokes else None,
        "rasterStrokes": record.raster_strokes,
        "image": _levels(record.image) if placed else None,
        "description": record.description if record.source not in ("pen", "none") else "",
        "problem": inputs.plain_text(record.problem or ""),  # the record's is Markdown
    }


def question_data(classes: tuple[str, ...] | None) -> dict:
    """The session's question for the canvas: indices into ``classes`` (None: several
    networks, each explaining its own prediction)."""
    question = state.question()
    why, against = indices(question, classes) if classes else (None, None)
    return {"mode": question.mode, "why": why, "against": against}


def server_data(found, record) -> dict | None:
    """The server's answer as the tests compare it with the live one."""
    if found is None or record.image is None:
        return None
    from app.answers import fingerprint

    return {
        "version": record.version,
        "fingerprint": fingerprint(record.image),
        "probabilities": [float(p) for p in found.probabilities],
        "target": found.target,
        "contrast": found.contrast,
        "refused": found.refused,
        "answer": found.answer,
    }


def show(
    key: str,
    networks: list[dict],
    classes: tuple[str, ...] | None,
    server: dict | None = None,
    shared_scale: bool = False,
    editing: bool = False,
) -> str | None:
    """Mount the canvas (call :func:`accept` first); returns why the live engine is off, or
    None."""
    data = {
        "input": input_data(),
        "size": CANVAS_SIZE,
        "brush": DEFAULT_BRUSH,
        "engine": st.session_state.get(ENGINE_URL_KEY) or engine_address(),
        "networks": networks,
        # the 8-character CNN, whose logits every network's "not one of these" check reads
        "judge": judge_address() if any(n.get("unlikely") for n in networks) else None,
        "question": question_data(classes),
        "sharedScale": shared_scale,
        "palette": [list(stop) for stop in palette_named(state.palette())["stops"]],
        "paletteWords": list(words(state.palette())),
        "server": server,
        "editing": editing,
        "live": st.session_state.get(LIVE_KEY, True),
    }
    result = _component()(
        key=key,
        # one JSON string: Streamlit scans each value of a dict for data frames, which imports
        # pandas (~0.5 s of the first explanation after a server start) though none is here
        data={"config": json.dumps(data)},
        on_drawing_change=_ignore,
        on_engine_change=_ignore,
    )
    return engine_problem(_value(result, "engine"), networks)


def engine_problem(report, networks: list[dict]) -> str | None:
    """Why the browser cannot explain live, or None (it can, or has not said otherwise)."""
    if st.session_state.get(LIVE_KEY, True) is False:
        return "turned off"
    missing = [n["title"] for n in networks if not n.get("url")]
    if missing:
        return f"no browser weights for {', '.join(missing)}"
    if isinstance(report, dict) and report.get("ok") is False:
        return str(report.get("reason") or "the browser engine failed")[:200]
    return None


def fallback_note(problem: str) -> str:
    """The one line the page shows when it falls back to the server path."""
    return (
        f"Live explanation off ({inputs.as_text(problem)}): "
        "the server explains each stroke when the pen lifts."
    )


def _value(result, name: str):
    try:
        return result[name]
    except (KeyError, TypeError, AttributeError, IndexError):
        return None


def _ignore() -> None:
    """The component's state is read after the call; Streamlit needs a callback per name."""
