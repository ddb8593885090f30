"""What a map's stability and agreement usually are on drawings: a reference band per network.

The draw page shows the two checks of :mod:`core.insight.confidence` for what they are (how
much a map changes when the drawing moves a pixel or its ink varies; how much it looks like the
global map of its class), not as a "how far to trust" number: reports/confidence.md measured
that they do not tell characters from non-characters or right from wrong answers well enough
for that. A bare correlation means little on its own, so each comes with the band typical for
the network: its 10th to 90th percentile on drawings of the network's characters.

The band is measured without the dataset, like the fixed colour scale
(:mod:`core.insight.map_scales`): every shipped example of the network's characters drawn again
with seeded variation (:func:`core.insight.map_scales.reference_drawings`), each explained as
the page asks by default (the prediction; against the runner-up in contrast mode) and held
against the shipped global maps, exactly as the page does (:func:`default_confidence`).
Written by ``python -m core confidence-bands`` to ``pretrained/<network>/confidence_band.json``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from core.errors import ModelFileError
from core.explain.question import MODES, Question, resolve
from core.insight.confidence import Confidence, explanation_confidence

BAND_FILE = "confidence_band.json"
CHECKS = ("stability", "agreement")
PERCENTILES = (10.0, 50.0, 90.0)
MAX_BYTES = 64 * 1024
FIX = (
    "git checkout -- pretrained/ or python -m core confidence-bands --pair 2Z,5S,8B,0O,all8 "
    "--kind both"
)


def default_confidence(
    model, images: np.ndarray, mode: str, classes: tuple[str, ...], maps=None, grid=None
) -> tuple[np.ndarray, Confidence]:
    """Probabilities and the confidence of each image's map for the page's default question
    in ``mode`` (the prediction; against the runner-up in contrast mode), each map held against
    the reference the page uses (:func:`core.insight.drawing.reference_map`). Batched: the same
    numbers as :func:`core.insight.drawing.explain_drawing` per image."""
    from core.explain import predict_and_explain
    from core.insight.drawing import reference_map
    from core.models.prediction import predict

    probabilities = predict(model, images)
    resolved = [resolve(Question(mode), classes, p) for p in probabilities]
    mode = resolved[0].mode if resolved else mode
    targets = [r.target for r in resolved]
    contrasts = None
    if mode == "contrast":
        contrasts = np.array([r.contrast for r in resolved], dtype=np.int64)
    _, explained = predict_and_explain(model, images, mode=mode, target=targets, contrast=contrasts)
    references = [reference_map(maps, mode, r.target, r.contrast, grid) for r in resolved]
    present = [r for r in references if r is not None]
    stacked = np.stack(present) if present and len(present) == len(references) else None
    return probabilities, explanation_confidence(
        model, images, explained, stacked, mode=mode, target=targets, contrast=contrasts
    )


def summarise(values: np.ndarray) -> list[float] | None:
    """The 10th, 50th and 90th percentile of ``values`` (rounded), or None if they are nan."""
    values = np.asarray(values, np.float64)
    if len(values) == 0 or np.isnan(values).any():
        return None
    return [round(float(v), 4) for v in np.percentile(values, PERCENTILES)]


def compute_bands(model, images: np.ndarray, classes: tuple[str, ...], maps=None, grid=None):
    """Per mode, the percentiles of each check over ``images`` (None for agreement when the
    network has no reference map in that mode)."""
    bands = {}
    for mode in MODES:
        _, found = default_confidence(model, images, mode, classes, maps, grid)
        bands[mode] = {check: summarise(getattr(found, check)) for check in CHECKS}
    return {"percentiles": list(PERCENTILES), "drawings": int(len(images)), "bands": bands}


def save_bands(bands: dict, folder: Path, info: dict | None = None) -> Path:
    path = Path(folder) / BAND_FILE
    path.write_text(json.dumps({**bands, "info": dict(info or {})}, indent=2) + "\n")
    return path


def _band_problem(band) -> str | None:
    if band is None:
        return None
    if not isinstance(band, list) or len(band) != len(PERCENTILES):
        return f"is {band!r}, not {len(PERCENTILES)} numbers"
    for value in band:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"holds {value!r}, not a number"
        if not (math.isfinite(value) and -1 <= value <= 1):
            return f"holds {value!r}, not a correlation in [-1, 1]"
    if list(band) != sorted(band):
        return "is not in increasing order"
    return None


def load_bands(folder: Path) -> dict[str, dict[str, tuple[float, float, float] | None]]:
    """``bands[mode][check]``: (10th, 50th, 90th percentile) or None, checked; a
    :class:`ModelFileError` naming the file otherwise."""
    from core.safe_files import load_json

    path = Path(folder) / BAND_FILE
    if not path.is_file():
        raise ModelFileError(path, "reference bands of the map checks not found", fix=FIX)
    if path.stat().st_size > MAX_BYTES:
        raise ModelFileError(path, f"is larger than {MAX_BYTES // 1024} KB", fix=FIX)
    record = load_json(path, fix=FIX)
    bands = record.get("bands") if isinstance(record, dict) else None
    if not isinstance(bands, dict) or set(bands) != set(MODES):
        raise ModelFileError(path, f"needs one band per mode ({', '.join(MODES)})", fix=FIX)
    result = {}
    for mode, checks in bands.items():
        if not isinstance(checks, dict) or set(checks) != set(CHECKS):
            raise ModelFileError(path, f"{mode} needs {' and '.join(CHECKS)}", fix=FIX)
        for check, band in checks.items():
            problem = _band_problem(band)
            if problem:
                raise ModelFileError(path, f"the {mode} {check} band {problem}", fix=FIX)
        result[mode] = {
            check: None if band is None else (float(band[0]), float(band[1]), float(band[2]))
            for check, band in checks.items()
        }
    if any(checks["stability"] is None for checks in result.values()):
        raise ModelFileError(path, "a stability band cannot be empty", fix=FIX)
    return result


# --- the words the pages and the exports use ------------------------------------------------

Band = tuple[float, float, float]


def number(value: float) -> str:
    """A correlation as the pages write it: two decimals, a true minus sign."""
    return f"{value:.2f}".replace("-", "\u2212")


def typical(band: Band | None) -> str:
    """ "0.75 to 0.88" (the 10th to the 90th percentile), "" without a band."""
    return "" if band is None else f"{number(band[0])} to {number(band[2])}"


def placement(value: float, band: Band | None) -> str:
    """Where ``value`` falls against the band: "usual", "lower than usual", "higher than usual"
    ("" without a band)."""
    if band is None:
        return ""
    if value < band[0]:
        return "lower than usual"
    if value > band[2]:
        return "higher than usual"
    return "usual"


def checks_line(stability: float, agreement: float, bands: dict | None) -> str:
    """One plain line for exports and tables: "Map stability 0.81 (usual; typical for drawings
    on this network: 0.75 to 0.88); agreement with the global map 0.19 (typical: ...)"."""
    bands = bands or {}

    def told(value, band, first: bool) -> str:
        if band is None:
            return number(value)
        lead = "typical for drawings on this network" if first else "typical"
        return f"{number(value)} ({placement(value, band)}; {lead}: {typical(band)})"

    stable = f"Map stability {told(stability, bands.get('stability'), True)}"
    if math.isnan(agreement):
        return stable + "; no global map to compare with"
    return (
        stable + f"; agreement with the global map {told(agreement, bands.get('agreement'), False)}"
    )


MEANING = (
    "Stability: the correlation of the map with the maps of the drawing moved one pixel up, "
    "down, left or right and with its ink 15% lighter or darker (1: the map does not change). "
    "Agreement: its correlation with the network's global map of the explained class (its mean "
    "map over test images). Typical: the 10th to 90th percentile over the shipped example "
    "drawings redrawn with seeded variation, for this network and mode."
)


def trust_words(ranges: dict | None) -> str:
    """What the checks are not, with the measured AUROCs (``ranges`` from
    :func:`core.studies.confidence_stored.auroc_ranges`; without them, the advice alone)."""
    advice = (
        "For how far to trust the answer, read the network's probability and the \u201cnot one "
        "of these\u201d check."
    )
    if not ranges:
        return "These numbers describe the map; they do not say how far to trust it. " + advice

    def span(question: str, score: str) -> str:
        low, high = ranges[question][score]
        return f"{low:.2f}\u2013{high:.2f}"

    return (
        "These numbers describe the map; they do not say how far to trust it. Measured over "
        "every network and mode (AUROC, 0.5 is chance; reports/confidence.md): right vs wrong "
        f"test answers, the map's stability {span('right_vs_wrong', 'stability')} and agreement "
        f"{span('right_vs_wrong', 'agreement')} against the probability "
        f"{span('right_vs_wrong', 'probability')}; the network's test characters vs "
        "non-characters (scribbles, lines, ticks, noise, other letters), stability "
        f"{span('character_vs_non_character', 'stability')} and agreement "
        f"{span('character_vs_non_character', 'agreement')} against the \u201cnot one of "
        f"these\u201d check {span('character_vs_non_character', 'not_one_of_these')}. " + advice
    )
