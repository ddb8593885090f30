"""The guided tour: every step renders live, next / back move through it, the URL keeps the step."""

from __future__ import annotations

import pytest

from tests.app.conftest import run_page, texts

TOUR = "views/tour.py"


def _step_heading(app) -> str:
    return app.subheader[0].value


def test_next_and_back_walk_through_every_step(no_dataset):
    app = run_page(TOUR)
    assert not app.exception
    seen = [_step_heading(app)]
    for _ in range(4):
        app.button(key="tour_next_top").click().run()
        assert not app.exception, app.exception
        seen.append(_step_heading(app))
    assert len(set(seen)) == 5
    assert app.button(key="tour_next_top").disabled
    app.button(key="tour_back_top").click().run()
    assert _step_heading(app) == seen[3]
    assert app.query_params["step"] in (["4"], "4")


def test_the_first_step_predicts_the_example_drawing(no_dataset):
    app = run_page(TOUR)
    assert "Prediction: **2**" in texts(app)
    assert len(app.get("plotly_chart")) == 1


@pytest.mark.parametrize("step", [1, 2, 3, 4, 5])
def test_each_step_opens_from_the_url(no_dataset, step):
    app = run_page(TOUR, query={"step": str(step)})
    assert not app.exception
    assert f"Step {step} of 5" in app.get("progress")[0].proto.text
    assert app.get("plotly_chart")


@pytest.mark.dataset
def test_the_mistake_step_uses_a_real_test_image_when_the_data_is_here(with_dataset):
    app = run_page(TOUR, query={"step": "4"})
    assert not app.exception
    assert "test image #" in texts(app)
