"""Characters and look-alike shapes drawn the way a class draws them: any brush of the slider,
any size from tiny to the whole canvas.

Used to measure and calibrate the "not one of these" check (:mod:`core.insight.unlikely`):
the eight characters (:data:`CHARACTER_SHAPES`, drawn from the shipped examples' recipes) must be
accepted by the networks that know them, the look-alikes (:data:`LOOK_ALIKES`: X, K, N, 7, 3,
6, 9, a, e, crossed and doubled strokes) refused by every network. Each drawing is a recipe in
the unit square, varied as a person would draw it (rotated, sheared, stretched, jittered),
placed on the 280 px canvas at a size (the longer side of its box, as a share of the canvas)
and a brush width in canvas pixels, then drawn by :func:`core.inputs.strokes.render_pixel_strokes`
and prepared by :func:`core.inputs.preprocess.canvas_to_input`, exactly like a live drawing.
Everything is seeded: a seed gives the same drawings on every machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.data.pairs import EIGHT_CHARACTERS
from core.inputs.examples import examples_for
from core.inputs.preprocess import ImageInputError, canvas_to_input
from core.inputs.strokes import CANVAS_SIZE, PixelStroke, Stroke, arc, render_pixel_strokes

BRUSH_RANGE = (6.0, 40.0)
"""The live canvas' brush slider, in canvas pixels (app/static/live/canvas.js)."""
SIZE_RANGE = (0.15, 0.95)
"""The drawing's longer side as a share of the canvas: tiny (about 42 px) to almost all of it."""
LEGIBLE_BRUSH_SHARE = 0.25
"""The broadest brush drawn, as a share of the drawing's longer side: broader, the loops of an
8, a B or an O fill up and any shape is a blob nobody could read (with the 20 px default brush a
drawing is at least 80 px, 29% of the canvas; a tiny one, 42 px, gets a brush of 6 to 10 px)."""

SIZES = (("tiny", 0.15, 0.25), ("small", 0.25, 0.45), ("medium", 0.45, 0.7), ("full", 0.7, 0.96))
"""Size bands for the reports: name, lowest and highest share of the canvas (highest excluded)."""
BRUSHES = (("thin", 6.0, 12.0), ("medium", 12.0, 24.0), ("broad", 24.0, 40.01))
"""Brush bands for the reports, in canvas pixels (the slider's default, 20 px, is medium)."""


def band(bands: tuple, value: float) -> str:
    """The name of the band of ``bands`` (:data:`SIZES` or :data:`BRUSHES`) holding ``value``."""
    for name, low, high in bands:
        if low <= value < high:
            return name
    return bands[-1][0] if value >= bands[-1][1] else bands[0][0]


# --- recipes (unit square, (0, 0) top-left) --------------------------------------------------


def _x(rng) -> list[Stroke]:
    return [[(0.1, 0.05), (0.9, 0.95)], [(0.9, 0.05), (0.1, 0.95)]]


def _k(rng) -> list[Stroke]:
    return [[(0.2, 0.0), (0.2, 1.0)], [(0.85, 0.0), (0.2, 0.55)], [(0.38, 0.42), (0.9, 1.0)]]


def _n(rng) -> list[Stroke]:
    return [[(0.15, 1.0), (0.15, 0.0), (0.85, 1.0), (0.85, 0.0)]]


def _seven(rng) -> list[Stroke]:
    return [[(0.1, 0.05), (0.9, 0.05), (0.4, 0.95)]]


def _three(rng) -> list[Stroke]:
    return [arc(0.45, 0.27, 0.35, 0.23, 200, 450) + arc(0.45, 0.73, 0.38, 0.25, 270, 520)]


def _six(rng) -> list[Stroke]:
    return [arc(0.6, 0.5, 0.42, 0.48, 290, 180) + arc(0.5, 0.72, 0.32, 0.26, 180, 540)]


def _nine(rng) -> list[Stroke]:
    return [arc(0.5, 0.28, 0.32, 0.26, 0, 360, 32) + [(0.82, 0.28), (0.75, 1.0)]]


def _small_a(rng) -> list[Stroke]:
    return [arc(0.45, 0.62, 0.32, 0.32, 340, -20, 32), [(0.8, 0.3), (0.8, 0.95)]]


def _small_e(rng) -> list[Stroke]:
    return [[(0.15, 0.52), (0.85, 0.52)] + arc(0.5, 0.52, 0.35, 0.42, 360, 40, 32)]


def _crossed(rng) -> list[Stroke]:
    """A plus, a hash or a star: straight strokes crossing."""
    choice = rng.integers(3)
    if choice == 0:
        return [[(0.5, 0.0), (0.5, 1.0)], [(0.0, 0.5), (1.0, 0.5)]]
    if choice == 1:
        return [
            [(0.35, 0.0), (0.3, 1.0)],
            [(0.7, 0.0), (0.65, 1.0)],
            [(0.0, 0.35), (1.0, 0.3)],
            [(0.0, 0.7), (1.0, 0.65)],
        ]
    return [
        [(0.5, 0.0), (0.5, 1.0)],
        [(0.1, 0.25), (0.9, 0.75)],
        [(0.9, 0.25), (0.1, 0.75)],
    ]


def _doubled(rng) -> list[Stroke]:
    """The same stroke drawn twice side by side: an equals sign, two bars, a doubled V or a
    doubled slash."""
    choice = rng.integers(4)
    if choice == 0:
        return [[(0.0, 0.3), (1.0, 0.3)], [(0.0, 0.7), (1.0, 0.7)]]
    if choice == 1:
        return [[(0.3, 0.0), (0.3, 1.0)], [(0.7, 0.0), (0.7, 1.0)]]
    if choice == 2:
        return [[(0.0, 0.0), (0.3, 1.0), (0.6, 0.0)], [(0.4, 0.0), (0.7, 1.0), (1.0, 0.0)]]
    return [[(0.0, 1.0), (0.6, 0.0)], [(0.4, 1.0), (1.0, 0.0)]]


LOOK_ALIKE_RECIPES: dict[str, Callable[[np.random.Generator], list[Stroke]]] = {
    "X": _x,
    "K": _k,
    "N": _n,
    "7": _seven,
    "3": _three,
    "6": _six,
    "9": _nine,
    "a": _small_a,
    "e": _small_e,
    "crossed": _crossed,
    "doubled": _doubled,
}
LOOK_ALIKES = tuple(LOOK_ALIKE_RECIPES)
CHARACTER_SHAPES = EIGHT_CHARACTERS
"""The eight characters, each drawn from one of its shipped examples' recipes at random."""
SHAPES = CHARACTER_SHAPES + LOOK_ALIKES


def shape_recipe(shape: str, rng: np.random.Generator) -> list[Stroke]:
    """One recipe of ``shape`` (a character of :data:`CHARACTER_SHAPES` or a look-alike)."""
    if shape in LOOK_ALIKE_RECIPES:
        return LOOK_ALIKE_RECIPES[shape](rng)
    examples = examples_for(shape)
    if not examples:
        raise ValueError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")
    return [list(stroke) for stroke in examples[int(rng.integers(len(examples)))].strokes]


# --- placing a recipe on the canvas ----------------------------------------------------------


@dataclass(frozen=True)
class Drawing:
    """One drawing: its shape, its size (longer side / canvas), its brush (px) and its strokes."""

    shape: str
    size: float
    brush: float
    strokes: tuple  # PixelStroke, ...


def place(
    recipe: list[Stroke], size: float, brush: float, rng: np.random.Generator | None
) -> list[PixelStroke]:
    """The recipe as a person might draw it: rotated (±10°), sheared, stretched (±15% per axis),
    every point jittered (±0.8% of the drawing), then scaled so the longer side of its strokes'
    box (the ink's, brush included) is ``size`` of the canvas and put somewhere on it. Without
    ``rng``: as the recipe draws it, in the middle of the canvas."""
    angle = math.radians(rng.uniform(-10, 10)) if rng else 0.0
    shear = rng.uniform(-0.15, 0.15) if rng else 0.0
    stretch = rng.uniform(0.85, 1.15, size=2) if rng else np.ones(2)
    cos, sin = math.cos(angle), math.sin(angle)
    moved = []
    for stroke in recipe:
        points = np.asarray(stroke, np.float64) - 0.5
        points = points * stretch
        points[:, 0] += shear * points[:, 1]
        points = points @ np.array([[cos, sin], [-sin, cos]])
        moved.append(points + rng.normal(0, 0.008, points.shape) if rng else points)
    every = np.concatenate(moved)
    low, high = every.min(axis=0), every.max(axis=0)
    longer = max(float((high - low).max()), 1e-6)
    side = size * CANVAS_SIZE
    scale = max(side - brush, 1.0) / longer  # the ink's box: the path's plus the brush
    extent = (high - low) * scale + brush
    room = [max(CANVAS_SIZE - span, 0) for span in extent]
    corner = [rng.uniform(0, free) if rng else free / 2 for free in room]
    strokes = []
    for points in moved:
        pixels = (points - low) * scale + brush / 2 + np.asarray(corner)
        strokes.append(PixelStroke(float(brush), [tuple(map(float, p)) for p in pixels]))
    return strokes


def _rng(shape: str, seed: int) -> np.random.Generator:
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")
    return np.random.default_rng([seed, SHAPES.index(shape)])


def _drawing(shape: str, rng: np.random.Generator) -> Drawing:
    size = float(rng.uniform(*SIZE_RANGE))
    broadest = min(BRUSH_RANGE[1], max(BRUSH_RANGE[0], LEGIBLE_BRUSH_SHARE * size * CANVAS_SIZE))
    brush = float(rng.uniform(BRUSH_RANGE[0], broadest))
    return Drawing(shape, size, brush, tuple(place(shape_recipe(shape, rng), size, brush, rng)))


def drawings(shape: str, count: int, seed: int = 0) -> list[Drawing]:
    """``count`` seeded :class:`Drawing` of ``shape``: sizes uniform in :data:`SIZE_RANGE`,
    brushes uniform in :data:`BRUSH_RANGE` up to :data:`LEGIBLE_BRUSH_SHARE` of the size."""
    rng = _rng(shape, seed)
    return [_drawing(shape, rng) for _ in range(count)]


def prepared(drawing: Drawing) -> np.ndarray | None:
    """The drawing as the networks see it (uint8 ``[28, 28]``), or None when the canvas path
    refuses it (too small) or it draws nothing."""
    try:
        return canvas_to_input(render_pixel_strokes(list(drawing.strokes)))
    except ImageInputError:
        return None


def drawn_set(shape: str, count: int, seed: int = 0):
    """``count`` prepared drawings of ``shape``, seeded: images uint8 ``[count, 28, 28]``, their
    sizes ``[count]`` and brushes ``[count]``. A drawing the canvas path refuses is drawn again
    with the next random numbers (that refusal is the app's answer, not the check's)."""
    rng = _rng(shape, seed)
    images: list[np.ndarray] = []
    sizes: list[float] = []
    brushes: list[float] = []
    while len(images) < count:
        drawing = _drawing(shape, rng)
        image = prepared(drawing)
        if image is not None:
            images.append(image)
            sizes.append(drawing.size)
            brushes.append(drawing.brush)
    empty = np.zeros((0, 28, 28), np.uint8)
    return (np.stack(images) if images else empty), np.array(sizes), np.array(brushes)
