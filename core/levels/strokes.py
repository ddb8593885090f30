"""Level 1, your strokes: the exact Shapley value of each stroke for the question's score.

The game: a coalition of strokes is the drawing rendered with only those strokes, *framed as
the whole drawing is* (:mod:`core.levels.framing`: removing a stroke neither re-centres nor
re-scales the rest, and the intensity scale is the whole drawing's); its value is the
question's score (:mod:`core.levels.question`) on that input. ``v(all)`` is the score of the
drawing itself (the same input as ``canvas_to_input`` of the rendered strokes), ``v(none)``
that of a blank input. Exact over all 2^n coalitions up to :data:`~core.levels.shapley.
EXACT_LIMIT` strokes; above, antithetic permutation sampling with a standard error per stroke
(:mod:`core.levels.shapley`).

Pictures without strokes (uploads, test images) are split into ink components
(:mod:`core.levels.components`), labelled as such.

Speed: the framing is linear in the ink up to its final clip and rounding, and the canvas ink
of a coalition is the union of its strokes' masks. Pixels covered by the same set of strokes
form a group; a group's contribution to the 28x28 input is computed once, and a coalition's
input is the sum of the groups it touches: one ``[2^n, groups] @ [groups, 784]`` product
instead of 2^n renderings. Drawings that preprocessing thins (small drawings, a broad brush)
are eroded per coalition instead (slower, same numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.inputs.preprocess import ImageInputError, to_model_input
from core.inputs.strokes import CANVAS_SIZE, PixelStroke, render_pixel_strokes
from core.levels import framing
from core.levels.components import ink_components
from core.levels.question import Question, as_stack, logits_of
from core.levels.shapley import SAMPLED_COALITIONS, shapley

STROKES = "strokes"
COMPONENTS = "ink components"


@dataclass(frozen=True)
class StrokeValues:
    """Per stroke (or ink component), its Shapley value for the question's score."""

    values: np.ndarray  # float64 [n], in the order of the strokes
    standard_errors: np.ndarray  # float64 [n]; zeros when exact
    v_all: float  # the score of the whole drawing
    v_none: float  # the score of a blank input
    exact: bool
    units: str  # "strokes" or "ink components"
    score: str  # what is scored, e.g. "logit(2) − logit(Z)"
    coalitions: int
    masks: np.ndarray | None = None  # bool [n, 28, 28]: the ink components (pictures only)

    def as_json(self) -> dict:
        """What the page needs: values for colours and hover, the two ends, how exact."""
        found = {
            "units": self.units,
            "score": self.score,
            "values": [float(v) for v in self.values],
            "standard_errors": [float(e) for e in self.standard_errors],
            "v_all": float(self.v_all),
            "v_none": float(self.v_none),
            "exact": self.exact,
            "coalitions": self.coalitions,
            "scale": float(np.abs(self.values).max(initial=0.0)),
        }
        if self.masks is not None:
            found["masks"] = [np.flatnonzero(mask).tolist() for mask in self.masks]
        return found


def stroke_masks(strokes: list[PixelStroke], size: int = CANVAS_SIZE) -> np.ndarray:
    """Bool ``[n, size, size]``: the canvas pixels each stroke inks (as the canvas draws it)."""
    if not strokes:
        return np.zeros((0, size, size), bool)
    # white ink on opaque black: the red channel is the ink (canvas_ink's maximum over colours)
    return np.array([render_pixel_strokes([s], size)[..., 0] > 0 for s in strokes])


class StrokeGame:
    """Coalitions of strokes -> their inputs, framed as the whole drawing is."""

    def __init__(self, masks: np.ndarray):
        self.masks = np.asarray(masks, bool)
        self.n = len(self.masks)
        frame = framing.frame_of(self.masks.any(axis=0).astype(np.float32))
        if frame is None:
            raise ImageInputError("the drawing is blank")
        self.frame = frame
        if frame.thinning == 0:
            self._groups, self._contributions = self._group_contributions()

    def _group_contributions(self):
        crops = self.frame.crop(self.masks)
        ys, xs = np.nonzero(crops.any(axis=0))
        patterns = crops[:, ys, xs].T  # [pixels, n]: which strokes cover each inked pixel
        if self.n <= 62:
            codes = (patterns.astype(np.uint64) << np.arange(self.n, dtype=np.uint64)).sum(axis=1)
            _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
            groups = patterns[first]
        else:
            groups, inverse = np.unique(patterns, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(groups) + 1))
        # row-major gathers: a pixel (y, x) adds rows[:, y] outer columns[:, x]
        rows = np.ascontiguousarray(self.frame.rows.T)[ys[order]]  # [pixels, 28]
        columns = np.ascontiguousarray(self.frame.columns.T)[xs[order]]
        contributions = np.stack(
            [rows[a:b].T @ columns[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        ).reshape(len(groups), -1)
        return groups.astype(np.float64), contributions

    def inputs(self, coalitions: np.ndarray) -> np.ndarray:
        """Float32 ``[k, 28, 28]`` inputs of the coalitions (bool ``[k, n]``)."""
        coalitions = np.asarray(coalitions, bool).reshape(-1, self.n)
        if self.frame.thinning == 0:
            touched = (coalitions.astype(np.float64) @ self._groups.T) > 0
            small = (touched.astype(np.float64) @ self._contributions).reshape(-1, 28, 28)
            return framing.to_levels(small, self.frame.peak)
        out = np.empty((len(coalitions), 28, 28), np.float32)
        for start in range(0, len(coalitions), 16):
            chunk = coalitions[start : start + 16]
            ink = (chunk[:, :, None, None] & self.masks[None]).any(axis=1).astype(np.float64)
            out[start : start + 16] = framing.render(ink, self.frame)
        return out


def stroke_values(
    network,
    strokes: list[PixelStroke],
    question,
    *,
    size: int = CANVAS_SIZE,
    seed: int = 0,
    budget: int = SAMPLED_COALITIONS,
    labels=None,
) -> StrokeValues:
    """The Shapley value of every stroke of a drawing for ``question``'s score.

    ``network``: a :class:`~core.models.layer_stack.LayerStack` (or Keras model); ``question``:
    a :class:`Question` or ``(mode, target, contrast)``; ``labels``: the network's class names
    (for the score's description; class numbers without them). Raises :class:`ImageInputError` for a
    blank or too small drawing, as preprocessing does.
    """
    stack = as_stack(network)
    question = Question.of(question, stack.n_classes)
    game = StrokeGame(stroke_masks(strokes, size))

    def value(coalitions):
        return question.scores(logits_of(stack, game.inputs(coalitions)))

    found = shapley(value, game.n, seed=seed, budget=budget)
    return _result(found, STROKES, question, stack, labels=labels)


def picture_values(
    network,
    image: np.ndarray,
    question,
    *,
    seed: int = 0,
    budget: int = SAMPLED_COALITIONS,
    labels=None,
) -> StrokeValues:
    """The Shapley value of every ink component of a picture (28x28, uint8 or float in [0, 1])
    for ``question``'s score; a coalition is the picture masked to its components."""
    stack = as_stack(network)
    question = Question.of(question, stack.n_classes)
    x = to_model_input(image)[0].astype(np.float32)
    masks = ink_components(x)
    flat = masks.reshape(len(masks), -1).astype(np.float32)

    def value(coalitions):
        kept = np.asarray(coalitions, np.float32) @ flat  # the components partition the ink
        return question.scores(logits_of(stack, (kept * x.reshape(1, -1)).reshape(-1, 28, 28)))

    found = shapley(value, len(masks), seed=seed, budget=budget)
    return _result(found, COMPONENTS, question, stack, masks, labels)


def _result(found, units, question, stack, masks=None, labels=None) -> StrokeValues:
    labels = labels or [str(index) for index in range(stack.n_classes)]
    return StrokeValues(
        found.values,
        found.standard_errors,
        found.v_all,
        found.v_none,
        found.exact,
        units,
        question.describe(labels),
        found.coalitions,
        masks,
    )


def cut(strokes: list[PixelStroke], pieces: int) -> list[PixelStroke]:
    """The drawing's strokes cut into ``pieces`` strokes: the longest piece is halved (its
    halves share the cut point) until there are that many."""
    from core.levels.edits import resample

    parts = [(s.width, resample(s.points, 6.0)) for s in strokes]
    while len(parts) < pieces:
        longest = max(range(len(parts)), key=lambda i: len(parts[i][1]))
        width, points = parts.pop(longest)
        middle = len(points) // 2
        parts[longest:longest] = [(width, points[: middle + 1]), (width, points[middle:])]
    return [PixelStroke(w, [tuple(map(float, q)) for q in p]) for w, p in parts[:pieces]]
