"""What the screen says, read from a real Chromium, and the check that it says one thing.

:func:`read_screen` reads the live canvas (the pixels it shows, the 28x28 input its engine
explained, its bars, caption and map), the server's answer as the page shows it (headline,
"the map answers" line, the input's fingerprint, the title) and the server's numbers stamped on
the component, and the URL. :func:`check_one_truth` holds them to one input and one question:

- the live 28x28 equals core's preprocessing of the canvas as shown (<= 2/255) for a drawing
  the pen made, and the picture itself for a picture;
- the server explains that very input (same fingerprint), with the live probabilities
  (<= 1e-5) and the same target and contrast;
- the live map equals core's map for the question core resolves (max error / max <= 1e-4);
- the live caption, the page's headline and "the map answers" line and the title name the same
  classes and network.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import numpy as np

from core.data.pairs import ALL_EIGHT, EIGHT_CHARACTERS, display_name, pair_characters, pair_title
from core.explain.modulex import predict_and_explain
from core.explain.question import resolve_indices
from core.inputs.preprocess import ImageInputError, canvas_to_input
from core.models.loading import load_network

INPUT_TOLERANCE = 2  # grey levels of 255
PROBABILITY_TOLERANCE = 1e-5
MAP_TOLERANCE = 1e-4  # max error / max of the map
_NETWORKS: dict = {}

READ_COMPONENT = """root => {
  const map = root.querySelector('canvas.map');
  const canvas = root.querySelector('canvas.draw');
  const rgba = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let text = '';
  for (let i = 0; i < rgba.length; i += 8192) {
    text += String.fromCharCode.apply(null, rgba.subarray(i, i + 8192));
  }
  return {
    engine: root.dataset.engine,
    server: JSON.parse(root.dataset.server || 'null'),
    liveInput: root.dataset.liveInput || '',
    strokes: Number(root.dataset.strokes || 0),
    probabilities: map && map.dataset.probabilities ? JSON.parse(map.dataset.probabilities) : null,
    target: map ? map.dataset.target : null,
    contrast: map ? map.dataset.contrast : null,
    map: map && map.values ? Array.from(map.values) : null,
    caption: (root.querySelector('.caption') || {}).textContent || '',
    refused: (root.querySelector('.panel') || {dataset: {}}).dataset.refused === 'true',
    note: root.querySelector('.note').textContent,
    canvas: btoa(text),
    size: canvas.width,
  };
}"""


@dataclass
class Screen:
    component: dict
    text: str  # the main area's text
    title: str
    url: str

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlparse(self.url).query).items()}


def read_screen(page) -> Screen:
    component = page.locator(".live-canvas").first.evaluate(READ_COMPONENT)
    main = page.locator('[data-testid="stMain"]')
    return Screen(
        component,
        main.inner_text(),
        main.locator("h1").first.inner_text(),
        page.url,
    )


def unpack(levels: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(levels), np.uint8).reshape(28, 28)


def fingerprint(image: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(image, np.uint8).tobytes()).hexdigest()[:8]


def _agrees(screen: Screen) -> bool:
    """The live canvas, the server's stamp and the page's caption name one input (or none)."""
    component = screen.component
    server, live = component["server"], component["liveInput"]
    shown = re.findall(r"fingerprint (\w+)", screen.text)
    if component["engine"] != "ready":
        return False
    if server is None:
        return not live and not shown
    return (
        bool(live)
        and fingerprint(unpack(live)) == server["fingerprint"]
        and shown == [server["fingerprint"]]
    )


def _state(screen: Screen) -> tuple:
    component = screen.component
    return (json.dumps(component["server"]), component["liveInput"], screen.text, screen.url)


def settle(page, timeout: float = 20.0, quiet: float = 0.4) -> Screen:
    """Wait until the script has finished, the live canvas, the server's stamp and the page
    agree on one input (or none), and nothing has changed for ``quiet`` seconds (a click's rerun
    may not have started when the previous one's page is read); then read the screen. After
    ``timeout`` seconds, read it as it is (the check then says what disagrees)."""
    from bench.browser import wait_for_app

    deadline = time.monotonic() + timeout
    time.sleep(quiet)
    previous = None
    screen = None
    while time.monotonic() < deadline:
        wait_for_app(page, timeout=timeout * 1000)
        screen = read_screen(page)
        if _agrees(screen) and previous == _state(screen):
            break
        previous = _state(screen)
        time.sleep(quiet)
    return screen


def question_of(screen: Screen) -> dict:
    """The question the URL (the session's state) asks."""
    query = screen.query
    net = query.get("net", "pair")
    pair = query.get("pair", "2Z")
    name = pair if net == "pair" else ALL_EIGHT
    classes = pair_characters(pair) if net == "pair" else EIGHT_CHARACTERS
    why, against = query.get("why", "predicted"), query.get("against", "runner-up")
    return {
        "name": name,
        "kind": query.get("kind", "dense"),
        "mode": query.get("mode", "contrast"),
        "classes": classes,
        "why": classes.index(why) if why in classes else None,
        "against": classes.index(against) if against in classes and net != "pair" else None,
        "net": net,
        "pair": pair,
    }


def _network(name: str, kind: str):
    if (name, kind) not in _NETWORKS:
        _NETWORKS[name, kind] = load_network(name, kind)
    return _NETWORKS[name, kind]


def check_one_truth(screen: Screen, where: str = "") -> None:
    """Everything on the draw page describes one input and one question (see the module)."""
    component, text = screen.component, screen.text
    asked = question_of(screen)
    names = [display_name(c) for c in asked["classes"]]
    expected_title = (
        f"Draw & explain: {pair_title(asked['pair'])}"
        if asked["net"] == "pair"
        else "Draw & explain: any two of 8 characters"
    )
    assert screen.title == expected_title, f"{where}: title {screen.title!r}"
    assert component["engine"] == "ready", f"{where}: engine {component['engine']}"
    server, live = component["server"], component["liveInput"]
    if server is None:
        assert not live, f"{where}: the live canvas explains an input the server does not"
        assert "Prediction:" not in text and "This does not look like" not in text, where
        return
    assert live, f"{where}: the server explains an input the live canvas does not show"
    image = unpack(live)
    assert fingerprint(image) == server["fingerprint"], f"{where}: two inputs on screen"
    shown = re.findall(r"fingerprint (\w+)", text)
    assert shown == [server["fingerprint"]], (
        f"{where}: the caption's input is {shown}, not {server}"
    )
    if component["strokes"]:  # the pen's drawing, or core's rendering of strokes it placed
        _check_canvas_input(component, image, where)
    live_p = np.asarray(component["probabilities"], np.float64)
    error = np.abs(live_p - np.asarray(server["probabilities"])).max()
    assert error <= PROBABILITY_TOLERANCE, f"{where}: probabilities differ by {error:.1e}"
    model = _network(asked["name"], asked["kind"])
    probabilities, _ = predict_and_explain(model, image[None], mode="thesis")
    target, contrast = resolve_indices(
        asked["mode"], asked["why"], asked["against"], probabilities[0]
    )
    if asked["mode"] != "thesis":
        assert (server["target"], server["contrast"]) == (target, contrast), where
        assert component["target"] == str(target), f"{where}: live target"
        assert component["contrast"] == ("null" if contrast is None else str(contrast)), where
    _, core_map = predict_and_explain(
        model,
        image[None],
        mode=asked["mode"],
        target=[target],
        contrast=None if contrast is None else [contrast],
    )
    reference = core_map[0].ravel().astype(np.float64)
    scale = np.abs(reference).max()
    if scale > 0:
        error = np.abs(np.asarray(component["map"], np.float64) - reference).max() / scale
        assert error <= MAP_TOLERANCE, f"{where}: the live map differs from core's by {error:.1e}"
    words = (
        "the whole output"
        if asked["mode"] == "thesis"
        else f"why {names[target]}"
        + (f" and not {names[contrast]}" if contrast is not None else "")
    )
    assert component["caption"].endswith(f"· {words}"), f"{where}: live {component['caption']!r}"
    assert f"The map answers: {words}" in text, f"{where}: the page's question"
    predicted = int(np.argmax(probabilities[0]))
    if server["refused"]:
        assert component["refused"], f"{where}: the server refuses, the live canvas does not"
        assert server["answer"] in text and "Prediction:" not in text, where
    else:
        assert not component["refused"], f"{where}: the live canvas refuses, the server not"
        assert f"Prediction: {names[predicted]} (" in text, f"{where}: headline"
        assert component["caption"].startswith(f"{names[predicted]} "), where


def _check_canvas_input(component: dict, image: np.ndarray, where: str) -> None:
    size = component["size"]
    rgba = np.frombuffer(base64.b64decode(component["canvas"]), np.uint8).reshape(size, size, 4)
    try:
        core = canvas_to_input(rgba)
    except ImageInputError as error:
        message = f"{where}: core refuses the canvas the engine explained: {error}"
        raise AssertionError(message) from None
    assert core is not None, f"{where}: core sees a blank canvas"
    difference = np.abs(core.astype(int) - image.astype(int)).max()
    assert difference <= INPUT_TOLERANCE, f"{where}: live 28x28 differs by {difference}/255"


def answer_in(text: str) -> str | None:
    """The server's headline on the page: "Prediction: 2 (95.0%)" or the refusal."""
    found = re.search(r"(Prediction: \S+ \([\d.]+%\)|This does not look like [^\n]+)", text)
    return found.group(1) if found else None


def links_equal(first: Screen, second: Screen, where: str) -> None:
    """A link opened elsewhere shows the same input, question and answer (a drawing reopens as
    the same strokes, drawn by the server: its numbers may differ a little from the browser's)."""
    a, b = first.component["server"], second.component["server"]
    assert (a is None) == (b is None), f"{where}: one page has an input, the other not"
    assert first.query.get("input") == second.query.get("input"), f"{where}: another input"
    if a is not None and first.query.get("input", "").startswith("strokes:"):
        assert question_of(first) == question_of(second), where
        return
    if a is not None:
        assert a["fingerprint"] == b["fingerprint"], f"{where}: another input"
        assert (a["target"], a["contrast"], a["answer"]) == (
            b["target"],
            b["contrast"],
            b["answer"],
        )
    assert question_of(first) == question_of(second), where
    assert answer_in(first.text) == answer_in(second.text), where


def json_dump(screen: Screen) -> str:
    component = {k: v for k, v in screen.component.items() if k not in ("canvas", "map")}
    return json.dumps({"component": component, "url": screen.url, "title": screen.title})
