"""The argument types every command group shares: pairs, network names and kinds as comma
lists checked against their choices, and a JSON printer."""

from __future__ import annotations

import argparse
import json

from core.data.pairs import ALL_EIGHT, MODEL_NAMES, PAIRS
from core.models.networks import KINDS, THESIS_KIND

PAIRS_AND_EIGHT = (*PAIRS, ALL_EIGHT)


def comma_list(value: str, allowed, what: str, every_word: str, every) -> list[str]:
    """``value`` split at commas, each item checked against ``allowed``; ``every_word`` alone
    stands for ``every``."""
    chosen = list(every) if value == every_word else [item.strip() for item in value.split(",")]
    for item in chosen:
        if item not in allowed:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {item!r}; choose from {', '.join(allowed)} or {every_word!r}"
            )
    return chosen


def pairs(value: str, allowed=PAIRS) -> list[str]:
    """Pairs as a comma list, or ``all`` (the four pairs)."""
    return comma_list(value, allowed, "pair", "all", PAIRS)


def pairs_or_eight(value: str) -> list[str]:
    """Pairs and/or ``all8`` as a comma list, or ``all`` (the four pairs)."""
    return pairs(value, PAIRS_AND_EIGHT)


def model_names(value: str) -> list[str]:
    """Like :func:`pairs`, also accepting ``all8`` (the 8-character network) and ``balanced``."""
    return pairs(value, MODEL_NAMES)


def kinds(value: str) -> list[str]:
    """Network kinds as a comma list, or ``both``."""
    return comma_list(value, KINDS, "kind", "both", KINDS)


def names(value: str) -> list[str]:
    """A comma list of free names (methods, metrics), checked by the command."""
    return [item.strip() for item in value.split(",") if item.strip()]


def add_pair_and_kind(command: argparse.ArgumentParser) -> None:
    """--pair (the four pairs by default, or all8) and --kind (the thesis network by default)."""
    command.add_argument(
        "--pair",
        type=pairs_or_eight,
        default=list(PAIRS),
        help="pairs, all8, a comma list, or all (the four pairs)",
    )
    command.add_argument(
        "--kind", type=kinds, default=[THESIS_KIND], help="dense, cnn, a comma list, or both"
    )


def print_json(value) -> None:
    print(json.dumps(value, indent=1))
