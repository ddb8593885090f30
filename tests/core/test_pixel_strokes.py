"""Strokes in canvas pixels (what the live canvas sends): rendering and validation."""

from __future__ import annotations

import numpy as np
import pytest

from core.inputs.preprocess import ImageInputError, values_to_input
from core.inputs.strokes import (
    PixelStroke,
    parse_strokes,
    render_pixel_strokes,
    render_strokes,
    strokes_payload,
    unit_to_pixels,
)

Z = [[(0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9)]]


def test_pixel_strokes_draw_what_unit_strokes_draw():
    pixels = [PixelStroke(20, unit_to_pixels(stroke)) for stroke in Z]
    assert np.array_equal(render_pixel_strokes(pixels), render_strokes(Z))


def test_unit_to_pixels_maps_the_unit_square_inside_the_margin():
    assert unit_to_pixels([(0, 0), (1, 1)], size=100, margin=0.1) == [(10, 10), (90, 90)]


def test_a_payload_round_trips():
    strokes = [PixelStroke(12.0, [(1.25, 2.0), (30.0, 40.5)]), PixelStroke(20.0, [(5.0, 5.0)])]
    parsed = parse_strokes(strokes_payload(strokes))
    assert [s.width for s in parsed] == [12.0, 20.0]
    # 0.1 px precision, as Python rounds (1.25 is exact in binary: half to even)
    assert parsed[0].points == [(round(x, 1), round(y, 1)) for x, y in strokes[0].points]
    assert parsed[1].points == [(5.0, 5.0)]


def test_an_empty_drawing_is_valid_and_blank():
    assert parse_strokes([]) == []
    assert render_pixel_strokes([]).max(axis=(0, 1)).tolist() == [0, 0, 0, 255]


@pytest.mark.parametrize(
    "payload",
    [
        None,
        {},
        [[1, 2]],
        [{"w": "20", "p": [1, 2]}],
        [{"w": 20, "p": []}],
        [{"w": 20, "p": [float("inf"), 1]}],
    ],
)
def test_bad_payloads_raise_the_users_error(payload):
    with pytest.raises(ImageInputError):
        parse_strokes(payload)


def test_values_to_input_checks_count_type_and_range():
    image = values_to_input(list(range(256)) + [0] * (784 - 256))
    assert image.dtype == np.uint8 and image.shape == (28, 28) and image[0, 27] == 27
    for bad in ([0] * 783, "0" * 784, [None] * 784, [float("nan")] * 784, [-1] * 784):
        with pytest.raises(ImageInputError):
            values_to_input(bad)
