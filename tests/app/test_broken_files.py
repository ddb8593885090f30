"""With a damaged shipped model, every page explains what is wrong and keeps running."""

from __future__ import annotations

import shutil

import pytest

from app.pages import FILES
from core.models.paths import pretrained_root
from tests.app.conftest import drawn, run_page, texts


@pytest.fixture
def broken_2z(tmp_path, monkeypatch, no_dataset):
    shutil.copytree(pretrained_root(), tmp_path / "pretrained")
    folder = tmp_path / "pretrained" / "2Z"
    (folder / "model.keras").write_bytes(b"truncated")
    (folder / "metadata.json").write_text("{ broken")
    (folder / "global_maps.npz").write_bytes(b"")
    monkeypatch.setenv("MODULEX_PRETRAINED", str(tmp_path / "pretrained"))
    return folder


@pytest.mark.parametrize("page", FILES)
def test_pages_name_the_damaged_file(page, broken_2z):
    app = run_page(page, session={"input_image": drawn("Z")})
    assert not app.exception, app.exception
    shown = texts(app)
    if page == "views/mistakes.py":  # without the dataset it reads no shipped file
        assert "not on this machine" in shown and "To fix:" not in shown
    else:
        assert any(name in shown for name in ("model.keras", "metadata.json", "global_maps.npz"))
        assert "To fix:" in shown


def test_other_pairs_still_work_when_one_is_damaged(broken_2z):
    app = run_page(session={"input_image": drawn("8"), "pair": "8B"})
    assert not app.exception
    assert "Prediction:" in texts(app)
