"""Grad-CAM on the last convolutional layer, in numpy.

For the last convolution's feature maps ``A_k`` (after its ReLU) and the class score ``y``
(the target's logit, or the target's logit minus the contrast class's, "why A and not B"),
each channel's weight is the mean gradient ``alpha_k = mean_ij dy/dA_k[i, j]``, and the map is
``ReLU(sum_k alpha_k A_k)``, upsampled bilinearly from the feature grid to 28x28.

Ref. R. R. Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via
Gradient-based Localization", ICCV 2017, https://arxiv.org/abs/1610.02391
"""

from __future__ import annotations

import numpy as np

from core.explain.targets import resolve_targets
from core.inputs.preprocess import to_model_input
from core.models.layer_stack import WEIGHTED, layer_stack
from core.types import TargetLike


def gradcam(
    model, images, target: TargetLike = None, contrast: TargetLike = None, relu: bool = True
) -> np.ndarray:
    """Grad-CAM maps, float32 ``[n, 28, 28]``, of a convolutional model.

    Parameters
    ----------
    model : keras.Model
        A Sequential stack with at least one Conv2D layer (see :func:`core.models.layer_stack.layer_stack`).
    images : array ``[n, 28, 28]`` or ``[28, 28]``, uint8 0-255 or float 0-1.
    target : class to explain; default the predicted class.
    contrast : optional class argued against: the score becomes ``logit[target] - logit[contrast]``.
    relu : keep only the positive evidence (standard Grad-CAM); ``False`` keeps the sign.

    Raises
    ------
    ValueError
        When the model has no convolutional layer (Grad-CAM needs feature maps).
    """
    x = to_model_input(images)
    stack = layer_stack(model)
    last_conv = stack.last_conv_index()
    layer_inputs, logits, probabilities = stack.forward(x.reshape(len(x), *stack.input_shape))
    n, n_classes = probabilities.shape
    targets = resolve_targets(target, n, n_classes, probabilities.argmax(axis=1))
    gradient = np.zeros_like(logits)
    gradient[np.arange(n), targets] = 1.0
    if contrast is not None:
        gradient[np.arange(n), resolve_targets(contrast, n, n_classes, targets)] -= 1.0
    for index in range(len(stack.layers) - 1, last_conv, -1):
        layer = stack.layers[index]
        if (
            isinstance(layer, WEIGHTED)
            and index < len(stack.layers) - 1
            and layer.activation == "relu"
        ):
            gradient = gradient * (layer_inputs[index + 1] > 0)
        gradient = layer.adjoint(gradient, layer_inputs[index])
    features = layer_inputs[last_conv + 1]  # the last convolution's output, after its ReLU
    weights = gradient.mean(axis=(1, 2))
    cam = np.einsum("nhwc,nc->nhw", features, weights)
    if relu:
        cam = np.maximum(cam, 0)
    return resize_bilinear(cam, x.shape[1:]).astype(np.float32)


def resize_bilinear(maps: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of ``[n, h, w]`` maps to ``[n, *shape]``, corners aligned."""
    rows = np.linspace(0, maps.shape[1] - 1, shape[0])
    columns = np.linspace(0, maps.shape[2] - 1, shape[1])
    r0 = (
        np.minimum(rows.astype(int), maps.shape[1] - 2)
        if maps.shape[1] > 1
        else np.zeros(shape[0], int)
    )
    c0 = (
        np.minimum(columns.astype(int), maps.shape[2] - 2)
        if maps.shape[2] > 1
        else np.zeros(shape[1], int)
    )
    r1, c1 = np.minimum(r0 + 1, maps.shape[1] - 1), np.minimum(c0 + 1, maps.shape[2] - 1)
    fr, fc = (rows - r0)[None, :, None], (columns - c0)[None, None, :]
    top = maps[:, r0][:, :, c0] * (1 - fc) + maps[:, r0][:, :, c1] * fc
    bottom = maps[:, r1][:, :, c0] * (1 - fc) + maps[:, r1][:, :, c1] * fc
    return top * (1 - fr) + bottom * fr
