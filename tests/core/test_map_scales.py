"""The fixed colour scale per network and mode: measured on drawings, shipped, checked."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.errors import ModelFileError
from core.explain.question import MODES
from core.insight.map_scales import (
    MAP_SCALES_FILE,
    compute_map_scales,
    load_map_scales,
    load_target_limits,
    reference_drawings,
)
from core.insight.palette import symmetric_limit
from core.models.paths import model_dir
from tests.helpers import random_dense_model, random_images

NETWORKS = [(name, kind) for name in ("2Z", "5S", "8B", "0O", "all8") for kind in ("dense", "cnn")]


@pytest.mark.parametrize("name, kind", NETWORKS)
def test_every_shipped_network_has_a_scale_per_mode(name, kind):
    limits = load_map_scales(model_dir(name, kind))
    assert set(limits) == set(MODES) and all(v > 0 for v in limits.values())
    classes = 8 if name == "all8" else 2
    per_class = load_target_limits(model_dir(name, kind), classes)
    assert set(per_class) == set(MODES)
    for mode, values in per_class.items():  # the overall median lies within the classes'
        assert min(values) <= limits[mode] * (1 + 1e-9) and max(values) >= limits[mode] * (1 - 1e-9)


def test_the_scale_is_the_median_of_the_maps_own_limits():
    from core.explain.modulex import predict_and_explain

    model = random_dense_model(4, hidden=(8, 4))
    images = random_images(4, 9)
    found = compute_map_scales(model, images)
    _, maps = predict_and_explain(model, images, mode="target")  # the prediction: the default
    own = sorted(symmetric_limit(m) for m in maps)
    assert found["limits"]["target"] == pytest.approx(own[4])
    assert found["drawings"] == 9
    # per class explained: the median over the drawings explained for that class
    probabilities, _ = predict_and_explain(model, images, mode="thesis")
    predicted = probabilities.argmax(axis=1)
    assert len(found["by_target"]["target"]) == probabilities.shape[1]
    for c in range(probabilities.shape[1]):
        mine = [symmetric_limit(m) for m, p in zip(maps, predicted, strict=True) if p == c]
        expected = float(np.median(mine)) if mine else found["limits"]["target"]
        assert found["by_target"]["target"][c] == pytest.approx(expected)


def test_the_reference_drawings_are_varied_and_seeded():
    first, again = reference_drawings(("2", "Z"), variants=3), reference_drawings(("2", "Z"), 3)
    assert np.array_equal(first, again) and first.dtype == np.uint8
    assert len(first) == 3 * 5  # five examples of 2 and Z, three variations each
    assert len({image.tobytes() for image in first}) == len(first)


@pytest.mark.parametrize(
    "content, phrase",
    [
        (None, "not found"),
        ("{", "not valid JSON"),
        (json.dumps({"limits": {"thesis": 1.0}}), "one limit for each mode"),
        (json.dumps({"limits": {"thesis": 1, "target": 1, "contrast": -2}}), "not a number > 0"),
        (json.dumps({"limits": {"thesis": 1, "target": 1, "contrast": "x"}}), "not a number"),
        (json.dumps({"limits": {"thesis": 1, "target": 1, "contrast": True}}), "not a number"),
        ("[" * 100 + "]" * 100, "nests deeper"),
        (" " * (70 * 1024), "larger than"),
    ],
)
def test_a_damaged_scales_file_is_named(tmp_path, content, phrase):
    if content is not None:
        (tmp_path / MAP_SCALES_FILE).write_text(content)
    with pytest.raises(ModelFileError, match=phrase) as raised:
        load_map_scales(tmp_path)
    assert "map-scales" in str(raised.value)  # and how to restore it


def test_damaged_limits_per_class_are_named(tmp_path):
    limits = {"thesis": 1.0, "target": 1.0, "contrast": 1.0}
    for by_target, phrase in (
        (None, "limits per class for each mode"),
        ({"thesis": [1, 1], "target": [1], "contrast": [1, 1]}, "needs 2 target limits"),
        ({"thesis": [1, 1], "target": [1, 0], "contrast": [1, 1]}, "not a number > 0"),
    ):
        (tmp_path / MAP_SCALES_FILE).write_text(
            json.dumps({"limits": limits, "by_target": by_target})
        )
        with pytest.raises(ModelFileError, match=phrase):
            load_target_limits(tmp_path, 2)
