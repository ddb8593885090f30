"""Level 1 (your strokes): the fixed frame, the Shapley engine and the stroke values, on
constructed drawings and games with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from core.inputs.examples import EXAMPLES, by_name
from core.inputs.examples import render as render_example
from core.inputs.preprocess import canvas_ink, canvas_to_input, ink_to_input, thin_thick_strokes
from core.inputs.strokes import PixelStroke, render_pixel_strokes, unit_to_pixels
from core.levels import framing
from core.levels import strokes as strokes_module
from core.levels.components import ink_components
from core.levels.question import Question, logits_of
from core.levels.shapley import all_coalitions, exact_from_values, shapley
from core.levels.strokes import StrokeGame, picture_values, stroke_codes, stroke_values
from core.models.layer_stack import Dense, LayerStack, Reshape
from tests.helpers import random_dense_model


def _strokes(example) -> list[PixelStroke]:
    return [PixelStroke(round(example.brush), unit_to_pixels(s)) for s in example.strokes]


def _linear_stack(weights: np.ndarray) -> LayerStack:
    """score = logit 0 - logit 1 = sum of weights * pixels (a two-class linear network)."""
    kernel = np.zeros((784, 2), np.float32)
    kernel[:, 0] = np.asarray(weights, np.float32).reshape(-1)
    return LayerStack((Reshape((784,)), Dense(kernel, np.zeros(2, np.float32), "softmax")), (784,))


def _equal_but_for_ties(framed: np.ndarray, frame: framing.Frame, ink, expected: np.ndarray):
    """``framed`` (the frame's grey levels / 255) is preprocessing's ``expected`` (uint8) but
    where the unrounded level is within float error of a .5 tie (preprocessing computes in
    float32, the frame in float64): there they may differ by one level."""
    ink = framing.erode(np.asarray(ink, np.float64), frame.thinning)
    unrounded = np.clip(frame.small(frame.crop(ink)), 0, None) / frame.peak * 255
    differ = np.round(framed * 255).astype(int) != expected
    near_tie = np.abs(unrounded - np.floor(unrounded) - 0.5) < 1e-3
    assert not (differ & ~near_tie).any()
    assert np.abs(np.round(framed * 255) - expected).max(initial=0) <= 1


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_the_frame_of_a_drawing_renders_it_as_preprocessing_does(example):
    rgba = render_example(example)
    ink = canvas_ink(rgba)
    frame = framing.frame_of(ink)
    _equal_but_for_ties(framing.render(ink, frame), frame, ink, canvas_to_input(rgba))


def test_a_thinned_drawing_is_framed_and_thinned_as_preprocessing_does():
    # a small 2 drawn with a broad brush: preprocessing erodes it before framing
    small = [PixelStroke(30, [(100, 100), (160, 95), (170, 120), (100, 180), (170, 180)])]
    ink = canvas_ink(render_pixel_strokes(small))
    frame = framing.frame_of(ink)
    assert frame.thinning > 0
    expected = ink_to_input(thin_thick_strokes(ink))
    _equal_but_for_ties(framing.render(ink, frame), frame, ink, expected)
    values = stroke_values(_linear_stack(np.ones(784)), small + small, ("contrast", 0, 1))
    assert values.values.sum() == pytest.approx(values.v_all - values.v_none, abs=1e-9)
    assert values.values[0] == values.values[1]


def test_a_coalition_keeps_the_whole_drawings_frame():
    strokes = _strokes(by_name("Z with a bar"))
    game = StrokeGame(stroke_codes(strokes))
    alone = game.inputs(np.array([[False, True]]))[0]  # the bar without the Z
    # the bar stays where it was in the whole drawing (middle rows), not blown up to fill it
    rows = np.flatnonzero(alone.max(axis=1) > 0.5)
    assert rows.min() > 8 and rows.max() < 20
    whole = game.inputs(np.array([[True, True]]))[0]
    ink = canvas_ink(render_example(by_name("Z with a bar")))
    assert np.array_equal(whole, framing.render(ink, game.frame))
    _equal_but_for_ties(
        whole, game.frame, ink, canvas_to_input(render_example(by_name("Z with a bar")))
    )


def test_shapley_of_known_games():
    additive = np.array([0.5, -2.0, 3.25, 0.0])
    found = shapley(lambda s: s.astype(float) @ additive, 4)
    assert np.allclose(found.values, additive) and found.exact

    # player 0 with player 1 or 2 wins: (2/3, 1/6, 1/6)
    def majority(coalitions):
        return (coalitions[:, 0] & (coalitions[:, 1] | coalitions[:, 2])).astype(float)

    assert np.allclose(shapley(majority, 3).values, [2 / 3, 1 / 6, 1 / 6])
    # exact_from_values indexes coalitions by bit mask
    v = np.array([0, 1, 2, 4.0])  # v({0}) = 1, v({1}) = 2, v({0,1}) = 4
    assert np.allclose(exact_from_values(v, 2), [1.5, 2.5])
    assert all_coalitions(2).tolist() == [
        [False, False],
        [True, False],
        [False, True],
        [True, True],
    ]


def test_sampled_shapley_is_efficient_and_near_the_exact_values():
    rng = np.random.default_rng(3)
    weights = rng.normal(size=11)

    def game(coalitions):  # not additive: a product term couples players 0 and 1
        c = coalitions.astype(float)
        return c @ weights + 2.0 * c[:, 0] * c[:, 1] - np.maximum(c.sum(axis=1) - 6, 0)

    exact = exact_from_values(game(all_coalitions(11)), 11)
    sampled = shapley(game, 11, seed=0)
    assert not sampled.exact
    assert sampled.values.sum() == pytest.approx(sampled.v_all - sampled.v_none, abs=1e-9)
    assert np.all(np.abs(sampled.values - exact) <= 5 * sampled.standard_errors + 1e-9)


@pytest.mark.parametrize("name", ["2, round top", "Z with a bar", "8, flat side", "B"])
def test_stroke_values_are_efficient_and_v_all_is_the_drawings_score(name):
    from core.models.layer_stack import layer_stack

    network = layer_stack(random_dense_model(1, hidden=(16, 8)))
    example = by_name(name)
    for question in (("contrast", 0, 1), ("target", 1, None), Question("target", 0, None, "logit")):
        found = stroke_values(network, _strokes(example), question)
        assert found.exact and len(found.values) == len(example.strokes)
        assert found.values.sum() == pytest.approx(found.v_all - found.v_none, abs=1e-9)
        drawing = canvas_to_input(render_example(example))[None] / 255.0
        assert found.v_all == pytest.approx(
            Question.of(question, 2).scores(logits_of(network, drawing))[0], rel=1e-5
        )
        blank = np.zeros((1, 28, 28))
        assert found.v_none == pytest.approx(
            Question.of(question, 2).scores(logits_of(network, blank))[0], rel=1e-5
        )


def test_identical_strokes_get_equal_values_and_a_stroke_off_the_canvas_gets_none():
    zed = _strokes(by_name("Z"))
    off = PixelStroke(10, [(-200.0, -200.0), (-150.0, -150.0)])  # no ink on the canvas
    network = _linear_stack(np.random.default_rng(0).normal(size=784))
    found = stroke_values(network, [zed[0], off, zed[0]], ("contrast", 0, 1), labels=("2", "Z"))
    assert found.score == "logit(2) \u2212 logit(Z)"
    assert found.values[1] == 0.0
    assert found.values[0] == found.values[2]
    assert found.values.sum() == pytest.approx(found.v_all - found.v_none, abs=1e-9)


def test_a_stroke_the_network_does_not_see_is_a_dummy():
    # the network weighs only the left 12 columns; the second stroke lies far to the right
    weights = np.zeros((28, 28))
    weights[:, :12] = np.random.default_rng(1).normal(size=(28, 12))
    left = PixelStroke(20, [(40, 40), (60, 240)])
    right = PixelStroke(20, [(240, 40), (240, 240)])
    found = stroke_values(_linear_stack(weights), [left, right], ("contrast", 0, 1))
    assert found.values[1] == 0.0
    assert found.values[0] == pytest.approx(found.v_all - found.v_none, abs=1e-12)


def test_a_linear_network_gives_each_stroke_its_own_ink():
    # strokes far apart share no input pixel: a linear score is then additive over strokes,
    # and each stroke's value is the score of the stroke alone (in the whole drawing's frame)
    strokes = [PixelStroke(20, [(40, 40), (40, 240)]), PixelStroke(20, [(140, 140), (240, 140)])]
    network = _linear_stack(np.random.default_rng(2).normal(size=784))
    found = stroke_values(network, strokes, ("contrast", 0, 1))
    game = StrokeGame(stroke_codes(strokes))
    alone = Question("contrast", 0, 1).scores(
        logits_of(network, game.inputs(np.array([[True, False], [False, True]])))
    )
    assert np.allclose(found.values, alone, rtol=1e-5)


def test_more_than_ten_strokes_are_sampled_with_standard_errors():
    network = _linear_stack(np.random.default_rng(4).normal(size=784))
    strokes = [PixelStroke(14, [(30 + 20 * i, 40), (30 + 20 * i, 240)]) for i in range(11)]
    found = stroke_values(network, strokes, ("contrast", 0, 1))
    assert not found.exact and (found.standard_errors > 0).any()
    assert found.values.sum() == pytest.approx(found.v_all - found.v_none, abs=1e-9)


def test_ink_components_partition_a_picture_and_their_values_add_up():
    picture = np.zeros((28, 28), np.uint8)
    picture[4:24, 5:8] = 255  # a stem
    picture[4:7, 12:24] = 200  # a separate bar
    picture[3, 5:8] = 40  # faint blur joins the nearest component
    masks = ink_components(picture)
    assert len(masks) == 2
    assert np.array_equal(masks.sum(axis=0), (picture > 0).astype(int))
    network = _linear_stack(np.random.default_rng(5).normal(size=784))
    found = picture_values(network, picture, ("contrast", 0, 1))
    assert found.units == "ink components"
    parts = [
        Question("contrast", 0, 1).scores(logits_of(network, (picture * m)[None] / 255.0))[0]
        for m in masks
    ]
    assert np.allclose(found.values, parts, rtol=1e-5)  # a linear score: additive
    assert found.v_all == pytest.approx(
        Question("contrast", 0, 1).scores(logits_of(network, picture[None] / 255.0))[0], rel=1e-5
    )


def test_question_scores_margins_and_gradients():
    logits = np.array([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0]])
    contrast = Question.of(("contrast", 0, 2), 3)
    assert contrast.scores(logits).tolist() == [1.5, -1.0]
    assert contrast.answers(logits).tolist() == [True, False]
    target = Question("target", 1)
    assert target.margins(logits).tolist() == [-3.0, 2.0]
    assert Question.of(("contrast", 1, None), 2).contrast == 0
    assert Question.of(("thesis", 1, None), 2).mode == "target"
    step = 1e-6
    for question in (contrast, target, Question("target", 2, None, "logit")):
        gradient = question.score_gradient(logits)
        for c in range(3):
            moved = logits.copy()
            moved[:, c] += step
            numeric = (question.scores(moved) - question.scores(logits)) / step
            assert np.allclose(gradient[:, c], numeric, atol=1e-5)
    with pytest.raises(ValueError):
        Question("contrast", 0, None)


def test_every_coalition_is_the_canvas_drawing_of_its_strokes_in_the_whole_frame(monkeypatch):
    # strokes that cross (pixels whose grey level depends on which of them are in) and one
    # that lies on another; every coalition against the canvas' own rendering of its strokes
    stem = PixelStroke(12, [(120.0, 60.0), (130.0, 230.0)])
    strokes = [*_strokes(by_name("8, flat side")), stem]
    game = StrokeGame(stroke_codes(strokes))
    assert game.frame.thinning == 0  # the pieces, not the per-coalition rendering
    coalitions = all_coalitions(len(strokes))
    drawn = [
        canvas_ink(render_pixel_strokes([s for s, on in zip(strokes, row, strict=True) if on]))
        for row in coalitions
    ]
    expected = framing.render(np.array(drawn), game.frame)
    assert np.array_equal(game.inputs(coalitions), expected)
    # the same numbers when every coalition is rendered (many strokes crossing in one place)
    monkeypatch.setattr(strokes_module, "MAX_FEATURES", 0)
    assert np.array_equal(StrokeGame(stroke_codes(strokes)).inputs(coalitions), expected)


def test_a_resolved_question_is_scored_as_the_page_asked_it():
    from core.explain.question import Question as Asked
    from core.explain.question import resolve
    from core.levels.question import scored_question

    classes = ("2", "Z", "5")
    logits = np.array([0.5, 2.0, 1.0])
    probabilities = np.exp(logits) / np.exp(logits).sum()
    contrast = Question.from_resolved(resolve(Asked("contrast"), classes, probabilities))
    assert (contrast.mode, contrast.target, contrast.contrast) == ("contrast", 1, 2)
    chosen = Question.from_resolved(resolve(Asked("contrast", "2", "Z"), classes, probabilities))
    assert (chosen.target, chosen.contrast) == (0, 1)
    thesis = Question.from_resolved(resolve(Asked("thesis"), classes, probabilities), "logit")
    assert (thesis.mode, thesis.target, thesis.contrast) == ("target", 1, None)
    assert thesis.output == "logit"
    assert scored_question(logits) == contrast
    assert scored_question(logits, Asked("target", "5"), classes) == Question("target", 2)
    # every level takes the resolved question as it is
    resolved = resolve(Asked("contrast"), ("2", "Z"), np.array([0.3, 0.7]))
    network = _linear_stack(np.random.default_rng(6).normal(size=784))
    assert stroke_values(network, _strokes(by_name("Z")), resolved).score.startswith("logit(1)")
