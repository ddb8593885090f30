"""Ink components: the "strokes" of a picture that has none (an upload, a test image).

The pixels at or above ``level`` (half the picture's peak by default) are grouped into
8-connected components; every other inked pixel (the blur around the strokes) joins the
component of its nearest strong pixel. The components partition the ink exactly, so the
picture is the sum of its components and a coalition is the picture masked to its members.
"""

from __future__ import annotations

import numpy as np

STRONG_SHARE = 0.5
"""Pixels at or above this share of the picture's peak seed the components."""


def ink_components(image: np.ndarray, share: float = STRONG_SHARE) -> np.ndarray:
    """Bool ``[k, 28, 28]``: the components, largest first; every pixel with ink is in exactly
    one of them (``k = 0`` for a blank picture)."""
    x = np.asarray(image, np.float64)
    if x.max(initial=0) <= 0:
        return np.zeros((0, *x.shape), bool)
    strong = x >= share * x.max()
    labels = _label(strong)
    count = labels.max()
    inked = x > 0
    strong_points = np.argwhere(strong)
    weak_points = np.argwhere(inked & ~strong)
    if len(weak_points):
        distances = ((weak_points[:, None, :] - strong_points[None, :, :]) ** 2).sum(axis=2)
        nearest = strong_points[distances.argmin(axis=1)]
        labels[weak_points[:, 0], weak_points[:, 1]] = labels[nearest[:, 0], nearest[:, 1]]
    masks = np.array([labels == label for label in range(1, count + 1)])
    order = np.argsort(-masks.sum(axis=(1, 2)), kind="stable")
    return masks[order]


def _label(mask: np.ndarray) -> np.ndarray:
    """8-connected components of ``mask``, numbered 1..k in reading order (0: background)."""
    height, width = mask.shape
    big = height * width + 1
    labels = np.where(mask, np.arange(1, height * width + 1).reshape(mask.shape), big)
    while True:  # each pixel takes the smallest label among its inked neighbours, until stable
        padded = np.pad(labels, 1, constant_values=big)
        smallest = np.minimum.reduce(
            [padded[dy : dy + height, dx : dx + width] for dy in range(3) for dx in range(3)]
        )
        updated = np.where(mask, smallest, big)
        if np.array_equal(updated, labels):
            break
        labels = updated
    _, numbered = np.unique(np.where(mask, labels, 0), return_inverse=True)
    return numbered.reshape(mask.shape) if mask.any() else np.zeros(mask.shape, np.int64)
