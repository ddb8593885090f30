"""A numpy view of a Keras stack of Dense layers, for fast forward and backward passes.

``model.predict`` costs ~50 ms per call and ``model(x)`` ~3 ms; the same maths in numpy takes
a few microseconds for one image. :func:`dense_stack` reads a model's weights once (cached per
model object) into read-only float32 arrays; the model itself is never touched.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import keras
import numpy as np

_ACTIVATIONS = ("linear", "relu", "softmax")


class UnsupportedModelError(ValueError):
    """The model is not a plain stack of Flatten / Dense layers."""


@dataclass(frozen=True)
class DenseStack:
    """Weights of a Flatten -> Dense ... Dense network: ``y = act(x @ kernel + bias)``."""

    kernels: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    activations: tuple[str, ...]
    input_shape: tuple[int, ...]

    @property
    def n_classes(self) -> int:
        return self.kernels[-1].shape[1]

    def forward(self, x: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """Run the network on flat float32 inputs ``[n, features]``.

        Returns the input of every Dense layer (``X_i``), the last layer's pre-activation
        scores (logits) and its output (probabilities when the last activation is softmax).
        """
        layer_inputs = []
        for kernel, bias, activation in zip(self.kernels, self.biases, self.activations):
            layer_inputs.append(x)
            z = x @ kernel
            z += bias
            x = _activate(z, activation)
        return layer_inputs, z, x


def _activate(z: np.ndarray, name: str) -> np.ndarray:
    if name == "relu":
        return np.maximum(z, 0, out=z)
    if name == "softmax":
        return softmax(z)
    return z


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


class PerModelCache:
    """Something read from a model once per model object (weak keys, so the model can be freed;
    thread-safe). Every such cache is dropped for a model by :func:`forget`."""

    _all: list[PerModelCache] = []

    def __init__(self, read):
        self._read = read
        self._values: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        PerModelCache._all.append(self)

    def get(self, model: keras.Model):
        with self._lock:
            value = self._values.get(model)
        if value is None:
            value = self._read(model)
            with self._lock:
                self._values[model] = value
        return value

    def drop(self, model: keras.Model) -> None:
        with self._lock:
            self._values.pop(model, None)


def dense_stack(model: keras.Model) -> DenseStack:
    """The model's Dense weights as read-only numpy arrays, read once per model object.

    Raises :class:`UnsupportedModelError` for anything but InputLayer / Flatten / Dense
    (Dropout is allowed: it does nothing at inference). If you change a model's weights after
    this call, call :func:`forget` on it.
    """
    return _dense_stacks.get(model)


def forget(model: keras.Model) -> None:
    """Drop every cached copy of ``model``'s weights (after training it further)."""
    for cache in PerModelCache._all:
        cache.drop(model)


def is_dense_stack(model: keras.Model) -> bool:
    try:
        dense_stack(model)
    except UnsupportedModelError:
        return False
    return True


def _read_dense_stack(model: keras.Model) -> DenseStack:
    kernels, biases, activations = [], [], []
    for layer in model.layers:
        if isinstance(layer, (keras.layers.InputLayer, keras.layers.Flatten, keras.layers.Dropout)):
            continue
        if not isinstance(layer, keras.layers.Dense):
            raise UnsupportedModelError(
                f"layer {layer.name!r} ({type(layer).__name__}) is not Dense"
            )
        kernel = np.array(layer.kernel.numpy(), dtype=np.float32)
        bias = (
            np.array(layer.bias.numpy(), dtype=np.float32)
            if layer.use_bias
            else np.zeros(kernel.shape[1], dtype=np.float32)
        )
        activation = getattr(layer.activation, "__name__", str(layer.activation))
        if activation not in _ACTIVATIONS:
            raise UnsupportedModelError(
                f"layer {layer.name!r}: activation {activation!r} not supported"
            )
        for array in (kernel, bias):
            array.flags.writeable = False
        kernels.append(kernel)
        biases.append(bias)
        activations.append(activation)
    if not kernels:
        raise UnsupportedModelError("the model has no Dense layer")
    if "softmax" in activations[:-1]:
        raise UnsupportedModelError("softmax is only supported on the last layer")
    return DenseStack(
        tuple(kernels), tuple(biases), tuple(activations), tuple(model.input_shape[1:])
    )


_dense_stacks = PerModelCache(_read_dense_stack)
