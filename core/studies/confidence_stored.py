"""The confidence report's figures the pages cite (``reports/confidence.json``, written by
``python -m core confidence-report``): a small loader, no runner, no model."""

from __future__ import annotations

import json
from pathlib import Path

from core.studies import REPORTS_DIR

REPORT_JSON = "confidence.json"
QUESTIONS = {
    "right_vs_wrong": lambda row: row["right_vs_wrong"],
    "character_vs_non_character": lambda row: row["character_vs_non_character"]["all"],
}


def load_report(folder: Path = REPORTS_DIR) -> dict:
    """The committed report; FileNotFoundError if it is not there."""
    return json.loads((Path(folder) / REPORT_JSON).read_text(encoding="utf-8"))


def auroc_ranges(report: dict) -> dict[str, dict[str, tuple[float, float]]]:
    """``ranges[question][score]``: the lowest and highest AUROC over the report's networks
    and modes, for right vs wrong answers and for characters vs non-characters."""
    ranges = {}
    for question, pick in QUESTIONS.items():
        per_score: dict[str, list[float]] = {}
        for row in report["rows"]:
            for score, (value, _, _) in pick(row).items():
                per_score.setdefault(score, []).append(float(value))
        ranges[question] = {score: (min(v), max(v)) for score, v in per_score.items()}
    return ranges
