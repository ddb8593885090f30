"""Training: deterministic for a seed, logs every batch, writes its metrics beside the weights."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.models.augment import Augmentation, augment
from core.models.loading import load_pretrained
from core.models.metadata import load_metadata
from core.models.training import TrainConfig, class_weights, fit

ROOT = Path(__file__).resolve().parents[2]


def _bars(n: int, seed: int):
    """Label 0: a vertical bar on the left half; label 1: on the right half."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = np.zeros((n, 28, 28), np.uint8)
    for index, label in enumerate(labels):
        column = rng.integers(4, 11) + 14 * label
        images[index, 5:23, column : column + 3] = 255
    return images, labels


def test_fit_learns_and_logs_every_batch():
    images, labels = _bars(300, 0)
    config = TrainConfig(epochs=3, batch_size=50, seed=1)
    model, history = fit(images, labels, _bars(60, 1), config)
    assert len(history["batch"]["loss"]) == 3 * 6 and len(history["epoch"]) == 3
    assert history["epoch"][-1]["val_accuracy"] > 0.9
    assert history["kept_epoch"] == 3


def test_fit_is_deterministic_for_a_seed():
    images, labels = _bars(200, 2)
    runs = [
        fit(images, labels, _bars(40, 3), TrainConfig(epochs=2, batch_size=40, seed=seed))[
            0
        ].get_weights()
        for seed in (5, 5, 6)
    ]
    for first, second in zip(runs[0], runs[1], strict=True):
        np.testing.assert_array_equal(first, second)
    assert not all(np.array_equal(a, b) for a, b in zip(runs[0], runs[2], strict=True))


def test_class_weights_balance_the_classes():
    weights = class_weights(np.array([0, 0, 0, 1]), 2)
    assert weights[0] * 3 == pytest.approx(weights[1] * 1)


def test_augmentation_is_seeded_and_keeps_the_range():
    images = _bars(20, 4)[0] / np.float32(255)
    first = augment(images, np.random.default_rng(7), Augmentation())
    again = augment(images, np.random.default_rng(7), Augmentation())
    np.testing.assert_array_equal(first, again)
    assert first.min() >= 0 and first.max() <= 1 and not np.allclose(first, images)
    assert augment(images, np.random.default_rng(7), Augmentation(0, 0, 0, 0, 0)) is images


@pytest.mark.dataset
@pytest.mark.slow
def test_train_command_writes_model_metadata_and_maps(emnist_dir, tmp_path):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "core",
            "train",
            "--pair",
            "8B",
            "--epochs",
            "1",
            "--out",
            str(tmp_path),
            "--k",
            "20",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**__import__("os").environ, "EMNIST_DIR": str(emnist_dir)},
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    folder = tmp_path / "8B"
    assert {p.name for p in folder.iterdir()} >= {
        "model.keras",
        "metadata.json",
        "history.csv",
        "global_maps.npz",
    }
    metadata = load_metadata("8B", root=tmp_path)
    assert metadata["classes"] == ["8", "B"] and metadata["epochs"] == 1
    assert len(metadata["dataset"]["files"]) == 5
    assert set(metadata["evaluation"]) == {"train", "validation", "test"}
    assert metadata["evaluation"]["test"]["accuracy"] > 0.8  # one epoch already separates 8 from B
    history_rows = (folder / "history.csv").read_text().strip().splitlines()
    assert len(history_rows) - 1 == len(metadata["history"]["batch"]["loss"])
    assert (
        load_pretrained("8B", root=tmp_path).count_params() == load_pretrained("8B").count_params()
    )
    assert json.loads(completed.stdout)["8B"]["test"] == pytest.approx(
        metadata["evaluation"]["test"]["accuracy"], abs=1e-4
    )
