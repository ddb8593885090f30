"""Draw & explain: draw a character, see the prediction and, pixel by pixel, why.

Everything here renders from the session's one record and question (app/state.py): the
canvas and its live map, the server's headline, sentence and verdict, the title and the
exports. Whatever changes the input (the pen, an example, an upload, a test image, an edit)
changes the record first, in a callback, so this script only ever draws one input.
"""

from __future__ import annotations

import datetime

import numpy as np
import streamlit as st

from app import (
    answers,
    cache,
    edit_mode,
    guard,
    hard_pair,
    inputs,
    link,
    live_canvas,
    map_checks,
    plots,
    reference_maps,
    state,
)
from app.explainers import answer_title, colour_meaning, headline, mode_in_a_sentence, plain
from app.state import KIND_NAMES
from core.data.pairs import ALL_EIGHT, PAIRS, display_name, pair_title
from core.explain import gradcam
from core.explain.question import PREDICTED, RUNNER_UP
from core.inputs.examples import EXAMPLES, by_name
from core.insight.hard_pairs import accuracy_interval
from core.insight.report import Report, pdf_bytes, png_bytes

pair, mode, kind, net = state.pair(), state.mode(), state.kind(), state.net()
name, characters, names = state.network_name(), state.classes(), state.names()
NETS = {"pair": pair_title(pair), ALL_EIGHT: "all 8 characters"}

# The first screen of a 1280x720 projector holds the drawing and its live map at full size
# (280 px each) with the bars and the headline: a compact title, the network switch, the
# examples and the test image on one row, the global maps under the live row. The examples wrap
# onto more lines rather than scroll out of sight (17 on the 8-character network). Phones
# (390 px wide): a one-line title and no introduction, so the canvas and its map (over the
# drawing, the live component's narrow layout) fit in the first screen.
PAGE_CSS = """<style>
.st-key-example_pick [data-testid="stButtonGroup"] div:has(> button) {
  flex-wrap: wrap; overflow: visible;
}
@media (min-width: 641px) {
  [data-testid="stMainBlockContainer"] { padding-left: 2.5rem; padding-right: 2.5rem; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding: 0 0 0.25rem; }
}
.st-key-live_row { flex-wrap: wrap; gap: 0.5rem !important; }
.st-key-live_row:has(.st-key-editor_box) > div:first-child {
  flex: 0 1 280px !important; width: 280px !important; min-width: 0;
}
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 1.5rem; padding: 0; }
  .st-key-draw_intro { display: none; }
}
</style>"""
# below Streamlit's header (3.75rem), not 6rem under it; presenter view sets its own
HEADER_CSS = """<style>
@media (min-width: 641px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
}
</style>"""

st.html(PAGE_CSS if state.presenter() else PAGE_CSS + HEADER_CSS)
st.title(f"Draw & explain: {pair_title(pair) if net == 'pair' else 'any two of 8 characters'}")
if not state.presenter():  # the presenter says it; the canvas and map keep the first screen
    st.container(key="draw_intro").caption(
        "Draw one character in the black square: the network names it, ModuleX colours the "
        "pixels that decided it, and a sentence says where the evidence lies."
    )

# bottom-aligned while the examples are one row (a pair); the 17 of the 8 wrap under the top
network_column, strip_column, test_column = st.columns(
    [1.1, 2.5, 1.15], vertical_alignment="bottom" if net == "pair" else "top"
)
network_column.segmented_control(
    "Network",
    list(NETS),
    format_func=NETS.get,
    key="net",
    required=True,
    help="The pair's own network, or the one that tells all 8 characters apart (explaining any "
    "two of them).",
)

# the numpy view of the checked weight export: this page never imports TensorFlow
model = guard.loaded_or_stop(cache.network, name, kind)

TEST_PROBLEM = "test_pick_problem"
TEST_POPOVER = "test_popover"


def _load_picked_example() -> None:
    picked = st.session_state.get("example_pick")
    if picked:
        inputs.load_example(picked)
        st.session_state["example_pick"] = None  # every click loads, even the same example again


def _pick_test_image() -> None:
    wrong = st.session_state.get("test_pick_kind") == "misclassified"
    st.session_state[TEST_PROBLEM] = problem = inputs.pick_test_image(name, kind, mistakes=wrong)
    if not problem:
        st.session_state[TEST_POPOVER] = False  # the picture is on the canvas: out of its way


with strip_column:
    shown_examples = [e.name for e in EXAMPLES if net == ALL_EIGHT or e.character in characters]
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
with test_column.popover(
    "Random test image",
    icon=":material/casino:",
    width="stretch",
    key=TEST_POPOVER,
    on_change=lambda: None,  # stateful, so a pick can close it
):
    if cache.dataset_available():
        st.radio(
            "Which",
            ["correctly classified", "misclassified"],
            key="test_pick_kind",
            horizontal=True,
        )
        st.button("Pick one", key="test_pick", on_click=_pick_test_image)
        if st.session_state.get(TEST_PROBLEM):
            st.info(st.session_state[TEST_PROBLEM])
    else:
        st.caption("Needs the EMNIST test set on this machine (`python -m core download`).")


def _class_pickers() -> None:
    """What to explain: the prediction or a character; in contrast mode, against what."""
    thesis = mode == "thesis"
    options = [PREDICTED, *characters]
    if st.session_state.get("why") not in options:
        st.session_state["why"] = PREDICTED
    if net == "pair":
        st.segmented_control(
            "Explain",
            options,
            key="why",
            format_func=lambda c: "the prediction" if c == PREDICTED else display_name(c),
            disabled=thesis,
            required=True,
        )
        return
    against_options = [RUNNER_UP, *characters]
    if st.session_state.get("against") not in against_options:
        st.session_state["against"] = RUNNER_UP
    why_column, against_column = st.columns(2)
    why_column.selectbox(
        "Why",
        options,
        key="why",
        format_func=lambda c: "the prediction" if c == PREDICTED else display_name(c),
        disabled=thesis,
    )
    against_column.selectbox(
        "and not",
        against_options,
        key="against",
        format_func=lambda c: "the runner-up" if c == RUNNER_UP else display_name(c),
        disabled=mode != "contrast",
        help="The character argued against (contrast mode).",
    )


def _headline(found) -> None:
    probabilities, predicted = found.probabilities, found.predicted
    if found.refused:
        st.markdown(f"### {found.answer}")
        st.caption(
            "Unlikely to be any of these characters (a line, a scribble or another character?). "
            "The network's guess, for what it is worth: "
            f"{names[predicted]} ({probabilities[predicted]:.1%})."
        )
    else:
        st.markdown(f"### {headline(found, names)}")
    label = state.current().label
    if label:  # a test image: its true label, as large as the answer it checks
        right = label in characters and characters.index(label) == predicted
        st.markdown(
            f"**Labelled {display_name(label)}** in the test set: the network is "
            + ("**right**." if right else "**wrong**.")
        )
    question = found.question
    st.markdown(
        f"**The map answers:** {question.words(characters)}"
        + (f" \u2014 {question.note}." if question.note else "")
    )


def _server_figures(image: np.ndarray, found) -> None:
    """The server path's own bars and map (the live canvas shows them otherwise)."""
    probabilities = found.probabilities
    order = np.argsort(-probabilities, kind="stable") if net == ALL_EIGHT else range(len(names))
    for label in order:
        text = f"{names[label]}: {probabilities[label]:.1%}"
        st.progress(float(probabilities[label]), text=f":gray[{text}]" if found.refused else text)
    limit = cache.map_limit(name, kind, mode, found.target)
    figure = st.session_state.get("explanation_figure")
    if figure is None:
        figure = st.session_state["explanation_figure"] = plots.explanation_figure(
            image, found.importance, limit=limit
        )
    else:
        plots.update_explanation_figure(figure, image, found.importance, limit=limit)
    st.plotly_chart(figure, key="explanation", config={"displayModeBar": False})


def _show_explanation(record, found, live: bool) -> None:
    """The server's (reference) result; with the live canvas on, its bars and map are the
    canvas' own, so the server adds the numbers, the sentence and the exports."""
    _headline(found)
    if not live:
        _server_figures(record.image, found)
    map_checks.show(found, name, kind, mode)
    st.markdown(f"*{found.sentence}*")
    st.caption(mode_in_a_sentence(found.question, characters))
    st.caption(
        colour_meaning(found.question, characters, state.palette())
        + f" ({state.network_title()} network.)"
    )
    if kind == "cnn" and st.toggle("Also show Grad-CAM", key="show_gradcam"):
        cam = gradcam(
            model,
            record.image[None],
            target=[found.target],
            contrast=None if found.contrast is None else [found.contrast],
        )[0]
        st.plotly_chart(
            plots.maps_figure(
                [cam], [f"Grad-CAM for {names[found.target]}"], height=300, images=[record.image]
            ),
            key="gradcam",
            config={"displayModeBar": False},
        )
        st.caption(
            "Grad-CAM: the last convolution's feature maps weighted by their mean gradient, "
            "positive part, upsampled from 3x3."
        )
    st.caption(  # a test image's description names its label already
        f"Input: {inputs.description_markdown()} · "
        f"{int((record.image > 127).sum())} ink pixels of 784 · "
        f"fingerprint {answers.fingerprint(record.image)}"
    )
    _export_buttons(record, found)


def _export_buttons(record, found) -> None:
    """PNG of the view and a PDF report, built only when clicked."""
    title = answer_title(found, names, state.network_title())
    global_maps, _ = answers.reference_maps(name, kind)
    references = []
    if global_maps is not None and net == "pair":
        references = [
            (f"global map of {n}", m) for n, m in zip(names, global_maps.get(mode), strict=True)
        ]
    # read here: the exports run outside the script's thread
    described = inputs.description()
    palette = state.palette()
    limit = cache.map_limit(name, kind, mode, found.target)
    meaning = plain(colour_meaning(found.question, characters, palette))
    today = datetime.date.today().isoformat()
    checks = map_checks.export_line(found, name, kind, mode)
    accuracy = hard_pair.test_accuracy(name, kind)
    if accuracy:
        low, high = accuracy_interval(*accuracy)
        accuracy_line = (
            f"The {state.network_title()} network is right on {accuracy[0] / accuracy[1]:.1%} of "
            f"its {accuracy[1]:,} test images (95% interval {low:.1%}–{high:.1%})."
        )
    else:
        accuracy_line = ""

    def report(with_text: bool):
        lines = [
            " · ".join(
                f"{n}: {p:.1%}"
                for n, p in zip(names, found.probabilities, strict=True)
                if p >= 0.005 or len(names) <= 2  # a pair: both, even at 0.0%
            ),
            meaning,
        ]
        text = ""
        if with_text:
            lines.append(f"Mode: {mode}. {checks}. Input: {described}. {today}.")
            if accuracy_line:
                lines.append(accuracy_line)
            text = found.sentence
        return Report(
            title,
            record.image,
            lines,
            [(found.question.words(characters), found.importance)],
            text,
            references=references,
            palette=palette,
            limit=limit,
        )

    # one under the other: side by side in the narrow result column their labels were cut
    st.download_button(
        "View as PNG",
        data=lambda: png_bytes(report(False).render()),
        file_name="modulex-view.png",
        mime="image/png",
        on_click="ignore",
        key="export_view",
        icon=":material/image:",
    )
    st.download_button(
        "Report as PDF",
        data=lambda: pdf_bytes(report(True)),  # an A4 page with real text
        file_name="modulex-report.pdf",
        mime="application/pdf",
        on_click="ignore",
        key="export_report",
        icon=":material/picture_as_pdf:",
    )


@st.fragment
def draw_and_explain() -> None:
    # A pen lift reruns only this fragment. The pair's global maps do not depend on the drawing,
    # so they are drawn outside it (below) and never re-sent on a stroke; the 8-character
    # network's follow the two characters compared, so they live in here, in a third column.
    # the drawing column fits the canvas and the live map side by side at 280 px each
    # (presenter view: no sidebar, so the result gets the rest of the width)
    drawing_column, result_column = st.columns(
        [1.25, 1] if state.presenter() else [2, 1], gap="medium"
    )
    # the pen's drawing (or the editor's) becomes the record first
    refused = live_canvas.accept("canvas") or edit_mode.accept()
    record = state.current()
    warnings: list[str] = []
    found = None
    problem_explaining = None
    try:
        found = answers.current_answer(warn=warnings.append)
    except ValueError as error:
        problem_explaining = str(error)
    with drawing_column:
        networks = [
            live_canvas.network(
                name,
                kind,
                "What the network sees (28x28), coloured by the live map · "
                f"{'8-character' if net == ALL_EIGHT else pair_title(pair)}, {KIND_NAMES[kind]}",
                names,
                cache.map_limits(name, kind, mode),
            )
        ]
        # the editor beside the live map (one row; on a phone one under the other), so both
        # are in view while a stroke is dragged; the live canvas keeps its place in the page
        with st.container(horizontal=True, key="live_row"):
            problem = live_canvas.show(
                "canvas",
                networks,
                characters,
                server=live_canvas.server_data(found, record),
                editing=edit_mode.active(),
            )
            if edit_mode.active():
                with st.container(width=284, key="editor_box"):
                    edit_mode.show()
        edit_mode.toggle()
        if problem:
            st.caption(live_canvas.fallback_note(problem))
        st.file_uploader(
            "...or upload a picture of one character (it replaces the drawing)",
            type=["png", "jpg", "jpeg", "gif", "bmp", "webp"],
            key="upload",
            on_change=inputs.uploaded,
            args=("upload",),
        )
    record = state.current()
    with result_column:
        _class_pickers()
        for warning in warnings:
            st.warning(warning)
        if record.image is None:
            st.info(
                refused
                or record.problem
                or "Draw a character on the canvas, upload a picture, or pick an example above "
                "to see the prediction and its explanation."
            )
        elif problem_explaining:
            st.error(f"Could not explain this input: {problem_explaining}")
        elif found is not None:
            if refused:
                st.warning(refused)
            _show_explanation(record, found, live=problem is None)
    link.write_to_url()  # a pen lift reruns only this fragment: the link follows it here
    if net == "pair":
        return
    with st.container(key="global_maps"):
        st.markdown("**Hold it against the global maps**")
        global_maps, grid = answers.reference_maps(name, kind)
        if global_maps is None:
            return
        if found is not None:
            _eight_class_global_maps(global_maps, grid, found.target, found.contrast)
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
    """The global maps of the two characters explained."""
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


draw_and_explain()
if net == "pair":
    hard_pair.show(pair, kind, "draw")
    with st.container(key="global_maps"):
        st.markdown("**Hold it against the global maps**")
        shipped, _ = answers.reference_maps(name, kind, warn=st.warning)
        if shipped is not None:
            _pair_global_maps(shipped)
