"""ModuleX on convolutional stacks: Conv2D, max / average pooling, Flatten, Dense.

The rule is the thesis' Dense rule, layer by layer from the last to the first::

    Dense, Conv2D:  H_i = X_i * ((H_{i+1} - b_i) @ W_i.T)     (for Conv2D, ``@ W_i.T`` is the
                                                              transposed convolution)
    pooling:        H_i = X_i * P_i.T(H_{i+1} / X_{i+1})      (``P_i.T`` routes back as the
                                                              pooling's gradient does)
    Flatten:        H_i = H_{i+1} reshaped

A convolution is a Dense layer whose kernel repeats the same small filter at every position,
so the transposed convolution is exactly its ``W.T`` (the tests check it on a convolution
whose kernel covers the whole image). Pooling has no weights or bias of its own: for a given
input it is a fixed linear map, and folding it into the next layer's kernel turns "pooling,
then Dense" into one Dense layer. The pooling rule above is what the Dense rule gives on that
folded layer: max pooling hands each pooled importance to the input that won its window,
average pooling shares it among the window's inputs in proportion to their values, and the sum
of the importance is kept either way.

Dense-only models keep the numpy path of :mod:`.modulex_rule` (:func:`predict_and_explain`
dispatches on the model's layers).
"""

from __future__ import annotations

import numpy as np

from core.explain import modulex_rule
from core.explain.modulex_rule import MODES, _output_importance
from core.inputs.preprocess import to_model_input
from core.models.layer_stack import WEIGHTED, LayerStack, Pool, Reshape, layer_stack
from core.models.network import is_dense_stack
from core.types import TargetLike


def predict_and_explain(
    model, images, mode: str = "target", target: TargetLike = None, contrast: TargetLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and ModuleX maps for any supported model (Dense or convolutional stack).

    Same arguments and results as :func:`core.explain.modulex_rule.predict_and_explain`; Dense
    stacks take its fast path unchanged.
    """
    if is_dense_stack(model):
        return modulex_rule.predict_and_explain(
            model, images, mode=mode, target=target, contrast=contrast
        )
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    x = to_model_input(images)
    stack = layer_stack(model)
    layer_inputs, _, probabilities = stack.forward(x.reshape(len(x), *stack.input_shape))
    top = _output_importance(probabilities, mode, target, contrast)
    # As on Dense stacks, the contrast map is linear in H_n, so the bias terms cancel.
    maps = propagate_through_layers(top, stack, layer_inputs, use_bias=mode != "contrast")
    return probabilities, maps.reshape(x.shape)


def modulex(
    model, images, mode: str = "target", target: TargetLike = None, contrast: TargetLike = None
) -> np.ndarray:
    """ModuleX importance maps, float32 ``[n, 28, 28]``, for Dense and convolutional models.

    Parameters
    ----------
    model : keras.Model
        A Sequential stack of Flatten / Reshape / Dense / Conv2D / MaxPooling2D /
        AveragePooling2D layers; read, never modified.
    images : array ``[n, 28, 28]`` (or one ``[28, 28]`` image), uint8 0-255 or float 0-1.
    mode : {"thesis", "target", "contrast"}
    target, contrast : int, ints per image, one-hot rows, or None
        See :func:`core.explain.modulex_rule.predict_and_explain`; a model with more than two
        classes needs ``contrast=`` in contrast mode.

    Returns
    -------
    maps : float32 ``[n, 28, 28]``, signed.

    Ref. O. Izchak, "Image Classification Explainability Research" (ModuleX), MSc thesis,
    The Academic College of Tel Aviv-Yaffo, 2022 (the Dense rule; its extension to
    convolution and pooling is this project's, see the module docstring).
    """
    return predict_and_explain(model, images, mode=mode, target=target, contrast=contrast)[1]


def propagate_through_layers(
    top: np.ndarray, stack: LayerStack, layer_inputs: list[np.ndarray], use_bias: bool = True
) -> np.ndarray:
    """Walk ``H_n`` (``top``, ``[n, classes]``) back to the input, layer by layer (see module doc)."""
    importance = top
    for index in reversed(range(len(stack.layers))):
        layer, x = stack.layers[index], layer_inputs[index]
        if isinstance(layer, Reshape):
            importance = layer.adjoint(importance, x)
        elif isinstance(layer, Pool):
            importance = pooling_rule(layer, importance, x, layer_inputs[index + 1])
        elif isinstance(layer, WEIGHTED):
            if use_bias:
                importance = importance - layer.bias
            importance = x * layer.adjoint(importance, x)
    return importance.astype(np.float32, copy=False)


def pooling_rule(
    pool: Pool, importance: np.ndarray, x: np.ndarray, pooled: np.ndarray
) -> np.ndarray:
    """``H_i = X_i * P.T(H_{i+1} / X_{i+1})``: each pooled importance back to the window's inputs,
    in proportion to what each contributed (max: all to the winner). Where the pooled value is
    0, so is its importance (every ``H`` is a product with its layer's input)."""
    share = np.divide(importance, pooled, out=np.zeros_like(importance), where=pooled != 0)
    return x * pool.adjoint(share, x)
