"""Axiomatic properties: does a map add up to the score, and ignore what the model ignores?"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: Keras (and TensorFlow) load where a model is built or read
    import keras

from core.inputs.preprocess import to_model_input
from core.metrics.common import MetricResult, flat_maps, mean, pearson_rows, scored
from core.models.layer_stack import UnsupportedModelError


def completeness(
    model,
    images,
    targets,
    maps,
    *,
    baseline: float = 0.0,
    output: str = "probability",
    tolerance: float = 0.01,
) -> MetricResult:
    """Completeness: a map's sum should equal the score's change from the black ``baseline``,
    ``sum(a) = f(x) - f(baseline)``. ``relative_error``: ``|sum(a) - change| / |change|``,
    lower is better; ``within``: the share of images within ``tolerance`` (1 %), higher is
    better. Only methods that claim it (Integrated Gradients; LRP on bias-free networks) are
    expected to pass; a map in other units (saliency, the floors, ModuleX's products of layer
    inputs) fails by construction, which is the finding, not a bug.

    Convention: Quantus' Completeness returns a yes/no per image with an exact comparison; we
    report the error and a 1 % tolerance, on the score the methods explain by default.

    Ref. Sundararajan, Taly & Yan, "Axiomatic Attribution for Deep Networks" (ICML 2017),
    arXiv:1703.01365.
    """
    data = scored(model, images, targets, output)
    rows = np.arange(data.n)
    score = data.scores(data.x, rows).astype(np.float64)
    black = np.full_like(data.x, np.float32(baseline))
    change = score - data.scores(black, rows)
    total = flat_maps(maps, data.n).astype(np.float64).sum(axis=1)
    error = np.abs(total - change) / np.maximum(np.abs(change), 1e-12)
    return MetricResult(
        "completeness",
        {"relative_error": float(np.median(error)), "within": mean(error <= tolerance)},
        {"relative_error": "lower", "within": "higher"},
        {"relative_error": error, "sum": total, "change": change},
    )


_shifted: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_shifted_lock = threading.Lock()


def shifted_model(model, shift: float) -> keras.Model:
    """A copy of ``model`` that gives on ``shift + (1 - shift) * x`` exactly what ``model``
    gives on ``x``: the first layer's kernel divided by ``1 - shift`` and its bias lowered to
    compensate. Needs a Dense first weighted layer (a padded convolution would not compensate at
    the border). Cached per model and shift; ``model`` is only read."""
    with _shifted_lock:
        cached = _shifted.get(model, {}).get(shift)
    if cached is not None:
        return cached
    import keras  # here: importing the metrics does not load TensorFlow

    weighted = [layer for layer in model.layers if layer.get_weights()]
    if not weighted or not isinstance(weighted[0], keras.layers.Dense):
        raise UnsupportedModelError("input invariance needs a Dense first layer")
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    first = next(c for o, c in zip(model.layers, clone.layers, strict=True) if o is weighted[0])
    kernel, bias = (np.asarray(w, np.float64) for w in weighted[0].get_weights())
    scale = 1.0 / (1.0 - shift)
    first.set_weights(
        [
            (kernel * scale).astype(np.float32),
            (bias - shift * scale * kernel.sum(0)).astype(np.float32),
        ]
    )
    with _shifted_lock:
        _shifted.setdefault(model, {})[shift] = clone
    return clone


def input_invariance(
    model, images, targets, maps, *, explainer, shift: float = 0.2
) -> MetricResult:
    """Input invariance: move the input to ``shift + (1 - shift) * x`` (black becomes grey),
    give the network a first layer that undoes it (same outputs for every image), explain
    again and correlate with the original map (Pearson, signed). 1: the method ignores a
    change the model ignores; higher is better. Methods that multiply by the input, or start
    from a black baseline, see the grey background.

    Convention: Kindermans et al. (and Quantus' InputInvariance) shift by a constant and ask
    for exact equality; our images must stay in [0, 1], so the shift is affine, and rescaling
    a gradient map by ``1 / (1 - shift)`` does not count as a change (correlation).

    Ref. Kindermans et al., "The (Un)reliability of Saliency Methods" (2017), arXiv:1711.00867.
    """
    x = to_model_input(images)
    n = len(x)
    try:
        twin = shifted_model(model, shift)
    except UnsupportedModelError:
        nothing = np.full(n, np.nan)
        return MetricResult(
            "input_invariance",
            {"correlation": mean(nothing)},
            {"correlation": "higher"},
            {"correlation": nothing},
        )
    moved = np.float32(shift) + np.float32(1 - shift) * x
    again = flat_maps(explainer(twin, moved, target=targets), n)
    correlation = pearson_rows(flat_maps(maps, n), again)
    return MetricResult(
        "input_invariance",
        {"correlation": mean(correlation)},
        {"correlation": "higher"},
        {"correlation": correlation},
    )
