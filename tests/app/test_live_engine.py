"""The browser engine (app/static/live/engine.js) under Node, held equal to core.

Node runs the very module the page loads; tests/js/run_node.mjs lets its fetch() read the
shipped exports from disk. The same cases run in real Chromium in tests/e2e/test_live_engine.py.
"""

from __future__ import annotations

import json
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


def _served_copy(tmp_path, tamper=None) -> Path:
    """The 2Z export as the server serves it: in a folder named by its manifest's checksum."""
    from core.models.weights_export import read_export, sha256_hex

    source = ROOT / "pretrained" / "2Z"
    folder = tmp_path / "weights" / f"2Z-{read_export(source).tag}"
    folder.mkdir(parents=True)
    for name in ("weights.json", "weights.bin"):
        shutil.copy(source / name, folder / name)
    if tamper:
        binary = bytearray((folder / "weights.bin").read_bytes())
        tamper(binary)
        manifest = json.loads((folder / "weights.json").read_text())
        manifest["sha256"] = sha256_hex(bytes(binary))  # consistent: binary and manifest
        manifest["byte_length"] = len(binary) if tamper is not _truncate else len(binary) + 4
        (folder / "weights.bin").write_bytes(bytes(binary))
        (folder / "weights.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return folder / "weights.json"


def _truncate(binary: bytearray) -> None:
    del binary[-4:]


def _load_only(url: str) -> dict:
    return {"inputs": [], "networks": [{"url": url, "requests": []}], "inks": [], "canvases": []}


def test_a_copy_at_its_checksum_address_loads(tmp_path):
    cases = {**_load_only(_served_copy(tmp_path).as_uri()), "digestText": ""}
    assert live.run_in_node(cases, tmp_path)["networks"][0]["labels"] == ["2", "Z"]


@pytest.mark.parametrize(
    "tamper, phrase",
    [
        (lambda binary: binary.__setitem__(slice(0, 4), b"\x00\x00\x00\x7f"), "its address"),
        (_truncate, "its address"),
    ],
)
def test_a_copy_changed_on_the_server_is_refused_with_its_fix(tmp_path, tamper, phrase):
    """The binary changed and its manifest's sha256 updated to match (issue 25): the manifest
    no longer has the checksum its address carries."""
    cases = {**_load_only(_served_copy(tmp_path, tamper).as_uri()), "digestText": ""}
    done = live.node_run(cases, tmp_path)
    assert done.returncode != 0
    assert f"sha256 does not match {phrase}" in done.stderr
    assert "To fix: restart the dashboard" in done.stderr


def test_a_byte_length_mismatch_says_how_to_fix_it(tmp_path):
    manifest_path = tmp_path / "weights.json"
    shutil.copy(ROOT / "pretrained" / "2Z" / "weights.bin", tmp_path / "weights.bin")
    manifest = json.loads((ROOT / "pretrained" / "2Z" / "weights.json").read_text())
    manifest["byte_length"] += 4
    manifest_path.write_text(json.dumps(manifest))
    done = live.node_run({**_load_only(manifest_path.as_uri()), "digestText": ""}, tmp_path)
    assert "the manifest says" in done.stderr and "To fix:" in done.stderr
