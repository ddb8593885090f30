"""Level 3 (concepts): the t-test, the concept vectors and TCAV on a network whose answer is
known, the live sensitivities, and the shipped files of every network."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.levels import concepts
from core.levels.concepts import (
    CONCEPTS,
    ConceptSets,
    concept_images,
    concept_sensitivities,
    fit_cav,
    significant_vectors,
    tcav,
    welch_t_test,
)
from core.levels.question import Question
from core.models.layer_stack import Dense, LayerStack, Reshape


def test_welch_t_test_matches_the_t_distribution():
    # two-sided p of t = 2.086 with 20 degrees of freedom is 0.05 (statistical tables)
    assert concepts._betainc(10, 0.5, 20 / (20 + 2.086**2)) == pytest.approx(0.05, abs=2e-4)
    assert concepts._betainc(0.5, 0.5, 0.5) == pytest.approx(0.5)
    t, p = welch_t_test([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0])
    assert t == 0 and p == pytest.approx(1.0)
    a = np.r_[np.zeros(10), np.ones(10)]
    t, p = welch_t_test(a + 1, a)  # equal spreads, n = 20 each: t = 1 / sqrt(2 s^2 / 20)
    s2 = a.var(ddof=1)
    assert t == pytest.approx(1 / math.sqrt(2 * s2 / 20))
    assert 0 < p < 0.01


def test_a_concept_vector_points_along_what_tells_the_sets_apart():
    rng = np.random.default_rng(0)
    direction = rng.normal(size=50)
    direction /= np.linalg.norm(direction)
    negative = rng.normal(size=(400, 50))
    positive = rng.normal(size=(400, 50)) + 3 * direction
    assert fit_cav(positive, negative) @ direction > 0.9


def _top_rows_network() -> LayerStack:
    """Hidden layer = the image itself (784 ReLU units); logit 0 = the ink in the top 6 rows,
    logit 1 = nothing."""
    mask = np.zeros((28, 28), np.float32)
    mask[:6] = 1
    out = np.zeros((784, 2), np.float32)
    out[:, 0] = mask.reshape(-1)
    hidden = Dense(np.eye(784, dtype=np.float32), np.zeros(784, np.float32), "relu")
    return LayerStack(
        (Reshape((784,)), hidden, Dense(out, np.zeros(2, np.float32), "softmax")), (784,)
    )


def test_tcav_finds_the_concept_a_network_is_built_on():
    stack = _top_rows_network()
    sets = ConceptSets(
        {
            "top bar": concept_images(CONCEPTS["top bar"], 40, 1),
            "bottom bar": concept_images(CONCEPTS["bottom bar"], 40, 2),
        },
        [concept_images(concepts._scribble, 30, 10 + r) for r in range(21)],
    )
    images = np.concatenate([concept_images(concepts._scribble, 30, 99)] * 2)
    labels = np.r_[np.zeros(30, int), np.ones(30, int)]
    result = tcav(stack, sets, (images * 255).astype(np.uint8), labels, ("A", "B"))
    rows = {(r["concept"], r["class"]): r for r in result["rows"]}
    assert rows[("top bar", "A")]["tcav_mean"] == 1.0 and rows[("top bar", "A")]["significant"]
    assert rows[("bottom bar", "A")]["tcav_mean"] < 0.5 < rows[("top bar", "A")]["tcav_mean"]
    assert rows[("top bar", "B")]["tcav_mean"] == 0.0  # class B's logit ignores everything
    assert result["tests"] == 2 * 2 * 1
    chosen = significant_vectors(result, ("A", "B"))
    assert "top bar" in chosen.names
    # on a drawing: the contrast score A - B grows along the top bar's vector
    found = concept_sensitivities(stack, images[0], Question("contrast", 0, 1), chosen)
    top = next(f for f in found if f["concept"] == "top bar")
    mask = np.zeros(784)
    mask[: 6 * 28] = 1
    vector = chosen.vectors[chosen.names.index("top bar")]
    assert top["sensitivity"] == pytest.approx(float(mask @ vector), rel=1e-5)
    assert top["sensitivity"] > 0


def test_concept_images_keep_their_place_in_the_character():
    bars = concept_images(CONCEPTS["top bar"], 10, 0)
    rows = np.argmax(bars.max(axis=2) > 0.5, axis=1)  # the first inked row of each
    assert rows.max() <= 8  # a top bar stays at the top, not blown up to fill the input
    bottoms = concept_images(CONCEPTS["bottom bar"], 10, 0)
    assert (27 - np.argmax(bottoms.max(axis=2)[:, ::-1] > 0.5, axis=1)).min() >= 19


@pytest.mark.parametrize("name", ["2Z", "5S", "8B", "0O", "all8"])
@pytest.mark.parametrize("kind", ["dense", "cnn"])
def test_every_shipped_network_has_checked_levels_files(name, kind):
    from core.levels.artefacts import read_influence, read_manifest, weights_sha256
    from core.levels.concepts import read_concepts
    from core.models.networks import expected_classes

    manifest = read_manifest(name, kind)
    assert manifest["weights_sha256"] == weights_sha256(name, kind)
    vectors = read_concepts(name, kind)
    assert len(vectors.classes) == expected_classes(name)
    assert all(abs(np.linalg.norm(v) - 1) < 1e-4 for v in vectors.vectors)
    influence = read_influence(name, kind)
    assert len(influence.positions) == 200 and np.all(np.diff(influence.values) <= 0)
