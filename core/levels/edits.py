"""Level 2, the edit that flips it: "what would make it B?" on the drawing itself.

The smallest edit of the user's strokes, from a small grammar, that flips the question's
answer (:mod:`core.levels.question`: contrast mode, whether the target beats the contrast;
target mode, whether the target is the predicted class) while the "not one of these" judge
(:mod:`core.insight.unlikely`) still accepts the result as a character:

==================  ===========================================================================
move an end         an end point moves (up, down, left, right or diagonally); the points of its
                    segment follow, less and less toward the segment's other end
extend / shorten    a stroke goes on along its direction at one end, or loses a piece of it
bend / straighten   a segment's middle is pushed sideways (a sine bump), or a curve is pulled
                    onto its chord
remove a stroke     (drawings of two or more strokes)
close a gap         a short stroke from a stroke's end to the nearest ink it does not touch
add a stroke        a short bar, stem or diagonal at one of nine places in the drawing's box
==================  ===========================================================================

Magnitudes are shares of the drawing's longer side (:data:`MAGNITUDES`). The *size* of an
edit is the canvas ink it changes (drawn or erased, in grey levels: the canvas is
anti-aliased) as a share of the drawing's ink; the search returns the flipping, accepted edit
of smallest size. When no single edit flips the answer, a second edit is searched after the
single edit that moved the margin most (named "A, then B"). Names say what a student would:
"straighten the top curve", "close the top", "move the bottom bar's right end up".

Every candidate is rendered and preprocessed exactly as a drawing (its own frame; the thinning
decision of the original drawing, re-checked for the edit returned), in one batch through the
network; the judge sees the flipping ones. Pictures without strokes are traced into strokes
first (:mod:`core.levels.vectorise`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from core.inputs.preprocess import (
    ImageInputError,
    canvas_to_input,
    ink_to_input,
    thin_thick_strokes,
)
from core.inputs.strokes import PixelStroke, render_pixel_strokes, strokes_payload
from core.levels import framing, ink
from core.levels.ink import StrokeInk, stroke_ink
from core.levels.question import Question, as_stack, logits_of
from core.models.networks import THESIS_KIND

MAGNITUDES = (0.08, 0.16, 0.25, 0.35)
"""Edit magnitudes, as shares of the drawing's longer side."""
DIRECTIONS = {
    "up": (0.0, -1.0),
    "down": (0.0, 1.0),
    "left": (-1.0, 0.0),
    "right": (1.0, 0.0),
    "up and left": (-math.sqrt(0.5), -math.sqrt(0.5)),
    "up and right": (math.sqrt(0.5), -math.sqrt(0.5)),
    "down and left": (-math.sqrt(0.5), math.sqrt(0.5)),
    "down and right": (math.sqrt(0.5), math.sqrt(0.5)),
}
CORNER_DEGREES = 40.0
"""A turn sharper than this splits a stroke into segments."""
STRAIGHT = 0.12
"""A segment whose points stay within this share of its chord's length from it is straight."""
SPACING = 4.0
"""Canvas pixels between the points of an edited stroke."""
CHANGED_LEVEL = 0.1
"""A 28x28 pixel counts as changed when it moves by more than this (about 26 grey levels)."""
FLIP_MARGIN = 0.05
"""An answer counts as flipped when the margin crosses zero by at least this (logits)."""


# --- the geometry of a drawing -----------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    stroke: int
    start: int  # index of its first point in the stroke's resampled points
    stop: int  # index of its last point (inclusive)
    name: str
    curved: bool


@dataclass(frozen=True)
class Drawing:
    strokes: tuple  # the user's PixelStrokes
    points: tuple  # per stroke, its resampled points float64 [m, 2]
    segments: tuple  # Segment, in stroke order
    box: tuple  # (left, top, right, bottom) of all points, canvas pixels
    size: float  # the longer side of the box (at least one brush width)


def resample(points, spacing: float = SPACING) -> np.ndarray:
    """The polyline's points plus points every ``spacing`` pixels along it (its vertices kept,
    so its shape is unchanged)."""
    p = np.asarray(points, np.float64).reshape(-1, 2)
    if len(p) < 2:
        return p.copy()
    lengths = np.r_[0.0, np.cumsum(np.hypot(*np.diff(p, axis=0).T))]
    if lengths[-1] <= 0:
        return p[:1].copy()
    positions = np.union1d(lengths, np.arange(0.0, lengths[-1], spacing))
    return np.stack([np.interp(positions, lengths, p[:, i]) for i in (0, 1)], axis=1)


def _arc(p: np.ndarray) -> np.ndarray:
    return np.r_[0.0, np.cumsum(np.hypot(*np.diff(p, axis=0).T))] if len(p) > 1 else np.zeros(1)


def _corners(p: np.ndarray, tolerance: float) -> list[int]:
    """Indices of the Ramer-Douglas-Peucker vertices where the stroke turns sharply."""
    keep = _rdp(p, 0, len(p) - 1, tolerance)
    keep = sorted(set([0, len(p) - 1, *keep]))
    corners = [0]
    for before, at, after in zip(keep[:-2], keep[1:-1], keep[2:], strict=True):
        a, b = p[at] - p[before], p[after] - p[at]
        norm = np.hypot(*a) * np.hypot(*b)
        if norm > 0:
            turn = math.degrees(math.acos(np.clip(np.dot(a, b) / norm, -1, 1)))
            if turn > CORNER_DEGREES:
                corners.append(at)
    return [*corners, len(p) - 1]


def _cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """z of the cross product of 2-D vectors (``v`` may hold many rows)."""
    return u[0] * v[..., 1] - u[1] * v[..., 0]


def _rdp(p: np.ndarray, first: int, last: int, tolerance: float) -> list[int]:
    """Indices strictly between ``first`` and ``last`` that Ramer-Douglas-Peucker keeps."""
    kept, pending = [], [(first, last)]
    while pending:
        a_index, b_index = pending.pop()
        if b_index <= a_index + 1:
            continue
        a = p[a_index]
        chord = p[b_index] - a
        length = math.hypot(*chord)
        middle = p[a_index + 1 : b_index] - a
        if length == 0:
            distances = np.hypot(middle[:, 0], middle[:, 1])
        else:
            distances = np.abs(_cross(chord, middle)) / length
        worst = int(np.argmax(distances))
        if distances[worst] > tolerance:
            at = a_index + 1 + worst
            kept.append(at)
            pending += [(a_index, at), (at, b_index)]
    return sorted(kept)


def _place(point, box) -> tuple[str, str]:
    """Where ``point`` (x, y) lies in ``box``: (top / middle / bottom, left / "" / right)."""
    x, y = float(point[0]), float(point[1])
    left, top, right, bottom = box
    u = (x - left) / max(right - left, 1e-9)
    v = (y - top) / max(bottom - top, 1e-9)
    vertical = "top" if v < 1 / 3 else "bottom" if v > 2 / 3 else "middle"
    horizontal = "left" if u < 1 / 3 else "right" if u > 2 / 3 else ""
    return vertical, horizontal


def _region(point, box) -> str:
    vertical, horizontal = _place(point, box)
    if vertical == "middle" and horizontal:
        return horizontal
    return f"{vertical}-{horizontal}" if horizontal else vertical


def _compass(dx: float, dy: float) -> str:
    angle = math.degrees(math.atan2(-dy, dx)) % 360  # 0 right, 90 up
    names = (
        "right",
        "top-right",
        "top",
        "top-left",
        "left",
        "bottom-left",
        "bottom",
        "bottom-right",
    )
    return names[int(((angle + 22.5) % 360) // 45)]


def _segment_name(p: np.ndarray, box, closed: bool) -> tuple[str, bool]:
    chord = p[-1] - p[0]
    length = np.hypot(*chord)
    centre = p.mean(axis=0)
    vertical, horizontal = _place(centre, box)
    if length > 0:
        deviation = np.abs(_cross(chord, p - p[0])).max() / length / length
    else:
        deviation = np.inf
    if closed:
        return (f"{vertical} loop" if vertical != "middle" else "loop"), True
    if deviation > STRAIGHT:
        return f"{_region(centre, box)} curve", True
    angle = math.degrees(math.atan2(abs(chord[1]), abs(chord[0])))
    if angle < 25:
        return f"{vertical} bar", False
    if angle > 65:
        return f"{horizontal or 'middle'} stem", False
    return "diagonal", False


def describe(strokes: list[PixelStroke]) -> Drawing:
    """The drawing's resampled strokes and named segments."""
    points = tuple(resample(stroke.points) for stroke in strokes)
    everything = np.concatenate(points)
    left, top = everything.min(axis=0)
    right, bottom = everything.max(axis=0)
    brush = max(stroke.width for stroke in strokes)
    box = (float(left), float(top), float(right), float(bottom))
    size = float(max(right - left, bottom - top, brush))
    segments = []
    for number, p in enumerate(points):
        if len(p) < 2:
            segments.append(Segment(number, 0, 0, f"{_region(p[0], box)} dot", False))
            continue
        closed = np.hypot(*(p[-1] - p[0])) < 0.15 * size and _arc(p)[-1] > 0.5 * size
        if closed:  # a loop: its four quarters, named by where they are
            arc = _arc(p)
            corners = sorted({int(np.searchsorted(arc, q * arc[-1])) for q in (0, 0.25, 0.5, 0.75)})
            corners = [*corners, len(p) - 1]
        else:
            corners = _corners(p, 0.04 * size)
        for start, stop in zip(corners[:-1], corners[1:], strict=True):
            if stop <= start:
                continue
            name, curved = _segment_name(p[start : stop + 1], box, False)
            if closed:
                name = f"{_region(p[start : stop + 1].mean(axis=0), box)} of the loop"
            segments.append(Segment(number, start, stop, name, curved))
    names = [segment.name for segment in segments]
    ordinals = ("first", "second", "third", "fourth", "fifth")
    renamed: list[Segment] = []
    for s in segments:
        if names.count(s.name) > 1:
            number = sum(1 for r in renamed if r.name.endswith(s.name))
            prefix = ordinals[number] if number < len(ordinals) else f"#{number + 1}"
            s = Segment(s.stroke, s.start, s.stop, f"{prefix} {s.name}", s.curved)
        renamed.append(s)
    segments = renamed
    return Drawing(tuple(strokes), points, tuple(segments), box, size)


# --- the grammar ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    name: str
    kind: str
    strokes: tuple  # the edited drawing's PixelStrokes
    changed: tuple  # indices (in ``strokes``) of the strokes that are new or changed


def simplified(points: ArrayLike, tolerance: float = 0.5) -> list[tuple[float, float]]:
    """An edited stroke's points as the browser keeps them: within ``tolerance`` pixels of the
    polyline (fewer points draw faster) and rounded to 0.1 px (``strokes_payload``'s precision,
    so what the page applies is exactly what was scored)."""
    p = np.asarray(points, np.float64).reshape(-1, 2)
    if len(p) > 2:
        keep = sorted({0, len(p) - 1, *_rdp(p, 0, len(p) - 1, tolerance)})
        p = p[keep]
    return [(round(float(x), 1), round(float(y), 1)) for x, y in p]


def _with(drawing: Drawing, number: int, points: np.ndarray) -> tuple:
    strokes = list(drawing.strokes)
    strokes[number] = PixelStroke(drawing.strokes[number].width, simplified(points))
    return tuple(strokes)


def _end_side(segment: Segment, p: np.ndarray, at_start: bool) -> str:
    seg = p[segment.start : segment.stop + 1]
    end = seg[0] if at_start else seg[-1]
    return _compass(*(end - seg.mean(axis=0)))


def candidates(drawing: Drawing, magnitudes=MAGNITUDES, only=None) -> list[Candidate]:
    """Every edit of the grammar at ``magnitudes``; ``only``: the names of the edits wanted
    (None: all; the edits without a magnitude come only with ``only=None``)."""
    found: list[Candidate] = []
    size = drawing.size

    def want(name: str) -> bool:
        return only is None or name in only

    for number, p in enumerate(drawing.points):
        if len(p) < 2:
            continue
        mine = [s for s in drawing.segments if s.stroke == number]
        arc = _arc(p)
        closed = "of the loop" in mine[0].name
        if closed:  # a loop opens at its start; it has no ends to move or extend
            name = f"open the loop at the {_region(p[0], drawing.box)}"
            if want(name):
                for magnitude in magnitudes:
                    kept = arc >= magnitude * size
                    found.append(
                        Candidate(name, "shorten", _with(drawing, number, p[kept]), (number,))
                    )
        for at_start, segment in () if closed else ((True, mine[0]), (False, mine[-1])):
            side = _end_side(segment, p, at_start)
            where = f"the {segment.name}'s {side} end"
            # weights fall from 1 at the end to 0 at the segment's other end
            span = arc[segment.stop] - arc[segment.start]
            if at_start:
                weight = np.clip(1 - (arc - arc[segment.start]) / max(span, 1e-9), 0, 1)
                weight[segment.stop :] = 0
            else:
                weight = np.clip(1 - (arc[segment.stop] - arc) / max(span, 1e-9), 0, 1)
                weight[: segment.start + 1] = 0
            for direction, (dx, dy) in DIRECTIONS.items():
                if not want(f"move {where} {direction}"):
                    continue
                for magnitude in magnitudes:
                    moved = p + weight[:, None] * np.array([dx, dy]) * magnitude * size
                    found.append(
                        Candidate(
                            f"move {where} {direction}",
                            "move an end",
                            _with(drawing, number, moved),
                            (number,),
                        )
                    )
            end = p[0] if at_start else p[-1]
            inner = p[min(3, len(p) - 1)] if at_start else p[max(len(p) - 4, 0)]
            tangent = end - inner
            norm = np.hypot(*tangent)
            for magnitude in magnitudes:
                length = magnitude * size
                if norm > 0 and want(f"extend {where}"):
                    extra = (
                        end
                        + tangent
                        / norm
                        * np.linspace(SPACING, length, max(2, int(length // SPACING)))[:, None]
                    )
                    longer = (
                        np.concatenate([extra[::-1], p]) if at_start else np.concatenate([p, extra])
                    )
                    found.append(
                        Candidate(
                            f"extend {where}", "extend", _with(drawing, number, longer), (number,)
                        )
                    )
                if arc[-1] - length >= 0.3 * arc[-1] and want(f"shorten {where}"):
                    kept = arc >= length if at_start else arc <= arc[-1] - length
                    found.append(
                        Candidate(
                            f"shorten {where}",
                            "shorten",
                            _with(drawing, number, p[kept]),
                            (number,),
                        )
                    )
        for segment in mine:
            seg = p[segment.start : segment.stop + 1]
            if len(seg) < 3:
                continue
            chord = seg[-1] - seg[0]
            length = np.hypot(*chord)
            local = _arc(seg)
            t = local / max(local[-1], 1e-9)
            if length > 0:
                normal = np.array([-chord[1], chord[0]]) / length
                bump = np.sin(np.pi * t)[:, None] * normal
                for sign in (1.0, -1.0):
                    name = f"bend the {segment.name} toward the {_compass(*(sign * normal))}"
                    if segment.curved:  # against its bulge flattens it, with it rounds it
                        bulge = float(((seg - seg[0]) @ normal).mean())
                        name = (
                            f"flatten the {segment.name}"
                            if sign * bulge < 0
                            else f"make the {segment.name} rounder"
                        )
                    if not want(name):
                        continue
                    for magnitude in magnitudes:
                        bent = p.copy()
                        bent[segment.start : segment.stop + 1] += sign * magnitude * size * bump
                        found.append(
                            Candidate(
                                name,
                                "bend",
                                _with(drawing, number, bent),
                                (number,),
                            )
                        )
            if segment.curved and length > 0 and only is None:
                line = seg[0] + t[:, None] * chord
                for share, how in ((0.5, "half "), (1.0, "")):
                    straight = p.copy()
                    straight[segment.start : segment.stop + 1] = seg + share * (line - seg)
                    found.append(
                        Candidate(
                            f"straighten the {segment.name} {how}".strip()
                            if not how
                            else f"straighten the {segment.name} halfway",
                            "straighten",
                            _with(drawing, number, straight),
                            (number,),
                        )
                    )
    if only is not None:
        return found
    if len(drawing.strokes) > 1:
        for number in range(len(drawing.strokes)):
            mine = [s for s in drawing.segments if s.stroke == number]
            longest = max(
                mine, key=lambda s: _arc(drawing.points[number][s.start : s.stop + 1])[-1]
            )
            kept = tuple(s for i, s in enumerate(drawing.strokes) if i != number)
            found.append(Candidate(f"remove the {longest.name}", "remove a stroke", kept, ()))
    found += _gap_closings(drawing)
    found += _additions(drawing)
    return found


def _gap_closings(drawing: Drawing) -> list[Candidate]:
    """From each stroke end to the nearest point of ink it is not already part of."""
    found = []
    size = drawing.size
    for number, p in enumerate(drawing.points):
        arc = _arc(p)
        for end_index in (0, len(p) - 1):
            end = p[end_index]
            pieces = []
            for other, q in enumerate(drawing.points):
                if other == number:
                    far = np.abs(arc - arc[end_index]) > 0.3 * size
                    pieces.append(q[far])
                else:
                    pieces.append(q)
            others = np.concatenate(pieces) if pieces else np.zeros((0, 2))
            if not len(others):
                continue
            distances = np.hypot(*(others - end).T)
            nearest = int(np.argmin(distances))
            gap = distances[nearest]
            brush = drawing.strokes[number].width
            if brush < gap <= 0.45 * size:
                target = others[nearest]
                where = _region((end + target) / 2, drawing.box)
                bridge = PixelStroke(drawing.strokes[number].width, simplified([end, target]))
                strokes = (*drawing.strokes, bridge)
                found.append(
                    Candidate(f"close the {where}", "close a gap", strokes, (len(strokes) - 1,))
                )
    return found


def _additions(drawing: Drawing) -> list[Candidate]:
    found = []
    left, top, right, bottom = drawing.box
    width = max(stroke.width for stroke in drawing.strokes)
    half = 0.35 * drawing.size / 2
    shapes = {
        "bar": (1.0, 0.0),
        "stem": (0.0, 1.0),
        "diagonal": (math.sqrt(0.5), -math.sqrt(0.5)),
        "back-diagonal": (math.sqrt(0.5), math.sqrt(0.5)),
    }
    for v in (0.1, 0.5, 0.9):
        for u in (0.15, 0.5, 0.85):
            centre = np.array([left + u * (right - left), top + v * (bottom - top)])
            where = _region(centre, drawing.box)
            for shape, (dx, dy) in shapes.items():
                a, b = centre - half * np.array([dx, dy]), centre + half * np.array([dx, dy])
                stroke = PixelStroke(width, simplified([a, b]))
                label = "diagonal" if shape == "back-diagonal" else shape
                strokes = (*drawing.strokes, stroke)
                found.append(
                    Candidate(
                        f"add a short {label} at the {where}",
                        "add a stroke",
                        strokes,
                        (len(strokes) - 1,),
                    )
                )
    return found


# --- evaluating candidates ------------------------------------------------------------------


class Judge:
    """The "not one of these" judge on a batch of inputs: accepted means not flagged."""

    def __init__(self, parameters, eight_network):
        self.parameters = parameters
        self.eight = as_stack(eight_network)

    def __call__(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """uint8 ``[k, 28, 28]`` -> (scores ``[k]``, accepted ``[k]``)."""
        from core.insight.unlikely import eight_logits, unlikely_scores

        images = np.asarray(images)
        if not len(images):
            return np.zeros(0), np.zeros(0, bool)
        scores = unlikely_scores(eight_logits(self.eight, images), images, self.parameters)
        return scores, scores <= self.parameters.threshold


def judge_for(name: str, kind: str = THESIS_KIND) -> Judge:
    """The shipped judge of network ``name``/``kind`` (its parameters and the 8-character CNN)."""
    from core.insight.unlikely import SOURCE, SOURCE_KIND, shipped_parameters
    from core.models.loading import load_network

    return Judge(shipped_parameters(name, kind), load_network(SOURCE, SOURCE_KIND))


@dataclass(frozen=True)
class FlipEdit:
    """The edit that flips the answer (``found``), or the one that came closest."""

    found: bool
    name: str
    kind: str
    strokes: list  # the edited drawing (the ghost), PixelStrokes
    changed: list  # indices of its new or changed strokes
    size: float  # canvas ink changed, as a share of the drawing's ink
    pixels_changed: int  # 28x28 pixels changed by more than CHANGED_LEVEL
    margin_before: float
    margin_after: float
    score_before: float
    score_after: float
    judge_score: float | None
    judge_accepts: bool | None
    image: np.ndarray | None  # uint8 [28, 28]: the edited drawing's input
    candidates: int  # how many edits were tried
    flipping: int  # how many of them flipped the answer
    refused: int  # flipping edits the judge refused
    seconds: float
    steps: list = field(default_factory=list)  # names of the single edits, in order

    def as_json(self) -> dict:
        """What the page needs: the ghost drawing's strokes, the name, and the numbers."""
        return {
            "found": self.found,
            "name": self.name,
            "kind": self.kind,
            "strokes": strokes_payload(self.strokes),
            "changed": list(self.changed),
            "size": self.size,
            "pixels_changed": self.pixels_changed,
            "margin_before": self.margin_before,
            "margin_after": self.margin_after,
            "score_before": self.score_before,
            "score_after": self.score_after,
            "judge_score": self.judge_score,
            "judge_accepts": self.judge_accepts,
            "candidates": self.candidates,
            "flipping": self.flipping,
            "refused": self.refused,
        }


class _Evaluator:
    """Candidates -> their inputs (each framed by its own ink, as preprocessing frames it, with
    the drawing's thinning decision), sizes and margins. A stroke's ink is drawn once
    (:mod:`core.levels.ink`); a candidate's canvas ink is its strokes' codes OR-ed together."""

    def __init__(self, stack, question: Question, strokes: list[PixelStroke]):
        self.stack, self.question = stack, question
        self.inks: dict = {}
        self.ink = self._ink(strokes)
        image = ink_to_input(thin_thick_strokes(self.ink))  # canvas_to_input of the drawing
        if image is None:
            raise ImageInputError("the drawing is blank")
        self.thinning = framing.thinning_passes(self.ink)
        self.ink_total = max(float(self.ink.sum()), 1.0)
        self.base = (image / 255.0).astype(np.float32)

    @staticmethod
    def _key(stroke: PixelStroke):
        return (stroke.width, tuple(stroke.points))

    def _stroke_ink(self, stroke: PixelStroke) -> StrokeInk:
        key = self._key(stroke)
        if key not in self.inks:
            self.inks[key] = stroke_ink(stroke)
        return self.inks[key]

    def _ink(self, strokes) -> np.ndarray:
        """The canvas ink (float32, 0-1) of the strokes, as ``canvas_ink`` reads the canvas."""
        return ink.ink([self._stroke_ink(stroke) for stroke in strokes])

    def _size(self, drawn: np.ndarray) -> float:
        """Ink drawn or erased, as a share of the drawing's ink."""
        return float(np.abs(drawn - self.ink).sum()) / self.ink_total

    def size_of(self, strokes) -> float:
        return self._size(self._ink(strokes))

    def evaluate(self, candidates: list[Candidate]):
        """Inputs (float32, None for a blank edit), sizes and margins of the candidates."""
        inputs: list[np.ndarray | None] = []
        sizes = []
        for candidate in candidates:
            drawn = self._ink(candidate.strokes)
            sizes.append(self._size(drawn))
            inputs.append(framing.reframe(drawn, self.thinning))
        usable = [i for i, x in enumerate(inputs) if x is not None]
        margins = np.full(len(candidates), np.nan)
        scores = np.full(len(candidates), np.nan)
        if usable:
            logits = logits_of(self.stack, np.stack([x for x in inputs if x is not None]))
            margins[usable] = self.question.margins(logits)
            scores[usable] = self.question.scores(logits)
        return inputs, np.array(sizes), margins, scores


COARSE = (0.35,)
"""Magnitudes every edit is tried at first; the edits that flip at them are tried at
:data:`FINE` magnitudes too (a smaller one may flip as well)."""
FINE = (0.08, 0.16, 0.25)


def flip_edit(network, strokes: list[PixelStroke], question, judge=None) -> FlipEdit:
    """The smallest edit from the grammar that flips ``question``'s answer on this drawing
    while ``judge`` (a :class:`Judge`; None accepts everything) accepts the result.

    Raises :class:`ImageInputError` for a blank or too small drawing."""
    started = time.perf_counter()
    stack = as_stack(network)
    question = Question.of(question, stack.n_classes)
    strokes = list(strokes)
    evaluator = _Evaluator(stack, question, strokes)
    before = logits_of(stack, evaluator.base[None])
    margin_before = float(question.margins(before)[0])
    score_before = float(question.scores(before)[0])
    answer = margin_before > 0

    def search(drawing_strokes):
        drawing = describe(drawing_strokes)
        found = candidates(drawing, COARSE)
        inputs, sizes, margins, _ = evaluator.evaluate(found)
        flipped = np.isfinite(margins) & (margins * (1 if answer else -1) < -FLIP_MARGIN)
        families = {c.name for c, f in zip(found, flipped, strict=True) if f}
        if families:
            finer = candidates(drawing, FINE, only=families)
            more = evaluator.evaluate(finer)
            found = found + finer
            inputs = inputs + more[0]
            sizes, margins = np.r_[sizes, more[1]], np.r_[margins, more[2]]
            flipped = np.isfinite(margins) & (margins * (1 if answer else -1) < -FLIP_MARGIN)
        return found, inputs, sizes, margins, flipped

    found, inputs, sizes, margins, flipped = search(strokes)
    tried, steps = len(found), []
    choice, refused, flipping = _choose(evaluator, found, inputs, sizes, flipped, judge)
    if choice is None:  # a second edit, after the accepted edit that moved the margin most
        first = _best_progress(found, inputs, margins, margin_before, answer, judge)
        if first is not None:
            second = search(list(found[first].strokes))
            tried += len(second[0])
            found = [
                Candidate(
                    f"{found[first].name}, then {c.name}",
                    "two edits",
                    c.strokes,
                    tuple(sorted(set(found[first].changed) | set(c.changed))),
                )
                for c in second[0]
            ]
            inputs, sizes, margins, flipped = second[1:]
            sizes = np.array(
                [evaluator.size_of(c.strokes) for c in found]
            )  # both edits together, against the drawing
            choice, more_refused, more_flipping = _choose(
                evaluator, found, inputs, sizes, flipped, judge
            )
            refused, flipping = refused + more_refused, flipping + more_flipping
            steps = [found[0].name.split(", then ")[0]]
            if choice is not None:
                steps.append(second[0][choice[0]].name)
    if choice is None:  # report the closest edit that still makes a drawing
        usable = np.array([x is not None for x in inputs]) & np.isfinite(margins)
        closest = int(np.argmin(np.where(usable, np.abs(margins), np.inf)))
        return _result(
            False,
            found[closest],
            evaluator,
            question,
            margin_before,
            score_before,
            sizes[closest],
            None,
            tried,
            flipping,
            refused,
            started,
            steps,
        )
    index, verdict = choice
    return _result(
        True,
        found[index],
        evaluator,
        question,
        margin_before,
        score_before,
        sizes[index],
        verdict,
        tried,
        flipping,
        refused,
        started,
        steps or [found[index].name],
    )


def _best_progress(found, inputs, margins, margin_before, answer, judge, shortlist: int = 8):
    """The edit (index) that moved the margin most toward flipping among the ``shortlist``
    that moved it most, keeping only those the judge accepts; None if it accepts none."""
    progress = np.where(
        np.isfinite(margins), (margin_before - margins) * (1 if answer else -1), -np.inf
    )
    order = [i for i in np.argsort(-progress, kind="stable")[:shortlist] if progress[i] > 0]
    if not order:
        return None
    if judge is None:
        return order[0]
    images = np.stack([np.round(inputs[i] * 255).astype(np.uint8) for i in order])
    _, accepted = judge(images)
    return next((i for i, ok in zip(order, accepted, strict=True) if ok), None)


def _choose(evaluator, found, inputs, sizes, flipped, judge):
    """(index, judge verdict) of the smallest flipping edit the judge accepts whose thinning
    decision is the drawing's, the number refused and the number flipping."""
    order = [i for i in np.argsort(sizes, kind="stable") if flipped[i]]
    if not order:
        return None, 0, 0
    images = np.stack([np.round(inputs[i] * 255).astype(np.uint8) for i in order])
    if judge is None:
        scores, accepted = np.full(len(order), np.nan), np.ones(len(order), bool)
    else:
        scores, accepted = judge(images)
    refused = int((~accepted).sum())
    for position, index in enumerate(order):
        if not accepted[position]:
            continue
        if framing.thinning_passes(evaluator._ink(found[index].strokes)) != evaluator.thinning:
            continue  # preprocessing would thin the edit differently: not what was scored
        verdict = None if judge is None else (float(scores[position]), bool(accepted[position]))
        return (index, verdict), refused, len(order)
    return None, refused, len(order)


def _result(
    found,
    candidate,
    evaluator,
    question,
    margin_before,
    score_before,
    size,
    verdict,
    tried,
    flipping,
    refused,
    started,
    steps,
) -> FlipEdit:
    try:
        image = canvas_to_input(render_pixel_strokes(list(candidate.strokes)))
    except ImageInputError:
        image = None
    if image is not None:
        logits = logits_of(evaluator.stack, image[None] / 255.0)
        margin_after = float(question.margins(logits)[0])
        score_after = float(question.scores(logits)[0])
        changed = int((np.abs(image / 255.0 - evaluator.base) > CHANGED_LEVEL).sum())
    else:
        margin_after = score_after = float("nan")
        changed = 0
    return FlipEdit(
        found=found,
        name=candidate.name,
        kind=candidate.kind,
        strokes=list(candidate.strokes),
        changed=list(candidate.changed),
        size=float(size),
        pixels_changed=changed,
        margin_before=margin_before,
        margin_after=margin_after,
        score_before=score_before,
        score_after=score_after,
        judge_score=None if verdict is None else verdict[0],
        judge_accepts=None if verdict is None else verdict[1],
        image=image,
        candidates=tried,
        flipping=flipping,
        refused=refused,
        seconds=time.perf_counter() - started,
        steps=steps,
    )
