"""Exported pictures open as images and show the palette's colours: red for, blue against by
default (tests/app/test_palette.py holds them equal to the screen's)."""

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
        and tuple(rgb[0, 1]) == (247, 247, 247)  # a map alone: the palette's near-white zero
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


def _pdf_objects(pdf: bytes) -> dict[int, int]:
    """Object number -> byte offset, read from the cross-reference table."""
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[start:].startswith(b"xref")
    lines = pdf[start:].split(b"\n")
    count = int(lines[1].split()[1])
    return {n: int(lines[2 + n].split()[0]) for n in range(1, count)}


def test_the_pdf_report_is_an_a4_page_with_real_text():
    report = _report()
    report.text = "The top (rows 0-8) speaks for 2 → not Z; the bottom against."
    pdf = pdf_bytes(report)
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf  # A4 in points
    for number, offset in _pdf_objects(pdf).items():
        assert pdf[offset:].startswith(b"%d 0 obj" % number)
    for words in (b"2 vs Z: why 2?", b"Prediction: 2 \\(91%\\)", b"why 2 and not Z"):
        assert words in pdf  # text drawn as text (Tj), not as pixels
    assert b"\\(rows 0-8\\) speaks for 2 -> not Z" in pdf
    assert pdf.count(b"/Subtype /Image") == 3  # the input, the map and its colour bar


def test_a_long_text_wraps_inside_the_page():
    report = _report()
    report.text = " ".join(["evidence"] * 400)
    pdf = pdf_bytes(report)
    lines = [line for line in pdf.split(b"\n") if line.startswith(b"BT /F1 11.00")]
    assert len(lines) > 10
    for line in lines:
        x, y = (float(v) for v in line.split(b" Td")[0].split()[-2:])
        text = line.split(b"(", 1)[1].rsplit(b") Tj", 1)[0]
        assert 0 < x and x + len(text) * 11 * 0.56 <= 595.28 and 0 < y < 841.89


def test_the_picture_exports_draw_greek_letters():
    """ "LRP-ε" used to come out as "LRP-☐": the shipped font has the letter. An ε is drawn as
    its own glyph, not as the box every missing character shares."""
    from PIL import Image, ImageDraw

    from core.insight.report import FONT_FILE, _font

    assert FONT_FILE.is_file()
    font = _font(40)

    def drawn(text: str) -> np.ndarray:
        picture = Image.new("L", (120, 60), 0)
        ImageDraw.Draw(picture).text((5, 5), text, fill=255, font=font)
        return np.asarray(picture)

    epsilon, missing, other_missing = drawn("ε"), drawn("\u0378"), drawn("\u0379")
    assert np.array_equal(missing, other_missing)  # unassigned code points: the same box
    assert epsilon.any() and not np.array_equal(epsilon, missing)


def test_the_pdf_keeps_all_its_text_on_the_page():
    """A long title and a long text: the pictures shrink, no line of text is dropped, and every
    line lies inside the page (a refused drawing's report lost the end of its sentence)."""
    import re

    from core.insight.pdf import A4
    from core.insight.report import Report, pdf_bytes

    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (28, 28)).astype(np.uint8)
    maps = [("map", rng.normal(size=(28, 28)))]
    references = [(f"global map of {c}", rng.normal(size=(28, 28))) for c in "2Z"]
    text = " ".join(f"sentence number {i} of a long explanation." for i in range(30))
    last = "the very last words."
    report = Report(
        "A title " * 20,
        image,
        ["line one", "line two"],
        maps,
        text + " " + last,
        references=references,
    )
    pdf = pdf_bytes(report)
    shown = re.findall(rb"BT /F\d+ [\d.]+ Tf ([\d.]+) ([\d.]+) Td \(((?:[^()\\]|\\.)*)\) Tj", pdf)
    assert shown
    words = " ".join(line.decode("cp1252") for _, _, line in shown)
    assert last in words and "sentence number 29" in words
    for x, y, _ in shown:
        assert 0 <= float(y) <= A4[1] and 0 <= float(x) <= A4[0]
