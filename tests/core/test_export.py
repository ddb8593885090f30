"""Exported pictures open as images and show red for, blue against."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from core.insight.report import Report, colorize, overlay, pdf_bytes, png_bytes


def test_colours_follow_the_sign():
    importance = np.array([[-1.0, 0.0, 1.0]])
    rgb = colorize(importance, limit=1.0)
    assert (
        tuple(rgb[0, 0]) == (33, 102, 172)
        and tuple(rgb[0, 1]) == (255, 255, 255)
        and tuple(rgb[0, 2]) == (178, 24, 43)
    )


def test_overlay_keeps_the_input_where_the_map_is_zero():
    image = np.full((28, 28), 200, np.uint8)
    importance = np.zeros((28, 28))
    importance[0, 0] = 5.0
    mixed = overlay(image, importance, limit=5.0)
    assert tuple(mixed[10, 10]) == (200, 200, 200) and tuple(mixed[0, 0]) == (178, 24, 43)


def _report():
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 12:16] = 255
    importance = np.zeros((28, 28), np.float32)
    importance[4:14, 12:16], importance[14:24, 12:16] = 1.0, -1.0
    return Report(
        "2 vs Z: why 2?",
        image,
        ["Prediction: 2 (91%)", "mode: contrast"],
        [("why 2 and not Z", importance)],
        "The top speaks for 2; the bottom against.",
    )


def test_report_png_and_pdf_open_as_images():
    picture = _report().render()
    assert picture.width >= 700 and picture.height > 300
    png = Image.open(io.BytesIO(png_bytes(picture)))
    assert png.format == "PNG" and png.size == picture.size
    pixels = np.asarray(png.convert("RGB")).reshape(-1, 3)
    assert ((pixels[:, 0] > 150) & (pixels[:, 2] < 80)).any() and (
        (pixels[:, 2] > 150) & (pixels[:, 0] < 80)
    ).any()
    assert pdf_bytes(picture).startswith(b"%PDF")


def test_reference_maps_widen_the_sheet():
    plain = _report()
    with_references = _report()
    with_references.references = [
        ("global map of 2", np.ones((28, 28))),
        ("global map of Z", -np.ones((28, 28))),
    ]
    assert with_references.render().width > plain.render().width


def test_maps_without_an_input_and_on_their_own_scales():
    maps = [("large", np.full((28, 28), 100.0)), ("small", np.full((28, 28), -0.01))]
    picture = Report("methods", None, [], maps, shared_scale=False).render()
    pixels = np.asarray(picture)
    # each map is saturated on its own scale: full red and full blue both appear
    assert (np.abs(pixels.reshape(-1, 3) - [178, 24, 43]).sum(axis=1) == 0).any()
    assert (np.abs(pixels.reshape(-1, 3) - [33, 102, 172]).sum(axis=1) == 0).any()
