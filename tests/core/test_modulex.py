"""ModuleX: hand-computed numbers on a tiny network, and the rule's invariants."""

from __future__ import annotations

import numpy as np
import pytest

from core.explain import METHODS, modulex, predict_and_explain
from core.explain.walker import ModuleX, propagate
from core.models.layer_stack import dense_stack
from tests.helpers import dense_model, random_dense_model, random_images

# The tiny network: three pixels with weights, pixel (0,0) = 1.0, (0,1) = 0.5, (27,27) = 0.
#   layer 0 (ReLU):    W0[(0,0)] = [1, 2], W0[(0,1)] = [2, -2], W0[(27,27)] = [3, 3], b0 = [0.5, 1]
#                      z = [1 + 1 + 0.5, 2 - 1 + 1] = [2.5, 2] -> X1 = [2.5, 2]
#   layer 1 (softmax): W1 = [[1, 0], [-0.25, 0.5]], b1 = [0, -1]
#                      logits = [2.5 - 0.5, 0 + 1 - 1] = [2, 0]
#                      p = [e^2 / (e^2 + 1), 1 / (e^2 + 1)] = [0.8807971, 0.1192029]
P0, P1 = 0.8807971, 0.1192029


@pytest.fixture(scope="module")
def tiny():
    w0 = np.zeros((784, 2))
    w0[0], w0[1], w0[783] = [1, 2], [2, -2], [3, 3]
    model = dense_model(
        [(w0, [0.5, 1]), (np.array([[1, 0], [-0.25, 0.5]]), [0, -1])], ["relu", "softmax"]
    )
    image = np.zeros((1, 28, 28), np.float32)
    image[0, 0, 0], image[0, 0, 1] = 1.0, 0.5
    return model, image


def _three_pixels(maps):
    return maps[0, 0, 0], maps[0, 0, 1], maps[0, 27, 27]


def test_tiny_network_probabilities(tiny):
    model, image = tiny
    probabilities, _ = predict_and_explain(model, image, mode="thesis")
    np.testing.assert_allclose(probabilities[0], [P0, P1], rtol=1e-6)


@pytest.mark.parametrize(
    "mode, target, expected",
    [
        # thesis: H2 = p;  H2 - b1 = [0.8807971, 1.1192029]
        #   (H2 - b1) W1^T = [0.8807971, -0.2201993 + 0.5596015] = [0.8807971, 0.3394022]
        #   H1 = X1 * that = [2.2019928, 0.6788044];  H1 - b0 = [1.7019928, -0.3211956]
        #   pixel (0,0): 1.0 * (1.7019928 - 0.6423912) = 1.0596016
        #   pixel (0,1): 0.5 * (3.4039856 + 0.6423912) = 2.0231884
        ("thesis", None, (1.0596016, 2.0231884, 0.0)),
        # target 0 (also the predicted class): H2 = [0.8807971, 0];  H2 - b1 = [0.8807971, 1]
        #   -> [0.8807971, -0.2201993 + 0.5] ;  H1 = [2.2019928, 0.5596014]
        #   H1 - b0 = [1.7019928, -0.4403986]
        #   pixel (0,0): 1.7019928 - 0.8807972 = 0.8211956
        #   pixel (0,1): 0.5 * (3.4039856 + 0.8807972) = 2.1423914
        ("target", None, (0.8211956, 2.1423914, 0.0)),
        ("target", 0, (0.8211956, 2.1423914, 0.0)),
        # target 1: H2 = [0, 0.1192029];  H2 - b1 = [0, 1.1192029] -> [0, 0.5596015]
        #   H1 = [0, 1.1192029];  H1 - b0 = [-0.5, 0.1192029]
        #   pixel (0,0): -0.5 + 0.2384058 = -0.2615942
        #   pixel (0,1): 0.5 * (-1 - 0.2384058) = -0.6192029
        ("target", 1, (-0.2615942, -0.6192029, 0.0)),
        # contrast 0 vs 1, no bias terms: H2 = [0.8807971, -0.1192029]
        #   -> [0.8807971, -0.2201993 - 0.0596015] ; H1 = [2.2019928, -0.5596015]
        #   pixel (0,0): 2.2019928 - 1.1192030 = 1.0827898
        #   pixel (0,1): 0.5 * (4.4039856 + 1.1192030) = 2.7615943
        ("contrast", None, (1.0827898, 2.7615943, 0.0)),
        ("contrast", 0, (1.0827898, 2.7615943, 0.0)),
        # contrast 1 vs 0 is its negative
        ("contrast", 1, (-1.0827898, -2.7615943, 0.0)),
    ],
)
def test_tiny_network_by_hand(tiny, mode, target, expected):
    model, image = tiny
    maps = modulex(model, image, mode=mode, target=target)
    np.testing.assert_allclose(_three_pixels(maps), expected, rtol=2e-6, atol=1e-6)
    untouched = np.ones((28, 28), bool)
    untouched[0, 0] = untouched[0, 1] = False
    assert np.all(maps[0][untouched] == 0)


def test_contrast_with_itself_is_zero(tiny):
    model, image = tiny
    assert np.all(modulex(model, image, mode="contrast", target=1, contrast=1) == 0)


def test_output_contract(tiny):
    model, _ = tiny
    images = random_images(0, 5)
    maps = modulex(model, images)
    assert maps.shape == (5, 28, 28) and maps.dtype == np.float32
    assert METHODS["modulex"] is modulex


def test_uint8_and_float_inputs_agree():
    model = random_dense_model(1)
    images = random_images(1, 4)
    np.testing.assert_allclose(
        modulex(model, images), modulex(model, images / 255.0), rtol=1e-5, atol=1e-7
    )


@pytest.mark.parametrize("mode", ["thesis", "target", "contrast"])
def test_batch_equals_one_at_a_time(mode):
    model = random_dense_model(2, hidden=(16, 8, 4))
    images = random_images(2, 7)
    batch = modulex(model, images, mode=mode)
    single = np.concatenate([modulex(model, image[None], mode=mode) for image in images])
    np.testing.assert_allclose(batch, single, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("mode", ["thesis", "target", "contrast"])
def test_zero_pixel_gets_zero_importance(mode):
    model = random_dense_model(3)
    images = random_images(3, 6, sparsity=0.5)
    maps = modulex(model, images, mode=mode)
    assert np.all(maps[images == 0] == 0)
    assert np.count_nonzero(maps[images > 0]) > 0.9 * np.count_nonzero(images)


def test_one_layer_network_thesis_mode_is_closed_form():
    rng = np.random.default_rng(4)
    kernel, bias = rng.normal(size=(784, 3)), rng.normal(size=3)
    model = dense_model([(kernel, bias)], ["softmax"])
    x = random_images(4, 5) / 255.0
    probabilities, maps = predict_and_explain(model, x, mode="thesis")
    expected = x.reshape(5, -1) * (
        (probabilities - bias.astype(np.float32)) @ kernel.astype(np.float32).T
    )
    np.testing.assert_allclose(maps.reshape(5, -1), expected, rtol=1e-4, atol=1e-6)


def _with_biases(stack, biases):
    """The same layers with other biases (the layer inputs of the walk stay as given)."""
    import dataclasses

    from core.models.layer_stack import WEIGHTED, LayerStack

    new = iter(biases)
    return LayerStack(
        tuple(
            dataclasses.replace(layer, bias=next(new)) if isinstance(layer, WEIGHTED) else layer
            for layer in stack.layers
        ),
        stack.input_shape,
    )


def test_contrast_ignores_the_biases_of_the_rule():
    """With the layer inputs held fixed, contrast maps do not depend on any bias."""
    model = random_dense_model(5, hidden=(10, 6))
    stack = dense_stack(model)
    x = random_images(5, 4).reshape(4, -1) / np.float32(255)
    layer_inputs, _, p = stack.forward(x.astype(np.float32))
    top_a, top_b = p * [1, 0], p * [0, 1]
    rng = np.random.default_rng(5)
    for _ in range(3):
        other_biases = [rng.normal(0, 5, b.shape).astype(np.float32) for b in stack.biases]
        other = _with_biases(stack, other_biases)
        difference = propagate(other, layer_inputs, top_a, ModuleX()) - propagate(
            other, layer_inputs, top_b, ModuleX()
        )
        np.testing.assert_allclose(
            difference,
            propagate(stack, layer_inputs, top_a - top_b, ModuleX(bias=False)),
            rtol=1e-4,
            atol=1e-5,
        )


def test_contrast_unchanged_by_shifting_the_output_bias():
    """Adding one constant to every output bias leaves the probabilities, the layer inputs
    and the contrast map unchanged, while target maps move (they subtract the bias)."""
    model = random_dense_model(6)
    shifted = random_dense_model(6)
    kernel, bias = shifted.layers[-1].get_weights()
    shifted.layers[-1].set_weights([kernel, bias + 3.0])
    images = random_images(6, 5)
    np.testing.assert_allclose(
        modulex(model, images, mode="contrast"),
        modulex(shifted, images, mode="contrast"),
        rtol=1e-4,
        atol=1e-6,
    )
    assert not np.allclose(
        modulex(model, images, mode="target"), modulex(shifted, images, mode="target"), atol=1e-3
    )


def test_contrast_is_difference_of_target_maps():
    model = random_dense_model(7)
    images = random_images(7, 6)
    difference = modulex(model, images, mode="target", target=0) - modulex(
        model, images, mode="target", target=1
    )
    np.testing.assert_allclose(
        modulex(model, images, mode="contrast", target=0), difference, rtol=1e-4, atol=1e-6
    )


def test_targets_per_image_and_default():
    model = random_dense_model(8)
    images = random_images(8, 6)
    probabilities, default = predict_and_explain(model, images)
    per_image = modulex(model, images, target=probabilities.argmax(axis=1))
    np.testing.assert_array_equal(default, per_image)
    mixed = np.array([0, 1, 0, 1, 0, 1])
    maps = modulex(model, images, target=mixed)
    for index, label in enumerate(mixed):
        np.testing.assert_allclose(
            maps[index],
            modulex(model, images[index : index + 1], target=int(label))[0],
            rtol=1e-5,
            atol=1e-8,
        )


def test_works_for_any_dense_stack_and_more_classes():
    model = random_dense_model(9, hidden=(5,), n_classes=4)
    images = random_images(9, 3)
    assert modulex(model, images, mode="target", target=3).shape == (3, 28, 28)
    with pytest.raises(ValueError, match="contrast"):
        modulex(model, images, mode="contrast", target=0)
    assert modulex(model, images, mode="contrast", target=0, contrast=2).shape == (3, 28, 28)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"mode": "bogus"}, "mode"), ({"target": 2}, "0..1"), ({"target": [0, 1]}, "shape")],
)
def test_bad_arguments_are_explained(kwargs, message):
    model = random_dense_model(10)
    with pytest.raises(ValueError, match=message):
        modulex(model, random_images(10, 3), **kwargs)


def test_rejects_float_images_out_of_range():
    model = random_dense_model(11)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        modulex(model, random_images(11, 2).astype(np.float32))


def test_model_is_not_modified():
    model = random_dense_model(12)
    before = [w.copy() for w in model.get_weights()]
    modulex(model, random_images(12, 3), mode="thesis")
    for old, new in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


def test_bias_share_of_a_bias_free_network_is_zero():
    from core.studies.bias_share import bias_share

    model = random_dense_model(13, bias_scale=0.0)
    report = bias_share(model, random_images(13, 8))
    assert report["bias_share"] == 0.0 and report["bias_part_larger"] == 0.0


def test_bias_share_grows_with_the_biases():
    from core.studies.bias_share import bias_share

    images = random_images(14, 8)
    small = bias_share(random_dense_model(14, bias_scale=0.01), images)
    large = bias_share(random_dense_model(14, bias_scale=3.0), images)
    assert 0 <= small["bias_share"] < large["bias_share"] <= 1
    assert large["correlation_between_class_maps"] > small["correlation_between_class_maps"]


@pytest.mark.parametrize("mode", ["thesis", "target", "contrast"])
def test_large_batches_are_explained_in_chunks_with_the_same_result(mode):
    model = random_dense_model(15)
    images = random_images(15, 11)
    targets = np.array([0, 1] * 5 + [1])
    whole = predict_and_explain(model, images, mode=mode, target=targets)
    chunked = predict_and_explain(model, images, mode=mode, target=targets, batch_size=4)
    for a, b in zip(whole, chunked, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-8)
