"""How each kind of network is built (``BUILDERS[kind](n_classes=..., seed=...)``) and the
one-line description of a model's layers that its metadata records.

Keras (and so TensorFlow) is imported inside the functions: only what builds a model loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only
    import keras

THESIS_HIDDEN = (128, 64, 32, 16)


def _initializers(seed: int | None):
    """Glorot-uniform initialisers, one seed per layer (``seed + offset``), or unseeded."""
    import keras

    def initializer(offset: int):
        return keras.initializers.GlorotUniform(seed=None if seed is None else seed + offset)

    return initializer


def describe_architecture(model: keras.Model) -> str:
    """The layers in one line, consecutive Dense layers of one activation grouped:
    ``"Flatten 784 -> Dense 128, 64, 32, 16 (ReLU) -> Dense 2 (softmax)"``."""
    import keras  # only what builds or loads a Keras model imports TensorFlow

    names = {"relu": "ReLU", "softmax": "softmax", "linear": "linear"}
    parts: list[str] = []
    grouped: tuple[str, list[int]] | None = None
    for layer in model.layers:
        activation = names.get(getattr(getattr(layer, "activation", None), "__name__", ""), "")
        if isinstance(layer, keras.layers.Dense):
            if grouped and grouped[0] == activation:
                grouped[1].append(layer.units)
                continue
            if grouped:
                parts.append(_dense_group(*grouped))
            grouped = (activation, [layer.units])
            continue
        if grouped:
            parts.append(_dense_group(*grouped))
            grouped = None
        if isinstance(layer, keras.layers.Conv2D):
            height, width = layer.kernel_size
            parts.append(f"Conv {layer.filters}x{height}x{width} ({activation})")
        elif isinstance(layer, keras.layers.MaxPooling2D):
            parts.append(f"MaxPool {layer.pool_size[0]}")
        elif isinstance(layer, keras.layers.AveragePooling2D):
            parts.append(f"AvgPool {layer.pool_size[0]}")
        elif isinstance(layer, keras.layers.Flatten):
            parts.append(f"Flatten {int(np.prod(layer.output.shape[1:]))}")
    if grouped:
        parts.append(_dense_group(*grouped))
    return " -> ".join(parts)


def _dense_group(activation: str, units: list[int]) -> str:
    return f"Dense {', '.join(map(str, units))} ({activation})"


def build_thesis_model(
    n_classes: int = 2, hidden: tuple[int, ...] = THESIS_HIDDEN, seed: int | None = None
) -> keras.Model:
    """28x28 -> Flatten 784 -> Dense 128, 64, 32, 16 (ReLU) -> Dense ``n_classes`` (softmax)."""
    import keras  # only what builds or loads a Keras model imports TensorFlow

    initializer = _initializers(seed)
    layers = [keras.Input(shape=(28, 28), name="image"), keras.layers.Flatten(name="flatten")]
    for index, units in enumerate(hidden):
        layers.append(
            keras.layers.Dense(
                units,
                activation="relu",
                kernel_initializer=initializer(index),
                name=f"dense_{units}",
            )
        )
    layers.append(
        keras.layers.Dense(
            n_classes,
            activation="softmax",
            kernel_initializer=initializer(len(hidden)),
            name="output",
        )
    )
    return keras.Sequential(layers, name="thesis_dense")


def build_cnn_model(
    n_classes: int = 2,
    seed: int | None = None,
    filters: tuple[int, int] = (16, 32),
    dense_units: int = 64,
) -> keras.Model:
    """28x28 -> Conv 3x3 -> ReLU -> MaxPool 2 -> Conv 3x3 -> ReLU -> MaxPool 2 -> Dense -> softmax.

    Valid padding throughout (28 -> 26 -> 13 -> 11 -> 5), so every unit sees only real pixels.
    """
    import keras  # only what builds or loads a Keras model imports TensorFlow

    initializer = _initializers(seed)
    layers = [
        keras.Input(shape=(28, 28), name="image"),
        keras.layers.Reshape((28, 28, 1), name="channel"),
    ]
    for index, count in enumerate(filters):
        layers.append(
            keras.layers.Conv2D(
                count,
                3,
                activation="relu",
                kernel_initializer=initializer(index),
                name=f"conv_{index + 1}",
            )
        )
        layers.append(keras.layers.MaxPooling2D(2, name=f"pool_{index + 1}"))
    layers.append(keras.layers.Flatten(name="flatten"))
    layers.append(
        keras.layers.Dense(
            dense_units,
            activation="relu",
            kernel_initializer=initializer(len(filters)),
            name=f"dense_{dense_units}",
        )
    )
    layers.append(
        keras.layers.Dense(
            n_classes,
            activation="softmax",
            kernel_initializer=initializer(len(filters) + 1),
            name="output",
        )
    )
    return keras.Sequential(layers, name="cnn")


BUILDERS = {"dense": build_thesis_model, "cnn": build_cnn_model}
"""How each kind of network is built: ``BUILDERS[kind](n_classes=..., seed=...)``."""
