"""Presenter view: a toggle and a URL parameter; larger plots and type, the same content."""

from __future__ import annotations

import json

from tests.app.conftest import drawn, run_page


def _heights(app) -> list[int]:
    return [json.loads(chart.proto.spec)["layout"]["height"] for chart in app.get("plotly_chart")]


def test_url_parameter_turns_it_on_and_plots_grow(no_dataset):
    normal = run_page(session={"input_image": drawn("Z")})
    presenting = run_page(query={"presenter": "1"}, session={"input_image": drawn("Z")})
    assert not presenting.exception
    assert presenting.sidebar.toggle(key="presenter").value is True
    assert all(big > small for big, small in zip(_heights(presenting), _heights(normal)))
    assert any("font-size: 21px" in element.proto.body for element in presenting.get("html"))


def test_toggle_writes_the_url_and_can_be_turned_off(no_dataset):
    app = run_page("views/models.py")
    app.sidebar.toggle(key="presenter").set_value(True).run()
    assert app.query_params["presenter"] in (["1"], "1")
    app.sidebar.toggle(key="presenter").set_value(False).run()
    assert "presenter" not in app.query_params
    assert not app.exception
