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


# What the 4x-supersampled renderer below spends, in CPU time (measured 2026-12 on this
# project's shared 2-core machine, load average 3-5: 120 drawings of 50-5,000 points at brush
# 2-80, fitted to those over 8 ms; the estimate is within 0.5-1.45x of each of them): ~2 ms for
# the canvas itself (the 1120x1120 image and its reduction); at each point drawn, a disc and a
# polygon, ~6 us plus ~0.3 us per pixel of brush width; and the polygons' scanlines and fill,
# ~0.12 us per pixel of stroke length plus ~1 ns per pixel of length times width. Points within
# a quarter pixel of the last one drawn are skipped (:func:`_distinct`), so at most 1 + 4 x its
# length of a stroke's points are drawn (the estimate counts that many: a stroke of many
# near-duplicate points is overestimated). A drawing's points are bounded by MAX_POINTS, but
# 20,000 points at brush 80 still took 0.7-1.4 s of one core (estimated 0.6-1.2 s): the work is
# bounded per drawing instead, so one pen lift cannot hold the server.
RENDER_US_BASE = 2_000.0
JOINT_US_BASE, JOINT_US_PER_PIXEL = 6.0, 0.3
LENGTH_US_PER_PIXEL = 0.12
FILL_US_PER_PIXEL = 0.001
MAX_RENDER_WORK_US = 60_000.0
"""Largest estimated drawing work the server does for one drawing (~60 ms): a character of a
few strokes costs ~2-4 ms (estimated 2.1-2.4 ms), 3,000 points with the 20 px brush 38-61 ms
(estimated 39 ms)."""


def render_work(strokes: list[PixelStroke]) -> float:
    """Estimated microseconds :func:`render_pixel_strokes` spends on ``strokes`` (the canvas,
    the points drawn and the strokes' length and fill, the terms above), computed without
    drawing."""
    work = RENDER_US_BASE
    for stroke in strokes:
        points = np.asarray(stroke.points, dtype=np.float64).reshape(-1, 2)
        length = float(np.hypot(*np.diff(points, axis=0).T).sum()) if len(points) > 1 else 0.0
        drawn = min(len(points), 1 + SUPERSAMPLE * length)  # what _distinct can keep
        work += drawn * (JOINT_US_BASE + JOINT_US_PER_PIXEL * stroke.width)
        work += length * (LENGTH_US_PER_PIXEL + FILL_US_PER_PIXEL * stroke.width)
    return work


def render_pixel_strokes(strokes: list[PixelStroke], size: int = CANVAS_SIZE) -> np.ndarray:
    """RGBA uint8 ``[size, size, 4]``: white strokes with round ends and joints on black,
    anti-aliased: :func:`supersampled` averaged down by :func:`average_down`.

    Raises :class:`ImageInputError` before drawing anything when the drawing would cost more
    than ``MAX_RENDER_WORK_US`` (:func:`render_work`)."""
    work = render_work(strokes)
    if work > MAX_RENDER_WORK_US:
        count = sum(len(stroke.points) for stroke in strokes)
        brush = max(stroke.width for stroke in strokes)
        raise ImageInputError(
            f"the drawing is too detailed for the server to draw ({count:,} points, brush up "
            f"to {brush:g} px): undo some strokes, clear the canvas or use a thinner brush"
        )
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
    """The inverse of :func:`parse_strokes`: JSON for the browser (0.1 px precision; numpy
    rounds a whole stroke at once: 20,000 points one by one cost the server ~15 ms a run)."""
    return [
        {
            "w": stroke.width,
            "p": np.round(np.asarray(stroke.points, np.float64).ravel(), 1).tolist(),
        }
        for stroke in strokes
    ]


def _is_number(value) -> TypeGuard[float]:
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
