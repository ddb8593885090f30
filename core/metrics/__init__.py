"""Metrics of explanation maps, one call for all: ``metric(model, images, targets, maps, **options)``.

Each returns a :class:`MetricResult` (the table's numbers, which way is better, per-image
values and the curves the pages plot). The sanity checks also take ``explainer=`` (the method,
called as ``explainer(model, images, target=...)``). :func:`random_map` is the floor every
method is scored against.
"""

from __future__ import annotations

from core.metrics.common import MetricResult, average_ranks, random_map, spearman_rows
from core.metrics.fidelity import deletion, drop_increase, insertion, mufidelity
from core.metrics.sanity import class_sensitivity, randomised_models, randomization

METRICS = {
    "deletion": deletion,
    "insertion": insertion,
    "drop_increase": drop_increase,
    "mufidelity": mufidelity,
    "randomization": randomization,
    "class_sensitivity": class_sensitivity,
}

NEEDS_EXPLAINER = ("randomization", "class_sensitivity")
"""Metrics that explain again (they take ``explainer=``)."""

__all__ = [
    "METRICS",
    "NEEDS_EXPLAINER",
    "MetricResult",
    "average_ranks",
    "class_sensitivity",
    "deletion",
    "drop_increase",
    "insertion",
    "mufidelity",
    "random_map",
    "randomised_models",
    "randomization",
    "spearman_rows",
]
