"""Ready-made drawings for demos: stroke recipes for each of the eight characters.

Rendered in code with :func:`core.inputs.strokes.render_strokes` (never dataset images), so they are
sharp at canvas size and go through exactly the same preprocessing as a real drawing. To add
one, append an :class:`Example` to :data:`EXAMPLES`; ``ambiguous`` marks the look-alikes
(a Z-like 2, an O-like 0...) whose prediction may go either way, which is the point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.inputs.strokes import Stroke, arc


@dataclass(frozen=True)
class Example:
    name: str
    character: str  # what the writer meant
    strokes: tuple  # tuple of strokes, each a list of (x, y) in the unit square
    ambiguous: bool = False
    note: str = ""
    brush: int = 20  # stroke width on the 280 px canvas


def _two(top_round: bool) -> list[Stroke]:
    if top_round:  # a curved neck and a small loop at the foot, as many people write it
        return [
            arc(0.5, 0.3, 0.36, 0.28, 195, 380)
            + [(0.75, 0.55), (0.3, 0.85), (0.12, 0.95), (0.25, 0.85), (0.92, 0.92)]
        ]
    return [[(0.1, 0.12), (0.75, 0.05), (0.88, 0.2), (0.1, 0.95), (0.92, 0.95)]]


def _zed(bar: bool = False, curly_top: bool = False) -> list[Stroke]:
    top = arc(0.45, 0.2, 0.38, 0.16, 200, 350) if curly_top else [(0.08, 0.05), (0.92, 0.05)]
    strokes = [top + [(0.08, 0.95), (0.92, 0.95)]]
    if bar:
        strokes.append([(0.3, 0.5), (0.72, 0.5)])
    return strokes


def _five(round_top: bool = False) -> list[Stroke]:
    top = arc(0.55, 0.12, 0.3, 0.1, 330, 200) if round_top else [(0.85, 0.05), (0.25, 0.05)]
    return [top + [(0.22, 0.45)] + arc(0.5, 0.7, 0.33, 0.27, 235, 480)]


def _ess(flat_top: bool = False) -> list[Stroke]:
    upper = (
        [(0.85, 0.05), (0.3, 0.05)] + arc(0.4, 0.28, 0.2, 0.22, 270, 90)[6:]
        if flat_top
        else arc(0.5, 0.27, 0.33, 0.24, 340, 90)
    )
    return [upper + arc(0.5, 0.73, 0.33, 0.25, 270, 520)]


def _eight(flat_side: bool = False) -> list[Stroke]:
    if flat_side:
        return [
            [(0.25, 0.02), (0.25, 0.98)],
            arc(0.25, 0.26, 0.5, 0.24, 270, 450),
            arc(0.25, 0.74, 0.55, 0.24, 270, 450),
        ]
    return [arc(0.5, 0.27, 0.26, 0.24, 0, 360, 32), arc(0.5, 0.73, 0.32, 0.26, 0, 360, 32)]


def _bee() -> list[Stroke]:
    return [
        [(0.15, 0.0), (0.15, 1.0)],
        [(0.15, 0.0)] + arc(0.42, 0.25, 0.32, 0.25, 270, 450) + [(0.15, 0.5)],
        arc(0.42, 0.75, 0.4, 0.25, 270, 450) + [(0.15, 1.0)],
    ]


def _ring(width: float, tilt: float = 0.0, height: float = 1.0) -> list[Stroke]:
    points = arc(0.5, 0.5, width / 2, height / 2, -90, 275, 40)
    return [[(x + tilt * (0.5 - y), y) for x, y in points]]


EXAMPLES: tuple[Example, ...] = (
    Example("2, round top", "2", tuple(_two(top_round=True))),
    Example("2, angular top", "2", tuple(_two(top_round=False)), ambiguous=True, note="a Z-like 2"),
    Example("Z", "Z", tuple(_zed())),
    Example("Z with a bar", "Z", tuple(_zed(bar=True))),
    Example("Z, curly top", "Z", tuple(_zed(curly_top=True)), ambiguous=True, note="a 2-like Z"),
    Example("5", "5", tuple(_five())),
    Example("5, round top", "5", tuple(_five(round_top=True)), ambiguous=True, note="an S-like 5"),
    Example("S", "S", tuple(_ess())),
    Example("S, flat top", "S", tuple(_ess(flat_top=True)), ambiguous=True, note="a 5-like S"),
    Example("8", "8", tuple(_eight())),
    Example("8, flat side", "8", tuple(_eight(flat_side=True)), ambiguous=True, note="a B-like 8"),
    Example("B", "B", tuple(_bee())),
    Example("0, narrow", "0", tuple(_ring(0.55))),
    Example("0, round", "0", tuple(_ring(0.9)), ambiguous=True, note="an O-like 0"),
    Example("O, wide and bold", "O", tuple(_ring(1.0, height=0.72)), brush=40),
    Example(
        "O, round",
        "O",
        tuple(_ring(1.0)),
        ambiguous=True,
        note="a 0-like O: the 0/O network reads thin round rings as zeros",
    ),
    Example("O, slanted", "O", tuple(_ring(0.85, tilt=0.25)), ambiguous=True),
)


def render(example: Example, size: int = 280):
    """The example drawn on a black RGBA canvas, as the drawing canvas would return it."""
    from core.inputs.strokes import render_strokes

    return render_strokes(list(example.strokes), size=size, width=round(example.brush * size / 280))


def example_input(example: Example) -> np.ndarray:
    """The example as the network sees it: drawn, then prepared like any canvas drawing."""
    from core.inputs.preprocess import canvas_to_input

    image = canvas_to_input(render(example))
    if image is None:  # every shipped example draws ink (tests/core/test_examples.py)
        raise ValueError(f"the example {example.name!r} draws nothing")
    return image


def examples_for(character: str) -> list[Example]:
    return [example for example in EXAMPLES if example.character == character]


def by_name(name: str) -> Example:
    for example in EXAMPLES:
        if example.name == name:
            return example
    raise KeyError(f"no example named {name!r}")


def varied(example: Example, rng, size: int = 280) -> list:
    """The example drawn again as a person might: the whole drawing rotated (±10°), sheared,
    stretched (±15% per axis), shrunk or grown (60-100% of the canvas' drawing area), every point
    jittered (±1.5% of the canvas) and the brush between 12 and 32 px; ``PixelStroke`` list in
    canvas pixels, for core's canvas path."""
    import math

    from core.inputs.strokes import PixelStroke, unit_to_pixels

    angle = math.radians(rng.uniform(-10, 10))
    shear = rng.uniform(-0.15, 0.15)
    stretch_x, stretch_y = rng.uniform(0.85, 1.15, size=2)
    scale = rng.uniform(0.6, 1.0)
    brush = float(rng.uniform(12, 32)) * example.brush / 20
    cos, sin = math.cos(angle), math.sin(angle)
    strokes = []
    for stroke in example.strokes:
        points = []
        for x, y in stroke:
            u, v = (x - 0.5) * stretch_x, (y - 0.5) * stretch_y
            u += shear * v
            u, v = u * cos - v * sin, u * sin + v * cos
            jitter_x, jitter_y = rng.normal(0, 0.015, size=2)
            points.append((0.5 + scale * u + jitter_x, 0.5 + scale * v + jitter_y))
        strokes.append(PixelStroke(brush, unit_to_pixels(points, size)))
    return strokes
