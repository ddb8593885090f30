"""The project's live drawing component (``app/static/live/canvas.js``) on a page.

The browser draws, preprocesses and explains on every animation frame (engine.js); on
pointer-up it sends the strokes at once and the server, the reference, recomputes the
prediction and maps with core. What the canvas shows comes from the session (app.inputs), so
it survives reruns and page switches. If the browser engine cannot run, the component says so
and :func:`show` reports it: the page then draws the server's own figures.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import streamlit as st

from app import component_values, inputs, plots, session_budget, state
from core.errors import ProjectFileError
from core.inputs.strokes import CANVAS_SIZE, DEFAULT_BRUSH, strokes_payload

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


def network(name: str, kind: str, title: str, labels, limit: float | None = None) -> dict:
    """A panel of the canvas: the network's browser weights and, for its "not one of these"
    check, its parameters and the answer shown when the check flags the drawing."""
    from core.data.pairs import ALL_EIGHT, EIGHT_CHARACTERS, pair_characters
    from core.insight.unlikely import not_one_of_these

    characters = EIGHT_CHARACTERS if name == ALL_EIGHT else pair_characters(name)
    return {
        "title": title,
        "url": weights_address(name, kind),
        "labels": list(labels),
        "limit": limit,
        "unlikely": unlikely_address(name, kind),
        "refusal": not_one_of_these(characters),
    }


def _picture() -> list[int] | None:
    """The current input's grey levels when it is a picture (not strokes) for the canvas."""
    image = state.current_input()
    if image is None or inputs.strokes():
        return None
    return np.asarray(image, dtype=np.uint8).ravel().tolist()


def show(
    key: str,
    networks: list[dict],
    mode: str,
    target: int | None = None,
    contrast: int | None = None,
) -> tuple[str | None, str | None]:
    """Mount the canvas; use what it sent. Returns (a hint if the drawing was refused, why the
    live engine is off or None)."""
    # what the canvas sent is used before it is mounted, so the data it gets agrees with it
    refused = inputs.accept_drawing(_value(st.session_state.get(key), "drawing"))
    palette = plots.palette()["stops"]
    data = {
        "load": inputs.loads(),
        "strokes": strokes_payload(inputs.strokes()),
        "picture": _picture(),
        "size": CANVAS_SIZE,
        "brush": DEFAULT_BRUSH,
        "engine": st.session_state.get(ENGINE_URL_KEY) or engine_address(),
        "networks": networks,
        # the 8-character CNN, whose logits every network's "not one of these" check reads
        "judge": judge_address() if any(n.get("unlikely") for n in networks) else None,
        "mode": mode,
        "target": target,
        "contrast": contrast,
        "palette": [list(stop) for stop in palette],
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
    refused = inputs.accept_drawing(_value(result, "drawing")) or refused
    refused = component_values.refusal(result) or refused
    return refused, engine_problem(_value(result, "engine"), networks)


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
