"""The current drawing as Fabric.js objects for streamlit-drawable-canvas, and back.

The edit mode opens the strokes in st_canvas' transform mode (Fabric.js 7), where its toolbar
and handles move, scale and rotate each stroke; :func:`strokes_from_fabric` applies each
object's transform to its points, so the edited drawing becomes strokes again.
"""

from __future__ import annotations

import math

from core.inputs.strokes import PixelStroke


def _path(stroke: PixelStroke) -> dict:
    points = list(stroke.points)
    xs, ys = [x for x, _ in points], [y for _, y in points]
    commands = [["M", *points[0]]] + [["L", x, y] for x, y in points[1:]]
    if len(points) == 1:  # a dot: a zero-length line still gets its round caps
        commands.append(["L", points[0][0] + 0.01, points[0][1]])
    return {
        "type": "Path",
        "originX": "center",
        "originY": "center",
        "left": (min(xs) + max(xs)) / 2,
        "top": (min(ys) + max(ys)) / 2,
        "width": max(xs) - min(xs),
        "height": max(ys) - min(ys),
        "fill": None,
        "stroke": "#FFFFFF",
        "strokeWidth": stroke.width,
        "strokeLineCap": "round",
        "strokeLineJoin": "round",
        "path": commands,
    }


def fabric_drawing(strokes: list[PixelStroke]) -> dict:
    """The strokes as the canvas' own JSON (one Path object per stroke, centred on its box)."""
    return {"version": "7.4.0", "objects": [_path(stroke) for stroke in strokes]}


def _path_points(commands: list) -> list[tuple[float, float]]:
    """The end points of a path's commands (M, L, and the end of Q/C curves)."""
    points = []
    for command in commands:
        if len(command) >= 3 and command[0] in ("M", "L", "Q", "C"):
            points.append((float(command[-2]), float(command[-1])))
    return points


def strokes_from_fabric(drawing: dict | None) -> list[PixelStroke]:
    """Each Path object's points moved, scaled, flipped and rotated as Fabric shows them.

    Fabric draws a path's points relative to the centre of their box (its ``pathOffset``),
    scaled by ``scaleX``/``scaleY`` (negated when flipped), rotated by ``angle`` degrees about
    the object's centre, which sits at (left, top) for a centred origin. Skew is not used by
    the transform toolbar and is ignored. The brush scales with the geometric mean of the scales.
    """
    strokes = []
    for item in (drawing or {}).get("objects", []):
        if item.get("type", "").lower() != "path":
            continue
        points = _path_points(item.get("path") or [])
        if not points:
            continue
        xs, ys = [x for x, _ in points], [y for _, y in points]
        offset_x, offset_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        scale_x = float(item.get("scaleX", 1)) * (-1 if item.get("flipX") else 1)
        scale_y = float(item.get("scaleY", 1)) * (-1 if item.get("flipY") else 1)
        angle = math.radians(float(item.get("angle", 0)))
        cos, sin = math.cos(angle), math.sin(angle)
        centre_x, centre_y = _centre(item, cos, sin)
        moved = []
        for x, y in points:
            u, v = (x - offset_x) * scale_x, (y - offset_y) * scale_y
            moved.append((centre_x + u * cos - v * sin, centre_y + u * sin + v * cos))
        width = float(item.get("strokeWidth", 1)) * math.sqrt(abs(scale_x * scale_y))
        strokes.append(PixelStroke(width, moved))
    return strokes


def _centre(item: dict, cos: float, sin: float) -> tuple[float, float]:
    """The object's centre from its origin point (left/top may name its corner or its centre)."""
    left, top = float(item.get("left", 0)), float(item.get("top", 0))
    stroke = float(item.get("strokeWidth", 0))
    half_width = (float(item.get("width", 0)) + stroke) * abs(float(item.get("scaleX", 1))) / 2
    half_height = (float(item.get("height", 0)) + stroke) * abs(float(item.get("scaleY", 1))) / 2
    shift = {"left": 1.0, "center": 0.0, "right": -1.0}
    dx = shift.get(item.get("originX", "left"), 1.0) * half_width
    dy = {"top": 1.0, "center": 0.0, "bottom": -1.0}.get(item.get("originY", "top"), 1.0)
    dy *= half_height
    return left + dx * cos - dy * sin, top + dx * sin + dy * cos
