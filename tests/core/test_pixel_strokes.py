"""Strokes in canvas pixels (what the live canvas sends): rendering and validation."""

from __future__ import annotations

import numpy as np
import pytest

from core.inputs.preprocess import ImageInputError
from core.inputs.strokes import (
    PixelStroke,
    parse_strokes,
    render_pixel_strokes,
    render_strokes,
    strokes_payload,
    unit_to_pixels,
)
from core.inputs.wire import values_to_input

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


@pytest.mark.parametrize(
    "stroke",
    [
        {"w": 20, "p": [10**400, 5]},  # OverflowError in float() before (issue 25)
        {"w": 20, "p": [-(10**400), 5]},
        {"w": 10**400, "p": [1, 2]},
        {"w": 2**53 + 1, "p": [1, 2]},
        {"w": 20, "p": [2**64, 5]},
    ],
)
def test_huge_integers_are_the_users_error(stroke):
    with pytest.raises(ImageInputError):
        parse_strokes([stroke])


def test_parsed_points_are_plain_floats():
    parsed = parse_strokes([{"w": 20, "p": [1, 2.5, 3, 4]}])
    assert parsed[0].points == [(1.0, 2.5), (3.0, 4.0)]
    assert all(type(v) is float for point in parsed[0].points for v in point)


def _random_stroke(points: int, width: float, seed: int = 0) -> PixelStroke:
    xy = np.random.default_rng(seed).uniform(0, 280, (points, 2))
    return PixelStroke(width, [tuple(p) for p in xy.tolist()])


def test_a_drawing_too_costly_to_draw_is_refused_before_drawing(monkeypatch):
    """20,000 points at brush 80 cost the server 2.1-2.3 s of drawing (issue 25): the estimated
    work is bounded, and the refusal comes before PIL draws anything."""
    from core.inputs import strokes as module

    hostile = [_random_stroke(20_000, 80)]
    assert module.render_work(hostile) > 10 * module.MAX_RENDER_WORK_US
    monkeypatch.setattr(module.ImageDraw, "Draw", lambda image: pytest.fail("drew anyway"))
    with pytest.raises(ImageInputError, match="too detailed for the server to draw"):
        render_pixel_strokes(hostile)


def test_real_drawings_are_well_within_the_drawing_budget():
    from core.inputs.examples import EXAMPLES
    from core.inputs.strokes import MAX_RENDER_WORK_US, render_work

    # a few hundred points per stroke at the broadest brush a person picks
    scribble = [_random_stroke(200, 40, seed) for seed in range(3)]
    assert render_work(scribble) < MAX_RENDER_WORK_US
    for example in EXAMPLES:
        strokes = [PixelStroke(example.brush, unit_to_pixels(stroke)) for stroke in example.strokes]
        assert render_work(strokes) < MAX_RENDER_WORK_US / 10, example.name


def test_the_work_estimate_grows_with_points_and_brush():
    from core.inputs.strokes import render_work

    small, more, broader = (
        render_work([_random_stroke(100, 20)]),
        render_work([_random_stroke(200, 20)]),
        render_work([_random_stroke(100, 40)]),
    )
    assert small < more and small < broader


def test_strokes_dragged_off_the_canvas_keep_every_part_on_it():
    """An edit can drag strokes off the canvas. Clipped, every point lies within the canvas grown
    by the brush (so no end cap or butt end reaches onto it), every piece lies on a stroke of the
    drawing, and every point of a stroke within reach of the canvas (where its ink can show) is
    on a piece. (Checked on the geometry: rasterisers differ by a pixel here and there.)"""
    import numpy as np

    from core.inputs.strokes import PixelStroke, clip_to_canvas

    def on_segment(point, start, end, tolerance=1e-6):
        p, a, b = (np.asarray(v, float) for v in (point, start, end))
        length = np.linalg.norm(b - a)
        if length == 0:
            return np.linalg.norm(p - a) <= tolerance
        t = np.dot(p - a, b - a) / length**2
        return -tolerance <= t <= 1 + tolerance and np.linalg.norm(a + t * (b - a) - p) <= 1e-6

    rng = np.random.default_rng(0)
    for _ in range(200):
        width = float(rng.integers(6, 40))
        stroke = PixelStroke(width, [tuple(rng.uniform(-200, 480, 2)) for _ in range(4)])
        pieces = clip_to_canvas([stroke])
        margin = width + 2
        segments = list(zip(stroke.points, stroke.points[1:], strict=False))
        for piece in pieces:
            assert piece.width == width
            for point in piece.points:
                assert all(-margin - 1e-9 <= v <= 280 + margin + 1e-9 for v in point)
            for start, end in zip(piece.points, piece.points[1:], strict=False):
                assert any(
                    on_segment(start, *segment) and on_segment(end, *segment)
                    for segment in segments
                )
        for start, end in segments:
            for t in np.linspace(0, 1, 41):
                point = np.asarray(start) + t * (np.asarray(end) - np.asarray(start))
                if all(-width / 2 <= v <= 280 + width / 2 for v in point):
                    assert any(
                        on_segment(point, a, b, tolerance=1e-6)
                        for piece in pieces
                        for a, b in zip(piece.points, piece.points[1:], strict=False)
                    ), (stroke, point)


def test_a_stroke_that_leaves_and_comes_back_is_cut_in_two():
    from core.inputs.strokes import PixelStroke, clip_to_canvas

    stroke = PixelStroke(10.0, [(100.0, 100.0), (400.0, 100.0), (400.0, 200.0), (100.0, 200.0)])
    pieces = clip_to_canvas([stroke])
    assert len(pieces) == 2
    assert pieces[0].points[0] == (100.0, 100.0) and pieces[1].points[-1] == (100.0, 200.0)
    assert pieces[0].points[-1] == (292.0, 100.0) and pieces[1].points[0] == (292.0, 200.0)
    assert clip_to_canvas([PixelStroke(10.0, [(-50.0, -50.0), (-60.0, 300.0)])]) == []
