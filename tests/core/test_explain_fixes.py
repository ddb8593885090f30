"""Issue 16, fixes 1-3: LRP-ε's probability map keeps the logit map's sign, probability maps
survive float32 saturation, and Integrated Gradients is complete at its defaults."""

from __future__ import annotations

import numpy as np
import pytest

from core.explain import METHODS, integrated_gradients, lrp_epsilon
from core.explain.backends import engine_for, softmax_backward
from core.metrics import completeness
from core.studies.explain_sweep import IG_LIMIT, PRECISION_LIMIT, modulex_float64, saturated
from tests.helpers import FAST_OPTIONS, dense_model, random_dense_model, random_images


def _negative_logits_model(seed: int = 51):
    """A ReLU network whose output biases push both logits below 0 for every image."""
    rng = np.random.default_rng(seed)
    weights = [
        (rng.normal(0, 1 / 28, (784, 10)), rng.normal(0, 0.1, 10)),
        (rng.normal(0, 0.3, (10, 2)), np.array([-4.0, -4.5])),
    ]
    return dense_model(weights, ["relu", "softmax"])


def test_lrp_epsilon_probability_map_is_the_logit_map_times_the_probability():
    model = _negative_logits_model()
    images = random_images(51, 8, sparsity=0.5)
    x = (images / np.float32(255)).reshape(8, -1)
    logits = engine_for(model).outputs(x, "logit")
    target = logits.argmax(axis=1)
    assert np.all(logits[np.arange(8), target] < 0)  # the case the old rule inverted
    by_logit = lrp_epsilon(model, images, target, output="logit")
    by_probability = lrp_epsilon(model, images, target)
    p = engine_for(model).outputs(x, "probability")[np.arange(8), target]
    np.testing.assert_allclose(
        by_probability, by_logit * p[:, None, None].astype(np.float32), rtol=1e-5, atol=1e-9
    )
    lit = np.abs(by_logit) > 1e-6 * np.abs(by_logit).max()
    assert np.all(np.sign(by_probability[lit]) == np.sign(by_logit[lit]))


def _saturated_model(seed: int = 52):
    """Logits so far apart that float32 softmax gives exactly 1 (margins ~20-40)."""
    model = random_dense_model(seed, hidden=(12, 8), n_classes=3)
    weights = model.get_weights()
    weights[-2] = weights[-2] * 60.0
    model.set_weights(weights)
    return model


def test_the_softmax_step_does_not_cancel_when_p_is_1():
    logits = np.array([[30.0, 0.0, 5.0]], np.float32)
    p = np.exp(logits.astype(np.float64) - 30.0)
    p /= p.sum()
    selector = np.array([[1.0, 0.0, 0.0]])
    exact = np.array([[p[0, 0] * (p[0, 1] + p[0, 2]), -p[0, 1] * p[0, 0], -p[0, 2] * p[0, 0]]])
    assert np.float32(p[0, 0]) == 1  # float32 would give p (1 - p) = 0
    np.testing.assert_allclose(softmax_backward(logits, selector), exact, rtol=1e-12)


def test_probability_maps_equal_float64_on_saturated_images():
    model = _saturated_model()
    images = random_images(52, 12, sparsity=0.5)
    chosen = saturated(model, images)
    assert len(chosen) >= 4, "the constructed network should saturate float32 softmax"
    x = images[chosen]
    target = engine_for(model).outputs((x / np.float32(255)).reshape(len(x), -1), "logit")
    target = target.argmax(axis=1)
    for name, method in METHODS.items():
        options = FAST_OPTIONS.get(name, {})
        maps = method(model, x, target, **options).astype(np.float64)
        if name == "modulex":
            reference = modulex_float64(model, x, target)
        else:
            reference = method(model, x, target, engine="float64", **options)
        reference = np.asarray(reference, np.float64)
        difference = np.abs(maps - reference).reshape(len(x), -1).max(axis=1)
        size = np.abs(reference).reshape(len(x), -1).max(axis=1)
        assert np.all(size > 0), name
        assert np.all(difference <= PRECISION_LIMIT * size), (name, (difference / size).max())


def test_integrated_gradients_is_complete_at_its_defaults():
    model = random_dense_model(53, hidden=(32, 16))
    images = random_images(53, 20, sparsity=0.4)
    result = completeness(model, images, None, integrated_gradients(model, images))
    assert result.summary["relative_error"] < IG_LIMIT


def test_gauss_legendre_beats_the_trapezoid_at_the_same_gradient_count():
    model = random_dense_model(54, hidden=(32, 16))
    images = random_images(54, 20, sparsity=0.4)

    def error(**options):
        maps = integrated_gradients(model, images, **options)
        return completeness(model, images, None, maps).summary["relative_error"]

    assert error(steps=33, quadrature="gauss-legendre") < error(steps=32, quadrature="trapezoid")
    with pytest.raises(ValueError, match="quadrature"):
        integrated_gradients(model, images, quadrature="simpson")


@pytest.mark.slow
def test_sweep_on_a_subset_of_every_test_set(emnist_dir):
    from core.data.pairs import PAIRS
    from core.studies.explain_sweep import sweep

    results = sweep(PAIRS, limit=60)
    for key, entry in results.items():
        assert entry["lrp"]["inverted"] == 0, key
        assert all(value <= PRECISION_LIMIT for value in entry["precision"]["worst"].values()), (
            key,
            entry["precision"],
        )
        assert entry["ig"]["median_error"] < IG_LIMIT, (key, entry["ig"])
