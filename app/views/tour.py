"""Guided tour: the thesis' story in five live steps, for a presenter (no drawing needed)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import cache, plots
from app.explainers import colour_meaning, explain
from core.data.pairs import PAIRS, display_name, pair_characters, pair_title
from core.errors import ProjectFileError
from core.explain import METHODS, predict_and_explain
from core.inputs.examples import by_name, render
from core.inputs.preprocess import canvas_to_input
from core.insight.report import Report, png_bytes
from core.studies.methods_report import headline, load_report

STEPS = (
    "A drawing and its explanation",
    "The same drawing, four networks",
    "What the network looks at on average",
    "A mistake held against the global maps",
    "ModuleX beside other explanation methods",
)
PAIR = "2Z"
EXAMPLE = "2, round top"
TRICKY_EXAMPLE = "2, angular top"
CHARACTERS = pair_characters(PAIR)
NAMES = [display_name(c) for c in CHARACTERS]


@st.cache_data(show_spinner=False)
def example_image(name: str) -> np.ndarray:
    return canvas_to_input(render(by_name(name)))


def _step_from_url() -> int:
    requested = st.query_params.get("step")
    if "tour_step" not in st.session_state:
        st.session_state["tour_step"] = (
            int(requested) - 1
            if requested and requested.isdigit() and 1 <= int(requested) <= len(STEPS)
            else 0
        )
    return st.session_state["tour_step"]


def _go(step: int) -> None:
    st.session_state["tour_step"] = step


def _navigation(step: int, where: str) -> None:
    back, middle, forward = st.columns([1, 4, 1])
    back.button(
        "Back",
        icon=":material/arrow_back:",
        disabled=step == 0,
        on_click=_go,
        args=(step - 1,),
        key=f"tour_back_{where}",
        width="stretch",
    )
    middle.progress((step + 1) / len(STEPS), text=f"Step {step + 1} of {len(STEPS)}: {STEPS[step]}")
    forward.button(
        "Next",
        icon=":material/arrow_forward:",
        disabled=step == len(STEPS) - 1,
        on_click=_go,
        args=(step + 1,),
        key=f"tour_next_{where}",
        width="stretch",
    )


def step_drawing(model, image) -> Report:
    st.markdown(
        f"A person draws a character; the **{pair_title(PAIR)}** network says which of its two characters it is. "
        "ModuleX walks back through the network, layer by layer, and gives every pixel a signed importance: "
        "`H_i = X_i ⊙ ((H_{i+1} − b_i) · W_iᵀ)`."
    )
    probabilities, target_map, target = explain(model, image, "target", "predicted", CHARACTERS)
    _, contrast_map, _ = explain(model, image, "contrast", "predicted", CHARACTERS)
    predicted = int(probabilities.argmax())
    st.markdown(f"### Prediction: **{NAMES[predicted]}** ({probabilities[predicted]:.1%})")
    st.plotly_chart(
        plots.maps_figure(
            [target_map, contrast_map],
            [f"why {NAMES[target]}", f"why {NAMES[target]} and not {NAMES[1 - target]}"],
            height=360,
            shared_scale=False,
            images=[image, image],
        ),
        key="tour_drawing",
        config={"displayModeBar": False},
    )
    st.caption(colour_meaning("contrast", CHARACTERS, target))
    return Report(
        f"{pair_title(PAIR)}: {NAMES[predicted]} ({probabilities[predicted]:.0%})",
        image,
        [colour_meaning("contrast", CHARACTERS, target).replace("**", "")],
        [
            (f"why {NAMES[target]}", target_map),
            (f"why {NAMES[target]} and not {NAMES[1 - target]}", contrast_map),
        ],
        shared_scale=False,
    )


def step_pairs(image) -> Report:
    st.markdown(
        "Each network only knows its own two characters, so the same drawing answers four different questions."
    )
    maps, titles = [], []
    for pair in PAIRS:
        characters = pair_characters(pair)
        probabilities, importance, _ = explain(
            cache.model(pair), image, "contrast", "predicted", characters
        )
        predicted = int(probabilities.argmax())
        maps.append(importance)
        titles.append(
            f"{pair_title(pair)}: {display_name(characters[predicted])} ({probabilities[predicted]:.0%})"
        )
    st.plotly_chart(
        plots.maps_figure(maps, titles, height=330, shared_scale=False, images=[image] * len(maps)),
        key="tour_pairs",
        config={"displayModeBar": False},
    )
    st.caption(
        "Contrast maps: red makes it the predicted character rather than the other one of its pair."
    )
    return Report(
        "The same drawing, four networks",
        image,
        [
            "Contrast maps: red makes it the predicted character rather than the other one of its pair."
        ],
        list(zip(titles, maps)),
        shared_scale=False,
    )


def step_global() -> Report:
    maps = cache.shipped_maps(PAIR)
    label_maps = maps.get("target")
    st.markdown(
        f"Averaging the explanations of the first {maps.k} test images of each label shows what the network looks for. "
        "The thesis read the 2 in its top curve and bottom-left loop, the Z in its top bar and bottom right."
    )
    panels = [label_maps[0], label_maps[1], label_maps[0] - label_maps[1]]
    titles = [
        f"global map of {NAMES[0]}",
        f"global map of {NAMES[1]}",
        f"{NAMES[0]} minus {NAMES[1]}",
    ]
    st.plotly_chart(
        plots.maps_figure(panels, titles, height=340),
        key="tour_global",
        config={"displayModeBar": False},
    )
    return Report(
        f"What the {pair_title(PAIR)} network looks at on average",
        None,
        [f"Mean target maps of the first {maps.k} test images of each label."],
        list(zip(titles, panels)),
    )


def step_mistake(model) -> Report:
    if cache.dataset_available():
        images, labels = cache.test_set(PAIR)
        probabilities = cache.test_probabilities(PAIR)
        wrong = np.flatnonzero((probabilities.argmax(axis=1) != labels) & (labels == 0))
        index = int(wrong[np.argmax(probabilities[wrong, 1])])
        image, where = (
            images[index],
            f"test image #{index}, a 2 the network calls Z with {probabilities[index, 1]:.0%}",
        )
    else:
        image = example_image(TRICKY_EXAMPLE)
        where = "a drawn 2 with an angular top (the dataset is not here, so a drawn look-alike stands in for a test image)"
    st.markdown(
        f"Now a mistake: {where}. Held against the global maps, its explanation shows what the network missed."
    )
    _, local = predict_and_explain(model, image[None], mode="target", target=1)
    global_maps = cache.shipped_maps(PAIR).get("target", "correct")
    st.plotly_chart(
        plots.maps_figure(
            [local[0]], [f"why {NAMES[1]} (the wrong answer)"], height=320, images=[image]
        ),
        key="tour_mistake_local",
        config={"displayModeBar": False},
    )
    st.plotly_chart(
        plots.maps_figure(
            [global_maps[0], global_maps[1]],
            [f"global map of {NAMES[0]}", f"global map of {NAMES[1]}"],
            height=320,
        ),
        key="tour_mistake_global",
        config={"displayModeBar": False},
    )
    lesson = f"A {NAMES[0]} without the rounded top and bottom-left loop that the global map of {NAMES[0]} marks red looks like a {NAMES[1]} to this network."
    st.caption(lesson)
    return Report(
        "A mistake held against the global maps",
        image,
        [where[0].upper() + where[1:] + "."],
        [(f"why {NAMES[1]} (wrong)", local[0])],
        lesson,
        references=[
            (f"global map of {NAMES[0]}", global_maps[0]),
            (f"global map of {NAMES[1]}", global_maps[1]),
        ],
    )


def step_methods(model, image) -> Report:
    names = [
        "modulex",
        "gradient_x_input",
        "integrated_gradients",
        "lrp_epsilon",
        "occlusion",
        "lime",
    ]
    names = [name for name in names if name in METHODS]
    st.markdown(
        f"Other explanation methods answer the same question differently ({', '.join(names)}). "
        "The Methods page scores them all on the test sets: which explanation can you trust?"
    )
    try:
        verdict = headline(load_report())
    except (OSError, ValueError, KeyError):
        verdict = []
    for line in verdict:
        st.markdown(f"- {line}")
    maps, titles = [], []
    for name in names:
        try:
            maps.append(METHODS[name](model, image[None], target=None)[0])
            titles.append(name)
        except Exception as error:  # one failing method must not end the tour
            st.warning(f"{name}: {error}")
    st.plotly_chart(
        plots.maps_figure(maps, titles, height=300, shared_scale=False, images=[image] * len(maps)),
        key="tour_methods",
        config={"displayModeBar": False},
    )
    st.page_link("views/draw.py", label="Now draw your own", icon=":material/draw:")
    return Report(
        "ModuleX beside other explanation methods",
        image,
        [line.replace("**", "") for line in verdict[:2]],
        list(zip(titles, maps)),
        shared_scale=False,
    )


def _run_step(step: int, model, image) -> Report:
    if step == 0:
        return step_drawing(model, image)
    if step == 1:
        return step_pairs(image)
    if step == 2:
        return step_global()
    if step == 3:
        return step_mistake(model)
    return step_methods(model, image)


st.title("Guided tour: why 2 and not Z?")
step = _step_from_url()
st.query_params["step"] = str(step + 1)
_navigation(step, "top")
st.subheader(STEPS[step])
try:
    model = cache.model(PAIR)
    image = example_image(EXAMPLE)
    report = _run_step(step, model, image)
    st.download_button(
        "Download this step as PNG",
        data=lambda: png_bytes(report.render()),
        file_name=f"modulex-tour-step-{step + 1}.png",
        mime="image/png",
        on_click="ignore",
        icon=":material/image:",
        key="tour_export",
    )
    _navigation(step, "bottom")
except ProjectFileError as error:
    st.error(str(error))
