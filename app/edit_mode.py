"""Edit the drawing: the current strokes in streamlit-drawable-canvas, with its transform
handles (0.13 keeps them behind its toolbar's edit toggle, in every drawing mode).

Its handles move, scale and rotate each stroke; every change becomes the session's record
before anything is drawn (:func:`accept`), so the live maps, which stay on the page above the
editor, and the server's numbers follow each edit. Closing the editor puts the edited
drawing back on the live canvas, whose undo history was kept all along (Undo brings back the
drawing as it was before the edit).
"""

from __future__ import annotations

import streamlit as st

from app import inputs
from app.canvas import fabric_drawing, strokes_from_fabric
from core.inputs.strokes import CANVAS_SIZE, DEFAULT_BRUSH, PixelStroke, clip_to_canvas

EDITING = "editing_drawing"
OPENED = "edit_opened_with"  # the Fabric drawing the editor opened with (fixed while open)
EDITOR_KEY = "edit_canvas"
EDITED = "your drawing, edited (moved, scaled or rotated)"
PROBLEM = "edit_problem"


def active() -> bool:
    return bool(st.session_state.get(EDITING))


def toggle() -> None:
    st.toggle(
        "Edit the drawing (move, scale, rotate)",
        key=EDITING,
        on_change=_toggled,
        disabled=not inputs.strokes() and not active(),
        help="Opens the strokes in streamlit-drawable-canvas; with its edit toggle, drag a stroke "
        "to move it, its handles scale and rotate it; the explanation follows each change.",
    )


def _toggled() -> None:
    if active():
        st.session_state[OPENED] = fabric_drawing(list(inputs.strokes()))
        st.session_state.pop(EDITOR_KEY, None)
        st.session_state.pop(PROBLEM, None)
    else:  # back on the live canvas, which draws the edited strokes as the record holds them
        inputs.place_drawing(inputs.strokes(), "edited", inputs.description())


def accept() -> str | None:
    """While editing, the editor's drawing becomes the record (if it changed) before the page
    draws anything; a hint if the edited drawing is refused."""
    if not active():
        return None
    value = st.session_state.get(EDITOR_KEY)
    raw = value.get("drawing", {}).get("raw") if isinstance(value, dict) else None
    try:
        edited = clip_to_canvas(strokes_from_fabric(raw), CANVAS_SIZE)
    except (TypeError, ValueError, AttributeError):  # not the editor's JSON: nothing to take
        return None
    if edited and not same_drawing(edited, list(inputs.strokes())):
        st.session_state[PROBLEM] = inputs.place_drawing(edited, "edited", EDITED)
    return st.session_state.get(PROBLEM)


def show() -> None:
    """The editor (below the live maps)."""
    from streamlit_drawable_canvas import st_canvas  # needs the component's asset_dir: app only

    st.caption(
        "Turn on the edit toggle in the canvas' toolbar, then drag a stroke to move it; its "
        "corner handles scale it and its top handle rotates it. New strokes join the drawing. "
        "Ink dragged off the canvas is cut off, as the canvas shows it."
    )
    st_canvas(
        drawing_mode="freedraw",  # 0.13's transform handles live behind its toolbar's edit toggle
        stroke_width=DEFAULT_BRUSH,
        stroke_color="#FFFFFF",
        initial_drawing=st.session_state.get(OPENED) or fabric_drawing(list(inputs.strokes())),
        update_streamlit=True,
        background_color="#000000",
        width=CANVAS_SIZE,
        height=CANVAS_SIZE,
        key=EDITOR_KEY,
    )


def same_drawing(first: list[PixelStroke], second: list[PixelStroke], tolerance=0.5) -> bool:
    """Whether two drawings have the same strokes to within ``tolerance`` pixels."""
    if len(first) != len(second):
        return False
    for a, b in zip(first, second, strict=True):
        if len(a.points) != len(b.points) or abs(a.width - b.width) > tolerance:
            return False
        for (ax, ay), (bx, by) in zip(a.points, b.points, strict=True):
            if abs(ax - bx) > tolerance or abs(ay - by) > tolerance:
                return False
    return True
