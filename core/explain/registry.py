"""Every explanation method by name, what the dashboard and the report need to know about
each, and one call for any of them.

The one contract: ``method(model, images, target=None, *, contrast=None, output=...,
batch_size=..., **options)`` -> float32 maps ``[n, 28, 28]``; ``target`` and ``contrast`` take
an int, one int per image or one-hot rows (``contrast`` also ``"other"`` on two classes). An
option a method does not know is a TypeError, never silently ignored.

Four tables, all called that way: :data:`METHODS` (every model), :data:`CONV_METHODS` (models
with a convolution), :data:`ABLATION` (ModuleX with one term changed) and :data:`FLOORS` (the
reference maps that ignore the model). Adding a method: its function, and a row in one table
and in :data:`METHOD_INFO`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from core.explain.ablation import modulex_gated, modulex_lrp0, modulex_without_bias
from core.explain.common import OUTPUTS
from core.explain.floors import FLOORS
from core.explain.gradcam import gradcam
from core.explain.gradients import (
    deconvnet,
    gradient_x_input,
    guided_backprop,
    integrated_gradients,
    saliency,
    smoothgrad,
)
from core.explain.lrp import lrp_epsilon, lrp_zplus
from core.explain.modulex import modulex
from core.explain.perturbation import lime, occlusion
from core.types import ContrastLike, TargetLike

Method = Callable[..., np.ndarray]
"""A method: ``(model, images, target=None, *, contrast=None, output=..., batch_size=...)``."""

METHODS: dict[str, Method] = {
    "modulex": modulex,
    "saliency": saliency,
    "gradient_x_input": gradient_x_input,
    "integrated_gradients": integrated_gradients,
    "smoothgrad": smoothgrad,
    "guided_backprop": guided_backprop,
    "deconvnet": deconvnet,
    "lrp_epsilon": lrp_epsilon,
    "lrp_zplus": lrp_zplus,
    "occlusion": occlusion,
    "lime": lime,
}
"""The methods every supported model takes (Dense stacks and CNNs)."""

CONV_METHODS: dict[str, Method] = {
    "gradcam": gradcam,
}
"""Methods that need a convolutional layer (not in :data:`METHODS`, which every model takes)."""

ABLATION: dict[str, Method] = {
    "modulex_without_bias": modulex_without_bias,
    "modulex_gated": modulex_gated,
    "modulex_lrp0": modulex_lrp0,
}
"""ModuleX with one term of its rule changed at a time (:mod:`.ablation`); ModuleX as written
is ``METHODS["modulex"]``."""

EVERY: dict[str, Method] = {**METHODS, **CONV_METHODS, **ABLATION, **FLOORS}
"""Every map :func:`explain_with` can make, by name."""

METHOD_INFO: dict[str, dict[str, Any]] = {
    "modulex": {
        "label": "ModuleX",
        "family": "rule",
        "signed": True,
        "about": (
            "the thesis' rule: H_i = X_i * ((H_{i+1} - b_i) @ W_i.T), from the target's probability"
        ),
        "outputs": ("probability",),
    },
    "saliency": {
        "label": "Saliency",
        "family": "gradient",
        "signed": False,
        "about": "|gradient| of the score",
    },
    "gradient_x_input": {
        "label": "Gradient x input",
        "family": "gradient",
        "signed": True,
        "about": "pixel value times the gradient",
    },
    "integrated_gradients": {
        "label": "Integrated Gradients",
        "family": "gradient",
        "signed": True,
        "about": "gradients along the path from a black image; sums to the score's change",
    },
    "smoothgrad": {
        "label": "SmoothGrad",
        "family": "gradient",
        "signed": True,
        "about": "gradient averaged over noisy copies",
    },
    "guided_backprop": {
        "label": "Guided backprop",
        "family": "modified gradient",
        "signed": True,
        "about": "ReLUs pass back only positive signals of active units",
    },
    "deconvnet": {
        "label": "DeconvNet",
        "family": "modified gradient",
        "signed": True,
        "about": "ReLUs pass back the positive part of the signal",
    },
    "lrp_epsilon": {
        "label": "LRP-ε",
        "family": "relevance",
        "signed": True,
        "about": "relevance split by each unit's share of the pre-activation",
    },
    "lrp_zplus": {
        "label": "LRP-z⁺",
        "family": "relevance",
        "signed": True,
        "about": "relevance along positive weights only",
    },
    "gradcam": {
        "label": "Grad-CAM",
        "family": "gradient",
        "signed": False,
        "about": "last convolution's feature maps weighted by their mean gradient (logit)",
        "outputs": ("logit",),
    },
    "occlusion": {
        "label": "Occlusion",
        "family": "perturbation",
        "signed": True,
        "about": "fall of the score when a 4x4 patch turns black",
    },
    "lime": {
        "label": "LIME",
        "family": "perturbation",
        "signed": True,
        "about": "ridge surrogate over 4x4 patches switched on and off",
    },
    "modulex_without_bias": {
        "label": "ModuleX without biases",
        "family": "ModuleX ablation",
        "signed": True,
        "about": "ModuleX without its bias terms: H_i = X_i * (H_{i+1} @ W_i.T)",
        "outputs": ("probability",),
    },
    "modulex_gated": {
        "label": "ModuleX, ReLU gates for layer inputs (= p·gradient×input)",
        "family": "ModuleX ablation",
        "signed": True,
        "about": "no bias, each hidden layer's input replaced by its ReLU gate",
        "outputs": ("probability",),
    },
    "modulex_lrp0": {
        "label": "ModuleX normalised by z (= p·LRP-0)",
        "family": "ModuleX ablation",
        "signed": True,
        "about": "no bias subtraction, each hidden layer normalised by its pre-activations",
        "outputs": ("probability",),
    },
    "random": {
        "label": "Random map (floor)",
        "family": "floor",
        "signed": True,
        "about": "seeded uniform noise in [-1, 1]: the chance level (ignores the model)",
    },
    "input": {
        "label": "Input as map (floor)",
        "family": "floor",
        "signed": False,
        "about": "the image itself: where the ink is (ignores the model)",
    },
    "edges": {
        "label": "Edge detector (Sobel, floor)",
        "family": "floor",
        "signed": False,
        "about": "Sobel edges of the image (ignores the model)",
    },
}
"""Per method: a display label, its family, whether maps are signed, and one line about it."""


def outputs(name: str) -> tuple[str, ...]:
    """The scores method ``name`` can explain (``"probability"``, ``"logit"``)."""
    return tuple(METHOD_INFO[name].get("outputs", OUTPUTS))


def method_label(name: str) -> str:
    """A method's readable name (``integrated_gradients`` -> "Integrated Gradients")."""
    info = METHOD_INFO.get(name)
    return info["label"] if info else name.replace("_", " ")


def _method(name: str):
    method = EVERY.get(name)
    if method is None:
        raise ValueError(f"unknown method {name!r}; choose from {', '.join(EVERY)}")
    return method


def explain_with(
    name: str, model, images, target: TargetLike = None, contrast: ContrastLike = None, **options
) -> np.ndarray:
    """Call method ``name`` (from any table above) by its name; every method takes the same
    arguments (see the module docstring)."""
    return _method(name)(model, images, target, contrast=contrast, **options)
