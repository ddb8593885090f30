"""Where the methods report lives, and the small loader the pages use (no runner, no model).

Its files: ``methods.json`` (all numbers and curves; the dashboard's Methods page reads it),
``methods.csv`` (one row per network, method and number), ``methods.md`` and one SVG of curves
per network, in ``reports/`` by default.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.studies import REPORTS_DIR

REPORT_DIR = REPORTS_DIR
REPORT_JSON = "methods.json"
REPORT_CSV = "methods.csv"
REPORT_MARKDOWN = "methods.md"


def load_report(folder: Path = REPORT_DIR) -> dict:
    """The committed report (``reports/methods.json``); FileNotFoundError if it is not there."""
    return json.loads((Path(folder) / REPORT_JSON).read_text(encoding="utf-8"))
