"""Drawn characters and look-alikes (core/inputs/drawn_shapes.py): seeded, well-formed, at the
sizes and brushes they claim, through the canvas path."""

from __future__ import annotations

import numpy as np
import pytest

from core.inputs.drawn_shapes import (
    BRUSH_RANGE,
    BRUSHES,
    LEGIBLE_BRUSH_SHARE,
    LOOK_ALIKES,
    SHAPES,
    SIZE_RANGE,
    SIZES,
    band,
    drawings,
    drawn_set,
    place,
    shape_recipe,
)
from core.inputs.preprocess import ink_bounding_box
from core.inputs.strokes import CANVAS_SIZE, render_pixel_strokes


def test_every_shape_is_seeded_and_prepared_like_a_drawing():
    for shape in SHAPES:
        images, sizes, brushes = drawn_set(shape, 2, seed=4)
        again = drawn_set(shape, 2, seed=4)
        assert images.shape == (2, 28, 28) and images.dtype == np.uint8, shape
        assert (images.reshape(2, -1).max(axis=1) == 255).all(), shape  # normalised ink
        np.testing.assert_array_equal(images, again[0])
        np.testing.assert_array_equal(sizes, again[1])
        np.testing.assert_array_equal(brushes, again[2])
    assert not np.array_equal(drawn_set("X", 2, seed=4)[0], drawn_set("X", 2, seed=5)[0])


def test_sizes_and_brushes_span_the_slider_and_stay_legible():
    made = [d for shape in ("S", "X") for d in drawings(shape, 60, seed=1)]
    sizes = np.array([d.size for d in made])
    brushes = np.array([d.brush for d in made])
    assert SIZE_RANGE[0] <= sizes.min() and sizes.max() <= SIZE_RANGE[1]
    assert BRUSH_RANGE[0] <= brushes.min() and brushes.max() <= BRUSH_RANGE[1]
    broadest = np.maximum(LEGIBLE_BRUSH_SHARE * sizes * CANVAS_SIZE, BRUSH_RANGE[0])
    assert (brushes <= broadest + 1e-9).all()
    assert {band(SIZES, s) for s in sizes} == {name for name, _, _ in SIZES}
    assert {band(BRUSHES, b) for b in brushes} == {name for name, _, _ in BRUSHES}


@pytest.mark.parametrize("size, brush", [(0.15, 6.0), (0.5, 20.0), (0.95, 40.0)])
def test_a_placed_drawing_is_as_large_as_its_size_says(size, brush):
    strokes = place(
        shape_recipe("K", np.random.default_rng(0)), size, brush, np.random.default_rng(1)
    )
    ink = render_pixel_strokes(strokes)[..., 0] / 255.0
    top, bottom, left, right = ink_bounding_box(ink)
    longer = max(bottom - top, right - left) + 1
    assert abs(longer - size * CANVAS_SIZE) <= 3  # anti-aliased edges: a pixel or two
    assert top >= 0 and left >= 0 and bottom < CANVAS_SIZE and right < CANVAS_SIZE
    assert all(stroke.width == brush for stroke in strokes)


def test_shapes_are_the_characters_and_the_look_alikes():
    assert {"X", "K", "N", "7", "3", "6", "9", "a", "e", "crossed", "doubled"} == set(LOOK_ALIKES)
    assert set("0258BOSZ") <= set(SHAPES)
    with pytest.raises(ValueError, match="unknown shape"):
        drawings("Q", 1)
