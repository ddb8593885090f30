"""Global explanations: the mean ModuleX map of the first k test images of each label.

As in the thesis (k = 400), each image is explained with its true label as the target. The
maps are computed per mode, over all k images and over the first k correctly classified
ones (what the mistakes page holds mistakes against). A pair network gets all three modes; a
network of more classes has no single "other class", so it gets the thesis and target modes
and, beside them, one contrast map per ordered pair of characters (:func:`contrast_grid`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data import labelled
from core.data.dataset import dataset_fingerprint, sha256_of
from core.explain.modulex import MODES, predict_and_explain
from core.models.networks import THESIS_KIND
from core.models.paths import MODEL_FILE, model_dir
from core.models.prediction import predict

DEFAULT_K = 400
SUBSETS = ("all", "correct")


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


def required_modes(n_classes: int) -> tuple[str, ...]:
    """The modes global maps hold: all three for a pair, no contrast for a multi-class network."""
    return MODES if n_classes == 2 else tuple(mode for mode in MODES if mode != "contrast")


def compute_global_maps(
    model, images, labels, k: int = DEFAULT_K, modes=MODES, info: dict | None = None
) -> GlobalMaps:
    """Mean maps of the first ``k`` images of each label (file order), target = true label."""
    labels = np.asarray(labels)
    n_classes = int(labels.max()) + 1
    predicted = predict(model, images).argmax(axis=1)
    sums: dict[tuple[str, str], list[np.ndarray]] = {
        (subset, mode): [] for subset in SUBSETS for mode in modes
    }
    counts: dict[str, list[int]] = {subset: [] for subset in SUBSETS}
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


def compute_maps(
    name: str, model, k: int = DEFAULT_K, kind: str = THESIS_KIND, root: Path | None = None
) -> GlobalMaps:
    """Global maps of network ``name`` (a pair or ``all8``) on its test set, recording which
    dataset and model file they came from."""
    test = labelled.load(name, "test")
    info = {"pair": name, "kind": kind, "dataset": dataset_fingerprint()["id"]}
    model_file = model_dir(name, kind, root) / MODEL_FILE
    if model_file.is_file():
        info["model_sha256"] = sha256_of(model_file)
    modes = required_modes(len(test.classes))
    return compute_global_maps(model, test.images, test.labels, k=k, modes=modes, info=info)


def contrast_grid(model, images: np.ndarray, labels: np.ndarray, k: int = DEFAULT_K) -> np.ndarray:
    """``grid[a, b]``: mean contrast map "a and not b" over the first ``k`` images of label a
    (zero on the diagonal)."""
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
