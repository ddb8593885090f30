"""Writing the methods report: ``methods.json``, ``methods.csv`` (one row per network, method,
metric and number: also the Methods page's download), ``methods.md`` and the curves' SVGs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from core.explain.registry import method_label
from core.studies.methods_report.markdown import markdown
from core.studies.methods_report.stored import REPORT_CSV, REPORT_JSON, REPORT_MARKDOWN
from core.studies.methods_report.svg import curves_svg
from core.studies.methods_report.tables import better_of, network_title


def write(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / REPORT_JSON).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (out / REPORT_CSV).write_text(to_csv(report), encoding="utf-8")
    for key, entry in report["networks"].items():
        (out / f"curves-{key}.svg").write_text(
            curves_svg(entry["methods"], network_title(entry)), encoding="utf-8"
        )
    (out / REPORT_MARKDOWN).write_text(markdown(report), encoding="utf-8")


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
