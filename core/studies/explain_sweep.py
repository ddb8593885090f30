"""``python -m core sweep-explain``: three checks of the explanation methods over whole test sets.

* **LRP sign**: LRP-ε's probability map must be its logit map times a positive factor (the
  target's probability) on every image, including those whose target logit is negative.
* **Precision**: on the *float32-saturated* images (the predicted class's float32 softmax is
  exactly 1, so ``p * (1 - p)`` would cancel), every probability-output map must equal the same
  method computed in float64 (``engine="float64"``; ModuleX: its rule over float64 weights),
  per map ``max |a - b| / max |b| <= 1e-3``.
* **IG completeness**: Integrated Gradients at its default settings, explaining the
  probability: the median of ``|sum(map) - (p(x) - p(black))| / |p(x) - p(black)|``.
"""

from __future__ import annotations

import numpy as np

from core.data.dataset import load_pair
from core.explain import METHODS, integrated_gradients, lrp_epsilon
from core.explain.backends import NumpyEngine, engine_for
from core.explain.modulex import output_importance
from core.explain.walker import ModuleX, propagate
from core.inputs.preprocess import to_model_input
from core.metrics import completeness
from core.models.layer_stack import layer_stack
from core.models.loading import load_pretrained
from core.models.networks import KINDS, network_key

PRECISION_LIMIT = 1e-3
"""Per map, ``max |float32 map - float64 map| / max |float64 map|`` allowed."""
IG_LIMIT = 0.01
"""The median completeness error Integrated Gradients must stay within."""


def lrp_sign(model, images) -> dict:
    """How many LRP-ε probability maps are not a positive multiple of the logit map."""
    x = to_model_input(images)
    logits = engine_for(model).outputs(x.reshape(len(x), -1), "logit")
    target = logits.argmax(axis=1)
    by_probability = lrp_epsilon(model, x, target).reshape(len(x), -1).astype(np.float64)
    by_logit = lrp_epsilon(model, x, target, output="logit").reshape(len(x), -1)
    scale = np.abs(by_logit).max(axis=1, keepdims=True)
    lit = np.abs(by_logit) > 1e-6 * scale  # pixels where the ratio is defined
    ratio = np.where(lit, by_probability / np.where(lit, by_logit, 1.0), np.nan)
    inverted = np.nansum(ratio < 0, axis=1) > 0
    return {
        "images": len(x),
        "negative_target_logit": int((logits[np.arange(len(x)), target] < 0).sum()),
        "inverted": int(inverted.sum()),
    }


def saturated(model, images) -> np.ndarray:
    """Indices of the images whose float32 softmax gives the predicted class exactly 1."""
    x = to_model_input(images)
    probabilities = layer_stack(model).forward(x)[2]
    return np.flatnonzero(probabilities.max(axis=1) == np.float32(1))


def modulex_float64(model, images, target=None) -> np.ndarray:
    """ModuleX (target mode) with every sum in float64: the thesis' formula as a reference."""
    x = to_model_input(images).astype(np.float64)
    engine = engine_for(model, "float64")
    assert isinstance(engine, NumpyEngine)  # "float64" is always the numpy engine
    stack = engine.stack
    layer_inputs, _, probabilities = stack.forward(x)
    top = output_importance(probabilities, "target", target)
    return propagate(stack, layer_inputs, top, ModuleX()).reshape(x.shape)


def precision(model, images, methods=None) -> dict:
    """Worst per-map relative difference to float64, per method, over ``images``."""
    x = to_model_input(images)
    worst: dict[str, float] = {}
    if not len(x):
        return {"images": 0, "worst": worst}
    target = engine_for(model).outputs(x.reshape(len(x), -1), "logit").argmax(axis=1)
    for name in methods or METHODS:
        method = METHODS[name]
        if name == "modulex":
            reference = modulex_float64(model, x, target)
        else:
            reference = method(model, x, target, engine="float64")
        maps = method(model, x, target).astype(np.float64)
        reference = np.asarray(reference, np.float64).reshape(maps.shape)
        difference = np.abs(maps - reference).reshape(len(x), -1).max(axis=1)
        size = np.abs(reference).reshape(len(x), -1).max(axis=1)
        worst[name] = float(np.max(difference / np.maximum(size, 1e-300)))
    return {"images": len(x), "worst": worst}


def ig_completeness(model, images) -> dict:
    """Median completeness error of default Integrated Gradients (probability) and the share
    of images within 1 %."""
    maps = integrated_gradients(model, images)
    result = completeness(model, images, None, maps)
    return {
        "images": len(maps),
        "median_error": result.summary["relative_error"],
        "within_1_percent": result.summary["within"],
    }


CHECKS = ("lrp", "precision", "ig")


def sweep(pairs, kinds=KINDS, limit=None, checks=CHECKS, progress=None) -> dict:
    """Every check on the test set of each pair and network kind (the first ``limit`` images
    of each if given); ``{network: {check: figures}}``."""
    results: dict[str, dict] = {}
    for pair in pairs:
        images = load_pair(pair, "test")[0]
        if limit is not None:
            images = images[: int(limit)]
        for kind in kinds:
            model = load_pretrained(pair, kind)
            key = network_key(pair, kind)
            entry = results[key] = {}
            if "lrp" in checks:
                entry["lrp"] = lrp_sign(model, images)
            if "precision" in checks:
                chosen = saturated(model, images)
                entry["precision"] = precision(model, images[chosen])
                entry["precision"]["of"] = len(images)
            if "ig" in checks:
                entry["ig"] = ig_completeness(model, images)
            if progress:
                progress(key)
    return results


def render(results: dict) -> str:
    """The figures as plain text, one block per check."""
    lines = ["LRP-ε sign (probability map vs logit map)", "network     images  z_t<0  inverted"]
    for key, entry in results.items():
        if "lrp" in entry:
            r = entry["lrp"]
            lines.append(
                f"{key:10s} {r['images']:7d} {r['negative_target_logit']:6d} {r['inverted']:9d}"
            )
    lines += [
        "",
        f"Precision on float32-saturated images (worst max|a-b|/max|b|, limit {PRECISION_LIMIT:g})",
    ]
    for key, entry in results.items():
        if "precision" in entry:
            r = entry["precision"]
            worst = r["worst"]
            top = max(worst, key=worst.get) if worst else "-"
            cells = ", ".join(f"{name} {value:.1e}" for name, value in worst.items())
            lines.append(
                f"{key:10s} {r['images']}/{r['of']} saturated; worst {top} "
                f"{worst.get(top, float('nan')):.2e}" + (f"\n    {cells}" if cells else "")
            )
    lines += [
        "",
        "Integrated Gradients completeness (default settings, probability; median error "
        f"limit {IG_LIMIT:.0%})",
    ]
    lines.append("network     images  median error  within 1%")
    for key, entry in results.items():
        if "ig" in entry:
            r = entry["ig"]
            lines.append(
                f"{key:10s} {r['images']:7d} {100 * r['median_error']:11.2f}% "
                f"{100 * r['within_1_percent']:9.0f}%"
            )
    return "\n".join(lines)
