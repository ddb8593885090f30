"""Indirect explanations: the first layer's templates, the drawing's nearest training images in
the last hidden layer, and a 2-D map of that layer for the pair's test set."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import cache, inputs, plots, state
from app.guard import loaded_or_stop, stop_on_project_error
from core.data.pairs import display_name, pair_characters, pair_title
from core.insight.indirect import (
    NEIGHBOURS,
    TSNE_PER_LABEL,
    embed,
    first_layer_templates,
    nearest,
    place_among_neighbours,
)
from core.insight.palette import words

pair, kind = state.pair(), state.kind()
names = [display_name(c) for c in pair_characters(pair)]
st.title(f"Indirect explanations: {pair_title(pair)}")
st.caption(
    "Not why this drawing got its answer, but what the network has learned: the patterns its "
    "first layer looks for, and how it arranges images in its last hidden layer, the space its "
    "final decision is read from."
)

model = loaded_or_stop(cache.network, pair, kind)
raises, lowers = words(state.palette())
described = inputs.description()  # what the current input is: a drawing, a test image...

templates = first_layer_templates(model)
st.subheader("First layer: what each unit looks for")
st.plotly_chart(
    plots.templates_figure(templates), key="templates", config={"displayModeBar": False}
)
if model.is_dense:
    st.caption(
        f"The {len(templates)} units of the first Dense layer, each drawn as the 28x28 weights it "
        f"puts on the pixels ({raises}: ink there raises the unit, {lowers}: lowers it; each on "
        "its own scale)."
    )
else:
    st.caption(
        f"The {len(templates)} 3x3 filters of the first convolution ({raises}: ink there raises "
        f"the filter's response, {lowers}: lowers it)."
    )

image = state.current_input()
units = model.layers[-1].kernel.shape[0]
st.subheader(f"Last hidden layer ({units} numbers per image)")
if not cache.dataset_available():
    st.info(
        "The nearest training images and the map of the test set need the EMNIST data, which is "
        "not on this machine: get it with `python -m core download` or set EMNIST_DIR."
    )
    st.stop()

with stop_on_project_error():
    train_images, train_labels, train_space = cache.hidden_space(pair, kind, "train")
    test_images, test_labels, test_space = cache.hidden_space(pair, kind, "test")

query = embed(model, image[None])[0] if image is not None else None
if query is None:
    st.info(
        "Draw a character on the Draw & explain page (or pick an example or a test image there) "
        "to see its nearest training images and where it falls on the map."
    )
else:
    indices, distances = nearest(train_space, query, NEIGHBOURS)
    st.markdown(
        f"**The {NEIGHBOURS} training images nearest to the current input** "
        f"({inputs.as_text(described)}; Euclidean distance in the last hidden layer)"
    )
    titles = [
        f"{names[train_labels[i]]} · {d:.2f}" for i, d in zip(indices, distances, strict=True)
    ]
    st.plotly_chart(
        plots.images_figure([image, *train_images[indices]], ["current input", *titles]),
        key="neighbours",
        config={"displayModeBar": False},
    )
    votes = np.bincount(train_labels[indices], minlength=2)
    st.caption(
        "Labels of the nearest images: "
        f"{', '.join(f'{names[label]}: {votes[label]}' for label in range(2))}."
    )

method = st.radio(
    "Map",
    ["pca", "tsne"],
    format_func={
        "pca": "PCA (linear, all test images)",
        "tsne": "t-SNE (non-linear, a sample)",
    }.get,
    horizontal=True,
    key="indirect_map",
)
shown, layout, pca = cache.hidden_layout(pair, kind, method)
if query is None:
    placed = None
elif method == "pca":
    placed = (query - pca["mean"]) @ pca["components"].T
else:
    placed = place_among_neighbours(test_space[shown], layout, query)
st.plotly_chart(
    plots.embedding_figure(layout, test_labels[shown], names, placed),
    key="embedding",
    config={"displayModeBar": False},
)
if method == "pca":
    st.caption(
        "Every test image of the pair projected on the two main directions of the hidden layer "
        f"({pca['explained'][0]:.0%} and {pca['explained'][1]:.0%} of its variance). "
        f"The star is the current input ({inputs.as_text(described)})."
    )
else:
    st.caption(
        f"t-SNE of {len(shown)} test images (at most {TSNE_PER_LABEL} per label, seeded). "
        "t-SNE keeps "
        "neighbours together but distorts distances; it cannot place a new point, so the star sits "
        "among the current input's nearest neighbours in the hidden space."
    )
