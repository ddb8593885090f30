"""Explanation methods, one call for all: ``method(model, images, target=None, *,
contrast=None, output=..., batch_size=..., **options)``.

Every method returns float32 maps shaped like the images, ``[n, 28, 28]``. :data:`METHODS`
maps each method's name to its callable (:mod:`.registry`, which also holds the tables of
Grad-CAM, the ModuleX ablation and the reference floors); the dashboard builds its menus from
them. The methods that read the weights share one backward walk (:mod:`.walker`) over the one
numpy view of a model (:mod:`core.models.layer_stack`), with a rule object per method.
"""

from __future__ import annotations

from core.explain.ablation import modulex_gated, modulex_lrp0, modulex_without_bias
from core.explain.floors import FLOORS, edge_map, input_map, random_map
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
from core.explain.registry import (
    ABLATION,
    CONV_METHODS,
    EVERY,
    METHOD_INFO,
    METHODS,
    explain_with,
    method_label,
    outputs,
)

__all__ = [
    "ABLATION",
    "CONV_METHODS",
    "EVERY",
    "FLOORS",
    "METHODS",
    "METHOD_INFO",
    "MODES",
    "MODE_DESCRIPTIONS",
    "deconvnet",
    "edge_map",
    "explain_with",
    "gradcam",
    "gradient_x_input",
    "guided_backprop",
    "input_map",
    "integrated_gradients",
    "lime",
    "lrp",
    "lrp_epsilon",
    "lrp_zplus",
    "method_label",
    "modulex",
    "modulex_gated",
    "modulex_lrp0",
    "modulex_without_bias",
    "occlusion",
    "outputs",
    "predict_and_explain",
    "random_map",
    "saliency",
    "smoothgrad",
]
