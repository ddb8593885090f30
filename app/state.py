"""State shared by every page: the chosen pair and explanation mode (mirrored in the URL's
query parameters, so a copied link opens the same view) and the current input image."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.data.pairs import PAIRS
from core.explain import MODES
from core.models.files import KINDS

DEFAULTS = {"pair": PAIRS[0], "mode": "target", "kind": "dense"}
CHOICES = {"pair": PAIRS, "mode": MODES, "kind": KINDS}
KIND_NAMES = {"dense": "Dense (thesis)", "cnn": "CNN"}
"""How each kind of network is named on screen."""
INPUT_KEY = "input_image"
INPUT_SOURCE_KEY = "input_source"


PRESENTER_KEY = "presenter"


def load_from_url() -> None:
    """On a session's first run, take pair, mode and presenter view from the URL (invalid
    values fall back to the defaults)."""
    for name, default in DEFAULTS.items():
        if name not in st.session_state:
            requested = st.query_params.get(name)
            st.session_state[name] = requested if requested in CHOICES[name] else default
    if PRESENTER_KEY not in st.session_state:
        st.session_state[PRESENTER_KEY] = st.query_params.get(PRESENTER_KEY) in ("1", "true", "on")


def write_to_url() -> None:
    for name in DEFAULTS:
        value = st.session_state.get(name, DEFAULTS[name])
        if st.query_params.get(name) != value:
            st.query_params[name] = value
    if presenter():
        st.query_params[PRESENTER_KEY] = "1"
    elif PRESENTER_KEY in st.query_params:
        del st.query_params[PRESENTER_KEY]


def presenter() -> bool:
    """Presenter view: large type and plots for a projector, no clutter."""
    return bool(st.session_state.get(PRESENTER_KEY, False))


def pair() -> str:
    return st.session_state.get("pair", DEFAULTS["pair"])


def mode() -> str:
    return st.session_state.get("mode", DEFAULTS["mode"])


def kind() -> str:
    """Which network: "dense" (the thesis network) or "cnn"."""
    return st.session_state.get("kind", DEFAULTS["kind"])


def current_input() -> np.ndarray | None:
    """The 28x28 uint8 image last drawn, uploaded or picked, or None."""
    return st.session_state.get(INPUT_KEY)


def set_input(image: np.ndarray | None, source: str) -> None:
    st.session_state[INPUT_KEY] = image
    st.session_state[INPUT_SOURCE_KEY] = source if image is not None else None
