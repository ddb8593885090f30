"""What the dashboard says about each explanation mode: its name, one line on it, what its
colours mean, and which class the focus control picks."""

from __future__ import annotations

from app import plots
from core.data.pairs import display_name, pair_characters

MODE_LABELS = {
    "thesis": "Thesis (full output)",
    "target": "Target class",
    "contrast": "Contrast (A and not B)",
}


def mode_label(mode: str, pair: str) -> str:
    """The mode's name where it is chosen, with the pair's own characters."""
    first, second = (display_name(c) for c in pair_characters(pair))
    if mode == "contrast":
        return f"Contrast ({first} and not {second})"
    return MODE_LABELS[mode]


def mode_caption(mode: str, pair: str) -> str:
    """One line saying what the mode explains."""
    first, second = (display_name(c) for c in pair_characters(pair))
    if mode == "thesis":
        return "Both outputs at once, biases included, as in the thesis."
    if mode == "target":
        return "Evidence for one class alone; biases included, so part of the map is shared."
    return f"What makes it {first} rather than {second} (or the reverse); biases cancel."


def focus_options(characters: tuple[str, str]) -> list[str]:
    return ["predicted", *characters]


def resolve_focus(focus: str, characters: tuple[str, str], predicted: int) -> int:
    return predicted if focus == "predicted" else characters.index(focus)


def colour_meaning(mode: str, characters: tuple[str, str], target: int) -> str:
    """One line saying what the two colours of the session's palette mean in this mode."""
    chosen, other = display_name(characters[target]), display_name(characters[1 - target])
    colours = plots.palette()
    positive, negative = colours["for"].capitalize(), colours["against"]
    if mode == "thesis":
        return (
            f"{positive} pixels push the whole output (both probabilities and their biases, as "
            f"in the thesis) up, {negative} pixels push it down."
        )
    if mode == "target":
        return (
            f"{positive} pixels speak for **{chosen}**, {negative} pixels against it (the rule "
            "also subtracts every bias, so part of the map is the same for both classes)."
        )
    return (
        f"{positive} pixels make it **{chosen} rather than {other}**, {negative} pixels make it "
        f"{other} rather than {chosen} (bias terms cancel)."
    )
