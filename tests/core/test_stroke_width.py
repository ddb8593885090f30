"""Tiny drawings keep EMNIST-like strokes: strokes too thick for the drawing are thinned before
the usual preparation, and normal drawings are prepared exactly as before."""

from __future__ import annotations

import numpy as np
import pytest

from core.inputs.examples import EXAMPLES, by_name, render
from core.inputs.preprocess import (
    canvas_ink,
    canvas_to_input,
    ink_to_input,
    stroke_width,
    thin_thick_strokes,
)
from core.inputs.strokes import render_strokes


@pytest.mark.parametrize("width", [4, 8, 12, 20, 28])
def test_stroke_width_of_a_band(width):
    ink = np.zeros((200, 200), np.float32)
    ink[50:150, 60 : 60 + width] = 1.0
    assert abs(stroke_width(ink) - width) <= 4  # counted in erosions of 1 px per side


def test_stroke_width_of_nothing_is_zero():
    assert stroke_width(np.zeros((10, 10))) == 0


def test_normal_drawings_are_prepared_as_before():
    for example in EXAMPLES:
        rgba = render(example)
        assert np.array_equal(canvas_to_input(rgba), ink_to_input(canvas_ink(rgba))), example.name


def _shrunk(example, scale: float, corner: float = 0.1):
    strokes = [[(corner + scale * x, corner + scale * y) for x, y in s] for s in example.strokes]
    return render_strokes(strokes, width=example.brush)


def _ink_share(image: np.ndarray) -> float:
    return float((image > 127).mean())


@pytest.mark.parametrize("name", ["2, round top", "5", "8", "0, narrow"])
def test_a_tiny_drawing_has_strokes_like_a_normal_one(name):
    example = by_name(name)
    normal = canvas_to_input(render(example))
    tiny_rgba = _shrunk(example, 0.3)
    before = ink_to_input(canvas_ink(tiny_rgba))  # what the networks got without the thinning
    after = canvas_to_input(tiny_rgba)
    # the blob had far more ink than the normal drawing; the thinned one is close to it
    assert _ink_share(before) > 1.4 * _ink_share(normal)
    assert abs(_ink_share(after) - _ink_share(normal)) < 0.5 * abs(
        _ink_share(before) - _ink_share(normal)
    )


def test_a_drawing_too_small_to_thin_is_prepared_as_drawn():
    rgba = _shrunk(by_name("8"), 0.15)  # thinned, it would fall below the smallest size taken
    ink = canvas_ink(rgba)
    assert stroke_width(ink) > 0.2 * 50  # thick for its size...
    assert np.array_equal(thin_thick_strokes(ink), ink)  # ...but left as it is
    assert np.array_equal(canvas_to_input(rgba), ink_to_input(ink))


def test_a_tiny_two_stays_a_two():
    from core.models.loading import load_pretrained
    from core.models.prediction import predict

    image = canvas_to_input(_shrunk(by_name("2, round top"), 0.3))
    for kind in ("dense", "cnn"):
        assert predict(load_pretrained("2Z", kind), image[None])[0].argmax() == 0, kind
