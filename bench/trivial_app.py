"""The comparison point for stroke latency: a canvas and one plotly heatmap, nothing else."""

import plotly.graph_objects as go
import streamlit as st

from bench.stock_canvas_app import fingerprint_caption, stock_canvas

canvas = stock_canvas()
if canvas.image_data is not None:
    small = canvas.image_data[::10, ::10, 0].astype(float)
    st.plotly_chart(go.Figure(go.Heatmap(z=small)), key="heatmap")
    fingerprint_caption(canvas.image_data)
