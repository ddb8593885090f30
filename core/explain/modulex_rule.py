"""ModuleX, the thesis' importance rule, on stacks of Dense layers.

For each Dense layer i, from the last to the first::

    H_i = X_i * ((H_{i+1} - b_i) @ W_i.T)

``X_i`` is the layer's input, ``b_i`` its bias, ``W_i`` its kernel (inputs x outputs),
``H_n`` the network's output and ``H_0`` the explained image: one signed value per pixel.

Ref. O. Izchak, "Image Classification Explainability Research" (ModuleX), MSc thesis,
The Academic College of Tel Aviv-Yaffo, 2022.
"""

from __future__ import annotations

import numpy as np

from core.explain.targets import resolve_contrast, resolve_targets
from core.inputs.preprocess import to_model_input
from core.models.network import dense_stack
from core.types import TargetLike

MODES = ("thesis", "target", "contrast")
MODE_DESCRIPTIONS = {
    "thesis": "H_n is the whole output vector, as in the thesis.",
    "target": "H_n keeps only the target class's probability; the other classes are set to 0.",
    "contrast": "target map minus the map of the class argued against: why A and not B.",
}


def predict_and_explain(
    model,
    images,
    mode: str = "target",
    target: TargetLike = None,
    contrast: TargetLike = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities and ModuleX maps from a single forward pass.

    Parameters
    ----------
    model : keras.Model
        A stack of Dense layers (with Flatten); read, never modified.
    images : array ``[n, 28, 28]`` (or one ``[28, 28]`` image)
        uint8 0-255 or float 0-1.
    mode : {"thesis", "target", "contrast"}
        ``"thesis"``: ``H_n`` is the output vector. ``"target"``: every class but the target
        zeroed (the rule still subtracts every class's bias). ``"contrast"``: target map minus
        the ``contrast`` class's map; the bias terms cancel exactly.
    target, contrast : int, ints per image, one-hot rows, or None
        Default target: the predicted class. Default contrast on two classes: the other one.

    Returns
    -------
    probabilities : float32 ``[n, classes]``
    maps : float32 ``[n, 28, 28]``, signed as the rule computes it (no rescaling).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    x = to_model_input(images)
    stack = dense_stack(model)
    flat = x.reshape(len(x), -1)
    if len(flat) <= CHUNK:
        probabilities, maps = _explain_flat(stack, flat, mode, target, contrast)
        return probabilities, maps.reshape(x.shape)
    probabilities = np.empty((len(flat), stack.n_classes), np.float32)
    maps = np.empty_like(flat)
    # Bounded chunks keep the n x 784 temporaries small (4,096 images in one go were ~1.5x slower).
    for start in range(0, len(flat), CHUNK):
        stop = start + CHUNK
        rows = (_rows(target, start, stop, len(flat)), _rows(contrast, start, stop, len(flat)))
        probabilities[start:stop], maps[start:stop] = _explain_flat(
            stack, flat[start:stop], mode, *rows
        )
    return probabilities, maps.reshape(x.shape)


CHUNK = 1024


def _rows(choice: TargetLike, start: int, stop: int, n: int) -> TargetLike:
    """The part of a per-image target (or contrast) argument that belongs to rows start:stop."""
    if choice is None or np.ndim(choice) == 0:
        return choice
    array = np.asarray(choice)
    return array[start:stop] if len(array) == n else array


def _explain_flat(
    stack, flat: np.ndarray, mode: str, target: TargetLike, contrast: TargetLike
) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass and ModuleX backward pass for flat inputs ``[n, features]``."""
    layer_inputs, _, probabilities = stack.forward(flat)
    top = _output_importance(probabilities, mode, target, contrast)
    # In contrast mode the map is linear in H_n, so the bias terms of the two maps cancel.
    biases = None if mode == "contrast" else stack.biases
    return probabilities, propagate_importance(top, layer_inputs, stack.kernels, biases)


def propagate_importance(top: np.ndarray, layer_inputs, kernels, biases=None) -> np.ndarray:
    """Apply ``H_i = X_i * ((H_{i+1} - b_i) @ W_i.T)`` from the last layer to the first.

    ``top`` is ``H_n`` ``[n, outputs]``; ``layer_inputs[i]`` is ``X_i``; ``biases=None`` drops
    the bias terms (what is left in contrast mode). Returns ``H_0`` ``[n, inputs]``.
    """
    importance = top
    for index in reversed(range(len(kernels))):
        if biases is not None:
            importance = importance - biases[index]
        importance = importance @ kernels[index].T
        importance *= layer_inputs[index]
    return importance


def modulex(
    model, images, mode: str = "target", target: TargetLike = None, contrast: TargetLike = None
) -> np.ndarray:
    """ModuleX importance maps, float32 ``[n, 28, 28]``; see :func:`predict_and_explain`."""
    return predict_and_explain(model, images, mode=mode, target=target, contrast=contrast)[1]


def _output_importance(
    probabilities: np.ndarray, mode: str, target: TargetLike, contrast: TargetLike
) -> np.ndarray:
    if mode == "thesis":
        return probabilities
    n, n_classes = probabilities.shape
    rows = np.arange(n)
    targets = resolve_targets(target, n, n_classes, probabilities.argmax(axis=1))
    top = np.zeros_like(probabilities)
    top[rows, targets] = probabilities[rows, targets]
    if mode == "contrast":
        others = resolve_contrast(contrast, targets, n_classes)
        top[rows, others] -= probabilities[rows, others]
    return top
