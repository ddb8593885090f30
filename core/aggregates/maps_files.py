"""The global maps shipped beside each network, written and read back checked.

``pretrained/<network>/global_maps.npz`` holds one array per subset and mode (a JSON header
with ``k``, the per-label counts and where the maps came from); the 8-character network also
has ``contrast_maps.npz``, its contrast grid ``[8, 8, 28, 28]``. Reading never unpickles and
refuses oversized members before decompressing them (:mod:`core.safe_files`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from core.aggregates.global_maps import (
    DEFAULT_K,
    SUBSETS,
    GlobalMaps,
    compute_maps,
    contrast_grid,
    required_modes,
)
from core.data import labelled
from core.data.pairs import ALL_EIGHT
from core.errors import ModelFileError
from core.models.networks import THESIS_KIND, expected_classes
from core.models.paths import model_dir
from core.safe_files import checked_floats, npz_header, read_npz

GLOBAL_MAPS_FILE = "global_maps.npz"
CONTRAST_GRID_FILE = "contrast_maps.npz"
MAPS_FIX = (
    "git checkout -- pretrained/ or python -m core global-maps --pair all (needs the dataset)"
)
CONTRAST_FIX = (
    "git checkout -- pretrained/ or python -m core global-maps --pair all8 --kind both"
    " (needs the dataset)"
)


def save_global_maps(global_maps: GlobalMaps, path: str | Path) -> None:
    arrays = {f"{subset}__{mode}": array for (subset, mode), array in global_maps.maps.items()}
    header = {"k": global_maps.k, "counts": global_maps.counts, "info": global_maps.info}
    np.savez_compressed(path, header=np.array(json.dumps(header)), **arrays)


def write_maps(
    name: str, model, k: int = DEFAULT_K, kind: str = THESIS_KIND, root: Path | None = None
) -> list[Path]:
    """Compute and save the global maps of a network (and, for ``all8``, its contrast grid)."""
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


def load_global_maps(path: str | Path, n_classes: int | None = None) -> GlobalMaps:
    """Read maps written by :func:`save_global_maps` (no pickle), checked: its header and ``k``,
    one array per subset and mode (no more, no less), each ``[classes, 28, 28]`` of finite
    floats (``n_classes`` of them when given); a :class:`ModelFileError` names what is wrong."""
    path = Path(path)
    arrays = read_npz(path, MAPS_FIX)
    header = npz_header(path, arrays, MAPS_FIX)
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
        tuple(key.split("__")): checked_floats(path, arrays[key], key, (classes, 28, 28), MAPS_FIX)
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


def shipped_maps(name: str, kind: str = THESIS_KIND, root: Path | None = None) -> GlobalMaps:
    """The global maps shipped beside network ``name`` of ``kind``, checked."""
    return load_global_maps(model_dir(name, kind, root) / GLOBAL_MAPS_FILE, expected_classes(name))


def shipped_contrast_grid(kind: str = THESIS_KIND, root: Path | None = None) -> np.ndarray:
    """The 8-class network's contrast grid ``[8, 8, 28, 28]``, checked like the global maps."""
    path = model_dir(ALL_EIGHT, kind, root) / CONTRAST_GRID_FILE
    arrays = read_npz(path, CONTRAST_FIX, "contrast maps file")
    npz_header(path, arrays, CONTRAST_FIX)
    if set(arrays) != {"header", "grid"}:
        raise ModelFileError(path, f"holds {sorted(arrays)}, not header and grid", CONTRAST_FIX)
    classes = expected_classes(ALL_EIGHT) or 0
    return checked_floats(path, arrays["grid"], "grid", (classes, classes, 28, 28), CONTRAST_FIX)
