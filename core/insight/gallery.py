"""The mistakes gallery's data: which test images a filter keeps, and their thumbnails.

Pure numpy, so the dashboard can precompute everything once per network and a filter change
only indexes arrays (no model call, no figure build).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.explain import explain_with, predict_and_explain

CORRECTNESS = ("incorrect", "correct", "all")
ORDERS = ("most confident first", "least confident first", "test-set order")
RED_BLUE = ((33, 102, 172), (178, 24, 43))  # (against, for), as in core/export.py


@dataclass(frozen=True)
class GalleryFilter:
    """What the gallery shows: None for a label means any."""

    true_label: int | None = None
    predicted_label: int | None = None
    correctness: str = "incorrect"
    low: float = 0.0
    high: float = 1.0
    order: str = ORDERS[0]


def select(labels: np.ndarray, probabilities: np.ndarray, chosen: GalleryFilter) -> np.ndarray:
    """Indices of the test images the filter keeps, in its order."""
    if chosen.correctness not in CORRECTNESS:
        raise ValueError(f"correctness must be one of {CORRECTNESS}, not {chosen.correctness!r}")
    if chosen.order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {chosen.order!r}")
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    keep = (confidence >= chosen.low) & (confidence <= chosen.high)
    if chosen.correctness != "all":
        keep &= (predicted != labels) == (chosen.correctness == "incorrect")
    if chosen.true_label is not None:
        keep &= labels == chosen.true_label
    if chosen.predicted_label is not None:
        keep &= predicted == chosen.predicted_label
    indices = np.flatnonzero(keep)
    if chosen.order == ORDERS[0]:
        return indices[np.argsort(-confidence[indices], kind="stable")]
    if chosen.order == ORDERS[1]:
        return indices[np.argsort(confidence[indices], kind="stable")]
    return indices


def explain_predictions(
    model, images: np.ndarray, predicted: np.ndarray, mode: str, method: str = "modulex"
) -> np.ndarray:
    """Maps of each image for its predicted class: ModuleX in ``mode``; another method for the
    same question (against the other class in contrast mode)."""
    if method == "modulex":
        return predict_and_explain(model, images, mode=mode, target=predicted)[1]
    contrast = "other" if mode == "contrast" else None
    return explain_with(method, model, images, target=predicted, contrast=contrast)


def thumbnails(images: np.ndarray, maps: np.ndarray, colours=RED_BLUE, zoom: int = 4) -> np.ndarray:
    """RGB uint8 ``[n, 28 * zoom, 28 * zoom, 3]``: each map over its gray input, on its own
    symmetric scale (99.5th percentile of its absolute values), zero transparent."""
    maps = np.asarray(maps, np.float32)
    limits = np.percentile(np.abs(maps).reshape(len(maps), -1), 99.5, axis=1)
    limits = np.where(limits > 0, limits, 1.0).astype(np.float32)
    t = np.clip(maps / limits[:, None, None], -1.0, 1.0)[..., None]
    against, for_ = (np.asarray(c, np.float32) for c in colours)
    white = np.float32(255.0)
    colour = np.where(t >= 0, white + t * (for_ - white), white - t * (against - white))
    alpha = np.abs(t) ** 0.7
    gray = np.repeat(np.asarray(images, np.float32)[..., None], 3, axis=3)
    rgb = (gray * (1 - alpha) + colour * alpha).round().astype(np.uint8)
    return rgb.repeat(zoom, axis=1).repeat(zoom, axis=2)
