"""Offline studies behind the reports: the bias share of target maps, the confidence
analysis, and the methods report.

Names are re-exported lazily, so importing one light module does not load TensorFlow.
"""

from __future__ import annotations

from core._exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "bias_share": ("bias_share",),
        "confidence_study": (
            "NOISE_IMAGES",
            "NOISE_DENSITY",
            "SURE",
            "noise_images",
            "auroc",
            "spearman",
            "confidence_of_predictions",
            "analyse",
        ),
        "methods_report": (
            "REPORT_DIR",
            "REPORT_JSON",
            "REPORT_MARKDOWN",
            "FLOOR",
            "COLUMNS",
            "stratified_subset",
            "evaluate_pair",
            "run",
            "write",
            "load_report",
            "table",
            "better_of",
            "standing",
            "headline",
            "markdown",
            "curves_svg",
        ),
    },
)
