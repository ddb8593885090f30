"""The reference-maps component (app/reference_maps.py, app/static/maps/maps.js): the global
maps beside the live canvas, drawn without plotly with plotly's colours and scale."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from app import plots, reference_maps
from core.aggregates import load_global_maps
from core.models.paths import model_dir
from tests.app.conftest import reference_maps_of, run_page
from tests.live_engine_cases import NODE

MAPS_JS = reference_maps.STATIC / "maps.js"


def _shipped(pair: str = "2Z", mode: str = "contrast") -> np.ndarray:
    return load_global_maps(model_dir(pair) / "global_maps.npz", 2).get(mode)


def test_the_config_carries_the_maps_their_shared_scale_and_plain_ticks():
    maps = list(_shipped())
    sent = reference_maps.config(maps, ["one", "two"])
    limit = plots.symmetric_limit(*maps)
    assert sent["limit"] == pytest.approx(limit)
    assert sent["ticks"] == [
        plots.plain_number(t) for t in (-limit, -limit / 2, 0, limit / 2, limit)
    ]
    for shown, original in zip(sent["maps"], maps, strict=True):
        values = np.asarray(shown["values"]).reshape(28, 28)
        np.testing.assert_allclose(values, original, rtol=1e-4, atol=1e-4 * np.abs(original).max())
    assert len(sent["stops"]) == 5 and sent["stops"][2] == [247, 247, 247]  # white at zero
    assert reference_maps.config(maps, ["one", "two"], limit=2.5)["limit"] == 2.5


def test_the_draw_page_sends_the_pairs_shipped_global_maps(no_dataset):
    app = run_page(query={"mode": "thesis"})
    assert not app.exception
    sent = reference_maps_of(app)
    shipped = _shipped(mode="thesis")
    for shown, original in zip(sent["maps"], shipped, strict=True):
        np.testing.assert_allclose(
            np.reshape(shown["values"], (28, 28)), original, atol=1e-4 * np.abs(shipped).max()
        )
    assert not app.get("plotly_chart")  # nothing drawn yet, and the global maps are not plotly


def _plotly_colour(value: float, limit: float, stops: list) -> list[int]:
    """Plotly's colour for ``value``: linear in RGB between stops at 0, 1/4, ... 1 of the range."""
    t = np.clip((value / limit + 1) / 2, 0, 1)
    positions = np.linspace(0, 1, len(stops))
    return [round(float(np.interp(t, positions, [s[k] for s in stops]))) for k in range(3)]


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
def test_the_browser_colours_are_plotlys(tmp_path):
    stops = reference_maps.stops()
    values = [-3.0, -2.0, -1.3, -0.5, -0.01, 0.0, 0.2, 0.9, 1.1, 1.9, 2.0, 7.0]
    script = (
        f"import {{ mapColour }} from {json.dumps(MAPS_JS.as_uri())};\n"
        f"const values = {json.dumps(values)}; const stops = {json.dumps(stops)};\n"
        "console.log(JSON.stringify(values.map((v) => mapColour(v, 2, stops))));\n"
    )
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    for value, colour in zip(values, found, strict=True):
        expected = _plotly_colour(value, 2.0, stops)
        assert max(abs(a - b) for a, b in zip(colour, expected, strict=True)) <= 1, value
