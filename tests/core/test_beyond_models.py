"""The CNNs and the 8-class networks in pretrained/, loading by name, and training on an
EMNIST Balanced archive (a small generated one: the official archive is never fetched here)."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

from core.aggregates import shipped_contrast_grid
from core.data import dataset as data
from core.data.idx import idx_bytes
from core.data.labelled import load_balanced
from core.data.pairs import ALL_EIGHT, EIGHT_CHARACTERS, PAIRS
from core.models.loading import load_pretrained
from core.models.metadata import load_metadata
from core.models.paths import model_dir
from core.models.scores import evaluate

ROOT = Path(__file__).resolve().parents[2]
# A point below what the shipped models measured on the shared test set (see docs/beyond.md).
CNN_TEST_FLOOR = {"2Z": 0.92, "5S": 0.928, "8B": 0.98, "0O": 0.69}


def test_names_and_kinds_map_to_their_folders():
    assert (
        model_dir("2Z", "cnn").name == "2Z-cnn"
        and model_dir(ALL_EIGHT).name == "all8"
        and model_dir(ALL_EIGHT, "cnn").name == "all8-cnn"
    )
    with pytest.raises(ValueError, match="unknown model"):
        model_dir("XY")
    with pytest.raises(ValueError, match="kind must be one of"):
        model_dir("2Z", "rnn")


@pytest.mark.parametrize("pair", PAIRS)
def test_cnn_is_convolutional_small_and_complete(pair):
    model = load_pretrained(pair, kind="cnn")
    kinds = [type(layer).__name__ for layer in model.layers]
    assert (
        kinds.count("Conv2D") == 2
        and kinds.count("MaxPooling2D") == 2
        and model.output_shape == (None, 2)
    )
    assert (model_dir(pair, "cnn") / "model.keras").stat().st_size < 2_000_000
    metadata = load_metadata(pair, "cnn")
    assert metadata["kind"] == "cnn" and metadata["classes"] == list(pair)
    assert (
        metadata["evaluation"]["test"]["accuracy"]
        > load_metadata(pair)["evaluation"]["test"]["accuracy"]
    )


@pytest.mark.parametrize("kind", ["dense", "cnn"])
def test_eight_class_network_is_shipped_with_its_maps(kind):
    model = load_pretrained(ALL_EIGHT, kind)
    assert model.output_shape == (None, 8)
    metadata = load_metadata(ALL_EIGHT, kind)
    assert metadata["classes"] == list(EIGHT_CHARACTERS)
    confusion = np.array(metadata["evaluation"]["test"]["confusion"])
    assert confusion.shape == (8, 8) and confusion.sum() == metadata["evaluation"]["test"]["n"]
    grid = shipped_contrast_grid(kind)
    assert grid.shape == (8, 8, 28, 28) and not grid[np.arange(8), np.arange(8)].any()


@pytest.mark.dataset
@pytest.mark.parametrize("pair", PAIRS)
def test_cnn_test_accuracy_stays_above_the_floor(pair, emnist_dir, monkeypatch):
    monkeypatch.setenv("EMNIST_DIR", str(emnist_dir))
    images, labels = data.load_pair(pair, "test")
    assert (
        evaluate(load_pretrained(pair, "cnn"), images, labels)["accuracy"] >= CNN_TEST_FLOOR[pair]
    )


@pytest.mark.dataset
@pytest.mark.slow
def test_eight_class_accuracy_matches_its_metadata(emnist_dir, monkeypatch):
    monkeypatch.setenv("EMNIST_DIR", str(emnist_dir))
    images, labels = data.load_split("test")
    for kind in ("dense", "cnn"):
        scores = evaluate(load_pretrained(ALL_EIGHT, kind), images, labels)
        assert scores["accuracy"] == pytest.approx(
            load_metadata(ALL_EIGHT, kind)["evaluation"]["test"]["accuracy"], abs=1e-4
        )


def _gz(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as stream:
        stream.write(idx_bytes(array))
    return buffer.getvalue()


def _balanced_archive(folder: Path, per_class: int = 12, classes: int = 3) -> Path:
    """A zip shaped like NIST's gzip.zip: Balanced images (stored transposed) with the real
    mapping's format.

    Class c is a bar at column 4 + 9c (drawn upright, then transposed as EMNIST stores it).
    """
    mapping = "".join(
        f"{label} {code}\n" for label, code in zip(range(classes), (48, 65, 97), strict=True)
    )
    archive = folder / "gzip.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("gzip/emnist-balanced-mapping.txt", mapping)
        for split, count in (("train", per_class), ("test", per_class // 2)):
            labels = np.repeat(np.arange(classes), count).astype(np.uint8)
            upright = np.zeros((len(labels), 28, 28), np.uint8)
            for index, label in enumerate(labels):
                upright[index, 4:24, 4 + 9 * label : 7 + 9 * label] = 255
            out.writestr(
                f"gzip/emnist-balanced-{split}-images-idx3-ubyte.gz",
                _gz(upright.transpose(0, 2, 1)),
            )
            out.writestr(f"gzip/emnist-balanced-{split}-labels-idx1-ubyte.gz", _gz(labels))
    return archive


def test_balanced_archive_is_read_upright_with_its_mapping(tmp_path):
    loaded = load_balanced(_balanced_archive(tmp_path), "train")
    assert loaded.classes == ("0", "A", "a") and len(loaded.labels) == 36
    assert (
        loaded.images[0, 10, 5] == 255 and loaded.images[0, 5, 10] == 0
    )  # the bar is vertical: upright


@pytest.mark.slow
def test_train_command_trains_on_every_balanced_class(tmp_path):
    archive = _balanced_archive(tmp_path, per_class=30)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "core",
            "train",
            "--pair",
            "all8",
            "--balanced-archive",
            str(archive),
            "--epochs",
            "2",
            "--out",
            str(tmp_path / "models"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    metadata = json.loads((tmp_path / "models" / "balanced" / "metadata.json").read_text())
    assert metadata["classes"] == ["0", "A", "a"] and metadata["pair"] == "balanced"
    assert np.array(metadata["evaluation"]["test"]["confusion"]).shape == (3, 3)
    model = keras.saving.load_model(tmp_path / "models" / "balanced" / "model.keras")
    assert model.output_shape == (None, 3)
    assert "balanced" in json.loads(completed.stdout)


def test_balanced_without_an_archive_is_refused(capsys):
    from core.cli.main import main

    assert main(["train", "--pair", "balanced"]) == 2
    assert "--balanced-archive" in capsys.readouterr().err
    assert main(["train", "--pair", "2Z", "--balanced-archive", "gzip.zip"]) == 2
    assert "goes with --pair all8" in capsys.readouterr().err


@pytest.mark.slow
def test_explain_command_takes_the_cnn_and_any_pair_of_the_eight(tmp_path):
    from PIL import Image

    from tests.app.conftest import drawn

    path = tmp_path / "two.png"
    Image.fromarray(drawn("2")).save(path)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "core",
            "explain",
            "--pair",
            "all8",
            "--kind",
            "cnn",
            "--mode",
            "contrast",
            "--contrast",
            "S",
            str(path),
            "--out",
            str(tmp_path / "maps.npy"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert f"{path}: 2 (P=" in completed.stdout and np.load(tmp_path / "maps.npy").shape == (
        1,
        28,
        28,
    )


def test_cnn_training_is_deterministic_for_a_seed():
    from core.models.builders import build_cnn_model
    from core.models.training import TrainConfig, fit
    from tests.helpers import random_images

    images, labels = random_images(12, 64), np.arange(64) % 2
    runs = [
        fit(
            images,
            labels,
            (images[:16], labels[:16]),
            TrainConfig(epochs=1, batch_size=32, seed=3),
            build=build_cnn_model,
        )[0].get_weights()
        for _ in range(2)
    ]
    for first, second in zip(*runs, strict=True):
        np.testing.assert_array_equal(first, second)


@pytest.mark.dataset
def test_shipped_cnn_maps_come_from_this_model_and_dataset(emnist_dir, monkeypatch):
    monkeypatch.setenv("EMNIST_DIR", str(emnist_dir))
    from core.aggregates import compute_maps, shipped_maps

    shipped = shipped_maps("8B", "cnn")
    assert (
        shipped.info["kind"] == "cnn"
        and shipped.info["dataset"] == data.dataset_fingerprint()["id"]
    )
    recomputed = compute_maps("8B", load_pretrained("8B", "cnn"), k=shipped.k, kind="cnn")
    assert recomputed.info["model_sha256"] == shipped.info["model_sha256"]
    for key, array in recomputed.maps.items():
        np.testing.assert_allclose(shipped.maps[key], array, rtol=1e-4, atol=1e-6)
