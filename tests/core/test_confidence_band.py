"""The map checks' reference band and the AUROC intervals of reports/confidence.md, on
constructed data; the shipped band files, checked and (slow) recomputed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.aggregates import GlobalMaps
from core.errors import ModelFileError
from core.explain.question import MODES
from core.insight.confidence_band import (
    BAND_FILE,
    CHECKS,
    compute_bands,
    default_confidence,
    load_bands,
)
from core.insight.drawing import explain_drawing
from core.models.paths import model_dir
from core.models.scores import auroc, auroc_interval, weighted_aurocs
from core.studies.confidence_study import joined, separation
from tests.helpers import random_dense_model, random_images

NETWORKS = [(name, kind) for name in ("2Z", "5S", "8B", "0O", "all8") for kind in ("dense", "cnn")]


def brute_force_auroc(scores, positive) -> float:
    """Every (positive, negative) pair: 1 if the positive scores higher, 1/2 on a tie."""
    pos, neg = scores[positive], scores[~positive]
    return float(((pos[:, None] > neg[None]) + 0.5 * (pos[:, None] == neg[None])).mean())


@pytest.fixture
def tied_scores():
    rng = np.random.default_rng(3)
    positive = rng.random(60) < 0.3
    scores = np.round(rng.normal(size=60) + positive, 1)  # rounded: many ties
    scores[[0, 1]] = np.inf  # refused outright, tied at the top
    scores[2] = -np.inf
    return scores, positive


def test_the_auroc_is_the_share_of_pairs_in_order(tied_scores):
    scores, positive = tied_scores
    found, low, high = auroc_interval(scores, positive, resamples=200)
    assert found == pytest.approx(brute_force_auroc(scores, positive))
    assert found == pytest.approx(auroc(scores, positive))  # scikit-learn's count
    assert low <= found <= high and 0 <= low < high <= 1


def test_a_weighted_auroc_counts_each_image_as_often_as_its_weight(tied_scores):
    scores, positive = tied_scores
    weights = np.random.default_rng(5).integers(1, 4, (3, len(scores)))
    weights[1, np.flatnonzero(positive)[0]] = 0  # an image left out of a resample
    for row, found in zip(weights, weighted_aurocs(scores, positive, weights), strict=True):
        repeated = np.repeat(np.arange(len(scores)), row)
        assert found == pytest.approx(brute_force_auroc(scores[repeated], positive[repeated]))


def test_the_interval_is_seeded_and_independent_of_the_chunking(tied_scores):
    scores, positive = tied_scores
    first = auroc_interval(scores, positive, resamples=60, seed=1, chunk=7)
    assert first == auroc_interval(scores, positive, resamples=60, seed=1, chunk=60)
    assert first != auroc_interval(scores, positive, resamples=60, seed=2, chunk=7)


def test_the_interval_narrows_with_more_images():
    rng = np.random.default_rng(0)

    def width(n):
        positive = np.arange(n) % 2 == 0
        _, low, high = auroc_interval(rng.normal(size=n) + positive, positive, resamples=300)
        return high - low

    assert width(2000) < width(50) / 3  # about sqrt(40) narrower


def test_separated_reversed_and_one_class_cases():
    positive = np.array([True, True, False, False])
    assert auroc_interval(np.array([3.0, 4, 1, 2]), positive, resamples=20) == (1.0, 1.0, 1.0)
    assert auroc_interval(np.array([1.0, 2, 3, 4]), positive, resamples=20) == (0.0, 0.0, 0.0)
    assert all(np.isnan(auroc_interval(np.ones(3), np.ones(3, bool), resamples=5)))
    with pytest.raises(ValueError, match="NaN"):
        auroc_interval(np.array([np.nan, 1, 2, 3]), positive)


def test_separation_of_two_joined_groups_puts_the_first_group_on_top():
    first = {"a": np.array([5.0, 6, 7]), "b": np.array([0.0, 0, 0])}
    second = {"a": np.array([1.0, 2]), "b": np.array([1.0, 1])}
    scores, positive = joined(first, second)
    assert positive.tolist() == [True, True, True, False, False]
    found = separation(scores, positive, resamples=10, seed=0)
    assert found["a"] == [1.0, 1.0, 1.0] and found["b"] == [0.0, 0.0, 0.0]


def _maps(model, images, n_classes):
    """Constructed global maps: any map per class and mode will do as a reference."""
    rng = np.random.default_rng(7)
    maps = {
        ("all", mode): rng.normal(size=(n_classes, 28, 28)).astype(np.float32) for mode in MODES
    }
    return GlobalMaps(maps, 1, {"all": [1] * n_classes}, {})


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("mode", MODES)
def test_the_batched_confidence_is_the_pages_one(mode, n_classes):
    model = random_dense_model(2, hidden=(10,), n_classes=n_classes)
    classes = ("2", "Z", "S")[:n_classes]
    images = random_images(4, 5)
    maps = _maps(model, images, n_classes)
    grid = np.random.default_rng(8).normal(size=(n_classes, n_classes, 28, 28))
    probabilities, found = default_confidence(model, images, mode, classes, maps, grid)
    for i, image in enumerate(images):
        page = explain_drawing(model, image, mode, classes, maps=maps, grid=grid)
        np.testing.assert_allclose(probabilities[i], page.probabilities, rtol=1e-6)
        assert found.stability[i] == pytest.approx(page.stability, abs=1e-5)
        assert found.agreement[i] == pytest.approx(page.agreement, abs=1e-5)
        assert found.value[i] == pytest.approx(page.confidence, abs=1e-5)


def test_the_band_is_the_percentiles_of_the_checks_over_the_drawings():
    model = random_dense_model(6, hidden=(10,))
    images = random_images(9, 11)
    maps = _maps(model, images, 2)
    found = compute_bands(model, images, ("2", "Z"), maps)
    assert found["drawings"] == 11 and set(found["bands"]) == set(MODES)
    for mode in MODES:
        _, confidence = default_confidence(model, images, mode, ("2", "Z"), maps)
        for check in CHECKS:
            expected = np.percentile(getattr(confidence, check), [10, 50, 90])
            np.testing.assert_allclose(found["bands"][mode][check], expected, atol=1e-4)
    without_maps = compute_bands(model, images, ("2", "Z"))
    assert without_maps["bands"]["target"]["agreement"] is None
    assert without_maps["bands"]["target"]["stability"] is not None


@pytest.mark.parametrize("name, kind", NETWORKS)
def test_every_shipped_network_has_a_band_per_mode_for_its_own_weights(name, kind):
    from core.data.dataset import sha256_of

    folder = model_dir(name, kind)
    bands = load_bands(folder)
    assert set(bands) == set(MODES)
    for mode in MODES:
        low, middle, high = bands[mode]["stability"]
        assert low < middle < high
        assert bands[mode]["agreement"] is not None  # every network ships its global maps
    info = json.loads((folder / BAND_FILE).read_text())["info"]
    assert info["weights_sha256"] == sha256_of(folder / "weights.bin")
    assert info["global_maps_sha256"] == sha256_of(folder / "global_maps.npz")


@pytest.mark.slow
@pytest.mark.parametrize("name, kind", [("2Z", "dense"), ("all8", "cnn")])
def test_the_shipped_band_is_what_the_command_computes(name, kind):
    from core.aggregates import shipped_contrast_grid, shipped_maps
    from core.insight.map_scales import reference_drawings
    from core.models.loading import load_network
    from core.models.networks import characters_of

    characters = characters_of(name)
    grid = shipped_contrast_grid(kind) if name == "all8" else None
    computed = compute_bands(
        load_network(name, kind),
        reference_drawings(characters),
        characters,
        shipped_maps(name, kind),
        grid,
    )
    shipped = load_bands(model_dir(name, kind))
    for mode in MODES:
        for check in CHECKS:
            np.testing.assert_allclose(
                shipped[mode][check], computed["bands"][mode][check], atol=2e-4
            )


GOOD = {check: [0.1, 0.5, 0.9] for check in CHECKS}


@pytest.mark.parametrize(
    "content, phrase",
    [
        (None, "not found"),
        ("{", "not valid JSON"),
        (json.dumps({"bands": {"target": GOOD}}), "one band per mode"),
        (json.dumps({"bands": {m: {"stability": [0.1, 0.5, 0.9]} for m in MODES}}), "needs"),
        (
            json.dumps({"bands": {m: {**GOOD, "stability": [0.9, 0.5, 0.1]} for m in MODES}}),
            "increasing",
        ),
        (
            json.dumps({"bands": {m: {**GOOD, "agreement": [0.1, 0.5, 3]} for m in MODES}}),
            r"not a correlation",
        ),
        (
            json.dumps({"bands": {m: {**GOOD, "agreement": [0.1, "x", 3]} for m in MODES}}),
            "not a number",
        ),
        (
            json.dumps({"bands": {m: {**GOOD, "stability": None} for m in MODES}}),
            "cannot be empty",
        ),
        (" " * (70 * 1024), "larger than"),
    ],
)
def test_a_damaged_band_file_is_named(tmp_path, content, phrase):
    if content is not None:
        (tmp_path / BAND_FILE).write_text(content)
    with pytest.raises(ModelFileError, match=phrase) as raised:
        load_bands(tmp_path)
    assert "confidence-bands" in str(raised.value)  # and how to restore it


def test_a_band_without_agreement_loads_as_none(tmp_path):
    bands = {m: {**GOOD, "agreement": None} for m in MODES}
    (tmp_path / BAND_FILE).write_text(json.dumps({"bands": bands}))
    loaded = load_bands(tmp_path)
    assert loaded["contrast"]["agreement"] is None
    assert loaded["contrast"]["stability"] == (0.1, 0.5, 0.9)


def test_the_words_place_a_value_against_its_band():
    from core.insight.confidence_band import checks_line, number, placement, typical

    band = (-0.1, 0.5, 0.8)
    assert [placement(v, band) for v in (-0.2, -0.1, 0.3, 0.8, 0.9)] == [
        "lower than usual",
        "usual",
        "usual",
        "usual",
        "higher than usual",
    ]
    assert placement(0.3, None) == "" and typical(None) == ""
    assert number(-0.054) == "\u22120.05" and typical(band) == "\u22120.10 to 0.80"
    line = checks_line(0.9, 0.2, {"stability": band, "agreement": (0.0, 0.1, 0.3)})
    assert line == (
        "Map stability 0.90 (higher than usual; typical for drawings on this network: "
        "\u22120.10 to 0.80); agreement with the global map 0.20 (usual; typical: 0.00 to 0.30)"
    )
    assert checks_line(0.5, float("nan"), None) == (
        "Map stability 0.50; no global map to compare with"
    )


def test_the_trust_words_cite_the_extreme_aurocs_of_the_report():
    from core.insight.confidence_band import trust_words
    from core.studies.confidence_stored import auroc_ranges

    def row(right_vs_wrong, characters):
        return {
            "right_vs_wrong": {s: [v, v - 0.1, v + 0.1] for s, v in right_vs_wrong.items()},
            "character_vs_non_character": {
                "all": {s: [v, v - 0.1, v + 0.1] for s, v in characters.items()}
            },
        }

    scores = ("stability", "agreement", "probability", "not_one_of_these")

    def of(*values):
        return dict(zip(scores, values, strict=True))

    report = {
        "rows": [
            row(of(0.4, 0.5, 0.9, 0.6), of(0.7, 0.6, 0.5, 0.99)),
            row(of(0.6, 0.3, 0.8, 0.7), of(0.2, 0.8, 0.6, 0.97)),
        ]
    }
    ranges = auroc_ranges(report)
    assert ranges["right_vs_wrong"]["stability"] == (0.4, 0.6)
    assert ranges["character_vs_non_character"]["not_one_of_these"] == (0.97, 0.99)
    words = trust_words(ranges)
    assert "stability 0.40\u20130.60" in words and "probability 0.80\u20130.90" in words
    assert "check 0.97\u20130.99" in words and "stability 0.20\u20130.70" in words
    assert "AUROC" not in trust_words(None) and "probability" in trust_words(None)
