"""Labelled images for every model name: a pair, the eight characters, or EMNIST Balanced.

* a pair (``"2Z"``...): :func:`core.data.load_pair`, labels 0/1 in pair order;
* ``"all8"``: every image of the 8-character set, labels 0..7 in the order of the mapping
  file (``0 2 5 8 B O S Z``);
* ``"balanced"``: every class of the official EMNIST Balanced split (47 classes), read from
  the official ``gzip.zip`` or a folder holding its ``emnist-balanced-*`` files.

Validation is always the same seeded random 10% of the train split (:mod:`core.data`).
"""

from __future__ import annotations

import gzip
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data import dataset as data
from core.data.idx import read_gzip_idx
from core.data.pairs import ALL_EIGHT, PAIRS, check_model_name, pair_characters
from core.errors import DatasetError

BALANCED_STEM = "emnist-balanced"
BALANCED_MAPPING = f"{BALANCED_STEM}-mapping.txt"
ARCHIVE_FOLDER = "gzip"


@dataclass(frozen=True)
class Labelled:
    """Upright uint8 images ``[n, 28, 28]``, int64 labels and the character of each label."""

    images: np.ndarray
    labels: np.ndarray
    classes: tuple[str, ...]


def load(name: str, split: str, archive: str | Path | None = None) -> Labelled:
    """The ``split`` ("train" or "test") of model ``name``'s data.

    ``archive`` (the official ``gzip.zip`` or a folder of its files) is needed for
    ``"balanced"`` only.
    """
    check_model_name(name)
    if name in PAIRS:
        images, labels = data.load_pair(name, split)
        return Labelled(images, labels, pair_characters(name))
    if name == ALL_EIGHT:
        images, labels = data.load_split(split)
        table = data.mapping()
        return Labelled(images, labels, tuple(table[label][0] for label in sorted(table)))
    if archive is None:
        raise ValueError(
            "the Balanced model needs the official EMNIST archive: pass --balanced-archive PATH"
        )
    return load_balanced(archive, split)


def train_validation(name: str, archive: str | Path | None = None) -> tuple[Labelled, Labelled]:
    """The train split of ``name`` cut into train and the fixed, seeded 10% validation set."""
    train = load(name, "train", archive)
    is_validation = np.zeros(len(train.labels), dtype=bool)
    is_validation[data.validation_indices(len(train.labels))] = True
    return (
        Labelled(train.images[~is_validation], train.labels[~is_validation], train.classes),
        Labelled(train.images[is_validation], train.labels[is_validation], train.classes),
    )


def _read_balanced_file(archive: Path, name: str) -> bytes:
    if archive.is_dir():
        path = archive / name
        if not path.is_file():
            raise DatasetError(path, "file not found (is this the official EMNIST gzip folder?)")
        return path.read_bytes()
    try:
        with zipfile.ZipFile(archive) as opened:
            return opened.read(f"{ARCHIVE_FOLDER}/{name}")
    except KeyError:
        raise DatasetError(
            archive, f"has no {ARCHIVE_FOLDER}/{name}; is it the official EMNIST gzip.zip?"
        ) from None
    except (zipfile.BadZipFile, OSError) as error:
        raise DatasetError(
            archive, f"is neither a folder nor a readable zip archive ({error})"
        ) from None


def load_balanced(archive: str | Path, split: str) -> Labelled:
    """EMNIST Balanced from the official archive (zip) or a folder of its files, images upright."""
    if split not in data.SPLITS:
        raise ValueError(f"split must be one of {data.SPLITS}, not {split!r}")
    archive = Path(archive)
    stem = f"{BALANCED_STEM}-{split}"
    images = read_gzip_idx(
        _read_balanced_file(archive, f"{stem}-images-idx3-ubyte.gz"), f"{stem}-images", 3
    )
    labels = read_gzip_idx(
        _read_balanced_file(archive, f"{stem}-labels-idx1-ubyte.gz"), f"{stem}-labels", 1
    )
    if images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise DatasetError(
            archive, f"{stem}: {len(labels)} labels for images of shape {images.shape}"
        )
    with tempfile.TemporaryDirectory() as folder:
        mapping_path = Path(folder) / BALANCED_MAPPING
        mapping_path.write_bytes(_read_balanced_file(archive, BALANCED_MAPPING))
        table = data.read_mapping(mapping_path)
    if sorted(table) != list(range(len(table))) or labels.max(initial=0) >= len(table):
        raise DatasetError(
            archive, f"{BALANCED_MAPPING} does not cover labels 0..{labels.max(initial=0)}"
        )
    upright = np.ascontiguousarray(images.transpose(0, 2, 1))
    return Labelled(
        upright, labels.astype(np.int64), tuple(table[label] for label in range(len(table)))
    )
