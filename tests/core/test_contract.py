"""One contract for every registered method (the methods, Grad-CAM, the ModuleX ablation and
the floors), and the same targets for every metric:
``method(model, images, target=None, *, contrast=None, batch_size=..., **options)``; an option
a method or metric does not take is refused, never ignored.

Tiny models built here (a Dense stack and a CNN with both poolings, three classes so that
one-hot rows and ints differ in shape), no dataset.
"""

from __future__ import annotations

import inspect

import keras
import numpy as np
import pytest

from core.explain import ABLATION, CONV_METHODS, EVERY, FLOORS, METHODS, gradient_x_input
from core.metrics import METRICS, NEEDS_EXPLAINER
from tests.helpers import FAST_OPTIONS, random_dense_model, random_images

N_CLASSES = 3


def _tiny_cnn(seed: int = 3) -> keras.Model:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Reshape((28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
            keras.layers.AveragePooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(6, activation="relu"),
            keras.layers.Dense(N_CLASSES, activation="softmax"),
        ]
    )
    rng = np.random.default_rng(seed)  # biases too, so that no rule can hide behind b = 0
    model.set_weights([w + rng.normal(0, 0.1, w.shape) for w in model.get_weights()])
    return model


MODELS = {
    "dense": lambda: random_dense_model(41, hidden=(10, 6), n_classes=N_CLASSES),
    "cnn": _tiny_cnn,
}
EVERY_MODEL = {**METHODS, **ABLATION, **FLOORS}
"""The tables whose methods take any supported model."""
CASES = [(name, kind) for name in sorted(EVERY_MODEL) for kind in MODELS] + [
    (name, "cnn") for name in sorted(CONV_METHODS)
]


@pytest.fixture(scope="module")
def models():
    return {kind: build() for kind, build in MODELS.items()}


@pytest.fixture(scope="module")
def images():
    return random_images(41, 5, sparsity=0.4)


def _method(name):
    return EVERY[name]


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6 * max(np.abs(b).max(), 1e-12))


@pytest.mark.parametrize("name", sorted(EVERY))
def test_signature_is_the_contract(name):
    parameters = list(inspect.signature(_method(name)).parameters.values())
    assert [p.name for p in parameters[:3]] == ["model", "images", "target"]
    assert parameters[2].default is None
    rest = parameters[3:]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in rest), [
        p.name for p in rest if p.kind is not inspect.Parameter.KEYWORD_ONLY
    ]
    names = {p.name for p in rest}
    assert {"contrast", "batch_size", "output"} <= names


@pytest.mark.parametrize("name, kind", CASES)
def test_targets_positional_one_hot_and_batch_size(name, kind, models, images):
    method, model, options = _method(name), models[kind], FAST_OPTIONS.get(name, {})
    targets = np.array([0, 2, 1, 2, 0])
    by_keyword = method(model, images, target=targets, **options)
    assert by_keyword.shape == (5, 28, 28) and by_keyword.dtype == np.float32
    assert np.abs(by_keyword).max() > 0
    np.testing.assert_array_equal(method(model, images, targets, **options), by_keyword)
    one_hot = np.eye(N_CLASSES, dtype=np.float32)[targets]
    np.testing.assert_array_equal(method(model, images, one_hot, **options), by_keyword)
    _close(method(model, images, 2, **options)[[1, 3]], by_keyword[[1, 3]])
    _close(method(model, images, targets, batch_size=2, **options), by_keyword)


@pytest.mark.parametrize("name, kind", CASES)
def test_contrast_is_keyword_only_and_takes_the_same_types(name, kind, models, images):
    method, model, options = _method(name), models[kind], FAST_OPTIONS.get(name, {})
    targets, against = np.array([0, 2, 1, 2, 0]), np.array([1, 0, 0, 1, 2])
    maps = method(model, images, targets, contrast=against, **options)
    np.testing.assert_array_equal(
        method(model, images, targets, contrast=np.eye(N_CLASSES)[against], **options), maps
    )
    with pytest.raises(TypeError):
        method(model, images, targets, against)


@pytest.mark.parametrize("name", sorted(EVERY))
def test_an_unknown_option_is_refused_by_name(name, models, images):
    with pytest.raises(TypeError, match="steps_typo"):
        _method(name)(models["dense"], images, 0, steps_typo=8)


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_a_metric_refuses_an_unknown_option_by_name(metric, models, images):
    maps = gradient_x_input(models["dense"], images, 0)
    options = {"explainer": gradient_x_input} if metric in NEEDS_EXPLAINER else {}
    with pytest.raises(TypeError, match="samples_typo"):
        METRICS[metric](models["dense"], images, 0, maps, samples_typo=8, **options)


def test_modulex_mode_is_keyword_only(models, images):
    with pytest.raises(TypeError):
        METHODS["modulex"](models["dense"], images, 1, "thesis")


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_metrics_take_the_explainers_targets(metric, models, images):
    """An int, one int per image and one-hot rows give a metric the same numbers."""
    model = models["dense"]
    options = {"explainer": gradient_x_input} if metric in NEEDS_EXPLAINER else {}
    if metric == "mufidelity":
        options["samples"] = 16
    same = np.full(5, 2)
    maps = gradient_x_input(model, images, same)
    results = [
        METRICS[metric](model, images, target, maps, **options).summary
        for target in (2, same, np.eye(N_CLASSES)[same])
    ]
    for other in results[1:]:
        assert other.keys() == results[0].keys()
        for key in other:
            np.testing.assert_allclose(other[key], results[0][key], rtol=1e-6, equal_nan=True)
