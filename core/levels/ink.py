"""The canvas ink of any set of a drawing's strokes, exactly as the canvas draws it.

The canvas (:func:`core.inputs.strokes.render_pixel_strokes`) draws the strokes at
:data:`~core.inputs.strokes.SUPERSAMPLE` (4) times its size and averages each 4x4 square down
(anti-aliased edges, as the browser's canvas). The 4x drawing is the union of its strokes, so
a canvas pixel's grey level depends only on which of its 16 sub-pixels some stroke covers: a
16-bit *code* per pixel. A stroke is kept as the codes of the pixels it touches
(:class:`StrokeInk`); the codes of a set of strokes are the bitwise OR of theirs, and a code's
grey level is read from :func:`grey_levels`, made once by averaging down every code with the
canvas' own :func:`~core.inputs.strokes.average_down`. So ``canvas_ink(render_pixel_strokes(s))``
is :func:`ink` of the same strokes, to the bit (held equal by a test), without drawing the set
again: what the stroke values' coalitions (:mod:`core.levels.strokes`) and the edit search's
candidates (:mod:`core.levels.edits`) need.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from core.inputs.strokes import CANVAS_SIZE, SUPERSAMPLE, PixelStroke, average_down, supersampled

CODE_BITS = SUPERSAMPLE * SUPERSAMPLE
if CODE_BITS != 16:  # the codes are uint16 and the table has 2^16 rows
    raise RuntimeError(f"core.levels.ink needs 4x supersampled strokes, not {SUPERSAMPLE}x")


@dataclass(frozen=True)
class StrokeInk:
    """One stroke's sub-pixel codes in the canvas pixels of its box."""

    top: int  # canvas row of the box's first row
    left: int
    codes: np.ndarray  # uint16 [height, width]; 0 where the stroke leaves a pixel blank

    def place(self, canvas: np.ndarray) -> None:
        """OR the stroke's codes into ``canvas`` (uint16, canvas-sized), in place."""
        height, width = self.codes.shape
        canvas[self.top : self.top + height, self.left : self.left + width] |= self.codes


def stroke_ink(stroke: PixelStroke, size: int = CANVAS_SIZE) -> StrokeInk:
    """The codes of one stroke, drawn exactly as the canvas draws it."""
    big = supersampled([stroke], size)
    found = big.getbbox()  # (left, top, right, bottom) of the ink at 4x, None when blank
    if found is None:
        return StrokeInk(0, 0, np.zeros((0, 0), np.uint16))
    left, top = found[0] // SUPERSAMPLE, found[1] // SUPERSAMPLE
    right, bottom = -(-found[2] // SUPERSAMPLE), -(-found[3] // SUPERSAMPLE)
    scale = SUPERSAMPLE
    box = big.crop((left * scale, top * scale, right * scale, bottom * scale))
    return StrokeInk(top, left, codes_of(np.asarray(box) > 0))


def codes_of(big: np.ndarray) -> np.ndarray:
    """Bool sub-pixels ``[4 h, 4 w]`` -> uint16 codes ``[h, w]`` (bit ``4 a + b``: sub-row
    ``a``, sub-column ``b``)."""
    height, width = big.shape[0] // SUPERSAMPLE, big.shape[1] // SUPERSAMPLE
    blocks = np.asarray(big, bool).reshape(height, SUPERSAMPLE, width, SUPERSAMPLE)
    codes = np.zeros((height, width), np.uint16)
    for a in range(SUPERSAMPLE):
        for b in range(SUPERSAMPLE):
            codes |= blocks[:, a, :, b].astype(np.uint16) << np.uint16(SUPERSAMPLE * a + b)
    return codes


@functools.lru_cache(maxsize=1)
def grey_levels() -> np.ndarray:
    """uint8 ``[65536]``: the canvas' grey level of a pixel whose sub-pixels are ``code``."""
    codes = np.arange(2**CODE_BITS, dtype=np.uint32).reshape(256, 256)
    bits = ((codes[..., None] >> np.arange(CODE_BITS)) & 1).astype(bool)
    blocks = bits.reshape(256, 256, SUPERSAMPLE, SUPERSAMPLE).transpose(0, 2, 1, 3)
    big = blocks.reshape(256 * SUPERSAMPLE, 256 * SUPERSAMPLE).astype(np.uint8) * 255
    table = average_down(Image.fromarray(big, mode="L")).reshape(-1).copy()
    table.flags.writeable = False
    return table


def canvas_codes(inks: Sequence[StrokeInk], size: int = CANVAS_SIZE) -> np.ndarray:
    """uint16 ``[size, size]``: the codes of the strokes drawn together."""
    canvas = np.zeros((size, size), np.uint16)
    for one in inks:
        one.place(canvas)
    return canvas


def grey(codes: np.ndarray) -> np.ndarray:
    """Codes (any shape) -> the canvas' ink 0-1, float32, as ``canvas_ink`` reads the canvas."""
    return grey_levels()[codes].astype(np.float32) / 255.0


def ink(inks: Sequence[StrokeInk], size: int = CANVAS_SIZE) -> np.ndarray:
    """float32 ``[size, size]``: ``canvas_ink(render_pixel_strokes(strokes))`` of these strokes."""
    return grey(canvas_codes(inks, size))
