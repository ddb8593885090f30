"""The comparison point for pointer-up latency: the stock streamlit-drawable-canvas and one line
of text, nothing else (issue 12)."""

import hashlib

import streamlit as st
from streamlit_drawable_canvas import st_canvas

canvas = st_canvas(
    stroke_width=20,
    stroke_color="#FFFFFF",
    background_color="#000000",
    width=280,
    height=280,
    return_image_data=True,
    key="canvas",
)
if canvas.image_data is not None:
    st.caption(f"fingerprint {hashlib.sha1(canvas.image_data.tobytes()).hexdigest()[:8]}")
