"""Small networks with chosen weights, for tests that check numbers by hand, and the options
that make the slower methods quick in tests."""

from __future__ import annotations

import keras
import numpy as np

FAST_OPTIONS = {
    "integrated_gradients": {"steps": 8},
    "smoothgrad": {"samples": 4},
    "lime": {"samples": 24},
    "occlusion": {"patch": 7, "stride": 7},
}
"""Options that make the methods with many forward passes quick, where a test checks the
contract or a property that does not depend on them (the defaults are tested on their own)."""


def dense_model(
    weights: list[tuple[np.ndarray, np.ndarray]], activations: list[str], input_shape=(28, 28)
) -> keras.Model:
    """A Flatten + Dense stack with the given (kernel, bias) per layer."""
    layers = [keras.Input(shape=input_shape), keras.layers.Flatten()]
    for (kernel, _), activation in zip(weights, activations, strict=True):
        layers.append(keras.layers.Dense(kernel.shape[1], activation=activation))
    model = keras.Sequential(layers)
    for layer, (kernel, bias) in zip(model.layers[1:], weights, strict=True):
        layer.set_weights([np.asarray(kernel, np.float32), np.asarray(bias, np.float32)])
    return model


def random_dense_model(
    seed: int, hidden=(12, 8), n_classes: int = 2, bias_scale: float = 0.1, input_shape=(28, 28)
) -> keras.Model:
    rng = np.random.default_rng(seed)
    sizes = [int(np.prod(input_shape)), *hidden, n_classes]
    weights = [
        (rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)), rng.normal(0, bias_scale, n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    return dense_model(weights, ["relu"] * len(hidden) + ["softmax"], input_shape)


def random_images(seed: int, n: int, sparsity: float = 0.7) -> np.ndarray:
    """uint8 images, mostly black like EMNIST."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28)).astype(np.uint8)
    images[rng.random((n, 28, 28)) < sparsity] = 0
    return images
