"""Every generated damage to a shipped file (tests/fixtures/damaged_pretrained.py), on every
page: no page crashes, the pages that need the file name it and say how to restore it, and the
other networks keep working."""

from __future__ import annotations

import pytest

from app.pages import FILES
from tests.app.conftest import drawn, run_page, texts
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

# the pages that read each file (for the network the session has chosen)
READERS = {
    MODEL: {"views/draw.py", "views/compare.py", "views/methods.py", "views/indirect.py"},
    BINARY: {"views/draw.py", "views/compare.py", "views/methods.py", "views/indirect.py"},
    METADATA: {"views/models.py"},
    MAPS: {"views/draw.py", "views/global_maps.py"},
    GRID: {"views/draw.py"},
    UNLIKELY: {"views/draw.py", "views/compare.py"},
}
QUICK = ["maps without k"]  # the rest are in the slow tier (about 5 CPU-seconds each)


def _session(network: str) -> dict:
    pair, _, kind = network.partition("-")
    session = {"input_image": drawn("Z"), "kind": kind or "dense"}
    if pair == "all8":
        session["net"] = "all8"
    return session


def _visit_every_page(variant, tmp_path, monkeypatch):
    network, name, _ = VARIANTS[variant]
    root = damaged_copy(variant, tmp_path)
    monkeypatch.setenv("MODULEX_PRETRAINED", str(root))
    path = str(root / network / name)
    for page in FILES:
        app = run_page(page, session=_session(network))
        assert not app.exception, (variant, page, [e.stack_trace for e in app.exception])
        shown = texts(app)
        assert "nan%" not in shown, (variant, page)  # a probability is never NaN
        readers = READERS[name] if network.partition("-")[0] in ("2Z", "all8") else set()
        if network.startswith("all8") and name != METADATA:
            readers = {"views/draw.py"}  # the only page with the 8-character network
        if page in readers:
            assert f"{path}: " in shown and "To fix:" in shown, (variant, page)
    if network != "all8":
        app = run_page(session={"input_image": drawn("Z"), "pair": "8B"})
        # a Z on the 8 vs B network: answered, and honestly ("not one of these")
        assert not app.exception and "This does not look like 8 or B/b" in texts(app), variant


@pytest.mark.parametrize("variant", QUICK)
def test_one_damage_per_file_on_every_page(variant, tmp_path, monkeypatch, no_dataset):
    _visit_every_page(variant, tmp_path, monkeypatch)


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(set(VARIANTS) - set(QUICK)))
def test_every_damage_on_every_page(variant, tmp_path, monkeypatch, no_dataset):
    _visit_every_page(variant, tmp_path, monkeypatch)
