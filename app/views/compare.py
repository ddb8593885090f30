"""Compare pairs: the current drawing through all four pair networks side by side."""

from __future__ import annotations

import streamlit as st

from app import cache, inputs, live_canvas, plots, state
from app.explainers import colour_meaning
from core.data.pairs import PAIRS, display_name, pair_characters, pair_title
from core.errors import ProjectFileError
from core.insight.drawing import explain_drawing
from core.models.networks import KIND_NAMES

mode, kind = state.mode(), state.kind()
st.title("Compare pairs")
st.caption(
    "The same input through the four networks. Each network only knows its own two characters, "
    "so each answers a different question."
)


@st.fragment
def compare_pairs() -> None:
    """The live canvas with all four pairs' overlays following the pen, then the server's
    reference results for the same input."""
    networks = [
        live_canvas.network(
            pair,
            kind,
            pair_title(pair),
            [display_name(c) for c in pair_characters(pair)],
            cache.map_limit(pair, kind, mode),
        )
        for pair in PAIRS
    ]
    refused, problem = live_canvas.show("compare_canvas", networks, mode)
    if problem:
        st.caption(live_canvas.fallback_note(problem))
    upload = st.file_uploader(
        "...or upload a picture of one character (it replaces the drawing)",
        type=["png", "jpg", "jpeg", "gif", "bmp", "webp"],
        key="compare_upload",
    )
    refused = inputs.load_upload(upload) or refused
    if refused:
        st.warning(refused)
    image = state.current_input()
    if image is None:
        st.info("Nothing to compare yet: draw a character above, or upload one.")
        return
    server_results(image)


def server_results(image) -> None:
    maps, titles, rows, sentences = [], [], [], []
    for pair in PAIRS:
        characters = pair_characters(pair)
        try:
            global_maps = cache.shipped_maps(pair, kind)
        except ProjectFileError:
            global_maps = None  # the confidence then rests on stability alone
        try:
            check = cache.unlikely_check(pair, kind)
        except ProjectFileError as error:
            check = None
            st.warning(f"No \u201cnot one of these\u201d check for {pair_title(pair)}: {error}")
        try:
            found = explain_drawing(
                cache.network(pair, kind),
                image,
                mode,
                characters,
                maps=global_maps,
                unlikely_check=check,
            )
        except (ProjectFileError, ValueError) as error:
            st.error(str(error))
            continue
        probabilities, predicted = found.probabilities, found.predicted
        maps.append(found.importance)
        guess = f"{display_name(characters[predicted])} ({probabilities[predicted]:.0%})"
        titles.append(
            f"{pair_title(pair)}: "
            + (f"neither (guess {guess})" if found.refused else guess)
            + f" · confidence {found.confidence:.2f}"
        )
        sentences.append(f"**{pair_title(pair)}**: {found.sentence}")
        rows.append(
            {
                "pair": pair_title(pair),
                "prediction": "neither" if found.refused else display_name(characters[predicted]),
                "confidence": f"{probabilities[predicted]:.1%}",
                **{
                    f"P(label {i})": f"{display_name(c)} {p:.1%}"
                    for i, (c, p) in enumerate(zip(characters, probabilities, strict=True))
                },
                "explanation confidence": round(found.confidence, 2),
            }
        )

    st.plotly_chart(
        plots.maps_figure(maps, titles, height=330, shared_scale=False, images=[image] * len(maps)),
        key="compare_maps",
        config={"displayModeBar": False},
    )
    st.caption(
        f"Mode: {mode}; network: {KIND_NAMES[kind]}. Each panel "
        "explains its network's predicted class on its own colour scale, "
        "with its explanation confidence (0-1: stability under small moves and noise, and "
        "agreement with the global map). "
        + colour_meaning(mode, ("A", "B"), 0)
        .replace("**A**", "the prediction")
        .replace("**A rather than B**", "the prediction rather than the other character")
    )
    st.markdown("\n\n".join(sentences))
    st.dataframe(rows, hide_index=True, width="stretch")


compare_pairs()
