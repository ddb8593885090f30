"""Missing, truncated or corrupt model, metadata, maps and dataset files: one clear error
naming the file and how to restore it; models load with safe_mode, arrays without pickle."""

from __future__ import annotations

import json
import shutil

import keras
import numpy as np
import pytest

from core.aggregates import load_global_maps, shipped_maps
from core.data import dataset as data
from core.data.idx import write_idx
from core.errors import DatasetError, ModelFileError
from core.models.loading import load_pretrained
from core.models.metadata import load_metadata
from core.models.paths import model_dir


@pytest.fixture
def pretrained_copy(tmp_path, monkeypatch):
    """A private copy of the shipped 2Z model folder, used through MODULEX_PRETRAINED."""
    shutil.copytree(model_dir("2Z"), tmp_path / "2Z")
    monkeypatch.setenv("MODULEX_PRETRAINED", str(tmp_path))
    return tmp_path / "2Z"


def _assert_clear(error, filename: str):
    """One line for the user: the file at fault, what is wrong with it, the command that repairs
    it."""
    message = str(error)
    assert filename in message and "\n" not in message
    assert error.path.name == filename
    assert (
        error.problem
        and error.fix in message
        and ("python -m core" in error.fix or "git" in error.fix)
    )


def test_missing_model(pretrained_copy):
    (pretrained_copy / "model.keras").unlink()
    with pytest.raises(ModelFileError, match="not found") as caught:
        load_pretrained("2Z")
    _assert_clear(caught.value, "model.keras")


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_damaged_model(pretrained_copy, damage):
    path = pretrained_copy / "model.keras"
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 3] if damage == "truncate" else b"not a zip file" * 100)
    with pytest.raises(ModelFileError, match="cannot be loaded") as caught:
        load_pretrained("2Z")
    _assert_clear(caught.value, "model.keras")


def test_safe_mode_refuses_code_in_a_model_file(pretrained_copy):
    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Lambda(lambda x: x * 2),
            keras.layers.Flatten(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.save(pretrained_copy / "model.keras")
    with pytest.raises(ModelFileError, match="cannot be loaded"):
        load_pretrained("2Z")


@pytest.mark.parametrize(
    "content, message",
    [
        ("{ not json", "not valid JSON"),
        ("[1, 2, 3]", "not a JSON object"),
        (json.dumps({"pair": "2Z"}), "lacks"),
        (None, "evaluation.test needs numeric"),
        (None, "history needs"),
    ],
)
def test_invalid_metadata(pretrained_copy, content, message):
    path = pretrained_copy / "metadata.json"
    if content is None:
        metadata = json.loads(path.read_text())
        if "evaluation" in message:
            metadata["evaluation"]["test"]["accuracy"] = "high"
        else:
            metadata["history"] = "lost"
        content = json.dumps(metadata)
    path.write_text(content)
    with pytest.raises(ModelFileError, match=message) as caught:
        load_metadata("2Z")
    _assert_clear(caught.value, "metadata.json")


def test_metadata_with_undecodable_bytes(pretrained_copy):
    (pretrained_copy / "metadata.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ModelFileError, match="metadata.json"):
        load_metadata("2Z")


@pytest.mark.parametrize("damage", ["truncate", "pickled", "wrong shape", "missing"])
def test_damaged_global_maps(pretrained_copy, damage):
    path = pretrained_copy / "global_maps.npz"
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:500])
    elif damage == "pickled":
        np.savez(path, header=np.array([{"k": 400}], dtype=object))
    elif damage == "wrong shape":
        np.savez(
            path,
            header=np.array(json.dumps({"k": 400, "counts": {}})),
            all__target=np.zeros((2, 5)),
        )
    else:
        path.unlink()
    with pytest.raises(ModelFileError) as caught:
        shipped_maps("2Z")
    _assert_clear(caught.value, "global_maps.npz")


def test_global_maps_never_unpickle(tmp_path):
    path = tmp_path / "maps.npz"
    np.savez(path, header=np.array([{"k": 1}], dtype=object), all__target=np.zeros((2, 28, 28)))
    with pytest.raises(ModelFileError, match="not a valid global maps file"):
        load_global_maps(path)


def test_dataset_with_mismatched_labels(tmp_path, monkeypatch):
    pairs = tmp_path / "pairs"
    pairs.mkdir()
    for split in ("train", "test"):
        write_idx(pairs / data.PAIR_FILES[f"{split}_images"], np.zeros((4, 28, 28), np.uint8))
        write_idx(pairs / data.PAIR_FILES[f"{split}_labels"], np.zeros(3, np.uint8))
    (pairs / data.PAIR_FILES["mapping"]).write_text("0 48\n1 50\n")
    monkeypatch.setenv("EMNIST_DIR", str(tmp_path))
    with pytest.raises(DatasetError, match="3 labels for 4 images") as caught:
        data.load_split("test")
    assert "python -m core download" in str(caught.value)


def test_dataset_with_a_broken_mapping(tmp_path, monkeypatch):
    pairs = tmp_path / "pairs"
    pairs.mkdir()
    (pairs / data.PAIR_FILES["mapping"]).write_text("zero forty-eight\n")
    monkeypatch.setenv("EMNIST_DIR", str(tmp_path))
    with pytest.raises(DatasetError, match="line 1"):
        data.mapping()
