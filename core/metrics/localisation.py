"""Localisation against a region we know matters (a proxy ground truth we built)."""

from __future__ import annotations

import numpy as np

from core.inputs.preprocess import to_model_input
from core.metrics.common import MetricResult, flat_maps, mean


def relevance_mass(model, images, targets, maps, *, regions=None) -> MetricResult:
    """Relevance mass accuracy: the share of a map's positive relevance that falls inside a
    region, ``sum_region max(a, 0) / sum max(a, 0)``; higher is better. ``regions``: bool
    ``[n, 28, 28]``; default the ink (pixels above 0).

    EMNIST has no ground-truth masks, so the default region is a *proxy we built*: the ink
    carries the character, yet a pixel left black can matter too (a 2 and a Z differ in where
    ink is missing). The input used as a map scores 1 here by construction; the report also
    scores the region where stroke-rendered look-alikes differ (``core/examples``).

    Ref. Arras, Osman & Samek, "CLEVR-XAI: A benchmark dataset for the ground truth evaluation
    of neural network explanations" (Information Fusion 2022), arXiv:2003.07258.
    """
    x = to_model_input(images)
    n = len(x)
    inside = (x > 0) if regions is None else np.asarray(regions, bool)
    positive = np.maximum(flat_maps(maps, n), 0).astype(np.float64)
    total = positive.sum(axis=1)
    within = (positive * inside.reshape(n, -1)).sum(axis=1)
    share = np.divide(within, total, out=np.full(n, np.nan), where=total > 0)
    return MetricResult(
        "relevance_mass", {"share": mean(share)}, {"share": "higher"}, {"share": share}
    )
