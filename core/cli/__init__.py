"""``python -m core``: the command line, and its progress bar.

Names are re-exported lazily, so importing one light module does not load TensorFlow.
"""

from __future__ import annotations

from core._exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "main": (
            "cmd_download",
            "cmd_train",
            "cmd_global_maps",
            "cmd_evaluate_model",
            "cmd_predict",
            "cmd_explain",
            "cmd_bias_share",
            "cmd_confidence_report",
            "build_parser",
            "main",
        ),
        "progress": ("ProgressBar",),
    },
)
