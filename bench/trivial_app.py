"""The comparison point for stroke latency: a canvas and one plotly heatmap, nothing else."""

import hashlib

import plotly.graph_objects as go
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
    small = canvas.image_data[::10, ::10, 0].astype(float)
    st.plotly_chart(go.Figure(go.Heatmap(z=small)), key="heatmap")
    st.caption(f"fingerprint {hashlib.sha1(canvas.image_data.tobytes()).hexdigest()[:8]}")
