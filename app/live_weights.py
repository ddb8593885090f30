"""The browser's copy of a network's weights: checked once per server, served as static files.

The live drawing component's engine (``app/static/live/engine.js``) fetches a network's
plain-array export (``python -m core export-weights``) once per browser session. Streamlit
serves ``app/static/`` at ``/app/static/`` (``server.enableStaticServing``) and refuses
symlinks that leave it, so the checked export of ``pretrained/<name>/`` is copied to
``app/static/weights/<name>-<tag>/`` (git-ignored), where ``<tag>`` is the first 8 hex digits
of the manifest's sha256 (which holds the binary's): a retrained model gets a new address,
so a browser never uses a stale copy, and the copy is reused by every later server start.
Copies are written in ``app/.static-staging/`` and renamed into place, so a browser never reads
half a file and Streamlit, which serves every file under ``app/static/`` (dotfiles included),
never serves a staging file; one that fails (a full disk) is removed. Publishing a network's
copy removes its copies under other tags, so stale folders do not pile up.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import streamlit as st

from core.errors import ModelFileError
from core.models.loading import load_weights_export
from core.models.networks import split_network_key
from core.models.paths import model_dir, pretrained_root
from core.models.weights_export import BINARY_FILE, MANIFEST_FILE, WeightsExport

STATIC_DIR = Path(__file__).resolve().parent / "static"
WEIGHTS_DIR = STATIC_DIR / "weights"
STAGING_DIR = STATIC_DIR.parent / ".static-staging"  # beside app/static/, on the same disk
STATIC_ROUTE = "app/static"
ENGINE_PATH = "live/engine.js"


def weights_url(model_name: str, kind: str | None = None) -> str:
    """The address of a network's weights manifest for the browser engine's ``loadNetwork``.

    ``model_name`` is a shipped folder's name (``"2Z"``, ``"2Z-cnn"``, ``"all8-cnn"``), or a
    pair / ``"all8"`` with ``kind``. The export is checked first (its checksums, shapes and
    finite values and the checksums in ``metadata.json``; comparing it with ``model.keras``'s
    layers and weights loads TensorFlow, so the pages leave that to ``python -m core
    export-weights`` and the tests); a
    :class:`~core.errors.ModelFileError` names the file at fault and the command that restores
    it. Cached per server: the check and the copy happen once.
    """
    pair, kind = (model_name, kind) if kind else split_network_key(model_name)
    folder = _still_there(_served_folder, pair, kind, str(pretrained_root()))
    return f"{_base_path()}/{STATIC_ROUTE}/weights/{folder}/{MANIFEST_FILE}"


UNLIKELY_JSON = "unlikely.json"


def unlikely_url(model_name: str, kind: str | None = None) -> str:
    """The address of a network's "not one of these" parameters for the engine's
    ``loadUnlikely``: ``pretrained/<name>/unlikely.npz`` checked (``load_parameters``) and
    written as JSON (``browser_parameters``) to ``app/static/weights/<name>-unlikely-<tag>/``,
    ``<tag>`` the first 8 hex digits of the JSON's sha256, so new parameters get a new address.
    A damaged file raises :class:`~core.errors.ModelFileError`. Cached per server."""
    pair, kind = (model_name, kind) if kind else split_network_key(model_name)
    folder = _still_there(_served_unlikely, pair, kind, str(pretrained_root()))
    return f"{_base_path()}/{STATIC_ROUTE}/weights/{folder}/{UNLIKELY_JSON}"


def _still_there(served, *key) -> str:
    """``served(*key)`` (cached per server), published again if its folder has gone meanwhile
    (another server published a newer export and removed it)."""
    folder = served(*key)
    if not (WEIGHTS_DIR / folder).is_dir():
        served.clear()
        folder = served(*key)
    return folder


def unlikely_document(pair: str, kind: str, root: Path | None = None) -> tuple[str, bytes]:
    """The served folder's name (``<name>-unlikely-<tag>``) and the JSON of a network's
    checked "not one of these" parameters."""
    from core.insight.unlikely import browser_parameters, shipped_parameters

    parameters = shipped_parameters(pair, kind, root)
    text = json.dumps(browser_parameters(parameters), separators=(",", ":")).encode()
    folder = model_dir(pair, kind, root).name
    return f"{folder}-unlikely-{hashlib.sha256(text).hexdigest()[:8]}", text


@st.cache_resource(show_spinner=False)
def _served_unlikely(pair: str, kind: str, root: str) -> str:
    served, text = unlikely_document(pair, kind, Path(root))
    return publish_unlikely(served, text)


def publish_unlikely(
    served: str, text: bytes, weights_dir: Path = WEIGHTS_DIR, staging_dir: Path = STAGING_DIR
) -> str:
    """Write ``text`` as ``weights_dir/<served>/unlikely.json`` unless it is there already,
    written aside and renamed into place; remove the same network's copies under other tags."""
    target = weights_dir / served / UNLIKELY_JSON
    if not (target.is_file() and target.read_bytes() == text):
        target.parent.mkdir(parents=True, exist_ok=True)
        staging_dir.mkdir(parents=True, exist_ok=True)
        descriptor, staging = tempfile.mkstemp(prefix=f"{served}-", dir=staging_dir)
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(text)
            os.replace(staging, target)  # a browser never reads half a file
        except BaseException:
            Path(staging).unlink(missing_ok=True)  # a full disk leaves nothing behind
            if not any(target.parent.iterdir()):
                target.parent.rmdir()
            raise
    _prune(weights_dir, served)
    return served


def engine_url() -> str:
    """The address of the browser engine's module (for ``import()`` in the component)."""
    return f"{_base_path()}/{STATIC_ROUTE}/{ENGINE_PATH}"


def _base_path() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


@st.cache_resource(show_spinner=False)
def _served_folder(pair: str, kind: str, root: str) -> str:
    return publish(load_weights_export(pair, kind, Path(root)))


def publish(
    export: WeightsExport, weights_dir: Path = WEIGHTS_DIR, staging_dir: Path = STAGING_DIR
) -> str:
    """Copy a checked export into ``weights_dir/<name>-<tag>/`` unless an intact copy is there;
    returns that folder's name. The copy is written in ``staging_dir`` and renamed into place,
    so a browser (or a second server) never reads half a file; the network's copies under
    other tags are removed."""
    name = export.folder.name
    served = f"{name}-{export.tag}"
    target = weights_dir / served
    if _intact(target, export):
        _prune(weights_dir, served)
        return served
    weights_dir.mkdir(parents=True, exist_ok=True)
    staging_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{served}-", dir=staging_dir))
    staging.chmod(0o755)  # as any other folder served (mkdtemp makes it private)
    try:
        for file in (MANIFEST_FILE, BINARY_FILE):
            shutil.copyfile(export.folder / file, staging / file)
        if not _intact(staging, export):
            raise ModelFileError(
                export.folder / BINARY_FILE,
                "changed while it was being copied for the browser",
            )
        if target.exists():
            shutil.rmtree(target)  # a damaged earlier copy
        try:
            os.replace(staging, target)
        except OSError:
            if not _intact(target, export):  # not another server's identical copy
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _prune(weights_dir, served)
    return served


_TAGGED = re.compile(r"(?P<name>.+)-(?P<tag>[0-9a-f]{8})")


def _prune(weights_dir: Path, served: str) -> None:
    """Remove the folders of ``weights_dir`` that hold the same thing as ``served`` under
    another tag (``2Z-<tag>`` but not ``2Z-cnn-<tag>``; ``2Z-unlikely-<tag>``...): copies of
    earlier exports nobody's address names any more."""
    name = _TAGGED.fullmatch(served).group("name")
    for folder in weights_dir.iterdir():
        found = _TAGGED.fullmatch(folder.name)
        if found and found.group("name") == name and folder.name != served and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def _intact(folder: Path, export: WeightsExport) -> bool:
    try:
        manifest = (folder / MANIFEST_FILE).read_bytes()
        binary = (folder / BINARY_FILE).read_bytes()
    except OSError:
        return False
    return (
        hashlib.sha256(manifest).hexdigest() == export.manifest_sha256
        and hashlib.sha256(binary).hexdigest() == export.sha256
    )
