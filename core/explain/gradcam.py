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

from core.explain.backends import NumpyEngine
from core.explain.common import check_batch_size, prepare
from core.explain.walker import GRADIENT, propagate
from core.types import TargetLike

GRADCAM_BATCH_SIZE = 1024


def gradcam(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    relu: bool = True,
    output: str = "logit",
    batch_size: int = GRADCAM_BATCH_SIZE,
) -> np.ndarray:
    """Grad-CAM maps, float32 ``[n, 28, 28]``, of a convolutional model.

    Parameters
    ----------
    model : keras.Model
        A Sequential stack with at least one Conv2D layer
        (see :func:`core.models.layer_stack.layer_stack`).
    images : array ``[n, 28, 28]`` or ``[28, 28]``, uint8 0-255 or float 0-1.
    target : class to explain (int, ints per image, one-hot rows); default the predicted class.
    contrast : optional class argued against (or ``"other"`` on two classes): the score becomes
        ``logit[target] - logit[contrast]``.
    relu : keep only the positive evidence (standard Grad-CAM); ``False`` keeps the sign.
    output : Grad-CAM explains the logit only (``"logit"``).
    batch_size : images run at once.

    Raises
    ------
    ValueError
        When the model has no convolutional layer (Grad-CAM needs feature maps).
    """
    if output != "logit":
        raise ValueError("Grad-CAM explains the target's logit only (output='logit')")
    request = prepare(model, images, target, contrast, "logit", engine="numpy")
    assert isinstance(request.engine, NumpyEngine)  # engine="numpy" gives one or raises
    stack = request.engine.stack
    last_conv = stack.last_conv_index()
    batch_size = check_batch_size(batch_size)
    cams = []
    for start in range(0, request.n, batch_size):
        rows = slice(start, start + batch_size)
        layer_inputs, _, _ = stack.forward(request.x[rows])
        # the gradient of the score at the last convolution's output (after its ReLU)
        gradient = propagate(stack, layer_inputs, request.selector[rows], GRADIENT, last_conv + 1)
        features = layer_inputs[last_conv + 1]
        cams.append(np.einsum("nhwc,nc->nhw", features, gradient.mean(axis=(1, 2))))
    cam = np.concatenate(cams) if cams else np.zeros((0, 1, 1), np.float32)
    if relu:
        cam = np.maximum(cam, 0)
    return resize_bilinear(cam, request.shape[1:]).astype(np.float32)


def resize_bilinear(maps: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
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
