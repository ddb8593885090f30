"""Presenter view: a toggle and a URL parameter; larger plots and type, the same content."""

from __future__ import annotations

import json

from tests.app.conftest import current_image, drawn, run_page, texts


def _heights(app) -> list[int]:
    return [json.loads(chart.proto.spec)["layout"]["height"] for chart in app.get("plotly_chart")]


def test_url_parameter_turns_it_on_and_plots_grow(no_dataset):
    normal = run_page(session={"input_image": drawn("Z")})
    presenting = run_page(query={"presenter": "1"}, session={"input_image": drawn("Z")})
    assert not presenting.exception
    assert presenting.sidebar.toggle(key="presenter").value is True
    assert all(
        big > small for big, small in zip(_heights(presenting), _heights(normal), strict=True)
    )
    assert any("font-size: 21px" in element.proto.body for element in presenting.get("html"))


def test_toggle_writes_the_url_and_can_be_turned_off(no_dataset):
    app = run_page("views/models.py")
    app.sidebar.toggle(key="presenter").set_value(True).run()
    assert app.query_params["presenter"] == "1"
    app.sidebar.toggle(key="presenter").set_value(False).run()
    assert "presenter" not in app.query_params
    assert not app.exception


def test_presenter_view_has_its_own_control_bar_with_shortcuts(no_dataset):
    app = run_page(query={"presenter": "1"})
    assert not app.exception
    main_keys = {w.key for w in (*app.main.selectbox, *app.main.radio)}
    assert {"pair", "mode", "kind"} <= main_keys  # the sidebar cannot be reopened
    shortcuts = {b.key: b.proto.shortcut for b in app.main.button}
    assert shortcuts["presenter_next_example"] and shortcuts["presenter_clear"]
    app.main.selectbox(key="pair").set_value("5S").run()
    assert app.query_params["pair"] == "5S"


def test_next_example_and_clear_drive_the_current_input(no_dataset):
    app = run_page(query={"presenter": "1"})
    app.button(key="presenter_next_example").click().run()
    first = current_image(app)
    assert first is not None and "example drawing" in texts(app)
    assert "Prediction" in texts(app)
    app.button(key="presenter_next_example").click().run()
    assert not (current_image(app) == first).all()  # the next one, not the same
    app.button(key="presenter_clear").click().run()
    assert current_image(app) is None
    assert "Prediction" not in texts(app)
    assert not app.exception


def test_presenter_view_can_be_left_from_its_bar(no_dataset):
    app = run_page(query={"presenter": "1"})
    app.button(key="presenter_exit").click().run()
    assert not app.exception
    assert app.session_state["presenter"] is False
    assert "presenter" not in app.query_params
    assert app.sidebar.radio(key="mode").value == "contrast"
    assert not any(b.key == "presenter_exit" for b in app.button)
