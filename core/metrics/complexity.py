"""Complexity: how concentrated is a map? (Few strong pixels read more easily than a haze.)"""

from __future__ import annotations

import numpy as np

from core.metrics.common import MetricResult, flat_maps, mean


def gini(values: np.ndarray) -> np.ndarray:
    """Gini index of each row of non-negative ``values`` (0: all equal, near 1: one entry);
    NaN for an all-zero row."""
    ordered = np.sort(np.asarray(values, np.float64), axis=1)
    m = ordered.shape[1]
    weights = 2 * np.arange(1, m + 1) - m - 1
    total = ordered.sum(axis=1)
    return np.divide(
        ordered @ weights, m * total, out=np.full(len(ordered), np.nan), where=total > 0
    )


def entropy(values: np.ndarray) -> np.ndarray:
    """Shannon entropy (nats) of each row of non-negative ``values`` normalised to sum 1."""
    values = np.asarray(values, np.float64)
    total = values.sum(axis=1, keepdims=True)
    share = np.divide(values, total, out=np.zeros_like(values), where=total > 0)
    logs = np.log(share, out=np.zeros_like(share), where=share > 0)
    return np.where(total[:, 0] > 0, -(share * logs).sum(axis=1), np.nan)


def complexity(model, images, targets, maps) -> MetricResult:
    """Sparseness (Gini index of |map|, higher is sparser) and complexity (entropy of |map|
    as a distribution, lower is simpler) over the 784 pixels.

    Pitfall: sparse is not faithful. The input image itself is sparse on a black background,
    and any map multiplied by the input inherits that sparseness; read these beside the
    floors and a faithfulness metric.

    Refs. Chalasani, Chen, Chowdhury, Wu & Jha, "Concise Explanations of Neural Networks using
    Adversarial Training" (ICML 2020), arXiv:1810.06583 (Sparseness); Bhatt, Weller & Moura,
    "Evaluating and Aggregating Feature-based Model Explanations" (IJCAI 2020),
    arXiv:2005.00631 (Complexity).
    """
    magnitude = np.abs(flat_maps(maps, len(maps)))
    sparseness, spread = gini(magnitude), entropy(magnitude)
    return MetricResult(
        "complexity",
        {"sparseness": mean(sparseness), "entropy": mean(spread)},
        {"sparseness": "higher", "entropy": "lower"},
        {"sparseness": sparseness, "entropy": spread},
    )
