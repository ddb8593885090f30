"""Mistakes gallery: browse the test set by true class, predicted class, correctness and
confidence (like Captum Insights); open any image on Draw & explain; hold one against the
global maps.

Every test image's prediction and ModuleX thumbnail are computed once per network
(app/cache.py), so a filter change only indexes arrays.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import cache, inputs, plots, state
from app.download_panel import offer_download
from app.explainers import mode_label
from app.guard import stop_on_project_error
from core.data.pairs import display_name, pair_characters, pair_title
from core.errors import ProjectFileError
from core.explain import METHOD_INFO, METHODS, predict_and_explain
from core.insight.gallery import CORRECTNESS, ORDERS, GalleryFilter, select
from core.models.networks import KIND_NAMES

PAGE_SIZE = 24
COLUMNS = 6
DRAW_PAGE = "views/draw.py"
pair, mode, kind = state.pair(), state.mode(), state.kind()
characters = pair_characters(pair)
names = [display_name(c) for c in characters]
st.title(f"Mistakes gallery: {pair_title(pair)} · {KIND_NAMES[kind]}")

if not cache.dataset_available():
    offer_download("The mistakes gallery")
    st.stop()

with stop_on_project_error():
    model = cache.network(pair, kind)
    images, labels = cache.test_set(pair)
    probabilities = cache.test_probabilities(pair, kind)

predicted = probabilities.argmax(axis=1)
confidence = probabilities.max(axis=1)
wrong = int((predicted != labels).sum())
st.markdown(
    f"**{wrong} of {len(labels)} test images misclassified** ({wrong / len(labels):.1%}) by the "
    f"**{KIND_NAMES[kind]}** network. Filter them, or browse the correct ones too; "
    "**Open** puts an image on Draw & explain."
)

ANY = "any"
label_names = {ANY: "any", 0: names[0], 1: names[1]}
shown_names = {"incorrect": "mistakes", "correct": "correct", "all": "all"}
first, second, third = st.columns([2, 2, 2])
true_label = first.segmented_control(
    "True class",
    [ANY, 0, 1],
    format_func=label_names.get,
    default=ANY,
    key="gallery_true",
    required=True,
)
predicted_label = second.segmented_control(
    "Predicted class",
    [ANY, 0, 1],
    format_func=label_names.get,
    default=ANY,
    key="gallery_predicted",
    required=True,
)
correctness = third.segmented_control(
    "Show",
    list(CORRECTNESS),
    format_func=shown_names.get,
    default="incorrect",
    key="gallery_show",
    required=True,
)
first, second, third = st.columns([2, 2, 2])
low, high = first.slider(
    "Confidence of the prediction", 0.5, 1.0, (0.5, 1.0), step=0.01, key="gallery_confidence"
)
order = second.selectbox("Order", ORDERS, key="gallery_order")
methods = [name for name in METHODS if name in METHOD_INFO]
method = third.selectbox(
    "Method",
    methods,
    format_func=lambda name: METHOD_INFO[name]["label"],
    key="gallery_method",
    help="ModuleX thumbnails are ready for the whole test set; other methods explain the "
    "page shown when it is shown.",
)

chosen = select(
    labels,
    probabilities,
    GalleryFilter(
        None if true_label in (None, ANY) else int(true_label),
        None if predicted_label in (None, ANY) else int(predicted_label),
        correctness or "incorrect",
        low,
        high,
        order,
    ),
)
question = mode_label(mode).lower() if mode != "contrast" else "contrast (predicted and not other)"
st.caption(
    f"{len(chosen)} images match. Each thumbnail explains its predicted class with "
    f"**{METHOD_INFO[method]['label']}** ({question}), each on its own colour scale; captions "
    "read test image number, true → predicted, confidence."
)
if len(chosen) == 0:
    st.info("No test image matches these filters.")
    st.stop()

pages = int(np.ceil(len(chosen) / PAGE_SIZE))
page = st.number_input("Page", 1, pages, 1, key="gallery_page") if pages > 1 else 1
page = min(int(page), pages)
shown = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
if method == "modulex":
    pictures = [cache.thumbnail_png(pair, kind, mode, state.palette(), int(i)) for i in shown]
else:
    pictures = cache.method_thumbnails(
        pair, kind, mode, method, state.palette(), tuple(int(i) for i in shown)
    )


def _caption(index: int) -> str:
    mark = "" if predicted[index] == labels[index] else " ✗"
    return (
        f"#{index}: {names[labels[index]]} → {names[predicted[index]]} "
        f"{confidence[index]:.0%}{mark}"
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def _against_global(
    pair: str, kind: str, mode: str, index: int, palette: str, size: float, limit: float | None
):
    """The selected image's local maps and the global maps, as figures (built once per image,
    network, mode and look: a filter change that keeps the image does not rebuild them).
    Shared between sessions: never modified after it is built."""
    image = cache.test_set(pair)[0][index]
    model = cache.network(pair, kind)
    names = [display_name(c) for c in pair_characters(pair)]
    if mode == "thesis":
        local_maps = [predict_and_explain(model, image[None], mode="thesis")[1][0]]
        local_titles = ["thesis map (full output)"]
    else:
        local_maps = [
            predict_and_explain(model, image[None], mode=mode, target=label)[1][0]
            for label in (0, 1)
        ]
        local_titles = [
            f"why {n}" if mode == "target" else f"why {n} and not {names[1 - i]}"
            for i, n in enumerate(names)
        ]
    local = plots.maps_figure(
        local_maps, local_titles, height=300, images=[image] * len(local_maps), limit=limit
    )
    global_maps = cache.shipped_maps(pair, kind).get(mode, "correct")
    reference = plots.maps_figure(
        [global_maps[0], global_maps[1]],
        [f"global map of {n} (correct images)" for n in names],
        height=300,
        limit=limit,
    )
    return local, reference


opened = None
for row_start in range(0, len(shown), COLUMNS):
    row = slice(row_start, row_start + COLUMNS)
    cells = zip(shown[row], pictures[row], strict=True)
    for column, (index, picture) in zip(st.columns(COLUMNS), cells, strict=False):
        column.image(picture, caption=_caption(int(index)), width="stretch")
        if column.button(
            f"Open #{index}",
            key=f"gallery_open_{index}",
            width="stretch",
            help="Explain this test image on Draw & explain",
        ):
            opened = int(index)

if opened is not None:
    inputs.put_test_image(pair, opened, images, labels, predicted)
    st.session_state["net"] = "pair"  # the gallery's network: the pair's
    st.switch_page(DRAW_PAGE)

st.subheader("One image against the global maps")
selected = st.selectbox(
    "Image",
    shown,
    format_func=lambda i: (
        f"test image #{i}: true {names[labels[i]]}, predicted {names[predicted[i]]} "
        f"({confidence[i]:.1%})"
    ),
    key="gallery_selected",
)
try:
    local_figure, global_figure = _against_global(
        pair,
        kind,
        mode,
        int(selected),
        state.palette(),
        plots.scale(),
        cache.map_limit(pair, kind, mode),
    )
    st.plotly_chart(local_figure, key="mistake_local", config={"displayModeBar": False})
    st.plotly_chart(global_figure, key="mistake_global", config={"displayModeBar": False})
    true_name, predicted_name = names[labels[selected]], names[predicted[selected]]
    if true_name == predicted_name:
        st.caption(
            f"A correctly classified {true_name}: its local map should mark the regions that "
            f"the global map of {true_name} marks {plots.palette()['for']}."
        )
    else:
        st.caption(
            f"A true {true_name} predicted as {predicted_name} usually lacks the regions that "
            f"the global map of {true_name} marks {plots.palette()['for']}, or has the ones "
            f"that mark {predicted_name}. Some are label noise: look at the image itself."
        )
except ProjectFileError as error:
    st.warning(str(error))
