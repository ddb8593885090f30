"""When a pair is hard for its network: the test accuracy with its uncertainty, the shape the
network leans on (ink width over height), and its most confident mistakes.

On 0 vs O the shipped Dense network is right on about 69% of the test images: EMNIST's 0 and O
are written alike, and the network sorts them largely by how wide the ink is, more than the
labels do. The pages say so rather than let a class wonder why every round O is called 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HARD_BELOW = 0.85  # a network right on fewer test images than this is called hard on the pages
INK_LEVEL = 128  # a pixel at or above this grey level is ink, for the width and height


def accuracy_interval(correct: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson's interval for a proportion (95% for ``z`` = 1.96)."""
    if total <= 0:
        return 0.0, 1.0
    share = correct / total
    centre = (share + z * z / (2 * total)) / (1 + z * z / total)
    half = (z / (1 + z * z / total)) * math.sqrt(
        share * (1 - share) / total + z * z / (4 * total * total)
    )
    return max(0.0, centre - half), min(1.0, centre + half)


def ink_width_over_height(images: np.ndarray) -> np.ndarray:
    """Each image's ink extent, width over height (0 for a blank image)."""
    ink = np.asarray(images) >= INK_LEVEL
    ratios = np.zeros(len(ink))
    for index, picture in enumerate(ink):
        rows, columns = np.nonzero(picture.any(axis=1))[0], np.nonzero(picture.any(axis=0))[0]
        if rows.size:
            ratios[index] = (columns[-1] - columns[0] + 1) / (rows[-1] - rows[0] + 1)
    return ratios


@dataclass(frozen=True)
class Leaning:
    """One group of test images by ink width over height: how often the network says the
    pair's second character, and how often it truly is."""

    low: float
    high: float
    count: int
    said_second: float
    truly_second: float


def width_leaning(
    images: np.ndarray, labels: np.ndarray, predicted: np.ndarray, groups: int = 4
) -> list[Leaning]:
    """The test images in ``groups`` equal-sized groups from the narrowest ink to the widest."""
    ratios = ink_width_over_height(images)
    order = np.argsort(ratios, kind="stable")
    rows = []
    for part in np.array_split(order, groups):
        if part.size:
            rows.append(
                Leaning(
                    low=float(ratios[part].min()),
                    high=float(ratios[part].max()),
                    count=int(part.size),
                    said_second=float(np.mean(predicted[part] == 1)),
                    truly_second=float(np.mean(labels[part] == 1)),
                )
            )
    return rows


def confident_mistakes(labels: np.ndarray, probabilities: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` misclassified images the network was surest of, surest first."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.nonzero(predicted != labels)[0]
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")[:count]]
