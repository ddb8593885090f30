"""Draw & explain: draw a character, see the prediction and, pixel by pixel, why."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from app import cache, plots, state
from app.explainers import colour_meaning, explain, focus_options
from core.errors import ProjectFileError
from core.pairs import display_name, pair_characters, pair_title
from core.preprocess import ImageInputError, canvas_to_input, image_file_to_input
from core.strokes import CANVAS_SIZE, DEFAULT_BRUSH

pair, mode = state.pair(), state.mode()
characters = pair_characters(pair)
names = [display_name(c) for c in characters]

st.title(f"Draw & explain: {pair_title(pair)}")
st.caption("Draw one character in the black square. The network of the chosen pair predicts it, and ModuleX shows which pixels drove the decision.")

try:
    model = cache.model(pair)
except ProjectFileError as error:
    st.error(str(error))
    st.stop()


def _upload_to_input(upload) -> np.ndarray | None:
    if upload is None:
        return None
    try:
        return image_file_to_input(upload.getvalue())
    except ImageInputError as error:
        st.warning(f"{upload.name}: {error}")
        return None


@st.fragment
def draw_and_explain() -> None:
    canvas_column, result_column = st.columns([1, 1.4], gap="medium")
    with canvas_column:
        brush = st.slider("Brush width", 6, 40, DEFAULT_BRUSH, key="brush")
        canvas = st_canvas(
            stroke_width=brush,
            stroke_color="#FFFFFF",
            background_color="#000000",
            width=CANVAS_SIZE,
            height=CANVAS_SIZE,
            drawing_mode="freedraw",
            update_streamlit=True,
            return_image_data=True,
            key="canvas",
        )
        upload = st.file_uploader("...or upload a picture of one character", type=["png", "jpg", "jpeg"], key="upload")

    try:
        drawn = canvas_to_input(canvas.image_data)
    except ImageInputError as error:
        state.set_input(None, "canvas")
        with result_column:
            st.info(f"Not a character yet: {error}.")
        return
    if drawn is not None:
        state.set_input(drawn, "canvas")
    elif upload is not None:
        state.set_input(_upload_to_input(upload), "upload")
    elif canvas.image_data is not None:
        state.set_input(None, "canvas")  # the canvas was cleared: no stale result
    image = state.current_input()

    with result_column:
        if image is None:
            st.info("Draw a character on the canvas (or upload a picture) to see the prediction and its explanation.")
            return
        focus = st.segmented_control("Explain", focus_options(characters), default="predicted", key="focus", format_func=lambda f: "predicted class" if f == "predicted" else display_name(f), disabled=mode == "thesis")
        probabilities, importance, target = explain(model, image, mode, focus or "predicted", characters)
        predicted = int(probabilities.argmax())
        st.markdown(f"### Prediction: **{names[predicted]}** ({probabilities[predicted]:.1%})")
        for name, probability in zip(names, probabilities):
            st.progress(float(probability), text=f"{name}: {probability:.1%}")
        figure = st.session_state.get("explanation_figure")
        if figure is None:
            figure = st.session_state["explanation_figure"] = plots.explanation_figure(image, importance)
        else:
            plots.update_explanation_figure(figure, image, importance)
        st.plotly_chart(figure, key="explanation", config={"displayModeBar": False})
        st.caption(colour_meaning(mode, characters, target))
        st.caption(f"Input: {int((image > 127).sum())} ink pixels of 784 · fingerprint {hashlib.sha1(image.tobytes()).hexdigest()[:8]}")


drawing_column, global_column = st.columns([3, 1], gap="medium")
with drawing_column:
    draw_and_explain()
with global_column:
    st.markdown("**Hold it against the global maps**")
    try:
        maps = cache.shipped_maps(pair)
        global_view = maps.get(mode)
        st.plotly_chart(plots.maps_figure([global_view[0], global_view[1]], [f"global map of {n}" for n in names], height=480, vertical=True), key="global", config={"displayModeBar": False})
        st.caption(f"Mean {mode} map of the first {maps.k} test images of each label, each explained for its true label.")
    except ProjectFileError as error:
        st.warning(str(error))
