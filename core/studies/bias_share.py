"""How much of a ModuleX target map does not depend on the target at all.

The rule subtracts the bias at every layer, and it is affine in ``H_n`` for a given image:
``map(H_n) = linear(H_n) + map(0)``. The part ``map(0)`` comes from the biases alone and is
the same whatever class is explained; contrast maps cancel it exactly.
"""

from __future__ import annotations

import numpy as np

from core.explain.walker import ModuleX, propagate
from core.inputs.preprocess import to_model_input
from core.metrics.common import pearson_rows
from core.models.layer_stack import dense_stack


def bias_share(model, images) -> dict:
    """Per-image statistics of the target-independent part, averaged over ``images``.

    Returns the mean Pearson correlation between the two classes' target maps, the mean share
    ``|bias part| / (|bias part| + |target part|)`` of the predicted class's map (0: no bias
    influence, 0.5: both parts equally large), and how often the bias part is the larger one.
    """
    x = to_model_input(images)
    stack = dense_stack(model)
    n = len(x)
    layer_inputs, _, probabilities = stack.forward(x)
    rule = ModuleX(bias=True)
    bias_only = propagate(stack, layer_inputs, np.zeros_like(probabilities), rule).reshape(n, -1)
    target_maps = []
    for label in range(probabilities.shape[1]):
        top = np.zeros_like(probabilities)
        top[:, label] = probabilities[:, label]
        target_maps.append(propagate(stack, layer_inputs, top, rule).reshape(n, -1))
    first, second = target_maps[0], target_maps[1]
    correlation = pearson_rows(first, second)
    predicted = probabilities.argmax(axis=1)
    explained = np.where(predicted[:, None] == 0, first, second)
    target_part = explained - bias_only
    bias_norm = np.linalg.norm(bias_only, axis=1)
    target_norm = np.linalg.norm(target_part, axis=1)
    return {
        "images": n,
        "correlation_between_class_maps": float(np.nanmean(correlation)),
        "bias_share": float(np.mean(bias_norm / np.maximum(bias_norm + target_norm, 1e-30))),
        "bias_part_larger": float(np.mean(bias_norm > target_norm)),
    }
