"""The metric families beyond faithfulness, and the floors, on cases whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from core.explain import (
    edge_map,
    gradient_x_input,
    input_map,
    integrated_gradients,
    random_map,
    saliency,
)
from core.metrics import (
    completeness,
    complexity,
    deletion,
    entropy,
    gini,
    input_invariance,
    linear_imputation,
    pearson_rows,
    random_logit,
    random_other_classes,
    randomization,
    relevance_mass,
    road,
    sensitivity,
    shifted_model,
    spearman_rows,
)
from core.models.prediction import predict
from tests.helpers import dense_model, random_dense_model, random_images


@pytest.fixture(scope="module")
def linear():
    rng = np.random.default_rng(40)
    kernel = rng.normal(0, 0.05, size=(784, 2))
    model = dense_model([(kernel, rng.normal(size=2))], ["softmax"])
    images = random_images(40, 12, sparsity=0.2)
    targets = predict(model, images).argmax(axis=1)
    x = (images / np.float32(255)).reshape(12, -1)
    signed = np.where(targets[:, None] == 0, 1.0, -1.0)
    truth = (x * (kernel[:, 0] - kernel[:, 1]) * signed).reshape(12, 28, 28).astype(np.float32)
    return model, images, targets, truth, kernel.astype(np.float32)


# --- one correlation rule ------------------------------------------------------------------


def test_one_correlation_rule_nan_for_constant_rows_and_mean_ranks_for_ties():
    a = np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]])
    b = np.array([[2.0, 4.0, 7.0], [1.0, 2.0, 3.0]])
    pearson = pearson_rows(a, b)
    assert pearson[0] == pytest.approx(np.corrcoef(a[0], b[0])[0, 1]) and np.isnan(pearson[1])
    # ties share their mean rank: [1, 1, 2] ranks as [0.5, 0.5, 2] -> corr with [0, 1, 2]
    expected = np.corrcoef([0.5, 0.5, 2.0], [0.0, 1.0, 2.0])[0, 1]
    assert spearman_rows(np.array([[1.0, 1.0, 2.0]]), np.array([[0.0, 1.0, 2.0]]))[0] == (
        pytest.approx(expected)
    )
    # broadcasting over leading axes, as the confidence stability uses it
    stacked = pearson_rows(np.stack([a, a]), a[None])
    assert stacked.shape == (2, 2) and stacked[0, 0] == pytest.approx(1.0)


def test_metrics_take_one_hot_targets_like_the_explainers(linear):
    model, images, targets, truth, _ = linear
    one_hot = np.eye(2)[targets]
    assert deletion(model, images, one_hot, truth).summary == (
        deletion(model, images, targets, truth).summary
    )


# --- floors ---------------------------------------------------------------------------------


def test_floors_ignore_the_model():
    images = random_images(3, 4)
    model = random_dense_model(3)
    np.testing.assert_allclose(input_map(model, images), images / 255, rtol=1e-6)
    np.testing.assert_array_equal(random_map(model, images), random_map(None, images, target=1))
    step = np.zeros((1, 28, 28), np.float32)
    step[:, :, 14:] = 1.0  # a vertical edge: Sobel x-response 4 on both sides of it, 0 away
    edges = edge_map(None, step)[0]
    np.testing.assert_allclose(edges[5, 13:15], [4.0, 4.0])
    assert edges[5, 5] == 0 and edges[5, 20] == 0


# --- faithfulness: ROAD ---------------------------------------------------------------------


def test_linear_imputation_reproduces_a_linear_ramp():
    """A linear function is its own neighbour-weighted mean, so imputation must restore it."""
    ramp = np.tile(np.linspace(0.1, 0.9, 28, dtype=np.float32), (28, 1))[None]
    removed = np.zeros((1, 28, 28), bool)
    removed[:, 5:20, 6:22] = True
    filled = linear_imputation(ramp, removed)
    np.testing.assert_allclose(filled, ramp, atol=1e-4)


def test_road_ranks_the_true_contributions_first(linear):
    model, images, targets, truth, _ = linear
    best = road(model, images, targets, truth).summary["auc"]
    noise = road(model, images, targets, random_map(model, images)).summary["auc"]
    worst = road(model, images, targets, -truth).summary["auc"]
    assert best < noise < worst
    curve = road(model, images, targets, truth).per_image["curve"]
    probabilities = predict(model, images)[np.arange(12), targets]
    np.testing.assert_allclose(curve[:, 0], probabilities, rtol=1e-5)  # 0 %: the image


# --- robustness -----------------------------------------------------------------------------


def test_sensitivity_zero_for_a_map_that_ignores_the_input_and_large_for_fresh_noise(linear):
    model, images, targets, _, _ = linear
    fixed = sensitivity(model, images, targets, random_map(model, images), explainer=random_map)
    assert fixed.summary == {"max": 0.0, "average": 0.0}
    calls = iter(range(100))

    def fresh_noise(model, images, target=None):
        return random_map(model, images, seed=next(calls) + 1)

    noisy = sensitivity(model, images, targets, random_map(model, images), explainer=fresh_noise)
    assert noisy.summary["average"] > 0.5  # independent uniform maps differ by ~their size
    assert noisy.summary["max"] >= noisy.summary["average"]


# --- complexity -----------------------------------------------------------------------------


def test_gini_and_entropy_of_a_single_pixel_and_of_a_flat_map():
    one = np.zeros((1, 784))
    one[0, 3] = 2.0
    flat = np.ones((1, 784))
    assert gini(one)[0] == pytest.approx(783 / 784) and gini(flat)[0] == pytest.approx(0.0)
    assert entropy(one)[0] == pytest.approx(0.0) and entropy(flat)[0] == pytest.approx(np.log(784))
    result = complexity(None, None, None, np.stack([one.reshape(28, 28), flat.reshape(28, 28)]))
    assert result.better == {"sparseness": "higher", "entropy": "lower"}
    assert result.summary["sparseness"] == pytest.approx((783 / 784) / 2)


# --- randomisation --------------------------------------------------------------------------


def test_mprt_signed_on_ink_sees_a_sign_flip_that_absolute_values_hide():
    model = random_dense_model(41, hidden=(16, 8))
    images = random_images(41, 6, sparsity=0.4)
    targets = predict(model, images).argmax(axis=1)
    x = (images / np.float32(255)).reshape(6, 28, 28)
    calls = iter(range(100))

    def flips_sign(_model, images, target=None):  # the input, times -1 on every re-explanation
        return x if next(calls) == 0 else -x

    maps = flips_sign(model, images)
    result = randomization(model, images, targets, maps, explainer=flips_sign)
    assert result.summary["ink_rank_correlation"] == pytest.approx(1.0)
    assert result.summary["signed_ink_rank_correlation"] == pytest.approx(-1.0)


def test_random_other_class_is_never_the_target_and_is_the_other_one_on_pairs():
    targets = np.array([0, 1, 2, 3, 4] * 40)
    others = random_other_classes(5, targets, seed=3)
    assert np.all(others != targets) and set(others) == set(range(5))
    np.testing.assert_array_equal(random_other_classes(2, np.array([0, 1, 1])), [1, 0, 0])


def test_random_logit_on_three_classes_explains_another_class():
    model = random_dense_model(5, hidden=(8,), n_classes=3)
    images = random_images(5, 8)
    targets = predict(model, images).argmax(axis=1)
    seen = []

    def spy(model, images, target=None):
        seen.append(np.asarray(target))
        return gradient_x_input(model, images, target=target)

    random_logit(model, images, targets, spy(model, images, targets), explainer=spy)
    assert np.all(seen[1] != targets)


# --- axiomatic ------------------------------------------------------------------------------


def test_completeness_exact_for_logit_contributions_of_a_linear_model(linear):
    model, images, targets, _, kernel = linear
    x = (images / np.float32(255)).reshape(12, -1)
    contributions = (x * kernel[:, targets].T).reshape(12, 28, 28)
    exact = completeness(model, images, targets, contributions, output="logit")
    assert exact.summary["relative_error"] < 1e-4 and exact.summary["within"] == 1.0
    doubled = completeness(model, images, targets, 2 * contributions, output="logit")
    assert doubled.summary["relative_error"] == pytest.approx(1.0, rel=1e-3)
    assert doubled.better == {"relative_error": "lower", "within": "higher"}


def test_integrated_gradients_is_nearly_complete_on_the_probability():
    model = random_dense_model(7)
    images = random_images(7, 10)
    targets = predict(model, images).argmax(axis=1)
    maps = integrated_gradients(model, images, target=targets, steps=512)
    assert completeness(model, images, targets, maps).summary["relative_error"] < 0.01


def test_shifted_model_gives_the_same_outputs_on_the_shifted_input():
    model = random_dense_model(8)
    images = random_images(8, 5)
    x = images / np.float32(255)
    twin = shifted_model(model, 0.2)
    np.testing.assert_allclose(
        predict(twin, np.float32(0.2) + np.float32(0.8) * x), predict(model, images), atol=1e-5
    )


def test_input_invariance_passes_the_gradient_and_fails_gradient_times_input():
    model = random_dense_model(9, bias_scale=0.0)
    images = random_images(9, 6, sparsity=0.6)
    targets = predict(model, images).argmax(axis=1)

    def logit_gradient(model, images, target=None):
        return saliency(model, images, target=target, output="logit")

    def logit_gxi(model, images, target=None):
        return gradient_x_input(model, images, target=target, output="logit")

    passes = input_invariance(
        model, images, targets, logit_gradient(model, images, targets), explainer=logit_gradient
    )
    fails = input_invariance(
        model, images, targets, logit_gxi(model, images, targets), explainer=logit_gxi
    )
    assert passes.summary["correlation"] == pytest.approx(1.0, abs=1e-4)
    assert fails.summary["correlation"] < 0.99


# --- localisation ---------------------------------------------------------------------------


def test_relevance_mass_inside_and_outside_the_ink():
    images = np.zeros((2, 28, 28), np.uint8)
    images[:, 10:18, 10:18] = 200
    on_ink = np.where(images > 0, 1.0, 0.0).astype(np.float32)
    off_ink = (1.0 - on_ink) - 0.5 * on_ink  # positive only off the ink
    result = relevance_mass(None, images, None, np.stack([on_ink[0], off_ink[1]]))
    np.testing.assert_allclose(result.per_image["share"], [1.0, 0.0])
    region = np.zeros((2, 28, 28), bool)
    region[:, :14] = True  # the upper half holds half of the ink square
    half = relevance_mass(None, images, None, on_ink, regions=region)
    np.testing.assert_allclose(half.per_image["share"], [0.5, 0.5])
