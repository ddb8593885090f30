"""Explanation methods, one call for all: ``method(model, images, target=None, *,
contrast=None, batch_size=..., **options)``.

Every method returns float32 maps shaped like the images, ``[n, 28, 28]``. :data:`METHODS`
maps each method's name to its callable (:mod:`.registry`); the dashboard builds its menus
from it. The methods that read the weights share one backward walk (:mod:`.walker`) over the
one numpy view of a model (:mod:`core.models.layer_stack`), with a rule object per method.
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
from core.explain.lrp import lrp, lrp_epsilon, lrp_zplus
from core.explain.modulex import MODE_DESCRIPTIONS, MODES, modulex, predict_and_explain
from core.explain.perturbation import lime, occlusion
from core.explain.registry import CONV_METHODS, METHOD_INFO, METHODS, explain_with

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
    "lrp",
    "lrp_epsilon",
    "lrp_zplus",
    "modulex",
    "occlusion",
    "predict_and_explain",
    "saliency",
    "smoothgrad",
]
