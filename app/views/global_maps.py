"""Global maps: what each network looks at on average, per label (the thesis' k = 400)."""

from __future__ import annotations

import streamlit as st

from app import cache, plots, state
from app.guard import loaded_or_stop, stop_on_project_error
from core.aggregates import DEFAULT_K
from core.data.pairs import display_name, pair_characters, pair_title
from core.models.networks import KIND_NAMES

pair, mode, kind = state.pair(), state.mode(), state.kind()
characters = pair_characters(pair)
names = [display_name(c) for c in characters]
colours = plots.palette()
st.title(f"Global maps: {pair_title(pair)} · {KIND_NAMES[kind]}")
st.caption(
    "The mean ModuleX map of the first k test images of each label, each explained for its "
    "true label by the network chosen in the sidebar, "
    f"and the difference of the two. {colours['for'].capitalize()} speaks for the label, "
    f"{colours['against']} against it."
)

subset = st.radio(
    "Images averaged",
    ["all", "correct"],
    horizontal=True,
    format_func={"all": "first k of each label", "correct": "first k correctly classified"}.get,
    key="global_subset",
)
if cache.dataset_available():
    with stop_on_project_error():
        smallest = int(min((cache.test_set(pair)[1] == label).sum() for label in (0, 1)))
        k = st.slider(
            "k (test images per label)",
            10,
            smallest,
            min(DEFAULT_K, smallest),
            step=10,
            key="global_k",
        )
        shipped = cache.shipped_maps(pair, kind)
        # the shipped maps stand in only for the very dataset they were computed on
        if k == DEFAULT_K and shipped.info.get("dataset") == cache.dataset_id():
            maps, source = shipped, f"shipped with the model (k = {DEFAULT_K})"
        else:
            maps, source = (
                cache.recomputed_maps(pair, k, kind),
                f"recomputed from the test set (k = {k})",
            )
else:
    st.info(
        "The dataset is not on this machine, so these are the maps shipped with the model "
        "(k = 400). Get the data with `python -m core download` to choose k."
    )
    maps = loaded_or_stop(cache.shipped_maps, pair, kind)
    source = f"shipped with the model (k = {maps.k})"

label_maps = maps.get(mode, subset)
difference = label_maps[0] - label_maps[1]
st.plotly_chart(
    plots.maps_figure(
        [label_maps[0], label_maps[1]],
        [f"{names[0]}", f"{names[1]}"],
        height=360,
        limit=cache.map_limit(pair, kind, mode),
    ),
    key="global_labels",
    config={"displayModeBar": False},
)
st.plotly_chart(
    plots.maps_figure(
        [difference],
        [f"{names[0]} minus {names[1]}"],
        height=360,
        limit=cache.map_limit(pair, kind, mode),
    ),
    key="global_difference",
    config={"displayModeBar": False},
)
counts = maps.counts.get(subset, [])
st.caption(
    f"Network: **{KIND_NAMES[kind]}**; maps {source}; mode **{mode}**; images averaged per "
    f"label: {', '.join(f'{n}: {c}' for n, c in zip(names, counts, strict=False))}. "
    f"In the difference, {colours['for']} is where {names[0]} gets more support than {names[1]}."
)
