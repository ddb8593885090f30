"""The server's answer for an input and a question: the one every page shows for it.

Prediction, "not one of these" verdict, map, confidence and sentence come from one call,
:func:`answer`, so the draw page, Compare pairs and the tour can never give one drawing two
verdicts. The answer for the session's record is kept until the record or the question
changes (a rerun for anything else reuses it).
"""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from app import cache, state
from core.data.pairs import ALL_EIGHT
from core.errors import ProjectFileError
from core.explain.question import Question
from core.insight.drawing import LiveExplanation, explain_drawing
from core.models.networks import characters_of

MEMO = "answer_memo"


def reference_maps(name: str, kind: str, warn=None):
    """The network's shipped global maps and, for the 8-character network, its contrast grid;
    (None, None) when missing or damaged (``warn`` is told why)."""
    try:
        return cache.shipped_maps(name, kind), cache.contrast_grid(
            kind
        ) if name == ALL_EIGHT else None
    except ProjectFileError as error:
        if warn:
            warn(str(error))
        return None, None


def unlikely_check(name: str, kind: str, warn=None):
    """The network's "not one of these" check, or None (``warn`` is told why)."""
    try:
        return cache.unlikely_check(name, kind)
    except ProjectFileError as error:
        if warn:
            warn(f"No \u201cnot one of these\u201d check: {error}")
        return None


def answer(
    image: np.ndarray, name: str, kind: str, question: Question, warn=None
) -> LiveExplanation:
    """Everything the server says about ``image`` for ``question`` on network ``name``."""
    global_maps, grid = reference_maps(name, kind, warn)
    return _explained(
        image, name, kind, question, global_maps, grid, unlikely_check(name, kind, warn)
    )


def _explained(image, name, kind, question, global_maps, grid, check) -> LiveExplanation:
    return explain_drawing(
        cache.network(name, kind),
        image,
        question.mode,
        characters_of(name),
        maps=global_maps,
        grid=grid,
        unlikely_check=check,
        question=question,
    )


def current_answer(warn=None) -> LiveExplanation | None:
    """The answer for the session's record and question (None without an input); kept until
    either changes. Damaged reference files are reported to ``warn`` on every run."""
    record = state.current()
    if record.image is None:
        return None
    name, kind, question = state.network_name(), state.kind(), state.question()
    global_maps, grid = reference_maps(name, kind, warn)
    check = unlikely_check(name, kind, warn)
    key = (
        record.version,
        fingerprint(record.image),
        name,
        kind,
        question,
        global_maps is None,
        check is None,
    )
    memo = st.session_state.get(MEMO)
    if memo is not None and memo[0] == key:
        return memo[1]
    found = _explained(record.image, name, kind, question, global_maps, grid, check)
    st.session_state[MEMO] = (key, found)
    return found


def fingerprint(image: np.ndarray) -> str:
    """A short checksum of an input's pixels: the same on every page and in the exports."""
    return hashlib.sha1(np.ascontiguousarray(image, np.uint8).tobytes()).hexdigest()[:8]
