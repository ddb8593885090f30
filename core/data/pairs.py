"""The four look-alike pairs of the thesis, and how their characters are shown."""

from __future__ import annotations

PAIRS: tuple[str, ...] = ("2Z", "5S", "8B", "0O")
"""Pair codes: first character is label 0 of the pair, second is label 1."""

EIGHT_CHARACTERS: tuple[str, ...] = ("0", "2", "5", "8", "B", "O", "S", "Z")

ALL_EIGHT = "all8"
"""Name of the labelled set (and the network) of all eight characters (``pretrained/all8/``)."""
BALANCED = "balanced"
"""Name of the labelled set (and a network) of every EMNIST Balanced class (needs the official
archive; no network for it is shipped)."""
MODEL_NAMES = (*PAIRS, ALL_EIGHT, BALANCED)
"""Every name a labelled set (and so a network) can have."""


def check_model_name(name: str) -> str:
    """Return ``name`` if it names a labelled set (a pair, ``all8`` or ``balanced``), else raise
    ValueError."""
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}")
    return name


def check_pair(pair: str) -> str:
    """Return ``pair`` if it is one of :data:`PAIRS`, else raise a ValueError naming them."""
    if pair not in PAIRS:
        raise ValueError(f"unknown pair {pair!r}; choose one of {', '.join(PAIRS)}")
    return pair


def pair_characters(pair: str) -> tuple[str, str]:
    """The two characters of a pair, label 0 first: ``"2Z"`` -> ``("2", "Z")``."""
    check_pair(pair)
    return pair[0], pair[1]


def display_name(character: str) -> str:
    """How a character is written on screen; case-merged letters show both cases ("O/o")."""
    if character.isalpha():
        return f"{character.upper()}/{character.lower()}"
    return character


def pair_title(pair: str) -> str:
    """Human title of a pair, e.g. ``"2 vs Z/z"``."""
    first, second = pair_characters(pair)
    return f"{display_name(first)} vs {display_name(second)}"


THESIS_RESULTS: dict[str, dict[str, float]] = {
    "8B": {
        "train_accuracy": 0.92,
        "train_loss": 0.09,
        "validation_accuracy": 0.92,
        "validation_loss": 0.15,
        "test_accuracy": 0.94,
        "test_loss": 0.15,
    },
    "2Z": {
        "train_accuracy": 0.87,
        "train_loss": 0.17,
        "validation_accuracy": 0.88,
        "validation_loss": 0.28,
        "test_accuracy": 0.89,
        "test_loss": 0.26,
    },
    "5S": {
        "train_accuracy": 0.86,
        "train_loss": 0.20,
        "validation_accuracy": 0.86,
        "validation_loss": 0.31,
        "test_accuracy": 0.86,
        "test_loss": 0.30,
    },
    "0O": {
        "train_accuracy": 0.69,
        "train_loss": 0.59,
        "validation_accuracy": 0.67,
        "validation_loss": 0.60,
        "test_accuracy": 0.70,
        "test_loss": 0.58,
    },
}
"""The thesis' accuracy table (its own data: 2,400 train and 200 test images per label)."""
