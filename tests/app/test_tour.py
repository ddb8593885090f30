"""The guided tour: every step renders live, next / back move through it, the URL keeps the step."""

from __future__ import annotations

import re

import pytest

from tests.app.conftest import run_page, texts

TOUR = "views/tour.py"


def _step_heading(app) -> str:
    return app.subheader[0].value


@pytest.mark.slow  # renders every step, forth and back
def test_next_and_back_walk_through_every_step(no_dataset):
    app = run_page(TOUR)
    assert not app.exception
    seen = [_step_heading(app)]
    for _ in range(5):
        app.button(key="tour_next_top").click().run()
        assert not app.exception, app.exception
        seen.append(_step_heading(app))
    assert len(set(seen)) == 6
    assert app.button(key="tour_next_top").disabled
    app.button(key="tour_back_top").click().run()
    assert _step_heading(app) == seen[4]
    assert app.query_params["step"] == "5"


def test_the_first_step_predicts_the_example_drawing(no_dataset):
    app = run_page(TOUR)
    assert "Prediction: **2**" in texts(app)
    assert len(app.get("plotly_chart")) == 1


@pytest.mark.parametrize("step", [1, 2, 3, 4, 5, 6])
def test_each_step_opens_from_the_url(no_dataset, step):
    app = run_page(TOUR, query={"step": str(step)})
    assert not app.exception
    assert f"Step {step} of 6" in app.get("progress")[0].proto.text
    assert bool(app.get("plotly_chart")) == (step != 6)  # the summary step has no map


@pytest.mark.dataset
def test_the_mistake_step_shows_a_real_mistake_and_names_the_label_noise(with_dataset):
    from app.views.tour import LABEL_NOISE_INDEX, MISTAKE_INDEX

    app = run_page(TOUR, query={"step": "4"})
    assert not app.exception
    shown = texts(app)
    assert f"test image #{MISTAKE_INDEX}, a looped 2 that this Dense network calls Z/z" in shown
    assert f"Test image #{LABEL_NOISE_INDEX} is labelled **2**" in shown and "label noise" in shown


@pytest.mark.dataset
def test_the_tours_test_images_are_what_its_text_says(with_dataset):
    """#58: labelled 2, the Dense network says Z, the CNN says 2; #85: labelled 2 and every
    network (Dense, CNN and the 8-character one) says Z."""
    from app.views.tour import LABEL_NOISE_INDEX, MISTAKE_INDEX
    from core.data.dataset import load_pair
    from core.data.pairs import EIGHT_CHARACTERS
    from core.models import load_network, predict

    images, labels = load_pair("2Z", "test")
    dense, cnn = (  # the networks as the pages run them (their checked exports)
        predict(load_network("2Z", kind), images).argmax(axis=1) for kind in ("dense", "cnn")
    )
    eight = predict(load_network("all8"), images[[LABEL_NOISE_INDEX]])[0]
    assert (labels[MISTAKE_INDEX], dense[MISTAKE_INDEX], cnn[MISTAKE_INDEX]) == (0, 1, 0)
    assert (labels[LABEL_NOISE_INDEX], dense[LABEL_NOISE_INDEX], cnn[LABEL_NOISE_INDEX]) == (
        0,
        1,
        1,
    )
    assert EIGHT_CHARACTERS[int(eight.argmax())] == "Z" and eight.max() > 0.9


def test_without_data_the_stand_in_is_a_mistake_as_the_text_says(no_dataset):
    app = run_page(TOUR, query={"step": "4"})
    said = re.search(r"which the network calls Z/z \((\d+)%\)", texts(app))
    assert said and int(said.group(1)) > 50


def test_the_global_step_reads_the_maps_it_shows(no_dataset):
    from core.aggregates import shipped_maps
    from core.insight.textual import describe

    app = run_page(TOUR, query={"step": "3"})
    maps = shipped_maps("2Z").get("target")
    assert describe(maps[0], "2", mode="target") in texts(app)
    assert describe(maps[1], "Z/z", mode="target") in texts(app)


def test_the_tour_ends_on_a_readable_summary(no_dataset):
    app = run_page(TOUR, query={"step": "6"})
    assert not app.exception
    summary = texts(app)
    assert "What to take away" in summary
    assert not re.search(r"\d[.,]\d|\d%", summary)  # words, not a wall of numbers
    assert len(app.get("page_link")) == 3


def test_next_and_back_have_arrow_key_shortcuts(no_dataset):
    app = run_page(TOUR)
    assert app.button(key="tour_next_top").proto.shortcut.lower() == "right"
    assert app.button(key="tour_back_top").proto.shortcut.lower() == "left"
