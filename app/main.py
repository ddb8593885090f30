"""ModuleX dashboard: ``streamlit run app/main.py``."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import state  # noqa: E402
from app.explainers import MODE_LABELS  # noqa: E402
from core.pairs import PAIRS, pair_title  # noqa: E402

st.set_page_config(page_title="ModuleX: why 2 and not Z?", page_icon=":material/draw:", layout="wide")
state.load_from_url()

VIEWS = ROOT / "app" / "views"
pages = {
    "Explain": [
        st.Page(VIEWS / "draw.py", title="Draw & explain", icon=":material/draw:", url_path="draw", default=True),
        st.Page(VIEWS / "compare.py", title="Compare pairs", icon=":material/compare:", url_path="compare"),
    ],
    "Understand the models": [
        st.Page(VIEWS / "global_maps.py", title="Global maps", icon=":material/public:", url_path="global-maps"),
        st.Page(VIEWS / "mistakes.py", title="Mistakes gallery", icon=":material/error:", url_path="mistakes"),
        st.Page(VIEWS / "models.py", title="Models", icon=":material/monitoring:", url_path="models"),
    ],
    "Present": [
        st.Page(VIEWS / "tour.py", title="Guided tour", icon=":material/slideshow:", url_path="tour"),
    ],
}
page = st.navigation(pages)

with st.sidebar:
    st.selectbox("Pair", PAIRS, format_func=pair_title, key="pair", help="Which look-alike pair the network separates.")
    st.radio("Explanation mode", list(MODE_LABELS), format_func=MODE_LABELS.get, key="mode")
state.write_to_url()
page.run()
