"""Class probabilities of any model, without ``model.predict``'s overhead."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only
    import keras

from core.inputs.preprocess import to_model_input
from core.models.layer_stack import UnsupportedModelError, layer_stack


def predict(model: keras.Model, images, batch_size: int = 4096) -> np.ndarray:
    """Class probabilities ``[n, classes]`` float32, without ``model.predict``'s overhead.

    Dense stacks and convolutional stacks (:mod:`core.models.layer_stack`) run in numpy; other
    models are called directly, in bounded batches.
    """
    x = to_model_input(images)
    run = _numpy_forward(model)
    outputs = []
    for start in range(0, len(x), batch_size):
        chunk = x[start : start + batch_size]
        if run is not None:
            outputs.append(run(chunk))
        else:
            outputs.append(np.asarray(model(chunk, training=False), dtype=np.float32))
    if not outputs:
        classes = model.output_shape[-1] if run is None else layer_stack(model).n_classes
        return np.zeros((0, classes), dtype=np.float32)
    return np.concatenate(outputs).astype(np.float32, copy=False)


def _numpy_forward(model):
    """A numpy function images -> probabilities for the model, or None if it has none."""
    try:
        layers = layer_stack(model)
    except UnsupportedModelError:
        return None
    return lambda chunk: layers.forward(chunk)[2]
