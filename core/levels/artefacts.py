"""What the levels ship beside each network, checked by checksum like the weights.

``pretrained/<network>/levels.json`` records, for the files below, their sha256 and the sha256
of the weights export they were computed from (``metadata.json``'s ``weights_export.sha256``):
a file that was damaged, or computed for other weights (a retrained network), is refused with
a message naming it and the command that rewrites it (``python -m core levels-artefacts``,
which ``python -m core train`` runs after saving a network).

* ``influence.npz`` — the training images of highest self-influence ``|grad L(z)|^2``
  (:mod:`core.levels.influence`), the gallery's "possibly mislabelled" filter: their positions
  in the train split (never pixels: the app reads those from ``EMNIST_DIR``), labels and
  values, and a JSON ``info``.
* ``concepts.npz`` — the concept vectors and TCAV results (:mod:`core.levels.concepts`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import ModelFileError
from core.models.networks import THESIS_KIND

MANIFEST = "levels.json"
INFLUENCE_FILE = "influence.npz"
FORMAT = "modulex-levels"
VERSION = 1
SELF_INFLUENCE_KEPT = 200
FIX = "python -m core levels-artefacts --pair NAME --kind KIND (needs the dataset)"


def save_npz(path: Path, **arrays) -> None:
    """An ``.npz`` whose bytes depend only on the arrays (no time stamps in the zip), so a
    rerun on the same weights and data writes the same file and the same checksum."""
    import io
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for key in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def weights_sha256(name: str, kind: str, root: Path | None = None) -> str:
    from core.models.metadata import load_metadata
    from core.models.weights_export import METADATA_KEY

    return load_metadata(name, kind, root)[METADATA_KEY]["sha256"]


def _folder(name: str, kind: str, root: Path | None) -> Path:
    from core.models.paths import model_dir

    return model_dir(name, kind, root)


def read_manifest(name: str, kind: str, root: Path | None = None) -> dict:
    from core.safe_files import load_json

    path = _folder(name, kind, root) / MANIFEST
    if not path.is_file():
        raise ModelFileError(path, "levels manifest not found", fix=FIX)
    manifest = load_json(path, FIX)
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), dict)
        or not isinstance(manifest.get("weights_sha256"), str)
    ):
        raise ModelFileError(path, "is not a levels manifest", fix=FIX)
    return manifest


def record(name: str, kind: str, file_name: str, root: Path | None = None) -> None:
    """Write ``file_name``'s checksum (and the current weights') into the manifest."""
    folder = _folder(name, kind, root)
    path = folder / MANIFEST
    try:
        manifest = read_manifest(name, kind, root)
    except ModelFileError:
        manifest = {"format": FORMAT, "version": VERSION, "files": {}}
    weights = weights_sha256(name, kind, root)
    if manifest.get("weights_sha256") != weights:  # other weights: the old records are stale
        manifest["files"] = {}
    manifest["weights_sha256"] = weights
    manifest["files"][file_name] = _sha256(folder / file_name)
    manifest["files"] = dict(sorted(manifest["files"].items()))
    path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def checked_arrays(name: str, kind: str, file_name: str, root: Path | None = None) -> dict:
    """The arrays of a levels file, after checking its checksum and the weights it was made for."""
    from core.safe_files import read_npz

    folder = _folder(name, kind, root)
    path = folder / file_name
    manifest = read_manifest(name, kind, root)
    expected = manifest["files"].get(file_name)
    if expected is None:
        raise ModelFileError(path, f"is not recorded in {MANIFEST}", fix=FIX)
    if manifest["weights_sha256"] != weights_sha256(name, kind, root):
        raise ModelFileError(path, "was computed for other weights than the network's", fix=FIX)
    if not path.is_file():
        raise ModelFileError(path, "levels file not found", fix=FIX)
    if _sha256(path) != expected:
        raise ModelFileError(path, f"does not match its checksum in {MANIFEST}", fix=FIX)
    return read_npz(path, FIX, what="levels file")


@dataclass(frozen=True)
class SelfInfluence:
    """The training images of highest self-influence, highest first."""

    positions: np.ndarray  # int64: index in core.data.labelled.load(name, "train")
    labels: np.ndarray  # int64
    values: np.ndarray  # float64
    info: dict


def write_influence(name: str, kind: str, root: Path | None = None, index=None) -> Path:
    """Compute (from the network and the dataset) and save ``influence.npz``; record it."""
    from core.data import dataset as data
    from core.levels.influence import influence_index
    from core.models.loading import load_network

    if index is None:
        index = influence_index(name, kind, load_network(name, kind, root), every_layer=True)
    values = index.gradients.self_influence
    top = np.argsort(-values, kind="stable")[:SELF_INFLUENCE_KEPT]
    info = {
        "network": f"{name}/{kind}",
        "what": "self-influence |grad_w L(z)|^2 at the final weights, class-weighted loss",
        "training_images": int(len(values)),
        "kept": int(len(top)),
        "layers": "every layer",
        "dataset": data.dataset_fingerprint()["id"] if data.dataset_available() else None,
        "classes": list(index.classes),
    }
    path = _folder(name, kind, root) / INFLUENCE_FILE
    save_npz(
        path,
        positions=index.positions[top].astype(np.int64),
        labels=index.labels[top].astype(np.int64),
        values=values[top].astype(np.float64),
        info=np.array(json.dumps(info)),
    )
    record(name, kind, INFLUENCE_FILE, root)
    return path


def read_influence(name: str, kind: str = THESIS_KIND, root: Path | None = None) -> SelfInfluence:
    path = _folder(name, kind, root) / INFLUENCE_FILE
    arrays = checked_arrays(name, kind, INFLUENCE_FILE, root)
    if set(arrays) != {"positions", "labels", "values", "info"}:
        raise ModelFileError(path, "lacks positions, labels, values or info", fix=FIX)
    positions, labels, values = arrays["positions"], arrays["labels"], arrays["values"]
    if not (
        positions.ndim == 1
        and positions.shape == labels.shape == values.shape
        and positions.dtype.kind in "iu"
        and labels.dtype.kind in "iu"
        and np.isfinite(values).all()
    ):
        raise ModelFileError(path, "positions, labels and values must be matching 1-D arrays")
    return SelfInfluence(
        positions.astype(np.int64),
        labels.astype(np.int64),
        values.astype(np.float64),
        json.loads(str(arrays["info"])),
    )


def possibly_mislabelled(
    name: str, kind: str = THESIS_KIND, k: int = 24, root=None
) -> SelfInfluence:
    """The gallery filter "possibly mislabelled": the ``k`` training images of highest
    self-influence (positions and labels; pixels come from the dataset when present)."""
    found = read_influence(name, kind, root)
    return SelfInfluence(found.positions[:k], found.labels[:k], found.values[:k], found.info)
