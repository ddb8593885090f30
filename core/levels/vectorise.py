"""Tracing a picture into strokes, so the stroke levels work on pictures too (test images in
the reports; uploads): the picture is enlarged 4x, cut at half its peak, thinned to a one-pixel
skeleton (Zhang and Suen, 1984), and the skeleton is followed from end to end (and around
loops) into polylines; the brush is the ink's area over the skeleton's length. Spurs (the
short branches thinning leaves at a stroke's corners) shorter than the stroke's width, and
at least :data:`SPUR` skeleton pixels, are pruned and the paths they split joined again. The
strokes are in canvas pixels (280x280), so
rendering and preprocessing them gives a drawing close to the picture: "traced strokes", not
the picture itself.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from core.inputs.preprocess import to_model_input
from core.inputs.strokes import CANVAS_SIZE, MAX_BRUSH, MIN_BRUSH, PixelStroke

SCALE = 4
SPUR = 4
"""Shortest spur pruned, in skeleton pixels (one pixel of the 28x28 picture)."""
_NEIGHBOURS = [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)]


def skeleton(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a bool mask (two sub-steps per pass, until nothing changes)."""
    image = np.asarray(mask, np.uint8).copy()
    while True:
        changed = False
        for step in (0, 1):
            padded = np.pad(image, 1)
            h, w = image.shape
            p = [padded[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] for dy, dx in _NEIGHBOURS]
            count = sum(p)
            sequence = [*p, p[0]]
            transitions = sum((sequence[i] == 0) & (sequence[i + 1] == 1) for i in range(8))
            p2, p4, p6, p8 = p[0], p[2], p[4], p[6]
            if step == 0:
                side = (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0)
            else:
                side = (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0)
            remove = (image == 1) & (count >= 2) & (count <= 6) & (transitions == 1) & side
            if remove.any():
                image[remove] = 0
                changed = True
        if not changed:
            return image.astype(bool)


def _paths(skeleton_mask: np.ndarray, spur: int = SPUR) -> list[list[tuple[int, int]]]:
    """The skeleton as polylines between ends and junctions, and around closed loops, once its
    spurs are pruned: a spur (a path shorter than ``spur`` pixels from an end to a junction)
    is removed up to its junction and the paths are found again, until none is left, so the
    two paths a spur's junction joined become one (a Z's corners)."""
    pixels = {(int(y), int(x)) for y, x in np.argwhere(skeleton_mask)}
    while True:
        paths, ends = _walk(pixels)
        spurs = [
            path for path in paths if len(path) < spur and (path[0] in ends) != (path[-1] in ends)
        ]
        pruned = {p for path in spurs for p in (path[:-1] if path[0] in ends else path[1:])}
        if not spurs or pruned >= pixels:
            return paths or [[p] for p in sorted(pixels)[:1]]
        pixels = pixels - pruned


def _walk(pixels: set) -> tuple[list[list[tuple[int, int]]], set]:
    """(the paths between ends and junctions and around loops, the ends).

    A pixel is an end or a junction when its ring of eight neighbours does not switch between
    ink and background exactly twice (the crossing number); the walk prefers the four direct
    neighbours, so a staircase is followed pixel by pixel."""
    ordered = [*_NEIGHBOURS[0::2], *_NEIGHBOURS[1::2]]  # direct neighbours first

    def neighbours(p):
        return [(p[0] + dy, p[1] + dx) for dy, dx in ordered if (p[0] + dy, p[1] + dx) in pixels]

    def crossings(p):
        ring = [(p[0] + dy, p[1] + dx) in pixels for dy, dx in _NEIGHBOURS]
        return sum(ring[i] and not ring[i - 1] for i in range(8))

    nodes = {p for p in pixels if crossings(p) != 2}
    visited: set = set()
    paths = []

    def walk(start, first):
        path, previous, current = [start], start, first
        while True:
            path.append(current)
            if current in nodes:
                return path
            visited.add(current)
            ahead = [
                n
                for n in neighbours(current)
                if n != previous and n not in visited and (n in nodes or n not in path)
            ]
            if not ahead:
                return path
            nodes_ahead = [n for n in ahead if n in nodes and n != start]
            previous, current = current, (nodes_ahead or ahead)[0]

    for start in sorted(nodes):
        for first in neighbours(start):
            if first in visited or first in nodes:
                continue
            paths.append(walk(start, first))
    for start in sorted(pixels - visited - nodes):  # loops without ends or junctions
        if start in visited:
            continue
        nodes.add(start)  # walk around from here and back
        rest = [n for n in neighbours(start) if n not in visited]
        if rest:
            paths.append(walk(start, rest[0]))
        nodes.discard(start)
    return paths, {p for p in pixels if crossings(p) <= 1}


def trace(image: np.ndarray) -> list[PixelStroke]:
    """A picture (28x28, uint8 or float in [0, 1]) as strokes on the 280x280 canvas."""
    from core.levels.edits import simplified

    x = to_model_input(image)[0]
    side = x.shape[0] * SCALE
    big = np.asarray(
        Image.fromarray(x.astype(np.float32), mode="F").resize(
            (side, side), Image.Resampling.BILINEAR
        )
    )
    if big.max() <= 0:
        return []
    mask = big >= 0.5 * big.max()
    thin = skeleton(mask)
    length = max(int(thin.sum()), 1)
    canvas_per_pixel = CANVAS_SIZE / side
    brush = float(np.clip(mask.sum() / length * canvas_per_pixel, MIN_BRUSH, MAX_BRUSH))
    strokes = []
    width = mask.sum() / length  # the stroke's width in skeleton pixels
    for path in _paths(thin, max(SPUR, round(width))):
        points = (np.array(path, np.float64)[:, ::-1] + 0.5) * canvas_per_pixel
        strokes.append(PixelStroke(round(brush, 1), simplified(points, tolerance=canvas_per_pixel)))
    return strokes
