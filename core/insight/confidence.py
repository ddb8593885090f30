"""Two checks of one ModuleX map, and their mean (historically "explanation confidence").

Measured in reports/confidence.md (``python -m core confidence-report``): neither the checks
nor their mean tell right from wrong answers or characters from non-characters as well as the
network's probability and the "not one of these" check do, so the pages show the checks for
what they are, against the band typical for the network (:mod:`.confidence_band`), and never
as "how far to trust" the map or the answer.

Two checks, each a Pearson correlation over the 784 pixels:

* **stability**: the map of the input against the maps of slightly disturbed copies of it
  (moved one pixel up, down, left, right, and two copies with noise on the ink), each copy
  explained for the same class and moved back into place; the mean correlation.
* **agreement**: the map against the global map of the explained class (the mean map of that
  class over test images, same mode): does this explanation look like the network's usual
  reasons for that class?

The confidence is their mean, clipped to [0, 1]. All copies go through the network in one
batched call, so it costs one extra forward and backward pass over ``1 + 6`` images.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.explain import predict_and_explain
from core.inputs.preprocess import to_model_input
from core.metrics.common import pearson_rows
from core.models.prediction import predict
from core.types import TargetLike

SHIFTS = ((-1, 0), (1, 0), (0, -1), (0, 1))
NOISE_COPIES = 2
NOISE_SCALE = 0.15
"""Standard deviation of the multiplicative noise on ink pixels.

0.15: a stroke 15% lighter or darker."""
SEED = 0


@dataclass(frozen=True)
class Confidence:
    """Per image: ``value`` (the confidence, 0-1), ``stability`` and ``agreement``.

    ``stability`` and ``agreement`` are correlations, -1..1.
    """

    value: np.ndarray
    stability: np.ndarray
    agreement: np.ndarray


def shift(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Images ``[n, h, w]`` moved by ``(dy, dx)`` pixels, zeros coming in at the edges."""
    result = np.zeros_like(images)
    h, w = images.shape[1:]
    result[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return result


def disturbed_copies(x: np.ndarray, seed: int = SEED) -> np.ndarray:
    """``[copies, n, 28, 28]``: the shifted copies, then the noisy ones.

    The noise patterns are fixed by ``seed`` and the same for every image, so an image's
    confidence does not depend on the batch it comes in.
    """
    patterns = (
        np.random.default_rng(seed).standard_normal((NOISE_COPIES, *x.shape[1:])).astype(np.float32)
    )
    copies = [shift(x, dy, dx) for dy, dx in SHIFTS]
    copies += [np.clip(x * (1 + NOISE_SCALE * pattern), 0, 1) for pattern in patterns]
    return np.stack(copies)


def correlation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of each pair of maps ``[..., h, w]`` (the project's one rule,
    :func:`core.metrics.common.pearson_rows`); 0 where either map is flat, since a flat map
    agrees with nothing."""
    a = a.reshape(*a.shape[:-2], -1)
    b = b.reshape(*b.shape[:-2], -1)
    return np.nan_to_num(pearson_rows(a, b), nan=0.0)


def explanation_confidence(
    model,
    images,
    maps: np.ndarray,
    references: np.ndarray | None,
    mode: str = "target",
    target: TargetLike = None,
    contrast: TargetLike = None,
    seed: int = SEED,
) -> Confidence:
    """Confidence of ModuleX maps already computed for ``images``.

    Parameters
    ----------
    model : keras.Model
        The network that made ``maps``.
    images : ``[n, 28, 28]`` uint8 or float 0-1.
    maps : ``[n, 28, 28]`` the maps to judge (as :func:`core.explain.modulex` gave them).
    references : ``[n, 28, 28]`` the global map of each image's explained class (same mode), or
        None when there is none: agreement is then nan and the confidence is the stability alone.
    mode, target, contrast
        What ``maps`` explain; ``target`` must name the classes explained (the copies are
        explained for the same class even if the network would predict another for them).
    seed : fixes the noise.
    """
    x = to_model_input(images)
    n = len(x)
    if (
        target is None
    ):  # the copies must explain the class the maps explain, not their own prediction
        target = predict(model, x).argmax(axis=1)
    copies = disturbed_copies(x, seed)
    count = len(copies)

    def repeat(value):
        value = np.asarray(value)
        return (
            np.tile(value, (count,) + (1,) * (value.ndim - 1))
            if value.ndim and len(value) == n
            else value
        )

    _, copy_maps = predict_and_explain(
        model,
        copies.reshape(count * n, *x.shape[1:]),
        mode=mode,
        target=repeat(target),
        contrast=None if contrast is None else repeat(contrast),
    )
    copy_maps = copy_maps.reshape(count, n, *x.shape[1:])
    aligned = [shift(copy_maps[i], -dy, -dx) for i, (dy, dx) in enumerate(SHIFTS)]
    aligned += list(copy_maps[len(SHIFTS) :])
    stability = correlation(np.stack(aligned), maps[None]).mean(axis=0)
    if references is None:
        agreement = np.full(n, np.nan)
        value = np.clip(stability, 0, 1)
    else:
        agreement = correlation(maps, references)
        value = np.clip((stability + agreement) / 2, 0, 1)
    return Confidence(
        value.astype(np.float32), stability.astype(np.float32), agreement.astype(np.float32)
    )
