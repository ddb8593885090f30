"""The browser's 28x28 input on the wire -> uint8 ``[28, 28]``, checked.

The live canvas sends the 28x28 its engine made (``app/static/live/preprocess.js``) on
pointer-up as base64 text (:func:`packed_to_input`); a picture comes as a list of 784 grey
levels (:func:`values_to_input`). Both refuse what is malformed with a message naming it.
"""

from __future__ import annotations

__all__ = ["MAX_PACKED_CHARACTERS", "packed_to_input", "values_to_input"]

import base64

import numpy as np

from core.inputs.preprocess import IMAGE_SIDE, ImageInputError

MAX_PACKED_CHARACTERS = 2048
"""A 28x28 picture packed as base64 is 1,048 characters; anything much longer is refused unread."""


def packed_to_input(packed) -> np.ndarray:
    """The browser's 28x28 input -> uint8 ``[28, 28]``: 784 grey levels (0-255, row-major),
    one byte each, as base64 text (what the live canvas sends on pointer-up), or a list of 784
    numbers (:func:`values_to_input`). Bytes are whole levels in 0-255 by construction, so
    range and finiteness hold; the text, its encoding and the count are checked.

    Raises :class:`ImageInputError` naming what is wrong.
    """
    if isinstance(packed, (list, tuple)):
        return values_to_input(packed)
    if not isinstance(packed, str):
        raise ImageInputError("the 28x28 input is neither base64 text nor a list of grey levels")
    if len(packed) > MAX_PACKED_CHARACTERS:
        raise ImageInputError(f"the 28x28 input is {len(packed)} characters long, too long")
    try:
        levels = base64.b64decode(packed.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ImageInputError("the 28x28 input is not valid base64") from None
    if len(levels) != IMAGE_SIDE * IMAGE_SIDE:
        raise ImageInputError(
            f"the 28x28 input has {len(levels)} grey levels; a 28x28 picture has {IMAGE_SIDE**2}"
        )
    return np.frombuffer(levels, np.uint8).reshape(IMAGE_SIDE, IMAGE_SIDE).copy()


def values_to_input(values) -> np.ndarray:
    """784 grey levels (0-255, row-major 28x28, e.g. sent by the browser) -> uint8 ``[28, 28]``.

    Raises :class:`ImageInputError` naming what is wrong: not a list of numbers, the wrong
    count, values that are not finite or lie outside 0-255.
    """
    if not isinstance(values, (list, tuple)):
        raise ImageInputError("the picture is not a list of grey levels")
    if len(values) != IMAGE_SIDE * IMAGE_SIDE:
        raise ImageInputError(
            f"the picture has {len(values)} values; a 28x28 picture has {IMAGE_SIDE**2}"
        )
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise ImageInputError("every grey level must be a number")
    array = np.asarray(values, dtype=np.float64)
    if not np.isfinite(array).all():
        raise ImageInputError("every grey level must be a finite number")
    if array.min() < 0 or array.max() > 255:
        raise ImageInputError("grey levels must lie between 0 and 255")
    return np.round(array).astype(np.uint8).reshape(IMAGE_SIDE, IMAGE_SIDE)
