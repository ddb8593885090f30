"""Faithfulness metrics: does removing what a map marks change the model's output as it says?

All score the target's probability by default (``output="logit"`` for the pre-softmax
score); removed pixels become ``baseline`` (0, black).
"""

from __future__ import annotations

import numpy as np

from core.explain.common import DEFAULT_BATCH_SIZE
from core.explain.perturbation import patch_segments
from core.metrics.common import MetricResult, flat_maps, mean, pearson_rows, scored


def relevance_ranks(maps: np.ndarray, seed: int = 0) -> np.ndarray:
    """Position of each pixel in most-relevant-first order ``[n, pixels]``; ties in a seeded
    random order (Quantus sorts with ``argsort``, which breaks ties by position)."""
    ties = np.random.default_rng(seed).random(maps.shape)
    order = np.lexsort((ties, -maps), axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(maps.shape[1]), maps.shape), axis=1)
    return ranks


def _pixel_curve(
    model,
    images,
    targets,
    maps,
    insert: bool,
    steps: int,
    baseline: float,
    output: str,
    seed: int,
    batch_size: int,
) -> MetricResult:
    data = scored(model, images, targets, output, batch_size)
    ranks = relevance_ranks(flat_maps(maps, data.n), seed)
    counts = np.round(np.linspace(0, data.x.shape[1], int(steps) + 1)).astype(np.int64)
    fill = np.float32(baseline)

    def copies(images, k):
        changed = ranks[images] < counts[k][:, None]  # the k-th step's most relevant pixels
        return (
            np.where(changed, data.x[images], fill)
            if insert
            else np.where(changed, fill, data.x[images])
        )

    curves = data.of_copies(len(counts), copies)
    auc = np.trapezoid(curves, dx=1.0 / steps, axis=1)
    fraction = (counts / data.x.shape[1]).tolist()
    name = "insertion" if insert else "deletion"
    return MetricResult(
        name,
        {"auc": mean(auc)},
        {"auc": "higher" if insert else "lower"},
        {"auc": auc, "curve": curves},
        {name: {"x": fraction, "y": curves.mean(axis=0).tolist()}},
    )


def deletion(
    model,
    images,
    targets,
    maps,
    *,
    steps: int = 28,
    baseline: float = 0.0,
    output: str = "probability",
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> MetricResult:
    """Deletion: set pixels to ``baseline`` most relevant first, in ``steps`` equal steps, and
    record the score; the area under that curve (x from 0 to 1) is lower for a faithful map.

    Ref. Petsiuk, Das & Saenko, "RISE: Randomized Input Sampling for Explanation of Black-box
    Models" (2018), arXiv:1806.07421.
    """
    return _pixel_curve(
        model, images, targets, maps, False, steps, baseline, output, seed, batch_size
    )


def insertion(
    model,
    images,
    targets,
    maps,
    *,
    steps: int = 28,
    baseline: float = 0.0,
    output: str = "probability",
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> MetricResult:
    """Insertion: start from the ``baseline`` image and put pixels back most relevant first;
    the area under the score curve is higher for a faithful map. Ref. as :func:`deletion`."""
    return _pixel_curve(
        model, images, targets, maps, True, steps, baseline, output, seed, batch_size
    )


def drop_increase(
    model,
    images,
    targets,
    maps,
    *,
    output: str = "probability",
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> MetricResult:
    """Keep each pixel in proportion to the map (its positive part divided by its maximum) and
    compare the score before (Y) and after (O).

    ``drop_rate``: share of images whose score falls (lower is better); ``increase_rate``:
    share whose score rises (higher is better); ``mean_drop``: mean of ``max(0, Y - O) / Y``
    (Grad-CAM++'s "average drop", lower is better). A map with no positive value keeps nothing.

    Ref. Chattopadhyay et al., "Grad-CAM++" (2018), arXiv:1710.11063.
    """
    data = scored(model, images, targets, output, batch_size)
    positive = np.maximum(flat_maps(maps, data.n), 0)
    top = positive.max(axis=1, keepdims=True)
    weights = np.divide(positive, top, out=np.zeros_like(positive), where=top > 0)
    both = data.of_copies(
        2,
        lambda images, k: np.where(
            (k == 0)[:, None], data.x[images], data.x[images] * weights[images]
        ),
    )
    before, after = both[:, 0], both[:, 1]
    drop = np.maximum(before - after, 0) / np.maximum(np.abs(before), 1e-12)
    return MetricResult(
        "drop_increase",
        {
            "drop_rate": mean(after < before),
            "increase_rate": mean(after > before),
            "mean_drop": mean(drop),
        },
        {"drop_rate": "lower", "increase_rate": "higher", "mean_drop": "lower"},
        {"drop": drop, "before": before, "after": after},
    )


def mufidelity(
    model,
    images,
    targets,
    maps,
    *,
    cell: int = 4,
    subset: float = 0.2,
    samples: int = 128,
    baseline: float = 0.0,
    output: str = "probability",
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> MetricResult:
    """MuFidelity: over ``samples`` random sets of ``cell`` x ``cell`` squares (each square
    removed with probability ``subset``), the Pearson correlation between the map's sum over the
    removed pixels and the fall of the score. Higher is better; the sets are fixed by ``seed``.

    Ref. Bhatt, Weller & Moura, "Evaluating and Aggregating Feature-based Model Explanations"
    (2020), arXiv:2005.00631.
    """
    data = scored(model, images, targets, output, batch_size)
    segment = patch_segments(data.shape[1:], int(cell))
    chosen = np.random.default_rng(seed).random((int(samples), int(segment.max()) + 1)) < subset
    removed = chosen[:, segment]  # [samples, pixels]
    original = data.of_copies(1, lambda images, _: data.x[images])
    fill = np.float32(baseline)
    falls = original - data.of_copies(
        int(samples), lambda images, k: np.where(removed[k], fill, data.x[images])
    )
    attribution = flat_maps(maps, data.n) @ removed.T.astype(np.float32)
    correlation = pearson_rows(attribution.astype(np.float64), falls.astype(np.float64))
    return MetricResult(
        "mufidelity",
        {"correlation": mean(correlation)},
        {"correlation": "higher"},
        {"correlation": correlation},
    )


def _neighbour_sum(values: np.ndarray) -> np.ndarray:
    """ROAD's weighted sum of the 8 neighbours of every pixel of ``[n, h, w]`` (1/6 for the four
    direct ones, 1/12 for the diagonals; outside the image counts 0). The 3x3 kernel is
    ``([1, 2, 1] x [1, 2, 1] - 4 * centre) / 12``, so two 1-D passes do it."""
    rows = values.copy()
    rows[:, :, 1:] += values[:, :, :-1]
    rows[:, :, :-1] += values[:, :, 1:]
    rows += values  # [1, 2, 1] along the rows
    out = rows.copy()
    out[:, 1:] += rows[:, :-1]
    out[:, :-1] += rows[:, 1:]
    out += rows
    out -= 4 * values
    out *= np.float32(1 / 12)
    return out


def linear_imputation(
    images: np.ndarray, removed: np.ndarray, iterations: int = 60, tolerance: float = 1e-5
) -> np.ndarray:
    """Each removed pixel becomes the weighted mean of its 8 neighbours (removed or not), the
    kept pixels fixed: a sparse symmetric positive-definite system, solved by conjugate
    gradients for all images at once (each image stops when its residual fell by
    ``tolerance``). ``images`` float ``[n, h, w]``, ``removed`` bool ``[n, h, w]``; each image
    must keep at least one pixel.
    """
    x = np.asarray(images, np.float32)
    unknown = removed.astype(np.float32)
    known = x * (1 - unknown)
    degree = _neighbour_sum(np.ones_like(x[:1]))  # sum of the weights inside the image

    def apply(u):  # A u = degree * u - weighted sum of the neighbours, on the unknown pixels
        return unknown * (degree * u - _neighbour_sum(u))

    u = np.zeros_like(x)
    r = unknown * _neighbour_sum(known)
    p = r.copy()
    rr = np.einsum("nhw,nhw->n", r, r)
    stop = np.float32(tolerance) ** 2 * rr
    for _ in range(int(iterations)):
        active = rr > stop
        if not active.any():
            break
        ap = apply(p)
        pap = np.einsum("nhw,nhw->n", p, ap)
        ok = active & (pap > 0)
        alpha = np.divide(rr, pap, out=np.zeros_like(rr), where=ok)[:, None, None]
        u += alpha * p
        r -= alpha * ap
        rr_new = np.einsum("nhw,nhw->n", r, r)
        beta = np.divide(rr_new, rr, out=np.zeros_like(rr), where=ok)[:, None, None]
        p = r + beta * p
        rr = np.where(ok, rr_new, 0)
    return known + unknown * u


ROAD_FRACTIONS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def road(
    model,
    images,
    targets,
    maps,
    *,
    fractions=ROAD_FRACTIONS,
    noise: float = 0.01,
    output: str = "probability",
    seed: int = 0,
    batch_size: int = 512,
) -> MetricResult:
    """ROAD, RemOve And Debias (most relevant first): remove the top ``fractions`` of pixels by
    the map and fill them by noisy linear imputation (each the weighted mean of its neighbours,
    plus Gaussian noise of std ``noise``), so the removed region does not look like a black
    hole the network has never seen and does not leak the mask's shape. ``auc``: area under
    the target-score curve over the fractions (divided by their range), lower is better.

    Convention: Quantus' ROAD sweeps 1..99 % in 2 % steps and scores whether the prediction
    stays; we use 0..90 % in 10 % steps and the target's probability (as deletion does), and
    break ties in the map in a seeded random order.

    Ref. Rong, Leemann, Borisov, Kasneci & Kasneci, "A Consistent and Efficient Evaluation
    Strategy for Attribution Methods" (ICML 2022), arXiv:2202.00449.
    """
    data = scored(model, images, targets, output, batch_size)
    pixels = data.x.shape[1]
    ranks = relevance_ranks(flat_maps(maps, data.n), seed)
    fractions = np.asarray(fractions, np.float64)
    if fractions.max() >= 1:
        raise ValueError("ROAD needs some pixels kept: fractions must stay below 1")
    counts = np.round(fractions * pixels).astype(np.int64)
    side = data.shape[1:]
    rng = np.random.default_rng(seed)
    curves = np.empty((data.n, len(counts)), np.float32)
    step = max(1, int(batch_size) // len(counts))
    for start in range(0, data.n, step):
        rows = np.arange(start, min(start + step, data.n))
        removed = ranks[rows][:, None, :] < counts[None, :, None]  # [rows, steps, pixels]
        flat_removed = removed.reshape(-1, *side)
        originals = np.repeat(data.x[rows], len(counts), axis=0).reshape(-1, *side)
        filled = originals.copy()
        some = flat_removed.any(axis=(1, 2))  # nothing to fill at 0 %
        filled[some] = linear_imputation(originals[some], flat_removed[some])
        filled += flat_removed * rng.normal(0, noise, filled.shape).astype(np.float32)
        filled = np.clip(filled, 0, 1).reshape(len(rows) * len(counts), pixels)
        curves[rows] = data.scores(filled, np.repeat(rows, len(counts))).reshape(len(rows), -1)
    span = fractions[-1] - fractions[0]
    auc = np.trapezoid(curves, fractions, axis=1) / (span if span > 0 else 1.0)
    return MetricResult(
        "road",
        {"auc": mean(auc)},
        {"auc": "lower"},
        {"auc": auc, "curve": curves},
        {"road": {"x": fractions.tolist(), "y": curves.mean(axis=0).tolist()}},
    )
