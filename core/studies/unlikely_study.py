"""Calibrating and evaluating the "not one of these" score (:mod:`core.insight.unlikely`).

``python -m core calibrate-unlikely``:

* **fit** (the 8-character set's train split minus its seeded 10% validation): the mean feature
  vector (``all8-cnn``'s logits, the ink, the aspect) per character and their pooled
  within-class covariance;
* **threshold**: the higher of the ``1 - REFUSAL`` quantiles of the score on the validation
  images of the network's characters and on its characters drawn through the canvas path
  (:mod:`core.inputs.drawn_shapes`, seed :data:`CALIBRATION_SEED`: every brush of the slider,
  tiny to full size), so at most about ``REFUSAL`` of either is refused; raised just above the
  highest shipped example of those characters if one would be refused;
* **thinnest accepted**: ``min_aspect``, the ``MIN_ASPECT_QUANTILE`` quantile of the aspect of
  the network's training characters;
* **distance weight**: among the weights of :data:`DISTANCE_WEIGHTS` whose AUROC on the
  *calibration half* of the official ByClass test file (split by :data:`SEED`; characters
  outside the network's) plus generated non-characters (seed :data:`CALIBRATION_SEED`) is
  within :data:`AUROC_TOLERANCE` of the best, the one that refuses most non-characters at its
  threshold, every group counted alike (ByClass, each generated kind, each drawn look-alike,
  the other drawn characters): a hole a class finds is one shape, however rare in ByClass;
* **evaluation**, on data used for nothing above: the pair's own test characters against the
  *evaluation half* of ByClass (other characters), freshly generated non-characters and drawn
  shapes (seed :data:`EVALUATION_SEED`), refusal per shape, size and brush with Wilson
  intervals. The ByClass file is never trained on.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import numpy as np

from core.data import labelled
from core.data.dataset import data_dir, read_mapping
from core.data.idx import read_idx
from core.data.pairs import ALL_EIGHT, EIGHT_CHARACTERS
from core.errors import DatasetError, ModelFileError
from core.inputs.drawn_shapes import BRUSHES, CHARACTER_SHAPES, SHAPES, SIZES, band, drawn_set
from core.inputs.examples import EXAMPLES, example_input
from core.inputs.non_characters import KINDS, non_characters
from core.insight.hard_pairs import accuracy_interval
from core.insight.unlikely import (
    SOURCE,
    SOURCE_KIND,
    UnlikelyParameters,
    eight_logits,
    features,
    load_parameters,
    parameters_path,
    save_parameters,
    unlikely_scores,
)
from core.models.networks import SHIPPED, characters_of, network_key
from core.studies import REPORTS_DIR

SEED = 0
CALIBRATION_SEED = 1
EVALUATION_SEED = 2
REFUSAL = 0.02
MIN_ASPECT_QUANTILE = 0.001
RIDGE = 1e-6
DISTANCE_WEIGHTS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
AUROC_TOLERANCE = 0.002
GENERATED_PER_KIND = 200
DRAWN_PER_SHAPE = 150
BYCLASS_STEM = "emnist-byclass-test"


def load_byclass(folder: Path | None = None) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The official ByClass test file: upright uint8 images, labels, each label's character."""
    folder = folder or data_dir() / "official"
    images = read_idx(folder / f"{BYCLASS_STEM}-images-idx3-ubyte.gz", expected_ndim=3)
    labels = read_idx(folder / f"{BYCLASS_STEM}-labels-idx1-ubyte.gz", expected_ndim=1)
    mapping = folder / "emnist-byclass-mapping.txt"
    if not mapping.is_file() or len(images) != len(labels):
        raise DatasetError(folder, "needs the ByClass test images, labels and mapping file")
    table = {label: characters[0] for label, characters in read_mapping(mapping).items()}
    characters = tuple(table.get(label, "?") for label in range(max(table) + 1))
    return np.ascontiguousarray(images.transpose(0, 2, 1)), labels.astype(np.int64), characters


def byclass_halves(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the calibration half and the evaluation half (a fixed, seeded split)."""
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[: n // 2]), np.sort(order[n // 2 :])


def auroc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a positive (a non-character) scores above a negative (ties: half;
    refused outright, an infinite score, ties at the top)."""
    from core.models.scores import auroc as area

    scores = np.concatenate([np.asarray(positive, float), np.asarray(negative, float)])
    return area(scores, np.r_[np.ones(len(positive), bool), np.zeros(len(negative), bool)])


def fit_statistics(found: np.ndarray, labels: np.ndarray, classes: np.ndarray):
    """Per-class means ``[k, 10]`` and the inverse pooled within-class covariance ``[10, 10]``
    of the features ``found`` (:func:`core.insight.unlikely.features`)."""
    found = np.asarray(found, np.float64)
    means = np.stack([found[labels == c].mean(axis=0) for c in classes])
    inside = np.isin(labels, classes)
    residuals = found[inside] - means[np.searchsorted(classes, labels[inside])]
    covariance = residuals.T @ residuals / len(residuals)
    covariance += RIDGE * np.trace(covariance) / len(covariance) * np.eye(len(covariance))
    return means, np.linalg.inv(covariance)


def _rows(values: tuple, keep: np.ndarray) -> tuple:
    return tuple(array[keep] for array in values)


def _joined(parts: list[tuple]) -> tuple:
    return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))


def _subset(split: labelled.Labelled, limit: int) -> labelled.Labelled:
    keep = np.sort(np.random.default_rng(SEED).permutation(len(split.labels))[:limit])
    return labelled.Labelled(split.images[keep], split.labels[keep], split.classes)


def _outside(characters: tuple[str, ...], byclass_characters, labels) -> np.ndarray:
    """ByClass images of none of ``characters`` (either case: the set is case-merged)."""
    known = {case for character in characters for case in (character.upper(), character.lower())}
    return np.array([byclass_characters[label] not in known for label in labels], bool)


def _drawn(scored, per_shape: int, seed: int) -> dict:
    """Every shape of :data:`SHAPES` drawn ``per_shape`` times with ``seed``: per shape the
    scored values (logits, images), the sizes and the brushes."""
    found = {}
    for shape in SHAPES:
        images, sizes, brushes = drawn_set(shape, per_shape, seed=seed)
        found[shape] = (scored(images), sizes, brushes)
    return found


def run(
    byclass_limit: int | None = None,
    generated_per_kind: int = GENERATED_PER_KIND,
    networks=SHIPPED,
    root: Path | None = None,
    progress=None,
    fit_limit: int | None = None,
    drawn_per_shape: int = DRAWN_PER_SHAPE,
) -> dict:
    """Calibrate and evaluate every network in ``networks``; write each parameter file
    (under ``root``, default ``pretrained/``) and return the metrics per network folder.

    ``byclass_limit`` keeps that many images of each ByClass half, ``fit_limit`` that many of
    each 8-character split, chosen by :data:`SEED` (both for a quick run only)."""
    from core.models.loading import load_pretrained

    say = progress or (lambda message: None)
    source = load_pretrained(SOURCE, SOURCE_KIND)
    train, validation = labelled.train_validation(ALL_EIGHT)
    test = labelled.load(ALL_EIGHT, "test")
    if fit_limit is not None:
        train, validation, test = (_subset(split, fit_limit) for split in (train, validation, test))
    byclass_images, byclass_labels, byclass_characters = load_byclass()
    halves = list(byclass_halves(len(byclass_labels)))
    if byclass_limit is not None:
        halves = [half[:byclass_limit] for half in halves]
    say("logits of the 8-character sets")

    def scored(images):  # what a score needs: the source's logits and the images
        return eight_logits(source, images), np.asarray(images)

    sets = {"train": scored(train.images), "validation": scored(validation.images)}
    sets["test"] = scored(test.images)
    say("logits of ByClass and of generated non-characters")
    byclass = [scored(byclass_images[half]) for half in halves]
    byclass_of = [byclass_labels[half] for half in halves]
    generated, drawn = {}, {}
    for stage, seed in (("calibration", CALIBRATION_SEED), ("evaluation", EVALUATION_SEED)):
        generated[stage] = {
            kind: scored(non_characters(kind, generated_per_kind, seed=seed)) for kind in KINDS
        }
        say(f"drawing shapes through the canvas path ({stage})")
        drawn[stage] = _drawn(scored, drawn_per_shape, seed)
    examples = scored(np.stack([example_input(e) for e in EXAMPLES]))
    results = {}
    for name, kind in networks:
        say(f"calibrating {network_key(name, kind)}")
        characters = characters_of(name)
        classes = np.array([EIGHT_CHARACTERS.index(c) for c in characters], np.int64)
        train_features = features(*sets["train"])
        means, precision = fit_statistics(train_features, train.labels, classes)
        aspects = train_features[np.isin(train.labels, classes), -1]
        min_aspect = float(np.quantile(aspects, MIN_ASPECT_QUANTILE))

        def scores(
            values, weight, classes=classes, means=means, precision=precision, low=min_aspect
        ):
            candidate = UnlikelyParameters(
                classes, means, precision, weight, 0.0, {}, min_aspect=low
            )
            return unlikely_scores(*values, candidate)

        genuine = _rows(sets["validation"], np.isin(validation.labels, classes))
        calibration_drawn = drawn["calibration"]
        drawn_genuine = _joined([calibration_drawn[shape][0] for shape in characters])
        byclass_calibration = _rows(
            byclass[0], _outside(characters, byclass_characters, byclass_of[0])
        )
        calibration_others = _joined(
            [byclass_calibration] + list(generated["calibration"].values())
        )
        other_groups = (
            [byclass_calibration]
            + list(generated["calibration"].values())
            + [calibration_drawn[shape][0] for shape in SHAPES if shape not in CHARACTER_SHAPES]
        )
        others_drawn = [calibration_drawn[s][0] for s in CHARACTER_SHAPES if s not in characters]
        if others_drawn:
            other_groups.append(_joined(others_drawn))

        def threshold_for(weight, genuine_sets=(genuine, drawn_genuine), scores=scores):
            return max(_quantile(scores(values, weight), 1 - REFUSAL) for values in genuine_sets)

        calibration_auroc = {
            weight: auroc(scores(calibration_others, weight), scores(genuine, weight))
            for weight in DISTANCE_WEIGHTS
        }
        calibration_refused = {
            weight: float(
                np.mean([np.mean(scores(group, weight) > limit) for group in other_groups])
            )
            for weight, limit in ((w, threshold_for(w)) for w in DISTANCE_WEIGHTS)
        }
        best_auroc = max(calibration_auroc.values())
        weight = max(
            (w for w in DISTANCE_WEIGHTS if calibration_auroc[w] >= best_auroc - AUROC_TOLERANCE),
            key=lambda w: (calibration_refused[w], -w),
        )
        threshold = threshold_for(weight)
        own_examples = np.array([e.character in characters for e in EXAMPLES])
        example_scores = scores(_rows(examples, own_examples), weight)
        raised = bool(np.isfinite(example_scores).all() and example_scores.max() >= threshold)
        if raised:
            threshold = float(example_scores.max()) * 1.01 + 1e-6
        metrics = _evaluate(
            lambda values, weight=weight: scores(values, weight),
            threshold,
            _rows(sets["test"], np.isin(test.labels, classes)),
            _rows(byclass[1], _outside(characters, byclass_characters, byclass_of[1])),
            generated["evaluation"],
            example_scores,
        )
        metrics["drawn"] = _drawn_refusals(
            lambda values, weight=weight: scores(values, weight), threshold, drawn["evaluation"]
        )
        previous = _previous_parameters(name, kind, root)
        if previous is not None:
            old_scores = partial(_scores_with, previous)
            metrics["drawn_before"] = _drawn_refusals(
                old_scores,
                previous.threshold,
                drawn["evaluation"],
            )
            metrics["before"] = _evaluate(
                old_scores,
                previous.threshold,
                _rows(sets["test"], np.isin(test.labels, classes)),
                _rows(byclass[1], _outside(characters, byclass_characters, byclass_of[1])),
                generated["evaluation"],
                old_scores(_rows(examples, own_examples)),
            )
        metrics.update(
            distance_weight=weight,
            calibration_auroc={str(w): round(a, 4) for w, a in calibration_auroc.items()},
            calibration_refused_others={
                str(w): round(r, 4) for w, r in calibration_refused.items()
            },
            threshold=threshold,
            min_aspect=min_aspect,
            threshold_raised_for_examples=raised,
        )
        info = {
            "network": network_key(name, kind),
            "source": network_key(SOURCE, SOURCE_KIND),
            "characters": list(characters),
            "seeds": {
                "byclass_split": SEED,
                "calibration": CALIBRATION_SEED,
                "evaluation": EVALUATION_SEED,
            },
            "refusal_target": REFUSAL,
            "byclass_limit": byclass_limit,
            "fit_limit": fit_limit,
            "generated_per_kind": generated_per_kind,
            "drawn_per_shape": drawn_per_shape,
            "metrics": metrics,
        }
        parameters = UnlikelyParameters(
            classes, means, precision, weight, threshold, info, min_aspect=min_aspect
        )
        path = parameters_path(name, kind, root)
        save_parameters(parameters, path)
        say(f"wrote {path}")
        results[network_key(name, kind)] = info
    return results


def _scores_with(parameters: UnlikelyParameters, values) -> np.ndarray:
    logits, images = values
    return unlikely_scores(logits, images, parameters)


def _quantile(values: np.ndarray, level: float) -> float:
    finite = values[np.isfinite(values)]
    return float(np.quantile(finite, level)) if len(finite) else 0.0


def _previous_parameters(name: str, kind: str, root: Path | None):
    """The parameter file this run replaces (None when there is none or it is unreadable)."""
    from core.models.networks import expected_classes

    try:
        return load_parameters(parameters_path(name, kind, root), expected_classes(name))
    except (ModelFileError, OSError):
        return None


def _drawn_refusals(score, threshold: float, drawn: dict) -> dict:
    """Per drawn shape: how many are refused, in all and per size band and brush band."""
    table = {}
    for shape, (values, sizes, brushes) in drawn.items():
        refused = score(values) > threshold
        cells = {"all": _count(refused)}
        for prefix, bands, measured in (("size", SIZES, sizes), ("brush", BRUSHES, brushes)):
            names = np.array([band(bands, value) for value in measured])
            for band_name, _, _ in bands:
                cells[f"{prefix} {band_name}"] = _count(refused[names == band_name])
        table[shape] = cells
    return table


def _count(refused: np.ndarray) -> list[int]:
    return [int(np.sum(refused)), int(len(refused))]


def _evaluate(score, threshold, genuine, byclass_others, generated: dict, example_scores) -> dict:
    genuine_scores = score(genuine)
    others_scores = score(byclass_others)
    generated_scores = {kind: score(values) for kind, values in generated.items()}
    every_other = np.concatenate([others_scores, *generated_scores.values()])
    return {
        "auroc": round(auroc(every_other, genuine_scores), 4),
        "auroc_byclass": round(auroc(others_scores, genuine_scores), 4),
        "auroc_generated": round(
            auroc(np.concatenate(list(generated_scores.values())), genuine_scores), 4
        ),
        "refused_test": round(float(np.mean(genuine_scores > threshold)), 4),
        "n_test": int(len(genuine_scores)),
        "flagged_byclass": round(float(np.mean(others_scores > threshold)), 4),
        "n_byclass": int(len(others_scores)),
        "flagged_generated": {
            kind: round(float(np.mean(values > threshold)), 4)
            for kind, values in generated_scores.items()
        },
        "examples_refused": int(np.sum(example_scores > threshold)),
        "n_examples": int(len(example_scores)),
    }


def markdown(results: dict) -> str:
    kinds = list(next(iter(results.values()))["metrics"]["flagged_generated"]) if results else []
    lines = [
        '# "Not one of these": calibration and evaluation',
        "",
        "Written by `python -m core calibrate-unlikely`. Score and parameters: "
        "`core/insight/unlikely.py`, `pretrained/<network>/unlikely.npz`. Every network is judged "
        "from the logits of `all8-cnn` (the 8-character CNN) and two image features (ink, "
        "aspect). AUROC: genuine test characters of "
        "the network vs the evaluation half of the official ByClass test file (characters of "
        "other classes) and generated non-characters. Refused: share of the network's own test "
        "characters flagged (target "
        f"{REFUSAL:.0%}). Flagged: share of non-characters flagged at the threshold.",
        "",
        "| network | AUROC | AUROC ByClass | AUROC generated | refused (test) | flagged ByClass | "
        + " | ".join(f"flagged {kind}" for kind in kinds)
        + " | examples refused | distance weight |",
        "|" + " --- |" * (9 + len(kinds)),
    ]
    for network, info in results.items():
        m = info["metrics"]
        lines.append(
            f"| {network} | {m['auroc']:.3f} | {m['auroc_byclass']:.3f} | "
            f"{m['auroc_generated']:.3f} | {m['refused_test']:.1%} | {m['flagged_byclass']:.0%} | "
            + " | ".join(f"{m['flagged_generated'][kind]:.0%}" for kind in kinds)
            + f" | {m['examples_refused']}/{m['n_examples']} | {m['distance_weight']:g} |"
        )
    first: dict = next(iter(results.values()), {})
    lines += [
        "",
        f"Seeds: {json.dumps(first.get('seeds', {}))}; ByClass images per half: "
        f"{first.get('byclass_limit') or 'all'}; generated per kind: "
        f"{first.get('generated_per_kind')}; drawn per shape: {first.get('drawn_per_shape')}.",
        "",
    ]
    lines += _before_after(results) + _drawn_tables(results)
    return "\n".join(lines)


def _cell(count) -> str:
    """``refused/total (95% Wilson interval)``."""
    refused, total = count
    if not total:
        return "–"
    low, high = accuracy_interval(refused, total)
    return f"{refused}/{total} ({100 * low:.0f}–{100 * high:.0f}%)"


def _judged(results: dict) -> dict:
    """The networks whose drawn tables differ: Dense and CNN share the judge and, calibrated on
    the same data, the same figures (the CNN's are shown only where they differ)."""
    shown: dict = {}
    for network, info in results.items():
        drawn = info["metrics"].get("drawn")
        if drawn is not None and not any(seen == drawn for seen in shown.values()):
            shown[network] = drawn
    return shown


def _before_after(results: dict) -> list[str]:
    rows = [(key, info["metrics"]) for key, info in results.items() if "before" in info["metrics"]]
    if not rows:
        return []
    lines = [
        "## Before and after this calibration",
        "",
        "The parameter file this run replaced (before) and the new one (after), on the same "
        "evaluation data. Drawn characters: the network's own characters drawn through the "
        "canvas path (must be accepted); look-alikes: X K N 7 3 6 9 a e, crossed and doubled "
        "strokes (must be refused); each refused/total with its 95% Wilson interval.",
        "",
        "| network | refused (test) | AUROC ByClass | drawn characters refused | "
        "look-alikes refused |",
        "| --- | --- | --- | --- | --- |",
    ]
    for network, metrics in rows:
        if network.endswith("-cnn") and network.removesuffix("-cnn") in results:
            continue  # the Dense network's row, the same judge and data
        figures = []
        for stage in (metrics["before"], metrics):
            drawn = metrics["drawn_before"] if stage is metrics["before"] else metrics["drawn"]
            own = set(results[network]["characters"])
            genuine = _summed(drawn, [s for s in drawn if s in own])
            alike = _summed(drawn, [s for s in drawn if s not in CHARACTER_SHAPES])
            figures.append((stage["refused_test"], stage["auroc_byclass"], genuine, alike))
        (t0, a0, g0, l0), (t1, a1, g1, l1) = figures
        lines.append(
            f"| {network} | {t0:.1%} → {t1:.1%} | {a0:.4f} → {a1:.4f} | "
            f"{_cell(g0)} → {_cell(g1)} | {_cell(l0)} → {_cell(l1)} |"
        )
    return lines + [""]


def _summed(drawn: dict, shapes: list[str]) -> list[int]:
    return [sum(drawn[s]["all"][0] for s in shapes), sum(drawn[s]["all"][1] for s in shapes)]


def _drawn_tables(results: dict) -> list[str]:
    shown = _judged(results)
    if not shown:
        return []
    lines = [
        "## Drawn shapes: refused per shape, size and brush",
        "",
        "Shapes drawn by `core/inputs/drawn_shapes.py` (evaluation seed "
        f"{EVALUATION_SEED}; never used to calibrate) through the canvas path "
        "(`render_pixel_strokes`, `canvas_to_input`): varied recipes, size = the drawing's "
        "longer side as a share of the 280 px canvas ("
        + ", ".join(f"{name} {low:.0%}–{min(high, 1):.0%}" for name, low, high in SIZES)
        + "), brush in canvas px ("
        + ", ".join(f"{name} {low:g}–{min(high, 40):g}" for name, low, high in BRUSHES)
        + ", up to a quarter of the drawing's size). Each cell: refused/total (95% "
        "Wilson interval). **Bold** shapes are the network's own characters (must be "
        "accepted); every other row should be refused. Where a row's before figure is given, it "
        "is the replaced parameter file's.",
        "",
    ]
    columns = [f"size {name}" for name, _, _ in SIZES] + [f"brush {name}" for name, _, _ in BRUSHES]
    for network, drawn in shown.items():
        own = set(results[network]["characters"])
        before = results[network]["metrics"].get("drawn_before")
        lines += [
            f"### {network}",
            "",
            "| shape | before | refused | " + " | ".join(columns) + " |",
            "|" + " --- |" * (3 + len(columns)),
        ]
        for shape, cells in drawn.items():
            label = f"**{shape}**" if shape in own else shape
            was = _cell(before[shape]["all"]) if before else "–"
            lines.append(
                f"| {label} | {was} | {_cell(cells['all'])} | "
                + " | ".join(_cell(cells[column]) for column in columns)
                + " |"
            )
        lines.append("")
    return lines


def write(results: dict, folder: Path = REPORTS_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = folder / "unlikely.json", folder / "unlikely.md"
    json_path.write_text(json.dumps(results, indent=1) + "\n")
    markdown_path.write_text(markdown(results))
    return [json_path, markdown_path]
