"""Explanation confidence: its parts on constructed cases, and its contract."""

from __future__ import annotations

import numpy as np
import pytest

from core.explain import modulex
from core.insight.confidence import correlation, disturbed_copies, explanation_confidence, shift
from core.models.builders import build_cnn_model
from core.studies.confidence_study import auroc, noise_images, spearman
from tests.helpers import random_dense_model, random_images


def test_shift_moves_and_fills_with_zeros():
    image = np.arange(9, dtype=np.float32).reshape(1, 3, 3)
    np.testing.assert_array_equal(shift(image, 1, 0)[0], [[0, 0, 0], [0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(shift(image, 0, -1)[0], [[1, 2, 0], [4, 5, 0], [7, 8, 0]])
    np.testing.assert_array_equal(shift(shift(image, 0, 1), 0, -1)[0, :, :2], image[0, :, :2])


def test_correlation_of_maps():
    a = np.random.default_rng(0).normal(size=(2, 28, 28))
    np.testing.assert_allclose(correlation(a, a), 1.0)
    np.testing.assert_allclose(correlation(a, -2 * a), -1.0)
    assert correlation(a[0], np.zeros((28, 28))) == 0.0  # a flat map correlates with nothing


def test_disturbed_copies_are_small_and_seeded():
    x = random_images(1, 3) / np.float32(255)
    copies = disturbed_copies(x, seed=4)
    assert copies.shape == (6, 3, 28, 28) and copies.min() >= 0 and copies.max() <= 1
    np.testing.assert_array_equal(copies, disturbed_copies(x, seed=4))
    noisy = copies[4:]
    assert np.all(noisy[:, x == 0] == 0)  # noise only on the ink


@pytest.mark.parametrize(
    "build", [lambda: random_dense_model(2, hidden=(16, 8)), lambda: build_cnn_model(seed=2)]
)
def test_confidence_is_bounded_and_perfect_agreement_counts(build):
    model = build()
    images = random_images(5, 4, sparsity=0.6)
    maps = modulex(model, images, mode="target")
    with_own_maps = explanation_confidence(model, images, maps, references=maps, mode="target")
    with_opposite = explanation_confidence(model, images, maps, references=-maps, mode="target")
    np.testing.assert_allclose(with_own_maps.agreement, 1.0, atol=1e-6)
    np.testing.assert_allclose(with_opposite.agreement, -1.0, atol=1e-6)
    np.testing.assert_allclose(with_own_maps.stability, with_opposite.stability)
    assert ((with_own_maps.value >= 0) & (with_own_maps.value <= 1)).all()
    assert (with_own_maps.value > with_opposite.value).all()
    np.testing.assert_allclose(
        with_own_maps.value, np.clip((with_own_maps.stability + 1) / 2, 0, 1), atol=1e-6
    )


def test_a_map_that_ignores_small_moves_is_fully_stable():
    # One unit on a pixel-count (every ink pixel weighs the same): moving the image moves the map
    # with it.
    from tests.helpers import dense_model

    model = dense_model(
        [(np.ones((784, 1)), np.zeros(1)), (np.array([[1.0, -1.0]]), np.zeros(2))],
        ["relu", "softmax"],
    )
    image = np.zeros((1, 28, 28), np.uint8)
    image[0, 10:18, 12:15] = 200
    maps = modulex(model, image, mode="contrast")
    found = explanation_confidence(model, image, maps, maps, mode="contrast", target=0)
    assert found.stability[0] > 0.95


def test_batched_equals_one_by_one():
    model = random_dense_model(3, hidden=(16, 8))
    images = random_images(6, 3)
    maps = modulex(model, images, mode="contrast")
    references = np.random.default_rng(1).normal(size=maps.shape).astype(np.float32)
    together = explanation_confidence(model, images, maps, references, mode="contrast")
    alone = [
        explanation_confidence(
            model, images[i : i + 1], maps[i : i + 1], references[i : i + 1], mode="contrast"
        ).value[0]
        for i in range(3)
    ]
    np.testing.assert_allclose(together.value, alone, rtol=1e-5, atol=1e-6)


def test_auroc_and_spearman_helpers():
    assert auroc(np.array([0.9, 0.8, 0.1, 0.2]), np.array([1, 1, 0, 0])) == 1.0
    assert auroc(np.array([0.1, 0.2, 0.9, 0.8]), np.array([1, 1, 0, 0])) == 0.0
    assert np.isnan(auroc(np.array([0.1, 0.2]), np.array([1, 1])))
    assert spearman(np.array([1.0, 2, 3]), np.array([10.0, 20, 35])) == pytest.approx(1.0)


def test_noise_images_are_seeded_and_sparse():
    noise = noise_images(20, seed=1)
    np.testing.assert_array_equal(noise, noise_images(20, seed=1))
    assert noise.dtype == np.uint8 and 0.15 < (noise > 0).mean() < 0.25
