"""The session's state in the URL: a copied link reopens the same input, question and view.

Read once, on a session's first run; written after every run that changed something. A value
that is not valid (a tampered or truncated link, an old version) is ignored with a notice naming
the parameter and what it should be, never echoing the value, and the default is shown.
"""

from __future__ import annotations

import streamlit as st

from app import inputs, state
from core.inputs.link import LinkError, decode

PRESENTER_VALUES = {"1": True, "true": True, "on": True, "0": False, "false": False, "off": False}
SCALES = {"own": False, "fixed": True}
SCALE_PARAM = "scale"  # the URL's name for the session's fixed-scale switch
SHARED_PARAM = "shared"  # ...and for Compare pairs' one scale for the four maps
SHARED_VALUES = {"1": True, "0": False}
READ_KEY = "link_read"


def load_from_url() -> None:
    """On a session's first run, take the question, the view and the input from the URL."""
    if st.session_state.get(READ_KEY):
        return
    st.session_state[READ_KEY] = True
    notices = []
    for name, default in state.DEFAULTS.items():
        requested = _query_value(name)
        if name in st.session_state and requested is None:
            continue
        valid = requested in state.CHOICES[name]
        st.session_state[name] = requested if valid else st.session_state.get(name, default)
        if requested is not None and not valid:
            notices.append(f"{name} must be one of {', '.join(state.CHOICES[name])}")
    _flag(state.PRESENTER_KEY, PRESENTER_VALUES, "presenter must be 1 or 0", notices)
    _flag(state.FIXED_SCALE_KEY, SCALES, "scale must be own or fixed", notices, SCALE_PARAM)
    _flag(state.SHARED_SCALE_KEY, SHARED_VALUES, "shared must be 1 or 0", notices, SHARED_PARAM)
    palette = _query_value(state.PALETTE_KEY)
    if palette is not None:
        from core.insight.palette import PALETTES

        if palette in PALETTES:
            st.session_state[state.PALETTE_KEY] = palette
        else:
            notices.append(f"palette must be one of {', '.join(PALETTES)}")
    text = _query_value("input")
    if text is not None:
        problem = _open_input(text, _query_value("image"))
        if problem:
            notices.append(problem)
    for notice in notices:
        st.toast(f"Ignored a value in the link: {notice}.", icon=":material/link_off:")


def _flag(key: str, values: dict, message: str, notices: list, param: str = "") -> None:
    requested = _query_value(param or key)
    if requested is None:
        st.session_state.setdefault(key, False)
        return
    if requested in values:
        st.session_state[key] = values[requested]
    else:
        st.session_state.setdefault(key, False)
        notices.append(message)


def _open_input(text: str, image_text: str | None) -> str | None:
    """Put the linked input on the canvas; a problem in words, or None."""
    from core.data.pairs import ALL_EIGHT, PAIRS
    from core.inputs.examples import EXAMPLES

    try:
        linked = decode(text, (*PAIRS, ALL_EIGHT), {e.name for e in EXAMPLES})
    except LinkError as error:
        return f"input could not be read ({error}), so the canvas starts empty"
    return inputs.open_linked(linked, image_text)


def _query_value(name: str) -> str | None:
    """The URL's value for ``name`` (the last one if repeated), or None; never raises."""
    try:
        values = st.query_params.get_all(name)
    except Exception:  # a malformed query string must not stop the page
        return None
    return str(values[-1]) if values else None


def wanted() -> dict[str, str]:
    """Every parameter the URL should carry now (defaults left out, so links stay short)."""
    chosen = {  # through the accessors: a widget cleared for a moment is never "None"
        "pair": state.pair(),
        "net": state.net(),
        "kind": state.kind(),
        "mode": state.mode(),
        "why": state.question().why,
        "against": state.question().against,
    }
    params = {
        name: value
        for name, value in chosen.items()
        if name in ("pair", "mode", "kind") or value != state.DEFAULTS[name]
    }
    if state.presenter():
        params[state.PRESENTER_KEY] = "1"
    if state.palette() != "red-blue":
        params[state.PALETTE_KEY] = state.palette()
    if state.fixed_scale():
        params[SCALE_PARAM] = "fixed"
    if state.shared_scale():
        params[SHARED_PARAM] = "1"
    record = state.current()
    if record.link:
        params["input"] = record.link
        if record.image is not None and record.source == "test":
            # the test image's pixels too: the link opens where the test set is not
            from core.inputs.link import pack_picture

            params["image"] = pack_picture(record.image)
    return params


OWNED = (
    *state.DEFAULTS,
    state.PRESENTER_KEY,
    state.PALETTE_KEY,
    SCALE_PARAM,  # the URL's names (a value the link refused is dropped from it)
    SHARED_PARAM,
    "input",
    "image",
)


def write_to_url() -> None:
    """Set the URL's parameters to the session's state (only those that changed)."""
    params = wanted()
    for name in OWNED:
        value = params.get(name)
        try:
            current = st.query_params.get(name)
        except Exception:
            current = None
        if value is None and name in st.query_params:
            del st.query_params[name]
        elif value is not None and current != value:
            st.query_params[name] = value
