"""Global explanations: the mean ModuleX map of the first k test images of each label.

As in the thesis (k = 400), each image is explained with its true label as the target. The
maps are computed per mode, over all k images and over the first k correctly classified
ones (what the mistakes page holds mistakes against). The shipped maps live in
``pretrained/<pair>/global_maps.npz`` so the dashboard shows them without the dataset.
"""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data.dataset import dataset_fingerprint, load_pair, sha256_of
from core.errors import ModelFileError
from core.explain.modulex import MODES, predict_and_explain
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


MAPS_FIX = (
    "git checkout -- pretrained/ or python -m core global-maps --pair all (needs the dataset)"
)
MAX_MAPS_BYTES = 32 * 2**20
"""Largest maps file, and largest array in one once decompressed (the shipped ones: < 1 MB)."""


def required_modes(n_classes: int) -> tuple[str, ...]:
    """The modes a maps file holds: all three for a pair, no contrast for a multi-class network."""
    return MODES if n_classes == 2 else tuple(mode for mode in MODES if mode != "contrast")


def read_npz(path: Path, fix: str, what: str = "global maps file") -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file, without pickles, refusing oversized files and members
    before decompressing them, and any member whose ``.npy`` header declares another array than
    the member holds, before numpy allocates it (:func:`npy_header_problem`; a header claiming
    2.85 TiB raised MemoryError on six pages, issue 25); a :class:`ModelFileError` naming the
    file otherwise."""
    if not path.is_file():
        raise ModelFileError(path, f"{what} not found", fix=fix)
    if path.stat().st_size > MAX_MAPS_BYTES:
        raise ModelFileError(path, f"is larger than {MAX_MAPS_BYTES // 2**20} MB", fix=fix)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > 64 or any(info.file_size > MAX_MAPS_BYTES for info in members):
                raise ValueError(f"more than 64 arrays or one over {MAX_MAPS_BYTES // 2**20} MB")
            for info in members:
                problem = npy_header_problem(archive, info)
                if problem:
                    raise ValueError(f"member {info.filename[:40]!r} {problem}")
        with np.load(path, allow_pickle=False) as stored:
            return {key: stored[key] for key in stored.files}
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise ModelFileError(path, f"is not a valid {what} ({error})", fix=fix) from None


def npy_header_problem(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    """What is wrong with the ``.npy`` header of one member, or None: the array it declares
    (shape and dtype, read without numpy allocating anything) must be plain data and fill the
    member exactly, so its size is bounded by the member's (checked) size."""
    from numpy.lib import format as npy

    with archive.open(info) as member:
        try:
            version = npy.read_magic(member)
            read = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
            shape, _, dtype = read(member)
        except (ValueError, SyntaxError, TypeError) as error:
            return f"has no readable array header ({str(error)[:80]})"
        header_bytes = member.tell()
    if dtype.hasobject:
        return "holds Python objects (pickles are refused)"
    declared = math.prod(shape) * dtype.itemsize  # Python integers: no overflow
    if declared != info.file_size - header_bytes:
        return (
            f"declares a {'x'.join(map(str, shape)) or 'scalar'} {dtype} array "
            f"({declared:,} bytes) but holds {info.file_size - header_bytes:,}"
        )
    return None


def read_header(path: Path, arrays: dict, fix: str) -> dict:
    """The JSON header of a maps file, with a whole ``k`` of at least 1."""
    from core.models.files import MAX_JSON_DEPTH, json_depth

    try:
        header = json.loads(str(arrays["header"])) if arrays["header"].dtype.kind == "U" else None
    except (KeyError, json.JSONDecodeError, RecursionError):
        header = None
    if not isinstance(header, dict) or json_depth(header) > MAX_JSON_DEPTH:
        raise ModelFileError(path, "has no readable header (a small JSON object)", fix=fix)
    k = header.get("k")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ModelFileError(path, f"header's k is {k!r}, not a whole number >= 1", fix=fix)
    return header


def check_maps(path: Path, array: np.ndarray, name: str, shape: tuple, fix: str) -> np.ndarray:
    """``array`` as float32 if it has ``shape`` (None: any size), a float dtype, finite values."""
    fits = array.ndim == len(shape) and all(
        want is None or have == want for have, want in zip(array.shape, shape, strict=True)
    )
    if not fits:
        wanted = "x".join("n" if side is None else str(side) for side in shape)
        raise ModelFileError(path, f"{name} has shape {array.shape}, not {wanted}", fix=fix)
    if array.dtype.kind != "f":
        raise ModelFileError(path, f"{name} holds {array.dtype} values, not floats", fix=fix)
    if not np.isfinite(array).all():
        raise ModelFileError(path, f"{name} holds non-finite values (NaN or infinity)", fix=fix)
    return array.astype(np.float32)


def load_global_maps(path: str | Path, n_classes: int | None = None) -> GlobalMaps:
    """Read maps written by :func:`save_global_maps` (no pickle), checked: its header and ``k``,
    one array per subset and mode (no more, no less), each ``[classes, 28, 28]`` of finite
    floats (``n_classes`` of them when given); a :class:`ModelFileError` names what is wrong."""
    path = Path(path)
    arrays = read_npz(path, MAPS_FIX)
    header = read_header(path, arrays, MAPS_FIX)
    keys = sorted(key for key in arrays if key != "header")
    first = arrays[keys[0]] if keys else np.zeros(0)
    classes = n_classes or (first.shape[0] if first.ndim == 3 else 0)
    if classes < 2:
        raise ModelFileError(path, f"holds maps of {classes} classes, not 2 or more", MAPS_FIX)
    expected = {f"{subset}__{mode}" for subset in SUBSETS for mode in required_modes(classes)}
    if set(keys) != expected:
        missing, extra = sorted(expected - set(keys)), sorted(set(keys) - expected)
        problem = "; ".join(
            part
            for part in (
                missing and f"lacks {', '.join(missing)}",
                extra and f"holds unexpected {', '.join(extra)}",
            )
            if part
        )
        raise ModelFileError(path, problem, MAPS_FIX)
    maps = {
        tuple(key.split("__")): check_maps(path, arrays[key], key, (classes, 28, 28), MAPS_FIX)
        for key in keys
    }
    counts = header.get("counts", {})
    if not isinstance(counts, dict) or not all(
        isinstance(row, list)
        and len(row) == classes
        and all(isinstance(c, int) and 0 <= c <= header["k"] for c in row)
        for row in counts.values()
    ):
        raise ModelFileError(path, "header's counts are not one count <= k per class", MAPS_FIX)
    info = header.get("info", {})
    return GlobalMaps(maps, header["k"], counts, info if isinstance(info, dict) else {})


def shipped_global_maps(pair: str) -> GlobalMaps:
    return load_global_maps(model_dir(pair) / GLOBAL_MAPS_FILE, n_classes=2)
