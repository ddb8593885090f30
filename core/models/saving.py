"""The files of a shipped network, written where training (or ``python -m core
export-weights``) leaves them: ``model.keras``, ``metadata.json`` (with the checksums of the
weights export), ``history.csv`` and the browser's plain-array export ``weights.json`` +
``weights.bin``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only
    import keras

from core.models.loading import load_pretrained
from core.models.metadata import load_metadata
from core.models.networks import THESIS_KIND
from core.models.paths import METADATA_FILE, MODEL_FILE, model_dir
from core.models.weights_export import METADATA_KEY, write_export

HISTORY_FILE = "history.csv"


def save_trained(model: keras.Model, metadata: dict, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / MODEL_FILE)
    # the browser's plain-array export of the new weights, its checksums in the metadata
    metadata = {
        **metadata,
        METADATA_KEY: write_export(
            model, folder, metadata["pair"], metadata.get("kind", THESIS_KIND), metadata["classes"]
        ),
    }
    write_metadata(metadata, folder / METADATA_FILE)
    batches = metadata["history"]["batch"]
    with open(folder / HISTORY_FILE, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["step", "epoch", "loss", "accuracy"])
        columns = (batches["step"], batches["epoch"], batches["loss"], batches["accuracy"])
        for step, epoch, loss, accuracy in zip(*columns, strict=True):
            writer.writerow([step, epoch, f"{loss:.5f}", f"{accuracy:.5f}"])


def write_metadata(metadata: dict, path: Path) -> None:
    """``metadata.json`` as training writes it (floats to 6 significant digits, indent 1)."""
    path.write_text(json.dumps(_rounded(metadata), indent=1) + "\n", encoding="utf-8")


def _rounded(value):
    """Floats to 6 significant digits, so the JSON stays small and diff-friendly."""
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(item) for item in value]
    return value


def export_weights(name: str, kind: str = THESIS_KIND, root: Path | None = None) -> Path:
    """Write the plain-array export of a shipped network and record its checksums in its
    ``metadata.json`` (the rest of the file is kept as it was written); returns its folder."""
    folder = model_dir(name, kind, root)
    metadata = load_metadata(name, kind, root)
    metadata[METADATA_KEY] = write_export(
        load_pretrained(name, kind, root), folder, name, kind, metadata["classes"]
    )
    write_metadata(metadata, folder / METADATA_FILE)
    return folder
