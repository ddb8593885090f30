"""Pixels -> the networks' input: dataset arrays and the canvas path (the live path's core side).

* :func:`to_model_input`: dataset-style arrays (uint8 0-255 or float 0-1) -> float32 in [0, 1].
* :func:`canvas_to_input`: a drawing canvas' pixels -> a 28x28 image prepared the way EMNIST
  prepared its own (:func:`canvas_ink`, :func:`thin_thick_strokes`, :func:`ink_to_input`);
  uploads reach :func:`ink_to_input` too (:mod:`core.inputs.uploads`).

The browser's copy of the canvas path is ``app/static/live/preprocess.js`` (with
``resample.js``), its constants shared through :mod:`core.inputs.live_constants`; the equality
tests are listed in docs/architecture.md ("Live path contract"). The other ways in: uploads
(:mod:`core.inputs.uploads`) and the browser's 28x28 on the wire (:mod:`core.inputs.wire`).
"""

from __future__ import annotations

__all__ = [
    "IMAGE_SIDE",
    "ImageInputError",
    "canvas_ink",
    "canvas_to_input",
    "gaussian_blur",
    "ink_bounding_box",
    "ink_to_input",
    "stroke_width",
    "thin_thick_strokes",
    "to_model_input",
]

import numpy as np
from PIL import Image

from core.inputs.live_constants import (
    BLUR_FRACTION,
    IMAGE_SIDE,
    INK_MASK_LEVEL,
    INK_THRESHOLD,
    MAX_EROSION_SHARE,
    MAX_STROKE_SHARE,
    MIN_EXTENT,
    TARGET_SIDE,
    THINNED_STROKE_SHARE,
    TOO_SMALL,
)

_SCALE = np.float32(1.0 / 255.0)


class ImageInputError(ValueError):
    """An uploaded or drawn image cannot be used; the message says why, for the user."""


def to_model_input(images) -> np.ndarray:
    """Images as the networks take them: float32 ``[n, 28, 28]`` in [0, 1].

    uint8 images are divided by 255; float images must already lie in [0, 1]. A single
    ``[28, 28]`` image becomes a batch of one.
    """
    array = np.asarray(images)
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"expected images of shape [n, 28, 28], got {array.shape}")
    if array.dtype == np.uint8:
        return np.multiply(array, _SCALE, dtype=np.float32)
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"images must be uint8 (0-255) or float (0-1), got {array.dtype}")
    if array.size:
        low, high = float(array.min()), float(array.max())
        if low < -1e-6 or high > 1 + 1e-6 or not np.isfinite(low + high):
            raise ValueError(
                f"float images must lie in [0, 1], found values in [{low:g}, {high:g}]; "
                "pass uint8 images or divide by 255"
            )
    return np.asarray(array, dtype=np.float32)


# --- Drawings -> EMNIST-style 28x28 ----------------------------------------------------------
#
# EMNIST (Cohen et al., 2017) made its 28x28 images from 128x128 NIST scans: Gaussian blur,
# crop to the character's bounding box, centre it in a square frame keeping the aspect ratio,
# pad by 2 px, downsample to 28x28, scale intensities to 0-255. The longer side of the box
# thus spans about 24 px and the box (not the centre of mass) sits in the middle.


def ink_bounding_box(ink: np.ndarray, threshold: float = INK_THRESHOLD):
    """``(top, bottom, left, right)`` inclusive of the pixels above ``threshold``, or None."""
    rows = np.flatnonzero((ink > threshold).any(axis=1))
    if rows.size == 0:
        return None
    columns = np.flatnonzero((ink > threshold).any(axis=0))
    return int(rows[0]), int(rows[-1]), int(columns[0]), int(columns[-1])


def ink_to_input(ink: np.ndarray, blur_fraction: float = BLUR_FRACTION) -> np.ndarray | None:
    """Ink intensities (2-D, 0-1, any size) -> EMNIST-style uint8 ``[28, 28]``; None if blank.

    Raises :class:`ImageInputError` when the ink is too small to be a character.
    """
    ink = np.nan_to_num(np.asarray(ink, dtype=np.float32), nan=0.0, posinf=1.0, neginf=0.0).clip(
        0.0, 1.0
    )
    if ink.ndim != 2 or min(ink.shape) == 0:
        raise ImageInputError(f"expected a 2-D picture, got an array of shape {ink.shape}")
    box = ink_bounding_box(ink)
    if box is None:
        return None
    top, bottom, left, right = box
    longer = max(bottom - top, right - left) + 1
    if longer < MIN_EXTENT * max(ink.shape):
        raise ImageInputError(TOO_SMALL)
    sigma = max(0.5, blur_fraction * longer)
    margin = int(np.ceil(3 * sigma))
    # crop with room for the blur's tails, then blur
    padded = np.pad(ink, margin)
    crop = padded[top : bottom + 1 + 2 * margin, left : right + 1 + 2 * margin]
    blurred = gaussian_blur(crop, sigma)
    # the box is the ink's, found before the blur; the frame is square and centred on it
    height, width = bottom - top + 1, right - left + 1
    frame = int(round(longer * IMAGE_SIDE / TARGET_SIDE))
    canvas = np.zeros((frame, frame), np.float32)
    offset_y = (frame - height) // 2 - margin
    offset_x = (frame - width) // 2 - margin
    _paste(canvas, blurred, offset_y, offset_x)
    small = np.asarray(
        Image.fromarray(canvas, mode="F").resize(
            (IMAGE_SIDE, IMAGE_SIDE), Image.Resampling.BICUBIC
        ),
        dtype=np.float32,
    )
    small = small.clip(0.0, None)
    peak = small.max()
    if peak <= 0:
        return None
    return np.round(small / peak * 255).astype(np.uint8)


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of a 2-D float array (zero outside it)."""
    radius = max(1, int(np.ceil(3 * sigma)))
    weights = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2).astype(np.float32)
    weights /= weights.sum()
    result = np.asarray(image, dtype=np.float32)
    for axis in (0, 1):
        padded = np.pad(result, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)])
        length = result.shape[axis]
        result = sum(
            weight * np.take(padded, np.arange(offset, offset + length), axis=axis)
            for offset, weight in enumerate(weights)
        )
    return result


def _paste(canvas: np.ndarray, patch: np.ndarray, y: int, x: int) -> None:
    """Add ``patch`` into ``canvas`` at (y, x), clipping what falls outside."""
    y0, x0 = max(y, 0), max(x, 0)
    y1, x1 = min(y + patch.shape[0], canvas.shape[0]), min(x + patch.shape[1], canvas.shape[1])
    if y1 > y0 and x1 > x0:
        canvas[y0:y1, x0:x1] += patch[y0 - y : y1 - y, x0 - x : x1 - x]


def canvas_ink(rgba: np.ndarray) -> np.ndarray:
    """Ink intensity 0-1 of a canvas image (RGBA or RGB, white ink on black / transparent)."""
    array = np.asarray(rgba)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ImageInputError(
            f"expected an RGB or RGBA canvas, got an array of shape {array.shape}"
        )
    rgb = array[..., :3].astype(np.float32) / 255.0
    ink = rgb.max(axis=2)
    if array.shape[2] == 4:
        ink *= array[..., 3].astype(np.float32) / 255.0
    return ink


def canvas_to_input(rgba: np.ndarray | None) -> np.ndarray | None:
    """A drawing canvas' pixels -> EMNIST-style uint8 ``[28, 28]``, or None when nothing is drawn.

    Strokes too thick for the drawing's size (a small drawing with the usual brush) are thinned
    first (:func:`thin_thick_strokes`); other drawings go to :func:`ink_to_input` untouched.
    Raises :class:`ImageInputError` (a message for the user) when the drawing cannot be used.
    """
    if rgba is None:
        return None
    return ink_to_input(thin_thick_strokes(canvas_ink(rgba)))


# --- Stroke width: a tiny drawing must not become a blob ------------------------------------
#
# The canvas brush has a fixed width in canvas pixels, while ink_to_input scales the drawing so
# its longer side spans 24 px: a 2 drawn 60 px tall with a 20 px brush arrives with strokes a
# third of its height thick (about 8 px of 28), a blob the networks read as something else (a
# tiny 2 became Z). EMNIST strokes are about a tenth of the character's longer side.


def stroke_width(ink: np.ndarray) -> float:
    """Typical stroke width in pixels, from how fast erosion eats the stroke: a band ``w`` wide
    loses 2 px of width per erosion (3x3 cross), so half of it is gone after ``w / 4`` of them.
    The erosion count at which half of the pixels above ``INK_MASK_LEVEL`` are left is found
    between two erosions by linear interpolation of the pixel counts; 0 for no ink."""
    mask = np.asarray(ink) > INK_MASK_LEVEL
    total = int(mask.sum())
    if total == 0:
        return 0.0
    erosions, left, previous = 0, total, total
    while left * 2 > total:
        mask = _erode_cross(mask)
        erosions, previous, left = erosions + 1, left, int(mask.sum())
    half_way = erosions - 1 + (previous - total / 2) / max(previous - left, 1)
    return 4.0 * half_way


def _erode_cross(mask: np.ndarray) -> np.ndarray:
    padded = np.pad(mask, 1)
    return (
        padded[1:-1, 1:-1]
        & padded[:-2, 1:-1]
        & padded[2:, 1:-1]
        & padded[1:-1, :-2]
        & padded[1:-1, 2:]
    )


def thin_thick_strokes(ink: np.ndarray) -> np.ndarray:
    """``ink`` itself when its strokes are at most ``MAX_STROKE_SHARE`` of its longer side thick;
    otherwise a grey-scale erosion of it (minimum over a 3x3 square, repeated ``r`` times, with
    ``r = min(floor((width - THINNED_STROKE_SHARE * longer) / 2), floor(0.35 * width))``, so
    the strokes survive) that brings them down to about ``THINNED_STROKE_SHARE``; the drawing as
    drawn if the thinned one would be smaller than ``MIN_EXTENT`` (:func:`ink_to_input`)."""
    ink = np.asarray(ink, dtype=np.float32)
    box = ink_bounding_box(ink) if ink.ndim == 2 else None
    if box is None:
        return ink
    top, bottom, left, right = box
    longer = max(bottom - top, right - left) + 1
    width = stroke_width(ink)
    if width <= MAX_STROKE_SHARE * longer:
        return ink
    passes = int((width - THINNED_STROKE_SHARE * longer) // 2)
    passes = min(passes, int(MAX_EROSION_SHARE * width))  # keep at least 30% of the stroke
    thinned = ink
    for _ in range(passes):
        padded = np.pad(thinned, 1)
        thinned = np.minimum.reduce(
            [
                padded[dy : dy + ink.shape[0], dx : dx + ink.shape[1]]
                for dy in range(3)
                for dx in range(3)
            ]
        )
    box = ink_bounding_box(thinned)
    if box is None or max(box[1] - box[0], box[3] - box[2]) + 1 < MIN_EXTENT * max(ink.shape):
        return ink  # too small once thinned: ink_to_input judges the drawing as drawn
    return thinned
