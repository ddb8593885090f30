"""The comparison point for pointer-up latency: the stock streamlit-drawable-canvas and one line
of text, nothing else (issue 12). bench/trivial_app.py draws the same canvas and caption."""

import hashlib

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas


def stock_canvas():
    """The stock 280x280 drawing canvas, white strokes on black, returning its pixels."""
    return st_canvas(
        stroke_width=20,
        stroke_color="#FFFFFF",
        background_color="#000000",
        width=280,
        height=280,
        return_image_data=True,
        key="canvas",
    )


def fingerprint_caption(image_data: np.ndarray) -> None:
    """One line of text that changes with the drawing (what the benchmark waits for)."""
    st.caption(f"fingerprint {hashlib.sha1(image_data.tobytes()).hexdigest()[:8]}")


if __name__ == "__main__":  # `streamlit run` runs the script as __main__
    canvas = stock_canvas()
    if canvas.image_data is not None:
        fingerprint_caption(canvas.image_data)
