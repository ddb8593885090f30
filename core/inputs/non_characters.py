"""Drawings that are not characters, made from strokes the way a person draws on the canvas.

Used to check that the networks' "not one of these" score flags them. Every kind is drawn by
:func:`core.inputs.strokes.render_strokes` on the 280 px canvas and prepared by
:func:`core.inputs.preprocess.canvas_to_input`, exactly like a real drawing; everything is
seeded, so a seed gives the same drawings on every machine.

Kinds (:data:`KINDS`): straight lines at any angle (a "1"-like vertical line included), short
dashes, big dots (one press of a broad brush), scribbles (a random tangle), circles with a tail
and tiny scribbles (small tangles in a corner of the canvas, which the preprocessing blows up).
Beside them, :data:`MORE_KINDS`, kept out of the "not one of these" calibration: ticks (a short
stroke down, a longer one up to the right), what a teacher draws to mark an answer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.inputs.preprocess import ImageInputError, canvas_to_input
from core.inputs.strokes import Stroke, arc, render_strokes

KINDS = ("line", "dash", "dot", "scribble", "circle_tail", "tiny_scribble")
MORE_KINDS = ("tick",)


def _line(rng: np.random.Generator) -> tuple[list[Stroke], int]:
    angle = rng.uniform(0, np.pi)
    if rng.random() < 0.4:  # many lines are drawn (almost) upright, like a "1" or an "l"
        angle = np.pi / 2 + rng.normal(0, 0.08)
    half = rng.uniform(0.3, 0.5)
    cx, cy = rng.uniform(0.4, 0.6, 2)
    dx, dy = half * np.cos(angle), half * np.sin(angle)
    return [[(cx - dx, cy - dy), (cx + dx, cy + dy)]], int(rng.integers(12, 32))


def _dash(rng: np.random.Generator) -> tuple[list[Stroke], int]:
    half = rng.uniform(0.12, 0.3)
    cx, cy = rng.uniform(0.3, 0.7, 2)
    tilt = rng.normal(0, 0.05)
    return [[(cx - half, cy - tilt), (cx + half, cy + tilt)]], int(rng.integers(12, 32))


def _dot(rng: np.random.Generator) -> tuple[list[Stroke], int]:
    cx, cy = rng.uniform(0.2, 0.8, 2)
    wobble = rng.normal(0, 0.01, (3, 2))
    return [[(cx + x, cy + y) for x, y in wobble]], int(rng.integers(40, 70))


def _scribble(rng: np.random.Generator, scale: float = 1.0, corner=(0.0, 0.0)):
    count = int(rng.integers(6, 14))
    points = rng.uniform(0, 1, (count, 2))
    smooth = []
    for start, end in zip(points[:-1], points[1:], strict=True):
        for t in np.linspace(0, 1, 6, endpoint=False):
            smooth.append(tuple(corner + scale * (start + t * (end - start))))
    smooth.append(tuple(corner + scale * points[-1]))
    return [[(float(x), float(y)) for x, y in smooth]], int(rng.integers(12, 28))


def _circle_tail(rng: np.random.Generator) -> tuple[list[Stroke], int]:
    radius = rng.uniform(0.2, 0.35)
    cx, cy = rng.uniform(0.35, 0.65, 2)
    start = rng.uniform(0, 360)
    ring = arc(cx, cy, radius, radius * rng.uniform(0.8, 1.2), start, start + 360, 32)
    angle = np.deg2rad(rng.uniform(0, 360))
    length = rng.uniform(0.25, 0.5)
    x0, y0 = cx + radius * np.cos(angle), cy + radius * np.sin(angle)
    tail = [(x0, y0), (x0 + length * np.cos(angle), y0 + length * np.sin(angle))]
    return [ring, tail], int(rng.integers(12, 28))


def _tiny_scribble(rng: np.random.Generator) -> tuple[list[Stroke], int]:
    corner = rng.uniform(0.0, 0.75, 2)
    strokes, _ = _scribble(rng, scale=float(rng.uniform(0.15, 0.25)), corner=corner)
    return strokes, int(rng.integers(12, 24))


def _tick(rng: np.random.Generator) -> tuple[list[Stroke], int]:
    corner = rng.uniform(0.15, 0.35), rng.uniform(0.45, 0.65)  # where the pen starts
    down = rng.uniform(0.12, 0.25)  # the short stroke, down and to the right
    bottom = corner[0] + down * rng.uniform(0.6, 1.0), corner[1] + down
    up = rng.uniform(0.45, 0.7)  # the long stroke, up to the right
    angle = np.deg2rad(rng.uniform(40, 70))
    top = bottom[0] + up * np.cos(angle), bottom[1] - up * np.sin(angle)
    points = [corner, bottom, top]
    return [[(float(x), float(y)) for x, y in points]], int(rng.integers(12, 32))


_MAKERS: dict[str, Callable[[np.random.Generator], tuple[list[Stroke], int]]] = {
    "line": _line,
    "dash": _dash,
    "dot": _dot,
    "scribble": _scribble,
    "circle_tail": _circle_tail,
    "tiny_scribble": _tiny_scribble,
    "tick": _tick,
}


def non_character_strokes(kind: str, rng: np.random.Generator) -> tuple[list[Stroke], int]:
    """One drawing of ``kind``: its strokes (unit square, margins applied by the renderer) and
    the brush width in canvas pixels."""
    if kind not in _MAKERS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(_MAKERS)}")
    return _MAKERS[kind](rng)


def non_characters(kind: str, count: int, seed: int = 0) -> np.ndarray:
    """``count`` prepared uint8 ``[count, 28, 28]`` images of ``kind``, seeded.

    A drawing the preprocessing refuses (too small) is drawn again with the next random numbers.
    """
    if kind not in _MAKERS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(_MAKERS)}")
    rng = np.random.default_rng([seed, list(_MAKERS).index(kind)])
    images: list[np.ndarray] = []
    while len(images) < count:
        strokes, brush = non_character_strokes(kind, rng)
        try:
            image = canvas_to_input(render_strokes(strokes, width=brush))
        except ImageInputError:
            continue
        if image is not None:
            images.append(image)
    return np.stack(images) if images else np.zeros((0, 28, 28), np.uint8)
