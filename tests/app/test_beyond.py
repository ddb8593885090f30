"""The dashboard beyond the thesis: CNN switch, any-pair contrast on the 8-class network,
the map's checks against their typical band, sentences, Grad-CAM, indirect explanations."""

from __future__ import annotations

import re

import pytest

from core.insight.indirect import NEIGHBOURS, TSNE_PER_LABEL
from tests.app.conftest import drawn, reference_maps_of, run_page, texts

STABILITY = re.compile(
    r"\*\*Map stability: (\u2212?\d\.\d\d)\*\* \((usual|lower than usual|higher than usual); "
    r"typical for drawings on this network: (\u2212?\d\.\d\d) to (\u2212?\d\.\d\d)\)"
)


def _number(text: str) -> float:
    return float(text.replace("\u2212", "-"))


def _stability(app) -> float:
    found = STABILITY.search(texts(app))
    assert found, texts(app)
    return _number(found.group(1))


def test_draw_page_shows_the_map_checks_against_their_band_and_a_sentence(no_dataset):
    from core.insight.confidence_band import load_bands
    from core.models.paths import model_dir

    app = run_page(session={"input_image": drawn("2"), "mode": "target"})
    assert not app.exception
    found = STABILITY.search(texts(app))
    assert found, texts(app)
    value, where, low, high = _number(found[1]), found[2], _number(found[3]), _number(found[4])
    band = load_bands(model_dir("2Z", "dense"))["target"]["stability"]
    assert (low, high) == (round(band[0], 2), round(band[2], 2))  # the shipped band, shown
    expected = "usual" if band[0] <= value <= band[2] else "than usual"
    assert where.endswith(expected) and -1 <= value <= 1
    assert "agreement with the global map" in texts(app)
    line = next(m for m in app.markdown if m.value.startswith("**Map stability"))
    assert "not say how far to trust" in line.help and "reports/confidence.md" in line.help
    assert "AUROC" in line.help and "\u201cnot one of these\u201d check" in line.help
    # the old number and its label are gone
    assert "Explanation confidence" not in texts(app)
    assert all("How far to trust this map" not in (m.help or "") for m in app.markdown)
    assert re.search(r"\*The [a-z ,]+ speaks? for 2 \(\d+% of that evidence\)", texts(app))


def test_network_switch_comes_from_the_url_and_runs_the_cnn(no_dataset):
    app = run_page(query={"kind": "cnn", "pair": "8B"}, session={"input_image": drawn("8")})
    assert not app.exception
    assert app.sidebar.radio(key="kind").value == "cnn"
    assert "Prediction: **" in texts(app) and -1 <= _stability(app) <= 1
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


def test_compare_page_adds_the_map_stability_with_its_band_and_sentences(no_dataset):
    app = run_page("views/compare.py", query={"kind": "cnn"}, session={"input_image": drawn("Z")})
    assert not app.exception
    table = app.dataframe[0].value
    assert len(table) == 4 and "explanation confidence" not in table.columns
    assert table["map stability"].between(-1, 1).all()
    assert table["typical for drawings"].str.fullmatch(r"\u2212?\d\.\d\d to \u2212?\d\.\d\d").all()
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
