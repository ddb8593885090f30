"""Perturbation methods: occlusion and a LIME-style local surrogate over square patches.

Both only run the network forward, on perturbed copies of each image; the copies are built
``batch_size`` rows at a time. The explained score is the target's probability by default
(``output="probability"``) or its pre-softmax score (``output="logit"``), minus the contrast
class's when one is given.
"""

from __future__ import annotations

import numpy as np

from core.explain.common import DEFAULT_BATCH_SIZE, Request, flat_baseline, prepare, row_chunks
from core.types import TargetLike


def _scores_of_copies(
    request: Request, keep: np.ndarray, baseline: np.ndarray, batch_size: int
) -> np.ndarray:
    """Scores ``[n, copies]`` of the copies that keep pixels ``keep[k]`` and set the rest to
    ``baseline``; float64, since a probability near 1 changes in digits float32 rounds away."""
    scores = np.empty((request.n, len(keep)), np.float64)
    for images, k in row_chunks(request.n, len(keep), batch_size):
        copies = np.where(keep[k], request.x[images], baseline)
        scores[images, k] = request.scores(copies, images)
    return scores


def patch_starts(side: int, patch: int, stride: int) -> list[int]:
    """Where patches of ``patch`` pixels start along an axis of ``side``.

    The last patch touches the edge.
    """
    if not 1 <= patch <= side or stride < 1:
        raise ValueError(
            f"need 1 <= patch <= {side} and stride >= 1, got patch={patch}, stride={stride}"
        )
    starts = list(range(0, side - patch + 1, stride))
    if starts[-1] != side - patch:
        starts.append(side - patch)
    return starts


def occlusion_masks(shape: tuple[int, ...], patch: int, stride: int) -> np.ndarray:
    """bool ``[patches, h * w]``: True where each patch covers the image."""
    height, width = shape
    masks = []
    for top in patch_starts(height, patch, stride):
        for left in patch_starts(width, patch, stride):
            mask = np.zeros(shape, bool)
            mask[top : top + patch, left : left + patch] = True
            masks.append(mask.reshape(-1))
    return np.array(masks)


def occlusion(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    patch: int = 4,
    stride: int = 2,
    baseline: float | np.ndarray = 0.0,
    batch_size: int = DEFAULT_BATCH_SIZE,
    engine: str = "auto",
) -> np.ndarray:
    """Occlusion: how much the score falls when a square patch is set to ``baseline``.

    Each ``patch`` x ``patch`` square (every ``stride`` pixels, the last touching the border)
    is replaced by the baseline; a pixel's value is the mean fall of the score over the
    patches covering it. Signed (a patch whose removal raises the score is negative).
    Explains the target's probability by default, the pre-softmax score with
    ``output="logit"``.

    Parameters
    ----------
    patch, stride : int
        Side of the square and step between squares, in pixels.
    baseline : float or array ``[28, 28]``
        What an occluded pixel becomes (0: black).

    Other parameters as :func:`core.explain.saliency`.

    Ref. Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks" (2013),
    arXiv:1311.2901.
    """
    request = prepare(model, images, target, contrast, output, engine)
    covered = occlusion_masks(request.shape[1:], int(patch), int(stride))
    fill = flat_baseline(baseline, request.x.shape[1])
    original = _scores_of_copies(request, np.ones((1, covered.shape[1]), bool), fill, batch_size)
    falls = original - _scores_of_copies(request, ~covered, fill, batch_size)
    counts = covered.sum(axis=0)
    return request.to_maps((falls @ covered) / np.maximum(counts, 1))


def patch_segments(shape: tuple[int, ...], cell: int) -> np.ndarray:
    """Segment index of every pixel ``[h * w]`` for a grid of ``cell`` x ``cell`` squares."""
    height, width = shape
    rows, columns = np.arange(height) // cell, np.arange(width) // cell
    per_row = -(-width // cell)
    return (rows[:, None] * per_row + columns[None, :]).reshape(-1)


def lime(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    cell: int = 4,
    samples: int = 256,
    kernel_width: float = 0.25,
    ridge: float = 1.0,
    baseline: float | np.ndarray = 0.0,
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
    engine: str = "auto",
) -> np.ndarray:
    """LIME-style local surrogate: weighted ridge regression of the score on the kept patches.

    The image is cut into ``cell`` x ``cell`` squares (49 on 28x28 at ``cell=4``). ``samples``
    random on/off patterns (the first keeps everything) replace the switched-off squares by
    ``baseline``; each pattern is weighted by LIME's kernel on its cosine distance to the full
    image. A pixel's value is its square's regression coefficient divided by the square's
    pixel count. Signed. The patterns are fixed by ``seed`` and shared by all images, so the
    regression matrix is solved once per call. Explains the target's probability by default,
    the pre-softmax score with ``output="logit"``.

    Ref. Ribeiro, Singh & Guestrin, "Why Should I Trust You?" (2016), arXiv:1602.04938.
    """
    if int(samples) < 2:
        raise ValueError(f"samples must be at least 2, got {samples}")
    request = prepare(model, images, target, contrast, output, engine)
    segment = patch_segments(request.shape[1:], int(cell))
    n_segments = int(segment.max()) + 1
    patterns = (
        np.random.default_rng(seed).integers(0, 2, (int(samples), n_segments)).astype(np.float64)
    )
    patterns[0] = 1.0
    kept = patterns.sum(axis=1)
    distance = 1.0 - np.sqrt(kept / n_segments)
    weight = np.sqrt(np.exp(-(distance**2) / kernel_width**2))
    scores = _scores_of_copies(
        request,
        patterns[:, segment].astype(bool),
        flat_baseline(baseline, request.x.shape[1]),
        batch_size,
    ).astype(np.float64)
    # Weighted ridge with an intercept: centre by the weighted means, then solve once for all
    # images.
    weight_share = weight / weight.sum()
    centred = patterns - weight_share @ patterns
    system = centred.T @ (weight[:, None] * centred) + ridge * np.eye(n_segments)
    projection = np.linalg.solve(system, (weight[:, None] * centred).T)  # [segments, samples]
    coefficients = (scores - (scores @ weight_share)[:, None]) @ projection.T
    sizes = np.bincount(segment, minlength=n_segments)
    return request.to_maps(coefficients[:, segment] / sizes[segment])
