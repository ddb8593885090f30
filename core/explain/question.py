"""The question a map answers, resolved in one place for every page and network.

A user asks in words: "why the prediction", "why Z", "why 2 and not S", "why the prediction
and not the runner-up". :func:`resolve` turns that choice, for one input's probabilities, into
the class explained (``target``) and, in contrast mode, the class argued against
(``contrast``). Every page, the sentence, the titles and the exports use it; the browser's copy
(``resolveQuestion`` in ``app/static/live/question.js``) is held equal to it on every
combination by ``tests/app/test_question.py``.

Rules:
- ``why`` is ``"predicted"`` (the most probable class, the first one on a tie) or one of the
  network's characters; anything else falls back to the prediction, with a note.
- Contrast mode argues against ``against``: a character, or ``"runner-up"``, the most probable
  class other than the target (the first one on a tie; on a pair network, the other class).
  When ``against`` names the target itself, the runner-up is argued against, with a note:
  "why 2 and not 2" is no question.
- Thesis mode explains the whole output; its ``target`` is the prediction (what the sentence
  names) and it has no contrast. Target mode has no contrast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.data.pairs import display_name

MODES = ("thesis", "target", "contrast")
PREDICTED = "predicted"
RUNNER_UP = "runner-up"


@dataclass(frozen=True)
class Question:
    """What the user asked, before any input is seen."""

    mode: str = "contrast"
    why: str = PREDICTED  # PREDICTED or a character code ("2", "Z", ...)
    against: str = RUNNER_UP  # RUNNER_UP or a character code (contrast mode only)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")


@dataclass(frozen=True)
class Resolved:
    """The question for one input: class indices into the network's characters."""

    mode: str
    target: int  # the class explained (thesis mode: the prediction, which the sentence names)
    contrast: int | None  # the class argued against (contrast mode only)
    predicted: int
    note: str = ""  # set when the user's choice could not be followed as asked

    def words(self, classes: tuple[str, ...]) -> str:
        """The question in words: "why 2 and not Z/z", "why Z/z", "the whole output"."""
        if self.mode == "thesis":
            return "the whole output"
        chosen = display_name(classes[self.target])
        if self.contrast is None:
            return f"why {chosen}"
        return f"why {chosen} and not {display_name(classes[self.contrast])}"


def runner_up(probabilities, target: int) -> int:
    """The most probable class other than ``target`` (the first one on a tie)."""
    values = np.asarray(probabilities, dtype=np.float64)
    best = -1
    for index, value in enumerate(values):
        if index != target and (best < 0 or value > values[best]):
            best = index
    return best


def resolve_indices(
    mode: str, why: int | None, against: int | None, probabilities
) -> tuple[int, int | None]:
    """The rule itself, on class indices (``why`` None: the prediction; ``against`` None: the
    runner-up): (target, contrast). This is what the browser's copy repeats."""
    values = np.asarray(probabilities, dtype=np.float64)
    predicted = int(values.argmax())
    target = predicted if why is None or mode == "thesis" else int(why)
    if mode != "contrast":
        return target, None
    if against is not None and int(against) != target:
        return target, int(against)
    return target, runner_up(values, target)


def indices(question: Question, classes: tuple[str, ...]) -> tuple[int | None, int | None]:
    """``question``'s choices as class indices for :func:`resolve_indices` (None: the
    prediction / the runner-up, also for a character the network does not have)."""
    why = classes.index(question.why) if question.why in classes else None
    against = classes.index(question.against) if question.against in classes else None
    return why, against


def resolve(question: Question, classes: tuple[str, ...], probabilities) -> Resolved:
    """``question`` for an input the network gives ``probabilities`` over ``classes``."""
    values = np.asarray(probabilities, dtype=np.float64)
    if values.shape != (len(classes),):
        raise ValueError(f"expected {len(classes)} probabilities, got shape {values.shape}")
    why, against = indices(question, classes)
    target, contrast = resolve_indices(question.mode, why, against, values)
    notes = []
    if question.mode != "thesis" and question.why != PREDICTED and why is None:
        notes.append(
            f"{question.why!r} is not one of this network's characters, so the map explains "
            "the prediction"
        )
    if question.mode == "contrast":
        if against is not None and against == target:
            other = runner_up(values, target)
            notes.append(
                f"{display_name(classes[target])} is the class explained, so the map argues "
                f"against the runner-up, {display_name(classes[other])}"
            )
        elif question.against != RUNNER_UP and against is None:
            notes.append(
                f"{question.against!r} is not one of this network's characters, so the map "
                "argues against the runner-up"
            )
    return Resolved(question.mode, target, contrast, int(values.argmax()), "; ".join(notes))
