"""The models in pretrained/: the thesis architecture, their accuracy, their global maps."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core.aggregates import compute_maps, shipped_maps
from core.data import dataset as data
from core.data.pairs import PAIRS
from core.models.builders import describe_architecture
from core.models.loading import load_pretrained
from core.models.metadata import load_metadata
from core.models.networks import KINDS
from core.models.scores import evaluate


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
def test_test_accuracy_is_what_the_metadata_records(pair, emnist_dir, monkeypatch):
    """The shipped model, on the dataset its metadata names, scores what the metadata says (the
    figures in the README come from there); within a few images, for other float orders."""
    monkeypatch.setenv("EMNIST_DIR", str(emnist_dir))
    recorded = load_metadata(pair)
    assert recorded["dataset"]["id"] == data.dataset_fingerprint()["id"]
    images, labels = data.load_pair(pair, "test")
    scores = evaluate(load_pretrained(pair), images, labels)
    assert scores["n"] == recorded["evaluation"]["test"]["n"] == len(labels)
    assert abs(scores["accuracy"] - recorded["evaluation"]["test"]["accuracy"]) <= 3 / len(labels)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", [*PAIRS, "all8"])
def test_metadata_describes_the_architecture_of_the_shipped_file(name, kind):
    assert (
        describe_architecture(load_pretrained(name, kind))
        == load_metadata(name, kind)["architecture"]
    )


@pytest.mark.dataset
@pytest.mark.parametrize("pair", PAIRS)
def test_shipped_maps_come_from_this_model_and_dataset(pair, emnist_dir, monkeypatch):
    monkeypatch.setenv("EMNIST_DIR", str(emnist_dir))
    shipped = shipped_maps(pair)
    assert (
        shipped.info["dataset"]
        == data.dataset_fingerprint()["id"]
        == load_metadata(pair)["dataset"]["id"]
    )
    recomputed = compute_maps(pair, load_pretrained(pair))
    assert shipped.counts == recomputed.counts and shipped.counts["all"] == [400, 400]
    for key, array in recomputed.maps.items():
        np.testing.assert_allclose(shipped.maps[key], array, rtol=1e-4, atol=1e-7)
