"""One fixed colour scale per network and mode, made to fit drawings.

With "fixed colour scale" on, every map of a network in a mode is drawn on one symmetric
scale, so a colour means the same from one drawing to the next. The scale is measured on
drawings, not test images: EMNIST's bold scans give maps about ten times stronger than a pen
on the canvas (2 vs Z, Dense, contrast: median map limit 8.8 on the test set, 1.0 on the
shipped examples). So every shipped example of the network's characters is drawn again many
times with seeded random variation (:func:`core.inputs.examples.varied`), each drawing is
explained as the page asks by default (the prediction; against the runner-up in contrast
mode), each map gets its own limit (:func:`core.insight.palette.symmetric_limit`), and the
network's scale is their median: half of such drawings fill the scale, the stronger half
saturate. Map strength spans two to three orders of magnitude between a hesitant and a
confident drawing, so no linear scale shows every drawing well; a faint map on the fixed scale
is a weak map. Written by ``python -m core map-scales`` (no dataset needed) to
``pretrained/<network>/map_scales.json``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from core.errors import ModelFileError
from core.explain.modulex import predict_and_explain
from core.explain.question import MODES, resolve_indices, runner_up
from core.insight.palette import symmetric_limit

MAP_SCALES_FILE = "map_scales.json"
PERCENTILE_OF_MAPS = 50.0
VARIANTS = 24  # drawings per shipped example
SEED = 0
MAX_BYTES = 64 * 1024
FIX = "git checkout -- pretrained/ or python -m core map-scales --pair all"


def reference_drawings(characters, variants: int = VARIANTS, seed: int = SEED) -> np.ndarray:
    """28x28 inputs of the shipped examples of ``characters``, each drawn ``variants`` times
    with random variation, through the canvas' preprocessing."""
    from core.inputs.examples import EXAMPLES, varied
    from core.inputs.preprocess import ImageInputError, canvas_to_input
    from core.inputs.strokes import CANVAS_SIZE, render_pixel_strokes

    rng = np.random.default_rng(seed)
    images = []
    for example in (e for e in EXAMPLES if e.character in characters):
        for _ in range(variants):
            try:
                image = canvas_to_input(render_pixel_strokes(varied(example, rng), CANVAS_SIZE))
            except ImageInputError:  # a variation too small to be a character: skipped
                continue
            if image is not None:
                images.append(image)
    return np.stack(images)


def compute_map_scales(model, images: np.ndarray) -> dict:
    """Each mode's fixed limit: the median of the maps' own limits over ``images``; and per
    class explained (``by_target``), the median over the drawings that class is explained for
    (the network's limit where the drawings explain no such class)."""
    probabilities, _ = predict_and_explain(model, images, mode="thesis")
    targets = [resolve_indices("target", None, None, p)[0] for p in probabilities]
    runners_up = [runner_up(p, t) for p, t in zip(probabilities, targets, strict=True)]
    limits, by_target = {}, {}
    classes = probabilities.shape[1]
    explained = np.asarray(targets)
    for mode in MODES:
        contrast = runners_up if mode == "contrast" else None
        _, maps = predict_and_explain(model, images, mode=mode, target=targets, contrast=contrast)
        own = np.array([symmetric_limit(m) for m in maps])
        limits[mode] = float(np.percentile(own, PERCENTILE_OF_MAPS))
        # per explained class: "why 2 and not Z/z" maps are several times weaker than "why Z/z
        # and not 2" ones, so one limit for both left a 2's map almost blank
        by_target[mode] = [
            float(np.percentile(own[explained == c], PERCENTILE_OF_MAPS))
            if np.any(explained == c)
            else limits[mode]
            for c in range(classes)
        ]
    return {
        "limits": limits,
        "by_target": by_target,
        "percentile_of_maps": PERCENTILE_OF_MAPS,
        "drawings": int(len(images)),
        "source": f"the shipped examples, {VARIANTS} seeded variations each (seed {SEED})",
    }


def save_map_scales(scales: dict, folder: Path, info: dict | None = None) -> Path:
    import json

    path = Path(folder) / MAP_SCALES_FILE
    path.write_text(json.dumps({**scales, "info": dict(info or {})}, indent=2) + "\n")
    return path


def _record(folder: Path) -> tuple[Path, dict]:
    """The scales file's path and content, checked to exist, be small and hold JSON."""
    from core.safe_files import load_json

    path = Path(folder) / MAP_SCALES_FILE
    if not path.is_file():
        raise ModelFileError(path, "fixed colour scales not found", fix=FIX)
    if path.stat().st_size > MAX_BYTES:
        raise ModelFileError(path, f"is larger than {MAX_BYTES // 1024} KB", fix=FIX)
    record = load_json(path, fix=FIX)
    return path, record if isinstance(record, dict) else {}


def _limit_problem(value) -> bool:
    """Whether ``value`` is not a colour limit (a finite number > 0, not a bool)."""
    return (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (math.isfinite(value) and value > 0)
    )


def _checked_limits(path: Path, limits) -> dict[str, float]:
    if not isinstance(limits, dict) or set(limits) != set(MODES):
        raise ModelFileError(path, f"needs one limit for each mode ({', '.join(MODES)})", FIX)
    for mode, value in limits.items():
        if _limit_problem(value):
            raise ModelFileError(path, f"the {mode} limit is {value!r}, not a number > 0", FIX)
    return {mode: float(value) for mode, value in limits.items()}


def load_map_scales(folder: Path) -> dict[str, float]:
    """The fixed limit of each mode, checked (finite, positive); a :class:`ModelFileError`
    naming the file otherwise."""
    path, record = _record(folder)
    return _checked_limits(path, record.get("limits"))


def load_target_limits(folder: Path, classes: int) -> dict[str, list[float]]:
    """The fixed limit of each mode per explained class (``classes`` of them), checked like
    :func:`load_map_scales`'s (the file is read once)."""
    path, record = _record(folder)
    _checked_limits(path, record.get("limits"))
    by_target = record.get("by_target")
    if not isinstance(by_target, dict) or set(by_target) != set(MODES):
        raise ModelFileError(
            path, f"needs limits per class for each mode ({', '.join(MODES)})", FIX
        )
    found = {}
    for mode, values in by_target.items():
        if not isinstance(values, list) or len(values) != classes:
            raise ModelFileError(path, f"needs {classes} {mode} limits, one per class", FIX)
        for value in values:
            if _limit_problem(value):
                raise ModelFileError(path, f"a {mode} limit is {value!r}, not a number > 0", FIX)
        found[mode] = [float(value) for value in values]
    return found
