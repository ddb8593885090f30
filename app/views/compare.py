"""Compare pairs: the current drawing through all four pair networks side by side."""

from __future__ import annotations

import streamlit as st

from app import cache, plots, state
from app.explainers import colour_meaning
from app.inputs import as_text
from core.data.pairs import PAIRS, display_name, pair_characters, pair_title
from core.errors import ProjectFileError
from core.inputs.preprocess import ImageInputError, image_file_to_input
from core.insight.drawing import explain_drawing

mode, kind = state.mode(), state.kind()
st.title("Compare pairs")
st.caption(
    "The same input through the four networks. Each network only knows its own two characters, so each answers a different question."
)

upload = st.file_uploader(
    "Upload a picture of one character (or draw one on the Draw & explain page)",
    type=["png", "jpg", "jpeg", "gif", "bmp", "webp"],
    key="compare_upload",
)
if upload is not None:
    try:
        state.set_input(image_file_to_input(upload.getvalue()), "upload")
    except ImageInputError as error:
        st.warning(as_text(f"{upload.name}: {error}"))

image = state.current_input()
if image is None:
    st.info(
        "Nothing to compare yet: draw a character on the Draw & explain page, or upload one above."
    )
    st.page_link("views/draw.py", label="Go to Draw & explain", icon=":material/draw:")
    st.stop()

maps, titles, rows, sentences = [], [], [], []
for pair in PAIRS:
    characters = pair_characters(pair)
    try:
        try:
            global_maps = cache.shipped_maps(pair, kind)
        except ProjectFileError:
            global_maps = None  # the confidence then rests on stability alone
        try:
            check = cache.unlikely_check(pair, kind)
        except ProjectFileError as error:
            check = None
            st.warning(f"No \u201cnot one of these\u201d check for {pair_title(pair)}: {error}")
        found = explain_drawing(
            cache.model(pair, kind), image, mode, characters, maps=global_maps, unlikely_check=check
        )
    except (ProjectFileError, ValueError) as error:
        st.error(str(error))
        continue
    probabilities, predicted = found.probabilities, found.predicted
    maps.append(found.importance)
    guess = f"{display_name(characters[predicted])} ({probabilities[predicted]:.0%})"
    titles.append(
        f"{pair_title(pair)}: "
        + (f"neither (guess {guess})" if found.refused else guess)
        + f" · confidence {found.confidence:.2f}"
    )
    sentences.append(f"**{pair_title(pair)}**: {found.sentence}")
    rows.append(
        {
            "pair": pair_title(pair),
            "prediction": "neither" if found.refused else display_name(characters[predicted]),
            "confidence": f"{probabilities[predicted]:.1%}",
            **{
                f"P(label {i})": f"{display_name(c)} {p:.1%}"
                for i, (c, p) in enumerate(zip(characters, probabilities))
            },
            "explanation confidence": round(found.confidence, 2),
        }
    )

st.plotly_chart(
    plots.maps_figure(maps, titles, height=330, shared_scale=False, images=[image] * len(maps)),
    key="compare_maps",
    config={"displayModeBar": False},
)
st.caption(
    f"Mode: {mode}; network: {'CNN' if kind == 'cnn' else 'Dense (thesis)'}. Each panel explains its network's predicted class on its own colour scale, "
    "with its explanation confidence (0-1: stability under small moves and noise, and agreement with the global map). "
    + colour_meaning(mode, ("A", "B"), 0)
    .replace("**A**", "the prediction")
    .replace("**A rather than B**", "the prediction rather than the other character")
)
st.markdown("\n\n".join(sentences))
st.dataframe(rows, hide_index=True, width="stretch")
