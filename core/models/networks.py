"""The networks, named in one place: the kinds of network, how each kind is called on screen,
the folder (and report key) of a network, the characters it tells apart and how many.

A network is a *name* (a pair such as ``"2Z"``, ``"all8"`` for the eight characters, or
``"balanced"``; :data:`core.data.pairs.MODEL_NAMES`) and a *kind*. The thesis' Dense network
is the first kind: its folder is the bare name (``pretrained/2Z/``), every other kind's is
``<name>-<kind>`` (``pretrained/2Z-cnn/``). Adding a kind: a row in :data:`KIND_NAMES`, its
builder in :data:`core.models.builders.BUILDERS` (see docs/architecture.md).
"""

from __future__ import annotations

from core.data.pairs import ALL_EIGHT, EIGHT_CHARACTERS, PAIRS, check_model_name, pair_characters

KIND_NAMES = {"dense": "Dense (thesis)", "cnn": "CNN"}
"""Every kind of network, as it is named on screen; the first is the thesis network."""
KINDS: tuple[str, ...] = tuple(KIND_NAMES)
THESIS_KIND = KINDS[0]

SHIPPED: tuple[tuple[str, str], ...] = tuple(
    (name, kind) for name in (*PAIRS, ALL_EIGHT) for kind in KINDS
)
"""Every network in ``pretrained/``: each pair's and the 8-character one, of every kind."""


def check_kind(kind: str) -> str:
    """Return ``kind`` if it is one of :data:`KINDS`, else raise a ValueError naming them."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return kind


def network_key(name: str, kind: str = THESIS_KIND) -> str:
    """A network's folder in ``pretrained/`` and its key in reports: ``"2Z"``, ``"2Z-cnn"``."""
    check_kind(kind)
    return name if kind == THESIS_KIND else f"{name}-{kind}"


def split_network_key(key: str) -> tuple[str, str]:
    """The inverse of :func:`network_key`: ``"all8-cnn"`` -> ``("all8", "cnn")``, ``"2Z"`` ->
    ``("2Z", "dense")``."""
    for kind in KINDS[1:]:
        if key.endswith(f"-{kind}"):
            return key[: -len(kind) - 1], kind
    return key, THESIS_KIND


def characters_of(name: str) -> tuple[str, ...]:
    """The characters network ``name`` tells apart, label 0 first (``"all8"``: all eight).

    ``"balanced"`` has no fixed list here (its classes come from the official archive)."""
    check_model_name(name)
    if name == ALL_EIGHT:
        return EIGHT_CHARACTERS
    if name in PAIRS:
        return pair_characters(name)
    raise ValueError(f"the characters of {name!r} come from the official archive it is read from")


def expected_classes(name: str) -> int | None:
    """How many classes network ``name`` tells apart (None for ``balanced``, whose count varies)."""
    check_model_name(name)
    return len(characters_of(name)) if name in (*PAIRS, ALL_EIGHT) else None
