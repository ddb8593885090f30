"""The pages say "This does not look like ..." for a line, and name a damaged parameter file."""

from __future__ import annotations

import shutil
from pathlib import Path

from core.inputs.preprocess import canvas_to_input
from core.inputs.strokes import render_strokes
from tests.app.conftest import drawn, run_page, texts

LINE = canvas_to_input(render_strokes([[(0.5, 0.0), (0.5, 1.0)]]))
PRETRAINED = Path(__file__).resolve().parents[2] / "pretrained"


def test_a_line_is_not_one_of_these_on_the_draw_page(no_dataset):
    app = run_page(session={"input_image": LINE, "pair": "2Z"})
    assert not app.exception, app.exception
    shown = texts(app)
    assert "This does not look like 2 or Z/z" in shown
    assert not any("Prediction" in m.value for m in app.markdown)
    assert len(app.get("progress")) == 2  # the probabilities stay visible


def test_a_character_still_gets_its_prediction(no_dataset):
    app = run_page(session={"input_image": drawn("Z"), "pair": "2Z"})
    assert not app.exception, app.exception
    assert "does not look like" not in texts(app)
    assert any("Prediction" in m.value and "Z/z" in m.value for m in app.markdown)


def test_compare_page_says_neither_for_a_line(no_dataset):
    app = run_page("views/compare.py", session={"input_image": LINE})
    assert not app.exception, app.exception
    shown = texts(app)
    for title in ("2 vs Z/z", "5 vs S/s", "8 vs B/b", "0 vs O/o"):
        assert f"**{title}: neither of its characters (its guess: " in shown, title
        assert "This does not look like " + title.replace(" vs ", " or ") in shown, title


def test_a_damaged_parameter_file_is_named_and_the_page_still_answers(
    no_dataset, tmp_path, monkeypatch
):
    copy = tmp_path / "pretrained"
    shutil.copytree(PRETRAINED, copy)
    (copy / "2Z" / "unlikely.npz").write_bytes(b"not a zip")
    monkeypatch.setenv("MODULEX_PRETRAINED", str(copy))
    app = run_page(session={"input_image": drawn("Z"), "pair": "2Z"})
    assert not app.exception, app.exception
    warning = " ".join(w.value for w in app.warning)
    assert "unlikely.npz" in warning and "calibrate-unlikely" in warning
    assert any("Prediction" in m.value for m in app.markdown)
