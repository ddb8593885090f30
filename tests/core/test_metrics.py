"""Metrics on constructed cases whose answer is known, and the report command."""

from __future__ import annotations

import numpy as np
import pytest

from core.explain import gradient_x_input, random_map, saliency
from core.metrics import (
    METRICS,
    average_ranks,
    deletion,
    drop_increase,
    insertion,
    mufidelity,
    random_logit,
    randomization,
    spearman_rows,
)
from core.models.prediction import predict
from tests.helpers import dense_model, random_dense_model, random_images


@pytest.fixture(scope="module")
def linear():
    """A linear two-class model on 784 pixels (probability = sigmoid of a linear score)."""
    rng = np.random.default_rng(40)
    kernel = rng.normal(0, 0.05, size=(784, 2))  # small enough that no probability saturates
    model = dense_model([(kernel, rng.normal(size=2))], ["softmax"])
    images = random_images(40, 12, sparsity=0.2)
    targets = predict(model, images).argmax(axis=1)
    x = (images / np.float32(255)).reshape(12, -1)
    signed = np.where(targets[:, None] == 0, 1.0, -1.0)
    # what each pixel adds to the target's logit minus the other's: the true contributions
    truth = (x * (kernel[:, 0] - kernel[:, 1]) * signed).reshape(12, 28, 28).astype(np.float32)
    return model, images, targets, truth, kernel.astype(np.float32)


def test_registry():
    from core.metrics import METRIC_INFO, NEEDS_EXPLAINER

    categories = {info["category"] for info in METRIC_INFO.values()}
    assert categories == {
        "faithfulness",
        "robustness",
        "complexity",
        "randomisation",
        "axiomatic",
        "localisation",
    }  # every Quantus category
    assert set(METRIC_INFO) == set(METRICS) and set(NEEDS_EXPLAINER) <= set(METRICS)


def test_true_contributions_give_the_best_deletion_and_insertion(linear):
    model, images, targets, truth, _ = linear
    others = {
        "random": random_map(model, images),
        "negated": -truth,
        "saliency": saliency(model, images, target=targets),
    }
    best_deletion = deletion(model, images, targets, truth).summary["auc"]
    best_insertion = insertion(model, images, targets, truth).summary["auc"]
    for name, maps in others.items():
        assert best_deletion <= deletion(model, images, targets, maps).summary["auc"], name
        assert best_insertion >= insertion(model, images, targets, maps).summary["auc"], name
    random_deletion = deletion(model, images, targets, others["random"]).summary["auc"]
    assert deletion(model, images, targets, -truth).summary["auc"] > random_deletion > best_deletion


def test_deletion_curve_runs_from_the_image_to_the_baseline(linear):
    model, images, targets, truth, _ = linear
    result = deletion(model, images, targets, truth, steps=7)
    probabilities = predict(model, images)[np.arange(12), targets]
    black = predict(model, np.zeros((1, 28, 28), np.uint8))[0, targets]
    np.testing.assert_allclose(result.per_image["curve"][:, 0], probabilities, rtol=1e-5)
    np.testing.assert_allclose(result.per_image["curve"][:, -1], black, rtol=1e-5)
    assert len(result.curves["deletion"]["x"]) == 8 and result.curves["deletion"]["x"][-1] == 1.0
    np.testing.assert_allclose(
        result.summary["auc"],
        np.trapezoid(result.per_image["curve"], dx=1 / 7, axis=1).mean(),
        rtol=1e-6,
    )


def test_mufidelity_is_one_for_the_true_logit_contributions_and_near_zero_for_noise(linear):
    model, images, targets, _, kernel = linear
    x = (images / np.float32(255)).reshape(12, -1)
    contributions = (x * kernel[:, targets].T).reshape(
        12, 28, 28
    )  # each pixel's share of the target's logit
    exact = mufidelity(model, images, targets, contributions, output="logit", samples=64)
    assert exact.summary["correlation"] == pytest.approx(1.0, abs=1e-5)
    noise = mufidelity(
        model, images, targets, random_map(model, images, seed=1), output="logit", samples=64
    )
    assert abs(noise.summary["correlation"]) < 0.15


def test_drop_and_increase_by_hand(linear):
    model, images, targets, truth, _ = linear
    keep_all = drop_increase(model, images, targets, np.ones_like(truth))
    assert keep_all.summary == {"drop_rate": 0.0, "increase_rate": 0.0, "mean_drop": 0.0}
    result = drop_increase(model, images, targets, truth)
    x = images / np.float32(255)
    positive = np.maximum(truth, 0)
    masked = x * positive / positive.max(axis=(1, 2), keepdims=True)
    before = predict(model, images)[np.arange(12), targets]
    after = predict(model, masked)[np.arange(12), targets]
    assert result.summary["drop_rate"] == pytest.approx(np.mean(after < before))
    assert result.summary["increase_rate"] == pytest.approx(np.mean(after > before))
    assert result.summary["mean_drop"] == pytest.approx(
        np.mean(np.maximum(before - after, 0) / before), rel=1e-5
    )


def test_randomization_flags_a_map_that_ignores_the_model():
    model = random_dense_model(41, hidden=(16, 8))
    images = random_images(41, 6, sparsity=0.4)
    targets = predict(model, images).argmax(axis=1)
    before = [w.copy() for w in model.get_weights()]

    def edge_detector(_model, images, target=None):  # draws the input, whatever the model
        return (np.asarray(images, np.float32) / 255).reshape(-1, 28, 28)

    blind = randomization(
        model, images, targets, edge_detector(model, images), explainer=edge_detector
    )
    assert blind.summary["rank_correlation"] == pytest.approx(1.0) and blind.summary[
        "ink_rank_correlation"
    ] == pytest.approx(1.0)
    assert len(blind.curves["randomization"]["y"]) == 3  # three Dense layers randomised in turn
    honest = randomization(
        model,
        images,
        targets,
        gradient_x_input(model, images, target=targets),
        explainer=gradient_x_input,
    )
    assert honest.summary["ink_rank_correlation"] < 0.5
    for old, new in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


def test_random_logit_of_a_class_blind_and_a_mirror_map(linear):
    model, images, targets, _, _ = linear

    def class_blind(_model, images, target=None):
        return (np.asarray(images, np.float32) / 255).reshape(-1, 28, 28)

    assert random_logit(
        model, images, targets, class_blind(model, images), explainer=class_blind
    ).summary["rank_correlation"] == pytest.approx(1.0)
    # two classes: d p_0 / dx = - d p_1 / dx, so the two gradient x input maps mirror each other
    mirror = random_logit(
        model,
        images,
        targets,
        gradient_x_input(model, images, target=targets),
        explainer=gradient_x_input,
    )
    assert mirror.summary["rank_correlation"] == pytest.approx(-1.0, abs=1e-6)


def test_ranks_share_ties_and_spearman_ignores_masked_entries():
    np.testing.assert_array_equal(
        average_ranks(np.array([[3.0, 1.0, 3.0, 0.0, 1.0]])), [[3.5, 1.5, 3.5, 0.0, 1.5]]
    )
    a = np.array([[1.0, 2.0, 3.0, 4.0, 9.0, 0.0]])
    b = np.array([[10.0, 20.0, 30.0, 40.0, -5.0, 7.0]])
    mask = np.array([[True, True, True, True, False, False]])
    assert spearman_rows(a, b, mask)[0] == pytest.approx(1.0)
    assert spearman_rows(a, b)[0] < 0.5
