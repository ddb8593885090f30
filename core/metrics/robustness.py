"""Robustness: does the map stay put when the input barely changes?"""

from __future__ import annotations

import numpy as np

from core.inputs.preprocess import to_model_input
from core.metrics.common import MetricResult, flat_maps, mean


def _normalised(maps: np.ndarray) -> np.ndarray:
    top = np.abs(maps).max(axis=1, keepdims=True)
    return np.divide(maps, top, out=np.zeros_like(maps), where=top > 0)


def sensitivity(
    model,
    images,
    targets,
    maps,
    *,
    explainer,
    samples: int = 5,
    noise: float = 0.02,
    seed: int = 0,
) -> MetricResult:
    """Max- and average-sensitivity: explain ``samples`` copies of each image with Gaussian
    noise of std ``noise`` (pixels 0-1, clipped to [0, 1]) and measure how far each map moves,
    ``||e(x + d) - e(x)|| / ||e(x)||`` with every map first divided by its largest |value|.
    ``max`` is the worst copy, ``average`` the mean; both lower is better. The target stays
    the one explained on the clean image.

    Convention: Quantus draws uniform noise in a radius (``lower_bound=0.2`` on normalised
    inputs) over 200 samples; we use small Gaussian noise and 5 samples to stay cheap. A map
    that ignores the input (the seeded random map) is perfectly "robust": read it with a
    faithfulness metric.

    Ref. Yeh, Hsieh, Suggala, Inouye & Ravikumar, "On the (In)fidelity and Sensitivity of
    Explanations" (NeurIPS 2019), arXiv:1901.09392.
    """
    x = to_model_input(images)
    n = len(x)
    original = _normalised(flat_maps(maps, n).astype(np.float64))
    size = np.linalg.norm(original, axis=1)
    rng = np.random.default_rng(seed)
    moves = np.empty((n, int(samples)))
    for k in range(int(samples)):
        noisy = np.clip(x + rng.normal(0, noise, x.shape).astype(np.float32), 0, 1)
        changed = _normalised(flat_maps(explainer(model, noisy, target=targets), n).astype(float))
        distance = np.linalg.norm(changed - original, axis=1)
        moves[:, k] = np.divide(distance, size, out=np.full(n, np.nan), where=size > 0)
    worst, average = moves.max(axis=1), moves.mean(axis=1)
    return MetricResult(
        "sensitivity",
        {"max": mean(worst), "average": mean(average)},
        {"max": "lower", "average": "lower"},
        {"max": worst, "average": average},
    )
