"""ModuleX dashboard: ``streamlit run app/main.py``."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import plots, state
from app.explainers import MODE_LABELS
from core.data.pairs import PAIRS, pair_title

state.load_from_url()
st.set_page_config(
    page_title="ModuleX: why 2 and not Z?",
    page_icon=":material/draw:",
    layout="wide",
    initial_sidebar_state="collapsed" if state.presenter() else "auto",
)

VIEWS = Path(__file__).resolve().parent / "views"
# Presenter view: type 1.3x larger (Streamlit sizes its elements in rem), plots 1.4x (app/plots.py),
# the header hidden and the page using the whole width.
PRESENTER_SCALE = 1.4
PRESENTER_CSS = """<style>
html { font-size: 21px; }
[data-testid="stHeader"] { display: none; }
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; max-width: 100%; }
</style>"""
pages = {
    "Explain": [
        st.Page(
            VIEWS / "draw.py",
            title="Draw & explain",
            icon=":material/draw:",
            url_path="draw",
            default=True,
        ),
        st.Page(
            VIEWS / "compare.py",
            title="Compare pairs",
            icon=":material/compare:",
            url_path="compare",
        ),
    ],
    "Understand the models": [
        st.Page(
            VIEWS / "global_maps.py",
            title="Global maps",
            icon=":material/public:",
            url_path="global-maps",
        ),
        st.Page(
            VIEWS / "mistakes.py",
            title="Mistakes gallery",
            icon=":material/error:",
            url_path="mistakes",
        ),
        st.Page(
            VIEWS / "models.py", title="Models", icon=":material/monitoring:", url_path="models"
        ),
        st.Page(
            VIEWS / "methods.py", title="Methods", icon=":material/balance:", url_path="methods"
        ),
        st.Page(
            VIEWS / "indirect.py",
            title="Indirect explanations",
            icon=":material/hub:",
            url_path="indirect",
        ),
    ],
    "Present": [
        st.Page(
            VIEWS / "tour.py", title="Guided tour", icon=":material/slideshow:", url_path="tour"
        ),
    ],
}
page = st.navigation(pages)

with st.sidebar:
    st.selectbox(
        "Pair",
        PAIRS,
        format_func=pair_title,
        key="pair",
        help="Which look-alike pair the network separates.",
    )
    st.radio("Explanation mode", list(MODE_LABELS), format_func=MODE_LABELS.get, key="mode")
    st.radio(
        "Network",
        list(state.KIND_NAMES),
        format_func=state.KIND_NAMES.get,
        key="kind",
        horizontal=True,
        help="The thesis' Dense network or a small convolutional one, on every page but the tour and the methods report.",
    )
    st.toggle(
        "Presenter view",
        key=state.PRESENTER_KEY,
        help="Large type and plots for a projector; also ?presenter=1 in the URL.",
    )
plots.set_scale_source(lambda: PRESENTER_SCALE if state.presenter() else 1.0)
if state.presenter():
    st.html(PRESENTER_CSS)
state.write_to_url()
page.run()
