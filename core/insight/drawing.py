"""Everything shown for one drawing: prediction, ModuleX map, its confidence and its sentence.

Works for a pair network and for the 8-class network, where any two of the eight characters
can be held against each other ("why 2 and not S"). Costs one forward and backward pass for
the drawing and one batched pass for the confidence's disturbed copies: a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.aggregates import GlobalMaps
from core.data.pairs import display_name
from core.explain import predict_and_explain
from core.explain.question import Question, Resolved, resolve, runner_up
from core.insight.confidence import explanation_confidence
from core.insight.textual import describe
from core.insight.unlikely import Unlikely, UnlikelyCheck, not_one_of_these
from core.models.prediction import predict


@dataclass(frozen=True)
class LiveExplanation:
    probabilities: np.ndarray  # [classes]
    importance: np.ndarray  # [28, 28]
    target: int  # the class explained
    contrast: int | None  # the class argued against (contrast mode)
    confidence: float
    stability: float
    agreement: float  # nan without a global map to compare with
    sentence: str
    unlikely: Unlikely | None = None  # the "not one of these" verdict (None: no check at hand)
    answer: str = ""  # the headline: the prediction, or "This does not look like 2 or Z/z"
    question: Resolved | None = None  # the question answered (its words, a note if adjusted)

    @property
    def predicted(self) -> int:
        return int(self.probabilities.argmax())

    @property
    def refused(self) -> bool:
        """True when the input is unlikely to be any of the network's characters."""
        return self.unlikely is not None and self.unlikely.flagged


def answer_text(
    probabilities: np.ndarray, classes: tuple[str, ...], unlikely: Unlikely | None
) -> str:
    """The one-line answer: "2 (95%)", or "This does not look like 2 or Z/z" when flagged."""
    if unlikely is not None and unlikely.flagged:
        return not_one_of_these(classes)
    predicted = int(np.asarray(probabilities).argmax())
    return f"{display_name(classes[predicted])} ({probabilities[predicted]:.1%})"


def default_contrast(probabilities: np.ndarray, target: int) -> int:
    """The class a target is argued against by default: the most likely other class."""
    return runner_up(probabilities, target)


def reference_map(
    maps: GlobalMaps | None,
    mode: str,
    target: int,
    contrast: int | None = None,
    grid: np.ndarray | None = None,
) -> np.ndarray | None:
    """The global map an explanation is held against: the mean map of its class in its mode;
    for "target and not contrast" on the 8-class network, ``grid[target, contrast]``."""
    if mode == "contrast" and grid is not None and contrast is not None:
        return grid[target, contrast]
    if maps is None:
        return None
    try:
        return maps.get(mode)[target]
    except KeyError:
        return None


def explain_drawing(
    model,
    image: np.ndarray,
    mode: str,
    classes: tuple[str, ...],
    target: int | None = None,
    contrast: int | None = None,
    maps: GlobalMaps | None = None,
    grid: np.ndarray | None = None,
    probabilities: np.ndarray | None = None,
    unlikely_check: UnlikelyCheck | None = None,
    question: Question | None = None,
) -> LiveExplanation:
    """Explain one 28x28 image for ``question`` (core.explain.question), or, without it, for
    ``target`` (default: the prediction), against ``contrast`` in contrast mode (default: the
    most likely other class). ``probabilities``: the model's
    on ``image`` if the caller has them already (one forward pass per drawing). With
    ``unlikely_check``, the result says whether the input is unlikely to be any of ``classes``
    (``unlikely``, ``refused``) and its sentence and ``answer`` say so first."""
    if probabilities is None:
        probabilities = predict(model, image[None])[0]
    if question is None:
        question_asked = Question(
            mode,
            "predicted" if target is None else classes[int(target)],
            "runner-up" if contrast is None else classes[int(contrast)],
        )
    else:
        question_asked = question
    resolved = resolve(question_asked, tuple(classes), probabilities)
    mode, target, contrast = resolved.mode, resolved.target, resolved.contrast
    _, maps_found = predict_and_explain(
        model,
        image[None],
        mode=mode,
        target=[target],
        contrast=None if contrast is None else [contrast],
    )
    importance = maps_found[0]
    reference = reference_map(maps, mode, target, contrast, grid)
    found = explanation_confidence(
        model,
        image[None],
        importance[None],
        None if reference is None else reference[None],
        mode=mode,
        target=[target],
        contrast=None if contrast is None else [contrast],
    )
    sentence = describe(
        importance,
        display_name(classes[target]),
        None if contrast is None else display_name(classes[contrast]),
        mode,
    )
    unlikely = None if unlikely_check is None else unlikely_check(image)
    if unlikely is not None and unlikely.flagged:
        sentence = f"{not_one_of_these(classes)}, so its map explains a guess. " + sentence
    return LiveExplanation(
        probabilities,
        importance,
        target,
        contrast,
        float(found.value[0]),
        float(found.stability[0]),
        float(found.agreement[0]),
        sentence,
        unlikely,
        answer_text(probabilities, classes, unlikely),
        resolved,
    )
