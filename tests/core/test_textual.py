"""Textual explanations on constructed maps: the right regions, in plain words."""

from __future__ import annotations

import re

import numpy as np
import pytest

from core.insight.textual import REGION_NAMES, describe, grid_sums, regions


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
        text == "The top and the bottom make it 2 rather than Z (100% of that evidence); "
        "the left and the right point to Z instead."
    )


def test_thesis_mode_talks_about_the_output():
    assert describe(_map({(1, 2): 1.0}), "8", mode="thesis").startswith(
        "The right pushes the network's output up"
    )


def test_a_map_without_evidence_for_says_so():
    assert describe(_map({(1, 1): -1.0}), "B") == "Nothing in the drawing speaks for B."
    assert describe(np.zeros((28, 28)), "B") == "Nothing in the drawing speaks for B."


REGION_PATTERN = re.compile(
    "the ("
    + "|".join(sorted((n for row in REGION_NAMES for n in row), key=len, reverse=True))
    + ")"
)


def _named(part: str) -> set[str]:
    return set(REGION_PATTERN.findall(part.lower()))


def _generated_maps(count: int, seed: int = 7):
    """Maps of many kinds: noise, sparse strokes, cells holding both signs, tiny and huge scales."""
    rng = np.random.default_rng(seed)
    for index in range(count):
        kind = index % 4
        if kind == 0:
            importance = rng.normal(0, 1, (28, 28))
        elif kind == 1:
            importance = rng.normal(0, 1, (28, 28)) * (rng.random((28, 28)) < 0.15)
        elif kind == 2:  # every cell strong both ways, nearly cancelling
            importance = rng.normal(0, 1, (28, 28)) + np.where(
                np.indices((28, 28)).sum(axis=0) % 2, 5.0, -5.0
            )
        else:  # a few cells, mixed signs, a skewed scale
            importance = np.zeros((28, 28))
            for _ in range(rng.integers(1, 6)):
                row, column = rng.integers(0, 28, 2)
                importance[row : row + 6, column : column + 6] += rng.normal(0, 3)
        yield importance * 10.0 ** rng.uniform(-6, 2)


@pytest.mark.parametrize("mode", ["target", "contrast", "thesis"])
def test_no_region_is_said_to_speak_both_for_and_against(mode):
    for importance in _generated_maps(400):
        found = regions(importance)
        assert not set(found.speaking_for) & set(found.speaking_against)
        text = describe(importance, "2", "Z", mode=mode)
        speaking_for, _, speaking_against = text.partition(";")
        assert not _named(speaking_for) & _named(speaking_against), text
        assert 0 <= found.share_for <= 1 + 1e-9 and 0 <= found.share_against <= 1 + 1e-9


def test_a_cell_with_both_signs_speaks_only_on_the_side_of_its_sum():
    importance = _map({(0, 1): 6.0, (2, 1): 2.0})
    importance[0, 10] = -4.0  # the top also holds evidence against, less than its 6 for
    found = regions(importance)
    assert "top" in found.speaking_for and "top" not in found.speaking_against
