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

Speed: the framing is linear in the canvas ink up to its final clip and rounding, and a
coalition's canvas ink is its strokes' sub-pixel codes OR-ed together (:mod:`core.levels.ink`:
the canvas draws anti-aliased strokes, so a pixel's grey level depends on which of the strokes
covering it are in). Pixels covered by the same set of strokes form a group; each group and
subset of its strokes contributes a fixed 28x28 piece, computed once, and a coalition's input
is the sum of its pieces: one ``[2^n, pieces] @ [pieces, 784]`` product instead of 2^n
renderings. Drawings that preprocessing thins (small drawings, a broad brush) are eroded per
coalition instead (slower, same numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.inputs.preprocess import ImageInputError, to_model_input
from core.inputs.strokes import CANVAS_SIZE, PixelStroke
from core.levels import framing, ink
from core.levels.components import ink_components
from core.levels.ink import stroke_ink
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


def stroke_codes(strokes: list[PixelStroke], size: int = CANVAS_SIZE) -> np.ndarray:
    """uint16 ``[n, size, size]``: each stroke's sub-pixel codes on the canvas, as the canvas
    draws it (:mod:`core.levels.ink`; 0 where a stroke leaves a pixel blank)."""
    codes = np.zeros((len(strokes), size, size), np.uint16)
    for number, stroke in enumerate(strokes):
        stroke_ink(stroke, size).place(codes[number])
    return codes


MAX_FEATURES = 4096
"""Pieces of ink (a group of pixels and a subset of the strokes covering it) above which a game
renders each coalition instead (many strokes crossing in one place)."""


class StrokeGame:
    """Coalitions of strokes -> their inputs, framed as the whole drawing is.

    ``codes``: :func:`stroke_codes`. A canvas pixel's grey level under a coalition depends only
    on which of the strokes covering it are in: pixels covered by the same strokes form a
    group, and each group and each non-empty subset of its strokes is a *piece* whose
    contribution to the 28x28 values (before normalisation) is computed once. A coalition's
    input is the sum of one piece per group it touches."""

    def __init__(self, codes: np.ndarray):
        self.codes = np.asarray(codes, np.uint16)
        self.n = len(self.codes)
        whole = np.bitwise_or.reduce(self.codes, axis=0)  # zeros for no strokes
        frame = framing.frame_of(ink.grey(whole))
        if frame is None:
            raise ImageInputError("the drawing is blank")
        self.frame = frame
        self._pieces = self._piece_contributions() if frame.thinning == 0 else None

    def _piece_contributions(self) -> tuple[list[np.ndarray], np.ndarray] | None:
        """(per group, its strokes), and the contributions ``[pieces, 784]`` in the order of the
        groups and, within a group, of the subsets' bit masks (1 .. 2^k - 1); None when the
        pieces would be more than :data:`MAX_FEATURES`."""
        crops = self.frame.crop(self.codes)
        covered = crops != 0
        ys, xs = np.nonzero(covered.any(axis=0))
        patterns = covered[:, ys, xs].T  # [pixels, n]: the strokes covering each inked pixel
        groups, inverse = np.unique(patterns, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        if sum(2 ** int(g.sum()) - 1 for g in groups) > MAX_FEATURES:
            return None
        levels = ink.grey_levels()
        rows, columns = self.frame.rows, self.frame.columns
        members, contributions = [], []
        for number, group in enumerate(groups):
            mine = np.flatnonzero(group)
            if not len(mine):
                continue
            at = inverse == number
            gy, gx = ys[at], xs[at]
            codes = crops[mine][:, gy, gx]  # [strokes of the group, its pixels]
            members.append(mine)
            for subset in range(1, 2 ** len(mine)):
                chosen = (subset >> np.arange(len(mine))) & 1 == 1
                union = np.bitwise_or.reduce(codes[chosen], axis=0)
                # as canvas_ink reads the canvas: float32 grey / 255
                values = (levels[union].astype(np.float32) / 255.0).astype(np.float64)
                contributions.append(((rows[:, gy] * values) @ columns[:, gx].T).reshape(-1))
        return members, np.array(contributions).reshape(-1, 28 * 28)

    def inputs(self, coalitions: np.ndarray) -> np.ndarray:
        """Float32 ``[k, 28, 28]`` inputs of the coalitions (bool ``[k, n]``)."""
        coalitions = np.asarray(coalitions, bool).reshape(-1, self.n)
        out = np.empty((len(coalitions), 28, 28), np.float32)
        if self._pieces is not None:
            members, contributions = self._pieces
            for start in range(0, len(coalitions), 256):
                chunk = coalitions[start : start + 256]
                chosen = np.zeros((len(chunk), len(contributions)))
                offset = 0
                for mine in members:
                    subset = chunk[:, mine].astype(np.int64) @ (1 << np.arange(len(mine)))
                    touched = np.flatnonzero(subset)
                    chosen[touched, offset + subset[touched] - 1] = 1.0
                    offset += 2 ** len(mine) - 1
                small = (chosen @ contributions).reshape(-1, 28, 28)
                out[start : start + 256] = framing.to_levels(small, self.frame.peak)
            return out
        for start in range(0, len(coalitions), 16):
            chunk = coalitions[start : start + 16]
            codes = np.where(chunk[:, :, None, None], self.codes[None], np.uint16(0))
            drawn = ink.grey(np.bitwise_or.reduce(codes, axis=1))
            out[start : start + 16] = framing.render(drawn, self.frame)
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
    game = StrokeGame(stroke_codes(strokes, size))

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
