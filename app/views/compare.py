"""Compare pairs: the current drawing through all four pair networks side by side."""

from __future__ import annotations

import streamlit as st

from app import cache, plots, state
from app.explainers import colour_meaning, explain
from core.errors import ProjectFileError
from core.pairs import PAIRS, display_name, pair_characters, pair_title
from core.preprocess import ImageInputError, image_file_to_input

mode = state.mode()
st.title("Compare pairs")
st.caption("The same input through the four networks. Each network only knows its own two characters, so each answers a different question.")

upload = st.file_uploader("Upload a picture of one character (or draw one on the Draw & explain page)", type=["png", "jpg", "jpeg"], key="compare_upload")
if upload is not None:
    try:
        state.set_input(image_file_to_input(upload.getvalue()), "upload")
    except ImageInputError as error:
        st.warning(f"{upload.name}: {error}")

image = state.current_input()
if image is None:
    st.info("Nothing to compare yet: draw a character on the Draw & explain page, or upload one above.")
    st.page_link("views/draw.py", label="Go to Draw & explain", icon=":material/draw:")
    st.stop()

maps, titles, rows = [], [], []
for pair in PAIRS:
    characters = pair_characters(pair)
    try:
        probabilities, importance, target = explain(cache.model(pair), image, mode, "predicted", characters)
    except ProjectFileError as error:
        st.error(str(error))
        continue
    predicted = int(probabilities.argmax())
    maps.append(importance)
    titles.append(f"{pair_title(pair)}: {display_name(characters[predicted])} ({probabilities[predicted]:.0%})")
    rows.append({"pair": pair_title(pair), "prediction": display_name(characters[predicted]), "confidence": f"{probabilities[predicted]:.1%}",
                 **{f"P(label {i})": f"{display_name(c)} {p:.1%}" for i, (c, p) in enumerate(zip(characters, probabilities))}})

st.plotly_chart(plots.maps_figure(maps, titles, height=330, shared_scale=False, images=[image] * len(maps)), key="compare_maps", config={"displayModeBar": False})
st.caption(f"Mode: {mode}. Each panel explains its network's predicted class on its own colour scale. " + colour_meaning(mode, ("A", "B"), 0).replace("**A**", "the prediction").replace("**A rather than B**", "the prediction rather than the other character"))
st.dataframe(rows, hide_index=True, width="stretch")
