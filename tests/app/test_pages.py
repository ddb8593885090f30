"""Every page renders, without and with the dataset, and reacts to its controls."""

from __future__ import annotations

import re

import numpy as np
import pytest

from app.pages import FILES
from core.data.dataset import load_pair
from core.models.loading import load_network
from core.models.metadata import load_metadata
from core.models.prediction import predict
from tests.app.conftest import current_image, drawn, reference_maps_of, run_page, texts


@pytest.mark.parametrize("page", FILES)
def test_every_page_renders_without_the_dataset(page, no_dataset):
    app = run_page(page)
    assert not app.exception, app.exception
    assert app.sidebar.selectbox(key="pair").value == "2Z"
    assert (
        app.sidebar.radio(key="mode").value == "contrast"
    )  # the honest default: its bias terms cancel


def test_draw_page_empty_canvas_gives_a_hint(no_dataset):
    app = run_page()
    assert not app.exception
    assert "Draw a character" in texts(app)
    assert "Prediction" not in texts(app)


@pytest.mark.parametrize("character, pair, expected", [("Z", "2Z", "Z/z"), ("2", "2Z", "2")])
def test_draw_page_predicts_and_explains_a_drawing(no_dataset, character, pair, expected):
    app = run_page(session={"input_image": drawn(character), "pair": pair})
    assert not app.exception
    prediction = next(m.value for m in app.markdown if "Prediction" in m.value)
    assert f"**{expected}**" in prediction
    assert len(app.get("progress")) == 2  # both labels' probabilities
    assert len(app.get("plotly_chart")) == 1  # the explanation (server path)
    shown = reference_maps_of(app)  # the global maps, drawn without plotly
    assert [m["title"] for m in shown["maps"]] == [f"global map of {n}" for n in ("2", "Z/z")]
    assert "Red pixels" in texts(app)


def test_changing_the_pair_changes_the_labels(no_dataset):
    app = run_page(session={"input_image": drawn("Z")})
    app.sidebar.selectbox(key="pair").set_value("8B").run()
    assert not app.exception
    assert "8 vs B/b" in texts(app)
    # greyed (":gray[...]") when the drawing is none of the pair's characters, as a Z is here
    labels = [p.proto.text.removeprefix(":gray[") for p in app.get("progress")]
    assert any(label.startswith("8:") for label in labels) and any(
        label.startswith("B/b:") for label in labels
    )


@pytest.mark.parametrize(
    "mode, phrase",
    [("thesis", "whole output"), ("target", "speak for"), ("contrast", "rather than")],
)
def test_each_mode_says_what_its_colours_mean(no_dataset, mode, phrase):
    app = run_page(session={"input_image": drawn("2"), "mode": mode})
    assert not app.exception
    assert phrase in texts(app)


def test_pair_and_mode_come_from_and_go_to_the_url(no_dataset):
    app = run_page(query={"pair": "5S", "mode": "contrast"})
    assert app.sidebar.selectbox(key="pair").value == "5S"
    assert app.sidebar.radio(key="mode").value == "contrast"
    app.sidebar.selectbox(key="pair").set_value("0O").run()
    assert app.query_params["pair"] == "0O"


def test_invalid_url_values_fall_back_to_defaults(no_dataset):
    app = run_page(query={"pair": "XX", "mode": "nonsense"})
    assert not app.exception
    assert app.sidebar.selectbox(key="pair").value == "2Z"


def test_compare_page_runs_all_four_pairs(no_dataset):
    app = run_page("views/compare.py", session={"input_image": drawn("Z")})
    assert not app.exception
    table = app.dataframe[0].value
    assert len(table) == 4
    assert set(table["network"]) == {"2 vs Z/z", "5 vs S/s", "8 vs B/b", "0 vs O/o"}


def test_compare_page_without_a_drawing_says_what_to_do(no_dataset):
    app = run_page("views/compare.py")
    assert not app.exception
    assert "Nothing to compare yet" in texts(app)


def test_global_maps_page_uses_shipped_maps_without_data(no_dataset):
    app = run_page("views/global_maps.py")
    assert not app.exception
    assert "shipped with the model (k = 400)" in texts(app)
    assert len(app.get("plotly_chart")) == 2


@pytest.mark.dataset
def test_global_maps_page_recomputes_for_another_k(with_dataset):
    app = run_page("views/global_maps.py")
    app.slider(key="global_k").set_value(100).run()
    assert not app.exception
    assert "recomputed from the test set (k = 100)" in texts(app)
    assert "2: 100" in texts(app)


def test_mistakes_page_offers_the_download_without_data(no_dataset):
    app = run_page("views/mistakes.py")
    assert not app.exception
    assert "not on this machine" in texts(app)
    assert app.button(key="download_dataset").label.startswith("Download")


def _matching(app) -> int:
    return int(re.search(r"(\d+) images match", texts(app)).group(1))


@pytest.mark.dataset
def test_mistakes_page_counts_and_filters(with_dataset):
    """Every count the filters give is the shipped network's test confusion (its metadata),
    which the page must reproduce from its own predictions."""
    confusion = np.array(load_metadata("2Z")["evaluation"]["test"]["confusion"])  # [true, said]
    images, labels = load_pair("2Z", "test")
    probabilities = predict(load_network("2Z"), images)  # as the page predicts
    app = run_page("views/mistakes.py")
    assert not app.exception
    total = re.search(r"(\d+) of (\d+) test images misclassified", texts(app))
    wrong = int(confusion.sum() - np.trace(confusion))
    assert total and (int(total.group(1)), int(total.group(2))) == (wrong, len(labels))
    assert _matching(app) == wrong
    app.segmented_control(key="gallery_true").set_value(0).run()
    assert _matching(app) == confusion[0, 1]
    app.segmented_control(key="gallery_true").set_value(1).run()
    assert _matching(app) == confusion[1, 0]
    app.segmented_control(key="gallery_predicted").set_value(1).run()
    assert _matching(app) == 0  # a true Z predicted Z is not a mistake
    app.segmented_control(key="gallery_show").set_value("correct").run()
    assert _matching(app) == confusion[1, 1]
    app.segmented_control(key="gallery_predicted").set_value(0).run()
    assert _matching(app) == 0  # a true Z predicted 2 is not correct
    app.segmented_control(key="gallery_show").set_value("all").run()
    app.segmented_control(key="gallery_predicted").set_value("any").run()
    assert _matching(app) == confusion[1].sum()
    app.segmented_control(key="gallery_show").set_value("incorrect").run()
    app.slider(key="gallery_confidence").set_value((0.9, 1.0)).run()
    confident = probabilities.max(axis=1) >= 0.9
    assert _matching(app) == np.sum((labels == 1) & (probabilities.argmax(axis=1) == 0) & confident)
    assert not app.exception


@pytest.mark.dataset
def test_a_thumbnail_opens_on_the_draw_page(with_dataset):
    app = run_page("views/mistakes.py")
    buttons = [b for b in app.button if b.key and b.key.startswith("gallery_open_")]
    assert len(buttons) == 24
    index = int(buttons[0].key.rsplit("_", 1)[1])
    buttons[0].click().run()
    assert not app.exception
    assert "Draw & explain" in texts(app)
    assert f"test image #{index} of 2 vs Z/z, labelled" in texts(app)
    assert "Prediction:" in texts(app)
    images, _ = load_pair("2Z", "test")
    assert (current_image(app) == images[index]).all()


@pytest.mark.dataset
def test_the_gallery_explains_with_the_chosen_method(with_dataset):
    app = run_page("views/mistakes.py")
    before = [image.proto.imgs[0].url for image in app.get("image")]
    assert len(before) == 24
    app.selectbox(key="gallery_method").set_value("gradient_x_input").run()
    assert not app.exception
    assert "Gradient x input" in texts(app)
    after = [image.proto.imgs[0].url for image in app.get("image")]
    assert len(after) == 24 and after != before


def test_models_page_shows_every_pair_beside_the_thesis(no_dataset):
    app = run_page("views/models.py")
    assert not app.exception
    table = app.dataframe[0].value
    assert len(table) == 4 and "thesis test accuracy" in table.columns
    assert (table["test accuracy"] > table["thesis test accuracy"] - 0.05).all()


def test_an_example_click_explains_it_without_the_canvas(no_dataset):
    app = run_page()
    assert "Draw a character" in texts(app)
    app.pills(key="example_pick").set_value("2, round top").run()
    assert not app.exception
    assert "Prediction: **2**" in texts(app) and "example drawing" in texts(app)
    assert app.pills(key="example_pick").value is None  # ready for the next click
    assert [button.label for button in app.get("download_button")] == [
        "View as PNG",
        "Report as PDF",
    ]


def test_examples_follow_the_pair(no_dataset):
    app = run_page(query={"pair": "8B"})
    options = app.pills(key="example_pick").options
    assert options and all(option.startswith(("8", "B")) for option in options)


@pytest.mark.dataset
def test_a_random_test_image_is_explained(with_dataset):
    app = run_page()
    app.button(key="test_pick").click().run()
    assert not app.exception
    assert re.search(r"Input: test image #\d+ of 2 vs Z/z, labelled", texts(app))
    assert "Prediction:" in texts(app)
