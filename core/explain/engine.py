"""Forward and backward passes the explanation methods run on, for two kinds of model.

* :class:`DenseEngine`: numpy over the weights of a Flatten / Dense stack (:func:`dense_stack`),
  2-3x faster than TensorFlow on this project's small networks and free of graph tracing.
* :class:`KerasEngine`: TensorFlow's ``GradientTape`` on any Keras model (the convolutional
  networks); guided backpropagation and DeconvNet run on a cached clone whose ReLUs carry the
  modified gradient, with the weights copied over. The given model is never modified.

Both give the same numbers on a Dense stack (tests/core/test_methods.py checks it).
"""

from __future__ import annotations

import threading
import weakref
from typing import Protocol

import keras
import numpy as np
import tensorflow as tf

from core.models.network import UnsupportedModelError, dense_stack, is_dense_stack

RELU_RULES = ("gradient", "guided", "deconvnet")
"""How the backward pass crosses a ReLU: its gradient (``g * [z > 0]``), guided
backpropagation (``g * [z > 0] * [g > 0]``) or DeconvNet (``max(g, 0)``)."""
ENGINES = ("auto", "numpy", "keras")


class Engine(Protocol):
    n_classes: int

    def outputs(self, x: np.ndarray, output: str) -> np.ndarray:
        """Probabilities or logits ``[n, classes]`` of flat float32 inputs ``[n, features]``."""

    def gradient(
        self, x: np.ndarray, selector: np.ndarray, output: str, relu_rule: str = "gradient"
    ) -> np.ndarray:
        """``d(sum_c selector_c * f_c) / dx`` ``[n, features]`` float32, ReLUs crossed by ``relu_rule``."""


def _relu_backward(g: np.ndarray, z: np.ndarray, rule: str) -> np.ndarray:
    if rule == "gradient":
        return g * (z > 0)
    if rule == "guided":
        return g * ((z > 0) & (g > 0))
    return np.maximum(g, 0)


class DenseEngine:
    """numpy passes over a Dense stack; see the module docstring."""

    def __init__(self, model):
        self.stack = dense_stack(model)
        self.n_classes = self.stack.n_classes
        self._softmax = self.stack.activations[-1] == "softmax"

    def outputs(self, x: np.ndarray, output: str) -> np.ndarray:
        _, logits, result = self.stack.forward(x)
        return logits if output == "logit" else result

    def gradient(
        self, x: np.ndarray, selector: np.ndarray, output: str, relu_rule: str = "gradient"
    ) -> np.ndarray:
        stack = self.stack
        pre_activations = []
        h = x
        for kernel, bias, activation in zip(stack.kernels, stack.biases, stack.activations):
            z = h @ kernel
            z += bias
            pre_activations.append(z)
            h = np.maximum(z, 0) if activation == "relu" else z
        g = np.asarray(selector, np.float32)
        if output == "probability" and self._softmax:
            p = _softmax(pre_activations[-1])
            g = p * (g - np.einsum("nc,nc->n", g, p)[:, None])  # softmax Jacobian, transposed
        for index in reversed(range(len(stack.kernels))):
            if stack.activations[index] == "relu":
                g = _relu_backward(g, pre_activations[index], relu_rule)
            g = g @ stack.kernels[index].T
        return g.astype(np.float32, copy=False)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@tf.custom_gradient
def _guided_relu(x):
    def backward(g):
        return g * tf.cast(x > 0, g.dtype) * tf.cast(g > 0, g.dtype)

    return tf.nn.relu(x), backward


@tf.custom_gradient
def _deconvnet_relu(x):
    def backward(g):
        return tf.nn.relu(g)

    return tf.nn.relu(x), backward


_RULE_ACTIVATIONS = {"guided": _guided_relu, "deconvnet": _deconvnet_relu}
_clones: weakref.WeakKeyDictionary[keras.Model, dict] = weakref.WeakKeyDictionary()
_clones_lock = threading.Lock()


def rule_clone(model: keras.Model, relu_rule: str) -> keras.Model:
    """A copy of ``model`` whose ReLU activations use ``relu_rule``'s gradient (cached per model).

    The clone gets a copy of the weights; ``model`` itself is only read.
    """
    if relu_rule == "gradient":
        return model
    with _clones_lock:
        clone = _clones.get(model, {}).get(relu_rule)
        if clone is None:

            def with_rule(layer):
                config = layer.get_config()
                if config.get("activation") == "relu":
                    config = {**config, "activation": _RULE_ACTIVATIONS[relu_rule]}
                return layer.__class__.from_config(config)

            clone = keras.models.clone_model(model, clone_function=with_rule)
            clone.set_weights(model.get_weights())
            _clones.setdefault(model, {})[relu_rule] = clone
    return clone


class KerasEngine:
    """TensorFlow passes on any Keras model; see the module docstring."""

    def __init__(self, model):
        self.model = model
        self.n_classes = int(model.output_shape[-1])
        self.input_shape = tuple(model.input_shape[1:])

    def _call(self, model, x, output: str):
        x = tf.reshape(x, (-1, *self.input_shape))
        last = model.layers[-1]
        activation = getattr(last, "activation", None)
        if output == "probability" or activation is None or activation is keras.activations.linear:
            return model(x, training=False)
        if not isinstance(last, keras.layers.Dense) or not isinstance(model, keras.Sequential):
            raise UnsupportedModelError(
                "output='logit' needs a Sequential model whose last layer is Dense"
            )
        for layer in model.layers[:-1]:
            x = layer(x)
        scores = keras.ops.matmul(x, last.kernel)
        return scores + last.bias if last.use_bias else scores

    def outputs(self, x: np.ndarray, output: str) -> np.ndarray:
        return np.asarray(self._call(self.model, tf.constant(x), output), dtype=np.float32)

    def gradient(
        self, x: np.ndarray, selector: np.ndarray, output: str, relu_rule: str = "gradient"
    ) -> np.ndarray:
        model = rule_clone(self.model, relu_rule)
        inputs = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            score = tf.reduce_sum(
                self._call(model, inputs, output) * tf.constant(selector, tf.float32)
            )
        return tape.gradient(score, inputs).numpy().astype(np.float32, copy=False)


def engine_for(model, engine: str = "auto") -> Engine:
    """``"numpy"`` for a Dense stack, ``"keras"`` for any model; ``"auto"`` picks numpy when it can."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    if engine == "numpy" or (engine == "auto" and is_dense_stack(model)):
        return DenseEngine(model)
    return KerasEngine(model)
