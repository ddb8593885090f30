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
