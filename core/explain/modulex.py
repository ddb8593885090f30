"""ModuleX, the thesis' importance rule, on Dense stacks and convolutional ones.

For each weighted layer i, from the last to the first::

    Dense, Conv2D:  H_i = X_i * ((H_{i+1} - b_i) @ W_i.T)     (for Conv2D, ``@ W_i.T`` is the
                                                              transposed convolution)
    pooling:        H_i = X_i * P_i.T(H_{i+1} / X_{i+1})      (``P_i.T`` routes back as the
                                                              pooling's gradient does)
    Flatten:        H_i = H_{i+1} reshaped

``X_i`` is the layer's input, ``b_i`` its bias, ``W_i`` its kernel (inputs x outputs), ``H_n``
the network's output and ``H_0`` the explained image: one signed value per pixel. The walk is
the shared one (:func:`core.explain.walker.propagate` with the :class:`~core.explain.walker.ModuleX`
rule).

A convolution is a Dense layer whose kernel repeats the same small filter at every position,
so the transposed convolution is exactly its ``W.T`` (the tests check it on a convolution
whose kernel covers the whole image). Pooling has no weights or bias of its own: for a given
input it is a fixed linear map, and folding it into the next layer's kernel turns "pooling,
then Dense" into one Dense layer. The pooling rule above is what the Dense rule gives on that
folded layer: max pooling hands each pooled importance to the input that won its window,
average pooling shares it among the window's inputs in proportion to their values, and the sum
of the importance is kept either way.

Ref. O. Izchak, "Image Classification Explainability Research" (ModuleX), MSc thesis,
The Academic College of Tel Aviv-Yaffo, 2022 (the Dense rule; its extension to convolution and
pooling is this project's).
"""

from __future__ import annotations

import numpy as np

from core.explain.targets import resolve_contrast, resolve_targets
from core.explain.walker import ModuleX, propagate
from core.inputs.preprocess import to_model_input
from core.models.layer_stack import layer_stack
from core.types import TargetLike

MODES = ("thesis", "target", "contrast")
MODE_DESCRIPTIONS = {
    "thesis": "H_n is the whole output vector, as in the thesis.",
    "target": "H_n keeps only the target class's probability; the other classes are set to 0.",
    "contrast": "target map minus the map of the class argued against: why A and not B.",
}
MODULEX_BATCH_SIZE = 1024
"""Images walked at once: bounded chunks keep the temporaries small (4,096 images in one go
were ~1.5x slower on the Dense network)."""


def predict_and_explain(
    model,
    images,
    target: TargetLike = None,
    *,
    mode: str = "target",
    contrast: TargetLike = None,
    batch_size: int = MODULEX_BATCH_SIZE,
) -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities and ModuleX maps from a single forward pass.

    Parameters
    ----------
    model : keras.Model
        A Sequential stack of Flatten / Reshape / Dense / Conv2D / MaxPooling2D /
        AveragePooling2D layers; read, never modified.
    images : array ``[n, 28, 28]`` (or one ``[28, 28]`` image), uint8 0-255 or float 0-1.
    target : int, ints per image, one-hot rows, or None (the predicted class)
    mode : {"thesis", "target", "contrast"}
        ``"thesis"``: ``H_n`` is the output vector. ``"target"``: every class but the target
        zeroed (the rule still subtracts every class's bias). ``"contrast"``: target map minus
        the ``contrast`` class's map; the bias terms cancel exactly. A ``contrast`` given in
        target mode turns it into contrast mode.
    contrast : int, ints per image, one-hot rows, ``"other"`` or None
        The class argued against; on two classes the default is the other one, a model with
        more classes needs it.
    batch_size : int
        Images walked at once (the maps do not depend on it).

    Returns
    -------
    probabilities : float32 ``[n, classes]``
    maps : float32 ``[n, 28, 28]``, signed as the rule computes it (no rescaling).
    """
    mode, contrast = mode_and_contrast(mode, contrast)
    # the contrast map is linear in H_n: its bias terms cancel
    return walk(model, images, target, mode, contrast, batch_size, ModuleX(bias=mode != "contrast"))


def walk(
    model,
    images,
    target: TargetLike,
    mode: str,
    contrast: TargetLike,
    batch_size: int,
    rule,
    times_input: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and the maps of ``rule`` walked back from ``H_n`` of ``mode`` (see
    :func:`predict_and_explain`), in chunks of ``batch_size`` images; ``times_input``
    multiplies each map by the image (a gradient rule then gives gradient x input)."""
    batch_size = int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    x = to_model_input(images)
    stack = layer_stack(model)
    n = len(x)
    if n <= batch_size:
        probabilities, maps = _explain(stack, x, mode, target, contrast, rule, times_input)
        return probabilities, maps.reshape(x.shape)
    probabilities = np.empty((n, stack.n_classes), np.float32)
    maps = np.empty(x.shape, np.float32)
    for start in range(0, n, batch_size):
        stop = start + batch_size
        rows = (_rows(target, start, stop, n), _rows(contrast, start, stop, n))
        probabilities[start:stop], chunk = _explain(
            stack, x[start:stop], mode, *rows, rule, times_input
        )
        maps[start:stop] = chunk.reshape(-1, *x.shape[1:])
    return probabilities, maps


def modulex(
    model,
    images,
    target: TargetLike = None,
    *,
    mode: str = "target",
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = MODULEX_BATCH_SIZE,
) -> np.ndarray:
    """ModuleX importance maps, float32 ``[n, 28, 28]``, signed; see :func:`predict_and_explain`.

    ModuleX explains the target's probability only (``output="probability"``).
    """
    if output != "probability":
        raise ValueError("ModuleX explains the target's probability only (no output='logit')")
    return predict_and_explain(
        model, images, target, mode=mode, contrast=contrast, batch_size=batch_size
    )[1]


def mode_and_contrast(mode: str, contrast: TargetLike) -> tuple[str, TargetLike]:
    """The mode a call really asks for, and its contrast class: a ``contrast`` (a class, classes
    per image or ``"other"``, which becomes None: the other of two) turns target mode into
    contrast mode; the thesis mode takes none."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if isinstance(contrast, str):
        if contrast != "other":
            raise ValueError(
                f"contrast must be a class, classes per image or 'other', not {contrast!r}"
            )
        if mode == "thesis":
            raise ValueError("the thesis mode explains the whole output: no contrast")
        return "contrast", None
    if contrast is not None:
        if mode == "thesis":
            raise ValueError("the thesis mode explains the whole output: no contrast")
        return "contrast", contrast
    return mode, contrast


def _rows(choice: TargetLike, start: int, stop: int, n: int) -> TargetLike:
    """The part of a per-image target (or contrast) argument that belongs to rows start:stop."""
    if choice is None or np.ndim(choice) == 0:
        return choice
    array = np.asarray(choice)
    return array[start:stop] if len(array) == n else array


def _explain(
    stack, x: np.ndarray, mode: str, target, contrast, rule, times_input: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass and the rule's walk for one chunk of images."""
    layer_inputs, _, probabilities = stack.forward(x)
    top = output_importance(probabilities, mode, target, contrast)
    maps = propagate(stack, layer_inputs, top, rule)
    if times_input:
        maps = maps * layer_inputs[0]
    return probabilities, maps.astype(np.float32, copy=False)


def output_importance(
    probabilities: np.ndarray, mode: str, target: TargetLike = None, contrast: TargetLike = None
) -> np.ndarray:
    """``H_n`` ``[n, classes]`` of each mode (see :func:`predict_and_explain`)."""
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
