"""The "not one of these" score: hand-computed cases, its parameter files (shipped and damaged),
the generated non-characters, and the shipped networks' verdicts on drawings."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from core.data.pairs import EIGHT_CHARACTERS
from core.errors import ModelFileError
from core.inputs.examples import EXAMPLES, render
from core.inputs.non_characters import KINDS, non_characters
from core.inputs.preprocess import canvas_to_input
from core.inputs.strokes import render_strokes
from core.insight.unlikely import (
    UNLIKELY_FIX,
    Unlikely,
    UnlikelyParameters,
    load_parameters,
    not_one_of_these,
    save_parameters,
    shipped_parameters,
    unlikely_scores,
)
from core.models.networks import SHIPPED, characters_of

NETWORKS = list(SHIPPED)


def _parameters(classes=(0, 1), weight=1.0, threshold=5.0) -> UnlikelyParameters:
    means = np.zeros((len(classes), 10), np.float32)  # ink and aspect 0: a blank image's
    for row, label in enumerate(classes):
        means[row, label] = 10.0
    return UnlikelyParameters(
        np.array(classes, np.int64), means, np.eye(10, dtype=np.float32), weight, threshold, {}
    )


def _blank(n: int) -> np.ndarray:
    return np.zeros((n, 28, 28), np.uint8)


def test_score_at_a_class_mean_is_only_the_probability_outside():
    z = np.zeros((1, 8))
    z[0, 0] = 10.0  # exactly the mean of class 0: distance 0
    expected = math.log(1 + 6 / (math.exp(10) + 1))  # -ln P(class 0 or 1) = -ln((e^10+1)/(e^10+7))
    assert unlikely_scores(z, _blank(1), _parameters())[0] == pytest.approx(expected, rel=1e-9)


def test_score_adds_the_weighted_distance_to_the_nearest_mean():
    z = np.zeros((2, 8))  # 100 from both means; P(class 0 or 1) = 2/8
    z[1, 3] = 10.0  # 200 from both means; P(inside) = 2 / (7 + e^10)
    scores = unlikely_scores(z, _blank(2), _parameters(weight=0.5))
    assert scores[0] == pytest.approx(0.5 * 100 + math.log(4), rel=1e-9)
    assert scores[1] == pytest.approx(0.5 * 200 - math.log(2 / (7 + math.exp(10))), rel=1e-9)


def test_with_all_eight_classes_only_the_distance_counts():
    z = np.random.default_rng(0).normal(0, 3, (5, 8))
    parameters = _parameters(classes=tuple(range(8)), weight=1.0)
    distances = ((z[:, None, :] - parameters.means[None, :, :8]) ** 2).sum(axis=2).min(axis=1)
    np.testing.assert_allclose(unlikely_scores(z, _blank(5), parameters), distances, rtol=1e-9)


def test_image_features_of_a_bar():
    from core.insight.unlikely import image_features

    image = np.zeros((2, 28, 28), np.uint8)
    image[0, 2:26, 10:14] = 255  # a bar 24 tall and 4 wide
    image[1, 5:9, 5:9] = 100  # faint: no pixel above half intensity
    found = image_features(image)
    np.testing.assert_allclose(found[0], [24 * 4 / 784, 4 / 24])
    np.testing.assert_allclose(found[1], [16 * 100 / 255 / 784, 0.0])


def test_the_image_features_enter_the_distance():
    parameters = _parameters(classes=tuple(range(8)))
    image = np.zeros((1, 28, 28), np.uint8)
    image[0, 2:26, 10:14] = 255
    z = np.zeros((1, 8))
    z[0, 0] = 10.0
    expected = (24 * 4 / 784) ** 2 + (4 / 24) ** 2  # only the ink and aspect differ from a mean
    assert unlikely_scores(z, image, parameters)[0] == pytest.approx(expected, rel=1e-6)


def test_a_drawing_thinner_than_the_thinnest_character_is_refused_outright():
    image = np.zeros((2, 28, 28), np.uint8)
    image[0, 2:26, 12:15] = 255  # aspect 3/24
    image[1, 2:26, 6:22] = 255  # aspect 16/24
    z = np.zeros((2, 8))
    z[:, 0] = 10.0
    parameters = UnlikelyParameters(*list(vars(_parameters()).values())[:6], min_aspect=0.3)
    scores = unlikely_scores(z, image, parameters)
    assert np.isinf(scores[0]) and np.isfinite(scores[1])


def test_flagged_only_above_the_threshold():
    assert Unlikely(5.1, 5.0).flagged and not Unlikely(5.0, 5.0).flagged


def test_answer_names_the_characters():
    assert not_one_of_these(("2", "Z")) == "This does not look like 2 or Z/z"
    assert not_one_of_these(EIGHT_CHARACTERS).endswith("S/s or Z/z")


def test_parameters_survive_a_round_trip(tmp_path):
    path = tmp_path / "unlikely.npz"
    original = _parameters(weight=0.25, threshold=3.5)
    save_parameters(UnlikelyParameters(*list(vars(original).values())[:5], {"a": 1}), path)
    loaded = load_parameters(path, n_classes=2)
    np.testing.assert_array_equal(loaded.means, original.means)
    assert (loaded.distance_weight, loaded.threshold, loaded.info) == (0.25, 3.5, {"a": 1})


def test_the_browser_copy_of_the_parameters_holds_the_very_numbers(tmp_path):
    from core.insight.unlikely import browser_parameters

    rng = np.random.default_rng(3)
    original = UnlikelyParameters(
        np.array([1, 7], np.int64),
        rng.normal(size=(2, 10)).astype(np.float32),
        rng.normal(size=(10, 10)).astype(np.float32),
        0.0123,
        4.56,
        {},
        0.33,
    )
    document = json.loads(json.dumps(browser_parameters(original)))
    assert document["classes"] == [1, 7]
    np.testing.assert_array_equal(np.float32(document["means"]), original.means)
    np.testing.assert_array_equal(np.float32(document["precision"]), original.precision)
    for key in ("distance_weight", "threshold", "min_aspect"):
        assert document[key] == float(np.float32(getattr(original, key)))  # what the npz holds


def _arrays(**changes):
    arrays = {
        "classes": np.array([0, 1], np.int64),
        "means": np.zeros((2, 10), np.float32),
        "precision": np.eye(10, dtype=np.float32),
        "distance_weight": np.float32(1),
        "threshold": np.float32(2),
        "min_aspect": np.float32(0.3),
        "info": np.array(json.dumps({})),
    }
    arrays.update(changes)
    return {key: value for key, value in arrays.items() if value is not None}


DAMAGED = {
    "a key missing": (_arrays(threshold=None), "lacks threshold"),
    "an extra key": (_arrays(extra=np.zeros(2)), "unexpected extra"),
    "means of the wrong shape": (_arrays(means=np.zeros((2, 8), np.float32)), "means has shape"),
    "a NaN": (_arrays(precision=np.full((10, 10), np.nan, np.float32)), "non-finite"),
    "an infinite threshold": (_arrays(threshold=np.float32(np.inf)), "non-finite"),
    "classes repeated": (_arrays(classes=np.array([1, 1])), "distinct"),
    "classes out of range": (_arrays(classes=np.array([0, 8])), "distinct"),
    "a negative weight": (_arrays(distance_weight=np.float32(-1)), "negative"),
    "an aspect above 1": (_arrays(min_aspect=np.float32(2)), "min_aspect"),
    "info not JSON": (_arrays(info=np.array("{not json")), "info"),
    "integer means": (_arrays(means=np.zeros((2, 10), np.int64)), "not floats"),
}


@pytest.mark.parametrize("variant", sorted(DAMAGED))
def test_a_damaged_file_is_named_with_its_fix(tmp_path, variant):
    arrays, problem = DAMAGED[variant]
    path = tmp_path / "unlikely.npz"
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError) as caught:
        load_parameters(path, n_classes=2)
    message = str(caught.value)
    assert str(path) in message and problem in message and UNLIKELY_FIX in message


@pytest.mark.parametrize("damage", ["missing", "empty", "truncated", "text", "pickle"])
def test_a_broken_file_is_named_with_its_fix(tmp_path, damage):
    path = tmp_path / "unlikely.npz"
    save_parameters(_parameters(), path)
    if damage == "missing":
        path.unlink()
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "text":
        path.write_text("not a zip")
    else:  # an object array needs pickle, which is never allowed
        np.savez(path, **_arrays(info=np.array([{"a": 1}], dtype=object)))
    with pytest.raises(ModelFileError) as caught:
        load_parameters(path, n_classes=2)
    assert str(path) in str(caught.value) and UNLIKELY_FIX in str(caught.value)


def test_a_pair_file_for_the_eight_characters_is_refused(tmp_path):
    path = tmp_path / "unlikely.npz"
    save_parameters(_parameters(), path)
    with pytest.raises(ModelFileError, match="not 8"):
        load_parameters(path, n_classes=8)


def test_non_characters_are_seeded_and_shaped():
    for kind in KINDS:
        first, again = non_characters(kind, 3, seed=5), non_characters(kind, 3, seed=5)
        assert first.shape == (3, 28, 28) and first.dtype == np.uint8
        np.testing.assert_array_equal(first, again)
        assert (first.reshape(3, -1).max(axis=1) == 255).all()  # drawn and prepared
    assert not np.array_equal(non_characters("line", 3, seed=5), non_characters("line", 3, seed=6))
    with pytest.raises(ValueError, match="unknown kind"):
        non_characters("circle", 1)


# --- the shipped parameter files and networks -------------------------------------------------


@pytest.fixture(scope="module")
def checks():
    from core.insight.unlikely import SOURCE, SOURCE_KIND, UnlikelyCheck
    from core.models.loading import load_pretrained

    source = load_pretrained(SOURCE, SOURCE_KIND)
    return {
        (name, kind): UnlikelyCheck(shipped_parameters(name, kind), source)
        for name, kind in NETWORKS
    }


def test_every_shipped_file_records_its_calibration(checks):
    for (name, kind), check in checks.items():
        info = check.parameters.info
        assert info["characters"] == list(characters_of(name))
        assert info["metrics"]["refused_test"] <= 0.05, (name, kind)
        expected = [EIGHT_CHARACTERS.index(c) for c in characters_of(name)]
        assert check.parameters.classes.tolist() == expected


def test_no_shipped_example_is_refused(checks):
    for (name, kind), check in checks.items():
        for example in EXAMPLES:
            if example.character in characters_of(name):
                verdict = check(canvas_to_input(render(example)))
                assert not verdict.flagged, (name, kind, example.name, verdict)


LINE = [[(0.5, 0.0), (0.5, 1.0)]]
DASH = [[(0.3, 0.5), (0.7, 0.5)]]
SCRIBBLE = [[(0.1, 0.2), (0.9, 0.6), (0.2, 0.9), (0.6, 0.1), (0.8, 0.95), (0.05, 0.5), (0.95, 0.3)]]


@pytest.mark.parametrize("drawing", ["line", "dash", "scribble"])
def test_a_line_a_dash_and_a_scribble_are_not_characters_of_a_pair(checks, drawing):
    strokes = {"line": LINE, "dash": DASH, "scribble": SCRIBBLE}[drawing]
    image = canvas_to_input(render_strokes(strokes))
    for (name, kind), check in checks.items():
        if name != "all8":
            assert check(image).flagged, (name, kind, check(image))


@pytest.mark.parametrize("kind", ["dense", "cnn"])
def test_logits_in_batches_equal_one_forward_pass(kind):
    from core.insight.unlikely import eight_logits
    from core.models.layer_stack import layer_stack
    from core.models.loading import load_pretrained
    from tests.helpers import random_images

    model, images = load_pretrained("all8", kind), random_images(0, 23)
    stack = layer_stack(model)
    whole = stack.forward((images / 255.0).astype(np.float32).reshape(-1, *stack.input_shape))[1]
    batched = eight_logits(model, images, batch_size=5)
    assert batched.shape == (23, 8)
    np.testing.assert_allclose(batched, whole, rtol=1e-4, atol=1e-4 * np.abs(whole).max())


# --- drawn through the canvas path at the slider's brushes and tiny to full sizes ------------


def _drawn(shape: str, side: float, brush: float) -> np.ndarray:
    """``shape``'s first recipe as drawn (upright, centred): ``side`` px, ``brush`` px."""
    from core.inputs.drawn_shapes import place, shape_recipe
    from core.inputs.strokes import render_pixel_strokes

    recipe = shape_recipe(shape, np.random.default_rng(0))
    image = canvas_to_input(render_pixel_strokes(place(recipe, side / 280, brush, None)))
    assert image is not None
    return image


THIN, DEFAULT_BRUSH = 6, 20  # the brush slider's narrowest and its default (canvas.js)
TINY, FULL = 45, 250  # px of the 280 px canvas: about 16% and 90%


@pytest.mark.parametrize(
    "network, shape, side, brush",
    [
        ("2Z", "2", FULL, THIN),  # a thin-brush 2 (it became "Z/z 69%")
        ("2Z", "Z", TINY, THIN),
        ("5S", "S", TINY, THIN),  # a tiny S (refused before)
        ("8B", "8", TINY, THIN),  # a tiny 8
        ("0O", "O", TINY, THIN),  # a tiny O
        ("0O", "O", FULL, THIN),  # a thin-brush O
        ("all8", "S", TINY, THIN),
        ("all8", "2", FULL, THIN),
    ],
)
def test_drawn_characters_at_any_brush_and_size_are_accepted(checks, network, shape, side, brush):
    image = _drawn(shape, side, brush)
    for kind in ("dense", "cnn"):
        verdict = checks[(network, kind)](image)
        assert not verdict.flagged, (network, kind, shape, side, brush, verdict)


@pytest.mark.parametrize(
    "network, shape, side, brush",
    [
        ("2Z", "X", FULL, DEFAULT_BRUSH),  # an X was "Z/z (100%)"
        ("2Z", "X", TINY, THIN),
        ("2Z", "N", FULL, DEFAULT_BRUSH),
        ("5S", "3", FULL, DEFAULT_BRUSH),
        ("8B", "X", FULL, DEFAULT_BRUSH),
        ("0O", "6", FULL, DEFAULT_BRUSH),
        ("all8", "X", FULL, DEFAULT_BRUSH),
        ("all8", "e", FULL, DEFAULT_BRUSH),
    ],
)
def test_drawn_look_alikes_are_refused(checks, network, shape, side, brush):
    image = _drawn(shape, side, brush)
    for kind in ("dense", "cnn"):
        verdict = checks[(network, kind)](image)
        assert verdict.flagged, (network, kind, shape, side, brush, verdict)
