"""Canvas and upload preprocessing: EMNIST's framing, blank input, and bad files."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from core.inputs.preprocess import (
    ImageInputError,
    canvas_to_input,
    ink_bounding_box,
    ink_to_input,
    to_model_input,
)
from core.inputs.strokes import arc, render_strokes
from core.inputs.uploads import image_file_to_input

Z_STROKES = [[(0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9)]]


def _box(image, threshold=50):
    top, bottom, left, right = ink_bounding_box(image / 255.0, threshold / 255.0)
    return bottom - top + 1, right - left + 1, (top + bottom) / 2, (left + right) / 2


def test_to_model_input_scales_uint8_and_checks_floats():
    images = np.array([[[0, 255] * 14] * 28], np.uint8)
    x = to_model_input(images)
    assert x.dtype == np.float32 and x.max() == 1.0 and x.min() == 0.0
    assert to_model_input(images[0]).shape == (1, 28, 28)
    with pytest.raises(ValueError, match="shape"):
        to_model_input(np.zeros((2, 27, 28), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        to_model_input(np.zeros((1, 28, 28), np.int32))


def test_drawing_is_framed_like_emnist():
    """Longer side ~24 px (22-23 above half intensity, as in the test set), box centred."""
    image = canvas_to_input(render_strokes(Z_STROKES))
    assert image.shape == (28, 28) and image.dtype == np.uint8 and image.max() == 255
    height, width, centre_y, centre_x = _box(image)
    assert 21 <= max(height, width) <= 25
    assert abs(centre_y - 13.5) <= 1 and abs(centre_x - 13.5) <= 1


def test_aspect_ratio_is_kept():
    tall = canvas_to_input(render_strokes([[(0.5, 0.0), (0.5, 1.0)]]))
    height, width, _, centre_x = _box(tall)
    assert height >= 21 and width <= 6 and abs(centre_x - 13.5) <= 1


def test_position_and_size_on_the_canvas_do_not_matter():
    small_corner = render_strokes([[(x * 0.4, y * 0.4) for x, y in Z_STROKES[0]]], width=10)
    large_centre = render_strokes(Z_STROKES, width=20)
    a, b = canvas_to_input(small_corner).astype(float), canvas_to_input(large_centre).astype(float)
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.9


def test_box_is_centred_not_the_centre_of_mass():
    # a heavy blob at the top and a thin tail down: the mass is high, the box is centred
    strokes = [arc(0.5, 0.15, 0.15, 0.1, 0, 360), [(0.5, 0.25), (0.5, 1.0)]]
    image = canvas_to_input(render_strokes(strokes, width=30))
    _, _, centre_y, _ = _box(image, threshold=10)
    mass_y = (image.sum(axis=1) * np.arange(28)).sum() / image.sum()
    assert abs(centre_y - 13.5) <= 1 and mass_y < 12.5


def test_drawing_has_dataset_like_ink():
    """At the default brush, the ink covers about as many pixels as a test image (~150 of 784)."""
    image = canvas_to_input(render_strokes(Z_STROKES)) / 255.0
    assert 100 <= (image > 0.5).sum() <= 220


@pytest.mark.parametrize("canvas", [None, np.zeros((280, 280, 4), np.uint8)])
def test_blank_canvas_gives_none(canvas):
    assert canvas_to_input(canvas) is None


def test_transparent_strokes_do_not_count():
    canvas = render_strokes(Z_STROKES)
    canvas[..., 3] = 0
    assert canvas_to_input(canvas) is None


def _png(array, mode=None):
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def test_dark_ink_on_white_upload_equals_the_drawing():
    drawing = render_strokes(Z_STROKES)
    inverted = 255 - drawing[..., 0]
    from_upload = image_file_to_input(_png(inverted)).astype(float)
    from_canvas = canvas_to_input(drawing).astype(float)
    assert np.abs(from_upload - from_canvas).max() <= 2


def test_transparent_background_with_dark_ink():
    rgba = np.zeros((100, 100, 4), np.uint8)
    rgba[20:80, 45:55] = (0, 0, 0, 255)
    image = image_file_to_input(_png(rgba))
    height, width, _, _ = _box(image)
    assert height >= 21 and width < height / 2


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"this is text, not a picture", "not an image"),
        (_png(np.zeros((50, 50), np.uint8)), "blank"),
    ],
)
def test_unusable_uploads_are_explained(data, message):
    with pytest.raises(ImageInputError, match=message):
        image_file_to_input(data)


def test_truncated_png_is_explained():
    data = _png(render_strokes(Z_STROKES)[..., 0])
    with pytest.raises(ImageInputError, match="damaged|truncated|not an image"):
        image_file_to_input(data[: len(data) // 2])


def test_a_dot_or_a_tick_is_refused_with_a_hint():
    for strokes in ([[(0.5, 0.5)]], [[(0.5, 0.5), (0.52, 0.5)]]):
        with pytest.raises(ImageInputError, match="too small"):
            canvas_to_input(render_strokes(strokes))
    one_pixel = np.zeros((280, 280, 4), np.uint8)
    one_pixel[100, 100] = 255
    with pytest.raises(ImageInputError, match="too small"):
        canvas_to_input(one_pixel)


def test_a_scribble_over_the_whole_canvas_gives_a_full_frame():
    image = canvas_to_input(np.full((280, 280, 4), 255, np.uint8))
    height, width, centre_y, centre_x = _box(image)
    assert (
        (height, width) == (24, 24) and abs(centre_y - 13.5) <= 0.5 and abs(centre_x - 13.5) <= 0.5
    )


def test_strokes_running_off_the_border_are_kept_inside_the_frame():
    image = canvas_to_input(
        render_strokes([[(-0.3, -0.3), (1.3, 1.3)], [(1.3, -0.3), (-0.3, 1.3)]], margin=0)
    )
    height, width, _, _ = _box(image)
    assert max(height, width) <= 25 and image[0].max() < 128 and image[:, 0].max() < 128


@pytest.mark.parametrize("colour", [(0, 0, 0), (5, 5, 5)])
def test_strokes_in_the_background_colour_count_as_blank(colour):
    canvas = render_strokes(Z_STROKES)
    canvas[canvas[..., 0] > 0, :3] = colour
    assert canvas_to_input(canvas) is None


def test_non_finite_ink_does_not_break_the_pipeline():
    ink = np.zeros((100, 100), np.float32)
    ink[20:80, 45:55] = np.inf
    ink[0, 0] = np.nan
    image = ink_to_input(ink)
    assert image is not None and image.max() == 255 and np.isfinite(image.astype(float)).all()
