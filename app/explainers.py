"""What the dashboard says about a question: the modes' names and what the colours mean.

Every page words a map from the resolved question (core.explain.question) and the session's
palette (core.insight.palette), so a caption can never name another class or another colour
than the map beside it shows.
"""

from __future__ import annotations

from core.data.pairs import display_name
from core.explain.question import Resolved
from core.insight.palette import words

MODE_LABELS = {
    "thesis": "Thesis: the whole output",
    "target": "Target: why one class",
    "contrast": "Contrast: why one class and not another",
}
MODE_CAPTIONS = {
    "thesis": "Every output at once, biases included, as in the thesis.",
    "target": "Evidence for one class alone; biases included, so part of the map is shared.",
    "contrast": "What makes it one class rather than another; the biases cancel.",
}


def mode_label(mode: str) -> str:
    """The mode's name where it is chosen (it names no class: the page says which)."""
    return MODE_LABELS[mode]


def mode_caption(mode: str) -> str:
    """One line saying what the mode explains."""
    return MODE_CAPTIONS[mode]


def colour_meaning(resolved: Resolved, classes: tuple[str, ...], palette: str | None) -> str:
    """One line saying what the palette's two colours mean for this question (Markdown)."""
    positive, negative = words(palette)
    positive = positive.capitalize()
    if resolved.mode == "thesis":
        return (
            f"{positive} pixels push the whole output (every probability and its bias, as in "
            f"the thesis) up, {negative} pixels push it down."
        )
    chosen = display_name(classes[resolved.target])
    if resolved.contrast is None:
        return (
            f"{positive} pixels speak for **{chosen}**, {negative} pixels against it (the rule "
            "also subtracts every bias, so part of the map is the same for every class)."
        )
    other = display_name(classes[resolved.contrast])
    return (
        f"{positive} pixels make it **{chosen} rather than {other}**, {negative} pixels make it "
        f"{other} rather than {chosen} (bias terms cancel)."
    )


def plain(markdown: str) -> str:
    """A caption without its Markdown emphasis (for the exports)."""
    return markdown.replace("**", "")


def headline(found, names: list[str]) -> str:
    """The server's answer as a Markdown heading line: the prediction, or the "not one of these"
    verdict (every page words an answer the same way)."""
    probabilities, predicted = found.probabilities, found.predicted
    if found.refused:
        return f"{found.answer}"
    return f"Prediction: **{names[predicted]}** ({probabilities[predicted]:.1%})"


def answer_title(found, names: list[str], network: str) -> str:
    """The exports' title: the network and the server's answer, the verdict when the input is
    refused ("This does not look like 2 or Z/z (its guess: 2 (95.0%))")."""
    probabilities, predicted = found.probabilities, found.predicted
    guess = f"{names[predicted]} ({probabilities[predicted]:.1%})"
    return f"{network}: " + (
        f"{found.answer} (its guess: {guess})" if found.refused else found.answer
    )
