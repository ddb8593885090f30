"""Explanation methods, one call for all: ``method(model, images, target=None, **options)``.

Every method returns float32 maps shaped like the images, ``[n, 28, 28]``. :data:`METHODS`
maps each method's name to its callable; the dashboard builds its menus from it.
"""

from __future__ import annotations

from core.explain.gradcam import gradcam
from core.explain.gradients import (
    deconvnet,
    gradient_x_input,
    guided_backprop,
    integrated_gradients,
    saliency,
    smoothgrad,
)
from core.explain.lrp_rules import lrp_epsilon, lrp_zplus
from core.explain.modulex_layers import modulex, predict_and_explain
from core.explain.modulex_rule import MODE_DESCRIPTIONS, MODES
from core.explain.perturbation import lime, occlusion
from core.explain.registry import METHOD_INFO, explain_with

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

CONV_METHODS = {
    "gradcam": gradcam,
}
"""Methods that need a convolutional layer (kept out of :data:`METHODS`, which every model takes)."""

__all__ = [
    "CONV_METHODS",
    "METHODS",
    "METHOD_INFO",
    "MODES",
    "MODE_DESCRIPTIONS",
    "deconvnet",
    "explain_with",
    "gradcam",
    "gradient_x_input",
    "guided_backprop",
    "integrated_gradients",
    "lime",
    "lrp_epsilon",
    "lrp_zplus",
    "modulex",
    "occlusion",
    "predict_and_explain",
    "saliency",
    "smoothgrad",
]
