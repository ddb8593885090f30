"""Indirect explanations: what the network's weights and hidden space look like.

* the first layer's weights as templates (a Dense layer's 784 weights per unit as a 28x28
  image; a convolution's small filters as they are);
* the last hidden layer's space: each image becomes the vector its last Dense layer reads
  (16 numbers for the thesis network), where the nearest training images to a drawing are the
  ones the network "sees" as most alike;
* a 2-D map of that space: PCA, and t-SNE (exact, in numpy, on a seeded subsample), with a new
  point placed among the neighbours it has in the full space.

Why numpy and not scikit-learn's ``PCA`` / ``TSNE`` (measured on the 2Z test set's 500-point
subsample, one BLAS thread, CPU seconds): scikit-learn gives the same PCA (components within
5e-7) and an equally faithful t-SNE (trustworthiness at 8 neighbours 0.992 against 0.993 here),
but importing it costs 2.5 s on the Indirect page's first view, and its exact t-SNE takes 2.8 s
for the same 300 iterations against 1.5 s here (9.6 s at its default 1,000; Barnes-Hut 28 s).
The page shows the map while a presenter waits, so these ~60 lines stay.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.inputs.preprocess import to_model_input
from core.models.layer_stack import Conv, Dense, layer_stack

NEIGHBOURS = 8
TSNE_PER_LABEL = 250
"""Test images per label laid out by t-SNE (exact t-SNE grows with the square of the count)."""


def first_layer_templates(model) -> np.ndarray:
    """The first weighted layer's weights, one image per unit or filter.

    Dense first layer: ``[units, 28, 28]`` (the weights each unit puts on each pixel).
    Conv2D first layer: ``[filters, height, width]`` (input channels summed; ours have one).
    """
    stack = layer_stack(model)
    first = next(layer for layer in stack.layers if isinstance(layer, (Dense, Conv)))
    if isinstance(first, Dense):
        return np.ascontiguousarray(first.kernel.T.reshape(-1, *stack.input_shape[:2]))
    return np.ascontiguousarray(first.kernel.sum(axis=2).transpose(2, 0, 1))


def embed(model, images, batch_size: int = 4096) -> np.ndarray:
    """The last hidden layer's output for each image, float32 ``[n, units]``."""
    x = to_model_input(images)
    stack = layer_stack(model)
    chunks = [
        stack.forward(x[start : start + batch_size].reshape(-1, *stack.input_shape))[0][-1]
        for start in range(0, len(x), batch_size)
    ]
    return (
        np.concatenate(chunks).reshape(len(x), -1)
        if chunks
        else np.zeros((0, stack.layers[-1].kernel.shape[0]), np.float32)
    )


def nearest(
    space: np.ndarray, query: np.ndarray, k: int = NEIGHBOURS
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the ``k`` points of ``space`` nearest to ``query`` (Euclidean), nearest first,
    and their distances."""
    distances = np.sqrt(((space - query[None]) ** 2).sum(axis=1))
    order = np.argsort(distances, kind="stable")[:k]
    return order, distances[order]


@dataclass(frozen=True)
class PCA:
    mean: np.ndarray
    components: np.ndarray  # [2, features]
    explained: np.ndarray  # share of the variance along each component

    def project(self, points: np.ndarray) -> np.ndarray:
        return (np.asarray(points, np.float64) - self.mean) @ self.components.T


def fit_pca(points: np.ndarray) -> PCA:
    """The two principal directions of ``points`` (signs fixed so the largest loading is
    positive)."""
    points = np.asarray(points, np.float64)
    mean = points.mean(axis=0)
    _, singular, vt = np.linalg.svd(points - mean, full_matrices=False)
    components = vt[:2] * np.sign(vt[:2][np.arange(2), np.abs(vt[:2]).argmax(axis=1)])[:, None]
    variance = singular**2
    return PCA(mean, components, variance[:2] / max(variance.sum(), 1e-30))


def subsample(labels: np.ndarray, per_label: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of at most ``per_label`` random images of each label (seeded)."""
    rng = np.random.default_rng(seed)
    chosen = [
        rng.permutation(np.flatnonzero(labels == label))[:per_label] for label in np.unique(labels)
    ]
    return np.sort(np.concatenate(chosen))


def _affinities(points: np.ndarray, perplexity: float) -> np.ndarray:
    """Symmetric t-SNE input affinities, each row's Gaussian width found by bisection."""
    norms = (points * points).sum(axis=1)
    squared = np.maximum(norms[:, None] + norms[None] - 2 * (points @ points.T), 0)
    n = len(points)
    low, high = np.full(n, 1e-20), np.full(n, 1e20)
    beta = np.ones(n)
    target = np.log(perplexity)
    np.fill_diagonal(squared, np.inf)
    for _ in range(64):
        weights = np.exp(-(squared - squared.min(axis=1, keepdims=True)) * beta[:, None])
        total = weights.sum(axis=1)
        conditional = weights / total[:, None]
        entropy = -(conditional * np.log(np.maximum(conditional, 1e-300))).sum(axis=1)
        too_flat = entropy > target
        low = np.where(too_flat, beta, low)
        high = np.where(too_flat, high, beta)
        beta = np.where(high < 1e19, (low + high) / 2, beta * 2)
    joint = (conditional + conditional.T) / (2 * n)
    return np.maximum(joint, 1e-12)


def tsne(
    points: np.ndarray, perplexity: float = 30.0, iterations: int = 300, seed: int = 0
) -> np.ndarray:
    """Exact t-SNE to 2-D (van der Maaten and Hinton, 2008), seeded; O(n^2) memory and time per
    step.

    Early exaggeration 12 for the first 100 steps, momentum 0.5 then 0.8, adaptive gains.
    Meant for a few hundred to about a thousand points.
    """
    points = np.asarray(points, np.float64)
    n = len(points)
    affinities = _affinities(points, min(perplexity, max((n - 1) / 3, 1.0)))
    rng = np.random.default_rng(seed)
    y = rng.normal(0, 1e-4, (n, 2))
    velocity, gains = np.zeros_like(y), np.ones_like(y)
    learning_rate = max(n / 12, 50.0)
    for step in range(iterations):
        exaggeration = 12.0 if step < 100 else 1.0
        norms = (y * y).sum(axis=1)
        kernel = 1 / (1 + np.maximum(norms[:, None] + norms[None] - 2 * (y @ y.T), 0))
        np.fill_diagonal(kernel, 0)
        q = np.maximum(kernel / kernel.sum(), 1e-12)
        pull = (exaggeration * affinities - q) * kernel
        gradient = 4 * (pull.sum(axis=1)[:, None] * y - pull @ y)
        gains = np.where(np.sign(gradient) != np.sign(velocity), gains + 0.2, gains * 0.8).clip(
            0.01
        )
        velocity = (0.5 if step < 250 else 0.8) * velocity - learning_rate * gains * gradient
        y = y + velocity
        y -= y.mean(axis=0)
    return y


def place_among_neighbours(
    space: np.ndarray, layout: np.ndarray, query: np.ndarray, k: int = NEIGHBOURS
) -> np.ndarray:
    """Where a new point goes on a t-SNE layout: the mean position of its ``k`` nearest points in
    the full space, weighted by inverse distance (t-SNE has no map for points it was not fit on)."""
    indices, distances = nearest(space, query, k)
    weights = 1 / np.maximum(distances, 1e-6)
    return (layout[indices] * weights[:, None]).sum(axis=0) / weights.sum()
