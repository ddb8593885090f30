"""The explanation methods beyond ModuleX: contract, known identities, hand computations."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from core.explain import (
    METHOD_INFO,
    METHODS,
    explain_with,
    gradient_x_input,
    integrated_gradients,
    lime,
    lrp_epsilon,
    lrp_zplus,
    modulex,
    occlusion,
    saliency,
    smoothgrad,
)
from core.explain.backends import engine_for
from core.models.layer_stack import dense_stack
from core.models.loading import load_pretrained
from core.models.prediction import predict
from tests.helpers import FAST_OPTIONS, dense_model, random_dense_model, random_images

GRADIENT_METHODS = [
    "saliency",
    "gradient_x_input",
    "integrated_gradients",
    "smoothgrad",
    "guided_backprop",
    "deconvnet",
]
LINEAR_IN_THE_SCORE = [
    "gradient_x_input",
    "integrated_gradients",
    "smoothgrad",
    "lrp_epsilon",
    "occlusion",
    "lime",
]


@pytest.fixture(scope="module")
def model():
    return random_dense_model(21, hidden=(12, 8))


@pytest.fixture(scope="module")
def images():
    return random_images(21, 5)


def _bias_free(seed: int, hidden=(10, 6), n_classes: int = 2):
    return random_dense_model(seed, hidden=hidden, n_classes=n_classes, bias_scale=0.0)


def test_registry_names_and_info():
    expected = {
        "modulex",
        "saliency",
        "gradient_x_input",
        "integrated_gradients",
        "smoothgrad",
        "guided_backprop",
        "deconvnet",
        "lrp_epsilon",
        "lrp_zplus",
        "occlusion",
        "lime",
    }
    assert expected <= set(METHODS)
    assert set(METHODS) <= set(METHOD_INFO)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_shape_dtype_and_targets(name, model, images):
    method, options = METHODS[name], FAST_OPTIONS.get(name, {})
    default = method(model, images, **options)
    assert (
        default.shape == (5, 28, 28)
        and default.dtype == np.float32
        and np.all(np.isfinite(default))
    )
    predicted = predict(model, images).argmax(axis=1)
    np.testing.assert_allclose(
        method(model, images, target=predicted, **options), default, rtol=1e-5, atol=1e-8
    )
    mixed = np.array([0, 1, 1, 0, 1])
    per_image = method(model, images, target=mixed, **options)
    one = method(model, images[1:2], target=1, **options)
    np.testing.assert_allclose(per_image[1], one[0], rtol=1e-4, atol=1e-7)
    assert method(model, images[0], **options).shape == (1, 28, 28)  # one [28, 28] image
    with pytest.raises(ValueError, match="0..1"):
        method(model, images, target=2, **options)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_batch_size_does_not_change_the_maps(name, model, images):
    options = FAST_OPTIONS.get(name, {})
    assert "batch_size" in inspect.signature(METHODS[name]).parameters
    np.testing.assert_allclose(
        METHODS[name](model, images, batch_size=2, **options),
        METHODS[name](model, images, **options),
        rtol=1e-4,
        atol=1e-7,
    )


@pytest.mark.parametrize("name", GRADIENT_METHODS + ["occlusion", "lime"])
@pytest.mark.parametrize("output", ["probability", "logit"])
def test_numpy_and_tensorflow_engines_agree(name, output, model, images):
    """The numpy passes over the Dense weights equal TensorFlow's autodiff on the Keras model
    (guided backprop and DeconvNet: on a clone whose ReLUs carry the modified gradient)."""
    options = FAST_OPTIONS.get(name, {})
    numpy_maps = METHODS[name](model, images, output=output, engine="numpy", **options)
    keras_maps = METHODS[name](model, images, output=output, engine="keras", **options)
    scale = np.abs(numpy_maps).max()
    assert scale > 0
    np.testing.assert_allclose(numpy_maps, keras_maps, atol=2e-5 * scale)


def test_softmax_gradient_matches_finite_differences():
    model = random_dense_model(22, hidden=(6,), n_classes=3)
    engine = engine_for(model, "numpy")
    x = (random_images(22, 2) / 255.0).reshape(2, -1).astype(np.float64)
    selector = np.array([[1.0, 0, 0], [0, 1.0, -1.0]], np.float32)
    gradient = engine.gradient(x.astype(np.float32), selector, "probability")
    pixels = np.flatnonzero(x[0] > 0)[:5]
    for pixel in pixels:
        step = np.zeros_like(x)
        step[:, pixel] = 1e-3
        up = (engine.outputs((x + step).astype(np.float32), "probability") * selector).sum(axis=1)
        down = (engine.outputs((x - step).astype(np.float32), "probability") * selector).sum(axis=1)
        np.testing.assert_allclose(gradient[:, pixel], (up - down) / 2e-3, rtol=2e-2, atol=1e-4)


@pytest.mark.parametrize("output", ["probability", "logit"])
def test_integrated_gradients_completeness(output, model, images):
    engine = engine_for(model)
    x = images / np.float32(255)
    for target in (0, 1):
        # ReLU kinks on the path make the error shrink only as ~1 / steps: many steps here
        # (1,024 Gauss-Legendre nodes: worst error 0.86% on this network; 2,048: 0.83%)
        maps = integrated_gradients(model, images, target=target, output=output, steps=1024)
        change = (
            engine.outputs(x.reshape(5, -1), output)[:, target]
            - engine.outputs(np.zeros((1, 784), np.float32), output)[0, target]
        )
        np.testing.assert_allclose(maps.sum(axis=(1, 2)), change, rtol=0.01)


@pytest.mark.slow
def test_integrated_gradients_completeness_on_a_shipped_network(emnist_dir):
    from core.data.dataset import load_pair

    model = load_pretrained("0O")
    images = load_pair("0O", "test")[0][::9]  # 200 images
    probabilities = predict(model, images)
    target = probabilities.argmax(axis=1)
    change = (
        probabilities[np.arange(len(images)), target]
        - predict(model, np.zeros((1, 28, 28), np.uint8))[0, target]
    )
    error = np.abs(integrated_gradients(model, images).sum(axis=(1, 2)) - change) / np.abs(
        change
    )  # default steps
    assert np.median(error) < 0.01
    error = np.abs(
        integrated_gradients(model, images, steps=1024).sum(axis=(1, 2)) - change
    ) / np.abs(change)
    assert np.quantile(error, 0.95) < 0.01


def test_lrp_epsilon_conserves_relevance_without_biases():
    model = _bias_free(23)
    images = random_images(23, 6, sparsity=0.3)
    engine = engine_for(model)
    x = (images / np.float32(255)).reshape(6, -1)
    predicted = engine.outputs(x, "logit").argmax(axis=1)
    logit = engine.outputs(x, "logit")[np.arange(6), predicted]
    probability = engine.outputs(x, "probability")[np.arange(6), predicted]
    # the logit map sums to the logit; the probability map is it times the probability
    for output, top in (("logit", logit), ("probability", probability * logit)):
        maps = lrp_epsilon(model, images, output=output, epsilon=1e-7)
        # float32 sums of 784 signed terms: the rounding error scales with the terms' magnitudes
        # (their absolute sum), not with their (smaller) net sum, and its size depends on the BLAS
        # build's summation order.
        scale = np.abs(maps).sum(axis=(1, 2))
        assert np.all(np.abs(maps.sum(axis=(1, 2)) - top) <= 1e-4 * np.abs(top) + 1e-5 * scale)
    # a black image switches every unit off: no relevance reaches the pixels, and no NaN either
    assert np.all(lrp_epsilon(model, np.zeros((1, 28, 28), np.uint8), epsilon=0.0) == 0)


def test_lrp_0_equals_gradient_x_input_on_a_bias_free_relu_network():
    model = _bias_free(24, hidden=(16, 8, 4), n_classes=3)
    images = random_images(24, 6)
    for target in range(3):
        lrp_0 = lrp_epsilon(model, images, target=target, output="logit", epsilon=0.0)
        expected = gradient_x_input(model, images, target=target, output="logit")
        np.testing.assert_allclose(lrp_0, expected, rtol=1e-4, atol=1e-6 * np.abs(expected).max())


def _lrp_by_loops(stack, x, top, epsilon=None):
    """LRP written out sum by sum (epsilon rule, or z+ when ``epsilon`` is None), one image."""
    inputs = [x]
    for kernel, bias, activation in zip(
        stack.kernels, stack.biases, stack.activations, strict=True
    ):
        z = inputs[-1] @ kernel + bias
        inputs.append(np.maximum(z, 0) if activation == "relu" else z)
    relevance = top
    for layer in reversed(range(len(stack.kernels))):
        a, kernel, bias = (
            inputs[layer],
            stack.kernels[layer].astype(np.float64),
            stack.biases[layer],
        )
        lower = np.zeros(len(a))
        for k in range(kernel.shape[1]):
            if epsilon is None:
                contributions = a * np.maximum(kernel[:, k], 0)
                denominator = contributions.sum()
            else:
                contributions = a * kernel[:, k]
                denominator = contributions.sum() + bias[k]
                denominator += epsilon if denominator >= 0 else -epsilon
            if denominator != 0:
                lower += contributions / denominator * relevance[k]
        relevance = lower
    return relevance


@pytest.mark.parametrize("rule", ["epsilon", "zplus"])
def test_lrp_rules_match_the_written_out_sums(rule):
    model = random_dense_model(25, hidden=(7, 5), bias_scale=0.3)
    stack = dense_stack(model)
    images = random_images(25, 3)
    x = (images / np.float32(255)).reshape(3, -1).astype(np.float64)
    logits = engine_for(model).outputs(x.astype(np.float32), "logit")
    if rule == "epsilon":
        maps = lrp_epsilon(model, images, target=1, output="logit", epsilon=0.05)
    else:
        maps = lrp_zplus(model, images, target=1, output="logit")
    for index in range(3):
        top = np.array([0.0, logits[index, 1]])
        expected = _lrp_by_loops(stack, x[index], top, 0.05 if rule == "epsilon" else None)
        np.testing.assert_allclose(maps[index].reshape(-1), expected, rtol=1e-4, atol=1e-7)


def test_lrp_zplus_conserves_what_reaches_positive_weights():
    model = random_dense_model(26, hidden=(32, 16))
    images = random_images(26, 4, sparsity=0.3)
    maps = lrp_zplus(model, images, output="probability")
    top = predict(model, images).max(axis=1)
    np.testing.assert_allclose(maps.sum(axis=(1, 2)), top, rtol=1e-3)
    assert np.all(maps >= -1e-7)


def _linear_model(seed: int):
    rng = np.random.default_rng(seed)
    kernel, bias = rng.normal(size=(784, 2)), rng.normal(size=2)
    return dense_model([(kernel, bias)], ["softmax"]), kernel.astype(np.float32)


def test_occlusion_on_a_linear_model_is_the_hand_computation():
    model, kernel = _linear_model(27)
    images = random_images(27, 2)
    x = images / np.float32(255)
    maps = occlusion(model, images, target=0, output="logit", patch=5, stride=3)
    starts = [0, 3, 6, 9, 12, 15, 18, 21, 23]  # the last patch touches the border
    weight = kernel[:, 0].reshape(28, 28)
    for index in range(2):
        total, count = np.zeros((28, 28)), np.zeros((28, 28))
        for top in starts:
            for left in starts:
                window = (slice(top, top + 5), slice(left, left + 5))
                total[window] += (
                    weight[window] * x[index][window]
                ).sum()  # logit fall when the patch goes black
                count[window] += 1
        np.testing.assert_allclose(maps[index], total / count, rtol=1e-4, atol=1e-5)


def test_one_pixel_occlusion_of_a_linear_logit_is_gradient_x_input():
    model, _ = _linear_model(28)
    images = random_images(28, 3)
    np.testing.assert_allclose(
        occlusion(model, images, output="logit", patch=1, stride=1),
        gradient_x_input(model, images, output="logit"),
        rtol=1e-4,
        atol=1e-5,
    )


def test_lime_recovers_a_linear_logit():
    """On a linear score every patch's effect is exact, so the surrogate finds it."""
    model, kernel = _linear_model(29)
    images = random_images(29, 2, sparsity=0.3)
    maps = lime(model, images, target=1, output="logit", cell=7, samples=64, ridge=1e-6)
    x = images / np.float32(255)
    contribution = (kernel[:, 1].reshape(28, 28) * x).reshape(2, 4, 7, 4, 7).sum(axis=(2, 4))
    expected = np.repeat(np.repeat(contribution, 7, axis=1), 7, axis=2) / 49
    np.testing.assert_allclose(maps, expected, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("name", LINEAR_IN_THE_SCORE)
def test_contrast_is_target_minus_contrast(name, model, images):
    options = FAST_OPTIONS.get(name, {})
    method = METHODS[name]
    contrast = method(model, images, target=0, contrast=1, output="logit", **options)
    difference = method(model, images, target=0, output="logit", **options) - method(
        model, images, target=1, output="logit", **options
    )
    np.testing.assert_allclose(
        contrast, difference, rtol=1e-4, atol=1e-5 * np.abs(difference).max()
    )
    np.testing.assert_array_equal(
        method(model, images, target=0, contrast="other", output="logit", **options), contrast
    )


def test_smoothgrad_is_seeded_and_without_noise_is_the_gradient(model, images):
    first = smoothgrad(model, images, samples=6, seed=3)
    np.testing.assert_array_equal(first, smoothgrad(model, images, samples=6, seed=3))
    assert not np.allclose(first, smoothgrad(model, images, samples=6, seed=4))
    plain = gradient_x_input(model, images) / np.maximum(images / np.float32(255), 1e-30)
    noiseless = smoothgrad(model, images, samples=3, noise=0.0)
    lit = images > 0
    np.testing.assert_allclose(noiseless[lit], plain[lit], rtol=1e-4, atol=1e-7)


def test_saliency_is_the_absolute_gradient(model, images):
    maps = saliency(model, images)
    assert np.all(maps >= 0)
    lit = images > 0
    gradient = gradient_x_input(model, images)[lit] / (images[lit] / np.float32(255))
    np.testing.assert_allclose(maps[lit], np.abs(gradient), rtol=1e-4, atol=1e-8)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_the_shipped_model_is_never_changed(name):
    model = load_pretrained("8B")
    before = [w.copy() for w in model.get_weights()]
    # the TensorFlow engine where a method has one (it clones the model for guided rules)
    engine = {"engine": "keras"} if name in GRADIENT_METHODS + ["occlusion", "lime"] else {}
    METHODS[name](model, random_images(30, 2), **FAST_OPTIONS.get(name, {}), **engine)
    for old, new in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"output": "bogus"}, "output"),
        ({"batch_size": 0}, "batch_size"),
        ({"engine": "gpu"}, "engine"),
    ],
)
def test_bad_options_are_explained(kwargs, message, model, images):
    with pytest.raises(ValueError, match=message):
        saliency(model, images, **kwargs)


def test_explain_with_gives_every_method_one_call(model, images):
    np.testing.assert_array_equal(
        explain_with("modulex", model, images, target=0, contrast="other"),
        modulex(model, images, mode="contrast", target=0),
    )
    np.testing.assert_array_equal(
        explain_with("occlusion", model, images, target=1, patch=7, stride=7),
        occlusion(model, images, target=1, patch=7, stride=7),
    )
    with pytest.raises(ValueError, match="probability only"):
        explain_with("modulex", model, images, output="logit")
    with pytest.raises(ValueError, match="unknown method"):
        explain_with("nope", model, images)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_methods_run_on_a_convolutional_network(name):
    from core.models.builders import build_cnn_model

    model = build_cnn_model(seed=1)
    maps = METHODS[name](model, random_images(31, 3), **FAST_OPTIONS.get(name, {}))
    assert maps.shape == (3, 28, 28) and maps.dtype == np.float32 and np.all(np.isfinite(maps))
    assert np.abs(maps).max() > 0


def test_lrp_refuses_the_tensorflow_engine():
    with pytest.raises(ValueError, match="numpy view"):
        lrp_epsilon(random_dense_model(32), random_images(32, 1), engine="keras")


def test_lrp_0_equals_gradient_x_input_on_a_bias_free_relu_cnn():
    """The walk's conv adjoint and pooling rule: LRP-0 through Conv2D, max and average
    pooling is gradient x input of the logit (TensorFlow's) when no layer has a bias."""
    import keras

    keras.utils.set_random_seed(33)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Reshape((28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", use_bias=False),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(6, 3, padding="same", activation="relu", use_bias=False),
            keras.layers.AveragePooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax", use_bias=False),
        ]
    )
    images = random_images(33, 4, sparsity=0.3)
    for target in range(3):
        lrp_0 = lrp_epsilon(model, images, target=target, output="logit", epsilon=0.0)
        expected = gradient_x_input(model, images, target=target, output="logit", engine="keras")
        np.testing.assert_allclose(lrp_0, expected, rtol=1e-3, atol=1e-5 * np.abs(expected).max())
    zplus = lrp_zplus(model, images, output="probability")
    assert np.all(zplus >= 0)
    np.testing.assert_allclose(
        zplus.sum(axis=(1, 2)), predict(model, images).max(axis=1), rtol=1e-3
    )
