"""Grad-CAM in numpy against TensorFlow's gradients, and its contract."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from core.explain import CONV_METHODS, gradcam
from core.explain.gradcam import resize_bilinear
from core.models.builders import build_cnn_model
from tests.helpers import random_dense_model, random_images


def _tensorflow_gradcam(model, images, target, contrast=None):
    """Grad-CAM by GradientTape on the Keras layers (before the bilinear upsampling)."""
    x = tf.constant(images / np.float32(255))
    conv_index = max(
        i for i, layer in enumerate(model.layers) if isinstance(layer, keras.layers.Conv2D)
    )
    with tf.GradientTape() as tape:
        h = x
        for index, layer in enumerate(model.layers[:-1]):
            h = layer(h)
            if index == conv_index:
                features = h
                tape.watch(features)
        last = model.layers[-1]
        logits = tf.matmul(h, last.kernel) + last.bias
        score = logits[:, target] - (logits[:, contrast] if contrast is not None else 0)
    gradient = tape.gradient(score, features).numpy()
    weights = gradient.mean(axis=(1, 2))
    return np.einsum("nhwc,nc->nhw", features.numpy(), weights)


@pytest.mark.parametrize("target, contrast", [(0, None), (1, None), (1, 0)])
def test_gradcam_matches_tensorflow_gradients(target, contrast):
    model = build_cnn_model(seed=3)
    images = random_images(9, 3, sparsity=0.5)
    cam = _tensorflow_gradcam(model, images, target, contrast)
    signed = gradcam(model, images, target=target, contrast=contrast, relu=False)
    np.testing.assert_allclose(signed, resize_bilinear(cam, (28, 28)), rtol=1e-4, atol=1e-6)
    # the ReLU acts on the feature grid, before upsampling
    np.testing.assert_allclose(
        gradcam(model, images, target=target, contrast=contrast),
        resize_bilinear(np.maximum(cam, 0), (28, 28)),
        rtol=1e-4,
        atol=1e-6,
    )


def test_gradcam_shape_default_target_and_registry():
    model = build_cnn_model(seed=4)
    images = random_images(10, 2)
    maps = CONV_METHODS["gradcam"](model, images)
    assert maps.shape == (2, 28, 28) and maps.dtype == np.float32 and (maps >= 0).all()


def test_gradcam_refuses_a_model_without_convolution():
    with pytest.raises(ValueError, match="no convolutional layer"):
        gradcam(random_dense_model(0), random_images(11, 1))


def test_bilinear_resize_keeps_corners_and_constants():
    maps = np.arange(4, dtype=np.float32).reshape(1, 2, 2)
    resized = resize_bilinear(maps, (5, 5))
    assert (
        resized[0, 0, 0] == 0 and resized[0, -1, -1] == 3 and resized[0, 2, 2] == pytest.approx(1.5)
    )
    np.testing.assert_allclose(resize_bilinear(np.ones((1, 5, 5)), (28, 28)), 1.0)
