"""Compare pairs: the current input through all four pair networks side by side.

One row of four live maps follows the pen (each network explains its own prediction, in the
sidebar's mode); under it, the server's answer per network, in the same words as on every other
page: the probability of the prediction, the "not one of these" verdict, the map's stability
against the band typical for the network, and the sentence.
"""

from __future__ import annotations

import streamlit as st

from app import answers, cache, inputs, link, live_canvas, map_checks, plots, state
from core.data.pairs import PAIRS, display_name, pair_characters, pair_title
from core.errors import ProjectFileError
from core.explain.question import Question
from core.insight.confidence_band import typical
from core.insight.palette import words

mode, kind = state.mode(), state.kind()
st.title("Compare pairs")
st.caption(
    "The same input through the four networks. Each network only knows its own two characters, "
    "so each answers a different question: why its prediction"
    + (" and not the other character of its pair" if mode == "contrast" else "")
    + f" ({mode} mode, {state.KIND_NAMES[kind]} networks)."
)
SHARED_KEY = state.SHARED_SCALE_KEY


@st.fragment
def compare_pairs() -> None:
    """The live canvas with all four pairs' maps following the pen, then the server's answers
    for the same input."""
    refused = live_canvas.accept("compare_canvas")
    shared = st.toggle(
        "One colour scale for the four maps",
        key=SHARED_KEY,
        help="Off: each map on its own scale (the networks' values differ by orders of "
        "magnitude). On: one scale for all four, so their strengths compare.",
    )
    fixed = {pair: cache.map_limits(pair, kind, mode) for pair in PAIRS}
    networks = [
        live_canvas.network(
            pair,
            kind,
            pair_title(pair),
            [display_name(c) for c in pair_characters(pair)],
            None if shared else fixed[pair],
        )
        for pair in PAIRS
    ]
    record = state.current()
    problem = live_canvas.show("compare_canvas", networks, None, shared_scale=shared)
    if problem:
        st.caption(live_canvas.fallback_note(problem))
    st.file_uploader(
        "...or upload a picture of one character (it replaces the drawing)",
        type=["png", "jpg", "jpeg", "gif", "bmp", "webp"],
        key="compare_upload",
        on_change=inputs.uploaded,
        args=("compare_upload",),
    )
    if refused or record.problem:
        st.warning(refused or record.problem)
    if record.image is None:
        st.info("Nothing to compare yet: draw a character above, or upload one.")
    else:
        server_results(record, live=problem is None, shared=shared)
    link.write_to_url()


def _colour_words() -> str:
    """What the palette's colours mean on these four maps (each its own prediction)."""
    positive, negative = words(state.palette())
    if mode == "thesis":
        return (
            f"{positive.capitalize()} pixels push each network's whole output up, {negative} "
            "pixels push it down."
        )
    if mode == "target":
        return (
            f"{positive.capitalize()} pixels speak for each network's prediction, {negative} "
            "pixels against it."
        )
    return (
        f"{positive.capitalize()} pixels make it each network's prediction rather than the other "
        f"character of its pair, {negative} pixels the reverse."
    )


def server_results(record, live: bool, shared: bool) -> None:
    found_by_pair, titles, rows, sentences = {}, [], [], []
    for pair in PAIRS:
        characters = pair_characters(pair)
        names = [display_name(c) for c in characters]
        try:
            found = answers.answer(record.image, pair, kind, Question(mode), warn=st.warning)
        except (ProjectFileError, ValueError) as error:
            st.error(str(error))
            continue
        found_by_pair[pair] = found
        probabilities, predicted = found.probabilities, found.predicted
        guess = f"{names[predicted]} ({probabilities[predicted]:.0%})"
        answer = f"neither of its characters (its guess: {guess})" if found.refused else guess
        titles.append(f"{pair_title(pair)}: {answer}")
        sentences.append(f"**{pair_title(pair)}: {answer}.** {found.sentence}")
        rows.append(
            {
                "network": pair_title(pair),
                "answer": "neither of its characters" if found.refused else names[predicted],
                "probability of the prediction": f"{probabilities[predicted]:.1%}",
                "map answers": found.question.words(characters),
                "map stability": round(found.stability, 2),
                "typical for drawings": typical(
                    (cache.confidence_bands(pair, kind, mode) or {}).get("stability")
                ),
            }
        )
    if not live:  # the server path: its own row of maps (the live canvas shows them otherwise)
        maps = [found.importance for found in found_by_pair.values()]
        st.plotly_chart(
            plots.maps_figure(
                maps,
                titles,
                height=330,
                shared_scale=shared,
                images=[record.image] * len(maps),
            ),
            key="compare_maps",
            config={"displayModeBar": False},
        )
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(
        _colour_words()
        + " Map stability (−1 to 1): how little the map changes when the drawing moves a "
        "pixel or its ink varies; typical: the 10th to 90th percentile on example drawings. It "
        "describes the map, not how far to trust the answer: read the probability and the "
        "“not one of these” verdict for that.",
        help=map_checks.help_text(),
    )
    st.markdown("\n\n".join(sentences))


compare_pairs()
