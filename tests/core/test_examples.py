"""The example drawings: every character has some, each renders like a drawing, and the
clear (not ambiguous) ones are read as what they mean by their pair's network."""

from __future__ import annotations

import numpy as np
import pytest

from core.data.pairs import EIGHT_CHARACTERS, PAIRS
from core.inputs.examples import EXAMPLES, by_name, examples_for, render
from core.inputs.preprocess import canvas_to_input
from core.models.loading import load_pretrained
from core.models.prediction import predict

PAIR_OF = {character: pair for pair in PAIRS for character in pair}


def test_every_character_has_examples_and_names_are_unique():
    assert all(examples_for(character) for character in EIGHT_CHARACTERS)
    assert len({example.name for example in EXAMPLES}) == len(EXAMPLES)
    assert any(example.ambiguous for example in EXAMPLES)
    assert by_name("Z").character == "Z"


@pytest.fixture(scope="module")
def pair_models():
    return {pair: load_pretrained(pair) for pair in PAIRS}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_examples_render_like_drawings(example, pair_models):
    canvas = render(example)
    assert canvas.shape == (280, 280, 4)
    image = canvas_to_input(canvas)
    assert image is not None and image.max() == 255
    pair = PAIR_OF[example.character]
    probabilities = predict(pair_models[pair], image[None])[0]
    if not example.ambiguous:
        assert pair[int(np.argmax(probabilities))] == example.character
