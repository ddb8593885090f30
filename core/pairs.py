"""The four look-alike pairs of the thesis, and how their characters are shown."""

from __future__ import annotations

PAIRS: tuple[str, ...] = ("2Z", "5S", "8B", "0O")
"""Pair codes: first character is label 0 of the pair, second is label 1."""

EIGHT_CHARACTERS: tuple[str, ...] = ("0", "2", "5", "8", "B", "O", "S", "Z")


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
