"""The cases that hold the browser engine (app/static/live/engine.js) equal to core.

Shared by the Node test (tests/app/test_live_engine.py) and the Chromium one
(tests/e2e/test_live_engine.py): both run tests/js/engine_harness.mjs on the same cases and
check the results here, with issue 12's tolerances: probabilities abs <= 1e-5; maps, per map,
max|browser - core| / max|core| <= 1e-4; preprocessed 28x28 inputs max abs <= 2/255; "not
one of these" scores abs or rel <= 1e-4 with the same verdicts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from core.inputs.preprocess import (
    ImageInputError,
    canvas_ink,
    canvas_to_input,
    ink_to_input,
    thin_thick_strokes,
    to_model_input,
)
from core.models.networks import SHIPPED, expected_classes, network_key

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "app" / "static" / "live" / "engine.js"
JS_DIR = ROOT / "tests" / "js"
NODE = shutil.which("node")
NETWORKS = list(SHIPPED)
PROBABILITY_TOLERANCE = 1e-5
MAP_TOLERANCE = 1e-4
INPUT_TOLERANCE = 2 / 255
DIGEST_TEXT = "abc" * 50  # longer than one SHA-256 block
CANVAS_CASES = ("thin Z", "thick Z", "wide Z", "tiny thick Z", "thick blob")
"""Drawings also run from their RGBA pixels (canvasInk, then preprocessInk)."""


def encode(array) -> str:
    """A float32 (or uint8) array as base64 of its little-endian bytes."""
    array = np.asarray(array)
    dtype = "<f4" if array.dtype != np.uint8 else np.uint8
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


# --- drawings -----------------------------------------------------------------------------


def drawing(width: int, height: int, strokes, brush: int) -> np.ndarray:
    """RGBA uint8 ``[height, width, 4]``: white strokes (pixel coordinates) on transparent black,
    as a browser canvas gives them."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line(stroke, fill=(255, 255, 255, 255), width=brush, joint="curve")
        for x, y in (stroke[0], stroke[-1]):
            r = brush / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 255))
    return np.array(image)


def zed(x0, y0, x1, y1):
    return [[(x0, y0), (x1, y0), (x0, y1), (x1, y1)]]


def drawings() -> dict[str, np.ndarray]:
    """Generated drawings: thin and thick, wide and tall, near the minimum extent, a faint
    antialiased ring, an off-square canvas, a tiny tick (too small), a blank canvas, and small
    drawings with a thick brush (thinned first; the thick blob would be too small thinned)."""
    rng = np.random.default_rng(12)
    wobbly = [[(float(x), float(y)) for x, y in rng.uniform(40, 240, (9, 2))]]
    ring = drawing(280, 280, [], 1)
    ring_image = Image.fromarray(ring)
    ImageDraw.Draw(ring_image).ellipse((70, 50, 210, 230), outline=(200, 200, 200, 160), width=9)
    small_curve = [(float(x), float(y)) for x, y in rng.uniform(120, 175, (5, 2))]
    small_ring = Image.fromarray(drawing(280, 280, [], 1))
    ImageDraw.Draw(small_ring).ellipse((100, 90, 160, 170), outline=(255, 255, 255, 255), width=18)
    return {
        "thin Z": drawing(280, 280, zed(60, 50, 220, 230), 3),
        "thick Z": drawing(280, 280, zed(60, 50, 220, 230), 40),
        "wide Z": drawing(280, 280, zed(20, 110, 260, 170), 14),
        "tall Z": drawing(280, 280, zed(120, 10, 160, 270), 12),
        "near the minimum": drawing(280, 280, zed(130, 130, 150, 152), 12),
        "wobbly stroke": drawing(280, 280, wobbly, 18),
        "faint ring": np.array(ring_image),
        "off-square canvas": drawing(360, 200, zed(150, 30, 230, 170), 16),
        "corner": drawing(280, 280, zed(-20, -20, 60, 70), 16),
        "too small": drawing(280, 280, [[(140, 140), (145, 143)]], 6),
        # small drawings with a thick brush: their strokes are thinned first
        "tiny thick Z": drawing(280, 280, zed(110, 110, 160, 165), 20),
        "tiny thick curve": drawing(280, 280, [small_curve], 24),
        "small thick ring": np.array(small_ring),
        "tiny Z at the edge": drawing(280, 280, zed(0, 215, 50, 279), 18),
        "thick blob": drawing(280, 280, [[(140, 140), (146, 143)]], 40),
        "blank": drawing(280, 280, [], 1),
    }


def core_input(ink: np.ndarray) -> dict:
    """What core makes of an ink array, in the engine's result shape: canvas_to_input's steps
    after canvas_ink (thick strokes thinned, then ink_to_input)."""
    return _result(lambda: ink_to_input(thin_thick_strokes(ink)))


def core_canvas_input(rgba: np.ndarray) -> dict:
    """core's canvas_to_input of canvas pixels (what the server makes of them)."""
    return _result(lambda: canvas_to_input(rgba))


def _result(prepare) -> dict:
    try:
        result = prepare()
    except ImageInputError as error:
        return {"error": str(error)}
    if result is None:
        return {"blank": True}
    return {"input": to_model_input(result)[0]}


# --- network requests ---------------------------------------------------------------------


def network_inputs() -> list[np.ndarray]:
    """28x28 float inputs: several drawings as core prepares them, and a random sparse image."""
    images = []
    for name in ("thin Z", "thick Z", "wobbly stroke", "off-square canvas"):
        images.append(core_input(canvas_ink(drawings()[name]))["input"])
    rng = np.random.default_rng(5)
    noise = rng.integers(0, 256, (28, 28)).astype(np.float32) / 255
    noise[rng.random((28, 28)) < 0.7] = 0
    images.append(noise)
    return [np.asarray(image, np.float32).reshape(28, 28) for image in images]


def requests_for(n_classes: int, n_inputs: int) -> list[dict]:
    """Every mode, with default and chosen targets (and contrasts on the 8-class networks), and
    a contrast naming the target itself (core's question resolver argues against the runner-up
    then)."""
    chosen = [
        {"mode": "thesis"},
        {"mode": "target"},
        {"mode": "target", "target": n_classes - 1},
        {"mode": "contrast"},
        {"mode": "contrast", "target": 1}
        if n_classes == 2
        else {"mode": "contrast", "target": 1, "contrast": 6},
        {"mode": "contrast", "target": 0, "contrast": 0},
    ]
    return [{"input": i, **request} for i in range(n_inputs) for request in chosen]


def cases(network_url) -> dict:
    """Everything the harness runs; ``network_url(folder)`` is the manifest address."""
    inputs = network_inputs()
    networks = []
    for pair, kind in NETWORKS:
        n_classes = expected_classes(pair)
        networks.append(
            {
                "url": network_url(network_key(pair, kind)),
                "requests": requests_for(n_classes, len(inputs)),
            }
        )
    ink_cases = {name: canvas_ink(rgba) for name, rgba in drawings().items()}
    return {
        "inputs": [encode(image) for image in inputs],
        "networks": networks,
        "inks": [
            {"ink": encode(ink), "width": ink.shape[1], "height": ink.shape[0]}
            for ink in ink_cases.values()
        ],
        "canvases": [
            {"rgba": encode(rgba), "width": rgba.shape[1], "height": rgba.shape[0]}
            for name, rgba in drawings().items()
            if name in CANVAS_CASES
        ],
        "digestText": DIGEST_TEXT,
    }


def node_run(case_data: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run the engine on ``case_data`` under Node (tests/js/run_node.mjs); the finished process."""
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(case_data))
    return subprocess.run(
        [NODE, str(JS_DIR / "run_node.mjs"), str(ENGINE), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def run_in_node(case_data: dict, tmp_path: Path) -> dict:
    done = node_run(case_data, tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# --- checks -------------------------------------------------------------------------------


def check_preprocessing(results: dict) -> None:
    """The browser's 28x28 inputs equal core's ink_to_input (and canvas_ink) on every drawing."""
    drawn = drawings()
    for (name, rgba), found in zip(drawn.items(), results["preprocessed"], strict=True):
        check_one_input(name, core_input(canvas_ink(rgba)), found)
    canvases = [(name, rgba) for name, rgba in drawn.items() if name in CANVAS_CASES]
    for (name, rgba), found in zip(canvases, results["canvases"], strict=True):
        np.testing.assert_array_equal(
            np.asarray(found.pop("ink"), np.float32).reshape(rgba.shape[:2]), canvas_ink(rgba)
        )
        check_one_input(name, core_canvas_input(rgba), found)
    assert results["digest"] == hashlib.sha256(DIGEST_TEXT.encode()).hexdigest()


def check_one_input(name: str, expected: dict, found: dict) -> None:
    assert set(found) == set(expected), f"{name}: core gives {set(expected)}, browser {set(found)}"
    if "input" in expected:
        difference = np.abs(np.asarray(found["input"]) - expected["input"].reshape(-1)).max()
        assert difference <= INPUT_TOLERANCE, (
            f"{name}: 28x28 inputs differ by {difference * 255:.2f}/255"
        )
    elif "error" in expected:
        assert found["error"] == expected["error"]


def check_networks(results: dict, models: dict) -> None:
    """Probabilities, maps, targets and contrasts equal core's for every network and mode."""
    from core.explain import predict_and_explain
    from core.explain.question import resolve_indices

    inputs = network_inputs()
    assert len(results["networks"]) == len(NETWORKS)
    for (pair, kind), network in zip(NETWORKS, results["networks"], strict=True):
        model = models[pair, kind]
        where = network_key(pair, kind)
        assert network["cached"], f"{where}: a second loadNetwork fetched again"
        assert (network["name"], network["kind"]) == (pair, kind)
        n_classes = model.output_shape[-1]
        assert len(network["labels"]) == n_classes
        for request, found in zip(
            requests_for(n_classes, len(inputs)), network["results"], strict=True
        ):
            image = inputs[request["input"]][None]
            probabilities, _ = predict_and_explain(model, image, mode="thesis")
            target, contrast = resolve_indices(
                request["mode"], request.get("target"), request.get("contrast"), probabilities[0]
            )
            expected_p, expected_map = predict_and_explain(
                model,
                image,
                mode=request["mode"],
                target=[target],
                contrast=None if contrast is None else [contrast],
            )
            label = f"{where} {request}"
            for key in ("probabilities", "forward"):
                error = np.abs(np.asarray(found[key]) - expected_p[0]).max()
                assert error <= PROBABILITY_TOLERANCE, f"{label}: {key} differ by {error:.2e}"
            if request["mode"] != "thesis":
                assert found["target"] == target, label
                assert found["contrast"] == contrast, label
            reference = expected_map[0].reshape(-1).astype(np.float64)
            browser = np.asarray(found["map"], np.float64)
            scale = np.abs(reference).max()
            error = np.abs(browser - reference).max()
            assert scale > 0, f"{label}: core's map is all zero; choose another input"
            assert error / scale <= MAP_TOLERANCE, f"{label}: map differs by {error / scale:.2e}"


# --- "not one of these" -------------------------------------------------------------------

LINE = [[(0.5, 0.0), (0.5, 1.0)]]
DASH = [[(0.3, 0.5), (0.7, 0.5)]]
SCRIBBLE = [[(0.1, 0.2), (0.9, 0.6), (0.2, 0.9), (0.6, 0.1), (0.8, 0.95), (0.05, 0.5), (0.95, 0.3)]]
UNLIKELY_TOLERANCE = 1e-4


def unlikely_images() -> list[np.ndarray]:
    """uint8 28x28 inputs: every drawing core prepares, the network inputs, a line, a dash and
    a scribble drawn on the canvas."""
    from core.inputs.preprocess import canvas_to_input
    from core.inputs.strokes import render_strokes

    images = []
    for rgba in drawings().values():
        found = core_canvas_input(rgba)
        if "input" in found:
            images.append(found["input"])
    images += network_inputs()
    for strokes in (LINE, DASH, SCRIBBLE):
        images.append(to_model_input(canvas_to_input(render_strokes(strokes)))[0])
    return [np.round(np.asarray(image, np.float64) * 255).astype(np.uint8) for image in images]


def unlikely_cases(judge_url: str, parameter_urls: list[str]) -> dict:
    return {
        "judge": judge_url,
        "parameters": parameter_urls,
        "inputs": [encode(to_model_input(image)[0]) for image in unlikely_images()],
    }


def check_unlikely(results: dict, judge_model, parameters: list) -> None:
    """all8-cnn's logits, every score and every verdict equal core's."""
    from core.insight.unlikely import eight_logits, unlikely_scores

    images = np.stack(unlikely_images())
    logits = eight_logits(judge_model, images)
    browser_logits = np.asarray(results["logits"], np.float64)
    assert np.abs(browser_logits - logits).max() <= UNLIKELY_TOLERANCE * max(
        1.0, np.abs(logits).max()
    )
    assert len(results["results"]) == len(parameters)
    flagged_any = unflagged_any = False
    for index, (found, expected_parameters) in enumerate(
        zip(results["results"], parameters, strict=True)
    ):
        assert found["cached"], f"parameter set {index}: a second loadUnlikely fetched again"
        expected = unlikely_scores(logits, images, expected_parameters)
        for image_index, (verdict, score) in enumerate(
            zip(found["verdicts"], expected, strict=True)
        ):
            label = f"parameter set {index}, image {image_index}"
            browser = float(verdict["score"])  # "Infinity" -> inf
            if np.isinf(score):
                assert browser == score, label
            else:
                assert abs(browser - score) <= UNLIKELY_TOLERANCE * max(1.0, abs(score)), (
                    f"{label}: browser {browser}, core {score}"
                )
            assert verdict["flagged"] == bool(score > expected_parameters.threshold), label
            flagged_any |= verdict["flagged"]
            unflagged_any |= not verdict["flagged"]
    assert flagged_any and unflagged_any  # the cases hold both verdicts
