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
            "REPORT_CSV",
            "REPORT_MARKDOWN",
            "FLOOR",
            "ABLATION",
            "CONVENTIONS",
            "method_label",
            "table_columns",
            "stratified_subset",
            "stroke_pairs",
            "evaluate_network",
            "network_key",
            "run",
            "write",
            "load_report",
            "better_of",
            "to_csv",
            "standing",
            "headline",
            "markdown",
            "curves_svg",
        ),
    },
)
