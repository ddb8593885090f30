"""One palette: the browser's colour functions (the live canvas' overlay and map panel, the maps
component's reference maps) and its scale rule equal core's (core/insight/palette.py), which the
plots and the exports use, in both palettes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from core.insight.palette import (
    PALETTES,
    map_rgb,
    map_stops,
    overlay_rgb,
    overlay_rgba,
    symmetric_limit,
)
from tests.live_engine_cases import NODE

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
CANVAS_JS, MAPS_JS = STATIC / "live" / "canvas.js", STATIC / "maps" / "maps.js"
VALUES = [-3.0, -2.0, -1.3, -0.5, -0.01, 0.0, 0.2, 0.9, 1.1, 1.9, 2.0, 7.0]


def _node(script: str):
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
@pytest.mark.parametrize("key", list(PALETTES))
def test_the_live_canvas_paints_cores_colours(key):
    stops = [list(stop) for stop in PALETTES[key]["stops"]]
    greys = [0, 40, 128, 255, 77, 0, 255, 10, 200, 128, 33, 255]
    found = _node(
        f"import {{ scaleColour, overlayColour }} from {json.dumps(CANVAS_JS.as_uri())};\n"
        f"const v = {json.dumps(VALUES)}, g = {json.dumps(greys)}, s = {json.dumps(stops)};\n"
        "console.log(JSON.stringify({rgba: v.map((x) => scaleColour(x, 2, s)),"
        " panel: v.map((x, i) => overlayColour(x, 2, s, g[i]))}));\n"
    )
    np.testing.assert_allclose(found["rgba"], overlay_rgba(np.array(VALUES), 2.0, key), atol=1e-9)
    expected = overlay_rgb(np.array(greys, np.uint8), np.array(VALUES), 2.0, key)
    assert np.abs(np.array(found["panel"]) - expected).max() <= 1  # rounding of halves only


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
@pytest.mark.parametrize("key", list(PALETTES))
def test_the_maps_component_paints_cores_colours(key):
    stops = [list(stop) for stop in map_stops(key)]
    found = _node(
        f"import {{ mapColour }} from {json.dumps(MAPS_JS.as_uri())};\n"
        f"const v = {json.dumps(VALUES)}, s = {json.dumps(stops)};\n"
        "console.log(JSON.stringify(v.map((x) => mapColour(x, 2, s))));\n"
    )
    assert np.abs(np.array(found) - map_rgb(np.array(VALUES), 2.0, key)).max() <= 1


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
def test_the_browser_scale_rule_is_cores():
    rng = np.random.default_rng(3)
    maps = [rng.normal(size=784) * 10**e for e in (-4, 0, 3)] + [np.zeros(784)]
    maps.append(np.r_[np.zeros(780), [5.0, -9.0, 1.0, 2.0]])
    found = _node(
        f"import {{ symmetricLimit }} from {json.dumps(CANVAS_JS.as_uri())};\n"
        f"const maps = {json.dumps([m.tolist() for m in maps])};\n"
        "console.log(JSON.stringify(maps.map((m) => symmetricLimit(m))));\n"
    )
    for limit, values in zip(found, maps, strict=True):
        assert limit == pytest.approx(symmetric_limit(values), rel=1e-12)


def test_an_export_uses_the_chosen_palette():
    from core.insight.report import Report

    image = np.zeros((28, 28), np.uint8)
    importance = np.zeros((28, 28), np.float32)
    importance[4:14, 10:18], importance[14:24, 10:18] = 1.0, -1.0
    pixels = {}
    for key in PALETTES:
        sheet = Report("t", image, [], [("why", importance)], palette=key).render()
        pixels[key] = {tuple(p) for p in np.asarray(sheet.convert("RGB")).reshape(-1, 3)}
    for key, seen in pixels.items():
        strong_for, strong_against = PALETTES[key]["stops"][3], PALETTES[key]["stops"][0]
        assert tuple(strong_for) in seen and tuple(strong_against) in seen, key
    assert tuple(PALETTES["red-blue"]["stops"][3]) not in pixels["orange-purple"]
