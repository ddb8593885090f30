"""Methods: ModuleX beside the established explanation methods, and how each scores."""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from app import cache, inputs, plots, state
from app.guard import loaded_or_stop
from core.data.pairs import display_name, pair_characters, pair_title
from core.errors import ProjectFileError
from core.explain import (
    ABLATION,
    FLOORS,
    METHOD_INFO,
    METHODS,
    explain_with,
    method_label,
    outputs,
)
from core.explain.question import PREDICTED, Question, resolve
from core.insight.palette import words
from core.models.layer_stack import UnsupportedModelError
from core.models.networks import KIND_NAMES, THESIS_KIND, network_key
from core.models.prediction import predict
from core.studies.methods_report.conventions import CONVENTIONS
from core.studies.methods_report.export import to_csv
from core.studies.methods_report.markdown import headline, in_a_sentence
from core.studies.methods_report.stored import load_report
from core.studies.methods_report.tables import (
    HIGHLIGHT,
    better_of,
    by_family,
    standing,
    table_columns,
)

DEFAULT_METHODS = [
    "modulex",
    "gradient_x_input",
    "integrated_gradients",
    "lrp_epsilon",
    "occlusion",
]
OUTPUTS = {"probability": "probability (softmax)", "logit": "pre-softmax score (logit)"}

pair, kind, mode = state.pair(), state.kind(), state.mode()
raises, lowers = words(state.palette())
characters = pair_characters(pair)
names = [display_name(c) for c in characters]
st.title(f"Methods: {pair_title(pair)} · {KIND_NAMES[kind]}")
st.caption(
    "ModuleX beside the established explanation methods and three reference floors, on one "
    "image, and how each scores on test images (the committed report, `python -m core evaluate`)."
)


EXTRA = FLOORS | ABLATION
"""Shown beside the methods: the floors and the ModuleX ablation variants (called the same way)."""


def _label(name: str) -> str:
    return method_label(name)


@st.cache_data(show_spinner="Explaining...", max_entries=256)
def _explained(
    pair: str, kind: str, name: str, image: np.ndarray, target: int, contrast: bool, output: str
) -> np.ndarray:
    options = {"output": output} if output in outputs(name) else {}
    return explain_with(
        name,
        cache.network(pair, kind),
        image[None],
        target=target,
        contrast="other" if contrast else None,
        **options,
    )[0]


model = loaded_or_stop(cache.network, pair, kind)

chosen = st.multiselect(
    "Methods",
    [*METHODS, *EXTRA],
    default=[m for m in DEFAULT_METHODS if m in METHODS],
    format_func=_label,
    key="methods_chosen",
)


def _use_test_image() -> None:
    """The chosen test image becomes the session's input (on every page, the canvas too)."""
    try:
        images, labels = cache.test_set(pair)
    except ProjectFileError as error:
        st.session_state["methods_problem"] = str(error)
        return
    index = int(st.session_state.get("methods_index", 0))
    inputs.put_test_image(pair, min(index, len(images) - 1), images, labels)


image = state.current_input()
with st.container(horizontal=True, vertical_alignment="bottom"):
    st.markdown(f"**Input:** {inputs.description_markdown()}")
    if cache.dataset_available():
        st.number_input("Test image #", 0, None, 0, key="methods_index", width=160)
        st.button("Explain this test image", on_click=_use_test_image, key="methods_use_test")
if st.session_state.get("methods_problem"):
    st.error(st.session_state.pop("methods_problem"))
if not cache.dataset_available():
    st.caption(
        "The EMNIST test set is not on this machine (`python -m core download`), so only the "
        "current input can be explained."
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
    # the session's question (mode and class, as on every page), fitted to the pair's network
    asked = state.question()
    resolved = resolve(
        Question(asked.mode, asked.why if asked.why in characters else PREDICTED),
        characters,
        probabilities,
    )
    target, contrast = resolved.target, resolved.contrast is not None
    columns = st.columns(2)
    if st.session_state.get("why") not in (PREDICTED, *characters):
        st.session_state["why"] = PREDICTED  # a character of another network: none shown chosen
    columns[0].segmented_control(
        "Explain",
        [PREDICTED, *characters],
        key="why",
        required=True,
        format_func=lambda f: (
            f"the prediction ({names[predicted]})" if f == PREDICTED else display_name(f)
        ),
        help="The same choice as on Draw & explain; the mode is the sidebar's.",
    )
    output = columns[1].radio(
        "Score explained",
        list(OUTPUTS),
        format_func=OUTPUTS.get,
        key="methods_output",
        help="ModuleX always explains the probability.",
    )
    if mode == "thesis":
        st.caption(
            "Thesis mode (the whole output at once) is ModuleX's own; the other methods explain "
            f"one class's score, here the prediction's ({names[predicted]})."
        )
    maps, titles = [], []
    for name in chosen:
        try:
            maps.append(_explained(pair, kind, name, image, target, contrast, output))
            titles.append(_label(name))
        except UnsupportedModelError as error:
            st.info(f"{_label(name)} does not explain the {KIND_NAMES[kind]} network: {error}.")
        except (
            Exception
        ) as error:  # a method that cannot explain this model says so, the others still show
            st.warning(f"{_label(name)}: {error}")
    st.markdown(
        f"**Prediction: {names[predicted]}** ({probabilities[predicted]:.1%}); "
        f"explaining **{names[target]}**"
        + (f" against {names[1 - target]}" if contrast else "")
        + f" ({mode} mode, from the sidebar)"
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
            f"Each map on its own colour scale: {raises} raises the explained score, {lowers} "
            "lowers it (saliency is unsigned). "
            + " · ".join(
                f"**{_label(n)}**: {METHOD_INFO[n]['about']}" for n in chosen if n in METHOD_INFO
            )
            + (
                " · The floors ignore the network, the contrast and the output options."
                if set(chosen) & set(FLOORS)
                else ""
            )
        )

st.subheader("How the methods score (test set, committed report)")
try:
    report = load_report()
    networks = report["networks"]
except (OSError, ValueError, KeyError) as error:
    st.warning(
        f"The methods report is not available ({error}). Write it with `python -m core evaluate`."
    )
    st.stop()
network = network_key(pair, kind)
entry = networks.get(network)
if entry is None:
    st.warning(f"The report has no results for {pair_title(pair)} · {KIND_NAMES[kind]}.")
    st.stop()
st.markdown(in_a_sentence(report, network))
st.plotly_chart(
    plots.standing_figure(by_family(standing(report, network)), method_label(HIGHLIGHT)),
    key="methods_standing",
    config={"displayModeBar": False},
)
st.caption(
    "Each bar: over that family's measures, the mean share of the other methods it beats. "
    "Localisation is measured against masks we built (EMNIST has none of its own)."
)
with st.expander("Every measure, with its rank and the best method"):
    for line in headline(report, network):
        st.markdown(line)

scored = entry["methods"]
groups = {"method": "methods", "floor": "floors", "ablation": "ModuleX ablation"}
shown = st.multiselect(
    "Rows (methods, floors, ModuleX variants)",
    list(scored),
    default=list(scored),
    format_func=lambda m: (
        f"{_label(m)} ({groups[scored[m]['group']]})"
        if scored[m]["group"] != "method"
        else _label(m)
    ),
    key="methods_report_rows",
)
available = [c for c in table_columns() if c[1] in report["directions"]]
categories = list(dict.fromkeys(c[0] for c in available))
chosen_categories = st.multiselect(
    "Metric families (Quantus categories)",
    categories,
    default=categories,
    key="methods_report_families",
)
picked = [c for c in available if c[0] in chosen_categories]
rows = []
for method in shown:
    row = {"method": _label(method), "kind": groups[scored[method]["group"]]}
    for _, metric, key, title, _ in picked:
        arrow = "↑" if better_of(report, metric, key) == "higher" else "↓"
        row[f"{title} {arrow}"] = scored[method]["metrics"].get(metric, {}).get(key)
    row["ms per image ↓"] = scored[method]["ms_per_image"]
    rows.append(row)
if rows:
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            key: st.column_config.NumberColumn(format="%.3f")
            for key in rows[0]
            if key not in ("method", "kind")
        },
    )
settings = report["settings"]
images_note = settings["images"] if kind == THESIS_KIND else settings.get("cnn_images")
st.caption(
    f"{entry['images']} test images of {pair_title(pair)} ({images_note}), each explained for "
    f"its predicted class; {settings['scored_output']}. ↑: higher is better, ↓: lower is better. "
    "A method is worth reading on a column only where it beats the floors."
)
with st.expander("Reading guide: one line per number"):
    for _, metric, key, title, guide in picked:
        st.markdown(f"**{title}** ({better_of(report, metric, key)} is better): {guide}")

curve_names = sorted({c for r in scored.values() for c in r.get("curves", {})})
CURVE_AXES = {
    "deletion": ("share of pixels removed (black)", "target probability"),
    "insertion": ("share of pixels put back", "target probability"),
    "road": ("share of pixels removed (imputed)", "target probability"),
    "randomization": ("layers re-drawn from the top", "rank correlation with the original"),
}
curve = st.segmented_control(
    "Curve",
    curve_names,
    default="deletion" if "deletion" in curve_names else (curve_names or [None])[0],
    key="methods_curve",
    required=True,
)
if curve:
    curves = {m: scored[m]["curves"][curve] for m in shown if curve in scored[m].get("curves", {})}
    x_title, y_title = CURVE_AXES.get(curve, ("", ""))
    figure = plots.method_curves_figure(
        curves, {m: _label(m) for m in curves}, x_title=x_title, y_title=y_title
    )
    for name in curves:  # every floor dashed grey, not only the random one
        if scored[name]["group"] == "floor":
            figure.update_traces(
                selector={"name": _label(name)}, line={"dash": "dash", "color": "gray"}
            )
        elif scored[name]["group"] == "ablation":
            figure.update_traces(selector={"name": _label(name)}, line={"dash": "dot"})
    st.plotly_chart(figure, key="methods_curves", config={"displayModeBar": False})
    st.caption("Floors dashed grey, ModuleX variants dotted, ModuleX thick.")

with st.expander("How this is computed (conventions, and how they differ from the libraries)"):
    for what, how in CONVENTIONS:
        st.markdown(f"**{what}.** {how}")
    st.markdown(
        "Definitions, options and references per method and metric: `docs/methods.md`. "
        "Reproduce: `python -m core evaluate` (options in the README)."
    )
left, right = st.columns(2)
left.download_button(
    "Download the numbers (CSV)",
    to_csv(report),
    file_name="methods.csv",
    mime="text/csv",
    key="methods_csv",
)
right.download_button(
    "Download the report (JSON, with curves)",
    json.dumps(report, indent=1),
    file_name="methods.json",
    mime="application/json",
    key="methods_json",
)
