"""Rendering ink in a fixed frame: the crop, scale, centre, blur and intensity scale that
preprocessing computed for the *whole* drawing, applied to a part of it.

:func:`core.inputs.preprocess.canvas_to_input` frames every picture by its own ink: removing a
stroke would re-centre and re-scale the rest. Stroke values (a coalition of strokes rendered
"as the whole drawing is framed") and fast edit searches need the frame fixed, so this module
writes the same pipeline as two matrices, one per axis:

    input = round(255 * clip(rows @ crop(ink) @ columns.T, 0) / peak) / 255

``crop`` cuts the full drawing's ink box plus the blur margin out of the canvas; ``rows`` and
``columns`` ([28, crop side]) compose the Gaussian blur, the paste into the square frame and
PIL's bicubic resize; ``peak`` is the full drawing's largest value before normalisation. For
the whole drawing this is :func:`~core.inputs.preprocess.ink_to_input` itself (held equal by
tests to the grey level, except for float rounding at a .5 tie). The pipeline is linear in the
ink up to the clip and the rounding, which is what makes 2^n coalitions cheap
(:mod:`core.levels.strokes`).

Reused from ``core/inputs/preprocess.py`` (called): ``canvas_ink``, ``ink_bounding_box``,
``stroke_width``, the constants ``INK_THRESHOLD``, ``BLUR_FRACTION``, ``TARGET_SIDE``,
``MIN_EXTENT``, ``MAX_STROKE_SHARE``, ``THINNED_STROKE_SHARE``, ``IMAGE_SIDE``.
Duplicated (same formulas, written as matrices or pass counts, because preprocess has no entry
point taking a frame): the frame geometry of ``ink_to_input`` (sigma, margin, frame side,
offsets), the Gaussian weights of ``gaussian_blur``, ``_paste``'s clipping, and the erosion
pass count and fallback of ``thin_thick_strokes``. The lead can fold :func:`frame_of` into
preprocess (``ink_to_input`` would then be ``render(ink, frame_of(ink))``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from PIL import Image

from core.inputs.live_constants import (
    BLUR_FRACTION,
    IMAGE_SIDE,
    MAX_EROSION_SHARE,
    MAX_STROKE_SHARE,
    MIN_EXTENT,
    TARGET_SIDE,
    THINNED_STROKE_SHARE,
    TOO_SMALL,
)
from core.inputs.preprocess import ImageInputError, ink_bounding_box, stroke_width


@dataclass(frozen=True)
class Frame:
    """Where a drawing's ink goes in the 28x28 input (see the module docstring)."""

    top: int  # canvas row of the crop's first row (the box's top minus the blur margin)
    left: int
    rows: np.ndarray  # float64 [28, crop height]
    columns: np.ndarray  # float64 [28, crop width]
    peak: float  # the whole drawing's largest value before normalisation (> 0)
    thinning: int  # erosion passes of thin_thick_strokes (0 for most drawings)
    canvas_shape: tuple[int, int]

    @property
    def crop_shape(self) -> tuple[int, int]:
        return self.rows.shape[1], self.columns.shape[1]

    def crop(self, ink: np.ndarray) -> np.ndarray:
        """The frame's crop of a canvas-sized array (zeros outside the canvas), last two axes."""
        height, width = self.crop_shape
        canvas_h, canvas_w = ink.shape[-2:]
        out = np.zeros((*ink.shape[:-2], height, width), ink.dtype)
        y0, x0 = max(self.top, 0), max(self.left, 0)
        y1, x1 = min(self.top + height, canvas_h), min(self.left + width, canvas_w)
        if y1 > y0 and x1 > x0:
            out[..., y0 - self.top : y1 - self.top, x0 - self.left : x1 - self.left] = ink[
                ..., y0:y1, x0:x1
            ]
        return out

    def small(self, crops: np.ndarray) -> np.ndarray:
        """Crops ``[..., h, w]`` -> the 28x28 values before normalisation (float64)."""
        return np.matmul(np.matmul(self.rows, crops), self.columns.T)


def to_levels(small: np.ndarray, peak: float) -> np.ndarray:
    """Values before normalisation -> the input's grey levels / 255 (float32), as preprocessing
    rounds them (``round(clip(v, 0) / peak * 255)``)."""
    levels = np.round(np.clip(small, 0.0, None) / peak * 255.0)
    return (np.minimum(levels, 255.0) / 255.0).astype(np.float32)


def thinning_passes(ink: np.ndarray) -> int:
    """The erosion passes ``thin_thick_strokes`` applies to this ink (0: left as drawn)."""
    box = ink_bounding_box(ink)
    if box is None:
        return 0
    top, bottom, left, right = box
    longer = max(bottom - top, right - left) + 1
    width = stroke_width(ink)
    if width <= MAX_STROKE_SHARE * longer:
        return 0
    passes = min(int((width - THINNED_STROKE_SHARE * longer) // 2), int(MAX_EROSION_SHARE * width))
    passes = max(passes, 0)
    thinned = erode(ink, passes)
    box = ink_bounding_box(thinned)
    if box is None or max(box[1] - box[0], box[3] - box[2]) + 1 < MIN_EXTENT * max(ink.shape):
        return 0
    return passes


def erode(ink: np.ndarray, passes: int) -> np.ndarray:
    """Minimum over each 3x3 square (zero outside), ``passes`` times, on the last two axes."""
    height, width = ink.shape[-2:]
    pad = [(0, 0)] * (ink.ndim - 2) + [(1, 1), (1, 1)]
    for _ in range(passes):
        padded = np.pad(ink, pad)
        ink = np.minimum.reduce(
            [padded[..., dy : dy + height, dx : dx + width] for dy in range(3) for dx in range(3)]
        )
    return ink


def frame_of(ink: np.ndarray) -> Frame | None:
    """The frame preprocessing gives this canvas ink (2-D, 0-1); None when it is blank.

    Raises :class:`ImageInputError` like preprocessing when the drawing is too small.
    """
    ink = np.nan_to_num(np.asarray(ink, np.float32), nan=0.0, posinf=1.0, neginf=0.0).clip(0, 1)
    passes = thinning_passes(ink)
    thinned = erode(ink, passes) if passes else ink
    box = ink_bounding_box(thinned)
    if box is None:
        return None
    top, bottom, left, right = box
    longer = max(bottom - top, right - left) + 1
    if longer < MIN_EXTENT * max(ink.shape):
        raise ImageInputError(TOO_SMALL)
    rows, columns, margin = _geometry(bottom - top + 1, right - left + 1)
    partial = Frame(top - margin, left - margin, rows, columns, 1.0, passes, ink.shape)
    peak = float(np.clip(partial.small(partial.crop(thinned.astype(np.float64))), 0, None).max())
    if peak <= 0:
        return None
    return Frame(top - margin, left - margin, rows, columns, peak, passes, ink.shape)


def reframe(ink: np.ndarray, thinning: int = 0) -> np.ndarray | None:
    """Canvas ink framed by its own box, as preprocessing frames it, given the thinning passes
    (:func:`thinning_passes`; this skips deciding them, the slow part): float32 ``[28, 28]``
    in [0, 1], None when blank. The quick path of the edit search."""
    ink = np.asarray(ink, np.float64)
    if thinning:
        ink = erode(ink, thinning)
    box = ink_bounding_box(ink)
    if box is None:
        return None
    top, bottom, left, right = box
    rows, columns, margin = _geometry(bottom - top + 1, right - left + 1)
    frame = Frame(top - margin, left - margin, rows, columns, 1.0, thinning, ink.shape)
    small = np.clip(frame.small(frame.crop(ink)), 0, None)
    peak = small.max()
    return None if peak <= 0 else to_levels(small, peak)


@functools.lru_cache(maxsize=1024)
def _geometry(height: int, width: int) -> tuple[np.ndarray, np.ndarray, int]:
    """``ink_to_input``'s frame of a box ``height`` x ``width``: the rows and columns matrices
    and the blur margin."""
    longer = max(height, width)
    sigma = max(0.5, BLUR_FRACTION * longer)
    margin = int(np.ceil(3 * sigma))
    frame = int(round(longer * IMAGE_SIDE / TARGET_SIDE))
    rows = _axis(height, margin, sigma, (frame - height) // 2 - margin, frame)
    columns = _axis(width, margin, sigma, (frame - width) // 2 - margin, frame)
    rows.flags.writeable = columns.flags.writeable = False
    return rows, columns, margin


def render(ink: np.ndarray, frame: Frame) -> np.ndarray:
    """Canvas ink (``[..., H, W]``, 0-1) in ``frame``: float32 ``[..., 28, 28]`` in [0, 1],
    thinned as the frame's drawing was."""
    ink = np.asarray(ink, np.float64)
    if frame.thinning:
        ink = erode(ink, frame.thinning)
    return to_levels(frame.small(frame.crop(ink)), frame.peak)


def _axis(length: int, margin: int, sigma: float, offset: int, frame: int) -> np.ndarray:
    """One axis of the pipeline as a matrix ``[28, length + 2 margin]``: blur (zero outside the
    crop), paste at ``offset`` into the frame (dropping what falls outside), bicubic resize."""
    span = length + 2 * margin
    radius = max(1, int(np.ceil(3 * sigma)))
    weights = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2).astype(np.float32)
    weights = (weights / weights.sum()).astype(np.float64)
    # blurred row i (crop coordinates) lands on frame row i + offset, dropped outside the frame
    placed = np.zeros((IMAGE_SIDE, span))
    inside = np.arange(span) + offset
    keep = (inside >= 0) & (inside < frame)
    placed[:, keep] = _resize_matrix(frame)[:, inside[keep]]
    # then the blur, blurred[i] = sum_j weights[j - i + radius] crop[j] (zero outside the
    # crop): each row of the matrix is correlated with the (symmetric) Gaussian
    return np.array([np.convolve(row, weights, mode="same") for row in placed])


@functools.lru_cache(maxsize=256)
def _resize_matrix(frame: int) -> np.ndarray:
    """PIL's bicubic resize of one axis, ``frame`` -> 28, as a matrix (read from PIL itself)."""
    eye = Image.fromarray(np.eye(frame, dtype=np.float32), mode="F")
    matrix = np.asarray(eye.resize((frame, IMAGE_SIDE), Image.Resampling.BICUBIC), np.float64)
    matrix.flags.writeable = False
    return matrix
