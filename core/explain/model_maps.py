"""Global maps of any shipped model: a pair's network of either kind, or the 8-class network.

Pair networks get the usual :mod:`core.explain.global_maps` file. The 8-class network has no single
"other class", so its file holds the thesis and target modes, and a second file holds one
contrast map per ordered pair of characters: ``grid[a, b]`` is the mean "why a and not b"
map of the first k test images of label a (zero on the diagonal).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from core.data import labelled
from core.data.dataset import dataset_fingerprint, sha256_of
from core.data.pairs import ALL_EIGHT
from core.errors import ModelFileError
from core.explain.global_maps import (
    DEFAULT_K,
    GLOBAL_MAPS_FILE,
    GlobalMaps,
    check_maps,
    compute_global_maps,
    load_global_maps,
    read_header,
    read_npz,
    save_global_maps,
)
from core.explain.modulex import predict_and_explain
from core.models.files import MODEL_FILE, expected_classes, model_dir

CONTRAST_GRID_FILE = "contrast_maps.npz"
MULTICLASS_MODES = ("thesis", "target")


def compute_maps(
    name: str, model, k: int = DEFAULT_K, kind: str = "dense", root: Path | None = None
) -> GlobalMaps:
    """Global maps of model ``name`` (a pair or ``all8``) on its test set, with their sources."""
    test = labelled.load(name, "test")
    info = {"pair": name, "kind": kind, "dataset": dataset_fingerprint()["id"]}
    model_file = model_dir(name, kind, root) / MODEL_FILE
    if model_file.is_file():
        info["model_sha256"] = sha256_of(model_file)
    modes = MULTICLASS_MODES if len(test.classes) > 2 else ("thesis", "target", "contrast")
    return compute_global_maps(model, test.images, test.labels, k=k, modes=modes, info=info)


def contrast_grid(model, images: np.ndarray, labels: np.ndarray, k: int = DEFAULT_K) -> np.ndarray:
    """``grid[a, b]``: mean contrast map "a and not b" over the first ``k`` images of label a."""
    n_classes = int(labels.max()) + 1
    grid = np.zeros((n_classes, n_classes, *images.shape[1:]), np.float32)
    for a in range(n_classes):
        chosen = images[np.flatnonzero(labels == a)[:k]]
        for b in range(n_classes):
            if a != b and len(chosen):
                grid[a, b] = predict_and_explain(
                    model, chosen, mode="contrast", target=a, contrast=b
                )[1].mean(axis=0)
    return grid


def write_maps(
    name: str, model, k: int = DEFAULT_K, kind: str = "dense", root: Path | None = None
) -> list[Path]:
    """Compute and save the global maps of a model (and, for ``all8``, its contrast grid)."""
    folder = model_dir(name, kind, root)
    maps = compute_maps(name, model, k, kind, root)
    save_global_maps(maps, folder / GLOBAL_MAPS_FILE)
    written = [folder / GLOBAL_MAPS_FILE]
    if name == ALL_EIGHT:
        test = labelled.load(name, "test")
        header = json.dumps({"k": k, "classes": list(test.classes), "info": maps.info})
        np.savez_compressed(
            folder / CONTRAST_GRID_FILE,
            header=np.array(header),
            grid=contrast_grid(model, test.images, test.labels, k),
        )
        written.append(folder / CONTRAST_GRID_FILE)
    return written


def shipped_maps(name: str, kind: str = "dense") -> GlobalMaps:
    return load_global_maps(model_dir(name, kind) / GLOBAL_MAPS_FILE, expected_classes(name))


CONTRAST_FIX = (
    "git checkout -- pretrained/ or python -m core global-maps --pair all8 --kind both"
    " (needs the dataset)"
)


def shipped_contrast_grid(kind: str = "dense", root: Path | None = None) -> np.ndarray:
    """The 8-class network's contrast grid ``[8, 8, 28, 28]``, checked like the global maps."""
    path = model_dir(ALL_EIGHT, kind, root) / CONTRAST_GRID_FILE
    arrays = read_npz(path, CONTRAST_FIX, "contrast maps file")
    read_header(path, arrays, CONTRAST_FIX)
    if set(arrays) != {"header", "grid"}:
        raise ModelFileError(path, f"holds {sorted(arrays)}, not header and grid", CONTRAST_FIX)
    classes = expected_classes(ALL_EIGHT)
    return check_maps(path, arrays["grid"], "grid", (classes, classes, 28, 28), CONTRAST_FIX)
