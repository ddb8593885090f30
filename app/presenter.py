"""Presenter view: large type and plots for a projector, and its own control bar.

Presenter view hides Streamlit's header, and with it the button that reopens the sidebar, so
the bar on the page carries what a presenter changes: pair, mode, network, the page, the
current drawing (next example, clear) and the way out. Its buttons have keyboard shortcuts
(Streamlit's own ``shortcut``; the tour's Next and Back have the arrow keys).
"""

from __future__ import annotations

import streamlit as st

from app import inputs, state
from core.data.pairs import pair_characters
from core.inputs.examples import EXAMPLES

SCALE = 1.4  # plots (app/plots.py); type is 1.3x larger through the root font size
CSS = """<style>
html { font-size: 21px; }
[data-testid="stHeader"] { display: none; }
[data-testid="stMainBlockContainer"] {
  padding: 0.75rem 1.5rem 3rem; max-width: 100%;
}
h1 { font-size: 1.6rem !important; padding-top: 0.25rem !important; }
/* phones: the bar in two short rows (the drop-downs side by side, then the buttons), not a
   first screen of controls */
@media (max-width: 640px) {
  html { font-size: 15px; }
  [data-testid="stMainBlockContainer"] { padding: 0.5rem 0.75rem 3rem; }
  .st-key-presenter_bar { gap: 0.35rem !important; }
  .st-key-presenter_bar [data-testid="stHorizontalBlock"] {
    flex-wrap: nowrap !important; gap: 0.3rem !important; width: 100% !important;
  }
  .st-key-presenter_bar [data-testid="stHorizontalBlock"] > div {
    flex: 1 1 0 !important; min-width: 0 !important; width: auto !important;
  }
  .st-key-presenter_bar [data-testid="stSelectbox"] { width: 100% !important; }
  .st-key-presenter_bar [data-testid="stSelectbox"] input { flex: 1 1 auto; min-width: 0; }
  .st-key-presenter_bar [data-testid="stSelectbox"] input + button { flex: 0 0 auto; width: auto; }
  .st-key-presenter_bar > div:not(:first-child) { flex: 1 1 auto !important; }
  .st-key-presenter_bar button {
    width: 100%; padding: 0.25rem 0.4rem !important; min-height: 2.1rem;
  }
  .st-key-presenter_bar kbd { display: none; }
}
</style>"""
NEXT_EXAMPLE_KEY, CLEAR_KEY = "N", "Delete"
EXAMPLE_INDEX = "presenter_example"
PAGES_KEY = "presenter_pages"
SHOWN_PAGE = "presenter_shown_page"


def pair_examples(pair: str) -> list[str]:
    """The example drawings of a pair's two characters, in the strip's order."""
    characters = pair_characters(pair)
    return [example.name for example in EXAMPLES if example.character in characters]


def shown_examples() -> list[str]:
    """The examples the draw page's strip shows for the session's network, in its order."""
    characters = state.classes()
    return [example.name for example in EXAMPLES if example.character in characters]


def next_example() -> None:
    """Load the strip's next example drawing (wrapping round)."""
    names = shown_examples()
    index = (st.session_state.get(EXAMPLE_INDEX, -1) + 1) % len(names)
    st.session_state[EXAMPLE_INDEX] = index
    inputs.load_example(names[index])


def clear() -> None:
    """No input any more, and a blank canvas."""
    inputs.clear()


def leave() -> None:
    st.session_state[state.PRESENTER_KEY] = False


def control_bar(pages: dict, view_controls, current: str = "") -> None:
    """The bar at the top of every page in presenter view (``current``: the page shown)."""
    st.html(CSS)
    with st.container(horizontal=True, vertical_alignment="bottom", key="presenter_bar"):
        view_controls(st.container(horizontal=True, vertical_alignment="bottom", width="content"))
        if st.session_state.get(SHOWN_PAGE) != current:  # a page was chosen: close the menu
            st.session_state[PAGES_KEY] = False
        st.session_state[SHOWN_PAGE] = current
        with st.popover("Pages", icon=":material/menu:", key=PAGES_KEY, on_change=lambda: None):
            for section in pages.values():
                for page in section:
                    st.page_link(page)
        st.button(
            "Next",
            icon=":material/skip_next:",
            on_click=next_example,
            shortcut=NEXT_EXAMPLE_KEY,
            key="presenter_next_example",
            help=f"Draws the next example drawing of the strip (key {NEXT_EXAMPLE_KEY}).",
        )
        st.button(
            "Clear",
            icon=":material/ink_eraser:",
            on_click=clear,
            shortcut=CLEAR_KEY,
            key="presenter_clear",
            help=f"Clears the drawing and the result (key {CLEAR_KEY}).",
        )
        st.button(
            "Exit",
            icon=":material/close_fullscreen:",
            on_click=leave,
            key="presenter_exit",
            help="Leave presenter view.",
        )
