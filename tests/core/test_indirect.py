"""Indirect explanations: templates, the hidden space, nearest neighbours, PCA and t-SNE."""

from __future__ import annotations

import numpy as np
import pytest

from core.insight.indirect import (
    embed,
    first_layer_templates,
    fit_pca,
    nearest,
    place_among_neighbours,
    subsample,
    tsne,
)
from core.models.builders import build_cnn_model
from tests.helpers import dense_model, random_dense_model, random_images


def test_dense_templates_are_the_first_kernel_per_unit():
    kernel = np.zeros((784, 3))
    kernel[5 * 28 + 7, 1] = 2.0  # unit 1 looks at pixel (5, 7)
    model = dense_model(
        [(kernel, np.zeros(3)), (np.ones((3, 2)), np.zeros(2))], ["relu", "softmax"]
    )
    templates = first_layer_templates(model)
    assert templates.shape == (3, 28, 28)
    assert templates[1, 5, 7] == 2.0 and np.count_nonzero(templates) == 1


def test_cnn_templates_are_its_filters():
    model = build_cnn_model(seed=0)
    templates = first_layer_templates(model)
    np.testing.assert_array_equal(
        templates, model.layers[1].kernel.numpy()[:, :, 0, :].transpose(2, 0, 1)
    )


def test_embedding_is_what_the_last_dense_layer_reads():
    model = random_dense_model(1, hidden=(12, 8))
    images = random_images(2, 5)
    space = embed(model, images)
    assert space.shape == (5, 8) and (space >= 0).all()  # after the ReLU
    last = model.layers[-1]
    logits = space @ last.kernel.numpy() + last.bias.numpy()
    np.testing.assert_allclose(
        np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True),
        np.asarray(model(images / np.float32(255))),
        rtol=1e-5,
    )
    assert embed(build_cnn_model(seed=1), images).shape == (5, 64)


def test_nearest_orders_by_distance():
    space = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 0.0], [0.0, 2.0]])
    indices, distances = nearest(space, np.array([0.0, 0.1]), k=3)
    assert list(indices) == [0, 2, 3]
    np.testing.assert_allclose(distances, [0.1, np.hypot(1, 0.1), 1.9])


def test_pca_finds_the_main_direction():
    rng = np.random.default_rng(0)
    points = np.c_[rng.normal(0, 10, 200), rng.normal(0, 1, 200), np.zeros(200)] + 5
    pca = fit_pca(points)
    np.testing.assert_allclose(np.abs(pca.components[0]), [1, 0, 0], atol=0.02)
    assert pca.explained[0] > 0.95
    np.testing.assert_allclose(pca.project(points).mean(axis=0), 0, atol=1e-9)


def test_tsne_keeps_clusters_apart_and_is_seeded():
    rng = np.random.default_rng(1)
    points = np.r_[rng.normal(0, 1, (40, 5)), rng.normal(8, 1, (40, 5))]
    layout = tsne(points, perplexity=10, iterations=250, seed=3)
    np.testing.assert_array_equal(layout, tsne(points, perplexity=10, iterations=250, seed=3))
    first, second = layout[:40], layout[40:]
    gap = np.linalg.norm(first.mean(axis=0) - second.mean(axis=0))
    assert gap > 3 * max(first.std(axis=0).max(), second.std(axis=0).max())
    placed = place_among_neighbours(points, layout, points[45] + 0.01)
    assert np.linalg.norm(placed - second.mean(axis=0)) < np.linalg.norm(
        placed - first.mean(axis=0)
    )


def test_subsample_takes_at_most_n_per_label():
    labels = np.array([0] * 10 + [1] * 3)
    chosen = subsample(labels, 4, seed=0)
    assert list(np.bincount(labels[chosen])) == [4, 3] and (np.diff(chosen) > 0).all()


@pytest.mark.dataset
def test_nearest_training_images_of_a_test_image_share_its_label(emnist_dir, monkeypatch):
    monkeypatch.setenv("EMNIST_DIR", str(emnist_dir))
    from core.data import labelled
    from core.models.loading import load_pretrained

    model = load_pretrained("8B")
    train, test = labelled.load("8B", "train"), labelled.load("8B", "test")
    space = embed(model, train.images)
    agreeing = [
        np.mean(train.labels[nearest(space, query)[0]] == label)
        for query, label in zip(embed(model, test.images[:50]), test.labels[:50], strict=True)
    ]
    assert np.mean(agreeing) > 0.9
