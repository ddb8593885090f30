"""Textual explanations: one or two plain sentences naming where the evidence lies.

The 28x28 map is cut into a 3x3 grid (rows and columns 0-8, 9-18, 19-27). Each cell's
importance is summed: a cell whose sum is positive speaks for, one whose sum is negative
speaks against, so no region is ever said to do both. The sentence names the strongest cells
for, as many as hold more than half of the evidence for (at most three), and, if the evidence
against is at least a tenth of the evidence for, the strongest cells against (at most two).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRID_EDGES = (0, 9, 19, 28)
REGION_NAMES = (
    ("top left", "top", "top right"),
    ("left", "centre", "right"),
    ("bottom left", "bottom", "bottom right"),
)
HALF = 0.5  # name cells until they hold more than this share of the evidence
MOST_FOR, MOST_AGAINST = 3, 2
NOTICEABLE = 0.1  # evidence against must reach this share of the evidence for to be named
SMALLEST_CELL = 0.1  # a named cell holds at least this share of its side's evidence


@dataclass(frozen=True)
class Regions:
    """Names of the cells for and against, and the share of each side's evidence they hold."""

    speaking_for: tuple[str, ...]
    share_for: float
    speaking_against: tuple[str, ...]
    share_against: float


def grid_sums(importance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positive and negative (as positive numbers) importance summed over each 3x3 cell."""
    importance = np.asarray(importance, dtype=np.float64)
    positive, negative = np.zeros((3, 3)), np.zeros((3, 3))
    for row in range(3):
        for column in range(3):
            cell = importance[
                GRID_EDGES[row] : GRID_EDGES[row + 1], GRID_EDGES[column] : GRID_EDGES[column + 1]
            ]
            positive[row, column] = cell[cell > 0].sum()
            negative[row, column] = -cell[cell < 0].sum()
    return positive, negative


def _strongest(mass: np.ndarray, most: int) -> tuple[tuple[str, ...], float]:
    total = mass.sum()
    if total <= 0:
        return (), 0.0
    order = np.argsort(-mass, axis=None, kind="stable")
    names: list[str] = []
    held = 0.0
    for flat in order[:most]:
        share = mass.flat[flat] / total
        if names and (held > HALF or share < SMALLEST_CELL):
            break
        names.append(REGION_NAMES[flat // 3][flat % 3])
        held += share
    return tuple(names), float(held)


def regions(importance: np.ndarray) -> Regions:
    """Where the evidence for and against lies, on the 3x3 grid (each cell on one side only:
    the side of its net sum)."""
    positive, negative = grid_sums(importance)
    net = positive - negative
    positive, negative = np.maximum(net, 0.0), np.maximum(-net, 0.0)
    speaking_for, share_for = _strongest(positive, MOST_FOR)
    if negative.sum() < NOTICEABLE * positive.sum() or negative.sum() == 0:
        return Regions(speaking_for, share_for, (), 0.0)
    speaking_against, share_against = _strongest(negative, MOST_AGAINST)
    return Regions(speaking_for, share_for, speaking_against, share_against)


def _listed(names: tuple[str, ...]) -> str:
    parts = [f"the {name}" for name in names]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _phrases(chosen: str, other: str | None, mode: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """(singular, plural) verb phrases for the evidence for and against."""
    if mode == "thesis":
        return ("pushes the network's output up", "push the network's output up"), (
            "pushes it down",
            "push it down",
        )
    if mode == "contrast" and other is not None:
        return (
            f"makes it {chosen} rather than {other}",
            f"make it {chosen} rather than {other}",
        ), (f"points to {other} instead", f"point to {other} instead")
    return (f"speaks for {chosen}", f"speak for {chosen}"), (
        "speaks against it",
        "speak against it",
    )


def describe(
    importance: np.ndarray, chosen: str, other: str | None = None, mode: str = "target"
) -> str:
    """One or two sentences on a map explaining ``chosen`` (against ``other`` in contrast mode).

    For example, "The top and the bottom make it 2 rather than Z (64% of that evidence); the
    centre points to Z instead."
    """
    found = regions(importance)
    (for_one, for_many), (against_one, against_many) = _phrases(chosen, other, mode)
    if not found.speaking_for:
        return (
            "Nothing in the drawing pushes the network's output up."
            if mode == "thesis"
            else f"Nothing in the drawing speaks for {chosen}."
        )
    verb = for_one if len(found.speaking_for) == 1 else for_many
    listed = _listed(found.speaking_for)
    first = f"{listed[0].upper()}{listed[1:]} {verb} ({found.share_for:.0%} of that evidence)"
    if not found.speaking_against:
        return first + "; nothing speaks noticeably against it."
    against = against_one if len(found.speaking_against) == 1 else against_many
    return f"{first}; {_listed(found.speaking_against)} {against}."
