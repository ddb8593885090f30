"""The backends the explanation methods run on: forward and backward passes (the engines).

(Not the browser engine: that is ``app/static/live/engine.js``, the live path.)

* :class:`NumpyEngine`: numpy over :func:`~core.models.layer_stack.layer_stack`, the one numpy
  view of a model (Dense stacks and CNNs alike); the backward pass is the shared walk
  (:func:`core.explain.walker.propagate`) with a gradient rule. Faster than TensorFlow on this
  project's small networks for small batches, and free of graph tracing. ``engine="float64"``
  runs it on a float64 copy of the weights (the reference the precision tests compare with).
* :class:`KerasEngine`: TensorFlow's ``GradientTape`` on any Keras model; guided
  backpropagation and DeconvNet run on a cached clone whose ReLUs carry the modified gradient,
  with the weights copied over. The given model is never modified. TensorFlow is imported
  only when a Keras engine is made, so the numpy paths run without it.

Both give the same numbers (tests/core/test_methods.py checks it). Probabilities, and the
softmax step of a probability's gradient, are computed in float64 from the logits: in float32
``p = 1`` exactly on confident images and ``p * (1 - p)`` cancels to 0.
"""

from __future__ import annotations

import functools
import threading
import weakref
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:  # annotations only: Keras (and TensorFlow) load where a model is built or read
    import keras

from core.explain.walker import RELU_RULES, propagate
from core.models.layer_stack import (
    LayerStack,
    PerModelCache,
    UnsupportedModelError,
    layer_stack,
    softmax,
)

ENGINES = ("auto", "numpy", "float64", "keras")


class Engine(Protocol):
    n_classes: int

    def outputs(self, x: np.ndarray, output: str) -> np.ndarray:
        """Probabilities (float64) or logits ``[n, classes]`` of flat inputs ``[n, features]``."""

    def gradient(
        self, x: np.ndarray, selector: np.ndarray, output: str, relu_rule: str = "gradient"
    ) -> np.ndarray:
        """``d(sum_c selector_c * f_c) / dx`` ``[n, features]``, ReLUs crossed by ``relu_rule``."""


def softmax_backward(logits: np.ndarray, selector: np.ndarray) -> np.ndarray:
    """``d(sum_c s_c p_c) / dz`` in float64: ``p_c * sum_k (s_c - s_k) p_k``.

    Written so that nothing cancels when one probability is ~1: the target's own term is
    ``p_t * sum_{k != t} p_k``, not ``p_t * (1 - p_t)``.
    """
    p = softmax(np.asarray(logits, np.float64))
    s = np.asarray(selector, np.float64)
    return p * np.einsum("nck,nk->nc", s[:, :, None] - s[:, None, :], p)


class NumpyEngine:
    """numpy passes over the model's layer stack; see the module docstring."""

    def __init__(self, stack):
        self.stack = stack
        self.n_classes = stack.n_classes
        self.dtype = stack.layers[-1].kernel.dtype

    def outputs(self, x: np.ndarray, output: str) -> np.ndarray:
        _, logits, result = self.stack.forward(x)
        if output == "logit":
            return logits
        return softmax(logits.astype(np.float64)) if self.stack.ends_in_softmax else result

    def gradient(
        self, x: np.ndarray, selector: np.ndarray, output: str, relu_rule: str = "gradient"
    ) -> np.ndarray:
        layer_inputs, logits, _ = self.stack.forward(x)
        top = output_gradient(self.stack, logits, selector, output).astype(self.dtype)
        g = propagate(self.stack, layer_inputs, top, RELU_RULES[relu_rule])
        return g.reshape(len(x), -1)


def output_gradient(stack, logits: np.ndarray, selector: np.ndarray, output: str) -> np.ndarray:
    """The gradient of the explained score at the last layer's pre-activation."""
    if output == "logit":
        return np.asarray(selector)
    if stack.ends_in_softmax:
        return softmax_backward(logits, selector)
    if stack.activations[-1] == "relu":
        return selector * (logits > 0)
    return np.asarray(selector)


@functools.cache
def _rule_activations() -> dict:
    """ReLUs whose gradient follows guided backpropagation or DeconvNet (TensorFlow, built on
    first use)."""
    import tensorflow as tf

    @tf.custom_gradient
    def guided_relu(x):
        def backward(g):
            return g * tf.cast(x > 0, g.dtype) * tf.cast(g > 0, g.dtype)

        return tf.nn.relu(x), backward

    @tf.custom_gradient
    def deconvnet_relu(x):
        def backward(g):
            return tf.nn.relu(g)

        return tf.nn.relu(x), backward

    return {"guided": guided_relu, "deconvnet": deconvnet_relu}


_clones: weakref.WeakKeyDictionary[keras.Model, dict] = weakref.WeakKeyDictionary()
_clones_lock = threading.Lock()


def rule_clone(model: keras.Model, relu_rule: str) -> keras.Model:
    """A copy of ``model`` whose ReLU activations use ``relu_rule``'s gradient (cached per model).

    The clone gets a copy of the weights; ``model`` itself is only read.
    """
    if relu_rule == "gradient":
        return model
    import keras

    with _clones_lock:
        clone = _clones.get(model, {}).get(relu_rule)
        if clone is None:

            def with_rule(layer):
                config = layer.get_config()
                if config.get("activation") == "relu":
                    config = {**config, "activation": _rule_activations()[relu_rule]}
                return layer.__class__.from_config(config)

            clone = keras.models.clone_model(model, clone_function=with_rule)
            clone.set_weights(model.get_weights())
            _clones.setdefault(model, {})[relu_rule] = clone
    return clone


class KerasEngine:
    """TensorFlow passes on any Keras model; see the module docstring."""

    def __init__(self, model):
        import keras

        self.model = model
        self.n_classes = int(model.output_shape[-1])
        self.input_shape = tuple(model.input_shape[1:])
        last = model.layers[-1]
        self._logits_then_softmax = (
            isinstance(model, keras.Sequential)
            and isinstance(last, keras.layers.Dense)
            and getattr(last.activation, "__name__", "") == "softmax"
        )

    def _call(self, model, x, output: str):
        import keras
        import tensorflow as tf

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
        if output == "probability" and self._logits_then_softmax:
            return softmax(self.outputs(x, "logit").astype(np.float64))
        import tensorflow as tf

        return np.asarray(self._call(self.model, tf.constant(x), output), dtype=np.float32)

    def gradient(
        self, x: np.ndarray, selector: np.ndarray, output: str, relu_rule: str = "gradient"
    ) -> np.ndarray:
        import tensorflow as tf

        model = rule_clone(self.model, relu_rule)
        inputs = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            if output == "probability" and self._logits_then_softmax:
                scores = self._call(model, inputs, "logit")
                weights = softmax_backward(scores.numpy(), selector)  # the float64 softmax step
            else:
                scores = self._call(model, inputs, output)
                weights = selector
        gradient = tape.gradient(scores, inputs, output_gradients=tf.constant(weights, tf.float32))
        return gradient.numpy().astype(np.float32, copy=False)


_float64_stacks = PerModelCache(lambda model: layer_stack(model).astype(np.float64))


def engine_for(model, engine: str = "auto") -> Engine:
    """``"numpy"`` for any model the numpy view follows, ``"float64"`` the same in float64,
    ``"keras"`` for any model; ``"auto"``: numpy for Dense stacks, TensorFlow otherwise."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    if engine == "float64":
        return NumpyEngine(_float64_stacks.get(model))
    if isinstance(model, LayerStack):  # read from the weights export: numpy is its only engine
        if engine == "keras":
            raise ValueError("engine='keras' needs the Keras model, not its numpy view")
        return NumpyEngine(model)
    if engine == "keras":
        return KerasEngine(model)
    try:
        stack = layer_stack(model)
    except UnsupportedModelError:
        if engine == "numpy":
            raise
        return KerasEngine(model)
    # On the CNNs numpy wins for a few images but TensorFlow's convolutions win on batches
    # (~3x at 1,024 images here), so "auto" keeps TensorFlow for them.
    if engine == "numpy" or stack.is_dense:
        return NumpyEngine(stack)
    return KerasEngine(model)
