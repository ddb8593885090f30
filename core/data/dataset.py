"""The project's 8-character EMNIST set: where it lives, how it is read, how pairs are cut.

Files sit in ``<data dir>/pairs/`` in the official EMNIST idx format. The data dir is
``$EMNIST_DIR`` when set, else ``data/emnist/`` in the repository. Images in every EMNIST
file are stored transposed; :func:`load_split` turns them upright once, here, so that every
array handed out by this module is upright.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import numpy as np

from core.data.idx import read_idx
from core.data.pairs import EIGHT_CHARACTERS, pair_characters
from core.errors import DatasetError

REPO_ROOT = Path(__file__).resolve().parents[2]
SPLITS = ("train", "test")
VALIDATION_FRACTION = 0.1
VALIDATION_SEED = 2022
MAX_PAIR_FILE_BYTES = 256 * 2**20
"""Largest decompressed file of ``pairs/`` read (its train images hold 24 MB)."""
PAIR_FILES = {
    "train_images": "emnist-pairs-train-images-idx3-ubyte.gz",
    "train_labels": "emnist-pairs-train-labels-idx1-ubyte.gz",
    "test_images": "emnist-pairs-test-images-idx3-ubyte.gz",
    "test_labels": "emnist-pairs-test-labels-idx1-ubyte.gz",
    "mapping": "emnist-pairs-mapping.txt",
}


def data_dir() -> Path:
    """Folder holding ``pairs/``: ``$EMNIST_DIR`` if set, else ``data/emnist`` in the repo."""
    configured = os.environ.get("EMNIST_DIR")
    return Path(configured).expanduser().resolve() if configured else REPO_ROOT / "data" / "emnist"


def pairs_dir() -> Path:
    return data_dir() / "pairs"


def dataset_available() -> bool:
    """True when every file of the 8-character set is present (not that it is intact)."""
    folder = pairs_dir()
    return all((folder / name).is_file() for name in PAIR_FILES.values())


def read_mapping(path: str | Path) -> dict[int, str]:
    """Read an EMNIST mapping file: ``label code [code ...]`` per line -> {label: characters}."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(path, "mapping file not found")
    mapping: dict[int, str] = {}
    for number, line in enumerate(
        path.read_text(encoding="ascii", errors="replace").splitlines(), 1
    ):
        fields = line.split()
        if not fields:
            continue
        try:
            label, codes = int(fields[0]), [int(code) for code in fields[1:]]
            characters = "".join(chr(code) for code in codes)
        except ValueError:
            raise DatasetError(
                path, f"line {number} is not 'label code [code]': {line[:40]!r}"
            ) from None
        if not codes or label in mapping:
            raise DatasetError(path, f"line {number}: missing codes or label {label} repeated")
        mapping[label] = characters
    if not mapping:
        raise DatasetError(path, "mapping file is empty")
    return mapping


def eight_character_problem(mapping: dict[int, str]) -> str | None:
    """What keeps a mapping from being the 8-character set's (label ``i`` holds the ``i``-th of
    ``0 2 5 8 B O S Z``, a letter in either case, and nothing else), or None. Every page reads
    the same file through this check, so the 8-character and the pair pages refuse the same
    files (issue 25)."""
    expected = {
        label: {character, character.lower()} for label, character in enumerate(EIGHT_CHARACTERS)
    }
    if sorted(mapping) != sorted(expected):
        return f"lists labels {sorted(mapping)[:10]}, not 0 to {len(EIGHT_CHARACTERS) - 1}"
    for label, characters in sorted(mapping.items()):
        if not characters or not set(characters) <= expected[label]:
            return (
                f"label {label} stands for {characters!r}, not {EIGHT_CHARACTERS[label]} "
                "(the file is damaged or not the 8-character set's)"
            )
    return None


def label_for(mapping: dict[int, str], character: str, source: str | Path | None = None) -> int:
    """The label whose characters include ``character`` (letters match either case); an error
    names ``source`` (default: the pairs' mapping file) when not exactly one label does."""
    wanted = (
        {character, character.lower(), character.upper()} if character.isalpha() else {character}
    )
    matches = [label for label, chars in mapping.items() if wanted & set(chars)]
    if len(matches) != 1:
        raise DatasetError(
            source or pairs_dir() / PAIR_FILES["mapping"],
            f"expected exactly one label for {character!r}, found {len(matches)}",
        )
    return matches[0]


def mapping() -> dict[int, str]:
    return read_mapping(pairs_dir() / PAIR_FILES["mapping"])


@functools.lru_cache(maxsize=4)
def _load_split_cached(folder: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    folder_path = Path(folder)
    images_path = folder_path / PAIR_FILES[f"{split}_images"]
    labels_path = folder_path / PAIR_FILES[f"{split}_labels"]
    stored = read_idx(images_path, expected_ndim=3, max_bytes=MAX_PAIR_FILE_BYTES)
    labels = read_idx(labels_path, expected_ndim=1, max_bytes=MAX_PAIR_FILE_BYTES)
    if stored.shape[1:] != (28, 28) or stored.dtype != np.uint8:
        raise DatasetError(
            images_path, f"expected uint8 images of 28x28, found {stored.dtype} {stored.shape[1:]}"
        )
    if len(labels) != len(stored):
        raise DatasetError(labels_path, f"holds {len(labels)} labels for {len(stored)} images")
    mapping_path = folder_path / PAIR_FILES["mapping"]
    table = read_mapping(mapping_path)
    problem = eight_character_problem(table)
    if problem:
        raise DatasetError(mapping_path, problem)
    known = np.array(sorted(table))
    unknown = np.setdiff1d(np.unique(labels), known)
    if unknown.size:
        raise DatasetError(
            labels_path,
            f"holds labels {unknown[:5].tolist()} that {PAIR_FILES['mapping']} does not list "
            "(one of the two files is damaged)",
        )
    upright = np.ascontiguousarray(stored.transpose(0, 2, 1))
    labels = labels.astype(np.int64)
    for array in (upright, labels):
        array.flags.writeable = False
    return upright, labels


def load_split(split: str) -> tuple[np.ndarray, np.ndarray]:
    """All images of a split, upright uint8 ``[n, 28, 28]``, and their 8-character labels.

    The arrays are shared and read-only; index or copy them before changing anything.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    return _load_split_cached(str(pairs_dir()), split)


def load_pair(pair: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images of one pair, upright uint8 ``[n, 28, 28]``, and labels 0/1 in pair order.

    Label 0 is the pair's first character, label 1 its second (``"2Z"``: 2 -> 0, Z -> 1).
    Images keep the order of the files.
    """
    images, labels = load_split(split)
    table = mapping()
    first, second = (label_for(table, character) for character in pair_characters(pair))
    keep = (labels == first) | (labels == second)
    return images[keep], (labels[keep] == second).astype(np.int64)


def validation_indices(
    n: int, fraction: float = VALIDATION_FRACTION, seed: int = VALIDATION_SEED
) -> np.ndarray:
    """A fixed, seeded random subset of ``range(n)`` used as validation (sorted)."""
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[: int(round(n * fraction))])


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def _fingerprint_cached(folder: str) -> dict:
    files = {name: sha256_of(Path(folder) / name) for name in sorted(PAIR_FILES.values())}
    combined = hashlib.sha256("".join(files[name] for name in sorted(files)).encode()).hexdigest()
    return {"id": combined[:16], "files": files}


def dataset_fingerprint() -> dict:
    """Which dataset this is: sha256 of each file and a short combined id.

    Everything computed from data (metadata, global maps, reports) records this, so figures
    from the shared set and from a rebuilt official set are never mixed up.
    """
    folder = pairs_dir()
    for name in PAIR_FILES.values():
        if not (folder / name).is_file():
            raise DatasetError(folder / name, "file not found")
    return _fingerprint_cached(str(folder))
