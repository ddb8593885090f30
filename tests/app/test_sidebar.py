"""The sidebar: contrast mode by default, each mode explained where it is chosen, distinct
labels, the colour-blind-safe palette and the fixed colour scale."""

from __future__ import annotations

import json

from app.cache import network_limit
from tests.app.conftest import drawn, run_page, texts


def test_modes_are_explained_in_one_line_each_and_the_page_names_the_classes(no_dataset):
    """The sidebar names no class (it cannot know which two the page explains); the page says
    the question it answers, from the same resolver as the map."""
    app = run_page(query={"pair": "5S"}, session={"input_image": drawn("5")})
    radio = app.sidebar.radio(key="mode")
    assert radio.value == "contrast"
    assert radio.options == [
        "Thesis: the whole output",
        "Target: why one class",
        "Contrast: why one class and not another",
    ]
    captions = list(radio.proto.captions)
    assert len(captions) == 3 and "biases cancel" in captions[2]
    assert not any(name in " ".join([*radio.options, *captions]) for name in ("5", "S/s"))
    assert "**The map answers:** why 5 and not S/s" in texts(app)


def test_the_network_architecture_has_its_own_label(no_dataset):
    app = run_page()
    labels = [w.label for w in (*app.sidebar.radio, *app.sidebar.selectbox)]
    assert "Architecture" in labels and "Network" not in labels


def test_the_colour_blind_palette_reaches_maps_and_words(no_dataset):
    app = run_page("views/global_maps.py", session={"palette": "orange-purple"})
    assert not app.exception
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert any("230,97,1" in str(trace.get("colorscale")) for trace in spec["data"])
    app = run_page(session={"palette": "orange-purple", "input_image": drawn("2")})
    assert "Orange pixels" in texts(app) and "Red pixels" not in texts(app)


def test_a_fixed_scale_uses_the_networks_limit(no_dataset):
    app = run_page("views/global_maps.py", session={"fixed_scale": True})
    assert not app.exception
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    limit = network_limit("2Z", "dense", "contrast")
    assert limit and any(
        abs(trace.get("zmax", 0) - limit) <= 1e-6 * limit for trace in spec["data"]
    )
