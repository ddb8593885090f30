"""Drawing characters from stroke recipes, the way a person draws them on the canvas.

A recipe is a list of strokes; a stroke is a list of (x, y) points in the unit square
(0, 0 top-left). :func:`render_strokes` draws them as white ink on a black RGBA canvas, so
the result goes through exactly the same preprocessing as a real drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from core.inputs.preprocess import ImageInputError

Stroke = list[tuple[float, float]]

CANVAS_SIZE = 280
DEFAULT_BRUSH = 20


def render_strokes(
    strokes: list[Stroke], size: int = CANVAS_SIZE, width: int = DEFAULT_BRUSH, margin: float = 0.15
) -> np.ndarray:
    """RGBA uint8 ``[size, size, 4]``: the strokes drawn with round ends, inside a margin."""
    return render_pixel_strokes(
        [PixelStroke(width, unit_to_pixels(stroke, size, margin)) for stroke in strokes], size
    )


def unit_to_pixels(stroke: Stroke, size: int = CANVAS_SIZE, margin: float = 0.15) -> list:
    """A stroke of the unit square -> canvas pixel coordinates inside ``margin``."""
    span = size * (1 - 2 * margin)
    return [(size * margin + x * span, size * margin + y * span) for x, y in stroke]


# --- Strokes in canvas pixels: what the live drawing component sends -----------------------


@dataclass(frozen=True)
class PixelStroke:
    """One pen stroke on the canvas: its brush width and its points, in canvas pixels."""

    width: float
    points: list  # [(x, y), ...]


MAX_STROKES = 400
MAX_POINTS = 20_000  # over all strokes: a few minutes of continuous drawing at 60 points/s
MIN_BRUSH, MAX_BRUSH = 1, 80


# What PIL spends drawing a stroke (measured on this project's 2-core machine, see
# render_work): a round joint at every point, about 0.5 us per pixel of brush width plus 6 us,
# and the segments' fill, about 2 ns per pixel of length times width. A drawing's points are
# bounded by MAX_POINTS, but 20,000 points at brush 80 still took ~1 s of one core: the work
# is bounded per drawing instead, so one pen lift cannot hold the server.
JOINT_US_BASE, JOINT_US_PER_PIXEL = 6.0, 0.5
FILL_US_PER_PIXEL = 0.002
MAX_RENDER_WORK_US = 60_000.0
"""Largest estimated drawing work the server does for one drawing (~60 ms): a character of a
few strokes costs ~1 ms, 3,000 points with the 20 px brush ~50 ms."""


def render_work(strokes: list[PixelStroke]) -> float:
    """Estimated microseconds :func:`render_pixel_strokes` spends on ``strokes`` (joints and
    fill, the terms above), computed without drawing."""
    work = 0.0
    for stroke in strokes:
        points = np.asarray(stroke.points, dtype=np.float64).reshape(-1, 2)
        length = float(np.hypot(*np.diff(points, axis=0).T).sum()) if len(points) > 1 else 0.0
        work += len(points) * (JOINT_US_BASE + JOINT_US_PER_PIXEL * stroke.width)
        work += FILL_US_PER_PIXEL * (length + stroke.width) * stroke.width
    return work


def render_pixel_strokes(strokes: list[PixelStroke], size: int = CANVAS_SIZE) -> np.ndarray:
    """RGBA uint8 ``[size, size, 4]``: white strokes with round ends and joints on black.

    Raises :class:`ImageInputError` before drawing anything when the drawing would cost more
    than ``MAX_RENDER_WORK_US`` (:func:`render_work`)."""
    work = render_work(strokes)
    if work > MAX_RENDER_WORK_US:
        points = sum(len(stroke.points) for stroke in strokes)
        brush = max(stroke.width for stroke in strokes)
        raise ImageInputError(
            f"the drawing is too detailed for the server to draw ({points:,} points, brush up "
            f"to {brush:g} px): undo some strokes, clear the canvas or use a thinner brush"
        )
    image = Image.new("RGBA", (size, size), (0, 0, 0, 255))
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        points = [tuple(point) for point in stroke.points]
        if len(points) == 1:
            points = points * 2
        draw.line(points, fill=(255, 255, 255, 255), width=round(stroke.width), joint="curve")
        radius = stroke.width / 2
        for x, y in (points[0], points[-1]):
            draw.ellipse(
                (x - radius, y - radius, x + radius, y + radius), fill=(255, 255, 255, 255)
            )
    return np.array(image)


def parse_strokes(payload, size: int = CANVAS_SIZE) -> list[PixelStroke]:
    """The strokes of a drawing sent by the browser, checked like any upload.

    ``payload`` is a list of ``{"w": width, "p": [x0, y0, x1, y1, ...]}`` in canvas pixels.
    Raises :class:`ImageInputError` naming what is wrong (type, count, size, range, finite);
    never anything else, whatever the payload (a 400-digit coordinate included).
    """
    if not isinstance(payload, list):
        raise ImageInputError("the drawing is not a list of strokes")
    if len(payload) > MAX_STROKES:
        raise ImageInputError(f"the drawing has {len(payload)} strokes; at most {MAX_STROKES}")
    strokes, total = [], 0
    for number, stroke in enumerate(payload, 1):
        if not isinstance(stroke, dict) or not isinstance(stroke.get("p"), list):
            raise ImageInputError(f"stroke {number} is not a brush width and a list of points")
        width, values = stroke.get("w"), stroke["p"]
        if not _is_number(width) or not MIN_BRUSH <= width <= MAX_BRUSH:
            raise ImageInputError(
                f"stroke {number}: the brush width must be a number from {MIN_BRUSH} to {MAX_BRUSH}"
            )
        if not values or len(values) % 2:
            raise ImageInputError(
                f"stroke {number}: points come as x, y pairs (got {len(values)} numbers)"
            )
        total += len(values) // 2
        if total > MAX_POINTS:
            raise ImageInputError(f"the drawing has more than {MAX_POINTS} points")
        # plain numbers only (no text, booleans, lists or None); checked in one pass in C
        if not set(map(type, values)) <= {int, float}:
            raise ImageInputError(f"stroke {number}: every coordinate must be a finite number")
        try:
            coordinates = np.asarray(values, dtype=np.float64)
        except OverflowError:  # an integer too large for a float
            raise ImageInputError(
                f"stroke {number}: points must lie on or near the {size}x{size} canvas"
            ) from None
        if not np.isfinite(coordinates).all():
            raise ImageInputError(f"stroke {number}: every coordinate must be a finite number")
        # a stroke moved partly off the canvas (edit mode) is fine: its ink there is clipped
        if coordinates.min() < -size or coordinates.max() > 2 * size:
            raise ImageInputError(
                f"stroke {number}: points must lie on or near the {size}x{size} canvas"
            )
        points = list(map(tuple, coordinates.reshape(-1, 2).tolist()))
        strokes.append(PixelStroke(float(width), points))
    return strokes


def strokes_payload(strokes: list[PixelStroke]) -> list[dict]:
    """The inverse of :func:`parse_strokes`: JSON for the browser (0.1 px precision; numpy
    rounds a whole stroke at once: 20,000 points one by one cost the server ~15 ms a run)."""
    return [
        {
            "w": stroke.width,
            "p": np.round(np.asarray(stroke.points, np.float64).ravel(), 1).tolist(),
        }
        for stroke in strokes
    ]


def _is_number(value) -> bool:
    """A finite int or float (not a bool). Integers are compared, never converted: a 400-digit
    one is not a float and would raise OverflowError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, int):
        return -_LARGEST_INT <= value <= _LARGEST_INT
    return math.isfinite(value)


_LARGEST_INT = 2**53  # every int up to this is exactly a float


def arc(
    cx: float, cy: float, rx: float, ry: float, start_deg: float, end_deg: float, steps: int = 24
) -> Stroke:
    """Points along an elliptic arc (angles in degrees, 0 = right, 90 = down)."""
    angles = np.deg2rad(np.linspace(start_deg, end_deg, steps))
    return [(float(cx + rx * np.cos(a)), float(cy + ry * np.sin(a))) for a in angles]
