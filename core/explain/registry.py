"""What the dashboard and the report need to know about each method, and one call for any of them."""

from __future__ import annotations

import inspect

import numpy as np

from core.types import TargetLike

METHOD_INFO = {
    "modulex": {
        "label": "ModuleX",
        "family": "rule",
        "signed": True,
        "about": "the thesis' rule: H_i = X_i * ((H_{i+1} - b_i) @ W_i.T), from the target's probability",
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


def accepts(name: str, option: str) -> bool:
    """Whether method ``name`` takes keyword ``option`` (``contrast`` always works, see :func:`explain_with`)."""
    from core.explain import METHODS

    return option in inspect.signature(METHODS[name]).parameters


def explain_with(
    name: str, model, images, target: TargetLike = None, contrast: TargetLike = None, **options
) -> np.ndarray:
    """Call method ``name`` with the same arguments whatever it is.

    ``contrast`` (a class, or ``"other"`` on a two-class model) becomes ModuleX's contrast
    mode for ``"modulex"``; other options go to the method as they are.
    """
    from core.explain import METHODS

    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; choose from {', '.join(METHODS)}")
    method = METHODS[name]
    if name == "modulex":
        if options.pop("output", "probability") != "probability":
            raise ValueError("ModuleX explains the target's probability only (no output='logit')")
        if contrast is not None:
            return method(
                model,
                images,
                mode="contrast",
                target=target,
                contrast=None if isinstance(contrast, str) else contrast,
                **options,
            )
        return method(model, images, target=target, **options)
    if contrast is not None:
        options["contrast"] = contrast
    return method(model, images, target=target, **options)
