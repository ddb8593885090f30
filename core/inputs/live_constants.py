"""The live path's shared constants: one table for core's canvas path and the browser's.

:mod:`core.inputs.preprocess` reads them; ``app/static/live/constants.js`` holds the same names
and values for the browser engine, and ``tests/app/test_live_constants.py`` compares the two
tables (Node imports constants.js): whoever changes one changes the other in the same commit.
"""

from __future__ import annotations

IMAGE_SIDE = 28
"""The networks' input is ``IMAGE_SIDE`` x ``IMAGE_SIDE`` pixels."""
INK_THRESHOLD = 0.1
"""Intensity (0-1) above which a canvas pixel counts as drawn."""
BLUR_FRACTION = 0.01
"""Gaussian blur sigma as a share of the character's longer side (EMNIST: sigma 1 on 128 px)."""
TARGET_SIDE = 24
"""Pixels spanned by the longer side of the character in the 28x28 result."""
MIN_EXTENT = 0.12
"""Smallest drawing accepted, as a share of the picture's longer side: a dot or a tick would
otherwise be blown up to fill the frame and be "recognised" as a blob."""
MAX_STROKE_SHARE = 0.2
"""Strokes thicker than this share of the drawing's longer side are thinned (a normal drawing
with the default 20 px brush on the 280 px canvas: about 0.1, with the broadest 40 px brush
about 0.18, so both are left alone)."""
THINNED_STROKE_SHARE = 0.12
"""The share thinned strokes are brought down to."""
MAX_EROSION_SHARE = 0.35
"""Thinning erodes at most this share of the stroke width from each side, so at least 30% of
the stroke survives."""
INK_MASK_LEVEL = 0.5
"""Pixels above this intensity count as the stroke when its width is measured."""
TOO_SMALL = "the drawing is too small to be a character (a dot or a short tick): draw it larger"
"""What the user reads when the ink spans less than ``MIN_EXTENT`` of the picture."""

SHARED = {
    "IMAGE_SIDE": IMAGE_SIDE,
    "INK_THRESHOLD": INK_THRESHOLD,
    "BLUR_FRACTION": BLUR_FRACTION,
    "TARGET_SIDE": TARGET_SIDE,
    "MIN_EXTENT": MIN_EXTENT,
    "MAX_STROKE_SHARE": MAX_STROKE_SHARE,
    "THINNED_STROKE_SHARE": THINNED_STROKE_SHARE,
    "MAX_EROSION_SHARE": MAX_EROSION_SHARE,
    "INK_MASK_LEVEL": INK_MASK_LEVEL,
    "TOO_SMALL": TOO_SMALL,
}
"""The table both languages hold, by name (constants.js exports exactly these)."""

__all__ = [
    "BLUR_FRACTION",
    "IMAGE_SIDE",
    "INK_MASK_LEVEL",
    "INK_THRESHOLD",
    "MAX_EROSION_SHARE",
    "MAX_STROKE_SHARE",
    "MIN_EXTENT",
    "SHARED",
    "TARGET_SIDE",
    "THINNED_STROKE_SHARE",
    "TOO_SMALL",
]
