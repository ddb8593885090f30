"""``python -m core evaluate``: every explanation method, the reference floors and the ModuleX
ablation, scored by every metric on every pair and network kind.

Writes ``methods.json`` (all numbers and curves; the dashboard's Methods page reads it),
``methods.csv`` (one row per network, method and number), ``methods.md`` (headlines per pair and
the tables) and one SVG of deletion, insertion and ROAD curves per network into the output
folder (``reports/`` by default). Deterministic: every random choice is seeded.
"""

from __future__ import annotations

import csv
import io
import json
import platform
import time
from pathlib import Path

import numpy as np

from core.data.dataset import dataset_fingerprint, load_pair
from core.data.pairs import PAIRS, pair_characters, pair_title
from core.explain import METHOD_INFO, METHODS
from core.explain.modulex import output_importance
from core.explain.walker import GRADIENT, Epsilon, ModuleX, SplitAtOutput, propagate
from core.inputs.examples import examples_for, render
from core.inputs.preprocess import canvas_to_input, to_model_input
from core.metrics import (
    FLOOR_LABELS,
    FLOORS,
    METRIC_INFO,
    METRICS,
    NEEDS_EXPLAINER,
    relevance_mass,
)
from core.models.files import load_pretrained, predict
from core.models.layer_stack import UnsupportedModelError, layer_stack

REPORT_DIR = Path(__file__).resolve().parents[2] / "reports"
REPORT_JSON = "methods.json"
REPORT_CSV = "methods.csv"
REPORT_MARKDOWN = "methods.md"
KINDS = ("dense", "cnn")
FLOOR = "random"
"""The chance-level floor (every metric's baseline); the other floors are in FLOORS."""
HIGHLIGHT = "modulex"

# --- The ablation: ModuleX with one term of its rule changed at a time --------------------
#
# Each variant is a rule over the shared backward walk (core.explain.walker), so it runs on
# Dense stacks and CNNs alike; H_n is the target's probability, the other classes 0.

ABLATION_RULES = {
    "modulex_without_bias": ModuleX(bias=False),
    # the hidden layers' inputs replaced by their ReLU gate: the gradient walk, times the pixels
    "modulex_gated": GRADIENT,
    # each hidden layer normalised by its pre-activations (LRP-0); the output layer keeps the
    # sign of H_n (no division by the logit)
    "modulex_lrp0": SplitAtOutput(ModuleX(bias=False), Epsilon(epsilon=0.0, bias=True)),
}


def _modulex_variant(model, images, target=None, *, variant: str) -> np.ndarray:
    x = to_model_input(images)
    stack = layer_stack(model)
    layer_inputs, _, probabilities = stack.forward(x)
    top = output_importance(probabilities, "target", target)
    rule = ABLATION_RULES[variant]
    h = propagate(stack, layer_inputs, top, rule)
    if rule is GRADIENT:
        h = h * layer_inputs[0]
    return h.reshape(x.shape).astype(np.float32)


def modulex_without_bias(model, images, target=None, **options) -> np.ndarray:
    """ModuleX without its bias terms: ``H_i = X_i * (H_{i+1} @ W_i.T)``."""
    return _modulex_variant(model, images, target, variant="modulex_without_bias")


def modulex_gated(model, images, target=None, **options) -> np.ndarray:
    """No bias, and the hidden layers' inputs replaced by their ReLU gate: the target's
    probability times gradient x input of its logit."""
    return _modulex_variant(model, images, target, variant="modulex_gated")


def modulex_lrp0(model, images, target=None, **options) -> np.ndarray:
    """No bias subtraction, each hidden layer normalised by its pre-activations: LRP-0 of the
    target's logit, times its probability."""
    return _modulex_variant(model, images, target, variant="modulex_lrp0")


ABLATION = {
    "modulex_without_bias": modulex_without_bias,
    "modulex_gated": modulex_gated,
    "modulex_lrp0": modulex_lrp0,
}
"""ModuleX as written is ``modulex`` itself (among the methods)."""

LABELS = {
    "modulex_without_bias": "ModuleX without biases",
    "modulex_gated": "ModuleX, ReLU gates for layer inputs (= p·gradient×input)",
    "modulex_lrp0": "ModuleX normalised by z (= p·LRP-0)",
}


CONVENTIONS = (
    (
        "Integrated Gradients",
        "Trapezoid rule over `steps` intervals from the black image (steps + 1 gradients, the "
        "end points weighted 1/2). Captum's `riemann_trapezoid` with n_steps = N spreads the path "
        "over N points, so at the same number its weights differ from ours by N/(N+1) "
        "(128/129 at 128).",
    ),
    (
        "Grad-CAM",
        "The 7x7 (or other) map is upsampled to 28x28 with corner-aligned bilinear "
        "interpolation (the corners of the two grids coincide); libraries that align pixel "
        "centres give slightly shifted maps.",
    ),
    (
        "Deletion / insertion / ROAD",
        "Pixels are ranked by the map, ties broken in a seeded random order; Quantus uses "
        "`argsort`, which breaks ties by position. On block-constant maps (occlusion, LIME) "
        "that alone moves the AUC by up to 0.06. 28 equal steps, black baseline, the target's "
        "probability.",
    ),
    (
        "MuFidelity",
        "128 random sets of 4x4 cells, each cell removed with probability 0.2. The cell size "
        "matters a lot: gradient x input scores 0.56 with 4x4 cells and 0.80 with single pixels.",
    ),
    (
        "LRP-z⁺",
        "Biases are dropped. Zennit's default z⁺ rule keeps the bias's positive part, so its "
        "maps differ where biases are large.",
    ),
    (
        "ROAD",
        "Removed pixels get noisy linear imputation (neighbour weights 1/6 direct, 1/12 "
        "diagonal, noise std 0.01), 0-90 % removed in 10 % steps, the target's probability. "
        "Quantus sweeps 1-99 % in 2 % steps and scores whether the prediction stays.",
    ),
    (
        "Max- / avg-sensitivity",
        "5 copies with Gaussian noise of std 0.02 (pixels 0-1, clipped), maps divided by their "
        "max |value| before comparing. Quantus: uniform noise, 200 samples.",
    ),
    (
        "MPRT and random logit",
        "Spearman rank correlation (Quantus' default is SSIM). MPRT is reported on |maps| over "
        "all pixels (the paper's form), on ink pixels only, and on signed maps over ink.",
    ),
    (
        "Completeness",
        "The map's sum against f(x) - f(black) for the explained score (probability); median "
        "relative error and the share of images within 1 %. Quantus returns yes/no, exact.",
    ),
    (
        "Input invariance",
        "The input becomes 0.2 + 0.8·x and the network's first layer undoes it exactly; the "
        "maps before and after are correlated (Pearson). Quantus shifts by a constant and asks "
        "for equality; our images must stay in [0, 1].",
    ),
    (
        "Relevance mass (localisation)",
        "EMNIST has no ground-truth masks, so both regions are proxies we built: the ink, and "
        "the pixels where stroke-rendered look-alikes (core/examples) differ by more than 0.25.",
    ),
)
"""(what, how it is computed here and how that differs from the usual libraries)."""


def method_label(name: str) -> str:
    """A readable name for a method, floor or ablation variant (``integrated_gradients`` ->
    "Integrated Gradients")."""
    if name in FLOOR_LABELS:
        return FLOOR_LABELS[name]
    if name in METHOD_INFO:
        return METHOD_INFO[name]["label"]
    return LABELS.get(name, name.replace("_", " "))


def table_columns() -> list[tuple[str, str, str, str, str]]:
    """(category, metric, summary key, column title, reading guide) of the tables, in order."""
    return [
        (info["category"], metric, key, title, guide)
        for metric, info in METRIC_INFO.items()
        for key, (title, guide) in info["columns"].items()
    ]


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
    drawn = {c: [canvas_to_input(render(e)) for e in examples_for(c)] for c in (first, second)}
    images, classes, regions = [], [], []
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
    results, directions = {}, {}
    for name, method in methods.items():
        started = time.perf_counter()
        try:
            maps = method(model, images, target=targets)
        except UnsupportedModelError:
            continue
        seconds = time.perf_counter() - started
        entry = {
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


def network_key(pair: str, kind: str) -> str:
    return pair if kind == "dense" else f"{pair}-{kind}"


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
    groups = {name: "floor" for name in FLOORS} | {name: "ablation" for name in ABLATION}
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
            chosen_limit = (cnn_limit or limit) if kind == "cnn" else limit
            subset = stratified_subset(labels, chosen_limit, seed)
            everything = chosen | FLOORS | (ABLATION if kind == "dense" else {})
            started = time.perf_counter()
            results, directions = evaluate_network(
                load_pretrained(pair, kind),
                images[subset],
                everything,
                chosen_metrics,
                groups,
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


def write(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / REPORT_JSON).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (out / REPORT_CSV).write_text(to_csv(report), encoding="utf-8")
    for key, entry in report["networks"].items():
        (out / f"curves-{key}.svg").write_text(
            curves_svg(entry["methods"], network_title(entry)), encoding="utf-8"
        )
    (out / REPORT_MARKDOWN).write_text(markdown(report), encoding="utf-8")


def load_report(folder: Path = REPORT_DIR) -> dict:
    """The committed report (``reports/methods.json``); FileNotFoundError if it is not there."""
    return json.loads((Path(folder) / REPORT_JSON).read_text(encoding="utf-8"))


def network_title(entry: dict) -> str:
    return (
        f"{pair_title(entry['pair'])} · {'Dense (thesis)' if entry['kind'] == 'dense' else 'CNN'}"
    )


def better_of(report: dict, metric: str, key: str) -> str:
    """Which way is better for one number, as the metric itself reported it."""
    return report["directions"][metric][key]


def to_csv(report: dict) -> str:
    """One row per network, method, metric and number (the download of the Methods page)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["network", "pair", "kind", "method", "label", "group", "metric", "number",
                     "value", "better"])  # fmt: skip
    for key, entry in report["networks"].items():
        for method, result in entry["methods"].items():
            common = [key, entry["pair"], entry["kind"], method, method_label(method)]
            common.append(result["group"])
            writer.writerow([*common, "time", "ms_per_image", result["ms_per_image"], "lower"])
            for metric, numbers in result["metrics"].items():
                for number, value in numbers.items():
                    better = better_of(report, metric, number)
                    writer.writerow([*common, metric, number, value, better])
    return buffer.getvalue()


def standing(report: dict, network: str, method: str = HIGHLIGHT) -> list[dict]:
    """Per column, on one network: ``method``'s value, its rank among the methods (not the
    floors or the ablation), who is best, and the floors' values."""
    entry = report["networks"][network]["methods"]
    rows = []
    for _, metric, key, title, _ in [
        *table_columns(),
        ("", "stroke_difference_mass", "share", "", ""),
    ]:
        if metric not in report["directions"]:
            continue
        title = title or "Relevance mass on the 2-vs-Z-style difference (proxy)"
        values = {name: r["metrics"].get(metric, {}).get(key) for name, r in entry.items()}
        if method not in values or values[method] is None:
            continue
        better = better_of(report, metric, key)
        sign = -1 if better == "higher" else 1
        ranked = sorted(
            (n for n in values if entry[n]["group"] == "method" and values[n] is not None),
            key=lambda n: sign * values[n],
        )
        floors = {n: v for n, v in values.items() if entry[n]["group"] == "floor"}
        rows.append(
            {
                "column": title,
                "better": better,
                "value": values[method],
                "rank": ranked.index(method) + 1,
                "of": len(ranked),
                "best": ranked[0],
                "best_value": values[ranked[0]],
                "floors": floors,
                "below_floors": [
                    n
                    for n, v in floors.items()
                    if v is not None and sign * values[method] >= sign * v
                ],
            }
        )
    return rows


def headline(report: dict, network: str | None = None, method: str = HIGHLIGHT) -> list[str]:
    """Plain sentences for one network (default: the first): where ``method`` wins, where it
    loses, and which floors it does not beat."""
    networks = report.get("networks", {})
    network = network or next(iter(networks), None)
    if network not in networks:
        return [f"The report has no results for {network}."]
    rows = standing(report, network, method)
    label = method_label(method)
    if not rows:
        return [f"{label} was not evaluated on {network}."]
    wins = [r for r in rows if r["rank"] == 1]
    losses = [r for r in rows if r["rank"] > (r["of"] + 1) // 2]

    def named(items):
        return "; ".join(
            f"{r['column']} ({r['value']:.3f}, rank {r['rank']} of {r['of']}; "
            f"best {method_label(r['best'])} {r['best_value']:.3f})"
            for r in items
        )

    title = network_title(networks[network])
    lines = [
        f"**{title}: {label} wins on** {named(wins)}."
        if wins
        else f"**{title}: {label} wins on no metric** (another method is better on every one)."
    ]
    if losses:
        lines.append(f"**Lower half on:** {named(losses)}.")
    for floor in ("input", "edges", "random"):
        behind = [r["column"] for r in rows if floor in r["below_floors"]]
        if behind:
            lines.append(
                f"**No better than the {method_label(floor).lower()} on:** {', '.join(behind)}."
            )
    speed = {
        n: r["ms_per_image"]
        for n, r in networks[network]["methods"].items()
        if r["group"] == "method"
    }
    if method in speed:
        fastest = sorted(speed, key=speed.get)
        lines.append(
            f"**Speed:** {speed[method]:.3f} ms per image, rank {fastest.index(method) + 1} of "
            f"{len(fastest)} (fastest {method_label(fastest[0])} {speed[fastest[0]]:.3f}, "
            f"slowest {method_label(fastest[-1])} {speed[fastest[-1]]:.3f})."
        )
    return lines


def floor_effect(report: dict, network: str) -> dict | None:
    """Deletion and insertion of the input-as-map floor beside the best method and ModuleX."""
    entry = report["networks"][network]["methods"]
    if "input" not in entry or "deletion" not in report["directions"]:
        return None

    def value(name, metric):
        return entry.get(name, {}).get("metrics", {}).get(metric, {}).get("auc")

    methods = [n for n, r in entry.items() if r["group"] == "method"]
    best_deletion = min(methods, key=lambda n: value(n, "deletion") or np.inf)
    best_insertion = max(methods, key=lambda n: value(n, "insertion") or -np.inf)
    return {
        "input": (value("input", "deletion"), value("input", "insertion")),
        "random": (value("random", "deletion"), value("random", "insertion")),
        "modulex": (value(HIGHLIGHT, "deletion"), value(HIGHLIGHT, "insertion")),
        "best_deletion": (best_deletion, value(best_deletion, "deletion")),
        "best_insertion": (best_insertion, value(best_insertion, "insertion")),
    }


ABLATION_COLUMNS = (
    ("deletion", "auc"),
    ("insertion", "auc"),
    ("road", "auc"),
    ("mufidelity", "correlation"),
    ("randomization", "ink_rank_correlation"),
    ("randomization", "signed_ink_rank_correlation"),
    ("random_logit", "rank_correlation"),
    ("input_invariance", "correlation"),
)
"""The columns the ablation table shows (faithfulness and the randomisation checks)."""


def ablation_section(report: dict) -> list[str]:
    """Per Dense network: ModuleX, its variants, the best method per column and the floors."""
    titles = {(m, k): title for _, m, k, title, _ in table_columns()}
    shown = [c for c in ABLATION_COLUMNS if c[0] in report["directions"]]
    lines = ["", "## Why ModuleX stands where it does: the ablation (Dense networks)", ""]
    lines += [
        "One term of the rule changed at a time, scored on the same images and metrics. "
        "Best method: the best of the established methods on that column.",
        "",
    ]
    for entry in report["networks"].values():
        methods = entry["methods"]
        if not any(r["group"] == "ablation" for r in methods.values()):
            continue
        lines += [f"**{network_title(entry)}**", ""]
        header = [f"{titles[c]} ({better_of(report, *c)[0]})" for c in shown]
        lines += ["| variant | " + " | ".join(header) + " | ms/image |"]
        lines += ["| --- |" + " --- |" * (len(shown) + 1)]
        rows = [n for n, r in methods.items() if n == HIGHLIGHT or r["group"] == "ablation"]
        for name in rows:
            cells = [_cell(methods[name]["metrics"].get(m, {}).get(k)) for m, k in shown]
            ms = _cell(methods[name]["ms_per_image"], 3)
            lines.append(
                f"| {_row_name(report['networks'], name)} | " + " | ".join(cells) + f" | {ms} |"
            )
        best = []
        for metric, number in shown:
            sign = -1 if better_of(report, metric, number) == "higher" else 1
            values = {
                n: r["metrics"].get(metric, {}).get(number)
                for n, r in methods.items()
                if r["group"] == "method" and n != HIGHLIGHT
            }
            values = {n: v for n, v in values.items() if v is not None}
            top = min(values, key=lambda n: sign * values[n]) if values else None
            best.append(f"{_cell(values[top])} ({method_label(top)})" if top else "–")
        lines.append("| best other method | " + " | ".join(best) + " | |")
        for floor in ("input", "random"):
            if floor in methods:
                cells = [_cell(methods[floor]["metrics"].get(m, {}).get(k)) for m, k in shown]
                lines.append(f"| *{method_label(floor)}* | " + " | ".join(cells) + " | |")
        lines.append("")
    return lines


def markdown(report: dict) -> str:
    settings = report["settings"]
    networks = report["networks"]
    keys = list(networks)
    lines = ["# Explanation methods on the shipped networks", ""]
    lines += [
        "Written by `python -m core evaluate`; every number is also in `methods.json` and "
        f"`methods.csv`. Images: {settings['images']}; target: {settings['targets']}; score: "
        f"{settings['scored_output']}. Dataset {settings['dataset'][:12]}. Whole run: "
        f"{settings.get('seconds', '?')} s.",
        "",
        "Beside the methods, three **floors** (pseudo-methods that ignore the model): a seeded "
        "random map, the input image used as its map, and a Sobel edge map of the input. A "
        "method is worth reading on a metric only where it beats them. Three **ablation** "
        "variants of ModuleX (Dense only) change one term of its rule each.",
        "",
        "## Headlines (one per network, never averaged over pairs)",
        "",
    ]
    for key in keys:
        lines += [f"- {line}" for line in headline(report, key)]
    lines += ablation_section(report)
    lines += ["", "## The input-as-map floor on deletion / insertion", ""]
    lines += [
        "| network | input as map | random | ModuleX | best deletion | best insertion |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key in keys:
        effect = floor_effect(report, key)
        if effect is None:
            continue
        pair_of = " / ".join
        lines.append(
            f"| {network_title(networks[key])} | {pair_of(_cells(effect['input']))} | "
            f"{pair_of(_cells(effect['random']))} | {pair_of(_cells(effect['modulex']))} | "
            f"{method_label(effect['best_deletion'][0])} {_cell(effect['best_deletion'][1])} | "
            f"{method_label(effect['best_insertion'][0])} {_cell(effect['best_insertion'][1])} |"
        )
    lines += [
        "",
        "| network | images | seconds |",
        "| --- | --- | --- |",
        *[
            f"| {network_title(networks[k])} | {networks[k]['images']} | {networks[k]['seconds']} |"
            for k in keys
        ],
        "",
    ]
    all_columns = table_columns() + [
        (
            "localisation",
            "stroke_difference_mass",
            "share",
            "Relevance mass on the look-alike difference (proxy)",
            "Stroke-rendered examples of the two characters (core/examples): share of positive "
            "relevance where one drawing differs from its look-alike, a ground truth we built.",
        )
    ]
    category = None
    for group, metric, key, title, guide in all_columns:
        if metric not in report["directions"]:
            continue
        if group != category:
            lines += [f"## {group.capitalize()}", ""]
            category = group
        better = better_of(report, metric, key)
        lines += [f"### {title} ({better} is better)", "", f"*Reading:* {guide}", ""]
        lines += [
            "| method | " + " | ".join(keys) + " |",
            "| --- |" + " --- |" * len(keys),
        ]
        names = list(dict.fromkeys(n for k in keys for n in networks[k]["methods"]))
        sign = -1 if better == "higher" else 1

        def order(name, metric=metric, key=key, sign=sign):
            group_rank = {"method": 0, "floor": 1, "ablation": 2}
            first = networks[keys[0]]["methods"].get(name)
            value = first["metrics"].get(metric, {}).get(key) if first else None
            kind = group_rank[_group(networks, name)]
            return (kind, sign * value if value is not None else np.inf)

        for name in sorted(names, key=order):
            cells = [
                _cell(
                    networks[k]["methods"].get(name, {}).get("metrics", {}).get(metric, {}).get(key)
                )
                for k in keys
            ]
            lines.append(f"| {_row_name(networks, name)} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "## Time per image (ms, all images of a network in one call)",
        "",
        "| method | " + " | ".join(keys) + " |",
        "| --- |" + " --- |" * len(keys),
    ]
    names = list(dict.fromkeys(n for k in keys for n in networks[k]["methods"]))
    for name in names:
        cells = [_cell(networks[k]["methods"].get(name, {}).get("ms_per_image"), 3) for k in keys]
        lines.append(f"| {_row_name(networks, name)} | " + " | ".join(cells) + " |")
    lines += ["", "## Deletion, insertion and ROAD curves", ""]
    lines += [f"![{key}](curves-{key}.svg)" for key in keys]
    lines += [
        "",
        "Definitions, directions, conventions and pitfalls: `docs/methods.md` and the "
        "docstrings in `core/metrics/`.",
        "",
    ]
    return "\n".join(lines)


def _group(networks: dict, name: str) -> str:
    for entry in networks.values():
        if name in entry["methods"]:
            return entry["methods"][name]["group"]
    return "method"


def _row_name(networks: dict, name: str) -> str:
    label, group = method_label(name), _group(networks, name)
    if name == HIGHLIGHT:
        return f"**{label}**"
    return f"*{label}*" if group == "floor" else (f"↳ {label}" if group == "ablation" else label)


def _cell(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _cells(values) -> list[str]:
    return [_cell(v) for v in values]


_PALETTE = [
    "#b2182b",
    "#2166ac",
    "#4d9221",
    "#762a83",
    "#e08214",
    "#1b7837",
    "#8c510a",
    "#01665e",
    "#c51b7d",
    "#5e3c99",
    "#35978f",
    "#999999",
]


def curves_svg(methods: dict, title: str, width: int = 980, height: int = 300) -> str:
    """Deletion, insertion and ROAD mean curves of the methods and floors, as a standalone SVG."""
    shown = {n: r for n, r in methods.items() if r.get("group", "method") != "ablation"}
    panels = [
        c
        for c in ("deletion", "insertion", "road")
        if any(c in r["curves"] for r in shown.values())
    ]
    panel, margin = (width - 200) // max(len(panels), 1) - 10, 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="16" font-size="13">{title}: {", ".join(panels)} (left to right); '
        "x: share of pixels, y: target probability; floors dashed</text>",
    ]
    for column, curve in enumerate(panels):
        left = 10 + column * (panel + 10)
        top, bottom = margin, height - 20
        parts.append(
            f'<rect x="{left}" y="{top}" width="{panel}" height="{bottom - top}" '
            'fill="none" stroke="#ccc"/>'
        )
        for index, (name, result) in enumerate(shown.items()):
            data = result["curves"].get(curve)
            if not data:
                continue
            points = " ".join(
                f"{left + x * panel:.1f},{bottom - (y or 0) * (bottom - top):.1f}"
                for x, y in zip(data["x"], data["y"], strict=True)
            )
            colour = _PALETTE[index % len(_PALETTE)]
            stroke = 3 if name == HIGHLIGHT else 1.3
            dash = ' stroke-dasharray="4 3"' if result.get("group") == "floor" else ""
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="{stroke}"{dash}/>'
            )
    for index, name in enumerate(shown):
        y = margin + 14 * index
        colour = _PALETTE[index % len(_PALETTE)]
        dash = ' stroke-dasharray="4 3"' if shown[name].get("group") == "floor" else ""
        parts.append(
            f'<line x1="{width - 180}" y1="{y}" x2="{width - 160}" y2="{y}" stroke="{colour}" '
            f'stroke-width="{3 if name == HIGHLIGHT else 1.5}"{dash}/>'
        )
        parts.append(f'<text x="{width - 155}" y="{y + 4}">{method_label(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


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
