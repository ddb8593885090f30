"""Mistakes gallery: every misclassified test image, explained and held against the global maps."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import cache, plots, state
from app.download_panel import offer_download
from app.state import KIND_NAMES
from core.data.pairs import display_name, pair_characters, pair_title
from core.errors import ProjectFileError
from core.explain import predict_and_explain

PAGE_SIZE = 24
pair, mode, kind = state.pair(), state.mode(), state.kind()
characters = pair_characters(pair)
names = [display_name(c) for c in characters]
st.title(f"Mistakes gallery: {pair_title(pair)} · {KIND_NAMES[kind]}")

if not cache.dataset_available():
    offer_download("The mistakes gallery")
    st.stop()

try:
    model = cache.model(pair, kind)
    images, labels = cache.test_set(pair)
    probabilities = cache.test_probabilities(pair, kind)
except ProjectFileError as error:
    st.error(str(error))
    st.stop()

predicted = probabilities.argmax(axis=1)
confidence = probabilities.max(axis=1)
wrong = np.flatnonzero(predicted != labels)
st.markdown(
    f"**{len(wrong)} of {len(labels)} test images misclassified** ({len(wrong) / len(labels):.1%}) by the network chosen in the sidebar: **{KIND_NAMES[kind]}**."
)

directions = {
    "all": "both directions",
    "0": f"true {names[0]} → predicted {names[1]}",
    "1": f"true {names[1]} → predicted {names[0]}",
}
filter_columns = st.columns([2, 2, 2])
direction = filter_columns[0].radio(
    "Direction", list(directions), format_func=directions.get, key="mistake_direction"
)
low, high = filter_columns[1].slider(
    "Confidence of the wrong prediction", 0.5, 1.0, (0.5, 1.0), step=0.01, key="mistake_confidence"
)
order = filter_columns[2].radio(
    "Sort by confidence", ["most confident first", "least confident first"], key="mistake_order"
)

chosen = wrong
if direction != "all":
    chosen = chosen[labels[chosen] == int(direction)]
chosen = chosen[(confidence[chosen] >= low) & (confidence[chosen] <= high)]
chosen = chosen[
    np.argsort(
        -confidence[chosen] if order == "most confident first" else confidence[chosen],
        kind="stable",
    )
]
st.caption(
    f"{len(chosen)} mistakes match the filters. Thumbnails explain the (wrong) predicted class in **{mode}** mode with ModuleX on the same network."
)

if len(chosen) == 0:
    st.info("No mistakes match these filters.")
    st.stop()

pages = int(np.ceil(len(chosen) / PAGE_SIZE))
page = st.number_input("Page", 1, pages, 1, key="mistake_page") if pages > 1 else 1
shown = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
_, thumbnails = predict_and_explain(model, images[shown], mode=mode, target=predicted[shown])
titles = [f"#{i}: {names[labels[i]]}→{names[predicted[i]]} {confidence[i]:.0%}" for i in shown]
st.plotly_chart(
    plots.thumbnail_figure(list(images[shown]), list(thumbnails), titles),
    key="mistake_grid",
    config={"displayModeBar": False},
)

st.subheader("One mistake against the global maps")
selected = st.selectbox(
    "Mistake",
    shown,
    format_func=lambda i: (
        f"test image #{i}: true {names[labels[i]]}, predicted {names[predicted[i]]} ({confidence[i]:.1%})"
    ),
    key="mistake_selected",
)
if mode == "thesis":
    local = predict_and_explain(model, images[selected][None], mode="thesis")[1]
    local_maps, local_titles = [local[0]], ["thesis map (full output)"]
else:
    local_maps = [
        predict_and_explain(model, images[selected][None], mode=mode, target=label)[1][0]
        for label in (0, 1)
    ]
    local_titles = [
        f"why {n}" if mode == "target" else f"why {n} and not {names[1 - i]}"
        for i, n in enumerate(names)
    ]
st.plotly_chart(
    plots.maps_figure(
        local_maps, local_titles, height=300, images=[images[selected]] * len(local_maps)
    ),
    key="mistake_local",
    config={"displayModeBar": False},
)
try:
    global_maps = cache.shipped_maps(pair, kind).get(mode, "correct")
    st.plotly_chart(
        plots.maps_figure(
            [global_maps[0], global_maps[1]],
            [f"global map of {n} (correct images)" for n in names],
            height=300,
        ),
        key="mistake_global",
        config={"displayModeBar": False},
    )
    st.caption(
        f"Compare the local maps with the global ones (both of this network): a true {names[labels[selected]]} predicted as {names[predicted[selected]]} "
        f"usually lacks the regions that the global map of {names[labels[selected]]} marks red, or has the ones that mark {names[predicted[selected]]}."
    )
except ProjectFileError as error:
    st.warning(str(error))
