"""What the dashboard shows beside a map: everything for one drawing, the explanation's
confidence and sentence, indirect explanations, and the exported report.

Names are re-exported lazily, so importing one light module does not load TensorFlow.
"""

from __future__ import annotations

from core._exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "confidence": (
            "SHIFTS",
            "NOISE_COPIES",
            "NOISE_SCALE",
            "SEED",
            "Confidence",
            "shift",
            "disturbed_copies",
            "correlation",
            "explanation_confidence",
        ),
        "drawing": (
            "LiveExplanation",
            "answer_text",
            "default_contrast",
            "reference_map",
            "explain_drawing",
        ),
        "gallery": (
            "CORRECTNESS",
            "ORDERS",
            "GalleryFilter",
            "select",
            "explain_predictions",
            "thumbnails",
        ),
        "indirect": (
            "NEIGHBOURS",
            "TSNE_PER_LABEL",
            "first_layer_templates",
            "embed",
            "nearest",
            "PCA",
            "fit_pca",
            "subsample",
            "tsne",
            "place_among_neighbours",
        ),
        "pdf": ("A4", "Page", "pdf_text", "wrap"),
        "report": (
            "PANEL",
            "symmetric_limit",
            "colorize",
            "overlay",
            "Report",
            "png_bytes",
            "pdf_bytes",
            "report_pdf",
        ),
        "unlikely": (
            "UNLIKELY_FILE",
            "UnlikelyParameters",
            "Unlikely",
            "UnlikelyCheck",
            "unlikely_scores",
            "verdicts",
            "eight_logits",
            "not_one_of_these",
            "save_parameters",
            "load_parameters",
            "parameters_path",
            "shipped_parameters",
        ),
        "textual": (
            "GRID_EDGES",
            "REGION_NAMES",
            "HALF",
            "NOTICEABLE",
            "SMALLEST_CELL",
            "Regions",
            "grid_sums",
            "regions",
            "describe",
        ),
    },
)
