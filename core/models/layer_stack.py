"""The one numpy view of a model: a Keras Sequential stack of Flatten / Reshape / Dense /
Conv2D / pooling layers, for fast forward passes and for the backward walk every explanation
method shares (:func:`core.explain.walker.propagate`).

``model.predict`` costs ~50 ms per call and ``model(x)`` ~3 ms; the same maths in numpy takes
a few microseconds for one image. :func:`layer_stack` reads a model's weights once (cached per
model object) into read-only float32 arrays; the model itself is never touched. The forward
pass returns every layer's input, which is what the backward walk needs.

Each layer knows its forward map and the *adjoint* of its linear part (``g @ W.T`` for Dense,
the transposed convolution for Conv2D, the gradient routing for pooling), vectorised over the
batch. A stack is read either from a Keras model (:func:`layer_stack`) or, without
TensorFlow, from the checked plain-array export (:func:`stack_from_export`); both hold the same
float32 arrays. Keras is imported only to read a Keras model. Convolutions are computed as
one matrix product per kernel offset (9 for a 3x3 kernel), which is fast for the small
networks of this project. Every operation keeps its input's float type, so
:meth:`LayerStack.astype` gives a float64 twin for reference sums.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: Keras (and TensorFlow) load where a model is built or read
    import keras

_ACTIVATIONS = ("linear", "relu", "softmax")


class UnsupportedModelError(ValueError):
    """The model has a layer (or a layout) the numpy view cannot follow."""


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax ``[n, classes]``, in the logits' float type."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


def _activate(z: np.ndarray, name: str) -> np.ndarray:
    if name == "relu":
        return np.maximum(z, 0, out=z)
    if name == "softmax":
        return softmax(z)
    return z


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


def forget(model: keras.Model) -> None:
    """Drop every cached copy of ``model``'s weights (after training it further)."""
    for cache in PerModelCache._all:
        cache.drop(model)


def _padding(size: int, kernel: int, stride: int, padding: str) -> tuple[int, int, int]:
    """Output size and (before, after) zero padding of one axis, as Keras computes them."""
    if padding == "valid":
        return (size - kernel) // stride + 1, 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return out, total // 2, total - total // 2


@dataclass(frozen=True)
class Dense:
    kernel: np.ndarray  # [inputs, outputs]
    bias: np.ndarray
    activation: str

    def linear(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.kernel
        z += self.bias
        return z

    def adjoint(self, g: np.ndarray, x: np.ndarray) -> np.ndarray:
        return g @ self.kernel.T


@dataclass(frozen=True)
class Conv:
    kernel: np.ndarray  # [height, width, in channels, out channels]
    bias: np.ndarray
    activation: str
    strides: tuple[int, int]
    padding: str

    def _geometry(self, shape):
        (_, height, width, _), (kh, kw) = shape, self.kernel.shape[:2]
        out_h, top, bottom = _padding(height, kh, self.strides[0], self.padding)
        out_w, left, right = _padding(width, kw, self.strides[1], self.padding)
        return out_h, out_w, ((0, 0), (top, bottom), (left, right), (0, 0))

    def _window(self, dy: int, dx: int, out_h: int, out_w: int):
        sy, sx = self.strides
        return (
            slice(None),
            slice(dy, dy + (out_h - 1) * sy + 1, sy),
            slice(dx, dx + (out_w - 1) * sx + 1, sx),
        )

    def linear(self, x: np.ndarray) -> np.ndarray:
        out_h, out_w, pads = self._geometry(x.shape)
        padded = np.pad(x, pads) if self.padding == "same" else x
        z = np.zeros((len(x), out_h, out_w, self.kernel.shape[3]), np.result_type(x, self.kernel))
        for dy in range(self.kernel.shape[0]):
            for dx in range(self.kernel.shape[1]):
                z += padded[self._window(dy, dx, out_h, out_w)] @ self.kernel[dy, dx]
        z += self.bias
        return z

    def adjoint(self, g: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The transposed convolution: what ``tf.nn.conv2d_transpose`` computes."""
        out_h, out_w, pads = self._geometry(x.shape)
        padded_shape = tuple(
            size + before + after for size, (before, after) in zip(x.shape, pads, strict=True)
        )
        result = np.zeros(padded_shape, np.result_type(g, self.kernel))
        for dy in range(self.kernel.shape[0]):
            for dx in range(self.kernel.shape[1]):
                result[self._window(dy, dx, out_h, out_w)] += g @ self.kernel[dy, dx].T
        (_, (top, bottom), (left, right), _) = pads
        return result[:, top : padded_shape[1] - bottom, left : padded_shape[2] - right]


@dataclass(frozen=True)
class Pool:
    kind: str  # "max" or "average"
    size: tuple[int, int]
    strides: tuple[int, int]

    def _windows(self, x: np.ndarray):
        out_h = (x.shape[1] - self.size[0]) // self.strides[0] + 1
        out_w = (x.shape[2] - self.size[1]) // self.strides[1] + 1
        sy, sx = self.strides
        for dy in range(self.size[0]):
            for dx in range(self.size[1]):
                yield (
                    slice(None),
                    slice(dy, dy + (out_h - 1) * sy + 1, sy),
                    slice(dx, dx + (out_w - 1) * sx + 1, sx),
                )

    def linear(self, x: np.ndarray) -> np.ndarray:
        views = [x[window] for window in self._windows(x)]
        if self.kind == "max":
            return np.maximum.reduce(views)
        return np.add.reduce(views) / x.dtype.type(len(views))

    def adjoint(self, g: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Max: each output's gradient to the first input that won its window. Average: to every
        input of the window, divided by the window's size."""
        result = np.zeros(x.shape, np.result_type(g, x))
        windows = list(self._windows(x))
        if self.kind == "average":
            for window in windows:
                result[window] += g / result.dtype.type(len(windows))
            return result
        pooled = self.linear(x)
        unclaimed = np.ones(pooled.shape, bool)
        for window in windows:
            wins = unclaimed & (x[window] == pooled)
            result[window] += np.where(wins, g, 0)
            unclaimed &= ~wins
        return result


@dataclass(frozen=True)
class Reshape:
    shape: tuple[int, ...]  # the output shape, without the batch axis

    def linear(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(len(x), *self.shape)

    def adjoint(self, g: np.ndarray, x: np.ndarray) -> np.ndarray:
        return g.reshape(x.shape)


WEIGHTED = (Dense, Conv)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a key of PerModelCache
class LayerStack:
    layers: tuple
    input_shape: tuple[int, ...]

    @property
    def n_classes(self) -> int:
        return self.layers[-1].kernel.shape[-1]

    @property
    def is_dense(self) -> bool:
        """Only Flatten / Reshape and Dense layers (the thesis' kind of network)."""
        return all(isinstance(layer, (Dense, Reshape)) for layer in self.layers)

    @property
    def weighted(self) -> tuple:
        """The Dense and Conv2D layers, first to last."""
        return tuple(layer for layer in self.layers if isinstance(layer, WEIGHTED))

    @property
    def kernels(self) -> tuple[np.ndarray, ...]:
        return tuple(layer.kernel for layer in self.weighted)

    @property
    def biases(self) -> tuple[np.ndarray, ...]:
        return tuple(layer.bias for layer in self.weighted)

    @property
    def activations(self) -> tuple[str, ...]:
        return tuple(layer.activation for layer in self.weighted)

    @property
    def ends_in_softmax(self) -> bool:
        return self.layers[-1].activation == "softmax"

    def astype(self, dtype) -> LayerStack:
        """The same network with its weights in ``dtype`` (e.g. float64 for reference sums)."""

        def convert(layer):
            if not isinstance(layer, WEIGHTED):
                return layer
            return dataclasses.replace(
                layer, kernel=layer.kernel.astype(dtype), bias=layer.bias.astype(dtype)
            )

        return LayerStack(tuple(convert(layer) for layer in self.layers), self.input_shape)

    def forward(self, x: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """Run the network on inputs ``[n, *input_shape]`` (or flat ``[n, features]``).

        Returns the input of every layer (``X_i``; the first is the input reshaped to
        ``input_shape``), the last layer's pre-activation scores (logits) and its output
        (probabilities when the last activation is softmax).
        """
        if x.shape[1:] != self.input_shape:
            x = x.reshape(len(x), *self.input_shape)
        layer_inputs = []
        z = x
        for index, layer in enumerate(self.layers):
            layer_inputs.append(x)
            z = layer.linear(x)
            last = index == len(self.layers) - 1
            x = _activate(z.copy() if last else z, getattr(layer, "activation", "linear"))
        return layer_inputs, z, x

    def last_conv_index(self) -> int:
        """Index of the last Conv2D layer; ValueError when there is none."""
        indices = [index for index, layer in enumerate(self.layers) if isinstance(layer, Conv)]
        if not indices:
            raise ValueError("the model has no convolutional layer")
        return indices[-1]


def layer_stack(model: keras.Model) -> LayerStack:
    """The model's layers as numpy operations, read once per model object (a
    :class:`LayerStack` is its own view).

    Supported: InputLayer, Dropout (nothing at inference), Flatten, Reshape, Dense, Conv2D
    (channels last, no dilation or groups), MaxPooling2D and AveragePooling2D (valid padding),
    activations linear / ReLU, softmax on the last layer only. Anything else raises
    :class:`UnsupportedModelError`. After changing a model's weights, call :func:`forget` on it.
    """
    if isinstance(model, LayerStack):
        return model
    return _layer_stacks.get(model)


def dense_stack(model: keras.Model) -> LayerStack:
    """:func:`layer_stack` of a model that must be a Flatten / Dense stack (the thesis' kind);
    :class:`UnsupportedModelError` names the first layer that is not Dense."""
    stack = layer_stack(model)
    if not stack.is_dense and isinstance(model, LayerStack):
        raise UnsupportedModelError("the network is not a Flatten / Dense stack")
    if not stack.is_dense:
        import keras

        kept = [
            layer
            for layer in model.layers
            if not isinstance(layer, (keras.layers.InputLayer, keras.layers.Dropout))
        ]
        for layer, read in zip(kept, stack.layers, strict=True):
            if not isinstance(read, (Dense, Reshape)):
                raise UnsupportedModelError(
                    f"layer {layer.name!r} ({type(layer).__name__}) is not Dense"
                )
    return stack


def _frozen(array) -> np.ndarray:
    array = np.array(array, dtype=np.float32)
    array.flags.writeable = False
    return array


def _activation_of(layer) -> str:
    name = getattr(layer.activation, "__name__", str(layer.activation))
    if name not in _ACTIVATIONS:
        raise UnsupportedModelError(f"layer {layer.name!r}: activation {name!r} not supported")
    return name


def _bias_of(layer, size: int) -> np.ndarray:
    return _frozen(layer.bias.numpy()) if layer.use_bias else _frozen(np.zeros(size))


def _read_layer(layer):
    import keras

    if isinstance(layer, keras.layers.Dense):
        return Dense(
            _frozen(layer.kernel.numpy()), _bias_of(layer, layer.units), _activation_of(layer)
        )
    if isinstance(layer, keras.layers.Conv2D) and type(layer) is keras.layers.Conv2D:
        if (
            layer.data_format != "channels_last"
            or tuple(layer.dilation_rate) != (1, 1)
            or layer.groups != 1
        ):
            raise UnsupportedModelError(
                f"layer {layer.name!r}: only channels-last Conv2D without dilation or groups"
            )
        return Conv(
            _frozen(layer.kernel.numpy()),
            _bias_of(layer, layer.filters),
            _activation_of(layer),
            tuple(layer.strides),
            layer.padding,
        )
    pools = {keras.layers.MaxPooling2D: "max", keras.layers.AveragePooling2D: "average"}
    if type(layer) in pools:
        if layer.padding != "valid" or layer.data_format != "channels_last":
            raise UnsupportedModelError(
                f"layer {layer.name!r}: only channels-last pooling with valid padding"
            )
        return Pool(pools[type(layer)], tuple(layer.pool_size), tuple(layer.strides))
    if isinstance(layer, (keras.layers.Flatten, keras.layers.Reshape)):
        return Reshape(tuple(int(size) for size in layer.output.shape[1:]))
    raise UnsupportedModelError(f"layer {layer.name!r} ({type(layer).__name__}) is not supported")


def _read(model: keras.Model) -> LayerStack:
    import keras

    layers = [
        _read_layer(layer)
        for layer in model.layers
        if not isinstance(layer, (keras.layers.InputLayer, keras.layers.Dropout))
    ]
    return _checked(layers, tuple(model.input_shape[1:]))


def _checked(layers: list, input_shape: tuple[int, ...]) -> LayerStack:
    weighted = [layer for layer in layers if isinstance(layer, WEIGHTED)]
    if not weighted or not isinstance(layers[-1], WEIGHTED):
        raise UnsupportedModelError("the model must end with a Dense or Conv2D layer")
    if any(layer.activation == "softmax" for layer in weighted[:-1]):
        raise UnsupportedModelError("softmax is only supported on the last layer")
    return LayerStack(tuple(layers), input_shape)


def _pair(values) -> tuple[int, int]:
    first, second = (int(value) for value in values)
    return first, second


def stack_from_export(export) -> LayerStack:
    """The layer stack held by a checked weights export
    (:class:`~core.models.weights_export.WeightsExport`), without TensorFlow: the export's
    arrays are the model's float32 weights, byte for byte (its tests hold it equal to the
    ``.keras`` file), so every number computed on it is the model's."""
    layers: list[Dense | Conv | Pool | Reshape] = []
    for entry, arrays in zip(export.layers, export.arrays, strict=True):
        kind = entry["kind"]
        if kind == "reshape":
            layers.append(Reshape(tuple(int(size) for size in entry["shape"])))
        elif kind == "dense":
            layers.append(Dense(arrays["kernel"], arrays["bias"], entry["activation"]))
        elif kind == "conv":
            layers.append(
                Conv(
                    arrays["kernel"],
                    arrays["bias"],
                    entry["activation"],
                    _pair(entry["strides"]),
                    entry["padding"],
                )
            )
        elif kind == "pool":
            layers.append(
                Pool(
                    entry["pool"],
                    _pair(entry["size"]),
                    _pair(entry["strides"]),
                )
            )
        else:  # pragma: no cover - read_export refuses other kinds
            raise UnsupportedModelError(f"layer kind {kind!r} is not supported")
    return _checked(layers, tuple(int(size) for size in export.manifest["input_shape"]))


_layer_stacks = PerModelCache(_read)
