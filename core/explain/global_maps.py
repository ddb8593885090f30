"""Global explanations: the mean ModuleX map of the first k test images of each label.

As in the thesis (k = 400), each image is explained with its true label as the target. The
maps are computed per mode, over all k images and over the first k correctly classified
ones (what the mistakes page holds mistakes against). The shipped maps live in
``pretrained/<pair>/global_maps.npz`` so the dashboard shows them without the dataset.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data.dataset import dataset_fingerprint, load_pair, sha256_of
from core.errors import ModelFileError
from core.explain import MODES, predict_and_explain
from core.models.files import MODEL_FILE, model_dir

DEFAULT_K = 400
SUBSETS = ("all", "correct")
GLOBAL_MAPS_FILE = "global_maps.npz"


@dataclass(frozen=True)
class GlobalMaps:
    """``maps[(subset, mode)]`` is float32 ``[classes, 28, 28]``: one mean map per label."""

    maps: dict
    k: int
    counts: dict  # (subset) -> images averaged per label
    info: dict  # dataset fingerprint, model checksum, ...

    def get(self, mode: str = "target", subset: str = "all") -> np.ndarray:
        return self.maps[(subset, mode)]

    def difference(self, mode: str = "target", subset: str = "all") -> np.ndarray:
        """Label 0's mean map minus label 1's."""
        maps = self.get(mode, subset)
        return maps[0] - maps[1]


def compute_global_maps(
    model, images, labels, k: int = DEFAULT_K, modes=MODES, info: dict | None = None
) -> GlobalMaps:
    """Mean maps of the first ``k`` images of each label (file order), target = true label."""
    from core.models.files import predict

    labels = np.asarray(labels)
    n_classes = int(labels.max()) + 1
    predicted = predict(model, images).argmax(axis=1)
    sums = {(subset, mode): [] for subset in SUBSETS for mode in modes}
    counts = {subset: [] for subset in SUBSETS}
    for label in range(n_classes):
        of_label = np.flatnonzero(labels == label)
        chosen = {"all": of_label[:k], "correct": of_label[predicted[of_label] == label][:k]}
        needed = np.union1d(chosen["all"], chosen["correct"])  # explain each image once per mode
        position = {index: row for row, index in enumerate(needed)}
        for mode in modes:
            _, explained = predict_and_explain(model, images[needed], mode=mode, target=label)
            for subset, indices in chosen.items():
                rows = [position[index] for index in indices]
                mean = (
                    explained[rows].mean(axis=0)
                    if rows
                    else np.zeros(explained.shape[1:], np.float32)
                )
                sums[(subset, mode)].append(mean.astype(np.float32))
        for subset, indices in chosen.items():
            counts[subset].append(int(len(indices)))
    maps = {key: np.stack(per_label) for key, per_label in sums.items()}
    return GlobalMaps(maps, k, counts, dict(info or {}))


def compute_for_pair(pair: str, model, k: int = DEFAULT_K) -> GlobalMaps:
    """Global maps of a pair's test set, recording which dataset they came from."""
    images, labels = load_pair(pair, "test")
    info = {"pair": pair, "dataset": dataset_fingerprint()["id"]}
    model_file = model_dir(pair) / MODEL_FILE
    if model_file.is_file():
        info["model_sha256"] = sha256_of(model_file)
    return compute_global_maps(model, images, labels, k=k, info=info)


def save_global_maps(global_maps: GlobalMaps, path: str | Path) -> None:
    arrays = {f"{subset}__{mode}": array for (subset, mode), array in global_maps.maps.items()}
    header = {"k": global_maps.k, "counts": global_maps.counts, "info": global_maps.info}
    np.savez_compressed(path, header=np.array(json.dumps(header)), **arrays)


def load_global_maps(path: str | Path) -> GlobalMaps:
    """Read maps written by :func:`save_global_maps` (no pickle); clear error if damaged."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(
            path,
            "global maps file not found",
            fix="python -m core global-maps --pair all (needs the dataset) or git checkout -- pretrained/",
        )
    try:
        with np.load(path, allow_pickle=False) as stored:
            header = json.loads(str(stored["header"]))
            maps = {}
            for key in stored.files:
                if key == "header":
                    continue
                subset, mode = key.split("__")
                array = stored[key]
                if array.ndim != 3 or array.shape[1:] != (28, 28) or not np.all(np.isfinite(array)):
                    raise ValueError(f"{key} has shape {array.shape} or holds non-finite values")
                maps[(subset, mode)] = array.astype(np.float32)
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as error:
        raise ModelFileError(
            path,
            f"is not a valid global maps file ({error})",
            fix="git checkout -- pretrained/ or python -m core global-maps --pair all",
        ) from None
    return GlobalMaps(maps, int(header["k"]), header["counts"], header.get("info", {}))


def shipped_global_maps(pair: str) -> GlobalMaps:
    return load_global_maps(model_dir(pair) / GLOBAL_MAPS_FILE)
