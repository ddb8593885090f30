"""The dashboard beyond the thesis: CNN switch, any-pair contrast on the 8-class network,
explanation confidence and sentences, Grad-CAM, indirect explanations."""

from __future__ import annotations

import re

import pytest

from core.insight.indirect import NEIGHBOURS, TSNE_PER_LABEL
from tests.app.conftest import drawn, reference_maps_of, run_page, texts

CONFIDENCE = re.compile(r"Explanation confidence: (\d\.\d\d)")


def _confidence(app) -> float:
    found = CONFIDENCE.search(texts(app))
    assert found, texts(app)
    return float(found.group(1))


def test_draw_page_shows_confidence_and_a_sentence_under_the_overlay(no_dataset):
    app = run_page(session={"input_image": drawn("2"), "mode": "target"})
    assert not app.exception
    assert 0 <= _confidence(app) <= 1
    assert re.search(r"\*The [a-z ,]+ speaks? for 2 \(\d+% of that evidence\)", texts(app))


def test_network_switch_comes_from_the_url_and_runs_the_cnn(no_dataset):
    app = run_page(query={"kind": "cnn", "pair": "8B"}, session={"input_image": drawn("8")})
    assert not app.exception
    assert app.sidebar.radio(key="kind").value == "cnn"
    assert "Prediction: **" in texts(app) and 0 <= _confidence(app) <= 1
    app.toggle(key="show_gradcam").set_value(True).run()
    assert not app.exception
    assert [c.key for c in app.get("plotly_chart")] == ["explanation", "gradcam"]
    assert "Grad-CAM" in texts(app)


def test_eight_character_network_explains_any_two(no_dataset):
    app = run_page(
        query={"mode": "contrast"},
        session={"input_image": drawn("2"), "net": "all8", "why": "2", "against": "S"},
    )
    assert not app.exception
    assert len(app.get("progress")) == 8
    assert "Red pixels make it **2 rather than S/s**" in texts(app)
    assert "**The map answers:** why 2 and not S/s" in texts(app)
    assert app.title[0].value == "Draw & explain: any two of 8 characters"
    titles = [m["title"] for m in reference_maps_of(app)["maps"]]
    assert titles == ["2 and not S/s", "S/s and not 2"]  # the global maps follow the chosen two
    assert "make it 2 rather than S/s" in texts(
        app
    ) or "Nothing in the drawing speaks for 2" in texts(app)


def test_eight_character_network_with_the_cnn_and_default_classes(no_dataset):
    app = run_page(
        query={"kind": "cnn", "mode": "contrast"},
        session={"input_image": drawn("Z"), "net": "all8"},
    )
    assert not app.exception
    assert "Prediction: **" in texts(app) and "rather than" in texts(app)


def test_compare_page_adds_confidence_and_sentences(no_dataset):
    app = run_page("views/compare.py", query={"kind": "cnn"}, session={"input_image": drawn("Z")})
    assert not app.exception
    table = app.dataframe[0].value
    assert len(table) == 4 and "explanation confidence" in table.columns
    assert table["explanation confidence"].between(0, 1).all()
    assert texts(app).count("of that evidence") + texts(app).count("Nothing in the drawing") == 4


@pytest.mark.parametrize("kind", ["dense", "cnn"])
def test_indirect_page_without_data_shows_the_templates(no_dataset, kind):
    app = run_page("views/indirect.py", query={"kind": kind})
    assert not app.exception
    assert "First layer" in texts(app) and "not on this machine" in texts(app)
    assert len(app.get("plotly_chart")) == 1


@pytest.mark.dataset
def test_indirect_page_places_the_drawing_among_its_neighbours(with_dataset):
    app = run_page("views/indirect.py", query={"pair": "2Z"}, session={"input_image": drawn("Z")})
    assert not app.exception
    assert f"The {NEIGHBOURS} training images nearest to the current input" in texts(app)
    assert re.search(r"Labels of the nearest images: 2: (\d), Z/z: (\d)", texts(app))
    assert len(app.get("plotly_chart")) == 3  # templates, neighbours, PCA map
    app.radio(key="indirect_map").set_value("tsne").run()
    shown = 2 * TSNE_PER_LABEL  # both labels have more test images than that
    assert not app.exception and f"t-SNE of {shown} test images" in texts(app)
