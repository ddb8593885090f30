"""What a browser may send as a component's value, checked before Streamlit decodes it.

A component (the live canvas) sends its state as JSON text, a widget state's ``json_value``.
Streamlit parses that text with a bare ``json.loads`` the first time it reads the state
(``unpack_widget_state_value`` in streamlit/runtime/state/common.py), before any code of the
app runs, and keeps the text when that raises: nine characters (``{not json``), an empty value,
trailing junk, nesting 5,000 deep or a 5,000-digit integer then broke every later run of the
session (issue 25). And a value as large as the transport allowed (~21 MB) was decoded and kept
in the session, costing the server ~340 MB.

:func:`install` decodes every component state with :func:`decode` instead: within the budgets
below, and never raising. A state it refuses reads as a small object that says why
(``REFUSED_KEY``), so the session keeps working: the page shows the reason (:func:`refusal`)
and the next valid drawing is explained. A component's event list that fails is emptied before
Streamlit sees it. The transport closes a connection whose message is larger than
``server.maxWidgetStateSize`` (``.streamlit/config.toml``) before any of this runs.
"""

from __future__ import annotations

import json
import threading

REFUSED_KEY = "refused_by_server"
"""The key of the object that replaces a refused value: ``{REFUSED_KEY: "why"}``."""
MAX_VALUE_CHARACTERS = 512 * 1024
"""Largest value decoded: the canvas' largest real one (20,000 points, its limit, with one
decimal each) is ~0.25 MB."""
MAX_DEPTH = 16
"""Deepest nesting of lists and objects (a drawing nests 4 deep)."""
MAX_INTEGER_DIGITS = 20
"""Longest integer accepted: no coordinate, width or level has more than a few digits."""
_installed = threading.Lock()


class _Refused(ValueError):
    """Raised inside decoding; its message says what was wrong."""


def decode(text) -> tuple[object, str | None]:
    """``(value, None)`` for JSON text within the budgets, else ``(None, why)``. Never raises.

    Refused: text that is not JSON (empty, cut, trailing junk), longer than
    ``MAX_VALUE_CHARACTERS``, nested deeper than ``MAX_DEPTH``, with an integer longer than
    ``MAX_INTEGER_DIGITS`` digits, with ``NaN`` or ``Infinity`` (not JSON), or with text that
    cannot be encoded (a lone surrogate such as ``"\\ud800"``)."""
    if not isinstance(text, str):
        return None, "it is not text"
    if len(text) > MAX_VALUE_CHARACTERS:
        return None, (
            f"it is {len(text):,} characters long; at most {MAX_VALUE_CHARACTERS:,} are read"
        )
    try:
        value = json.loads(text, parse_int=_bounded_integer, parse_constant=_no_constant)
        _check_nesting_and_text(value)
    except _Refused as error:
        return None, str(error)
    except RecursionError:
        return None, f"it is nested more than {MAX_DEPTH} deep"
    except (ValueError, TypeError) as error:  # json.JSONDecodeError is a ValueError
        return None, f"it is not valid JSON ({str(error)[:80]})"
    return value, None


def _bounded_integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _Refused(f"it holds a {len(digits.lstrip('-')):,}-digit integer")
    return int(digits)


def _no_constant(name: str):
    raise _Refused(f"it holds {name}, which is not a JSON number")


def _check_nesting_and_text(value) -> None:
    """Refuse nesting deeper than MAX_DEPTH and text that UTF-8 cannot encode (iteratively)."""
    if type(value) is str:
        _encodable(value)
    pending = [(value, 1)] if type(value) is dict or type(value) is list else []
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise _Refused(f"it is nested more than {MAX_DEPTH} deep")
        parts = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        for part in parts:
            if type(part) is str:
                _encodable(part)
            elif type(part) is dict or type(part) is list:
                pending.append((part, depth + 1))


def _encodable(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Refused("it holds text that is not valid Unicode (a lone surrogate)") from None


def refused_value(why: str) -> dict:
    """What a refused state reads as: one key, ``REFUSED_KEY``, saying why."""
    return {REFUSED_KEY: why}


def read_state(widget_state, unpack):
    """What a widget's deserializer receives for ``widget_state``: a JSON state decoded here
    (:func:`decode`; :func:`refused_value` when refused), anything else by Streamlit's own
    ``unpack``."""
    if widget_state.WhichOneof("value") != "json_value":
        return unpack(widget_state)
    value, why = decode(widget_state.json_value)
    return refused_value(why) if why is not None else value


def check_events(widget_states) -> list[str]:
    """Empty every component event list of a ``WidgetStates`` message that :func:`decode`
    refuses (Streamlit decodes those itself, catching only some errors); returns why, one
    reason per emptied list."""
    reasons = []
    for state in widget_states.widgets:
        if state.WhichOneof("value") == "json_trigger_value":
            _, why = decode(state.json_trigger_value)
            if why is not None:
                reasons.append(why)
                state.json_trigger_value = "[]"
    return reasons


def install() -> None:
    """Decode every component state with :func:`read_state` and check every event list with
    :func:`check_events` before Streamlit's session state uses them (once per process; later
    calls do nothing). Streamlit 1.67 reads a state in ``WStates.__getitem__`` through its
    module's ``unpack_widget_state_value``; tests/app/test_component_values.py fails if that
    changes."""
    from streamlit.runtime.state import session_state

    with _installed:
        if getattr(session_state.unpack_widget_state_value, "checks_component_values", False):
            return
        unpack = session_state.unpack_widget_state_value
        set_widgets = session_state.SessionState.set_widgets_from_proto

        def unpack_widget_state_value(widget_state):
            return read_state(widget_state, unpack)

        def set_widgets_from_proto(self, widget_states) -> None:
            check_events(widget_states)
            set_widgets(self, widget_states)

        unpack_widget_state_value.checks_component_values = True
        session_state.unpack_widget_state_value = unpack_widget_state_value
        session_state.SessionState.set_widgets_from_proto = set_widgets_from_proto


def refusal(result) -> str | None:
    """The hint for a component whose last value was refused (:func:`check_widget_states`),
    Markdown-escaped, or None."""
    from app.inputs import as_text

    try:
        why = result[REFUSED_KEY]
    except (KeyError, TypeError, AttributeError, IndexError):
        return None
    if why is None:
        return None
    return as_text(f"The drawing the page sent was refused ({str(why)[:200]}): draw again.")
