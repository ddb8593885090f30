"""Where the draw page's input comes from: the canvas, an upload, an example, a test image.

The most recent action wins. The canvas counts only when its pixels change, so an example or
a test image stays on screen until the person draws, clears or uploads something new.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import streamlit as st

from app import cache, state
from app.canvas import example_drawing
from core.data.dataset import load_split
from core.data.pairs import ALL_EIGHT
from core.errors import ProjectFileError
from core.inputs.examples import Example, by_name, render
from core.inputs.preprocess import ImageInputError, canvas_to_input, image_file_to_input
from core.models.files import predict

CANVAS_LOADS = "canvas_loads"  # how many drawings were loaded into the canvas (makes each load new)
CANVAS_DRAWING = "canvas_drawing"  # the Fabric.js drawing last loaded into the canvas
CANVAS_SEEN = "canvas_seen"  # fingerprint of the canvas pixels last used
CANVAS_ECHO = "canvas_echo"  # an example was just loaded: the canvas will send it back once
UPLOAD_SEEN = "upload_seen"
DESCRIPTION = "input_description"


def canvas_initial_drawing() -> dict | None:
    """What the canvas should show when it (re)mounts: the last example loaded, or nothing."""
    return st.session_state.get(CANVAS_DRAWING)


def load_example(name: str) -> None:
    """Put an example on the canvas as if drawn, and explain it at once."""
    example: Example = by_name(name)
    loads = st.session_state.get(CANVAS_LOADS, 0) + 1
    st.session_state[CANVAS_LOADS] = loads
    st.session_state[CANVAS_DRAWING] = {**example_drawing(example), "modulexLoad": loads}
    st.session_state[CANVAS_ECHO] = True
    state.set_input(canvas_to_input(render(example)), "example")
    st.session_state[DESCRIPTION] = f"example drawing \u201c{example.name}\u201d" + (
        f" ({example.note})" if example.note else ""
    )


def pick_test_image(
    name: str, characters: tuple[str, ...], kind: str, mistakes: bool, seed: int | None = None
) -> str | None:
    """Put a random test image (a misclassified one if ``mistakes``) on the page; return None, or
    why there is none (a damaged dataset or model file is named, Markdown-escaped)."""
    try:
        if name == ALL_EIGHT:
            images, labels = load_split("test")
            predicted = predict(cache.model(name, kind), images).argmax(axis=1)
        else:
            images, labels = cache.test_set(name)
            predicted = cache.test_probabilities(name, kind).argmax(axis=1)
    except ProjectFileError as error:
        return as_text(f"No test image: {error}")
    pool = np.flatnonzero((predicted != labels) if mistakes else (predicted == labels))
    if len(pool) == 0:
        return "no such test image"
    index = int(np.random.default_rng(seed).choice(pool))
    state.set_input(images[index].copy(), "test")
    st.session_state[DESCRIPTION] = f"test image #{index}, labelled {characters[labels[index]]}" + (
        " (misclassified)" if mistakes else ""
    )
    return None


def resolve(canvas_pixels, upload) -> str | None:
    """Update the current input from this run's canvas and upload; return a hint if refused."""
    fingerprint = (
        None
        if canvas_pixels is None
        else hashlib.sha1(np.ascontiguousarray(canvas_pixels).tobytes()).hexdigest()
    )
    if fingerprint is not None and fingerprint != st.session_state.get(CANVAS_SEEN):
        st.session_state[CANVAS_SEEN] = fingerprint
        try:
            drawn = canvas_to_input(canvas_pixels)
        except ImageInputError as error:
            state.set_input(None, "canvas")
            return f"Not a character yet: {error}."
        if st.session_state.pop(CANVAS_ECHO, False):
            state.set_input(drawn, "example")  # the example, as the canvas drew it
        else:
            state.set_input(drawn, "canvas")  # None when the canvas was cleared: no stale result
            st.session_state[DESCRIPTION] = "your drawing"
        return None
    upload_id = None if upload is None else getattr(upload, "file_id", upload.name)
    if upload_id is not None and upload_id != st.session_state.get(UPLOAD_SEEN):
        st.session_state[UPLOAD_SEEN] = upload_id
        try:
            state.set_input(image_file_to_input(upload.getvalue()), "upload")
            st.session_state[DESCRIPTION] = f"uploaded picture {upload.name}"
        except ImageInputError as error:
            state.set_input(None, "upload")
            return as_text(f"{upload.name}: {error}")
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
