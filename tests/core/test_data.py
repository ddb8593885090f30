"""The 8-character set: counts, pair labels, orientation, validation split, fingerprint."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import dataset as data
from core.data import labelled
from core.data.pairs import PAIRS
from core.errors import DatasetError

pytestmark = pytest.mark.dataset


@pytest.fixture(autouse=True)
def _use_real_data(emnist_dir, monkeypatch):
    monkeypatch.setenv("EMNIST_DIR", str(emnist_dir))


def test_mapping_drives_the_labels():
    table = data.mapping()
    assert [table[label] for label in range(8)] == ["0", "2", "5", "8", "Bb", "Oo", "Ss", "Zz"]
    assert data.label_for(table, "o") == data.label_for(table, "O") == 5


@pytest.mark.parametrize("pair", PAIRS)
def test_pairs_have_both_labels_and_the_documented_counts(pair):
    train_images, train_labels = data.load_pair(pair, "train")
    test_images, test_labels = data.load_pair(pair, "test")
    assert train_images.dtype == np.uint8 and train_images.shape[1:] == (28, 28)
    assert set(np.unique(train_labels)) == {0, 1} == set(np.unique(test_labels))
    # every label has at least the 400 test images the global maps use
    assert np.bincount(test_labels).min() >= 400
    assert len(train_images) > 7_000 and len(test_images) == len(test_labels)


def _longest_runs(binary: np.ndarray, axis: int) -> np.ndarray:
    """Per image, the longest unbroken run of ink along ``axis`` (1 = down a column)."""
    moved = np.moveaxis(binary, axis, -1)
    run = np.zeros(moved.shape[:-1], int)
    best = np.zeros(moved.shape[:-1], int)
    for index in range(moved.shape[-1]):
        run = np.where(moved[..., index], run + 1, 0)
        best = np.maximum(best, run)
    return best.max(axis=-1)


def test_images_are_upright():
    """A Z is written with long horizontal strokes: upright, its longest horizontal run of ink
    beats its longest vertical one in ~99% of test images; transposed, in ~1%."""
    images, labels = data.load_pair("2Z", "test")
    zs = images[labels == 1] > 127
    horizontal_wins = (_longest_runs(zs, 2) > _longest_runs(zs, 1)).mean()
    transposed_wins = (_longest_runs(zs, 1) > _longest_runs(zs, 2)).mean()
    assert horizontal_wins > 0.9 and transposed_wins < 0.1


def test_validation_split_is_fixed_random_and_disjoint():
    train, validation = labelled.train_validation("5S")
    _, again = labelled.train_validation("5S")
    np.testing.assert_array_equal(validation.images, again.images)
    (train_x, train_y), (val_x, val_y) = (
        (train.images, train.labels),
        (validation.images, validation.labels),
    )
    total = len(train_x) + len(val_x)
    assert abs(len(val_x) - 0.1 * total) <= 1
    indices = data.validation_indices(total)
    # random across the file, not a tail: spread over the whole range of positions
    assert indices.min() < 0.05 * total and indices.max() > 0.95 * total
    # both classes present in roughly the train proportion
    assert abs(val_y.mean() - train_y.mean()) < 0.05


def test_fingerprint_records_every_file():
    fingerprint = data.dataset_fingerprint()
    assert len(fingerprint["id"]) == 16 and set(fingerprint["files"]) == set(
        data.PAIR_FILES.values()
    )
    assert all(len(digest) == 64 for digest in fingerprint["files"].values())


def test_loaded_arrays_are_read_only():
    images, _ = data.load_split("test")
    with pytest.raises(ValueError):
        images[0, 0, 0] = 1


def test_unknown_pair_and_split():
    with pytest.raises(ValueError, match="unknown pair"):
        data.load_pair("2S", "test")
    with pytest.raises(ValueError, match="split"):
        data.load_pair("2Z", "validation")


def test_missing_dataset_names_the_file_and_command(tmp_path, monkeypatch):
    monkeypatch.setenv("EMNIST_DIR", str(tmp_path))
    with pytest.raises(DatasetError, match="python -m core download") as caught:
        data.load_pair("2Z", "test")
    assert "emnist-pairs-test-images" in str(caught.value)
    assert not data.dataset_available()
