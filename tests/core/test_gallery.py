"""The gallery's filters on generated predictions, and its thumbnails on hand-made maps."""

from __future__ import annotations

import numpy as np
import pytest

from core.insight.gallery import GalleryFilter, select, thumbnails


def _predictions(seed: int = 3, n: int = 300):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    first = rng.uniform(0, 1, n)
    return labels, np.stack([first, 1 - first], axis=1)


@pytest.mark.parametrize("correctness", ["incorrect", "correct", "all"])
@pytest.mark.parametrize("true_label", [None, 0, 1])
@pytest.mark.parametrize("predicted_label", [None, 0, 1])
def test_every_kept_image_meets_every_filter_and_none_is_missed(
    correctness, true_label, predicted_label
):
    labels, probabilities = _predictions()
    chosen = GalleryFilter(true_label, predicted_label, correctness, 0.6, 0.9)
    kept = select(labels, probabilities, chosen)
    predicted, confidence = probabilities.argmax(axis=1), probabilities.max(axis=1)

    def passes(i: int) -> bool:
        right = predicted[i] == labels[i]
        return (
            0.6 <= confidence[i] <= 0.9
            and (correctness == "all" or right == (correctness == "correct"))
            and true_label in (None, labels[i])
            and predicted_label in (None, predicted[i])
        )

    assert set(kept.tolist()) == {i for i in range(len(labels)) if passes(i)}
    assert np.all(np.diff(confidence[kept]) <= 0)  # most confident first


def test_orders():
    labels, probabilities = _predictions()
    confidence = probabilities.max(axis=1)
    least = select(labels, probabilities, GalleryFilter(order="least confident first"))
    assert np.all(np.diff(confidence[least]) >= 0)
    in_order = select(
        labels, probabilities, GalleryFilter(correctness="all", order="test-set order")
    )
    assert in_order.tolist() == list(range(len(labels)))
    with pytest.raises(ValueError, match="correctness"):
        select(labels, probabilities, GalleryFilter(correctness="wrong"))


def test_thumbnails_put_the_colours_where_the_map_is():
    images = np.zeros((1, 28, 28), np.uint8)
    maps = np.zeros((1, 28, 28), np.float32)
    maps[0, :14] = 2.0  # top half for, bottom half against
    maps[0, 14:] = -2.0
    picture = thumbnails(images, maps, colours=((0, 0, 255), (255, 0, 0)), zoom=2)
    assert picture.shape == (1, 56, 56, 3)
    assert tuple(picture[0, 0, 0]) == (255, 0, 0) and tuple(picture[0, -1, -1]) == (0, 0, 255)
    gray = thumbnails(np.full((1, 28, 28), 100, np.uint8), np.zeros((1, 28, 28)))
    assert np.all(gray == 100)  # a zero map leaves the input as it is
