"""ModuleX dashboard: ``streamlit run app/main.py``."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import link, plots, presenter, state  # app/__init__ quiets TensorFlow first
from app.explainers import mode_caption, mode_label
from app.pages import PAGES
from core.data.pairs import PAIRS, pair_title
from core.models.networks import KIND_NAMES

APP = Path(__file__).resolve().parent

ICON = APP / "static" / "icon.png"  # local: the tab icon shows offline too

link.load_from_url()  # the question, the view and the input a link names
st.set_page_config(
    page_title="ModuleX: why 2 and not Z?",
    page_icon=str(ICON),
    layout="wide",
    initial_sidebar_state="collapsed" if state.presenter() else "auto",
)

pages: dict[str, list] = {}
for entry in PAGES:  # the one table of pages (app/pages.py)
    pages.setdefault(entry.section, []).append(
        st.Page(
            APP / entry.file,
            title=entry.title,
            icon=entry.icon,
            url_path=entry.url_path,
            default=entry is PAGES[0],
        )
    )
page = st.navigation(pages)


def view_controls(where) -> None:
    """Pair, explanation mode and network: in the sidebar, or in presenter view's bar."""
    # kept when a control moves between the sidebar and the bar, or its page is not shown
    # (Streamlit forgets a widget's value then): a choice is always one of its options
    for name in state.DEFAULTS:
        if name in state.CHOICES:
            st.session_state[name] = state.choice(name)
        elif name in st.session_state:
            st.session_state[name] = st.session_state[name]
    # in presenter view's bar: no labels (the values say it), so the bar is one row at 1280 px
    sized = {} if where is st.sidebar else {"width": 180, "label_visibility": "collapsed"}
    where.selectbox(
        "Pair",
        PAIRS,
        format_func=pair_title,
        key="pair",
        help="Which look-alike pair the network separates.",
        **sized,
    )
    # in presenter view's bar, one row of drop-downs, so the canvas and map stay in the first screen
    choose = where.radio if where is st.sidebar else where.selectbox
    extra = (
        {"captions": [mode_caption(m) for m in state.CHOICES["mode"]]}
        if where is st.sidebar
        else {}
    )
    choose(
        "Explanation mode",
        list(state.CHOICES["mode"]),
        format_func=mode_label,
        key="mode",
        help=" ".join(f"{mode_label(m)}. {mode_caption(m)}" for m in state.CHOICES["mode"]),
        **extra,
        **sized,
    )
    choose(
        "Architecture",
        list(KIND_NAMES),
        format_func=KIND_NAMES.get,
        key="kind",
        help="The thesis' Dense network or a small convolutional one, on every page.",
        **({"horizontal": True} if where is st.sidebar else sized),
    )


with st.sidebar:
    if not state.presenter():
        view_controls(st.sidebar)
    st.toggle(
        "Presenter view",
        key=state.PRESENTER_KEY,
        help="Large type and plots for a projector, with its own control bar and keyboard "
        "shortcuts; also ?presenter=1 in the URL.",
    )
    with st.expander("Colours and scale"):
        st.selectbox(
            "Palette",
            list(plots.PALETTES),
            format_func=lambda key: plots.PALETTES[key]["label"],
            key=state.PALETTE_KEY,
            help="Orange–purple stays distinct for red–green colour blindness.",
        )
        st.toggle(
            "Fixed colour scale per network",
            key=state.FIXED_SCALE_KEY,
            help="One symmetric scale per network, mode and class explained, measured on "
            "drawings (half of the varied example drawings fill it), so colours mean the same "
            "from one drawing to the next: a faint map is a weak one, values beyond the scale "
            "saturate.",
        )
plots.set_scale_source(lambda: presenter.SCALE if state.presenter() else 1.0)
plots.set_palette_source(state.palette)
if state.presenter():
    presenter.control_bar(pages, view_controls, page.url_path)
page.run()
link.write_to_url()  # after the page: what it changed (a new input, a question) goes in too
