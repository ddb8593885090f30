"""The models in pretrained/: the thesis architecture, their accuracy, their global maps."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core.data import dataset as data
from core.data.pairs import PAIRS
from core.explain.global_maps import compute_for_pair, shipped_global_maps
from core.models.files import load_metadata, load_pretrained
from core.models.scores import evaluate

# A point below what the shipped models measured on the shared test set (see README).
TEST_ACCURACY_FLOOR = {"2Z": 0.918, "5S": 0.905, "8B": 0.972, "0O": 0.678}


@pytest.mark.parametrize("pair", PAIRS)
def test_architecture_is_the_thesis_network(pair):
    model = load_pretrained(pair)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [128, 64, 32, 16, 2]
    assert [layer.activation.__name__ for layer in dense] == ["relu"] * 4 + ["softmax"]
    assert model.input_shape == (None, 28, 28)
    assert isinstance(model.layers[0], keras.layers.Flatten)


@pytest.mark.parametrize("pair", PAIRS)
def test_metadata_is_complete(pair):
    metadata = load_metadata(pair)
    assert metadata["pair"] == pair and metadata["classes"] == list(pair)
    history = metadata["history"]
    assert len(history["epoch"]) == metadata["epochs"]
    assert len(history["batch"]["loss"]) >= metadata["epochs"] * 50
    assert (
        np.array(metadata["evaluation"]["test"]["confusion"]).sum()
        == metadata["evaluation"]["test"]["n"]
    )


@pytest.mark.dataset
@pytest.mark.parametrize("pair", PAIRS)
def test_test_accuracy_stays_above_the_floor(pair, emnist_dir, monkeypatch):
    monkeypatch.setenv("EMNIST_DIR", str(emnist_dir))
    images, labels = data.load_pair(pair, "test")
    scores = evaluate(load_pretrained(pair), images, labels)
    assert scores["accuracy"] >= TEST_ACCURACY_FLOOR[pair]


@pytest.mark.dataset
@pytest.mark.parametrize("pair", PAIRS)
def test_shipped_maps_come_from_this_model_and_dataset(pair, emnist_dir, monkeypatch):
    monkeypatch.setenv("EMNIST_DIR", str(emnist_dir))
    shipped = shipped_global_maps(pair)
    assert (
        shipped.info["dataset"]
        == data.dataset_fingerprint()["id"]
        == load_metadata(pair)["dataset"]["id"]
    )
    recomputed = compute_for_pair(pair, load_pretrained(pair))
    assert shipped.counts == recomputed.counts and shipped.counts["all"] == [400, 400]
    for key, array in recomputed.maps.items():
        np.testing.assert_allclose(shipped.maps[key], array, rtol=1e-4, atol=1e-7)
