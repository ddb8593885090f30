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
    keeps both classes) and seeded. Each resample costs O(n), not a sort: the negatives are
    sorted once and each positive's place among them found once; a resample then only weighs
    each score by how often it was drawn, and the AUROC is
    ``sum_i w_i (weight of negatives below s_i + half the weight tied with it) / (n_pos n_neg)``.
    (nan, nan, nan) when a class is missing; NaN scores are refused.
    """
    positive = np.asarray(positive, bool)
    scores = np.asarray(scores, np.float64)
    if scores.shape != positive.shape or scores.ndim != 1:
        raise ValueError(f"scores {scores.shape} and labels {positive.shape} must be 1-D alike")
    if np.isnan(scores).any():
        raise ValueError("scores hold NaN")
    if positive.all() or not positive.any():
        return float("nan"), float("nan"), float("nan")
    negatives = np.sort(scores[~positive])
    positives = scores[positive]
    below = np.searchsorted(negatives, positives, side="left")
    up_to = np.searchsorted(negatives, positives, side="right")
    n_pos, n_neg = len(positives), len(negatives)

    def area(pos_weights: np.ndarray, neg_weights: np.ndarray) -> np.ndarray:
        """AUROC per row of weights (``[r, n_pos]``, ``[r, n_neg]``)."""
        cumulative = np.zeros((len(neg_weights), n_neg + 1))
        np.cumsum(neg_weights, axis=1, out=cumulative[:, 1:])
        strictly = cumulative[:, below]
        tied = cumulative[:, up_to] - strictly
        return (pos_weights * (strictly + 0.5 * tied)).sum(axis=1) / (n_pos * n_neg)

    estimate = float(area(np.ones((1, n_pos)), np.ones((1, n_neg)))[0])
    rng = np.random.default_rng(seed)
    found = []
    for start in range(0, resamples, chunk):
        rows = min(chunk, resamples - start)
        pos_weights = np.stack(
            [np.bincount(rng.integers(0, n_pos, n_pos), minlength=n_pos) for _ in range(rows)]
        )
        neg_weights = np.stack(
            [np.bincount(rng.integers(0, n_neg, n_neg), minlength=n_neg) for _ in range(rows)]
        )
        found.append(area(pos_weights, neg_weights))
    values = np.concatenate(found)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return estimate, float(low), float(high)
