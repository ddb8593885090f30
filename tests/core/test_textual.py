"""Textual explanations on constructed maps: the right regions, in plain words."""

from __future__ import annotations

import numpy as np
import pytest

from core.insight.textual import describe, grid_sums, regions


def _map(cells: dict[tuple[int, int], float]) -> np.ndarray:
    """A 28x28 map with one value spread evenly over the inside of each given 3x3 cell."""
    importance = np.zeros((28, 28), np.float32)
    for (row, column), value in cells.items():
        importance[row * 9 + 2 : row * 9 + 6, column * 9 + 2 : column * 9 + 6] = value / 16
    return importance


def test_grid_sums_split_for_and_against_per_cell():
    positive, negative = grid_sums(_map({(0, 0): 4.0, (2, 2): -2.0}))
    assert positive[0, 0] == pytest.approx(4.0) and positive.sum() == pytest.approx(4.0)
    assert negative[2, 2] == pytest.approx(2.0) and negative.sum() == pytest.approx(2.0)


def test_one_strong_region_for_and_one_against():
    found = regions(_map({(0, 1): 8.0, (1, 1): 1.0, (2, 0): -3.0}))
    assert found.speaking_for == ("top",) and found.share_for == pytest.approx(8 / 9)
    assert found.speaking_against == ("bottom left",)
    text = describe(_map({(0, 1): 8.0, (1, 1): 1.0, (2, 0): -3.0}), "2")
    assert text == "The top speaks for 2 (89% of that evidence); the bottom left speaks against it."


def test_evidence_spread_over_regions_names_enough_to_hold_half():
    found = regions(_map({(0, 0): 3.0, (1, 1): 3.0, (2, 2): 3.0, (0, 2): 1.0}))
    assert found.speaking_for == ("top left", "centre") and found.share_for == pytest.approx(0.6)
    assert found.speaking_against == ()


def test_weak_evidence_against_is_not_named():
    text = describe(_map({(1, 1): 10.0, (2, 2): -0.5}), "S")
    assert (
        text
        == "The centre speaks for S (100% of that evidence); nothing speaks noticeably against it."
    )


def test_contrast_sentence_names_both_characters():
    text = describe(
        _map({(0, 1): 5.0, (2, 1): 5.0, (1, 0): -3.0, (1, 2): -3.0}), "2", "Z", mode="contrast"
    )
    assert (
        text
        == "The top and the bottom make it 2 rather than Z (100% of that evidence); the left and the right point to Z instead."
    )


def test_thesis_mode_talks_about_the_output():
    assert describe(_map({(1, 2): 1.0}), "8", mode="thesis").startswith(
        "The right pushes the network's output up"
    )


def test_a_map_without_evidence_for_says_so():
    assert describe(_map({(1, 1): -1.0}), "B") == "Nothing in the drawing speaks for B."
    assert describe(np.zeros((28, 28)), "B") == "Nothing in the drawing speaks for B."
