"""Demo features in Chromium: an example drawn with one click, a random test image, exports."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from bench.browser import CANVAS, page_text, wait_for_app, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.dataset]


def test_an_example_is_drawn_predicted_and_exported(page, dashboard):
    page.goto(f"{dashboard}/?pair=2Z")
    wait_for_app(page)
    page.locator(CANVAS).wait_for()
    page.get_by_text("Z with a bar", exact=True).click()
    wait_for_text(page, r"Prediction: Z/z \(")
    wait_for_text(page, r"Input: example drawing .Z with a bar.")
    # the example is on the canvas itself, as if drawn: its pixels are white ink
    canvas = np.asarray(Image.open(io.BytesIO(page.locator(CANVAS).screenshot())).convert("L"))
    assert (canvas > 200).sum() > 2000

    with page.expect_download() as download:
        page.get_by_role("button", name="View as PNG").click()
    picture = Image.open(download.value.path())
    assert picture.format == "PNG" and picture.width > picture.height > 200
    with page.expect_download() as download:
        page.get_by_role("button", name="Report as PDF").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"


def test_a_random_misclassified_test_image(page, dashboard):
    page.goto(f"{dashboard}/?pair=5S")
    wait_for_app(page)
    page.get_by_role("button", name="Random test image").click()
    page.get_by_text("misclassified", exact=True).click()
    page.get_by_role("button", name="Pick one").click()
    wait_for_text(page, r"Input: test image #\d+ of 5 vs S/s, labelled \S+ \(misclassified\)")
    text = page_text(page)
    label = text.split("labelled ")[1].split(" ")[0]
    predicted = text.split("Prediction: ")[1].split(" ")[0]
    assert {label[0], predicted[0]} == {"5", "S"}  # misclassified: the other character of the pair


def test_the_whole_tour_with_its_pictures_without_touching_the_canvas(page, dashboard):
    page.goto(f"{dashboard}/tour?presenter=1")
    wait_for_app(page)
    wait_for_text(page, r"Step 1 of \d+")
    steps = int(re.search(r"Step 1 of (\d+)", page_text(page)).group(1))
    assert steps >= 5
    sizes = []
    for step in range(1, steps + 1):
        wait_for_text(page, rf"Step {step} of {steps}")
        wait_for_app(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        with page.expect_download() as download:
            page.get_by_role("button", name="Download this step as PNG").click()
        picture = Image.open(download.value.path())
        assert picture.format == "PNG" and picture.height > 250
        sizes.append(picture.size)
        if step < steps:
            page.get_by_role("button", name="Next", exact=True).first.click()
    assert len(set(sizes)) > 1  # each step exports its own picture
    assert page.locator(CANVAS).count() == 0  # no drawing was needed
