"""Every explanation method by name, what the dashboard and the report need to know about
each, and one call for any of them.

The one contract: ``method(model, images, target=None, *, contrast=None, batch_size=...,
**options)`` -> float32 maps ``[n, 28, 28]``; ``target`` and ``contrast`` take an int, one int
per image or one-hot rows (``contrast`` also ``"other"`` on two classes).
"""

from __future__ import annotations

import numpy as np

from core.explain.common import OUTPUTS
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
from core.types import TargetLike

METHODS = {
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

CONV_METHODS = {
    "gradcam": gradcam,
}
"""Methods that need a convolutional layer (not in :data:`METHODS`, which every model takes)."""

METHOD_INFO = {
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
}
"""Per method: a display label, its family, whether maps are signed, and one line about it."""


def outputs(name: str) -> tuple[str, ...]:
    """The scores method ``name`` can explain (``"probability"``, ``"logit"``)."""
    return METHOD_INFO[name].get("outputs", OUTPUTS)


def _method(name: str):
    method = METHODS.get(name) or CONV_METHODS.get(name)
    if method is None:
        known = ", ".join([*METHODS, *CONV_METHODS])
        raise ValueError(f"unknown method {name!r}; choose from {known}")
    return method


def explain_with(
    name: str, model, images, target: TargetLike = None, contrast: TargetLike = None, **options
) -> np.ndarray:
    """Call method ``name`` (from :data:`METHODS` or :data:`CONV_METHODS`) by its name; every
    method takes the same arguments (see the module docstring)."""
    return _method(name)(model, images, target, contrast=contrast, **options)
