"""ModuleX on convolutional stacks: equal to the Dense rule where a convolution is a Dense
layer, hand-checked pooling, and the numpy layer stack against Keras."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core.explain import modulex, predict_and_explain
from core.explain.walker import pooling_rule
from core.models.builders import build_cnn_model
from core.models.layer_stack import Conv, Pool
from core.models.prediction import predict
from tests.helpers import dense_model, random_images


def _sequential(*layers, input_shape=(28, 28)):
    return keras.Sequential([keras.Input(shape=input_shape), *layers])


def _conv_twin_of_dense(seed: int, units=(6, 2)):
    """A Dense model and the same network written with a 28x28 valid convolution first."""
    rng = np.random.default_rng(seed)
    w0, b0 = rng.normal(0, 0.1, (784, units[0])), rng.normal(0, 0.1, units[0])
    w1, b1 = rng.normal(0, 0.5, (units[0], units[1])), rng.normal(0, 0.1, units[1])
    dense = dense_model([(w0, b0), (w1, b1)], ["relu", "softmax"])
    conv = _sequential(
        keras.layers.Reshape((28, 28, 1)),
        keras.layers.Conv2D(units[0], 28, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(units[1], activation="softmax"),
    )
    conv.layers[1].set_weights(
        [w0.reshape(28, 28, 1, units[0]).astype(np.float32), b0.astype(np.float32)]
    )
    conv.layers[3].set_weights([w1.astype(np.float32), b1.astype(np.float32)])
    return dense, conv


@pytest.mark.parametrize(
    "mode, target",
    [("thesis", None), ("target", None), ("target", 1), ("contrast", None), ("contrast", 0)],
)
def test_a_whole_image_convolution_gives_the_dense_map(mode, target):
    dense, conv = _conv_twin_of_dense(0)
    images = random_images(1, 5)
    dense_probabilities, dense_maps = predict_and_explain(dense, images, mode=mode, target=target)
    conv_probabilities, conv_maps = predict_and_explain(conv, images, mode=mode, target=target)
    np.testing.assert_allclose(conv_probabilities, dense_probabilities, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(conv_maps, dense_maps, rtol=1e-4, atol=1e-6)
    assert np.abs(dense_maps).max() > 1e-3  # the maps are not trivially zero


def test_layer_stack_matches_keras_on_strides_padding_and_both_poolings():
    model = _sequential(
        keras.layers.Reshape((28, 28, 1)),
        keras.layers.Conv2D(4, 5, strides=2, padding="same", activation="relu"),
        keras.layers.AveragePooling2D(3, strides=2),
        keras.layers.Conv2D(3, 2, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(2, activation="softmax"),
    )
    images = random_images(2, 6)
    np.testing.assert_allclose(
        predict(model, images), np.asarray(model(images / np.float32(255))), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "strides, padding", [((1, 1), "valid"), ((2, 2), "same"), ((1, 2), "same")]
)
def test_transposed_convolution_is_the_adjoint(strides, padding):
    rng = np.random.default_rng(3)
    conv = Conv(
        rng.normal(size=(3, 3, 2, 4)).astype(np.float32),
        np.zeros(4, np.float32),
        "linear",
        strides,
        padding,
    )
    x = rng.normal(size=(2, 9, 8, 2)).astype(np.float32)
    y = conv.linear(x)
    g = rng.normal(size=y.shape).astype(np.float32)
    assert float((y * g).sum()) == pytest.approx(float((x * conv.adjoint(g, x)).sum()), rel=1e-4)


# Pooling by hand: one 2x2 window holding [[1, 3], [2, 0]] (pooled value 3 for max, 1.5 for
# average), and importance 6 on the pooled value.
WINDOW = np.array([[1.0, 3.0], [2.0, 0.0]], np.float32).reshape(1, 2, 2, 1)


def _pooled_back(kind: str, x: np.ndarray, importance: np.ndarray) -> np.ndarray:
    pool = Pool(kind, (2, 2), (2, 2))
    return pooling_rule(pool, importance, x, pool.linear(x))


def test_max_pooling_gives_all_importance_to_the_winner():
    np.testing.assert_allclose(
        _pooled_back("max", WINDOW, np.full((1, 1, 1, 1), 6.0, np.float32))[0, :, :, 0],
        [[0, 6], [0, 0]],
    )


def test_average_pooling_shares_importance_in_proportion_to_the_inputs():
    # shares 1/6, 3/6, 2/6, 0 of 6
    np.testing.assert_allclose(
        _pooled_back("average", WINDOW, np.full((1, 1, 1, 1), 6.0, np.float32))[0, :, :, 0],
        [[1, 3], [2, 0]],
        rtol=1e-6,
    )


def test_max_pooling_ties_go_to_one_input_only():
    x = np.full((1, 2, 2, 1), 2.0, np.float32)
    routed = Pool("max", (2, 2), (2, 2)).adjoint(np.ones((1, 1, 1, 1), np.float32), x)
    assert routed.sum() == 1.0 and routed[0, 0, 0, 0] == 1.0


@pytest.mark.parametrize("kind", ["max", "average"])
def test_pooling_keeps_the_sum_of_importance(kind):
    rng = np.random.default_rng(6)
    x = np.maximum(rng.normal(size=(3, 6, 6, 2)), 0).astype(np.float32)
    pooled = Pool(kind, (2, 2), (2, 2)).linear(x)
    importance = pooled * rng.normal(size=pooled.shape).astype(
        np.float32
    )  # zero where the pooled value is, like every H
    below = _pooled_back(kind, x, importance)
    np.testing.assert_allclose(below.sum(axis=(1, 2, 3)), importance.sum(axis=(1, 2, 3)), rtol=1e-4)


def _avg_pool_model_and_folded_dense(seed: int):
    """AveragePooling 2 -> Dense, and the one Dense layer it folds into (each weight / 4 over its
    window)."""
    rng = np.random.default_rng(seed)
    w, b = rng.normal(0, 0.3, (196, 2)).astype(np.float32), rng.normal(0, 0.1, 2).astype(np.float32)
    pooled = _sequential(
        keras.layers.Reshape((28, 28, 1)),
        keras.layers.AveragePooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(2, activation="softmax"),
    )
    pooled.layers[-1].set_weights([w, b])
    folded = np.repeat(np.repeat(w.reshape(14, 14, 2), 2, axis=0), 2, axis=1).reshape(784, 2) / 4
    return pooled, dense_model([(folded, b)], ["softmax"])


@pytest.mark.parametrize("mode", ["thesis", "target", "contrast"])
def test_average_pooling_rule_is_the_dense_rule_on_the_folded_layer(mode):
    pooled, folded = _avg_pool_model_and_folded_dense(4)
    images = random_images(5, 4, sparsity=0.3)
    np.testing.assert_allclose(
        modulex(pooled, images, mode=mode), modulex(folded, images, mode=mode), rtol=1e-4, atol=1e-6
    )


def test_cnn_modulex_is_batched_and_leaves_the_model_alone():
    model = build_cnn_model(seed=1)
    before = [w.copy() for w in model.get_weights()]
    images = random_images(7, 4)
    together = modulex(model, images, mode="target")
    one_by_one = np.concatenate([modulex(model, image[None], mode="target") for image in images])
    np.testing.assert_allclose(together, one_by_one, rtol=1e-5, atol=1e-7)
    assert together.dtype == np.float32 and together.shape == (4, 28, 28)
    assert np.all(together[images == 0] == 0)  # zero pixels get zero importance
    for old, new in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


def test_contrast_on_many_classes_needs_the_class_argued_against():
    model = build_cnn_model(n_classes=8, seed=2)
    images = random_images(8, 2)
    with pytest.raises(ValueError, match="contrast="):
        modulex(model, images, mode="contrast")
    a_not_b = modulex(model, images, mode="contrast", target=3, contrast=5)
    b_not_a = modulex(model, images, mode="contrast", target=5, contrast=3)
    np.testing.assert_allclose(a_not_b, -b_not_a, rtol=1e-5, atol=1e-7)
