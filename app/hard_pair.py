"""The note a hard pair's pages carry (0 vs O): how often its network is right, with the
uncertainty, what shape it leans on, and its surest mistakes (core/insight/hard_pairs.py)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import cache
from core.data.pairs import display_name, pair_characters, pair_title
from core.errors import ProjectFileError
from core.insight.hard_pairs import (
    HARD_BELOW,
    accuracy_interval,
    confident_mistakes,
    width_leaning,
)

MISTAKES_SHOWN = 6


def test_accuracy(pair: str, kind: str) -> tuple[int, int] | None:
    """(right, total) on the test set, from the network's metadata; None if it does not say."""
    try:
        test = cache.metadata(pair, kind)["evaluation"]["test"]
        total = int(test["n"])
        return round(float(test["accuracy"]) * total), total
    except (KeyError, TypeError, ValueError, ProjectFileError):
        return None  # a damaged metadata file is named by the page's own checks


def show(pair: str, kind: str, key: str) -> None:
    """A warning and its details when the pair's network is right on fewer than HARD_BELOW of
    its test images; nothing otherwise."""
    found = test_accuracy(pair, kind)
    if found is None or found[0] / found[1] >= HARD_BELOW:
        return
    right, total = found
    low, high = accuracy_interval(right, total)
    first, second = (display_name(c) for c in pair_characters(pair))
    st.warning(
        f"**{pair_title(pair)} is a hard pair for this network:** it is right on "
        f"{right / total:.0%} of its {total:,} test images (95% interval {low:.0%}–{high:.0%}): "
        f"people write {first} and {second} alike, so read its answers on these two as "
        "guesses.",
        icon=":material/warning:",
    )
    if not cache.dataset_available():
        return
    with st.expander("How it leans, and its surest mistakes", key=f"hard_pair_{key}"):
        images, labels = cache.test_set(pair)
        probabilities = cache.test_probabilities(pair, kind)
        predicted = probabilities.argmax(axis=1)
        rows = width_leaning(images, labels, predicted)
        st.table(
            {
                "ink width / height": [f"{r.low:.2f}–{r.high:.2f}" for r in rows],
                "test images": [r.count for r in rows],
                f"said {second}": [f"{r.said_second:.0%}" for r in rows],
                f"truly {second}": [f"{r.truly_second:.0%}" for r in rows],
            }
        )
        narrow, wide = rows[0], rows[-1]
        st.caption(
            f"The test images in {len(rows)} equal groups from the narrowest ink to the widest. "
            f"The network says {second} for {narrow.said_second:.0%} of the narrowest and "
            f"{wide.said_second:.0%} of the widest, where the labels say {narrow.truly_second:.0%} "
            f"and {wide.truly_second:.0%}: it leans on how wide the ink is "
            + ("more than the labels do." if _steeper(rows) else "no more than the labels do.")
        )
        names = [first, second]
        chosen = confident_mistakes(labels, probabilities, MISTAKES_SHOWN)
        columns = st.columns(MISTAKES_SHOWN)
        for column, index in zip(columns, chosen, strict=False):
            said = int(predicted[index])
            column.image(
                np.asarray(images[index], np.uint8),
                caption=f"a {names[labels[index]]}, said {names[said]} "
                f"({probabilities[index, said]:.0%})",
                width="stretch",
            )
        st.caption(
            "Its most confident mistakes on the test set (the Mistakes gallery has them all)."
        )


def _steeper(rows) -> bool:
    """Does the network's share of the second character rise from narrow to wide ink more than
    the labels' share does?"""
    said = rows[-1].said_second - rows[0].said_second
    truly = rows[-1].truly_second - rows[0].truly_second
    return said > truly
