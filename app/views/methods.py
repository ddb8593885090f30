"""Methods: ModuleX beside the established explanation methods, and how each scores."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import cache, plots, state
from core.data.pairs import display_name, pair_characters, pair_title
from core.errors import ProjectFileError
from core.explain import METHOD_INFO, METHODS, explain_with
from core.explain.registry import accepts
from core.models.files import predict
from core.models.network import UnsupportedModelError
from core.studies.methods_report import COLUMNS, FLOOR, better_of, headline, load_report, table

DEFAULT_METHODS = [
    "modulex",
    "gradient_x_input",
    "integrated_gradients",
    "lrp_epsilon",
    "occlusion",
]
OUTPUTS = {"probability": "probability (softmax)", "logit": "pre-softmax score (logit)"}

pair, kind = state.pair(), state.kind()
characters = pair_characters(pair)
names = [display_name(c) for c in characters]
st.title(f"Methods: {pair_title(pair)} · {state.KIND_NAMES[kind]}")
st.caption(
    "ModuleX beside the established explanation methods, on one image, and how each scores on the whole test set "
    "(from the committed report, `python -m core evaluate`)."
)


def _label(name: str) -> str:
    return METHOD_INFO.get(name, {}).get("label", name)


@st.cache_data(show_spinner="Explaining...", max_entries=256)
def _explained(
    pair: str, kind: str, name: str, image: np.ndarray, target: int, contrast: bool, output: str
) -> np.ndarray:
    options = {"output": output} if accepts(name, "output") else {}
    return explain_with(
        name,
        cache.model(pair, kind),
        image[None],
        target=target,
        contrast="other" if contrast else None,
        **options,
    )[0]


try:
    model = cache.model(pair, kind)
except ProjectFileError as error:
    st.error(str(error))
    st.stop()

chosen = st.multiselect(
    "Methods",
    list(METHODS),
    default=[m for m in DEFAULT_METHODS if m in METHODS],
    format_func=_label,
    key="methods_chosen",
)
sources = ["drawing"] + (["test"] if cache.dataset_available() else [])
source = st.radio(
    "Image",
    sources,
    horizontal=True,
    key="methods_source",
    format_func={"drawing": "current drawing", "test": "a test image"}.get,
)
image = state.current_input()
if source == "test":
    try:
        test_images, test_labels = cache.test_set(pair)
        index = int(
            st.number_input("Test image #", 0, len(test_images) - 1, 0, key="methods_index")
        )
        image = test_images[index]
        st.caption(f"Test image #{index}: true label {names[int(test_labels[index])]}.")
    except ProjectFileError as error:
        st.error(str(error))
        image = None
elif not cache.dataset_available():
    st.caption(
        "The EMNIST test set is not on this machine (`python -m core download`), so only the current drawing can be explained."
    )

if image is None:
    st.info(
        "No image yet: draw a character on the Draw & explain page"
        + (", or choose a test image above." if cache.dataset_available() else ".")
    )
elif not chosen:
    st.info("Choose at least one method.")
else:
    probabilities = predict(model, image[None])[0]
    predicted = int(probabilities.argmax())
    columns = st.columns(3)
    focus = columns[0].segmented_control(
        "Explain",
        ["predicted", *characters],
        default="predicted",
        key="methods_focus",
        format_func=lambda f: (
            f"predicted ({names[predicted]})" if f == "predicted" else display_name(f)
        ),
    )
    target = predicted if focus in (None, "predicted") else characters.index(focus)
    output = columns[1].radio(
        "Score explained",
        list(OUTPUTS),
        format_func=OUTPUTS.get,
        key="methods_output",
        help="ModuleX always explains the probability.",
    )
    contrast = columns[2].toggle(
        f"Contrast: why {names[target]} and not {names[1 - target]}", key="methods_contrast"
    )
    maps, titles = [], []
    for name in chosen:
        try:
            maps.append(_explained(pair, kind, name, image, target, contrast, output))
            titles.append(_label(name))
        except UnsupportedModelError:
            st.info(
                f"{_label(name)} is written for stacks of Dense layers; it does not explain the {state.KIND_NAMES[kind]} network."
            )
        except (
            Exception
        ) as error:  # a method that cannot explain this model says so, the others still show
            st.warning(f"{_label(name)}: {error}")
    st.markdown(
        f"**Prediction: {names[predicted]}** ({probabilities[predicted]:.1%}); explaining **{names[target]}**"
        + (f" against {names[1 - target]}" if contrast else "")
    )
    if maps:
        st.plotly_chart(
            plots.maps_figure(
                maps, titles, height=300, shared_scale=False, images=[image] * len(maps)
            ),
            key="methods_maps",
            config={"displayModeBar": False},
        )
        st.caption(
            "Each map on its own colour scale: red raises the explained score, blue lowers it (saliency is unsigned). "
            + " · ".join(
                f"**{_label(n)}**: {METHOD_INFO[n]['about']}" for n in chosen if n in METHOD_INFO
            )
        )

st.subheader("How the methods score (test set, committed report)")
if kind != "dense":
    st.caption(
        "The report scores the methods on the thesis' Dense networks; the maps above use the network chosen in the sidebar."
    )
try:
    report = load_report()
except (OSError, ValueError) as error:
    st.warning(
        f"The methods report is not available ({error}). Write it with `python -m core evaluate`."
    )
    st.stop()

for line in headline(report):
    st.markdown(line)
entry = report.get("pairs", {}).get(pair)
if entry is None:
    st.warning(f"The report has no results for {pair_title(pair)}.")
    st.stop()
rows = []
for method in entry["methods"]:
    row = {"method": _label(method) if method != FLOOR else "random map (floor)"}
    for metric, key, title in COLUMNS:
        row[f"{title} ({'↑' if better_of(metric, key) == 'higher' else '↓'})"] = table(
            report, metric, key
        )[method].get(pair)
    row["ms per image"] = entry["methods"][method]["ms_per_image"]
    rows.append(row)
st.dataframe(
    rows,
    hide_index=True,
    width="stretch",
    column_config={
        key: st.column_config.NumberColumn(format="%.3f") for key in rows[0] if key != "method"
    },
)
st.caption(
    f"{entry['images']} test images of {pair_title(pair)}, each explained for its predicted class; {report['settings']['scored_output']}. "
    "↑: higher is better, ↓: lower is better."
)
labels = {m: _label(m) for m in entry["methods"]}
left, right = st.columns(2)
for column, curve, title in (
    (left, "deletion", "Deletion: most relevant pixels removed first (lower is better)"),
    (right, "insertion", "Insertion: most relevant pixels put back first (higher is better)"),
):
    curves = {
        m: r["curves"][curve] for m, r in entry["methods"].items() if curve in r.get("curves", {})
    }
    with column:
        st.markdown(f"**{title}**")
        st.plotly_chart(
            plots.method_curves_figure(
                curves,
                labels,
                x_title=f"share of pixels {'removed' if curve == 'deletion' else 'put back'}",
            ),
            key=f"methods_{curve}",
            config={"displayModeBar": False},
        )
