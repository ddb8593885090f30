"""Scores of a classifier on labelled images: loss, accuracy, confusion, ROC, AUROC and
per-label precision / recall / F1.

The counting is scikit-learn's (``confusion_matrix``, ``roc_curve``, ``roc_auc_score``,
``precision_recall_fscore_support``), imported inside the functions: importing
``sklearn.metrics`` takes ~2.8 s here (it loads SciPy's statistics and pandas), and no
dashboard page needs it.
"""

from __future__ import annotations

import numpy as np

from core.models.prediction import predict

_EPS = 1e-7


def cross_entropy(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-image cross-entropy of the true label."""
    picked = probabilities[np.arange(len(labels)), labels]
    return -np.log(np.clip(picked, _EPS, 1.0))


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """``[true, predicted]`` counts, ``n_classes`` x ``n_classes``."""
    from sklearn.metrics import confusion_matrix as counted

    return counted(labels, predicted, labels=np.arange(n_classes))


def scores_from_probabilities(probabilities: np.ndarray, labels: np.ndarray) -> dict:
    """Loss, accuracy, class-balanced accuracy and confusion matrix, as plain JSON-able values."""
    labels = np.asarray(labels, dtype=np.int64)
    n_classes = probabilities.shape[1]
    predicted = probabilities.argmax(axis=1)
    confusion = confusion_matrix(labels, predicted, n_classes)
    per_class = np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)
    return {
        "n": int(len(labels)),
        "loss": float(cross_entropy(probabilities, labels).mean()) if len(labels) else float("nan"),
        "accuracy": float((predicted == labels).mean()) if len(labels) else float("nan"),
        "balanced_accuracy": float(per_class.mean()),
        "confusion": confusion.tolist(),
    }


def evaluate(model, images, labels) -> dict:
    """The thesis' *evaluate*: scores of ``model`` on labelled images
    (see :func:`scores_from_probabilities`)."""
    return scores_from_probabilities(predict(model, images), np.asarray(labels))


def roc_curve(scores: np.ndarray, positive: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """False- and true-positive rates at every distinct threshold of ``scores`` (from (0, 0),
    highest threshold first), and the area under them. Both classes must be present."""
    from sklearn.metrics import auc
    from sklearn.metrics import roc_curve as curve

    fpr, tpr, _ = curve(np.asarray(positive, bool), scores, drop_intermediate=False)
    return fpr, tpr, float(auc(fpr, tpr))


def auroc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve of ``scores`` telling ``positive`` from the rest: the chance
    that a positive scores above a negative, ties counting half; 0.5 is chance. An infinite
    score (refused outright) is tied at the top; nan when one class is missing."""
    from sklearn.metrics import roc_auc_score

    positive = np.asarray(positive, bool)
    if positive.all() or not positive.any():
        return float("nan")
    scores = np.asarray(scores, np.float64)
    finite = scores[np.isfinite(scores)]
    ceiling = float(finite.max()) + 1.0 if finite.size else 1.0
    return float(roc_auc_score(positive, np.nan_to_num(scores, posinf=ceiling)))


def precision_recall_f1(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> list[dict]:
    """Per label: precision, recall, F1 and support (0 where a label is never predicted)."""
    from sklearn.metrics import precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(
        np.asarray(labels), np.asarray(predicted), labels=np.arange(n_classes), zero_division=0
    )
    return [
        {
            "label": label,
            "precision": float(precision[label]),
            "recall": float(recall[label]),
            "f1": float(f1[label]),
            "support": int(support[label]),
        }
        for label in range(n_classes)
    ]


BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0


def _checked(scores, positive) -> tuple[np.ndarray, np.ndarray]:
    positive = np.asarray(positive, bool)
    scores = np.asarray(scores, np.float64)
    if scores.shape != positive.shape or scores.ndim != 1:
        raise ValueError(f"scores {scores.shape} and labels {positive.shape} must be 1-D alike")
    if np.isnan(scores).any():
        raise ValueError("scores hold NaN")
    return scores, positive


def weighted_aurocs(scores: np.ndarray, positive: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The AUROC of ``scores`` for each row of ``weights`` (``[r, n]``: how often each image
    counts), as if each image were repeated that often; both classes must be present.

    No sort per row: the negatives are sorted once and each positive's place among them found
    once, then a row costs O(n):
    ``sum_i w_i (weight of negatives below s_i + half the weight tied with it)
    / (weight of positives x weight of negatives)``."""
    scores, positive = _checked(scores, positive)
    weights = np.atleast_2d(np.asarray(weights, np.float64))
    order = np.argsort(scores[~positive], kind="stable")
    negatives = scores[~positive][order]
    below = np.searchsorted(negatives, scores[positive], side="left")
    up_to = np.searchsorted(negatives, scores[positive], side="right")
    pos_weights, neg_weights = weights[:, positive], weights[:, ~positive][:, order]
    cumulative = np.zeros((len(weights), len(negatives) + 1))
    np.cumsum(neg_weights, axis=1, out=cumulative[:, 1:])
    strictly = np.take_along_axis(cumulative, np.broadcast_to(below, pos_weights.shape), axis=1)
    tied = np.take_along_axis(cumulative, np.broadcast_to(up_to, pos_weights.shape), axis=1)
    tied -= strictly
    pairs = pos_weights.sum(axis=1) * neg_weights.sum(axis=1)
    return (pos_weights * (strictly + 0.5 * tied)).sum(axis=1) / pairs


def auroc_interval(
    scores: np.ndarray,
    positive: np.ndarray,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = 0.95,
    chunk: int = 100,
) -> tuple[float, float, float]:
    """AUROC of ``scores`` telling ``positive`` from the rest (as :func:`auroc`: ties half,
    infinities tied at their end) and its percentile bootstrap interval at ``level``.

    The bootstrap is stratified (positives and negatives resampled apart, so every resample
    keeps both classes) and seeded: resample ``j`` draws the same images whatever ``chunk``
    (how many resamples are weighed at once, :func:`weighted_aurocs`). (nan, nan, nan) when a
    class is missing; NaN scores are refused.
    """
    scores, positive = _checked(scores, positive)
    if positive.all() or not positive.any():
        return float("nan"), float("nan"), float("nan")
    where = np.flatnonzero(positive), np.flatnonzero(~positive)
    estimate = float(weighted_aurocs(scores, positive, np.ones((1, len(scores))))[0])
    rng = np.random.default_rng(seed)
    found = []
    for start in range(0, resamples, chunk):
        weights = np.zeros((min(chunk, resamples - start), len(scores)))
        for row in weights:
            for members in where:  # positives, then negatives: drawn apart, as many as there are
                row += np.bincount(
                    members[rng.integers(0, len(members), len(members))], minlength=len(scores)
                )
        found.append(weighted_aurocs(scores, positive, weights))
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(np.concatenate(found), [tail, 100 - tail])
    return estimate, float(low), float(high)
