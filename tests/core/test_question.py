"""The question resolver: what "why ... and not ..." means for every choice and network."""

from __future__ import annotations

import numpy as np
import pytest

from core.explain.question import (
    PREDICTED,
    RUNNER_UP,
    Question,
    resolve,
    resolve_indices,
    runner_up,
)

PAIR = ("2", "Z")
EIGHT = ("0", "2", "5", "8", "B", "O", "S", "Z")


def test_the_prediction_and_the_runner_up_are_the_defaults():
    probabilities = [0.1, 0.6, 0.05, 0.25, 0.0, 0.0, 0.0, 0.0]
    found = resolve(Question("contrast"), EIGHT, probabilities)
    assert (found.target, found.contrast, found.predicted, found.note) == (1, 3, 1, "")
    assert found.words(EIGHT) == "why 2 and not 8"


def test_against_the_class_explained_argues_against_the_runner_up_and_says_so():
    """The bug behind an all-zero live map: "why the prediction, and not 2" with 2 predicted."""
    probabilities = [0.1, 0.6, 0.05, 0.25, 0.0, 0.0, 0.0, 0.0]
    found = resolve(Question("contrast", PREDICTED, "2"), EIGHT, probabilities)
    assert (found.target, found.contrast) == (1, 3)
    assert "runner-up, 8" in found.note


def test_a_pair_argues_against_the_other_class_whatever_it_explains():
    for why, expected in ((PREDICTED, (1, 0)), ("2", (0, 1)), ("Z", (1, 0))):
        found = resolve(Question("contrast", why), PAIR, [0.3, 0.7])
        assert (found.target, found.contrast) == expected


def test_target_and_thesis_modes_have_no_contrast():
    assert resolve(Question("target", "Z", "2"), PAIR, [0.9, 0.1]).contrast is None
    thesis = resolve(Question("thesis", "Z", "2"), PAIR, [0.9, 0.1])
    assert (thesis.target, thesis.contrast) == (0, None)  # the prediction, for the sentence
    assert thesis.words(PAIR) == "the whole output"


def test_ties_go_to_the_first_class_as_numpy_argmax():
    assert resolve_indices("contrast", None, None, [0.25, 0.25, 0.25, 0.25]) == (0, 1)
    assert runner_up([0.4, 0.3, 0.3], 0) == 1
    assert runner_up([0.3, 0.3, 0.4], 2) == 0


def test_a_character_the_network_does_not_know_falls_back_with_a_note():
    found = resolve(Question("contrast", "S", "B"), PAIR, [0.2, 0.8])
    assert (found.target, found.contrast) == (1, 0)
    assert "'S' is not one of this network's characters" in found.note
    assert "'B' is not one of this network's characters" in found.note


def test_probabilities_must_match_the_classes():
    with pytest.raises(ValueError, match="expected 2 probabilities"):
        resolve(Question("target"), PAIR, [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="mode must be one of"):
        Question("gradient")


def test_every_choice_resolves_to_a_valid_question():
    """No choice yields "why A and not A", on any network, for any probabilities."""
    rng = np.random.default_rng(0)
    for classes in (PAIR, EIGHT):
        n = len(classes)
        for _ in range(50):
            probabilities = rng.dirichlet(np.ones(n))
            for why in (None, *range(n)):
                for against in (None, *range(n)):
                    target, contrast = resolve_indices("contrast", why, against, probabilities)
                    assert contrast != target and 0 <= contrast < n
                    assert target == (int(probabilities.argmax()) if why is None else why)
    assert RUNNER_UP == "runner-up"
