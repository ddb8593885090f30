"""The Models, Global maps and Mistakes pages serve every shipped network: the Network switch
(Dense / CNN, ``?kind=``) and, on the Models page, the 8-character networks."""

from __future__ import annotations

import base64
import json
import re
import shutil

import numpy as np
import pytest

from core.aggregates import GLOBAL_MAPS_FILE, load_global_maps
from core.data.pairs import ALL_EIGHT, EIGHT_CHARACTERS, PAIRS, display_name, pair_title
from core.models.metadata import load_metadata
from core.models.networks import KIND_NAMES, KINDS
from core.models.paths import model_dir, pretrained_root
from tests.app.conftest import run_page, texts

PAGES = ["views/models.py", "views/global_maps.py", "views/mistakes.py"]
MISCLASSIFIED = re.compile(r"(\d+) of (\d+) test images misclassified")


def _array(value) -> np.ndarray:
    """A plotly array from a chart's JSON: a list, or a typed array (``dtype``, ``bdata``,
    ``shape``)."""
    if not isinstance(value, dict):
        return np.asarray(value, dtype=float)
    flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return flat.reshape([int(n) for n in str(value.get("shape", len(flat))).split(",")])


def _traces(app, key: str) -> list[dict]:
    """The traces of the chart drawn with ``key``."""
    chart = next(chart for chart in app.get("plotly_chart") if chart.key == key)
    return json.loads(chart.proto.spec)["data"]


def _shipped_maps(pair: str, kind: str):
    return load_global_maps(model_dir(pair, kind) / GLOBAL_MAPS_FILE)


def _misclassified(app) -> tuple[int, int]:
    found = MISCLASSIFIED.search(texts(app))
    assert found, texts(app)
    return int(found.group(1)), int(found.group(2))


@pytest.mark.parametrize("page", PAGES)
def test_pages_render_with_the_cnn_without_the_dataset(page, no_dataset):
    app = run_page(page, query={"kind": "cnn"})
    assert not app.exception, app.exception
    assert app.sidebar.radio(key="kind").value == "cnn"
    assert "CNN" in texts(app)


@pytest.mark.dataset
@pytest.mark.parametrize("page", PAGES)
def test_pages_render_with_the_cnn_with_the_dataset(page, with_dataset):
    app = run_page(page, query={"kind": "cnn", "pair": "5S"})
    assert not app.exception, app.exception
    assert "CNN" in texts(app) and "5 vs S/s" in texts(app)
    assert app.get("plotly_chart")


def test_models_table_lists_the_cnns_and_the_eight_character_networks_from_their_metadata(
    no_dataset,
):
    app = run_page("views/models.py")
    assert not app.exception
    table = app.dataframe[1].value.set_index("network")
    titles = {**{pair: pair_title(pair) for pair in PAIRS}, ALL_EIGHT: "all 8 characters"}
    assert list(table.index) == list(titles.values())
    for name, title in titles.items():
        tests = {kind: load_metadata(name, kind)["evaluation"]["test"] for kind in KINDS}
        for kind in KINDS:
            assert table.loc[title, f"test accuracy, {KIND_NAMES[kind]}"] == pytest.approx(
                tests[kind]["accuracy"]
            )
            assert table.loc[title, f"test loss, {KIND_NAMES[kind]}"] == pytest.approx(
                tests[kind]["loss"]
            )
        assert table.loc[title, "CNN − Dense (test accuracy)"] == pytest.approx(
            tests["cnn"]["accuracy"] - tests["dense"]["accuracy"]
        )


def test_models_detail_follows_the_network_switch(no_dataset):
    app = run_page("views/models.py", query={"pair": "5S"})
    app.sidebar.radio(key="kind").set_value("cnn").run()
    assert not app.exception
    test = load_metadata("5S", "cnn")["evaluation"]["test"]
    assert "5 vs S/s in detail: CNN" in texts(app)
    assert _array(_traces(app, "confusion")[0]["z"]).tolist() == test["confusion"]
    assert list(app.dataframe[-1].value["recall"]) == pytest.approx(
        [row["recall"] for row in test["per_label"]]
    )
    assert _traces(app, "roc")[0]["name"] == f"AUC {test['roc']['auc']:.3f}"


@pytest.mark.parametrize("kind", KINDS)
def test_models_detail_of_the_eight_character_network(no_dataset, kind):
    app = run_page("views/models.py", query={"kind": kind})
    app.segmented_control(key="models_scope").set_value(ALL_EIGHT).run()
    assert not app.exception
    test = load_metadata(ALL_EIGHT, kind)["evaluation"]["test"]
    assert f"all 8 characters in detail: {KIND_NAMES[kind]}" in texts(app)
    confusion = _traces(app, "confusion")[0]
    assert _array(confusion["z"]).tolist() == test["confusion"]
    assert confusion["x"] == [f"predicted {display_name(c)}" for c in EIGHT_CHARACTERS]
    per_label = app.dataframe[-1].value
    assert list(per_label["label"]) == [display_name(c) for c in EIGHT_CHARACTERS]
    assert list(per_label["F1"]) == pytest.approx([row["f1"] for row in test["per_label"]])
    assert "No ROC curve" in texts(app)


def test_global_maps_page_shows_the_cnns_shipped_maps(no_dataset):
    app = run_page("views/global_maps.py", query={"kind": "cnn", "pair": "8B"})
    assert not app.exception
    assert "Network: **CNN**; maps shipped with the model (k = 400)" in texts(app)
    shown = [_array(trace["z"]) for trace in _traces(app, "global_labels")]
    cnn, dense = (
        _shipped_maps("8B", "cnn").get("contrast"),  # the default mode
        _shipped_maps("8B", "dense").get("contrast"),
    )
    assert np.allclose(shown, cnn, atol=1e-6)
    assert not np.allclose(shown, dense, atol=1e-3)


@pytest.mark.slow  # explains the CNN's whole test set
@pytest.mark.dataset
def test_global_maps_page_recomputes_the_cnns_maps_for_another_k(with_dataset):
    app = run_page("views/global_maps.py", query={"kind": "cnn"})
    app.slider(key="global_k").set_value(100).run()
    assert not app.exception
    assert "Network: **CNN**; maps recomputed from the test set (k = 100)" in texts(app)
    assert "2: 100, Z/z: 100" in texts(app)


@pytest.mark.slow  # explains the CNN's whole test set, twice
@pytest.mark.dataset
@pytest.mark.parametrize("pair", ["2Z", "8B"])
def test_mistakes_of_the_cnn_are_its_own(with_dataset, pair):
    app = run_page("views/mistakes.py", query={"pair": pair})
    dense_wrong, total = _misclassified(app)
    app.sidebar.radio(key="kind").set_value("cnn").run()
    assert not app.exception
    cnn_wrong, cnn_total = _misclassified(app)
    confusion = np.array(load_metadata(pair, "cnn")["evaluation"]["test"]["confusion"])
    assert cnn_total == total == confusion.sum()
    assert cnn_wrong == confusion.sum() - np.trace(confusion)
    assert cnn_wrong != dense_wrong
    assert "Mistakes gallery" in texts(app) and "CNN" in texts(app)
    global_maps = [_array(trace["z"]) for trace in _traces(app, "mistake_global")]
    assert np.allclose(
        global_maps, _shipped_maps(pair, "cnn").get("contrast", "correct"), atol=1e-6
    )


@pytest.fixture
def broken_2z_cnn(tmp_path, monkeypatch, no_dataset):
    shutil.copytree(pretrained_root(), tmp_path / "pretrained")
    folder = tmp_path / "pretrained" / "2Z-cnn"
    (folder / "metadata.json").write_text("{ broken")
    (folder / "global_maps.npz").write_bytes(b"")
    monkeypatch.setenv("MODULEX_PRETRAINED", str(tmp_path / "pretrained"))
    return folder


@pytest.mark.parametrize(
    "page, damaged",
    [("views/models.py", "metadata.json"), ("views/global_maps.py", "global_maps.npz")],
)
def test_a_damaged_cnn_is_named_and_the_rest_still_shows(broken_2z_cnn, page, damaged):
    app = run_page(page, query={"kind": "cnn"})
    assert not app.exception, app.exception
    assert f"2Z-cnn/{damaged}" in texts(app) and "To fix:" in texts(app)
    if page == "views/models.py":
        table = app.dataframe[1].value.set_index("network")
        assert (
            np.isnan(table.loc["2 vs Z/z", "test accuracy, CNN"])
            and table.loc["5 vs S/s", "test accuracy, CNN"] > 0.9
        )
