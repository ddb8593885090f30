"""The served copies of the weights on disk (issue 25): written aside and renamed, never a
staging file under app/static/ (Streamlit serves every file there, dotfiles included), nothing
left behind by a full disk, and no stale folder of an earlier export."""

from __future__ import annotations

import errno
import os

import pytest

from app import live_weights
from core.models import weights_export
from core.models.paths import PRETRAINED_DIR


def _dirs(tmp_path):
    return tmp_path / "weights", tmp_path / "staging"


def test_publishing_removes_the_same_networks_stale_copies_only(tmp_path):
    weights, staging = _dirs(tmp_path)
    for stale in ("2Z-cnn-deadbeef", "2Z-deadbeef", "2Z-cnn-unlikely-deadbeef", "notes"):
        (weights / stale).mkdir(parents=True)
    found = weights_export.read_export(PRETRAINED_DIR / "2Z-cnn")
    served = live_weights.publish(found, weights, staging)
    assert sorted(p.name for p in weights.iterdir()) == sorted(
        [served, "2Z-deadbeef", "2Z-cnn-unlikely-deadbeef", "notes"]
    )
    live_weights.publish_unlikely("2Z-cnn-unlikely-0123abcd", b"{}", weights, staging)
    assert not (weights / "2Z-cnn-unlikely-deadbeef").exists()
    assert (weights / "2Z-deadbeef").exists()  # the Dense network's: another network


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_leaves_no_staging_file(tmp_path, monkeypatch):
    weights, staging = _dirs(tmp_path)
    real_fdopen = os.fdopen

    def fdopen_then_fail(descriptor, mode):
        stream = real_fdopen(descriptor, mode)
        stream.write = _disk_full
        return stream

    monkeypatch.setattr(os, "fdopen", fdopen_then_fail)
    with pytest.raises(OSError, match="No space"):
        live_weights.publish_unlikely("2Z-unlikely-0123abcd", b"{}", weights, staging)
    assert list(staging.iterdir()) == []
    assert not (weights / "2Z-unlikely-0123abcd" / live_weights.UNLIKELY_JSON).exists()
    monkeypatch.undo()
    monkeypatch.setattr(live_weights.shutil, "copyfile", _disk_full)
    found = weights_export.read_export(PRETRAINED_DIR / "5S")
    with pytest.raises(OSError, match="No space"):
        live_weights.publish(found, weights, staging)
    assert list(staging.iterdir()) == [] and list(weights.iterdir()) == []


def test_nothing_under_app_static_is_a_dotfile():
    """Every network's copy and check published as the pages do: no name under app/static/
    starts with a dot (Streamlit would serve it)."""
    for name in ("2Z", "2Z-cnn", "all8", "all8-cnn"):
        live_weights.weights_url(name)
        live_weights.unlikely_url(name)
    hidden = [
        path.relative_to(live_weights.STATIC_DIR)
        for path in live_weights.STATIC_DIR.rglob("*")
        if path.name.startswith(".")
    ]
    assert hidden == []


def test_an_address_whose_folder_was_removed_is_published_again():
    url = live_weights.weights_url("8B")
    folder = live_weights.WEIGHTS_DIR / url.split("/")[-2]
    for file in folder.iterdir():
        file.unlink()
    folder.rmdir()
    assert live_weights.weights_url("8B") == url
    assert (folder / weights_export.MANIFEST_FILE).is_file()
