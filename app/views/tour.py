"""Guided tour: the thesis' story in six live steps, for a presenter (no drawing needed).

It tells the story of the session's pair and network (the sidebar's), and every answer it
shows is the one every other page gives (app/answers.py: the same verdict, "not one of these"
included). What each step says about its picture is either computed from it (the sentences
come from core.textual on the very maps shown) or checked by a test: for 2 vs Z/z, test image
#58 is a 2 the Dense network misreads (the CNN reads it right), and test image #85 is label
noise (labelled 2, plainly a Z, and every network says Z); for the other pairs and networks the
mistake is the test set's most confident one, found when the step runs.
"""

from __future__ import annotations

import re

import numpy as np
import streamlit as st

from app import answers, cache, plots, state
from app.explainers import colour_meaning, plain
from app.explainers import headline as headline_markdown
from app.guard import stop_on_project_error
from core.data.pairs import PAIRS, display_name, pair_characters, pair_title
from core.explain import METHOD_INFO, METHODS, predict_and_explain
from core.explain.question import Question
from core.inputs.examples import EXAMPLES, by_name, render
from core.inputs.preprocess import canvas_to_input
from core.insight.report import Report, png_bytes
from core.insight.textual import describe
from core.models.networks import network_key
from core.studies.methods_report.markdown import headline, in_a_sentence
from core.studies.methods_report.stored import load_report
from core.studies.methods_report.tables import by_family, standing

STEPS = (
    "A drawing and its explanation",
    "The same drawing, four networks",
    "What the network looks at on average",
    "A mistake held against the global maps",
    "ModuleX beside other explanation methods",
    "What to take away",
)
PAIR, KIND = state.pair(), state.kind()
STORY_PAIR = "2Z"  # the pair whose test images were chosen by looking at them
# Chosen by looking at the images (EMNIST pairs test set); the step checks each claim again.
MISTAKE_INDEX = 58  # a looped 2: the Dense network says Z, the CNN says 2
LABEL_NOISE_INDEX = 85  # labelled 2, plainly a Z: the network is right, the label is wrong
CHARACTERS = pair_characters(PAIR)
NAMES = [display_name(c) for c in CHARACTERS]
PALETTE = state.palette()
EXAMPLE = next(e.name for e in EXAMPLES if e.character == CHARACTERS[0] and not e.ambiguous)


@st.cache_data(show_spinner=False)
def example_image(name: str) -> np.ndarray:
    return canvas_to_input(render(by_name(name)))


def _step_from_url() -> int:
    """The step the URL asks for (``?step=1`` to the last, ASCII digits only), else the first
    with a notice; a session's later runs keep its own step."""
    if "tour_step" not in st.session_state:
        requested = st.query_params.get("step")
        valid = (
            requested is not None
            and re.fullmatch(r"[1-9][0-9]{0,2}", requested, re.ASCII) is not None
            and int(requested) <= len(STEPS)
        )
        st.session_state["tour_step"] = int(requested) - 1 if valid else 0
        if requested is not None and not valid:
            st.toast(
                f"Ignored the link's step: it must be a number from 1 to {len(STEPS)}; "
                "starting at step 1.",
                icon=":material/link_off:",
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
        shortcut="Left" if where == "top" else None,
        help="Previous step (left arrow key)",
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
        shortcut="Right" if where == "top" else None,
        help="Next step (right arrow key)",
    )


def _answer(pair: str, image, mode: str):
    """The answer every page gives this image on this pair's network (app/answers.py)."""
    return answers.answer(image, pair, KIND, Question(mode))


def _headline(found, names) -> str:
    probabilities, predicted = found.probabilities, found.predicted
    guess = f"{names[predicted]} ({probabilities[predicted]:.0%})"
    return f"{found.answer} (its guess: {guess})" if found.refused else guess


def step_drawing(model, image) -> Report:
    st.markdown(
        f"A person draws a character; the **{pair_title(PAIR)}** network "
        f"({state.KIND_NAMES[KIND]}) says which of its two characters it is. ModuleX walks back "
        "through the network, layer by layer, and gives every pixel a signed importance: "
        "`H_i = X_i ⊙ ((H_{i+1} − b_i) · W_iᵀ)`."
    )
    by_target, by_contrast = _answer(PAIR, image, "target"), _answer(PAIR, image, "contrast")
    headline = _headline(by_contrast, NAMES)
    st.markdown(f"### {headline_markdown(by_contrast, NAMES)}")
    titles = [
        by_target.question.words(CHARACTERS),
        by_contrast.question.words(CHARACTERS),
    ]
    st.plotly_chart(
        plots.maps_figure(
            [by_target.importance, by_contrast.importance],
            titles,
            height=360,
            shared_scale=False,
            images=[image, image],
        ),
        key="tour_drawing",
        config={"displayModeBar": False},
    )
    meaning = colour_meaning(by_contrast.question, CHARACTERS, PALETTE)
    st.caption(f"Right: {meaning}")
    return Report(
        f"{state.network_title()}: {headline}",
        image,
        [plain(meaning)],
        [(titles[0], by_target.importance), (titles[1], by_contrast.importance)],
        shared_scale=False,
        palette=PALETTE,
    )


def step_pairs(image) -> Report:
    st.markdown(
        "Each network only knows its own two characters, so the same drawing answers four "
        "different questions, and a network may say the drawing is neither of its characters."
    )
    maps, titles = [], []
    for pair in PAIRS:
        found = _answer(pair, image, "contrast")
        names = [display_name(c) for c in pair_characters(pair)]
        maps.append(found.importance)
        guess = f"{names[found.predicted]} ({found.probabilities[found.predicted]:.0%})"
        titles.append(
            f"{pair_title(pair)}: " + (f"neither (guess {guess})" if found.refused else guess)
        )
    st.plotly_chart(
        plots.maps_figure(maps, titles, height=330, shared_scale=False, images=[image] * len(maps)),
        key="tour_pairs",
        config={"displayModeBar": False},
    )
    colours = plots.palette()
    limits = [plots.symmetric_limit(m) for m in maps]
    meaning = (
        f"Contrast maps: {colours['for']} makes it the predicted character rather than the other "
        f"one of its pair, {colours['against']} the reverse. Each map has its own colour scale "
        f"(here from ±{min(limits):.2g} to ±{max(limits):.2g}: a network sure of its answer "
        "gives a far stronger map), so compare where the colour lies, not how strong it is."
    )
    st.caption(meaning)
    return Report(
        "The same drawing, four networks",
        image,
        [meaning],
        list(zip(titles, maps, strict=True)),
        shared_scale=False,
        palette=PALETTE,
    )


def step_global() -> Report:
    maps = cache.shipped_maps(PAIR, KIND)
    label_maps = maps.get("target")
    reading = [
        describe(label_maps[0], NAMES[0], mode="target"),
        describe(label_maps[1], NAMES[1], mode="target"),
    ]
    st.markdown(
        f"Averaging the explanations of the first {maps.k} test images of each label shows what "
        f"the network looks for. On its global map of {NAMES[0]}: *{reading[0]}* On its map of "
        f"{NAMES[1]}: *{reading[1]}*"
        + (
            " (The thesis read the 2 in its top curve and bottom-left loop, the Z in its top bar "
            "and bottom right.)"
            if PAIR == STORY_PAIR
            else ""
        )
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
        [f"Mean target maps of the first {maps.k} test images of each label.", *reading],
        list(zip(titles, panels, strict=True)),
        palette=PALETTE,
    )


def chosen_test_images() -> dict | None:
    """The 2 vs Z/z story's mistake and label-noise example, each with its claims checked on
    this dataset (None without the dataset, or when a claim does not hold here)."""
    if PAIR != STORY_PAIR or not cache.dataset_available():
        return None
    images, labels = cache.test_set(PAIR)
    if len(labels) <= max(MISTAKE_INDEX, LABEL_NOISE_INDEX):
        return None
    dense = cache.test_probabilities(PAIR, "dense").argmax(axis=1)
    cnn = cache.test_probabilities(PAIR, "cnn").argmax(axis=1)
    mistake_holds = (labels[MISTAKE_INDEX], dense[MISTAKE_INDEX], cnn[MISTAKE_INDEX]) == (0, 1, 0)
    noise_holds = (labels[LABEL_NOISE_INDEX], dense[LABEL_NOISE_INDEX], cnn[LABEL_NOISE_INDEX]) == (
        0,
        1,
        1,
    )
    if not (mistake_holds and noise_holds):
        return None
    return {"mistake": images[MISTAKE_INDEX], "noise": images[LABEL_NOISE_INDEX]}


def _a_mistake(model, chosen) -> tuple[np.ndarray, str, int, int]:
    """(image, what it is in words, the class it is, the class the network says): the story's
    test image, else this network's most confident test mistake, else (no dataset) the example
    drawing it is least sure of, called a mistake only if it is one."""
    if chosen is not None and KIND == "dense":
        image = chosen["mistake"]
        said = predict_and_explain(model, image[None], mode="thesis")[0][0]
        return (
            image,
            f"test image #{MISTAKE_INDEX}, a looped {NAMES[0]} that this Dense network calls "
            f"{NAMES[1]} ({said[1]:.0%}); the CNN reads it as {NAMES[0]}",
            0,
            1,
        )
    if cache.dataset_available():
        images, labels = cache.test_set(PAIR)
        probabilities = cache.test_probabilities(PAIR, KIND)
        predicted = probabilities.argmax(axis=1)
        wrong = np.flatnonzero(predicted != labels)
        if len(wrong):
            index = int(wrong[np.argmax(probabilities[wrong].max(axis=1))])
            true, said = int(labels[index]), int(predicted[index])
            return (
                images[index],
                f"test image #{index}, labelled {NAMES[true]}, which this network calls "
                f"{NAMES[said]} ({probabilities[index, said]:.0%}): its most confident mistake on "
                "the test set",
                true,
                said,
            )
    found = cache.drawn_mistake(PAIR, KIND)
    if found is not None:
        return (
            found.image,
            f"the example \u201c{found.example}\u201d drawn again as a person might (turned, "
            f"stretched, another size and brush), a {NAMES[found.true]} that the network calls "
            f"{NAMES[found.said]} ({found.probability:.0%}); the dataset is not here, so a "
            "drawing stands in for a test image",
            found.true,
            found.said,
        )
    drawings = [e for e in EXAMPLES if e.character in CHARACTERS]
    pictures = [example_image(e.name) for e in drawings]
    said = predict_and_explain(model, np.stack(pictures), mode="thesis")[0]
    meant = [CHARACTERS.index(e.character) for e in drawings]
    sureness = [said[i, meant[i]] for i in range(len(drawings))]
    pick = int(np.argmin(sureness))
    true = meant[pick]
    where = (
        f"the example drawing \u201c{drawings[pick].name}\u201d, a {NAMES[true]} it reads "
        f"right ({said[pick, true]:.0%}) though it is the one it is least sure of"
    )
    return pictures[pick], where, true, true


def step_mistake(model) -> Report:
    chosen = chosen_test_images()
    image, where, true, said = _a_mistake(model, chosen)
    other = 1 - said
    if said != true:
        st.markdown(
            f"Now a mistake: {where}. Held against the global maps, its explanation shows what "
            "the network went by."
        )
    else:
        st.markdown(
            "No mistake to show here: the test set is not on this machine and no redrawn "
            f"example fools this network. Instead, {where}: held against the global maps, its "
            "explanation shows what the network goes by."
        )
    _, local = predict_and_explain(model, image[None], mode="contrast", target=said)
    global_maps = cache.shipped_maps(PAIR, KIND).get("target", "correct")
    verdict = "(the wrong answer)" if said != true else "(the right answer)"
    st.plotly_chart(
        plots.maps_figure(
            [local[0]],
            [f"why {NAMES[said]} and not {NAMES[other]} {verdict}"],
            height=320,
            images=[image],
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
    lesson = (
        f"What made it {NAMES[said]} for this network: "
        f"{describe(local[0], NAMES[said], NAMES[other], mode='contrast')} "
        f"Compare with the global map of {NAMES[true]}: "
        f"{describe(global_maps[true], NAMES[true], mode='target')}"
    )
    st.caption(lesson)
    if chosen is not None:
        noise_column, text_column = st.columns([1, 4], vertical_alignment="center")
        noise_column.image(
            np.kron(chosen["noise"], np.ones((4, 4), np.uint8)),
            caption=f"test image #{LABEL_NOISE_INDEX}",
        )
        text_column.markdown(
            f"Not every mistake is the network's. Test image #{LABEL_NOISE_INDEX} is labelled "
            f"**{NAMES[0]}** but plainly shows a **{NAMES[1]}**, and every network says "
            f"{NAMES[1]}: the network is right, the label is wrong (**label noise**). The most "
            'confident "mistakes" in the Mistakes gallery are often of this kind.'
        )
    elif cache.dataset_available():
        st.markdown(
            'Not every mistake is the network\'s: the most confident "mistakes" in the Mistakes '
            "gallery are often mislabelled images. Look at the picture before blaming the network."
        )
    return Report(
        "A mistake held against the global maps",
        image,
        [where[0].upper() + where[1:] + "."],
        [(f"why {NAMES[said]} and not {NAMES[other]} {verdict}", local[0])],
        lesson,
        references=[
            (f"global map of {NAMES[0]}", global_maps[0]),
            (f"global map of {NAMES[1]}", global_maps[1]),
        ],
        palette=PALETTE,
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
        "Other explanation methods answer the same question differently "
        f"({', '.join(METHOD_INFO[n]['label'] for n in names)}). "
        "The Methods page scores them all on the test sets: which explanation can you trust?"
    )
    try:
        report, network = load_report(), network_key(PAIR, KIND)
        summary = in_a_sentence(report, network)
        shares = by_family(standing(report, network))
        verdict = headline(report, network)
    except (OSError, ValueError, KeyError):
        summary, shares, verdict = "", {}, []
    if summary:
        st.markdown(summary)
        st.plotly_chart(
            plots.standing_figure(shares, METHOD_INFO["modulex"]["label"], height=220),
            key="tour_standing",
            config={"displayModeBar": False},
        )
        with st.expander("Every measure, with its rank and the best method"):
            for line in verdict:
                st.markdown(f"- {line}")
    maps, titles = [], []
    for name in names:
        try:
            maps.append(METHODS[name](model, image[None], target=None)[0])
            titles.append(METHOD_INFO[name]["label"])
        except Exception as error:  # one failing method must not end the tour
            st.warning(f"{name}: {error}")
    st.plotly_chart(
        plots.maps_figure(maps, titles, height=300, shared_scale=False, images=[image] * len(maps)),
        key="tour_methods",
        config={"displayModeBar": False},
    )
    return Report(
        "ModuleX beside other explanation methods",
        image,
        [summary] if summary else [],
        list(zip(titles, maps, strict=True)),
        shared_scale=False,
        palette=PALETTE,
    )


TAKEAWAYS = (
    "**A map answers one question.** In contrast mode (the default) it is *why {a} and not "
    "{b}*: {red} pixels argue for the answer, {blue} ones for the other character.",
    "**A network only knows its own pair.** The same drawing gets four different answers from "
    "the four pair networks.",
    "**Global maps show habits.** Averaged over hundreds of test images they show what a "
    "network looks for, and a mistake is easiest to read against them.",
    '**Some mistakes are the label\'s.** A confident "mistake" can be a mislabelled image: '
    "look at the picture before blaming the network.",
    "**Methods disagree.** Other explanation methods give other maps; the Methods page tests "
    "which ones the network actually follows.",
)


def step_summary() -> Report:
    colours = plots.palette()
    lines = [
        line.format(a=NAMES[0], b=NAMES[1], red=colours["for"], blue=colours["against"])
        for line in TAKEAWAYS
    ]
    st.markdown("\n".join(f"{number}. {line}" for number, line in enumerate(lines, 1)))
    links = st.columns(3)
    links[0].page_link("views/draw.py", label="Now draw your own", icon=":material/draw:")
    links[1].page_link("views/mistakes.py", label="Browse the mistakes", icon=":material/error:")
    links[2].page_link("views/methods.py", label="Compare the methods", icon=":material/balance:")
    return Report("What to take away", None, [line.replace("**", "") for line in lines])


def _run_step(step: int, model, image) -> Report:
    if step == 0:
        return step_drawing(model, image)
    if step == 1:
        return step_pairs(image)
    if step == 2:
        return step_global()
    if step == 3:
        return step_mistake(model)
    if step == 4:
        return step_methods(model, image)
    return step_summary()


st.title(f"Guided tour: why {NAMES[0]} and not {NAMES[1]}? ({state.KIND_NAMES[KIND]})")
step = _step_from_url()
st.query_params["step"] = str(step + 1)
_navigation(step, "top")
st.subheader(STEPS[step])
with stop_on_project_error():
    model = cache.network(PAIR, KIND)
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
