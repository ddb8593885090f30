"""Where the shipped networks live: ``pretrained/`` (or ``$MODULEX_PRETRAINED``), one folder
per network (:func:`core.models.networks.network_key`), and the files in it."""

from __future__ import annotations

import os
from pathlib import Path

from core.data.pairs import check_model_name
from core.models.networks import THESIS_KIND, network_key

PRETRAINED_DIR = Path(__file__).resolve().parents[2] / "pretrained"
PRETRAINED_ENVIRONMENT_VARIABLE = "MODULEX_PRETRAINED"
MODEL_FILE = "model.keras"
METADATA_FILE = "metadata.json"


def pretrained_root() -> Path:
    """Folder of the shipped models: ``$MODULEX_PRETRAINED`` if set, else ``pretrained/``."""
    configured = os.environ.get(PRETRAINED_ENVIRONMENT_VARIABLE)
    return Path(configured) if configured else PRETRAINED_DIR


def model_dir(name: str, kind: str = THESIS_KIND, root: Path | None = None) -> Path:
    """Folder of a network: ``<root>/<name>`` for the thesis network, else ``<root>/<name>-<kind>``.

    ``name`` is one of the four pairs, ``"all8"`` (the 8-character network) or ``"balanced"``.
    """
    check_model_name(name)
    return (root or pretrained_root()) / network_key(name, kind)
