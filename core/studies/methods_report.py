"""``python -m core evaluate``: every explanation method, scored by every metric on every pair.

Writes ``methods.json`` (all numbers and curves; the dashboard's Methods page reads it),
``methods.md`` (the headline and the tables) and one SVG of deletion and insertion curves per
pair into the output folder (``reports/`` by default). Deterministic: every random choice is
seeded.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np

from core.data.pairs import PAIRS, pair_title

REPORT_DIR = Path(__file__).resolve().parents[2] / "reports"
REPORT_JSON = "methods.json"
REPORT_MARKDOWN = "methods.md"
FLOOR = "random"
"""Name of the random map scored beside the methods."""
COLUMNS = [
    ("deletion", "auc", "Deletion AUC"),
    ("insertion", "auc", "Insertion AUC"),
    ("drop_increase", "mean_drop", "Mean drop"),
    ("drop_increase", "drop_rate", "Drop rate"),
    ("drop_increase", "increase_rate", "Increase rate"),
    ("mufidelity", "correlation", "MuFidelity"),
    ("randomization", "rank_correlation", "Randomization (all layers)"),
    ("randomization", "ink_rank_correlation", "Randomization (all layers, ink pixels)"),
    ("randomization", "top_layer", "Randomization (top layer)"),
    ("class_sensitivity", "rank_correlation", "Class sensitivity"),
]
"""(metric, summary key, column title) of the report's tables, in order."""


def stratified_subset(labels: np.ndarray, limit: int | None, seed: int = 0) -> np.ndarray:
    """Indices of at most ``limit`` images, each label in its share, chosen by ``seed`` (all if None)."""
    if limit is None or limit >= len(labels):
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        count = max(1, int(round(limit * len(members) / len(labels))))
        chosen.append(rng.choice(members, min(count, len(members)), replace=False))
    return np.sort(np.concatenate(chosen))[:limit]


def evaluate_pair(model, images: np.ndarray, methods: dict, metrics: dict, progress=None) -> dict:
    """Scores of every method (name -> callable) by every metric on one model's images."""
    from core.metrics import NEEDS_EXPLAINER
    from core.models.files import predict

    targets = predict(model, images).argmax(axis=1)
    results = {}
    for name, method in methods.items():
        started = time.perf_counter()
        maps = method(model, images, target=targets)
        seconds = time.perf_counter() - started
        entry = {"ms_per_image": 1000 * seconds / max(len(images), 1), "metrics": {}, "curves": {}}
        for metric_name, metric in metrics.items():
            options = {"explainer": method} if metric_name in NEEDS_EXPLAINER else {}
            result = metric(model, images, targets, maps, **options)
            entry["metrics"][metric_name] = {
                key: _round(value) for key, value in result.summary.items()
            }
            entry["curves"].update(
                {
                    key: {"x": curve["x"], "y": [_round(v) for v in curve["y"]]}
                    for key, curve in result.curves.items()
                }
            )
        results[name] = entry
        if progress:
            progress(name)
    return results


def _round(value):
    return round(float(value), 5) if np.isfinite(value) else None


def run(
    pairs=PAIRS,
    methods=None,
    limit: int | None = None,
    out: Path = REPORT_DIR,
    seed: int = 0,
    progress=None,
) -> dict:
    """Evaluate and write the report; returns what ``methods.json`` holds."""
    import keras
    import tensorflow as tf

    from core.data.dataset import dataset_fingerprint, load_pair
    from core.explain import METHODS
    from core.metrics import METRICS, random_map
    from core.models.files import load_pretrained

    chosen = {name: METHODS[name] for name in (methods or METHODS)}
    chosen[FLOOR] = random_map
    report = {
        "settings": {
            "images": "full test set"
            if limit is None
            else f"seeded stratified subset of at most {limit} per pair (seed {seed})",
            "targets": "the predicted class",
            "scored_output": "the target's probability (every method's default options)",
            "seed": seed,
            "dataset": dataset_fingerprint()["id"],
            "versions": {
                "python": platform.python_version(),
                "numpy": np.__version__,
                "tensorflow": tf.__version__,
                "keras": keras.__version__,
            },
        },
        "pairs": {},
    }
    for pair in pairs:
        images, labels = load_pair(pair, "test")
        subset = stratified_subset(labels, limit, seed)
        started = time.perf_counter()
        results = evaluate_pair(
            load_pretrained(pair),
            images[subset],
            chosen,
            METRICS,
            progress=(lambda name, pair=pair: progress(pair, name)) if progress else None,
        )
        report["pairs"][pair] = {
            "images": int(len(subset)),
            "seconds": round(time.perf_counter() - started, 1),
            "methods": results,
        }
    write(report, Path(out))
    return report


def write(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / REPORT_JSON).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    for pair, entry in report["pairs"].items():
        (out / f"curves-{pair}.svg").write_text(
            curves_svg(entry["methods"], pair_title(pair)), encoding="utf-8"
        )
    (out / REPORT_MARKDOWN).write_text(markdown(report), encoding="utf-8")


def load_report(folder: Path = REPORT_DIR) -> dict:
    """The committed report (``reports/methods.json``); FileNotFoundError if it is not there."""
    return json.loads((Path(folder) / REPORT_JSON).read_text(encoding="utf-8"))


def table(report: dict, metric: str, key: str) -> dict[str, dict[str, float | None]]:
    """``{method: {pair: value}}`` of one summary number."""
    rows: dict[str, dict] = {}
    for pair, entry in report["pairs"].items():
        for method, result in entry["methods"].items():
            rows.setdefault(method, {})[pair] = result["metrics"].get(metric, {}).get(key)
    return rows


def better_of(metric: str, key: str) -> str:
    return (
        "higher"
        if (metric, key)
        in {("insertion", "auc"), ("drop_increase", "increase_rate"), ("mufidelity", "correlation")}
        else "lower"
    )


def standing(report: dict, method: str = "modulex") -> list[dict]:
    """Per column: ``method``'s mean over pairs, its rank among the methods (not the floor), who is best."""
    rows = []
    for metric, key, title in COLUMNS:
        values = {
            name: _mean(per_pair.values()) for name, per_pair in table(report, metric, key).items()
        }
        if method not in values or values[method] is None:
            continue
        sign = -1 if better_of(metric, key) == "higher" else 1
        ranked = sorted(
            (name for name in values if name != FLOOR and values[name] is not None),
            key=lambda name: sign * values[name],
        )
        rows.append(
            {
                "column": title,
                "better": better_of(metric, key),
                "value": values[method],
                "rank": ranked.index(method) + 1,
                "of": len(ranked),
                "best": ranked[0],
                "best_value": values[ranked[0]],
                "floor": values.get(FLOOR),
                "beats_floor": values.get(FLOOR) is None
                or sign * values[method] < sign * values[FLOOR],
            }
        )
    return rows


def _mean(values) -> float | None:
    finite = [v for v in values if v is not None]
    return float(np.mean(finite)) if finite else None


def headline(report: dict, method: str = "modulex") -> list[str]:
    """Plain sentences: where ``method`` wins, where it loses, and against the random floor."""
    rows = standing(report, method)
    if not rows:
        return [f"{method} was not evaluated."]
    wins = [r for r in rows if r["rank"] == 1]
    top_half = [r for r in rows if 1 < r["rank"] <= (r["of"] + 1) // 2]
    losses = [r for r in rows if r["rank"] > (r["of"] + 1) // 2]
    below_floor = [r for r in rows if not r["beats_floor"]]

    def named(items):
        return "; ".join(
            f"{r['column']} ({r['value']:.3f}, rank {r['rank']} of {r['of']}; best {r['best']} {r['best_value']:.3f})"
            for r in items
        )

    lines = []
    lines.append(
        f"**ModuleX wins on:** {named(wins)}."
        if wins
        else "**ModuleX wins on no metric**: on every column another method is better."
    )
    if top_half:
        lines.append(f"**Upper half on:** {named(top_half)}.")
    if losses:
        lines.append(f"**ModuleX loses on:** {named(losses)}.")
    if below_floor:
        lines.append(f"**No better than a random map on:** {named(below_floor)}.")
    else:
        lines.append("**Above the random floor on every column.**")
    speed = {
        name: _mean(
            entry["methods"][name]["ms_per_image"]
            for entry in report["pairs"].values()
            if name in entry["methods"]
        )
        for name in next(iter(report["pairs"].values()))["methods"]
        if name != FLOOR
    }
    fastest = sorted(speed, key=speed.get)
    if method in speed:
        lines.append(
            f"**Speed:** {speed[method]:.3f} ms per image, rank {fastest.index(method) + 1} of {len(fastest)} (fastest {fastest[0]} {speed[fastest[0]]:.3f}, slowest {fastest[-1]} {speed[fastest[-1]]:.3f})."
        )
    return lines


def markdown(report: dict) -> str:
    pairs = list(report["pairs"])
    settings = report["settings"]
    lines = ["# Explanation methods on the shipped networks", ""]
    lines += [
        "Written by `python -m core evaluate`; numbers in `methods.json`. "
        f"Images: {settings['images']}; target: {settings['targets']}; score: {settings['scored_output']}. "
        f"A random map (`{FLOOR}`) is scored as the floor. Dataset {settings['dataset'][:12]}.",
        "",
    ]
    lines += ["## Headline: where ModuleX stands (mean over the pairs)", ""]
    lines += [f"- {line}" for line in headline(report)] + [""]
    lines += ["| pair | images | seconds |", "| --- | --- | --- |"]
    lines += [
        f"| {pair_title(p)} | {report['pairs'][p]['images']} | {report['pairs'][p]['seconds']} |"
        for p in pairs
    ] + [""]
    for metric, key, title in COLUMNS:
        rows = table(report, metric, key)
        lines += [
            f"## {title} ({better_of(metric, key)} is better)",
            "",
            "| method | " + " | ".join(pairs) + " | mean |",
            "| --- |" + " --- |" * (len(pairs) + 1),
        ]
        sign = -1 if better_of(metric, key) == "higher" else 1
        order = sorted(
            rows,
            key=lambda m: (
                sign * (_mean(rows[m].values()) if _mean(rows[m].values()) is not None else np.inf)
            ),
        )
        for method in order:
            cells = [_cell(rows[method].get(p)) for p in pairs]
            name = f"**{method}**" if method == "modulex" else method
            lines.append(
                f"| {name} | " + " | ".join(cells) + f" | {_cell(_mean(rows[method].values()))} |"
            )
        lines.append("")
    lines += [
        "## Time per image (ms, all images of a pair in one call)",
        "",
        "| method | " + " | ".join(pairs) + " |",
        "| --- |" + " --- |" * len(pairs),
    ]
    for method in report["pairs"][pairs[0]]["methods"]:
        lines.append(
            f"| {method} | "
            + " | ".join(
                _cell(report["pairs"][p]["methods"][method]["ms_per_image"], 3) for p in pairs
            )
            + " |"
        )
    lines += ["", "## Deletion and insertion curves", ""]
    lines += [f"![{pair}](curves-{pair}.svg)" for pair in pairs]
    lines += [
        "",
        "Metric definitions: see the docstrings in `core/metrics/` and `docs/methods.md`.",
        "",
    ]
    return "\n".join(lines)


def _cell(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


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


def curves_svg(methods: dict, title: str, width: int = 760, height: int = 300) -> str:
    """Deletion (left) and insertion (right) mean curves of every method, as a standalone SVG."""
    panel, margin = (width - 200) // 2, 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="16" font-size="13">{title}: deletion (left), insertion (right); x: share of pixels, y: target probability</text>',
    ]
    for column, curve in enumerate(("deletion", "insertion")):
        left = 10 + column * (panel + 10)
        top, bottom = margin, height - 20
        parts.append(
            f'<rect x="{left}" y="{top}" width="{panel}" height="{bottom - top}" fill="none" stroke="#ccc"/>'
        )
        for index, (name, result) in enumerate(methods.items()):
            data = result["curves"].get(curve)
            if not data:
                continue
            points = " ".join(
                f"{left + x * panel:.1f},{bottom - (y or 0) * (bottom - top):.1f}"
                for x, y in zip(data["x"], data["y"])
            )
            colour = _PALETTE[index % len(_PALETTE)]
            stroke = 3 if name == "modulex" else 1.3
            dash = ' stroke-dasharray="4 3"' if name == FLOOR else ""
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{stroke}"{dash}/>'
            )
    for index, name in enumerate(methods):
        y = margin + 14 * index
        parts.append(
            f'<line x1="{width - 180}" y1="{y}" x2="{width - 160}" y2="{y}" stroke="{_PALETTE[index % len(_PALETTE)]}" stroke-width="{3 if name == "modulex" else 1.5}"/>'
        )
        parts.append(f'<text x="{width - 155}" y="{y + 4}">{name}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
