"""Hard pairs: Wilson's interval, the ink width over height of drawn shapes, the leaning table
and the confident mistakes, on generated data."""

from __future__ import annotations

import numpy as np
import pytest

from core.insight.hard_pairs import (
    accuracy_interval,
    confident_mistakes,
    ink_width_over_height,
    width_leaning,
)


def test_wilson_interval_holds_the_share_and_narrows_with_more_images():
    low, high = accuracy_interval(69, 100)
    assert low < 0.69 < high
    wide_low, wide_high = accuracy_interval(69, 100)
    narrow_low, narrow_high = accuracy_interval(690, 1000)
    assert narrow_high - narrow_low < wide_high - wide_low
    assert accuracy_interval(0, 10)[0] == pytest.approx(0.0) and accuracy_interval(10, 10)[1] == 1.0
    # the closed form for 50 of 100: centre 0.5, half-width z*sqrt(0.25/100 + z^2/40000)/(1+z^2/100)
    z = 1.96
    half = z * np.sqrt(0.25 / 100 + z * z / 40000) / (1 + z * z / 100)
    assert accuracy_interval(50, 100) == pytest.approx((0.5 - half, 0.5 + half))


def _box(height: int, width: int) -> np.ndarray:
    image = np.zeros((28, 28), np.uint8)
    image[2 : 2 + height, 3 : 3 + width] = 255
    return image


def test_width_over_height_of_drawn_boxes():
    images = np.stack([_box(20, 10), _box(10, 20), _box(12, 12), np.zeros((28, 28), np.uint8)])
    assert ink_width_over_height(images).tolist() == [0.5, 2.0, 1.0, 0.0]


def test_leaning_groups_from_narrow_to_wide():
    images = np.stack([_box(20, w) for w in (4, 6, 8, 10, 14, 16, 18, 20)])
    labels = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    predicted = np.array([0, 0, 1, 1, 1, 1, 1, 1])  # wide ones said second
    rows = width_leaning(images, labels, predicted, groups=4)
    assert [row.count for row in rows] == [2, 2, 2, 2]
    assert [row.said_second for row in rows] == [0.0, 1.0, 1.0, 1.0]
    assert [row.truly_second for row in rows] == [0.0, 0.5, 0.5, 1.0]
    assert rows[0].low == pytest.approx(4 / 20) and rows[-1].high == pytest.approx(1.0)


def test_confident_mistakes_are_wrong_and_surest_first():
    labels = np.array([0, 1, 0, 1, 0])
    probabilities = np.array([[0.2, 0.8], [0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.45, 0.55]])
    assert confident_mistakes(labels, probabilities, 2).tolist() == [1, 0]
    assert confident_mistakes(labels, probabilities, 10).tolist() == [1, 0, 4]
