"""Scores of a classifier on labelled images: loss, accuracy, confusion, ROC, per-label F1."""

from __future__ import annotations

import numpy as np

from core.models.prediction import predict

_EPS = 1e-7


def cross_entropy(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-image cross-entropy of the true label."""
    picked = probabilities[np.arange(len(labels)), labels]
    return -np.log(np.clip(picked, _EPS, 1.0))


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """``[true, predicted]`` counts."""
    return np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes
    )


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
    """False- and true-positive rates over all thresholds of ``scores``, and the area under them."""
    positive = np.asarray(positive, dtype=bool)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    sorted_scores, sorted_positive = np.asarray(scores)[order], positive[order]
    # one point per distinct threshold
    last_of_run = np.r_[np.diff(sorted_scores) != 0, True]
    true_positives = np.cumsum(sorted_positive)[last_of_run]
    false_positives = np.cumsum(~sorted_positive)[last_of_run]
    tpr = np.r_[0.0, true_positives / max(positive.sum(), 1)]
    fpr = np.r_[0.0, false_positives / max((~positive).sum(), 1)]
    return fpr, tpr, float(np.trapezoid(tpr, fpr))


def precision_recall_f1(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> list[dict]:
    """Per label: precision, recall, F1 and support."""
    confusion = confusion_matrix(np.asarray(labels), np.asarray(predicted), n_classes)
    rows = []
    for label in range(n_classes):
        hits = confusion[label, label]
        precision = hits / max(confusion[:, label].sum(), 1)
        recall = hits / max(confusion[label].sum(), 1)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(
            {
                "label": label,
                "precision": float(precision),
                "recall": float(recall),
                "f1": float(f1),
                "support": int(confusion[label].sum()),
            }
        )
    return rows
