"""Drawing characters from stroke recipes, the way a person draws them on the canvas.

A recipe is a list of strokes; a stroke is a list of (x, y) points in the unit square
(0, 0 top-left). :func:`render_strokes` draws them as white ink on a black RGBA canvas, so
the result goes through exactly the same preprocessing as a real drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeGuard

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


SUPERSAMPLE = 4
"""Strokes are drawn at 4x and reduced by averaging: anti-aliased edges, as a browser's canvas
draws them (a binary 1x rendering differs from the canvas by a pixel along every edge, enough
to move a 28x28 input by tens of grey levels once it is framed and thinned)."""


def render_pixel_strokes(strokes: list[PixelStroke], size: int = CANVAS_SIZE) -> np.ndarray:
    """RGBA uint8 ``[size, size, 4]``: white strokes with round ends and joints on black,
    anti-aliased: :func:`supersampled` averaged down by :func:`average_down`."""
    grey = average_down(supersampled(strokes, size))
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


def supersampled(strokes: list[PixelStroke], size: int = CANVAS_SIZE) -> Image.Image:
    """The strokes drawn in white on black at :data:`SUPERSAMPLE` times the size (an "L" image,
    0 or 255). Each segment is a filled rectangle as wide as the brush and each point a disc of
    the brush's diameter (round caps and joins, as the live canvas strokes them). The drawing is
    a union: strokes drawn one by one and combined with a maximum give the same image (the
    levels, :mod:`core.levels.ink`, draw them one by one)."""
    scale = SUPERSAMPLE
    big = Image.new("L", (size * scale, size * scale), 0)
    draw = ImageDraw.Draw(big)
    for stroke in strokes:
        radius = stroke.width * scale / 2
        points = _distinct([(x * scale, y * scale) for x, y in stroke.points], scale / 4)
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            length = math.hypot(x1 - x0, y1 - y0)
            nx, ny = -(y1 - y0) / length * radius, (x1 - x0) / length * radius
            draw.polygon(
                [(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)],
                fill=255,
            )
        for x, y in points:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return big


def average_down(big: Image.Image) -> np.ndarray:
    """A :func:`supersampled` drawing averaged over each :data:`SUPERSAMPLE`-pixel square:
    uint8 grey ``[size, size]``."""
    side = big.size[0] // SUPERSAMPLE
    return np.asarray(big.resize((side, side), Image.Resampling.BOX))


def _distinct(points: list, closer: float) -> list:
    """The points without those within ``closer`` of the previous one kept (a stroke's first
    point is always kept): they add no ink, only drawing time."""
    kept = points[:1]
    for x, y in points[1:]:
        if math.hypot(x - kept[-1][0], y - kept[-1][1]) >= closer:
            kept.append((x, y))
    return kept


def parse_strokes(payload, size: int = CANVAS_SIZE) -> list[PixelStroke]:
    """The strokes of a drawing sent by the browser, checked like any upload.

    ``payload`` is a list of ``{"w": width, "p": [x0, y0, x1, y1, ...]}`` in canvas pixels.
    Raises :class:`ImageInputError` naming what is wrong (type, count, size, range, finite).
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
        if not all(_is_number(value) for value in values):
            raise ImageInputError(f"stroke {number}: every coordinate must be a finite number")
        coordinates = np.asarray(values, dtype=np.float64)
        # a stroke moved partly off the canvas (edit mode) is fine: its ink there is clipped
        if coordinates.min() < -size or coordinates.max() > 2 * size:
            raise ImageInputError(
                f"stroke {number}: points must lie on or near the {size}x{size} canvas"
            )
        strokes.append(PixelStroke(float(width), [tuple(p) for p in coordinates.reshape(-1, 2)]))
    return strokes


def clip_to_canvas(strokes, size: int = CANVAS_SIZE) -> list[PixelStroke]:
    """Strokes cut where they leave the canvas (an edit can drag them off it), so a drawing only
    ever holds what the canvas shows: each stroke is clipped to the canvas grown by its brush
    width and two pixels, so the end caps and butt ends at a cut lie off the canvas and the ink
    on it comes from the same segments. A stroke that leaves and comes back becomes several;
    one entirely off the canvas is dropped."""
    clipped = []
    for stroke in strokes:
        margin = stroke.width + 2
        low, high = -margin, size + margin
        points = [tuple(map(float, point)) for point in stroke.points]
        if len(points) == 1:
            x, y = points[0]
            if low <= x <= high and low <= y <= high:
                clipped.append(PixelStroke(stroke.width, points))
            continue
        piece: list = []
        for start, end in zip(points, points[1:], strict=False):
            segment = _clip_segment(start, end, low, high)
            if segment is None:
                if piece:
                    clipped.append(PixelStroke(stroke.width, piece))
                    piece = []
                continue
            first, last = segment
            if piece and piece[-1] != first:
                clipped.append(PixelStroke(stroke.width, piece))
                piece = []
            if not piece:
                piece = [first]
            piece.append(last)
            if last != end:  # left the window: this piece ends here
                clipped.append(PixelStroke(stroke.width, piece))
                piece = []
        if piece:
            clipped.append(PixelStroke(stroke.width, piece))
    return clipped


def _clip_segment(start, end, low: float, high: float):
    """Liang-Barsky: the part of the segment inside the square [low, high]^2, or None."""
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - low), (dx, high - x0), (-dy, y0 - low), (dy, high - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    first = start if t0 == 0 else (x0 + t0 * dx, y0 + t0 * dy)
    last = end if t1 == 1 else (x0 + t1 * dx, y0 + t1 * dy)
    return first, last


def strokes_payload(strokes: list[PixelStroke]) -> list[dict]:
    """The inverse of :func:`parse_strokes`: JSON for the browser (0.1 px precision)."""
    return [
        {"w": stroke.width, "p": [round(float(v), 1) for point in stroke.points for v in point]}
        for stroke in strokes
    ]


def _is_number(value) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def arc(
    cx: float, cy: float, rx: float, ry: float, start_deg: float, end_deg: float, steps: int = 24
) -> Stroke:
    """Points along an elliptic arc (angles in degrees, 0 = right, 90 = down)."""
    angles = np.deg2rad(np.linspace(start_deg, end_deg, steps))
    return [(float(cx + rx * np.cos(a)), float(cy + ry * np.sin(a))) for a in angles]
