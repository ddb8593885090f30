"""Example drawings handed to the drawing canvas as Fabric.js objects, "as if drawn".

The canvas (streamlit-drawable-canvas 0.13, Fabric.js 7) redraws itself whenever its
``initial_drawing`` changes and then sends the new pixels back, exactly as after a stroke.
"""

from __future__ import annotations

from core.inputs.examples import Example
from core.inputs.strokes import CANVAS_SIZE


def _path(points: list[tuple[float, float]], width: int) -> dict:
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
        "strokeWidth": width,
        "strokeLineCap": "round",
        "strokeLineJoin": "round",
        "path": commands,
    }


def example_drawing(example: Example, size: int = CANVAS_SIZE, margin: float = 0.15) -> dict:
    """The example's strokes as the canvas' own JSON (the same geometry as ``core.inputs.examples.render``)."""
    span = size * (1 - 2 * margin)
    width = round(example.brush * size / CANVAS_SIZE)
    objects = [
        _path(
            [
                (round(size * margin + x * span, 2), round(size * margin + y * span, 2))
                for x, y in stroke
            ],
            width,
        )
        for stroke in example.strokes
    ]
    return {"version": "7.4.0", "objects": objects}
