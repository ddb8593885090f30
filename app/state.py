"""The session's one truth: the current input, the question and the view, owned here.

- **The question**: which network (a pair's, or the 8-character one: ``net``), its
  architecture (``kind``), the explanation mode, and what to explain (``why``: the prediction or
  a character; ``against``: the runner-up or a character, in contrast mode). Resolved for an
  input by :func:`core.explain.question.resolve`, which the browser repeats.
- **The input**: one :class:`core.inputs.current.CurrentInput` record (see app/inputs.py for
  what puts one there).
- **The view**: the palette and whether maps share one fixed scale per network.

Every page, the live component, the sentence, the titles, the sidebar and the exports read
these; nothing keeps a second copy. All of it is mirrored in the URL (app/link.py), so a copied
link opens the same input, question and view.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from core.data.pairs import ALL_EIGHT, EIGHT_CHARACTERS, PAIRS, display_name, pair_characters
from core.explain.question import MODES, PREDICTED, RUNNER_UP, Question
from core.inputs.current import NOTHING, CurrentInput
from core.insight.palette import DEFAULT_PALETTE, PALETTES
from core.models.networks import KIND_NAMES, KINDS, THESIS_KIND

# Contrast is the default mode: its bias terms cancel, so a confident prediction is not
# explained as "nothing speaks against it" (see README, explanation modes).
DEFAULTS = {
    "pair": PAIRS[0],
    "net": "pair",
    "kind": THESIS_KIND,
    "mode": "contrast",
    "why": PREDICTED,
    "against": RUNNER_UP,
}
NETS = ("pair", ALL_EIGHT)
CHOICES = {
    "pair": PAIRS,
    "net": NETS,
    "kind": KINDS,
    "mode": MODES,
    "why": (PREDICTED, *EIGHT_CHARACTERS),
    "against": (RUNNER_UP, *EIGHT_CHARACTERS),
}
__all__ = ["KIND_NAMES"]  # how each kind of network is named on screen (core.models.networks)
RECORD_KEY = "current_input"
PALETTE_KEY = "palette"  # a key of core.insight.palette.PALETTES
FIXED_SCALE_KEY = "fixed_scale"  # one colour scale per network and mode (map_scales.json)
PRESENTER_KEY = "presenter"
SHARED_SCALE_KEY = "compare_shared_scale"  # Compare pairs: one colour scale for the four maps


# --- the question ---------------------------------------------------------------------------


def choice(name: str) -> str:
    """The session's value of the control ``name`` (a key of CHOICES), its default if none."""
    value = st.session_state.get(name)
    return value if value in CHOICES[name] else DEFAULTS[name]


def pair() -> str:
    return choice("pair")


def mode() -> str:
    return choice("mode")


def kind() -> str:
    """Which architecture: "dense" (the thesis network) or "cnn"."""
    return choice("kind")


def net() -> str:
    """ "pair": the pair's own network; "all8": the 8-character network."""
    return choice("net")


def network_name() -> str:
    """The network the question is asked of: the pair's name, or ``all8``."""
    return pair() if net() == "pair" else ALL_EIGHT


def classes() -> tuple[str, ...]:
    return pair_characters(pair()) if net() == "pair" else EIGHT_CHARACTERS


def names() -> list[str]:
    return [display_name(c) for c in classes()]


def question() -> Question:
    """The question as asked, fitted to the network: a character it does not know is the
    prediction (why) or the runner-up (against); a pair network argues against the other."""
    characters = classes()
    why = choice("why")
    against = choice("against")
    return Question(
        mode(),
        why if why in characters else PREDICTED,
        against if against in characters and net() == ALL_EIGHT else RUNNER_UP,
    )


def network_title() -> str:
    """The network in words: "2 vs Z/z, Dense (thesis)", "8 characters, CNN"."""
    from core.data.pairs import pair_title

    what = pair_title(pair()) if net() == "pair" else "all 8 characters"
    return f"{what}, {KIND_NAMES[kind()]}"


# --- the input --------------------------------------------------------------------------------


def current() -> CurrentInput:
    record = st.session_state.get(RECORD_KEY)
    return record if isinstance(record, CurrentInput) else NOTHING


def replace_input(to_canvas: bool, **fields) -> CurrentInput:
    """Make a new record from ``fields`` (everything else empty) and keep it; ``to_canvas``:
    the server puts it on the canvas (the canvas redraws it)."""
    previous = current()
    record = CurrentInput(
        version=previous.version + 1,
        load=previous.load + (1 if to_canvas else 0),
        **fields,
    )
    st.session_state[RECORD_KEY] = record
    return record


def amend_input(**fields) -> CurrentInput:
    """The same input with some facts changed (not a new input: the canvas keeps it)."""
    record = dataclasses.replace(current(), **fields)
    st.session_state[RECORD_KEY] = record
    return record


def current_input() -> np.ndarray | None:
    """The 28x28 uint8 image of the current input, or None."""
    return current().image


# --- the view ---------------------------------------------------------------------------------


def presenter() -> bool:
    """Presenter view: large type and plots for a projector, no clutter."""
    return bool(st.session_state.get(PRESENTER_KEY, False))


def palette() -> str:
    """The diverging palette of every map (a key of core.insight.palette.PALETTES)."""
    value = st.session_state.get(PALETTE_KEY)
    return value if value in PALETTES else DEFAULT_PALETTE


def fixed_scale() -> bool:
    """Whether maps use one colour scale per network and mode instead of one per map."""
    return bool(st.session_state.get(FIXED_SCALE_KEY, False))


def shared_scale() -> bool:
    """Whether Compare pairs draws its four maps on one colour scale."""
    return bool(st.session_state.get(SHARED_SCALE_KEY, False))
