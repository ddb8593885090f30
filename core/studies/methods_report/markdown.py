"""``methods.md``: per network, plain sentences on where ModuleX wins and loses, the ablation
table, and every metric's table with its reading guide."""

from __future__ import annotations

import numpy as np

from core.explain.registry import method_label
from core.studies.methods_report.tables import (
    HIGHLIGHT,
    STROKE_COLUMN,
    better_of,
    floor_effect,
    network_title,
    standing,
    table_columns,
)


def headline(report: dict, network: str | None = None, method: str = HIGHLIGHT) -> list[str]:
    """Plain sentences for one network (default: the first): where ``method`` wins, where it
    loses, and which floors it does not beat."""
    networks = report.get("networks", {})
    network = network or next(iter(networks), None)
    if network is None or network not in networks:
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
        fastest = sorted(speed, key=lambda name: speed[name])
        lines.append(
            f"**Speed:** {speed[method]:.3f} ms per image, rank {fastest.index(method) + 1} of "
            f"{len(fastest)} (fastest {method_label(fastest[0])} {speed[fastest[0]]:.3f}, "
            f"slowest {method_label(fastest[-1])} {speed[fastest[-1]]:.3f})."
        )
    return lines


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
    all_columns = [*table_columns(), STROKE_COLUMN]
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
