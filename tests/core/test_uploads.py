"""Every upload fixture (tests/fixtures/uploads) gets its expected answer: refused with a
clear message, or turned into a correctly framed 28x28 input the network reads as a Z."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import numpy as np
import pytest

from core.explain import predict_and_explain
from core.inputs.preprocess import ImageInputError, ink_bounding_box
from core.inputs.uploads import MAX_UPLOAD_BYTES, image_file_to_input
from core.models.loading import load_pretrained

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "uploads"

REFUSED = {
    "empty.png": "empty",
    "text-renamed.png": "not an image",
    "truncated.png": "damaged or truncated",
    "bomb-100-megapixels.png": "too large to open safely",
    "blank-white.png": "blank",
    "tiny-dot.png": "too small",
}
ACCEPTED = sorted(path.name for path in FIXTURES.iterdir() if path.name.startswith("z-"))


def test_every_fixture_has_an_expectation():
    assert {path.name for path in FIXTURES.iterdir() if path.suffix != ".py"} == set(REFUSED) | set(
        ACCEPTED
    )
    assert len(ACCEPTED) >= 8


@pytest.mark.parametrize("name, message", sorted(REFUSED.items()))
def test_bad_uploads_are_refused_with_a_clear_message(name, message):
    with pytest.raises(ImageInputError, match=message):
        image_file_to_input((FIXTURES / name).read_bytes())


@pytest.fixture(scope="module")
def pair_model():
    return load_pretrained("2Z")


@pytest.mark.parametrize("name", ACCEPTED)
def test_valid_formats_become_a_framed_z(name, pair_model):
    image = image_file_to_input((FIXTURES / name).read_bytes())
    assert image.shape == (28, 28) and image.dtype == np.uint8 and image.max() == 255
    top, bottom, left, right = ink_bounding_box(image / 255.0, 0.5)
    assert 20 <= max(bottom - top, right - left) + 1 <= 25
    assert image[0].max() < 128 and image[-1].max() < 128  # background became black
    probabilities, _ = predict_and_explain(pair_model, image[None])
    assert probabilities[0].argmax() == 1, f"{name} was read as a 2"


def test_a_huge_file_is_refused_before_decoding():
    data = b"\x89PNG\r\n\x1a\n" + bytes(MAX_UPLOAD_BYTES)
    with pytest.raises(ImageInputError, match="MB"):
        image_file_to_input(data)


def test_the_upload_widget_and_the_app_have_the_same_limit():
    """Streamlit's upload widget counts server.maxUploadSize in 1,000-byte kilobytes in the
    browser (1,024 only on Windows, and its server accepts up to that): a file of exactly 5 MiB
    passed the app's check and not the widget (issue 25). The app's limit is the widget's."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1000 * 1000 == MAX_UPLOAD_BYTES


@pytest.mark.parametrize("size", [MAX_UPLOAD_BYTES + 1, 5 * 2**20])
def test_a_file_just_over_the_limit_is_refused_with_both_sizes(size):
    data = b"\x89PNG\r\n\x1a\n" + bytes(size - 8)
    with pytest.raises(ImageInputError) as refused:
        image_file_to_input(data)
    assert f"{size:,} bytes" in str(refused.value) and "5,000,000 bytes" in str(refused.value)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # refused anyway
def test_a_picture_one_pixel_over_the_limit_is_told_the_exact_limit():
    """A 4097x4097 picture was told "the limit is 17 megapixels" (it is 16.8)."""
    from PIL import Image

    from core.inputs.uploads import MAX_UPLOAD_SIDE

    buffer = io.BytesIO()
    Image.new("1", (MAX_UPLOAD_SIDE + 1, MAX_UPLOAD_SIDE + 1), 1).save(buffer, "PNG")
    with pytest.raises(ImageInputError) as refused:
        image_file_to_input(buffer.getvalue())
    message = str(refused.value)
    assert "4097x4097 pixels" in message and "16,777,216 pixels (4096x4096)" in message
