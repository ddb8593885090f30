"""``reports/levels.md``: what the stroke, edit and training-example levels measure on the
shipped networks (``python -m core levels-report``; needs the dataset).

* Your strokes: the example drawings' stroke values on every network (efficiency checked),
  and the permutation sampler's error above 10 strokes against exact values (12 strokes).
* The edit that flips it: over test images traced into strokes (seeded, the same number per
  class) and the example drawings, how often an edit is found, its size, how often the judge
  refused a flipping edit; beside the Wachter-style pixel counterfactual on the same inputs.
* Training examples: the removal-and-retraining study (:mod:`core.studies.influence_study`,
  its JSON read from ``reports/levels-influence.json``), the CNNs' agreement with the full
  gradient, and the labels of the highest self-influence images.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from core.data.pairs import ALL_EIGHT, PAIRS
from core.models.networks import SHIPPED as NETWORKS
from core.studies import REPORTS_DIR as REPORTS


def _question(network, image):
    """The prediction against the runner-up on ``image`` (uint8 28x28), scored."""
    from core.levels.question import logits_of, scored_question

    return scored_question(logits_of(network, np.asarray(image)[None] / 255.0)[0])


def strokes_section(progress=None) -> dict:
    from core.inputs.examples import EXAMPLES
    from core.inputs.preprocess import canvas_to_input
    from core.inputs.strokes import PixelStroke, render_pixel_strokes, unit_to_pixels
    from core.levels.question import logits_of
    from core.levels.shapley import all_coalitions, exact_from_values, shapley
    from core.levels.strokes import StrokeGame, cut, stroke_codes, stroke_values
    from core.models.loading import load_network
    from core.models.networks import characters_of

    rows, worst = [], 0.0
    for name, kind in NETWORKS:
        network = load_network(name, kind)
        labels = characters_of(name)
        for example in EXAMPLES:
            if name != ALL_EIGHT and example.character not in name:
                continue
            strokes = [
                PixelStroke(round(example.brush), unit_to_pixels(s)) for s in example.strokes
            ]
            image = canvas_to_input(render_pixel_strokes(strokes))
            question = _question(network, image)
            found = stroke_values(network, strokes, question)
            worst = max(worst, abs(found.values.sum() - (found.v_all - found.v_none)))
            rows.append(
                {
                    "network": f"{name}/{kind}",
                    "drawing": example.name,
                    "question": f"{labels[question.target]} not {labels[question.contrast]}",
                    "values": [round(float(v), 3) for v in found.values],
                    "v_all": round(found.v_all, 3),
                    "v_none": round(found.v_none, 3),
                }
            )
    # the sampler against exact values: 12 strokes (4,096 coalitions), 2Z Dense
    from core.inputs.examples import by_name

    network = load_network("2Z")
    drawing = [PixelStroke(20, unit_to_pixels(s)) for s in by_name("Z with a bar").strokes]
    pieces = cut(drawing, 12)
    game = StrokeGame(stroke_codes(pieces))
    question = _question(network, game.inputs(np.ones((1, len(pieces)), bool))[0] * 255)

    def value(coalitions):
        return question.scores(logits_of(network, game.inputs(coalitions)))

    exact = exact_from_values(value(all_coalitions(len(pieces))), len(pieces))
    sampled = shapley(value, len(pieces))
    z = np.abs(sampled.values - exact) / np.maximum(sampled.standard_errors, 1e-12)
    return {
        "rows": rows,
        "efficiency_worst": worst,
        "sampling": {
            "strokes": len(pieces),
            "coalitions": sampled.coalitions,
            "mean_abs_error": float(np.abs(sampled.values - exact).mean()),
            "mean_standard_error": float(sampled.standard_errors.mean()),
            "within_2_se": int((z <= 2).sum()),
            "value_range": [float(exact.min()), float(exact.max())],
        },
    }


def edits_section(per_class: int = 10, progress=None) -> dict:
    from core.data import labelled
    from core.inputs.examples import EXAMPLES
    from core.inputs.preprocess import canvas_to_input
    from core.inputs.strokes import PixelStroke, render_pixel_strokes, unit_to_pixels
    from core.levels.counterfactual import pixel_counterfactual
    from core.levels.edits import flip_edit, judge_for
    from core.levels.vectorise import trace
    from core.models.loading import load_network

    results = {}
    for name, kind in NETWORKS:
        network, judge = load_network(name, kind), judge_for(name, kind)
        test = labelled.load(name, "test")
        rng = np.random.default_rng(0)
        each = max(2, per_class if name != ALL_EIGHT else per_class // 2)
        chosen = np.concatenate(
            [
                rng.permutation(np.flatnonzero(test.labels == c))[:each]
                for c in range(len(test.classes))
            ]
        )
        inputs = [("test", trace(test.images[i])) for i in chosen]
        inputs += [
            ("example", [PixelStroke(round(e.brush), unit_to_pixels(s)) for s in e.strokes])
            for e in EXAMPLES
            if name == ALL_EIGHT or e.character in name
        ]
        edits, pixels = [], []
        for source, strokes in inputs:
            if not strokes:
                continue
            try:
                image = canvas_to_input(render_pixel_strokes(strokes))
            except ValueError:
                continue
            if image is None:
                continue
            question = _question(network, image)
            found = flip_edit(network, strokes, question, judge)
            edits.append(
                {
                    "source": source,
                    "found": found.found,
                    "name": found.name,
                    "kind": found.kind,
                    "two_edits": len(found.steps) > 1,
                    "size": found.size,
                    "pixels_changed": found.pixels_changed,
                    "refused": found.refused,
                    "flipping": found.flipping,
                    "seconds": found.seconds,
                }
            )
            baseline = pixel_counterfactual(network, image, question)
            accepted = bool(judge(np.round(baseline.image * 255).astype(np.uint8)[None])[1][0])
            pixels.append(
                {
                    "source": source,
                    "found": baseline.found,
                    "pixels_changed": baseline.pixels_changed,
                    "l1": baseline.l1,
                    "judge_accepts": accepted,
                    "seconds": baseline.seconds,
                }
            )
        results[f"{name}/{kind}"] = {"edits": edits, "pixels": pixels}
        if progress:
            flipped = sum(1 for edit in edits if edit["found"])
            progress(f"edits {name}/{kind}: {flipped}/{len(edits)}")
    return results


def influence_section(progress=None) -> dict:
    from core.levels.artefacts import read_influence
    from core.studies.influence_study import cnn_agreement

    removal_path = REPORTS / "levels-influence.json"
    found = {
        "removal": json.loads(removal_path.read_text())["runs"] if removal_path.is_file() else None
    }
    found["cnn_agreement"] = [
        cnn_agreement(name, "cnn", queries=10) for name in (*PAIRS, ALL_EIGHT)
    ]
    self_influence = {}
    for name, kind in NETWORKS:
        top = read_influence(name, kind)
        classes = top.info["classes"]
        counts = np.bincount(top.labels[:50], minlength=len(classes))
        self_influence[f"{name}/{kind}"] = {c: int(n) for c, n in zip(classes, counts, strict=True)}
    found["self_influence_top50_labels"] = self_influence
    return found


SECTIONS = ("strokes", "edits", "influence")


def run(
    per_class: int = 10, progress=None, sections=SECTIONS, previous: dict | None = None
) -> dict:
    """The chosen sections, merged into ``previous`` (the sections not run are kept)."""
    started = time.perf_counter()
    results = dict(previous or {})
    if "strokes" in sections:
        results["strokes"] = strokes_section(progress)
    if "edits" in sections:
        results["edits"] = edits_section(per_class, progress)
    if "influence" in sections:
        results["influence"] = influence_section(progress)
    results["seconds"] = time.perf_counter() - started
    return results


def refresh_removal(results: dict, folder: Path = REPORTS) -> dict:
    """The removal study's latest result (``levels-influence.json``) in ``results``."""
    path = folder / "levels-influence.json"
    if path.is_file() and "influence" in results:
        results["influence"]["removal"] = json.loads(path.read_text())["runs"]
    return results


def _median(values):
    return float(np.median(values)) if len(values) else float("nan")


def markdown(results: dict) -> str:
    strokes, edits, influence = results["strokes"], results["edits"], results["influence"]
    sampling = strokes["sampling"]
    lines = [
        "# Why, at every level: what the levels measure on the shipped networks",
        "",
        "Written by `python -m core levels-report` (needs the dataset); do not edit by hand. "
        "Methods: docs/methods.md, *Why, at every level*. Concepts: reports/concepts.md.",
        "",
        "## Your strokes (exact Shapley values)",
        "",
        "The question on each drawing: its predicted class against the runner-up (the logit "
        "difference). Efficiency, the largest |sum of values - (v(all) - v(none))| over "
        f"{len(strokes['rows'])} drawings and networks: {strokes['efficiency_worst']:.1e}.",
        "",
        f"Above 10 strokes the values are sampled: on a Z with a bar cut into "
        f"{sampling['strokes']} strokes (2Z Dense; exact values from all 4,096 coalitions, "
        f"range {sampling['value_range'][0]:.2f} to {sampling['value_range'][1]:.2f}), "
        f"{sampling['coalitions']} sampled coalitions gave a mean absolute error of "
        f"{sampling['mean_abs_error']:.3f} for a mean reported standard error of "
        f"{sampling['mean_standard_error']:.3f}; {sampling['within_2_se']} of "
        f"{sampling['strokes']} values lie within two standard errors of the exact value.",
        "",
        "| network | drawing | question | stroke values | v(all) | v(none) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in strokes["rows"]:
        if row["network"].endswith("/dense") or row["network"].startswith("2Z"):
            lines.append(
                f"| {row['network']} | {row['drawing']} | {row['question']} | "
                f"{', '.join(f'{v:+.2f}' for v in row['values'])} | {row['v_all']:+.2f} | "
                f"{row['v_none']:+.2f} |"
            )
    lines += [
        "",
        "## The edit that flips it",
        "",
        "Inputs per network: test images traced into strokes (seeded, the same number per "
        "class) and the example drawings of its characters; the question: the predicted class "
        "against the runner-up, flipped when the runner-up wins by at least 0.05 logits. *found*: "
        "an edit from the grammar flipped it and the judge accepted the result (one edit, or "
        "two); *size*: canvas ink changed as a share of the drawing's ink; *pixels*: 28x28 "
        "pixels moved by more than 0.1 (a re-framed drawing moves many a little); *refused*: "
        "flipping edits the judge refused, over all flipping edits tried. Baseline: the "
        "Wachter-style pixel counterfactual on the same 28x28 inputs (not tuned for speed). "
        "Times are wall-clock inside this report's run, niced on a shared machine (load average "
        "9-12 when it ran): bench/results.md has the benchmark.",
        "",
        "| network | inputs | found (two edits) | median size | median pixels | refused | "
        "median time | pixel CF found | pixel CF median pixels | judge accepts pixel CF | "
        "pixel CF median time |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for network, result in edits.items():
        e, p = result["edits"], result["pixels"]
        found = [r for r in e if r["found"]]
        refused = sum(r["refused"] for r in e)
        flipping = sum(r["flipping"] for r in e)
        lines.append(
            f"| {network} | {len(e)} | {len(found)} ({sum(r['two_edits'] for r in found)}) | "
            f"{_median([r['size'] for r in found]):.2f} | "
            f"{_median([r['pixels_changed'] for r in found]):.0f} | "
            f"{refused}/{flipping} | {_median([r['seconds'] for r in e]) * 1e3:.0f} ms | "
            f"{sum(r['found'] for r in p)} | "
            f"{_median([r['pixels_changed'] for r in p if r['found']]):.0f} | "
            f"{sum(r['judge_accepts'] for r in p if r['found'])} | "
            f"{_median([r['seconds'] for r in p]) * 1e3:.0f} ms |"
        )
    kinds: dict[str, int] = {}
    for result in edits.values():
        for r in result["edits"]:
            if r["found"] and not r["two_edits"]:
                kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    lines += [
        "",
        "Single edits found, by kind: "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items(), key=lambda x: -x[1]))
        + ".",
        "",
        "## Training examples",
        "",
    ]
    runs = influence["removal"]
    if runs:
        lines += [
            "Removal and retraining (2Z Dense, the shipped recipe shortened to "
            f"{runs[0]['epochs']} epochs, seed 0; k = {runs[0]['k']} of the 7,033 training "
            "images; removal as a zero loss weight, so each retraining keeps the baseline's "
            "initial weights, batch order and augmentation). The score: the logit difference of "
            "the test image's predicted class and the runner-up on the network trained on "
            "everything; a *drop* is that score minus the retrained one (positive: the score "
            "fell). *dot*: the gradient dot product the level shows; *cosine*: divided by the "
            "training image's gradient norm.",
            "",
            "| run | test images | proponents by | mean drop, proponents removed | mean drop, "
            "random removed | paired difference ± s.e. | beyond every random draw | "
            "spread of random draws (median sd) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for number, run in enumerate(runs, 1):
            for measure, figures in run["measures"].items():
                lines.append(
                    f"| {number} | {run['test_images']} | {measure} | "
                    f"{figures['mean_drop_proponents']:+.2f} | {run['mean_drop_random']:+.2f} | "
                    f"{figures['mean_difference']:+.2f} ± "
                    f"{figures['difference_standard_error']:.2f} | "
                    f"{figures['beyond_every_random_draw']} of {run['test_images']} | "
                    f"{run['random_draw_spread_median']:.2f} |"
                )
        lines.append("")
    else:
        lines += ["The removal study has not been run (reports/levels-influence.json).", ""]
    lines += [
        "The CNNs' index leaves the second convolution out (4,608 of its weights); against the "
        "full gradient dot product over every layer, on 10 random test images each:",
        "",
        "| network | Spearman (median, min) | strongest 8 toward: shared | strongest 8 against: "
        "shared | left-out share of the influence (median) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in influence["cnn_agreement"]:
        lines.append(
            f"| {row['network']} | {row['spearman_median']:.4f}, {row['spearman_min']:.4f} | "
            f"{row['top8_overlap_toward_mean']:.0%} | {row['top8_overlap_against_mean']:.0%} | "
            f"{row['left_out_share_of_influence_median']:.0%} |"
        )
    lines += [
        "",
        "Labels of the 50 training images of highest self-influence (the gallery's \"possibly "
        'mislabelled"), per network:',
        "",
        "| network | labels |",
        "| --- | --- |",
    ]
    for network, counts in influence["self_influence_top50_labels"].items():
        lines.append(f"| {network} | {', '.join(f'{c}: {n}' for c, n in counts.items() if n)} |")
    return "\n".join(lines) + "\n"


def write(results: dict, folder: Path = REPORTS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / "levels.json"
    json_path.write_text(json.dumps(results, indent=1, default=float) + "\n")
    md_path = folder / "levels.md"
    md_path.write_text(markdown(results))
    return [json_path, md_path]
