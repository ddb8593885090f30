"""Where the current input comes from: the live canvas, an upload, an example, a test image.

One current input (issue 13): whatever loads last replaces the others, visibly. A drawing's
strokes are kept in the session with the 28x28 image core made of them, so the canvas shows
them again after a rerun or a page switch; an upload or a test image clears the strokes and
the canvas shows that picture instead; an example loads as strokes, as if drawn.
"""

from __future__ import annotations

import re

import numpy as np
import streamlit as st

from app import cache, state
from core.data.dataset import load_split
from core.data.pairs import ALL_EIGHT
from core.errors import ProjectFileError
from core.inputs.examples import Example, by_name
from core.inputs.preprocess import (
    ImageInputError,
    canvas_to_input,
    image_file_to_input,
    packed_to_input,
    values_to_input,
)
from core.inputs.strokes import (
    CANVAS_SIZE,
    PixelStroke,
    parse_strokes,
    render_pixel_strokes,
    unit_to_pixels,
)
from core.models.prediction import predict

STROKES = "live_strokes"  # the current drawing's strokes (PixelStroke), [] for a picture
LOADS = "live_loads"  # how many inputs the server put on the canvas (each load is new to it)
SEEN = "live_seen"  # id of the last drawing the canvas sent that was used
UPLOAD_SEEN = "upload_seen"
DESCRIPTION = state.INPUT_DESCRIPTION_KEY


def strokes() -> list[PixelStroke]:
    return st.session_state.get(STROKES) or []


def loads() -> int:
    return st.session_state.get(LOADS, 0)


def _loaded() -> None:
    st.session_state[LOADS] = loads() + 1


def _set_drawing(drawn: list[PixelStroke], source: str, description: str) -> str | None:
    """Make ``drawn`` the current input (core preprocesses it); a hint if it is no character."""
    st.session_state[STROKES] = drawn
    try:
        image = canvas_to_input(render_pixel_strokes(drawn, CANVAS_SIZE)) if drawn else None
    except ImageInputError as error:
        state.set_input(None, source)
        return f"Not a character yet: {error}."
    state.set_input(image, source, description if image is not None else None)
    return None


def load_drawing(drawn: list[PixelStroke], source: str, description: str) -> str | None:
    """Put strokes on the canvas from the server side (an example, an edit) and explain them."""
    _loaded()
    return _set_drawing(drawn, source, description)


def load_picture(image: np.ndarray | None, source: str, description: str | None) -> None:
    """An upload or a test image replaces the drawing: no strokes, the picture on the canvas."""
    _loaded()
    st.session_state[STROKES] = []
    state.set_input(image, source, description)


def clear() -> None:
    """No input any more, and a blank canvas."""
    load_picture(None, "cleared", None)


def accept_drawing(sent) -> str | None:
    """Use what the canvas sent (``{"id", "strokes", "picture", "input"}``) unless already
    used; return a hint when it is refused. A bad payload gets a message, never an exception.

    ``input`` is the browser's own 28x28 input (784 grey levels, base64): when the engine made
    one, it is THE input, so the server's numbers are those of the very image the live bars
    explained (core's preprocessing of the same canvas is held equal to the engine's by its
    tests); the strokes are kept for redraw, undo and edit mode. Without it (no engine), core
    renders the strokes and preprocesses them."""
    if not isinstance(sent, dict) or sent.get("id") == st.session_state.get(SEEN):
        return None
    st.session_state[SEEN] = sent.get("id")
    try:
        if sent.get("picture") is not None:  # undo brought a picture back
            picture = values_to_input(sent["picture"])
            current = state.current_input()
            if current is None or not np.array_equal(current, picture):
                st.session_state[STROKES] = []
                state.set_input(picture, "picture", "the picture brought back by Undo")
            return None
        drawn = parse_strokes(sent.get("strokes"), CANVAS_SIZE)
    except ImageInputError as error:
        return as_text(f"The drawing could not be used: {error}.")
    if drawn and sent.get("input") is not None:
        st.session_state[STROKES] = drawn
        try:
            image = packed_to_input(sent["input"])
        except ImageInputError as error:
            state.set_input(None, "canvas")
            return as_text(f"The drawing could not be used: {error}.")
        state.set_input(image, "canvas", "your drawing")
        return None
    return _set_drawing(drawn, "canvas", "your drawing")


def example_strokes(example: Example) -> list[PixelStroke]:
    """The example's strokes on the canvas (the geometry of ``core.inputs.examples.render``)."""
    width = round(example.brush)
    return [PixelStroke(width, unit_to_pixels(stroke, CANVAS_SIZE)) for stroke in example.strokes]


def load_example(name: str) -> None:
    """Put an example on the canvas as if drawn, and explain it at once."""
    example: Example = by_name(name)
    load_drawing(
        example_strokes(example),
        "example",
        f"example drawing \u201c{example.name}\u201d"
        + (f" ({example.note})" if example.note else ""),
    )


def load_upload(upload) -> str | None:
    """A new upload replaces the current input (a refused one clears it, with the reason)."""
    upload_id = None if upload is None else getattr(upload, "file_id", upload.name)
    if upload_id is None or upload_id == st.session_state.get(UPLOAD_SEEN):
        return None
    st.session_state[UPLOAD_SEEN] = upload_id
    try:
        load_picture(
            image_file_to_input(upload.getvalue()), "upload", f"uploaded picture {upload.name}"
        )
    except ImageInputError as error:
        load_picture(None, "upload", None)
        return as_text(f"{upload.name}: {error}")
    return None


def pick_test_image(
    name: str, characters: tuple[str, ...], kind: str, mistakes: bool, seed: int | None = None
) -> str | None:
    """Put a random test image (a misclassified one if ``mistakes``) on the page; return None, or
    why there is none (a damaged dataset or model file is named, Markdown-escaped)."""
    try:
        if name == ALL_EIGHT:
            images, labels = load_split("test")
            predicted = predict(cache.network(name, kind), images).argmax(axis=1)
        else:
            images, labels = cache.test_set(name)
            predicted = cache.test_probabilities(name, kind).argmax(axis=1)
    except ProjectFileError as error:
        return as_text(f"No test image: {error}")
    pool = np.flatnonzero((predicted != labels) if mistakes else (predicted == labels))
    if len(pool) == 0:
        return "no such test image"
    index = int(np.random.default_rng(seed).choice(pool))
    load_picture(
        images[index].copy(),
        "test",
        f"test image #{index}, labelled {characters[labels[index]]}"
        + (" (misclassified)" if mistakes else ""),
    )
    return None


def description() -> str:
    """What the current input is, as plain text (it may hold an uploaded file's name)."""
    return st.session_state.get(DESCRIPTION) or "your drawing"


def description_markdown() -> str:
    """:func:`description`, escaped for the Markdown of a caption."""
    return as_text(description())


_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def as_text(text: str) -> str:
    """``text`` for a Markdown element, shown as typed: every ASCII punctuation character is
    backslash-escaped (CommonMark allows it for all of them), so a file name like
    ``![x](http://...)`` or ``:red[a]`` renders as those characters, never as an image, a link,
    a directive, emphasis or maths; line breaks become spaces."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))
