"""Metrics of explanation maps, one call for all:
``metric(model, images, targets, maps, **options)``.

Each returns a :class:`MetricResult` (the table's numbers, which way is better, per-image
values and the curves the pages plot); ``targets`` takes what the explainers take (ints, one
per image, one-hot rows, or None for the predicted class). Metrics in :data:`NEEDS_EXPLAINER`
also take ``explainer=`` (the method, called as ``explainer(model, images, target=...)``),
since they explain again under changed conditions. The reference maps every method is scored
beside (random, input, edges) are methods too: :data:`core.explain.FLOORS`.

The categories follow Quantus (Hedström et al., JMLR 2023, arXiv:2202.06861).
"""

from __future__ import annotations

from typing import Any

from core.metrics.axiomatic import completeness, input_invariance, shifted_model
from core.metrics.common import MetricResult, average_ranks, pearson_rows, spearman_rows
from core.metrics.complexity import complexity, entropy, gini
from core.metrics.fidelity import (
    deletion,
    drop_increase,
    insertion,
    linear_imputation,
    mufidelity,
    road,
)
from core.metrics.localisation import relevance_mass
from core.metrics.robustness import sensitivity
from core.metrics.sanity import random_logit, random_other_classes, randomised_models, randomization

METRICS = {
    "deletion": deletion,
    "insertion": insertion,
    "road": road,
    "drop_increase": drop_increase,
    "mufidelity": mufidelity,
    "sensitivity": sensitivity,
    "complexity": complexity,
    "randomization": randomization,
    "random_logit": random_logit,
    "completeness": completeness,
    "input_invariance": input_invariance,
    "relevance_mass": relevance_mass,
}

NEEDS_EXPLAINER = ("sensitivity", "randomization", "random_logit", "input_invariance")
"""Metrics that explain again (they take ``explainer=``)."""

METRIC_INFO: dict[str, dict[str, Any]] = {
    "deletion": {
        "category": "faithfulness",
        "columns": {
            "auc": (
                "Deletion AUC",
                "Target probability as the map's top pixels turn black. Compare with the "
                "input-as-map floor: below it, the map knows more than where the ink is.",
            )
        },
    },
    "insertion": {
        "category": "faithfulness",
        "columns": {
            "auc": (
                "Insertion AUC",
                "Target probability as the top pixels come back on black. Saturates near 1 on "
                "this data: read the gap to the input-as-map floor, not the value.",
            )
        },
    },
    "road": {
        "category": "faithfulness",
        "columns": {
            "auc": (
                "ROAD AUC (most relevant first)",
                "Deletion with removed pixels filled from their neighbours plus noise, so no "
                "black holes leak the mask; the out-of-distribution-safe deletion.",
            )
        },
    },
    "drop_increase": {
        "category": "faithfulness",
        "columns": {
            "mean_drop": (
                "Mean drop",
                "Relative fall of the score when the image is dimmed by the map's positive part.",
            ),
            "drop_rate": ("Drop rate", "Share of images whose score falls under that mask."),
            "increase_rate": ("Increase rate", "Share of images whose score rises under it."),
        },
    },
    "mufidelity": {
        "category": "faithfulness",
        "columns": {
            "correlation": (
                "MuFidelity",
                "Do the map's sums over random sets of 4x4 cells predict the score's fall? "
                "About 0 for the random map, 1 at best; depends on the cell size.",
            )
        },
    },
    "sensitivity": {
        "category": "robustness",
        "columns": {
            "max": (
                "Max-sensitivity",
                "Worst relative move of the normalised map under faint noise (std 0.02). "
                "A map that ignores the input (random) scores 0: read with faithfulness.",
            ),
            "average": ("Avg-sensitivity", "The same, averaged over the noisy copies."),
        },
    },
    "complexity": {
        "category": "complexity",
        "columns": {
            "sparseness": (
                "Sparseness (Gini)",
                "How concentrated |map| is. The input itself is sparse: sparse is not faithful.",
            ),
            "entropy": ("Complexity (entropy)", "Entropy of |map| as a distribution (nats)."),
        },
    },
    "randomization": {
        "category": "randomisation",
        "columns": {
            "rank_correlation": (
                "MPRT, |map|, all pixels",
                "Rank correlation with the map of a fully re-drawn network; near 1 fails.",
            ),
            "ink_rank_correlation": (
                "MPRT, |map|, ink pixels",
                "The same on ink only, so the shared black background does not count.",
            ),
            "signed_ink_rank_correlation": (
                "MPRT, signed, ink pixels",
                "Signed maps on ink: a sign flip counts as a change.",
            ),
            "top_layer": ("MPRT, top layer only", "After re-drawing the output layer alone."),
        },
    },
    "random_logit": {
        "category": "randomisation",
        "columns": {
            "rank_correlation": (
                "Random logit",
                "Rank correlation between the maps of the two classes; near 1: the map ignores "
                "the class, -1: mirror images.",
            )
        },
    },
    "completeness": {
        "category": "axiomatic",
        "columns": {
            "relative_error": (
                "Completeness error (median)",
                "|sum of map - (f(x) - f(black))| / |f(x) - f(black)|; 0 for a complete method.",
            ),
            "within": ("Completeness within 1%", "Share of images whose map sums within 1%."),
        },
    },
    "input_invariance": {
        "category": "axiomatic",
        "columns": {
            "correlation": (
                "Input invariance",
                "Correlation with the map after a shift of the input the network undoes "
                "exactly; 1 passes. Maps multiplied by the input see the shift.",
            )
        },
    },
    "relevance_mass": {
        "category": "localisation",
        "columns": {
            "share": (
                "Relevance mass on ink (proxy)",
                "Share of positive relevance on the ink, a ground truth we built; the input "
                "used as a map scores 1 by construction.",
            )
        },
    },
}
"""Per metric: its Quantus category and, per summary number, a column title and a one-line
reading guide. Which way is better lives in :class:`MetricResult` only."""

__all__ = [
    "METRICS",
    "METRIC_INFO",
    "NEEDS_EXPLAINER",
    "MetricResult",
    "average_ranks",
    "completeness",
    "complexity",
    "deletion",
    "drop_increase",
    "entropy",
    "gini",
    "input_invariance",
    "insertion",
    "linear_imputation",
    "mufidelity",
    "pearson_rows",
    "random_logit",
    "random_other_classes",
    "randomised_models",
    "randomization",
    "relevance_mass",
    "road",
    "sensitivity",
    "shifted_model",
    "spearman_rows",
]
