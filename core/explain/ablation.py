"""The ModuleX ablation: ModuleX with one term of its rule changed at a time, each a method
with the one contract (:mod:`core.explain.registry`).

Each variant is a rule over the shared backward walk (:mod:`core.explain.walker`), so it runs
on Dense stacks and CNNs alike; ``H_n`` is the target's probability (the other classes 0), or
with ``contrast`` the target's probability minus the contrasted class's, as in ModuleX's
contrast mode. Every rule here is linear in ``H_n``, so a contrast map is the target's map
minus the other class's. ModuleX as written is :func:`core.explain.modulex.modulex` itself.
"""

from __future__ import annotations

import numpy as np

from core.explain.modulex import MODULEX_BATCH_SIZE, mode_and_contrast, walk
from core.explain.walker import GRADIENT, Epsilon, ModuleX, SplitAtOutput
from core.types import TargetLike

ABLATION_RULES = {
    "modulex_without_bias": ModuleX(bias=False),
    # the hidden layers' inputs replaced by their ReLU gate: the gradient walk, times the pixels
    "modulex_gated": GRADIENT,
    # each hidden layer normalised by its pre-activations (LRP-0); the output layer keeps the
    # sign of H_n (no division by the logit)
    "modulex_lrp0": SplitAtOutput(ModuleX(bias=False), Epsilon(epsilon=0.0, bias=True)),
}


def _variant(
    name: str, model, images, target, contrast, output: str, batch_size: int
) -> np.ndarray:
    if output != "probability":
        raise ValueError(f"{name} explains the target's probability only (no output={output!r})")
    mode, contrast = mode_and_contrast("target", contrast)
    rule = ABLATION_RULES[name]
    return walk(model, images, target, mode, contrast, batch_size, rule, rule is GRADIENT)[1]


def modulex_without_bias(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = MODULEX_BATCH_SIZE,
) -> np.ndarray:
    """ModuleX without its bias terms: ``H_i = X_i * (H_{i+1} @ W_i.T)``."""
    return _variant("modulex_without_bias", model, images, target, contrast, output, batch_size)


def modulex_gated(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = MODULEX_BATCH_SIZE,
) -> np.ndarray:
    """No bias, and the hidden layers' inputs replaced by their ReLU gate: the target's
    probability times gradient x input of its logit."""
    return _variant("modulex_gated", model, images, target, contrast, output, batch_size)


def modulex_lrp0(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = MODULEX_BATCH_SIZE,
) -> np.ndarray:
    """No bias subtraction, each hidden layer normalised by its pre-activations: LRP-0 of the
    target's logit, times its probability."""
    return _variant("modulex_lrp0", model, images, target, contrast, output, batch_size)
