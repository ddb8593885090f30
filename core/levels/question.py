"""The question every level answers, *scored*: "why the target?" or "why the target and not
the contrast?" as a number per input.

:mod:`core.explain.question` is the one resolver: it turns what the user asked
(``Question(mode, why, against)``) and one input's probabilities into a
:class:`~core.explain.question.Resolved` (``target``, ``contrast``, class indices), for every
page and map. This module's :class:`Question` is that resolved question with a *score
definition*, so the levels can evaluate it on any other input (a coalition of strokes, an
edited drawing, a training image): build it with :meth:`Question.from_resolved` wherever a
:class:`Resolved` exists (:func:`scored_question` resolves one on an input's logits); the
tuple form ``(mode, target, contrast)`` (:meth:`Question.of`) is for class indices chosen
directly (tests, studies). Its *score*, computed from the network's logits ``z``:

* contrast mode: ``z[target] - z[contrast]`` (the logit difference; its sign is the answer);
* target mode (the thesis mode is read as target mode: its target is the prediction): the
  target's probability (``output="probability"``, default) or its logit (``output="logit"``).

Its *answer* is yes / no: contrast mode, "does the target beat the contrast?"
(``z[target] > z[contrast]``); target mode, "is the target the predicted class?". The *margin*
is a number whose sign is the answer (``z[target] - z[contrast]``, or ``z[target]`` minus the
largest other logit): what an edit has to push through zero to flip the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.explain.question import Question as Asked
from core.explain.question import Resolved, resolve
from core.models.layer_stack import LayerStack, layer_stack, softmax

MODES = ("target", "contrast")
OUTPUTS = ("probability", "logit")


@dataclass(frozen=True)
class Question:
    """A resolved question (class indices) and how it is scored (see the module docstring)."""

    mode: str
    target: int
    contrast: int | None = None
    output: str = "probability"  # target mode only: the probability or the logit

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")
        if self.mode == "contrast" and self.contrast is None:
            raise ValueError("contrast mode needs the contrast class")
        if self.mode == "contrast" and self.contrast == self.target:
            raise ValueError("the contrast must differ from the target")
        if self.output not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}, not {self.output!r}")

    @classmethod
    def of(cls, question, n_classes: int | None = None) -> Question:
        """A :class:`Question` from itself, a :class:`~core.explain.question.Resolved` (see
        :meth:`from_resolved`) or a ``(mode, target, contrast)`` tuple; ``"thesis"`` reads as
        ``"target"``; contrast ``None`` on a two-class network means the other class."""
        if isinstance(question, Question):
            found = question
        elif isinstance(question, Resolved):
            found = cls.from_resolved(question)
        else:
            mode, target, *rest = question
            contrast = rest[0] if rest else None
            mode = "target" if mode == "thesis" else mode
            if mode == "contrast" and contrast is None and n_classes == 2:
                contrast = 1 - int(target)
            found = cls(mode, int(target), None if contrast is None else int(contrast))
        if n_classes is not None:
            for index in (found.target, found.contrast):
                if index is not None and not 0 <= index < n_classes:
                    raise ValueError(f"class {index} is not one of 0..{n_classes - 1}")
        return found

    @classmethod
    def from_resolved(cls, resolved: Resolved, output: str = "probability") -> Question:
        """The scored form of a question :func:`core.explain.question.resolve` resolved: the
        same classes; thesis mode (the whole output) is scored as target mode on its target,
        the prediction."""
        if resolved.mode == "contrast" and resolved.contrast is not None:
            return cls("contrast", resolved.target, resolved.contrast, output)
        return cls("target", resolved.target, None, output)

    @property
    def selector_is_linear(self) -> bool:
        """The score is linear in the logits (contrast, or a target's logit)."""
        return self.mode == "contrast" or self.output == "logit"

    def scores(self, logits: np.ndarray) -> np.ndarray:
        """The score of each row of ``logits`` ``[n, classes]``, float64 ``[n]``."""
        z = np.asarray(logits, np.float64)
        if self.mode == "contrast":
            return z[:, self.target] - z[:, self.contrast]
        if self.output == "logit":
            return z[:, self.target].copy()
        return softmax(z)[:, self.target]

    def margins(self, logits: np.ndarray) -> np.ndarray:
        """A number per row whose sign is the answer (positive: yes), float64 ``[n]``."""
        z = np.asarray(logits, np.float64)
        if self.mode == "contrast":
            return z[:, self.target] - z[:, self.contrast]
        others = np.delete(z, self.target, axis=1)
        return z[:, self.target] - others.max(axis=1)

    def answers(self, logits: np.ndarray) -> np.ndarray:
        return self.margins(logits) > 0

    def score_gradient(self, logits: np.ndarray) -> np.ndarray:
        """d score / d logits for each row, float64 ``[n, classes]`` (what a backward walk starts
        from)."""
        z = np.asarray(logits, np.float64)
        top = np.zeros_like(z)
        if self.mode == "contrast":
            top[:, self.target], top[:, self.contrast] = 1.0, -1.0
        elif self.output == "logit":
            top[:, self.target] = 1.0
        else:  # d p_t / d z = p_t (e_t - p)
            p = softmax(z)
            top = -p * p[:, [self.target]]
            top[:, self.target] += p[:, self.target]
        return top

    def describe(self, labels) -> str:
        """``"logit(2) - logit(Z)"``, ``"P(2)"`` or ``"logit(2)"``, with the network's labels."""
        target = labels[self.target]
        if self.mode == "contrast":
            return f"logit({target}) \u2212 logit({labels[self.contrast]})"
        return f"P({target})" if self.output == "probability" else f"logit({target})"


def as_stack(network) -> LayerStack:
    """The numpy view of a network (a :class:`LayerStack` or a Keras model)."""
    return layer_stack(network)


def logits_of(network, inputs: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Logits ``[n, classes]`` of float inputs ``[n, 28, 28]`` in [0, 1], in batches."""
    stack = as_stack(network)
    inputs = np.asarray(inputs, np.float32)
    chunks = [
        stack.forward(inputs[start : start + batch_size])[1]
        for start in range(0, len(inputs), batch_size)
    ]
    return np.concatenate(chunks) if chunks else np.zeros((0, stack.n_classes), np.float32)


def scored_question(
    logits,
    asked: Asked | None = None,
    classes: tuple[str, ...] | None = None,
    output: str = "probability",
) -> Question:
    """``asked`` (default: the prediction against the runner-up) resolved by
    :func:`core.explain.question.resolve` on one input's ``logits`` ``[classes]``, scored.
    ``classes``: the network's characters, needed only when ``asked`` names one."""
    z = np.asarray(logits, np.float64).reshape(1, -1)
    names = tuple(f"#{index}" for index in range(z.shape[1])) if classes is None else classes
    return Question.from_resolved(resolve(asked or Asked(), names, softmax(z)[0]), output)
