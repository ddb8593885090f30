"""``python -m bench levels``: the four levels after a pen lift, in core, one BLAS thread per
call as the dashboard runs them (app/__init__.py).

Per network (2Z Dense, the issue's figures; 2Z CNN; all8 Dense and CNN): stroke values of the
example drawings and of drawings of 4 and 8 strokes (the examples cut into pieces), the flip
search on the examples, concept sensitivities, and training examples for test images (after
the index is built; needs the dataset). Wall time p50 / p95 over the calls and the CPU time
per call (``time.process_time``: the call's own work, whatever else the shared cores run),
with the load average before and after.
"""

from __future__ import annotations

import os
import time

import numpy as np

NETWORKS = (("2Z", "dense"), ("2Z", "cnn"), ("all8", "dense"), ("all8", "cnn"))
TARGETS_MS = {"strokes_8": 50, "flip": 300, "training_examples": 100, "concepts": 16}


def _timed(call, repeats: int) -> dict:
    walls, cpus = [], []
    call()  # warm-up: caches of the frame geometry and the resize matrices
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    walls, cpus = np.array(walls) * 1e3, np.array(cpus) * 1e3
    return {
        "calls": repeats,
        "p50_ms": float(np.percentile(walls, 50)),
        "p95_ms": float(np.percentile(walls, 95)),
        "cpu_median_ms": float(np.median(cpus)),
    }


def run(quick: bool = False) -> dict:
    from threadpoolctl import threadpool_limits

    from core.inputs.examples import EXAMPLES
    from core.inputs.strokes import PixelStroke, unit_to_pixels

    repeats = 3 if quick else 20
    drawings = [
        [PixelStroke(round(e.brush), unit_to_pixels(s)) for s in e.strokes] for e in EXAMPLES
    ]
    if quick:
        drawings = drawings[:3]
    results = {"load_average_before": [round(v, 1) for v in os.getloadavg()], "networks": {}}
    with threadpool_limits(1, user_api="blas"):
        for name, kind in NETWORKS[:1] if quick else NETWORKS:
            results["networks"][f"{name}/{kind}"] = _network_row(name, kind, drawings, repeats)
    results["load_average_after"] = [round(v, 1) for v in os.getloadavg()]
    results["finished"] = time.strftime("%Y-%m-%d %H:%M")
    return results


def _network_row(name: str, kind: str, drawings: list, repeats: int) -> dict:
    from core.data import dataset as data
    from core.data import labelled
    from core.inputs.preprocess import canvas_to_input
    from core.inputs.strokes import render_pixel_strokes
    from core.levels.concepts import concept_sensitivities, read_concepts
    from core.levels.edits import flip_edit, judge_for
    from core.levels.influence import influence_index, training_examples
    from core.levels.strokes import cut, stroke_values
    from core.models.loading import load_network

    network = load_network(name, kind)
    judge = judge_for(name, kind)
    row: dict = {}
    images = [canvas_to_input(render_pixel_strokes(d)) for d in drawings]
    questions = [question_for_image(network, x) for x in images]
    for label, pieces in (("examples", None), ("strokes_4", 4), ("strokes_8", 8)):
        sets = drawings if pieces is None else [cut(d, pieces) for d in drawings[:6]]
        per_drawing = max(1, repeats // len(sets))
        timings = [
            _timed(lambda d=d, q=q: stroke_values(network, d, q), per_drawing)
            for d, q in zip(sets, questions, strict=False)
        ]
        row[label] = _pooled(timings)
        row[label]["strokes"] = sorted({len(d) for d in sets})
    per_drawing = max(1, repeats // len(drawings))
    row["flip"] = _pooled(
        [
            _timed(lambda d=d, q=q: flip_edit(network, d, q, judge), per_drawing)
            for d, q in zip(drawings, questions, strict=True)
        ]
    )
    vectors = read_concepts(name, kind)
    row["concepts"] = _pooled(
        [
            _timed(lambda x=x, q=q: concept_sensitivities(network, x, q, vectors), repeats)
            for x, q in zip(images[:3], questions, strict=False)
        ]
    )
    row["concepts"]["significant"] = len(vectors.names)
    if data.dataset_available():
        started = time.perf_counter()
        index = influence_index(name, kind, network)
        row["influence_index_s"] = time.perf_counter() - started
        row["training_images"] = int(len(index.labels))
        test = labelled.load(name, "test")
        chosen = np.random.default_rng(0).choice(len(test.labels), 10, replace=False)
        row["training_examples"] = _pooled(
            [
                _timed(
                    lambda x=test.images[i]: training_examples(
                        index, x, question_for_image(network, x), 8
                    ),
                    max(1, repeats // 10),
                )
                for i in chosen
            ]
        )
    return row


def question_for_image(network, image):
    """The prediction against the runner-up on ``image`` (uint8 28x28), scored."""
    from core.levels.question import logits_of, scored_question

    return scored_question(logits_of(network, image[None] / 255.0)[0])


def _pooled(timings: list[dict]) -> dict:
    """p50 / p95 over the calls of several inputs (each input's calls weighted alike)."""
    p50 = float(np.median([t["p50_ms"] for t in timings]))
    p95 = float(np.max([t["p95_ms"] for t in timings]))
    return {
        "inputs": len(timings),
        "calls": int(sum(t["calls"] for t in timings)),
        "p50_ms": p50,
        "p95_ms": p95,
        "cpu_median_ms": float(np.median([t["cpu_median_ms"] for t in timings])),
    }
