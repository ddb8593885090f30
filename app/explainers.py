"""What the dashboard says about each explanation mode, and the call behind it."""

from __future__ import annotations

import numpy as np

from core.data.pairs import display_name
from core.explain import predict_and_explain

MODE_LABELS = {
    "thesis": "Thesis (full output)",
    "target": "Target class",
    "contrast": "Contrast (A and not B)",
}


def focus_options(characters: tuple[str, str]) -> list[str]:
    return ["predicted", *characters]


def resolve_focus(focus: str, characters: tuple[str, str], predicted: int) -> int:
    return predicted if focus == "predicted" else characters.index(focus)


def colour_meaning(mode: str, characters: tuple[str, str], target: int) -> str:
    """One line saying what red and blue mean in this mode."""
    chosen, other = display_name(characters[target]), display_name(characters[1 - target])
    if mode == "thesis":
        return "Red pixels push the whole output (both probabilities and their biases, as in the thesis) up, blue pixels push it down."
    if mode == "target":
        return f"Red pixels speak for **{chosen}**, blue pixels against it (the rule also subtracts every bias, so part of the map is the same for both classes)."
    return f"Red pixels make it **{chosen} rather than {other}**, blue pixels make it {other} rather than {chosen} (bias terms cancel)."


def explain(model, image: np.ndarray, mode: str, focus: str, characters: tuple[str, str]):
    """Probabilities, the map and the explained class index for one 28x28 image."""
    probabilities, _ = predict_and_explain(model, image[None], mode="thesis")
    target = resolve_focus(focus, characters, int(probabilities[0].argmax()))
    _, maps = predict_and_explain(model, image[None], mode=mode, target=target)
    return probabilities[0], maps[0], target
