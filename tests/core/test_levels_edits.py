"""Level 2 (the edit that flips it): the grammar, the search, the judge, the traced strokes
of pictures and the pixel-space baseline."""

from __future__ import annotations

import numpy as np
import pytest

from core.inputs.examples import by_name
from core.inputs.preprocess import canvas_ink, canvas_to_input
from core.inputs.strokes import (
    PixelStroke,
    parse_strokes,
    render_pixel_strokes,
    strokes_payload,
    unit_to_pixels,
)
from core.levels import ink
from core.levels.counterfactual import pixel_counterfactual
from core.levels.edits import FLIP_MARGIN, candidates, describe, flip_edit, judge_for
from core.levels.question import Question, logits_of
from core.levels.vectorise import skeleton, trace
from core.models.layer_stack import Dense, LayerStack, Reshape
from core.models.loading import load_network


def _strokes(name: str) -> list[PixelStroke]:
    example = by_name(name)
    return [PixelStroke(round(example.brush), unit_to_pixels(s)) for s in example.strokes]


def test_a_sets_ink_is_what_the_canvas_draws():
    rng = np.random.default_rng(0)
    for _ in range(30):
        strokes = []
        for _ in range(rng.integers(1, 4)):
            points = [tuple(p) for p in rng.uniform(-20, 300, (rng.integers(1, 12), 2)).round(1)]
            strokes.append(PixelStroke(float(rng.integers(1, 60)), points))
        drawn = ink.ink([ink.stroke_ink(stroke) for stroke in strokes])
        assert np.array_equal(drawn, canvas_ink(render_pixel_strokes(strokes)))


def test_segments_are_named_as_a_student_would():
    assert [s.name for s in describe(_strokes("Z")).segments] == [
        "top bar",
        "diagonal",
        "bottom bar",
    ]
    assert "middle bar" in [s.name for s in describe(_strokes("Z with a bar")).segments]
    ring = [s.name for s in describe(_strokes("0, round")).segments]
    assert len(ring) == 4 and all(name.endswith("of the loop") for name in ring)
    assert any(s.curved for s in describe(_strokes("2, round top")).segments)


def test_the_grammar_offers_every_kind_of_edit():
    kinds = {c.kind for c in candidates(describe(_strokes("Z with a bar")))}
    assert kinds >= {"move an end", "extend", "shorten", "bend", "remove a stroke", "add a stroke"}
    assert "straighten" in {c.kind for c in candidates(describe(_strokes("2, round top")))}
    # a C whose ends are near each other: closing the gap is on offer
    c_shape = [PixelStroke(20, unit_to_pixels([(0.75, 0.1), (0.2, 0.2), (0.2, 0.8), (0.75, 0.9)]))]
    assert "close a gap" in {c.kind for c in candidates(describe(c_shape))}
    # every edited stroke is at the browser's 0.1 px precision, so Apply is exact
    for candidate in candidates(describe(_strokes("S"))):
        for index in candidate.changed:
            points = candidate.strokes[index].points
            assert all(round(v, 1) == v for point in points for v in point)


@pytest.mark.parametrize("name", ["2, angular top", "Z, curly top", "5", "B"])
def test_the_edit_flips_the_answer_through_the_real_pipeline_and_the_judge_accepts_it(name):
    pair = {"2": "2Z", "Z": "2Z", "5": "5S", "B": "8B"}[by_name(name).character]
    network, judge = load_network(pair), judge_for(pair)
    question = Question("contrast", 0, 1)
    strokes = parse_strokes(strokes_payload(_strokes(name)))  # as the page holds them
    found = flip_edit(network, strokes, question, judge)
    assert found.found and found.judge_accepts
    before = canvas_to_input(render_pixel_strokes(strokes))
    applied = parse_strokes(strokes_payload(found.strokes))  # what the page's Apply sends back
    after = canvas_to_input(render_pixel_strokes(applied))
    assert np.array_equal(after, found.image)
    margins = question.margins(logits_of(network, np.stack([before, after]) / 255.0))
    assert np.sign(margins[0]) != np.sign(margins[1]) and abs(margins[1]) > FLIP_MARGIN / 2
    assert not judge(after[None])[0][0] > judge.parameters.threshold
    old = canvas_ink(render_pixel_strokes(strokes))
    new = canvas_ink(render_pixel_strokes(applied))
    assert found.size == pytest.approx(np.abs(new - old).sum() / old.sum())
    assert found.name and found.kind and found.steps


def test_a_judge_that_refuses_everything_leaves_no_edit():
    network = load_network("2Z")

    def refuse(images):
        return np.full(len(images), 99.0), np.zeros(len(images), bool)

    found = flip_edit(network, _strokes("2, angular top"), ("contrast", 0, 1), refuse)
    assert not found.found and found.refused == found.flipping > 0


def test_an_answer_nothing_can_flip_is_reported_as_the_closest_edit():
    # a network whose answer does not depend on the input: no edit flips it
    kernel = np.zeros((784, 2), np.float32)
    stack = LayerStack(
        (Reshape((784,)), Dense(kernel, np.array([1.0, 0.0], np.float32), "softmax")), (784,)
    )
    found = flip_edit(stack, _strokes("Z"), ("contrast", 0, 1))
    assert not found.found and found.flipping == 0 and found.margin_after == 1.0


def test_tracing_a_picture_gives_its_strokes():
    zed = canvas_to_input(render_pixel_strokes(_strokes("Z")))
    traced = trace(zed)
    assert len(traced) == 1
    back = canvas_to_input(render_pixel_strokes(traced)).astype(float)
    assert np.corrcoef(back.ravel(), zed.astype(float).ravel())[0, 1] > 0.8
    two_bars = np.zeros((28, 28), np.uint8)
    two_bars[5:8, 4:24] = 255
    two_bars[18:21, 4:24] = 255
    assert len(trace(two_bars)) == 2
    ring = canvas_to_input(render_pixel_strokes(_strokes("0, round")))
    (loop,) = trace(ring)
    assert np.hypot(*np.subtract(loop.points[0], loop.points[-1])) < 15  # closed
    thick = np.zeros((20, 30), bool)
    thick[8:13, 3:27] = True
    thin = skeleton(thick)
    assert thin.sum(axis=0)[6:24].max() == 1 and thin.any()


def test_the_pixel_counterfactual_flips_a_linear_network_by_its_strongest_pixels():
    weights = np.zeros(784, np.float32)
    weights[[100, 200, 300]] = [3.0, -1.0, 0.5]
    kernel = np.zeros((784, 2), np.float32)
    kernel[:, 0] = weights
    stack = LayerStack(
        (Reshape((784,)), Dense(kernel, np.array([0.0, 1.0], np.float32), "softmax")), (784,)
    )
    image = np.zeros((28, 28), np.float32)  # margin = 3 x[100] - x[200] + 0.5 x[300] - 1 < 0
    found = pixel_counterfactual(stack, image, ("contrast", 0, 1))
    assert found.found and found.margin_before == pytest.approx(-1.0)
    changed = np.flatnonzero(np.abs(found.image.ravel() - image.ravel()) > 0)
    assert changed.tolist() == [100]  # the pixel with the largest weight does it alone


def test_a_picture_is_traced_before_its_edit_is_searched():
    from core.levels.pictures import traced_flip_edit

    network = load_network("2Z")
    picture = canvas_to_input(render_pixel_strokes(_strokes("2, angular top")))
    strokes, found = traced_flip_edit(network, picture, ("contrast", 0, 1))
    traced = canvas_to_input(render_pixel_strokes(strokes))
    margin = Question("contrast", 0, 1).margins(logits_of(network, traced[None] / 255.0))[0]
    assert found.margin_before == pytest.approx(margin, abs=1e-4)
    assert all(index >= 0 for index in found.changed)
