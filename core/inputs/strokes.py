"""Drawing characters from stroke recipes, the way a person draws them on the canvas.

A recipe is a list of strokes; a stroke is a list of (x, y) points in the unit square
(0, 0 top-left). :func:`render_strokes` draws them as white ink on a black RGBA canvas, so
the result goes through exactly the same preprocessing as a real drawing.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

Stroke = list[tuple[float, float]]

CANVAS_SIZE = 280
DEFAULT_BRUSH = 20


def render_strokes(
    strokes: list[Stroke], size: int = CANVAS_SIZE, width: int = DEFAULT_BRUSH, margin: float = 0.15
) -> np.ndarray:
    """RGBA uint8 ``[size, size, 4]``: the strokes drawn with round ends, inside a margin."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 255))
    draw = ImageDraw.Draw(image)
    span = size * (1 - 2 * margin)
    for stroke in strokes:
        points = [(size * margin + x * span, size * margin + y * span) for x, y in stroke]
        if len(points) == 1:
            points = points * 2
        draw.line(points, fill=(255, 255, 255, 255), width=width, joint="curve")
        radius = width / 2
        for x, y in (points[0], points[-1]):
            draw.ellipse(
                (x - radius, y - radius, x + radius, y + radius), fill=(255, 255, 255, 255)
            )
    return np.array(image)


def arc(
    cx: float, cy: float, rx: float, ry: float, start_deg: float, end_deg: float, steps: int = 24
) -> Stroke:
    """Points along an elliptic arc (angles in degrees, 0 = right, 90 = down)."""
    angles = np.deg2rad(np.linspace(start_deg, end_deg, steps))
    return [(float(cx + rx * np.cos(a)), float(cy + ry * np.sin(a))) for a in angles]
