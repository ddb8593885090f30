"""Every generated damage to a shipped file is refused on load with one message that names
the file and the command that restores it (tests/fixtures/damaged_pretrained.py)."""

from __future__ import annotations

import pytest

from core.aggregates import GLOBAL_MAPS_FILE, load_global_maps, shipped_contrast_grid
from core.errors import ModelFileError
from core.insight.unlikely import shipped_parameters
from core.models.loading import load_network, load_pretrained
from core.models.metadata import load_metadata
from core.models.networks import expected_classes
from core.models.paths import model_dir
from tests.fixtures.damaged_pretrained import (
    BINARY,
    GRID,
    MAPS,
    METADATA,
    MODEL,
    UNLIKELY,
    VARIANTS,
    damaged_copy,
)


def _load(network: str, name: str, root):
    pair, _, kind = network.partition("-")
    kind = kind or "dense"
    if name == MODEL:
        return load_pretrained(pair, kind, root)
    if name == BINARY:
        return load_network(pair, kind, root)
    if name == METADATA:
        return load_metadata(pair, kind, root)
    if name == MAPS:
        path = model_dir(pair, kind, root) / GLOBAL_MAPS_FILE
        return load_global_maps(path, expected_classes(pair))
    if name == UNLIKELY:
        return shipped_parameters(pair, kind, root)
    assert name == GRID
    return shipped_contrast_grid(kind, root)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_damaged_file_is_named_with_its_fix(variant, tmp_path):
    network, name, _ = VARIANTS[variant]
    root = damaged_copy(variant, tmp_path)
    with pytest.raises(ModelFileError) as caught:
        _load(network, name, root)
    message = str(caught.value)
    assert caught.value.path == root / network / name
    assert message.startswith(f"{root / network / name}: ") and message.count("To fix: ") == 1
    assert "git checkout -- pretrained/" in caught.value.fix


@pytest.mark.parametrize("name", [MODEL, BINARY, METADATA, MAPS, GRID, UNLIKELY])
def test_the_shipped_files_pass_the_same_checks(name):
    for network in ("2Z", "2Z-cnn", "all8", "all8-cnn", "5S", "0O-cnn"):
        if name != GRID or network.startswith("all8"):
            assert _load(network, name, None) is not None
