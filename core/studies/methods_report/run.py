"""Running the methods report: every method, floor and ModuleX variant explains a seeded
stratified subset of each network's test images, and every metric scores the maps.
Deterministic: every random choice is seeded.
"""

from __future__ import annotations

import platform
import time
from pathlib import Path

import numpy as np

from core.data.dataset import dataset_fingerprint, load_pair
from core.data.pairs import PAIRS, pair_characters
from core.explain import ABLATION, FLOORS, METHODS
from core.inputs.examples import example_input, examples_for
from core.metrics import METRICS, NEEDS_EXPLAINER, relevance_mass
from core.models.layer_stack import UnsupportedModelError
from core.models.loading import load_pretrained
from core.models.networks import THESIS_KIND, network_key
from core.models.prediction import predict
from core.studies.methods_report.export import write
from core.studies.methods_report.stored import REPORT_DIR

GROUPS = {name: "floor" for name in FLOORS} | {name: "ablation" for name in ABLATION}
"""Each row's group in the tables; a name not listed is a method."""


def stratified_subset(labels: np.ndarray, limit: int | None, seed: int = 0) -> np.ndarray:
    """At most ``limit`` image indices, each label in its share, chosen by ``seed`` (None: all)."""
    if limit is None or limit >= len(labels):
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        count = max(1, int(round(limit * len(members) / len(labels))))
        chosen.append(rng.choice(members, min(count, len(members)), replace=False))
    return np.sort(np.concatenate(chosen))[:limit]


def stroke_pairs(pair: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stroke-rendered look-alikes of a pair (``core/examples``): every example of one
    character beside every example of the other. Returns images ``[m, 28, 28]`` uint8, the
    class each was drawn as, and the region where it differs from its partner (pixels whose
    value differs by more than 0.25) - a localisation ground truth we built."""
    first, second = pair_characters(pair)
    drawn = {c: [example_input(e) for e in examples_for(c)] for c in (first, second)}
    images: list[np.ndarray] = []
    classes: list[int] = []
    regions: list[np.ndarray] = []
    for label, (mine, theirs) in enumerate(((first, second), (second, first))):
        for a in drawn[mine]:
            for b in drawn[theirs]:
                images.append(a)
                classes.append(label)
                regions.append(np.abs(a.astype(np.int16) - b.astype(np.int16)) > 0.25 * 255)
    return np.stack(images), np.array(classes), np.stack(regions)


def evaluate_network(
    model,
    images: np.ndarray,
    methods: dict,
    metrics: dict,
    groups: dict[str, str],
    stroke_case=None,
    progress=None,
) -> tuple[dict, dict]:
    """Scores of every method (name -> callable) by every metric on one model's images.

    Returns the per-method entries and the directions ``{metric: {key: "higher"|"lower"}}``
    the metrics reported. A method that cannot explain the model (a Dense-only method on a
    CNN) is left out."""
    targets = predict(model, images).argmax(axis=1)
    results: dict[str, dict] = {}
    directions: dict[str, dict[str, str]] = {}
    for name, method in methods.items():
        started = time.perf_counter()
        try:
            maps = method(model, images, target=targets)
        except UnsupportedModelError:
            continue
        seconds = time.perf_counter() - started
        entry: dict = {
            "group": groups.get(name, "method"),
            "ms_per_image": 1000 * seconds / max(len(images), 1),
            "metrics": {},
            "curves": {},
        }
        for metric_name, metric in metrics.items():
            options = {"explainer": method} if metric_name in NEEDS_EXPLAINER else {}
            result = metric(model, images, targets, maps, **options)
            directions.setdefault(metric_name, {}).update(result.better)
            entry["metrics"][metric_name] = {k: _round(v) for k, v in result.summary.items()}
            entry["curves"].update(
                {
                    key: {"x": curve["x"], "y": [_round(v) for v in curve["y"]]}
                    for key, curve in result.curves.items()
                }
            )
        if stroke_case is not None:
            drawn, classes, regions = stroke_case
            mass = relevance_mass(
                model, drawn, classes, method(model, drawn, target=classes), regions=regions
            )
            directions.setdefault("stroke_difference_mass", {}).update(mass.better)
            entry["metrics"]["stroke_difference_mass"] = {
                k: _round(v) for k, v in mass.summary.items()
            }
        results[name] = entry
        if progress:
            progress(name)
    return results, directions


def _round(value):
    return round(float(value), 5) if np.isfinite(value) else None


def run(
    pairs=PAIRS,
    methods=None,
    limit: int | None = None,
    out: Path = REPORT_DIR,
    seed: int = 0,
    progress=None,
    kinds=("dense",),
    metrics=None,
    cnn_limit: int | None = None,
) -> dict:
    """Evaluate and write the report; returns what ``methods.json`` holds."""
    chosen = {name: METHODS[name] for name in (methods or METHODS)}
    chosen_metrics = {name: METRICS[name] for name in (metrics or METRICS)}
    started_all = time.perf_counter()
    report = {
        "settings": {
            "images": "full test set"
            if limit is None
            else f"seeded stratified subset of at most {limit} test images per pair (seed {seed})",
            "cnn_images": None
            if "cnn" not in kinds
            else f"at most {cnn_limit or limit or 'all'} test images per pair (same seed)",
            "targets": "the predicted class",
            "scored_output": "the target's probability (every method's default options)",
            "seed": seed,
            "dataset": dataset_fingerprint()["id"],
            "versions": _versions(),
        },
        "directions": {},
        "networks": {},
    }
    for kind in kinds:
        for pair in pairs:
            images, labels = load_pair(pair, "test")
            chosen_limit = limit if kind == THESIS_KIND else (cnn_limit or limit)
            subset = stratified_subset(labels, chosen_limit, seed)
            # the ablation is the thesis network's (its rule is written for Dense layers)
            everything = chosen | FLOORS | (ABLATION if kind == THESIS_KIND else {})
            started = time.perf_counter()
            results, directions = evaluate_network(
                load_pretrained(pair, kind),
                images[subset],
                everything,
                chosen_metrics,
                GROUPS,
                stroke_case=stroke_pairs(pair),
                progress=(lambda name, p=pair, k=kind: progress(p, k, name)) if progress else None,
            )
            for metric, keys in directions.items():
                report["directions"].setdefault(metric, {}).update(keys)
            report["networks"][network_key(pair, kind)] = {
                "pair": pair,
                "kind": kind,
                "images": int(len(subset)),
                "seconds": round(time.perf_counter() - started, 1),
                "methods": results,
            }
    report["settings"]["seconds"] = round(time.perf_counter() - started_all, 1)
    write(report, Path(out))
    return report


def _versions() -> dict:
    """The versions a report's numbers came from (TensorFlow is imported only here, where the
    report is written, so pages that show the report do not load it)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version(), "numpy": np.__version__}
    for package in ("tensorflow", "keras"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found
