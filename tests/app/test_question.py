"""The browser's copy of the question resolver (app/static/live/question.js) equals core's
(core/explain/question.py) on every combination of mode, choice and probabilities, ties
included, for a pair network and the 8-character one."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from core.explain.question import MODES, legend_words, resolve_indices
from tests.live_engine_cases import NODE

QUESTION_JS = Path(__file__).resolve().parents[2] / "app" / "static" / "live" / "question.js"


def _run_in_node(script: str):
    """What an ES module script prints as JSON, run by Node."""
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _probability_vectors(n: int) -> list[list[float]]:
    rng = np.random.default_rng(n)
    vectors = [rng.dirichlet(np.ones(n)).tolist() for _ in range(12)]
    vectors.append([1.0 / n] * n)  # every class tied
    tied = [0.0] * n
    tied[n - 1] = tied[n - 2] = 0.5  # the last two tied
    vectors.append(tied)
    vectors.append([1.0] + [0.0] * (n - 1))
    return vectors


def _cases() -> list[dict]:
    cases = []
    for n in (2, 8):
        for probabilities in _probability_vectors(n):
            for mode in MODES:
                for why in (None, *range(n)):
                    for against in (None, *range(n)):
                        cases.append(
                            {"mode": mode, "why": why, "against": against, "p": probabilities}
                        )
    return cases


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
def test_the_browser_resolves_every_question_as_core(tmp_path):
    cases = _cases()
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    script = (
        f"import {{ resolveQuestion }} from {json.dumps(QUESTION_JS.as_uri())};\n"
        "import { readFileSync } from 'node:fs';\n"
        f"const cases = JSON.parse(readFileSync({json.dumps(str(path))}, 'utf8'));\n"
        "console.log(JSON.stringify(cases.map((c) => "
        "resolveQuestion(c.mode, c.why, c.against, c.p))));\n"
    )
    browser = _run_in_node(script)
    assert len(browser) == len(cases) > 1000
    for case, found in zip(cases, browser, strict=True):
        expected = resolve_indices(case["mode"], case["why"], case["against"], case["p"])
        assert (found["target"], found["contrast"]) == expected, case


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
def test_the_live_legend_words_each_question_as_core():
    names = ["2", "Z/z", "5", "S/s"]
    cases = [
        {"mode": mode, "target": target, "contrast": contrast}
        for mode in MODES
        for target in range(len(names))
        for contrast in (None, *range(len(names)))
        if contrast != target
    ]
    script = (
        f"import {{ legendWords }} from {json.dumps(QUESTION_JS.as_uri())};\n"
        f"const cases = {json.dumps(cases)};\n"
        f"console.log(JSON.stringify(cases.map((c) => "
        f"legendWords(c.mode, c.target, c.contrast, {json.dumps(names)}))));\n"
    )
    browser = _run_in_node(script)
    assert len(browser) == len(cases) > 40
    for case, found in zip(cases, browser, strict=True):
        expected = legend_words(case["mode"], case["target"], case["contrast"], names)
        assert tuple(found) == expected, case
