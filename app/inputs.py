"""What puts an input in the session's record (app/state.py), and nothing else.

The pen (the live canvas' pointer-up, undo, redo, clear), an example, an upload, a random test
image, an edit, Clear, a link: each builds one whole :class:`CurrentInput` and replaces the
record, so nothing on screen can describe the previous input any more. Those that come from
the server (everything but the pen) are put on the canvas (``to_canvas``) and the live
component draws and explains them in its next frame.

A drawing's strokes are kept with the 28x28 image the networks see: for the pen, the browser's
own preprocessing of its canvas (held equal to core's by tests), so the server's numbers are
those of the image the live bars explained; for strokes the server places (an example, an edit),
core's rendering and preprocessing, which the canvas is then given to explain as it is.
"""

from __future__ import annotations

import base64
import re

import numpy as np
import streamlit as st

from app import cache, state
from core.data.pairs import ALL_EIGHT, EIGHT_CHARACTERS, display_name, pair_characters, pair_title
from core.errors import ProjectFileError
from core.inputs.examples import Example, by_name
from core.inputs.link import LinkedInput, LinkError, encode, unpack_picture
from core.inputs.preprocess import ImageInputError, canvas_to_input
from core.inputs.strokes import (
    CANVAS_SIZE,
    PixelStroke,
    parse_strokes,
    render_pixel_strokes,
    unit_to_pixels,
)
from core.inputs.uploads import image_file_to_input, image_to_png
from core.inputs.wire import packed_to_input, values_to_input

SEEN = "live_seen"  # per canvas key, the id of the last drawing it sent that was used
UPLOAD_SEEN = "upload_seen"


def strokes() -> tuple[PixelStroke, ...]:
    return state.current().strokes


def _drawing_link(drawn) -> str | None:
    return encode(LinkedInput("strokes", strokes=tuple(drawn))) if drawn else None


def _picture_link(image: np.ndarray | None) -> str | None:
    return None if image is None else encode(LinkedInput("picture", picture=image))


def _render(drawn) -> tuple[np.ndarray | None, str | None, str | None]:
    """core's 28x28 input of strokes (or why they are not a character) and the canvas'
    pixels it was made from, as a PNG data URL (None when the drawing is too costly for the
    server to draw: core refuses it before drawing, ``MAX_RENDER_WORK_US``)."""
    try:
        rgba = render_pixel_strokes(list(drawn), CANVAS_SIZE)
    except ImageInputError as error:
        return None, as_text(f"The drawing could not be used: {error}."), None
    raster = "data:image/png;base64," + base64.b64encode(image_to_png(rgba[..., 0])).decode()
    try:
        return canvas_to_input(rgba), None, raster
    except ImageInputError as error:
        return None, f"Not a character yet: {error}.", raster


def place_drawing(drawn, source: str, description: str, link: str | None = None) -> str | None:
    """Put strokes on the canvas from the server side (an example, an edit, a link): the
    canvas shows core's rendering of them, the very pixels their 28x28 input was made from;
    returns a hint if core refuses them."""
    image, problem, raster = _render(drawn)
    state.replace_input(
        True,
        source=source,
        image=image,
        strokes=tuple(drawn),
        raster=raster,
        raster_strokes=len(drawn),
        description=description if image is not None else "",
        link=link if link is not None else _drawing_link(drawn),
        problem=problem,
    )
    return problem


def place_picture(
    image: np.ndarray | None,
    source: str,
    description: str,
    link: str | None = None,
    label: str | None = None,
    problem: str | None = None,
) -> None:
    """An upload, a test image or a linked picture replaces the drawing: the canvas shows it."""
    state.replace_input(
        True,
        source=source if image is not None else "none",
        image=image,
        picture=image,
        description=description if image is not None else "",
        link=link if link is not None else _picture_link(image),
        label=label,
        problem=problem,
    )


def clear() -> None:
    """No input any more, and a blank canvas."""
    place_picture(None, "none", "")


def accept_drawing(sent, canvas: str = "canvas") -> str | None:
    """Use what the canvas sent (``{"id", "strokes", "picture", "input"}``) unless already
    used: it becomes the record (the canvas already shows it). A hint when it is refused; a bad
    payload gets a message, never an exception.

    ``input`` is the browser's own 28x28 input (784 grey levels, base64): when the engine made
    one, it is THE input, so the server's numbers are those of the very image the live bars
    explained (core's preprocessing of the same canvas is held equal to the engine's by its
    tests); the strokes are kept for redraw, undo and edit mode. Without it (no engine), core
    renders the strokes and preprocesses them."""
    seen = st.session_state.setdefault(SEEN, {})  # per canvas: each page has its own
    if not isinstance(sent, dict) or sent.get("id") == seen.get(canvas):
        return None
    seen[canvas] = sent.get("id")
    try:
        if sent.get("picture") is not None:  # undo brought a picture back
            picture = values_to_input(sent["picture"])
            state.replace_input(
                False,
                source="undo",
                image=picture,
                picture=picture,
                description="the picture brought back by Undo",
                link=_picture_link(picture),
            )
            return None
        drawn = tuple(parse_strokes(sent.get("strokes"), CANVAS_SIZE))
    except ImageInputError as error:
        return as_text(f"The drawing could not be used: {error}.")
    if not drawn:  # cleared on the canvas
        state.replace_input(False, source="none")
        return None
    image, problem = None, None
    raster, raster_strokes = _base(sent.get("base"), len(drawn))
    if sent.get("input") is not None:
        try:
            image = packed_to_input(sent["input"])
        except ImageInputError as error:
            problem = as_text(f"The drawing could not be used: {error}.")
    else:
        image, problem, _ = _render(drawn)
        raster, raster_strokes = None, 0  # without the browser's input, core's rendering is it
    state.replace_input(
        False,
        source="pen",
        image=image,
        strokes=drawn,
        raster=raster,
        raster_strokes=raster_strokes,
        description="your drawing" if image is not None else "",
        link=_drawing_link(drawn),
        problem=problem,
    )
    return problem


MAX_RASTER_CHARACTERS = 96 * 1024
_RASTER = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


def _base(base, strokes: int) -> tuple[str | None, int]:
    """The server-rendered pixels the canvas still shows under the pen's strokes (it sends back
    the raster it was given), kept so a remounted canvas shows the same pixels; ignored unless
    it is a PNG data URL of a sensible size covering some of the strokes."""
    if not isinstance(base, dict):
        return None, 0
    raster, count = base.get("png"), base.get("count")
    if (
        isinstance(raster, str)
        and len(raster) <= MAX_RASTER_CHARACTERS
        and _RASTER.fullmatch(raster)
        and isinstance(count, int)
        and not isinstance(count, bool)
        and 0 < count <= strokes
    ):
        return raster, count
    return None, 0


def example_strokes(example: Example) -> list[PixelStroke]:
    """The example's strokes on the canvas (the geometry of ``core.inputs.examples.render``)."""
    width = round(example.brush)
    return [PixelStroke(width, unit_to_pixels(stroke, CANVAS_SIZE)) for stroke in example.strokes]


def load_example(name: str) -> None:
    """Put an example on the canvas as if drawn, and explain it at once."""
    example: Example = by_name(name)
    place_drawing(
        example_strokes(example),
        "example",
        f"example drawing \u201c{example.name}\u201d"
        + (f" ({example.note})" if example.note else ""),
        link=encode(LinkedInput("example", name=example.name)),
    )


def load_upload(upload) -> str | None:
    """A new upload replaces the current input (a refused one clears it, with the reason)."""
    upload_id = None if upload is None else getattr(upload, "file_id", upload.name)
    if upload_id is None or upload_id == st.session_state.get(UPLOAD_SEEN):
        return None
    st.session_state[UPLOAD_SEEN] = upload_id
    try:
        image = image_file_to_input(upload.getvalue())
    except ImageInputError as error:
        problem = as_text(f"{upload.name}: {error}")
        place_picture(None, "upload", "", problem=problem)
        return problem
    place_picture(image, "upload", f"uploaded picture {upload.name}")
    return None


def uploaded(key: str) -> None:
    """The uploader's on_change: the new upload becomes the input before the page draws."""
    load_upload(st.session_state.get(key))


def _test_split(name: str, kind: str):
    """A network's test images, labels and the network's predictions on them (cached)."""
    if name == ALL_EIGHT:
        images, labels = cache.test_set(ALL_EIGHT)
    else:
        images, labels = cache.test_set(name)
    return images, labels, cache.test_probabilities(name, kind).argmax(axis=1)


def _characters(name: str) -> tuple[str, ...]:
    return EIGHT_CHARACTERS if name == ALL_EIGHT else pair_characters(name)


def _network_words(name: str) -> str:
    return "the 8 characters" if name == ALL_EIGHT else pair_title(name)


def put_test_image(name: str, index: int, images, labels, predicted=None) -> None:
    characters = _characters(name)
    label = characters[int(labels[index])]
    wrong = predicted is not None and predicted[index] != labels[index]
    place_picture(
        images[index].copy(),
        "test",
        f"test image #{index} of {_network_words(name)}, labelled {display_name(label)}"
        + (" (misclassified)" if wrong else ""),
        link=encode(LinkedInput("test", name=name, index=index)),
        label=label,
    )


def pick_test_image(name: str, kind: str, mistakes: bool, seed: int | None = None) -> str | None:
    """Put a random test image (a misclassified one if ``mistakes``) on the canvas; return None,
    or why there is none (a damaged dataset or model file is named, Markdown-escaped)."""
    try:
        images, labels, predicted = _test_split(name, kind)
    except ProjectFileError as error:
        return as_text(f"No test image: {error}")
    pool = np.flatnonzero((predicted != labels) if mistakes else (predicted == labels))
    if len(pool) == 0:
        return "no such test image"
    put_test_image(name, int(np.random.default_rng(seed).choice(pool)), images, labels, predicted)
    return None


def open_linked(linked: LinkedInput, image_text: str | None) -> str | None:
    """Put a link's input on the canvas; a problem in words (for the notice), or None."""
    image = None
    if image_text is not None:
        try:
            image = unpack_picture(image_text)
        except LinkError as error:
            return f"image could not be read ({error}), so the canvas starts empty"
    if linked.kind == "example":
        load_example(linked.name)
    elif linked.kind == "picture":
        place_picture(linked.picture, "link", "the picture from the link")
    elif linked.kind == "strokes":
        problem = place_drawing(linked.strokes, "link", "the drawing from the link")
        return f"input is a drawing that is no character ({problem})" if problem else None
    elif linked.kind == "test":
        return _open_test_image(linked, image)
    return None


def _open_test_image(linked: LinkedInput, image: np.ndarray | None) -> str | None:
    try:
        images, labels = cache.test_set(linked.name)
    except ProjectFileError:
        if image is None:
            return "input is a test image, and the test set is not on this machine"
        place_picture(
            image,
            "link",
            f"test image #{linked.index} of {_network_words(linked.name)} (from the link; the "
            "test set is not on this machine)",
            link=encode(linked),
        )
        return None
    if linked.index >= len(images):
        return f"input is test image #{linked.index}, and the test set has {len(images)}"
    put_test_image(linked.name, linked.index, images, labels)
    return None


def description() -> str:
    """What the current input is, as plain text (it may hold an uploaded file's name)."""
    return state.current().description or "no input"


def description_markdown() -> str:
    """:func:`description`, escaped for the Markdown of a caption."""
    return as_text(description())


_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain_text(escaped: str) -> str:
    """:func:`as_text`'s output back as typed: the browser component shows text, not
    Markdown (a refused upload's reason read "blank\\.png\\: ..." on the canvas)."""
    return _ESCAPED.sub(r"\1", escaped)


def as_text(text: str) -> str:
    """``text`` for a Markdown element, shown as typed: every ASCII punctuation character is
    backslash-escaped (CommonMark allows it for all of them), so a file name like
    ``![x](http://...)`` or ``:red[a]`` renders as those characters, never as an image, a link,
    a directive, emphasis or maths; line breaks become spaces."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))
