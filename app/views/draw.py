"""Draw & explain: draw a character, see the prediction and, pixel by pixel, why."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from app import cache, edit_mode, guard, inputs, live_canvas, plots, reference_maps, state
from app.explainers import colour_meaning, focus_options, resolve_focus
from core.data.pairs import (
    ALL_EIGHT,
    EIGHT_CHARACTERS,
    PAIRS,
    display_name,
    pair_characters,
    pair_title,
)
from core.errors import ProjectFileError
from core.explain import gradcam
from core.inputs.examples import EXAMPLES, by_name
from core.insight.drawing import explain_drawing
from core.insight.report import Report, pdf_bytes, png_bytes
from core.models.networks import KIND_NAMES
from core.models.prediction import predict

pair, mode, kind = state.pair(), state.mode(), state.kind()
SCOPES = {"pair": f"the {pair_title(pair)} network", "all8": "the 8-character network (any two)"}

# Phones (390 px wide): a one-line title and no introduction, so the canvas and its map (over
# the drawing, the live component's narrow layout) fit in the first screen
PHONE_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 1.5rem; padding: 0; }
  .st-key-draw_intro { display: none; }
}
</style>"""

st.html(PHONE_CSS)
st.title(f"Draw & explain: {pair_title(pair)}")
if not state.presenter():  # the presenter says it; the canvas and map keep the first screen
    st.container(key="draw_intro").caption(
        "Draw one character in the black square. The network predicts it, ModuleX shows which "
        "pixels drove the decision, a number says how far to trust that map, and a sentence says "
        "where the evidence lies."
    )
scope = (
    st.segmented_control(
        "Network", list(SCOPES), format_func=SCOPES.get, default="pair", key="scope"
    )
    or "pair"
)
name = pair if scope == "pair" else ALL_EIGHT
characters = pair_characters(pair) if scope == "pair" else EIGHT_CHARACTERS
names = [display_name(c) for c in characters]

# the numpy view of the checked weight export: this page never imports TensorFlow
model = guard.loaded_or_stop(cache.network, name, kind)


def _load_picked_example() -> None:
    picked = st.session_state.get("example_pick")
    if picked:
        inputs.load_example(picked)
        st.session_state["example_pick"] = None  # every click loads, even the same example again


strip_column, test_column = st.columns([4, 1], vertical_alignment="bottom")
with strip_column:
    shown_examples = [e.name for e in EXAMPLES if scope == "all8" or e.character in characters]
    st.pills(
        "Examples: one click draws it",
        shown_examples,
        key="example_pick",
        on_change=_load_picked_example,
        format_func=lambda n: f"{n} ≈" if by_name(n).ambiguous else n,
        help=(
            "Ready drawings, rendered from stroke recipes; ≈ marks a look-alike that could go "
            "either way."
        ),
    )
with test_column.popover("Random test image", icon=":material/casino:", width="stretch"):
    if cache.dataset_available():
        which = st.radio(
            "Which",
            ["correctly classified", "misclassified"],
            key="test_pick_kind",
            horizontal=True,
        )
        if st.button("Pick one", key="test_pick"):
            problem = inputs.pick_test_image(
                name, characters, kind, mistakes=which == "misclassified"
            )
            if problem:
                st.info(problem)
    else:
        st.caption("Needs the EMNIST test set on this machine (`python -m core download`).")


def _global_maps(warn: bool = True):
    """The shipped global maps (and, for the 8-class network, its contrast grid), or None with a
    warning (shown once: where the maps are drawn)."""
    try:
        return cache.shipped_maps(name, kind), cache.contrast_grid(
            kind
        ) if scope == "all8" else None
    except ProjectFileError as error:
        if warn:
            st.warning(str(error))
        return None, None


def _chosen_classes(probabilities: np.ndarray) -> tuple[int | None, int | None]:
    """Target and contrast classes the user picked (None: the defaults)."""
    if scope == "pair":
        focus = st.session_state.get("focus") or "predicted"
        return resolve_focus(focus, characters, int(probabilities.argmax())), None
    why, against = (
        st.session_state.get("why") or "predicted",
        st.session_state.get("against") or "runner-up",
    )
    target = int(probabilities.argmax()) if why == "predicted" else characters.index(why)
    contrast = (
        None
        if against == "runner-up" or characters.index(against) == target
        else characters.index(against)
    )
    return target, contrast


def _class_pickers() -> None:
    if scope == "pair":
        st.segmented_control(
            "Explain",
            focus_options(characters),
            default="predicted",
            key="focus",
            format_func=lambda f: "predicted class" if f == "predicted" else display_name(f),
            disabled=mode == "thesis",
        )
        return
    why_column, against_column = st.columns(2)
    why_column.selectbox(
        "Why",
        ["predicted", *characters],
        key="why",
        format_func=lambda c: "the prediction" if c == "predicted" else display_name(c),
        disabled=mode == "thesis",
    )
    against_column.selectbox(
        "and not",
        ["runner-up", *characters],
        key="against",
        format_func=lambda c: "the runner-up" if c == "runner-up" else display_name(c),
        disabled=mode != "contrast",
        help="The character argued against (contrast mode).",
    )


def _unlikely_check():
    """The network's "not one of these" check, or None (a damaged file is named once)."""
    try:
        return cache.unlikely_check(name, kind)
    except ProjectFileError as error:
        st.warning(f"No \u201cnot one of these\u201d check: {error}")
        return None


def _show_explanation(image: np.ndarray, global_maps, grid, live: bool):
    """The server's (reference) result; with the live canvas on, its bars and map are the
    canvas' own, so the server adds the numbers, the sentence and the exports."""
    _class_pickers()
    probabilities = predict(model, image[None])[0]
    target, contrast = _chosen_classes(probabilities)
    found = explain_drawing(
        model,
        image,
        mode,
        characters,
        target=target,
        contrast=contrast,
        maps=global_maps,
        grid=grid,
        probabilities=probabilities,
        unlikely_check=_unlikely_check(),
    )
    predicted = found.predicted
    if found.refused:
        st.markdown(f"### {found.answer}")
        st.caption(
            "Unlikely to be any of these characters (a line, a scribble or another character?). "
            "The network's guess, for what it is worth:"
        )
    else:
        st.markdown(f"### Prediction: **{names[predicted]}** ({probabilities[predicted]:.1%})")
    if not live:  # the server path: its own bars and map
        for label in (
            np.argsort(-probabilities, kind="stable") if scope == "all8" else range(len(names))
        ):
            text = f"{names[label]}: {probabilities[label]:.1%}"
            st.progress(
                float(probabilities[label]), text=f":gray[{text}]" if found.refused else text
            )
        limit = cache.map_limit(name, kind, mode)
        figure = st.session_state.get("explanation_figure")
        if figure is None:
            figure = st.session_state["explanation_figure"] = plots.explanation_figure(
                image, found.importance, limit=limit
            )
        else:
            plots.update_explanation_figure(figure, image, found.importance, limit=limit)
        st.plotly_chart(figure, key="explanation", config={"displayModeBar": False})
    agreement = (
        "no global map to compare with"
        if np.isnan(found.agreement)
        else f"agreement with the global map {found.agreement:+.2f}"
    )
    st.markdown(
        f"**Explanation confidence: {found.confidence:.2f}** (stability under small moves and "
        f"noise {found.stability:+.2f}, {agreement})",
        help=(
            "How far to trust this map, 0 to 1: the mean of its stability and its agreement with "
            "the global map (see README)."
        ),
    )
    st.markdown(f"*{found.sentence}*")
    if mode == "target" and (kind == "cnn" or scope == "all8"):
        st.caption(
            "On target maps of the CNNs and of the 8-class networks, this number told right from "
            "wrong test predictions at about chance level for most of them "
            "(8/B's CNN excepted; see README), though it still flags noise. Contrast mode is where "
            "it helps most."
        )
    if scope == "pair":
        st.caption(colour_meaning(mode, characters, found.target))
    elif mode == "thesis":
        st.caption(
            "Red pixels push the whole output (all eight probabilities and their biases, as in the "
            "thesis) up, blue pixels push it down."
        )
    else:
        against = f" rather than **{names[found.contrast]}**" if found.contrast is not None else ""
        st.caption(
            f"Red pixels speak for **{names[found.target]}**{against}, blue pixels against it "
            f"(8-character {KIND_NAMES[kind]} network)."
        )
    if kind == "cnn" and st.toggle("Also show Grad-CAM", key="show_gradcam"):
        cam = gradcam(
            model,
            image[None],
            target=[found.target],
            contrast=None if found.contrast is None else [found.contrast],
        )[0]
        st.plotly_chart(
            plots.maps_figure(
                [cam], [f"Grad-CAM for {names[found.target]}"], height=300, images=[image]
            ),
            key="gradcam",
            config={"displayModeBar": False},
        )
        st.caption(
            "Grad-CAM: the last convolution's feature maps weighted by their mean gradient, "
            "positive part, upsampled from 3x3."
        )
    st.caption(
        f"Input: {inputs.description_markdown()} · {int((image > 127).sum())} ink pixels of 784 · "
        f"fingerprint {hashlib.sha1(image.tobytes()).hexdigest()[:8]}"
    )
    _export_buttons(image, probabilities, found, global_maps)
    return found.target, found.contrast


def _export_buttons(image: np.ndarray, probabilities: np.ndarray, found, global_maps) -> None:
    """PNG of the view and a PDF report, built only when clicked."""
    network = pair_title(pair) if scope == "pair" else "all eight characters"
    title = (
        f"{network}, {KIND_NAMES[kind]} network: {names[found.predicted]} "
        f"({probabilities[found.predicted]:.0%})"
    )
    references = []
    if global_maps is not None and scope == "pair":
        references = [
            (f"global map of {n}", m) for n, m in zip(names, global_maps.get(mode), strict=True)
        ]

    described = inputs.description()  # read here: the exports run outside the script's thread

    def report(with_text: bool):
        lines = [
            " · ".join(
                f"{n}: {p:.1%}" for n, p in zip(names, probabilities, strict=True) if p >= 0.005
            )
        ]
        text = ""
        if with_text:
            lines.append(
                f"Mode: {mode}. Explanation confidence {found.confidence:.2f}. Input: {described}."
            )
            text = found.sentence
        return Report(
            title,
            image,
            lines,
            [
                (
                    f"why {names[found.target]}"
                    + (f" and not {names[found.contrast]}" if found.contrast is not None else ""),
                    found.importance,
                )
            ],
            text,
            references=references,
        )

    left, right = st.columns(2)
    left.download_button(
        "View as PNG",
        data=lambda: png_bytes(report(False).render()),
        file_name="modulex-view.png",
        mime="image/png",
        on_click="ignore",
        key="export_view",
        icon=":material/image:",
    )
    right.download_button(
        "Report as PDF",
        data=lambda: pdf_bytes(report(True)),  # an A4 page with real text
        file_name="modulex-report.pdf",
        mime="application/pdf",
        on_click="ignore",
        key="export_report",
        icon=":material/picture_as_pdf:",
    )


def _live_question() -> tuple[int | None, int | None]:
    """Target and contrast for the live canvas from the pickers (None: predicted, runner-up)."""
    if scope == "pair":
        focus = st.session_state.get("focus") or "predicted"
        return (None if focus == "predicted" else characters.index(focus)), None
    why = st.session_state.get("why") or "predicted"
    against = st.session_state.get("against") or "runner-up"
    target = None if why == "predicted" else characters.index(why)
    contrast = None if against == "runner-up" or against == why else characters.index(against)
    return target, contrast


@st.fragment
def draw_and_explain() -> None:
    # A pen lift reruns only this fragment. The pair's global maps do not depend on the drawing,
    # so they are drawn outside it (below) and never re-sent on a stroke; the 8-character
    # network's follow the two characters compared, so they live in here, in a third column.
    if scope == "pair":
        drawing_column, result_column = st.columns([2.1, 1.3], gap="medium")
    else:
        drawing_column, result_column, global_column = st.columns([2.1, 1.3, 1], gap="medium")
    with drawing_column:
        network_title = "8-character" if scope == "all8" else pair_title(pair)
        networks = [
            live_canvas.network(
                name,
                kind,
                f"Live: {network_title}, {KIND_NAMES[kind]}",
                names,
                cache.map_limit(name, kind, mode),
            )
        ]
        if edit_mode.active():
            refused, problem = edit_mode.show(), None
        else:
            refused, problem = live_canvas.show("canvas", networks, mode, *_live_question())
        edit_mode.toggle()
        if problem:
            st.caption(live_canvas.fallback_note(problem))
        upload = st.file_uploader(
            "...or upload a picture of one character (it replaces the drawing)",
            type=["png", "jpg", "jpeg", "gif", "bmp", "webp"],
            key="upload",
        )
    refused = inputs.load_upload(upload) or refused
    hint = (
        refused
        or "Draw a character on the canvas, upload a picture, or pick an example above to see the "
        "prediction and its explanation."
    )
    image = state.current_input()

    global_maps, grid = _global_maps(warn=scope != "pair")  # the pair's are drawn outside
    explained = None
    with result_column:
        if image is None:
            st.info(hint)
        else:
            if refused:
                st.warning(refused)
            try:
                explained = _show_explanation(
                    image, global_maps, grid, live=problem is None and not edit_mode.active()
                )
            except (ProjectFileError, ValueError) as error:
                st.error(f"Could not explain this input: {error}")
    if scope == "pair":
        return
    with global_column:
        st.markdown("**Hold it against the global maps**")
        if global_maps is None:
            return
        if explained is not None:
            _eight_class_global_maps(global_maps, grid, *explained)
        else:
            st.caption(
                "The global maps of the two characters compared appear with the first drawing."
            )


def _pair_global_maps(global_maps) -> None:
    shown = global_maps.get(mode)
    reference_maps.show("global", [shown[0], shown[1]], [f"global map of {n}" for n in names])
    st.caption(
        f"Mean {mode} map of the first {global_maps.k} test images of each label, each explained "
        "for its true label."
    )


def _eight_class_global_maps(global_maps, grid, target: int, contrast: int | None) -> None:
    """The global maps of the two characters explained; the figure is rebuilt only when they
    change."""
    other = contrast if contrast is not None else default_other(target)
    if mode == "contrast" and grid is not None:
        panels, titles = (
            [grid[target, other], grid[other, target]],
            [f"{names[target]} and not {names[other]}", f"{names[other]} and not {names[target]}"],
        )
    else:
        panels, titles = (
            [global_maps.get(mode)[target], global_maps.get(mode)[other]],
            [f"global map of {names[target]}", f"global map of {names[other]}"],
        )
    reference_maps.show("global", panels, titles)
    if mode == "contrast":
        st.caption(
            f"Mean map of the first {global_maps.k} test images of the first character, explained "
            "as it and not the second."
        )
    else:
        st.caption(
            f"Mean {mode} map of the first {global_maps.k} test images of each character, "
            "explained for its true label."
        )


def default_other(target: int) -> int:
    """The character shown beside the target outside contrast mode: its look-alike in the four
    pairs."""
    partners = {
        first: second for code in PAIRS for first, second in (tuple(code), tuple(reversed(code)))
    }
    return characters.index(partners[characters[target]])


if scope == "pair":
    live_part, global_column = st.columns([3.4, 1], gap="medium")
    with live_part:
        draw_and_explain()
    with global_column:
        st.markdown("**Hold it against the global maps**")
        shipped, _ = _global_maps()
        if shipped is not None:
            _pair_global_maps(shipped)
else:
    draw_and_explain()
