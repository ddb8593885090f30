"""Reading numbers out of a methods report: a row's readable name, which way is better for a
number, the table columns, one method's standing on a network, and the input-as-map floor's
effect. Pure functions of the report's JSON: no model, no data.
"""

from __future__ import annotations

import numpy as np

from core.data.pairs import pair_title
from core.metrics import METRIC_INFO
from core.models.networks import KIND_NAMES

HIGHLIGHT = "modulex"
"""The method the report is about."""
STROKE_COLUMN = (
    "localisation",
    "stroke_difference_mass",
    "share",
    "Relevance mass on the look-alike difference (proxy)",
    "Stroke-rendered examples of the two characters (core/examples): share of positive "
    "relevance where one drawing differs from its look-alike, a ground truth we built.",
)
"""The one column the runner adds beside the metrics' own (relevance mass on the region where
stroke-rendered look-alikes differ)."""


def table_columns() -> list[tuple[str, str, str, str, str]]:
    """(category, metric, summary key, column title, reading guide) of the tables, in order."""
    return [
        (info["category"], metric, key, title, guide)
        for metric, info in METRIC_INFO.items()
        for key, (title, guide) in info["columns"].items()
    ]


def network_title(entry: dict) -> str:
    """``"2 vs Z/z · Dense (thesis)"`` for a report's network entry."""
    return f"{pair_title(entry['pair'])} · {KIND_NAMES[entry['kind']]}"


def better_of(report: dict, metric: str, key: str) -> str:
    """Which way is better for one number, as the metric itself reported it."""
    return report["directions"][metric][key]


def standing(report: dict, network: str, method: str = HIGHLIGHT) -> list[dict]:
    """Per column, on one network: ``method``'s value, its rank among the methods (not the
    floors or the ablation), who is best, and the floors' values."""
    entry = report["networks"][network]["methods"]
    rows = []
    for _, metric, key, title, _ in [*table_columns(), STROKE_COLUMN]:
        if metric not in report["directions"]:
            continue
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
