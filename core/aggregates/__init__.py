"""Aggregates over a data set: the global maps (the mean ModuleX map of the first k test images
of each label, per mode) and, for the 8-character network, the mean "a and not b" maps.

:mod:`.global_maps` computes them, :mod:`.maps_files` writes and reads (checked) the files
shipped beside each network, so the dashboard shows them without the dataset.
"""

from __future__ import annotations

from core.aggregates.global_maps import (
    DEFAULT_K,
    SUBSETS,
    GlobalMaps,
    compute_global_maps,
    compute_maps,
    contrast_grid,
    required_modes,
)
from core.aggregates.maps_files import (
    CONTRAST_GRID_FILE,
    GLOBAL_MAPS_FILE,
    load_global_maps,
    save_global_maps,
    shipped_contrast_grid,
    shipped_maps,
    write_maps,
)

__all__ = [
    "CONTRAST_GRID_FILE",
    "DEFAULT_K",
    "GLOBAL_MAPS_FILE",
    "SUBSETS",
    "GlobalMaps",
    "compute_global_maps",
    "compute_maps",
    "contrast_grid",
    "load_global_maps",
    "required_modes",
    "save_global_maps",
    "shipped_contrast_grid",
    "shipped_maps",
    "write_maps",
]
