"""State shared by every page: the chosen pair and explanation mode (mirrored in the URL's
query parameters, so a copied link opens the same view) and the current input image."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.data.pairs import PAIRS
from core.explain import MODES
from core.models.networks import KINDS, THESIS_KIND

# Contrast is the default mode: its bias terms cancel, so a confident prediction is not
# explained as "nothing speaks against it" (see README, explanation modes).
DEFAULTS = {"pair": PAIRS[0], "mode": "contrast", "kind": THESIS_KIND}
CHOICES = {"pair": PAIRS, "mode": MODES, "kind": KINDS}
INPUT_KEY = "input_image"
INPUT_SOURCE_KEY = "input_source"
INPUT_DESCRIPTION_KEY = "input_description"  # what the input is, in words ("test image #85, ...")
PALETTE_KEY = "palette"  # a key of app.plots.PALETTES
FIXED_SCALE_KEY = "fixed_scale"  # colour scale fixed per network (from its global maps)


PRESENTER_KEY = "presenter"


PRESENTER_VALUES = {"1": True, "true": True, "on": True, "0": False, "false": False, "off": False}


def load_from_url() -> None:
    """On a session's first run, take pair, mode, network and presenter view from the URL. A
    value that is not one of the choices (compared exactly) falls back to the default, with a
    notice that names the parameter and the valid values (never echoing the value itself)."""
    notices = []
    for name, default in DEFAULTS.items():
        if name not in st.session_state:
            requested = _query_value(name)
            valid = requested in CHOICES[name]
            st.session_state[name] = requested if valid else default
            if requested is not None and not valid:
                notices.append(
                    f"{name} must be one of {', '.join(CHOICES[name])}; showing {default}"
                )
    if PRESENTER_KEY not in st.session_state:
        requested = _query_value(PRESENTER_KEY)
        st.session_state[PRESENTER_KEY] = PRESENTER_VALUES.get(requested, False)
        if requested is not None and requested not in PRESENTER_VALUES:
            notices.append("presenter must be 1 or 0; showing the normal view")
    for notice in notices:
        st.toast(f"Ignored a value in the link: {notice}.", icon=":material/link_off:")


def _query_value(name: str) -> str | None:
    """The URL's value for ``name`` (the last one if repeated), or None; never raises."""
    try:
        values = st.query_params.get_all(name)
    except Exception:  # a malformed query string must not stop the page
        return None
    return str(values[-1]) if values else None


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


def set_input(image: np.ndarray | None, source: str, description: str | None = None) -> None:
    """Make ``image`` the current input (None clears it); ``description`` says what it is."""
    st.session_state[INPUT_KEY] = image
    st.session_state[INPUT_SOURCE_KEY] = source if image is not None else None
    if description is not None or image is None:
        st.session_state[INPUT_DESCRIPTION_KEY] = description


def input_description() -> str | None:
    return st.session_state.get(INPUT_DESCRIPTION_KEY)


def palette() -> str:
    """The diverging palette of every map (see app.plots.PALETTES)."""
    return st.session_state.get(PALETTE_KEY, "red-blue")


def fixed_scale() -> bool:
    """Whether maps use one colour scale per network instead of one per map."""
    return bool(st.session_state.get(FIXED_SCALE_KEY, False))
