"""A real mistake without the dataset: the shipped example drawings of a network's characters
drawn again as people would (turned, stretched, another size and brush; seeded), and the one the
network gets wrong most confidently. The tour shows it when no test image is at hand, so its
"mistake" step never shows the network being right."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VARIANTS = 24  # redrawings per example: enough for a mistake on every shipped network
SEED = 0


@dataclass(frozen=True)
class DrawnMistake:
    image: np.ndarray  # the 28x28 input
    example: str  # the example's name
    true: int  # the class the drawing is (index into the characters)
    said: int  # the class the network says
    probability: float  # the network's probability for ``said``


def surest_drawn_mistake(
    model, characters, variants: int = VARIANTS, seed: int = SEED
) -> DrawnMistake | None:
    """The redrawn example the network misreads with the highest probability, or None if it
    reads every one right. Look-alike examples (marked ambiguous) are left out: either answer
    is defensible for them."""
    from core.explain.modulex import predict_and_explain
    from core.inputs.examples import EXAMPLES, varied
    from core.inputs.preprocess import ImageInputError, canvas_to_input
    from core.inputs.strokes import CANVAS_SIZE, render_pixel_strokes

    rng = np.random.default_rng(seed)
    images, names, truths = [], [], []
    for example in EXAMPLES:
        if example.character not in characters or example.ambiguous:
            continue
        for _ in range(variants):
            try:
                image = canvas_to_input(render_pixel_strokes(varied(example, rng), CANVAS_SIZE))
            except ImageInputError:  # too small to be a character: skipped
                continue
            if image is not None:
                images.append(image)
                names.append(example.name)
                truths.append(list(characters).index(example.character))
    if not images:
        return None
    probabilities, _ = predict_and_explain(model, np.stack(images), mode="thesis")
    said = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(said != np.asarray(truths))
    if not wrong.size:
        return None
    pick = int(wrong[np.argmax(probabilities[wrong, said[wrong]])])
    return DrawnMistake(
        images[pick],
        names[pick],
        truths[pick],
        int(said[pick]),
        float(probabilities[pick, said[pick]]),
    )
