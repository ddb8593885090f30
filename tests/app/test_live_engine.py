"""The browser engine (app/static/live/engine.js) under Node, held equal to core.

Node runs the very module the page loads; tests/js/run_node.mjs lets its fetch() read the
shipped exports from disk. The same cases run in real Chromium in tests/e2e/test_live_engine.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import live_engine_cases as live

ROOT = Path(__file__).resolve().parents[2]

if live.NODE is None:
    message = "NODE.JS TESTS SKIPPED: no node on PATH (apt-get install nodejs)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise RuntimeError(message + " -- CI must run them")  # a collection error: CI goes red
    pytestmark = pytest.mark.skip(reason=message)


def file_url(folder: str) -> str:
    return (ROOT / "pretrained" / folder / "weights.json").as_uri()


def test_every_javascript_file_parses():
    scripts = sorted([*ROOT.glob("app/**/*.js"), *ROOT.glob("tests/js/*.mjs")])
    assert live.ENGINE in scripts
    for script in scripts:
        done = subprocess.run(
            [live.NODE, "--check", str(script)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{script}: {done.stderr}"


def test_preprocessing_equals_core(tmp_path):
    cases = {**live.cases(file_url), "networks": []}
    live.check_preprocessing(live.run_in_node(cases, tmp_path))


@pytest.fixture(scope="module")
def shipped_models():
    from core.models.loading import load_pretrained

    return {(pair, kind): load_pretrained(pair, kind) for pair, kind in live.NETWORKS}


@pytest.mark.slow
def test_every_network_and_mode_equals_core(tmp_path, shipped_models):
    results = live.run_in_node(live.cases(file_url), tmp_path)
    live.check_networks(results, shipped_models)


def test_a_damaged_export_is_refused(tmp_path):
    source = ROOT / "pretrained" / "2Z"
    for name in ("weights.json", "weights.bin"):
        shutil.copy(source / name, tmp_path / name)
    data = bytearray((tmp_path / "weights.bin").read_bytes())
    data[100] ^= 0xFF
    (tmp_path / "weights.bin").write_bytes(bytes(data))
    cases = {
        "inputs": [],
        "networks": [{"url": (tmp_path / "weights.json").as_uri(), "requests": []}],
        "inks": [],
        "canvases": [],
        "digestText": "",
    }
    done = live.node_run(cases, tmp_path)
    assert done.returncode != 0
    assert "sha256 does not match" in done.stderr


def test_the_drawings_exercise_thinning_and_leave_normal_ones_alone():
    """The preprocessing cases hold both paths of core's thin_thick_strokes: small drawings
    with a thick brush (thinned, and their 28x28 input differs from the unthinned one's) and
    normal drawings (left as drawn)."""
    from core.inputs.preprocess import canvas_ink, ink_to_input, thin_thick_strokes

    thinned, untouched = [], []
    for name, rgba in live.drawings().items():
        ink = canvas_ink(rgba)
        (untouched if thin_thick_strokes(ink) is ink else thinned).append(name)
    assert {"tiny thick Z", "tiny thick curve", "small thick ring"} <= set(thinned)
    assert {"thin Z", "wide Z", "thick blob"} <= set(untouched)
    ink = canvas_ink(live.drawings()["tiny thick Z"])
    as_drawn = ink_to_input(ink).astype(int)
    assert abs(ink_to_input(thin_thick_strokes(ink)).astype(int) - as_drawn).max() > 2


@pytest.mark.slow
def test_not_one_of_these_equals_core(tmp_path):
    """Each shipped network's parameters, served as the page serves them (the JSON in a folder
    named by its checksum), scored in Node from all8-cnn's logits: core's scores and verdicts,
    on the drawings and on a line, a dash and a scribble."""
    from app.live_weights import UNLIKELY_JSON, unlikely_document
    from core.insight.unlikely import SOURCE, SOURCE_KIND, shipped_parameters
    from core.models.loading import load_pretrained

    urls = []
    for pair, kind in live.NETWORKS:
        folder, text = unlikely_document(pair, kind)
        (tmp_path / folder).mkdir()
        (tmp_path / folder / UNLIKELY_JSON).write_bytes(text)
        urls.append((tmp_path / folder / UNLIKELY_JSON).as_uri())
    cases = {
        **live.cases(file_url),
        "networks": [],
        "unlikely": live.unlikely_cases(file_url("all8-cnn"), urls),
    }
    results = live.run_in_node(cases, tmp_path)["unlikely"]
    parameters = [shipped_parameters(pair, kind) for pair, kind in live.NETWORKS]
    live.check_unlikely(results, load_pretrained(SOURCE, SOURCE_KIND), parameters)


def test_parameters_that_do_not_match_their_address_are_refused(tmp_path):
    from app.live_weights import UNLIKELY_JSON, unlikely_document

    folder, text = unlikely_document("2Z", "dense")
    (tmp_path / folder).mkdir()
    (tmp_path / folder / UNLIKELY_JSON).write_bytes(text.replace(b'"threshold":', b'"threshold": '))
    cases = {
        "inputs": [],
        "networks": [],
        "inks": [],
        "canvases": [],
        "digestText": "",
        "unlikely": {
            "judge": file_url("all8-cnn"),
            "parameters": [(tmp_path / folder / UNLIKELY_JSON).as_uri()],
            "inputs": [],
        },
    }
    done = live.node_run(cases, tmp_path)
    assert done.returncode != 0
    assert "sha256 does not match its address" in done.stderr
