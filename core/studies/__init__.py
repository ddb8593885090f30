"""Offline studies behind the reports: the bias share of target maps, the confidence
analysis, the sweep of explanation checks, the methods report (:mod:`.methods_report`) and the
"not one of these" calibration. Each writes into :data:`REPORTS_DIR`.

Nothing is re-exported: import the module a name lives in, so importing one light module (the
report loader the pages use) loads neither the runners nor TensorFlow.
"""

from __future__ import annotations

from pathlib import Path

REPORTS_DIR = Path(__file__).resolve().parents[2] / "reports"
"""Where the studies write their reports (``reports/`` in the repository)."""
