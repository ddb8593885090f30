"""The Methods page: chosen methods side by side on the drawing or a test image, and the report."""

from __future__ import annotations

import pytest

from core.explain import ABLATION, FLOORS, METHODS, method_label
from core.studies.methods_report.stored import load_report
from tests.app.conftest import chart_text, drawn, run_page, texts

PAGE = "views/methods.py"


def test_methods_page_renders_without_a_drawing(no_dataset):
    app = run_page(PAGE)
    assert not app.exception, app.exception
    assert "No image yet" in texts(app)
    assert "only the current input" in texts(app)


def test_methods_page_shows_the_chosen_methods_on_the_drawing(no_dataset):
    app = run_page(
        PAGE,
        session={"input_image": drawn("Z"), "methods_chosen": ["modulex", "saliency", "lrp_zplus"]},
    )
    assert not app.exception, app.exception
    figure = chart_text(app)
    for title in ("ModuleX", "Saliency", "LRP-z⁺"):
        assert title in figure
    assert "Prediction: Z/z" in texts(app)
    assert not app.error and not app.warning


def test_methods_page_every_method_and_the_options(no_dataset):
    app = run_page(
        PAGE,
        query={"mode": "target"},
        session={"input_image": drawn("2"), "methods_chosen": list(METHODS)},
    )
    assert not app.exception, app.exception
    app.radio(key="methods_output").set_value("logit").run()
    assert "explaining **2** (target mode, from the sidebar)" in texts(app)
    app.sidebar.radio(key="mode").set_value("contrast").run()
    assert not app.exception, app.exception
    assert "against Z/z (contrast mode, from the sidebar)" in texts(app)
    assert not app.error and not app.warning  # ModuleX ignores the logit option rather than failing


def test_methods_page_calls_the_variants_and_floors_like_every_method(no_dataset):
    chosen = [*ABLATION, *FLOORS]
    app = run_page(
        PAGE,
        query={"mode": "contrast"},  # the sidebar's mode: every one argues against the other
        session={"input_image": drawn("2"), "methods_chosen": chosen},
    )
    assert not app.exception, app.exception
    assert "against Z/z (contrast mode, from the sidebar)" in texts(app)
    assert not app.error and not app.warning
    figure = chart_text(app).replace("<br>", " ")  # long titles wrap
    assert all(method_label(name) in figure for name in chosen)


def test_methods_page_shows_the_committed_report_without_the_dataset(no_dataset):
    report = load_report()
    app = run_page(PAGE, session={"pair": "8B"})
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    scored = report["networks"]["8B"]["methods"]
    assert len(table) == len(scored) >= len(METHODS) + len(FLOORS)
    assert {"Random map (floor)", "Input as map (floor)", "ModuleX"} <= set(table["method"])
    assert not any("_" in name for name in table["method"])  # readable names only
    assert any(column.endswith(("↑", "↓")) for column in table.columns)
    page = texts(app)
    assert "8 vs B/b · Dense (thesis)" in page and "2 vs Z" not in page  # this pair's headline
    assert any(e.label.startswith("How this is computed") for e in app.expander)
    charts = [chart.key for chart in app.get("plotly_chart")]
    assert charts == ["methods_standing", "methods_curves"]
    assert len(app.get("download_button")) == 2
    others = sum(row["group"] == "method" for row in scored.values()) - 1
    assert f"Scored against {others} other methods on" in page  # one sentence, details folded


def test_methods_page_report_rows_and_families_can_be_narrowed(no_dataset):
    app = run_page(PAGE, session={"pair": "2Z"})
    app.multiselect(key="methods_report_rows").set_value(["modulex", "input"]).run()
    app.multiselect(key="methods_report_families").set_value(["robustness"]).run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert list(table["method"]) == ["ModuleX", "Input as map (floor)"]
    assert {c for c in table.columns if c not in ("method", "kind")} == {
        "Max-sensitivity ↓",
        "Avg-sensitivity ↓",
        "ms per image ↓",
    }
    app.segmented_control(key="methods_curve").set_value("road").run()
    assert "Input as map (floor)" in chart_text(app, index=1)  # after the standing bars


def test_methods_page_shows_the_cnn_rows_of_the_report(no_dataset):
    app = run_page(PAGE, query={"kind": "cnn"}, session={"pair": "2Z"})
    assert not app.exception, app.exception
    assert "CNN" in texts(app) and app.dataframe


@pytest.mark.dataset
def test_methods_page_explains_a_chosen_test_image(with_dataset):
    app = run_page(PAGE, session={"methods_chosen": ["modulex", "occlusion"]})
    app.number_input(key="methods_index").set_value(7).run()
    app.button(key="methods_use_test").click().run()
    assert not app.exception, app.exception
    assert "test image #7 of 2 vs Z/z, labelled" in texts(app)
    assert "Occlusion" in chart_text(app)
    app.switch_page("views/draw.py").run()  # the one current input, on every page
    assert "Input: test image #7 of 2 vs Z/z" in texts(app)


def test_methods_page_explains_the_cnn_with_every_method_lrp_included(no_dataset):
    app = run_page(
        "views/methods.py",
        query={"kind": "cnn"},
        session={
            "input_image": drawn("Z"),
            "methods_chosen": ["modulex", "lrp_epsilon", "gradient_x_input"],
        },
    )
    assert not app.exception
    assert "CNN" in app.title[0].value
    assert not any("does not explain" in info.value for info in app.info)
    assert not app.warning, [w.value for w in app.warning]
    titles = chart_text(app)
    assert all(label in titles for label in ("ModuleX", "LRP-ε", "Gradient x input"))


def test_the_explain_control_always_shows_a_choice(no_dataset):
    """A character of another network (the 8-character one's S) left the control on the pair's
    page with no option chosen; it falls back to the prediction."""
    app = run_page(PAGE, query={"why": "S", "net": "all8"}, session={"input_image": drawn("2")})
    assert app.segmented_control(key="why").value == "predicted"
    assert not app.exception
