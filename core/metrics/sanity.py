"""Sanity checks: does a map depend on the model's weights, and on the class it explains?

Both take the method itself (``explainer``, called as ``explainer(model, images, target=...)``)
besides the maps, since they explain again under changed conditions.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: Keras (and TensorFlow) load where a model is built or read
    import keras

from core.inputs.preprocess import to_model_input
from core.metrics.common import MetricResult, flat_maps, mean, scored, spearman_rows

_clones: weakref.WeakKeyDictionary[keras.Model, dict] = weakref.WeakKeyDictionary()
_clones_lock = threading.Lock()


def _fresh(array: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A kernel re-drawn with Glorot-uniform scale; a bias with the trained bias's spread."""
    if array.ndim >= 2:
        receptive = int(np.prod(array.shape[:-2])) if array.ndim > 2 else 1
        fan_in, fan_out = array.shape[-2] * receptive, array.shape[-1] * receptive
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, array.shape).astype(array.dtype)
    return rng.normal(0.0, float(array.std()), array.shape).astype(array.dtype)


def randomised_models(model, seed: int = 0) -> list[tuple[str, keras.Model]]:
    """Cascading randomisation: clones of ``model`` with its top 1, 2, ... weighted layers re-drawn.

    Each clone has copied weights; ``model`` is only read. Cached per model and seed.
    """
    with _clones_lock:
        cached = _clones.get(model, {}).get(seed)
    if cached is not None:
        return cached
    import keras  # here: importing the metrics does not load TensorFlow

    rng = np.random.default_rng(seed)
    weighted = [layer for layer in model.layers if layer.get_weights()]
    fresh = {
        layer.name: [_fresh(w, rng) for w in layer.get_weights()] for layer in reversed(weighted)
    }
    cascade = []
    for depth in range(1, len(weighted) + 1):
        randomised = {layer.name for layer in weighted[len(weighted) - depth :]}
        clone = keras.models.clone_model(model)
        for original, copy in zip(model.layers, clone.layers, strict=True):
            copy.set_weights(
                fresh[original.name] if original.name in randomised else original.get_weights()
            )
        cascade.append((weighted[len(weighted) - depth].name, clone))
    with _clones_lock:
        _clones.setdefault(model, {})[seed] = cascade
    return cascade


def randomization(model, images, targets, maps, *, explainer, seed: int = 0) -> MetricResult:
    """Model-parameter randomisation test (MPRT): re-draw the weights layer by layer from the
    top and compare each new map with the original by Spearman rank correlation. A map that
    barely changes when the weights are random does not explain the model; lower is better.

    ``rank_correlation``: |maps|, all pixels, after the whole cascade (the original paper's
    form); ``ink_rank_correlation``: |maps| over the image's non-zero pixels only (maps
    multiplied by the input are 0 on the black background whatever the weights, which alone
    makes them look alike); ``signed_ink_rank_correlation``: signed maps over the ink pixels
    (a map whose sign flips when the weights change did change, which |map| hides);
    ``top_layer``: |maps|, all pixels, after the output layer alone. Curve: the mean
    all-pixel correlation after each step of the cascade.

    Convention: Quantus' MPRT uses the SSIM of normalised |maps| by default; Spearman of ranks
    is the paper's other measure and needs no window size.

    Ref. Adebayo et al., "Sanity Checks for Saliency Maps" (NeurIPS 2018), arXiv:1810.03292.
    """
    signed = flat_maps(maps, len(maps))
    original = np.abs(signed)
    ink = to_model_input(images).reshape(len(original), -1) > 0
    steps, correlations = [], []
    for layer_name, clone in randomised_models(model, seed):
        changed = flat_maps(explainer(clone, images, target=targets), len(maps))
        correlations.append(spearman_rows(original, np.abs(changed)))
        steps.append(layer_name)
    on_ink = spearman_rows(original, np.abs(changed), ink)
    signed_on_ink = spearman_rows(signed, changed, ink)
    return MetricResult(
        "randomization",
        {
            "rank_correlation": mean(correlations[-1]),
            "ink_rank_correlation": mean(on_ink),
            "signed_ink_rank_correlation": mean(signed_on_ink),
            "top_layer": mean(correlations[0]),
        },
        {
            "rank_correlation": "lower",
            "ink_rank_correlation": "lower",
            "signed_ink_rank_correlation": "lower",
            "top_layer": "lower",
        },
        {
            "rank_correlation": correlations[-1],
            "ink_rank_correlation": on_ink,
            "signed_ink_rank_correlation": signed_on_ink,
        },
        {
            "randomization": {
                "x": [f"up to {name}" for name in steps],
                "y": [mean(c) for c in correlations],
            }
        },
    )


def random_other_classes(n_classes: int, targets: np.ndarray, seed: int = 0) -> np.ndarray:
    """For each image a class drawn uniformly among those that are not its target (seeded);
    on two classes, the other one."""
    draw = np.random.default_rng(seed).integers(0, n_classes - 1, len(targets))
    return draw + (draw >= targets)


def random_logit(model, images, targets, maps, *, explainer, seed: int = 0) -> MetricResult:
    """Random-logit test: Spearman rank correlation between the map of the target and the map
    of a class drawn at random among the others (signed maps). Near 1: the map is the same
    whatever class is explained, so it says nothing about the decision; lower is better
    (-1: the two maps mirror each other, as "for A" is "against B" between two classes). On
    our pairs the other class is the only other one.

    Convention: Quantus' RandomLogit compares the two maps by SSIM; we use the rank
    correlation, like the randomisation test.

    Ref. Sixt, Granz & Landgraf, "When Explanations Lie: Why Many Modified BP Attributions
    Fail" (ICML 2020), arXiv:1912.09818.
    """
    data = scored(model, images, targets)
    others = random_other_classes(data.engine.n_classes, data.targets, seed)
    correlation = spearman_rows(
        flat_maps(maps, data.n), flat_maps(explainer(model, images, target=others), data.n)
    )
    return MetricResult(
        "random_logit",
        {"rank_correlation": mean(correlation)},
        {"rank_correlation": "lower"},
        {"rank_correlation": correlation},
    )
