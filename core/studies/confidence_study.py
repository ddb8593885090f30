"""Does the explanation confidence say how far to trust a map? Measured, with intervals.

``python -m core confidence-report`` (reports/confidence.md, .json). For every network and
mode, each input is explained as the draw page asks by default (the prediction; against the
runner-up in contrast mode; :func:`core.insight.confidence_band.default_confidence`), and five
scores are held against three questions:

* scores: the **confidence** (mean of the two checks below), its **stability** (the map
  against those of one-pixel-shifted and ink-noised copies) and its **agreement** (the map
  against the global map of its class), and as baselines the network's **probability** of its
  answer and the **"not one of these"** check (:mod:`core.insight.unlikely`, its score negated
  so that higher means "more like a character");
* (a) **right vs wrong**: the network's test images, right answers against wrong ones;
* (b) **characters vs non-characters**: the network's test characters against generated
  non-characters (the "not one of these" study's kinds, its evaluation seed, plus ticks),
  random noise, and other characters of the official ByClass test file (a seeded share of its
  evaluation half, characters outside the network's; used to evaluate, never to train);
* (c) **drawings**: what a class draws: the shipped examples redrawn with seeded variation
  (:func:`core.insight.map_scales.reference_drawings`) against scribbles and ticks drawn on
  the same canvas path, each held against the shipped global maps as on the page.

For (a) and (b) the reference maps are global maps of *training* images (first k per label),
so no test image is compared with a mean it is part of. AUROC: the chance that a right answer
(a), a character (b, c) scores above the other; 0.5 is chance, below 0.5 the score points the
wrong way. Each comes with a seeded, stratified 95% bootstrap interval
(:func:`core.models.scores.auroc_interval`). The confidence's settings were fixed before this
was measured and were not tuned on it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from core.metrics.common import spearman_rows
from core.models.scores import auroc, auroc_interval
from core.studies import REPORTS_DIR

NOISE_IMAGES = 300
NOISE_DENSITY = 0.2
"""Share of lit pixels in a noise image (EMNIST characters light about a fifth of the square)."""
GENERATED_PER_KIND = 100
DRAWN_PER_KIND = 100
BYCLASS_IMAGES = 1000
TEST_IMAGES = 3000
"""At most this many test images per network (a seeded sample: only the 8-character test set,
6,410 images, is larger), to keep the CNNs' runs within minutes on two shared cores."""
EVALUATION_SEED = 2  # the "not one of these" study's evaluation seed: never calibrated on
DRAWN_SEED = 3
SAMPLE_SEED = 0
RESAMPLES = 1000
CHUNK = 1024
SCORES = ("confidence", "stability", "agreement", "probability", "not_one_of_these")
DRAWN_KINDS = ("scribble", "tick")
REPORT_STEM = "confidence"


def noise_images(n: int = NOISE_IMAGES, seed: int = 0) -> np.ndarray:
    """uint8 ``[n, 28, 28]``: a random fifth of the pixels lit at random intensities."""
    rng = np.random.default_rng(seed)
    images = rng.integers(1, 256, (n, 28, 28)).astype(np.uint8)
    images[rng.random((n, 28, 28)) >= NOISE_DENSITY] = 0
    return images


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman correlation of two vectors (ties share their mean rank; NaN if one is constant)."""
    return float(spearman_rows(np.asarray(a)[None], np.asarray(b)[None])[0])


def separation(scores: dict[str, np.ndarray], positive: np.ndarray, resamples: int, seed: int):
    """``{score: [auroc, low, high]}`` (rounded) for each score telling ``positive`` apart."""
    result = {}
    for name, values in scores.items():
        found = auroc_interval(values, positive, resamples=resamples, seed=seed)
        result[name] = [round(v, 4) for v in found]
    return result


def joined(
    first: dict[str, np.ndarray], second: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The scores of two groups one after the other, and which rows are the first group's."""
    scores = {name: np.concatenate([first[name], second[name]]) for name in first}
    count = len(next(iter(first.values())))
    positive = np.zeros(count + len(next(iter(second.values()))), bool)
    positive[:count] = True
    return scores, positive


def picked(scores: dict[str, np.ndarray], rows) -> dict[str, np.ndarray]:
    return {name: values[rows] for name, values in scores.items()}


def percentiles(values: np.ndarray) -> list[float]:
    return [round(float(v), 3) for v in np.percentile(values, (10, 50, 90))]


def score_images(model, images, mode, classes, maps, grid, unlikely) -> dict[str, np.ndarray]:
    """The five scores of every image (in chunks, so the CNNs' copies stay small)."""
    from core.insight.confidence_band import default_confidence

    parts: dict[str, list[np.ndarray]] = {name: [] for name in SCORES}
    for start in range(0, len(images), CHUNK):
        chunk = images[start : start + CHUNK]
        probabilities, found = default_confidence(model, chunk, mode, classes, maps, grid)
        parts["confidence"].append(found.value)
        parts["stability"].append(found.stability)
        parts["agreement"].append(found.agreement)
        parts["probability"].append(probabilities.max(axis=1))
        parts["not_one_of_these"].append(-unlikely(chunk))
    return {name: np.concatenate(values).astype(np.float64) for name, values in parts.items()}


def non_character_sets(name: str, byclass_images: int, generated: int) -> dict[str, np.ndarray]:
    """The non-characters of (b): generated kinds, ticks, noise and other ByClass characters."""
    from core.inputs.non_characters import KINDS, MORE_KINDS, non_characters
    from core.models.networks import characters_of
    from core.studies.unlikely_study import _outside, byclass_halves, load_byclass

    sets = {
        kind: non_characters(kind, generated, seed=EVALUATION_SEED) for kind in KINDS + MORE_KINDS
    }
    sets["noise"] = noise_images()
    images, labels, characters = load_byclass()
    half = byclass_halves(len(labels))[1]  # the evaluation half
    others = half[_outside(characters_of(name), characters, labels[half])]
    chosen = np.sort(np.random.default_rng(SAMPLE_SEED).permutation(others)[:byclass_images])
    sets["byclass"] = images[chosen]
    return sets


def drawn_sets(characters: tuple[str, ...], per_kind: int) -> dict[str, np.ndarray]:
    """(c): the varied example drawings of ``characters`` and scribbles and ticks, drawn."""
    from core.inputs.non_characters import non_characters
    from core.insight.map_scales import reference_drawings

    sets = {"examples": reference_drawings(characters)}
    for kind in DRAWN_KINDS:
        sets[kind] = non_characters(kind, per_kind, seed=DRAWN_SEED)
    return sets


def study_network(
    name: str,
    kind: str,
    modes,
    byclass_images: int = BYCLASS_IMAGES,
    generated: int = GENERATED_PER_KIND,
    resamples: int = RESAMPLES,
    test_images: int = TEST_IMAGES,
    progress=None,
) -> list[dict]:
    """The figures of reports/confidence.md for one network, one dict per mode."""
    from core.aggregates import (
        DEFAULT_K,
        compute_global_maps,
        required_modes,
        shipped_contrast_grid,
        shipped_maps,
    )
    from core.aggregates.global_maps import contrast_grid
    from core.data import labelled
    from core.data.pairs import ALL_EIGHT
    from core.insight.unlikely import (
        SOURCE,
        SOURCE_KIND,
        eight_logits,
        shipped_parameters,
        unlikely_scores,
    )
    from core.models.loading import load_network
    from core.models.networks import characters_of, network_key
    from core.models.prediction import predict

    say = progress or (lambda message: None)
    key = network_key(name, kind)
    model = load_network(name, kind)
    characters = characters_of(name)
    eight = load_network(SOURCE, SOURCE_KIND)
    parameters = shipped_parameters(name, kind)

    def unlikely(images):
        return unlikely_scores(eight_logits(eight, images), images, parameters)

    say(f"{key}: global maps of training images")
    train, _ = labelled.train_validation(name)
    train_maps = compute_global_maps(
        model, train.images, train.labels, k=DEFAULT_K, modes=required_modes(len(characters))
    )
    train_grid = None
    if name == ALL_EIGHT and "contrast" in modes:
        train_grid = contrast_grid(model, train.images, train.labels, DEFAULT_K)
    page_maps = shipped_maps(name, kind)
    page_grid = shipped_contrast_grid(kind) if name == ALL_EIGHT else None
    test = labelled.load(name, "test")
    if len(test.labels) > test_images:
        from core.studies.unlikely_study import _subset

        test = _subset(test, test_images)
    others = non_character_sets(name, byclass_images, generated)
    drawn = drawn_sets(characters, DRAWN_PER_KIND)
    rows = []
    for mode in modes:
        say(f"{key} {mode}: scoring")
        seed = SAMPLE_SEED

        def scored(images, maps=train_maps, grid=train_grid, mode=mode):
            return score_images(model, images, mode, characters, maps, grid, unlikely)

        on_test = scored(test.images)
        right = predict(model, test.images).argmax(axis=1) == test.labels
        wrong = ~right
        on_others = {group: scored(images) for group, images in others.items()}
        on_drawn = {group: scored(images, page_maps, page_grid) for group, images in drawn.items()}
        say(f"{key} {mode}: intervals")
        everything_else: dict[str, np.ndarray] = {
            score: np.concatenate([values[score] for values in on_others.values()])
            for score in SCORES
        }
        generated_groups = [g for g in on_others if g not in ("noise", "byclass")]
        generated_only = {
            score: np.concatenate([on_others[g][score] for g in generated_groups])
            for score in SCORES
        }
        drawn_others = {
            score: np.concatenate([on_drawn[g][score] for g in DRAWN_KINDS]) for score in SCORES
        }
        rows.append(
            {
                "network": key,
                "mode": mode,
                "counts": {
                    "test": int(len(right)),
                    "wrong": int(wrong.sum()),
                    **{group: int(len(images)) for group, images in others.items()},
                    **{f"drawn_{group}": int(len(images)) for group, images in drawn.items()},
                },
                "right_vs_wrong": separation(on_test, right, resamples, seed),
                "character_vs_non_character": {
                    "all": separation(*joined(on_test, everything_else), resamples, seed),
                    "generated": separation(*joined(on_test, generated_only), resamples, seed),
                    "byclass": separation(*joined(on_test, on_others["byclass"]), resamples, seed),
                    "noise": separation(*joined(on_test, on_others["noise"]), resamples, seed),
                },
                "drawn_examples_vs_scribbles_and_ticks": separation(
                    *joined(on_drawn["examples"], drawn_others), resamples, seed
                ),
                "spearman_confidence_probability": round(
                    spearman(on_test["confidence"], on_test["probability"]), 3
                ),
                "percentiles_10_50_90": {
                    group: {score: percentiles(values[score]) for score in SCORES[:3]}
                    for group, values in (
                        ("test_right", picked(on_test, right)),
                        ("test_wrong", picked(on_test, wrong)),
                        *((g, v) for g, v in on_others.items()),
                        *((f"drawn_{g}", v) for g, v in on_drawn.items()),
                    )
                },
            }
        )
    return rows


def run(networks, modes, progress=None, **options) -> dict:
    """Every network in ``networks`` (``(name, kind)``) in every mode of ``modes``."""
    rows = []
    for name, kind in networks:
        rows += study_network(name, kind, modes, progress=progress, **options)
    return {
        "settings": {
            "modes": list(modes),
            "resamples": RESAMPLES if "resamples" not in options else options["resamples"],
            "seeds": {
                "bootstrap": SAMPLE_SEED,
                "byclass_sample": SAMPLE_SEED,
                "generated": EVALUATION_SEED,
                "drawn": DRAWN_SEED,
            },
            "byclass_images": options.get("byclass_images", BYCLASS_IMAGES),
            "test_images_at_most": options.get("test_images", TEST_IMAGES),
            "generated_per_kind": options.get("generated", GENERATED_PER_KIND),
            "drawn_per_kind": DRAWN_PER_KIND,
            "noise_images": NOISE_IMAGES,
        },
        "rows": rows,
    }


def _cell(found: list[float], bold: bool = False) -> str:
    value, low, high = found
    text = f"{value:.2f} ({low:.2f}–{high:.2f})"
    return f"**{text}**" if bold else text


def _table(rows: list[dict], pick, title: str) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "| network | mode | " + " | ".join(SCORES).replace("_", " ") + " |",
        "|" + " --- |" * (2 + len(SCORES)),
    ]
    for row in rows:
        found = pick(row)
        lines.append(
            f"| {row['network']} | {row['mode']} | "
            + " | ".join(_cell(found[s], s == "confidence") for s in SCORES)
            + " |"
        )
    return lines + [""]


def markdown(report: dict) -> str:
    rows = report["rows"]
    settings = report["settings"]
    lines = [
        "# Explanation confidence: does it say how far to trust a map?",
        "",
        "Written by `python -m core confidence-report` "
        "(study: `core/studies/confidence_study.py`). Each cell: AUROC (95% bootstrap interval, "
        f"{settings['resamples']} stratified resamples, seeded). "
        "The higher score should mean \u201cright\u201d or \u201ca character\u201d; 0.5 is "
        "chance, below 0.5 the score points the wrong way. "
        "\u201cnot one of these\u201d is the check's score, negated. Every input is explained "
        "as the draw page asks by default (the prediction; against the runner-up in contrast "
        "mode).",
        "",
    ]
    lines += _table(
        rows,
        lambda row: row["right_vs_wrong"],
        "(a) Right vs wrong answers on the network's test images",
    )
    lines += _table(
        rows,
        lambda row: row["character_vs_non_character"]["all"],
        "(b) The network's test characters vs non-characters (generated, ticks, noise, "
        "ByClass others)",
    )
    lines += _table(
        rows,
        lambda row: row["character_vs_non_character"]["byclass"],
        "(b') The same, against other characters of the official ByClass test file only",
    )
    lines += _table(
        rows,
        lambda row: row["drawn_examples_vs_scribbles_and_ticks"],
        "(c) Drawings: the shipped examples redrawn with variation vs scribbles and ticks drawn "
        "on the canvas path",
    )
    lines += [
        "### Median (10th–90th percentile) of the confidence on drawings",
        "",
        "| network | mode | redrawn examples | scribbles | ticks |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        found = row["percentiles_10_50_90"]
        cells = []
        for group in ("drawn_examples", "drawn_scribble", "drawn_tick"):
            low, middle, high = found[group]["confidence"]
            cells.append(f"{middle:.2f} ({low:.2f}–{high:.2f})")
        lines.append(f"| {row['network']} | {row['mode']} | " + " | ".join(cells) + " |")
    counts = rows[0]["counts"] if rows else {}
    lines += [
        "",
        "Data: per network its test set (a seeded sample of "
        f"{settings['test_images_at_most']} when larger: the 8-character one) for right vs "
        "wrong and as the characters; non-characters: "
        f"{settings['generated_per_kind']} of each generated kind (seed "
        f"{settings['seeds']['generated']}, the \u201cnot one of these\u201d study's evaluation "
        f"seed) and as many ticks, {settings['noise_images']} noise images, up to "
        f"{settings['byclass_images']} other characters from the evaluation half of the "
        "ByClass test file (seeded); drawings: every shipped example of the network's "
        f"characters redrawn 24 times (seed 0) against {settings['drawn_per_kind']} scribbles "
        f"and {settings['drawn_per_kind']} ticks (seed {settings['seeds']['drawn']}). Reference "
        "maps for (a) and (b): global maps of training images; for (c) the shipped ones, as "
        f"on the page. First row's counts: {json.dumps(counts)}.",
        "",
    ]
    return "\n".join(lines)


def write(report: dict, folder: Path = REPORTS_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / f"{REPORT_STEM}.json"
    markdown_path = folder / f"{REPORT_STEM}.md"
    json_path.write_text(json.dumps(report, indent=1) + "\n")
    markdown_path.write_text(markdown(report))
    return [json_path, markdown_path]


__all__ = ["auroc", "noise_images", "run", "separation", "spearman", "write"]
