"""Does explanation confidence carry information? Measured on the real test sets.

For each model: the confidence of every test image's map (explaining the predicted class),
how well it separates correctly from wrongly classified images (AUROC), next to the model's
own probability as a baseline; whether it adds to that baseline (AUROC among the images the
model is at least 90% sure of, rank correlation with the probability); and how it behaves on
noise images (mean confidence and probability, AUROC of telling test images from noise).

The reference maps here are global maps of the *training* images (first k per label), so no
test image is compared with a mean it is part of. The confidence's settings were fixed before
this was measured and were not tuned on it.
"""

from __future__ import annotations

import numpy as np

from core.aggregates import DEFAULT_K, compute_global_maps
from core.data import labelled
from core.explain import predict_and_explain
from core.insight.confidence import explanation_confidence
from core.metrics.common import spearman_rows
from core.models.scores import auroc

NOISE_IMAGES = 500
NOISE_DENSITY = 0.2
"""Share of lit pixels in a noise image (EMNIST characters light about a fifth of the square)."""
SURE = 0.9


def noise_images(n: int = NOISE_IMAGES, seed: int = 0) -> np.ndarray:
    """uint8 ``[n, 28, 28]``: a random fifth of the pixels lit at random intensities."""
    rng = np.random.default_rng(seed)
    images = rng.integers(1, 256, (n, 28, 28)).astype(np.uint8)
    images[rng.random((n, 28, 28)) >= NOISE_DENSITY] = 0
    return images


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman correlation of two vectors (ties share their mean rank; NaN if one is constant)."""
    return float(spearman_rows(np.asarray(a)[None], np.asarray(b)[None])[0])


def confidence_of_predictions(model, images: np.ndarray, global_maps: np.ndarray, mode: str):
    """Probabilities and the confidence of each image's map for its predicted class."""
    probabilities, maps = predict_and_explain(model, images, mode=mode)
    predicted = probabilities.argmax(axis=1)
    confidence = explanation_confidence(
        model, images, maps, global_maps[predicted], mode=mode, target=predicted
    )
    return probabilities, confidence


def analyse(name: str, model, mode: str = "target", k: int = DEFAULT_K) -> dict:
    """The figures of the README's table for one model (``name``: a pair or ``all8``)."""
    train, _ = labelled.train_validation(name)
    references = compute_global_maps(model, train.images, train.labels, k=k, modes=(mode,)).get(
        mode
    )
    test = labelled.load(name, "test")
    probabilities, confidence = confidence_of_predictions(model, test.images, references, mode)
    top = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == test.labels
    sure = top >= SURE
    noise_probabilities, noise_confidence = confidence_of_predictions(
        model, noise_images(), references, mode
    )
    noise_top = noise_probabilities.max(axis=1)
    is_test = np.r_[np.ones(len(top), bool), np.zeros(len(noise_top), bool)]
    return {
        "model": name,
        "mode": mode,
        "test_images": int(len(top)),
        "wrong": int((~correct).sum()),
        "auroc_correct_vs_wrong": {
            "confidence": auroc(confidence.value, correct),
            "stability": auroc(confidence.stability, correct),
            "agreement": auroc(confidence.agreement, correct),
            "probability": auroc(top, correct),
        },
        "among_sure": {
            "images": int(sure.sum()),
            "wrong": int((~correct[sure]).sum()),
            "auroc_confidence": auroc(confidence.value[sure], correct[sure]),
            "auroc_probability": auroc(top[sure], correct[sure]),
        },
        "spearman_confidence_probability": spearman(confidence.value, top),
        "mean_confidence": {
            "test": float(confidence.value.mean()),
            "correct": float(confidence.value[correct].mean()),
            "wrong": float(confidence.value[~correct].mean()),
            "noise": float(noise_confidence.value.mean()),
        },
        "confidence_deciles_10_50_90": {
            "test": np.percentile(confidence.value, [10, 50, 90]).round(3).tolist(),
            "noise": np.percentile(noise_confidence.value, [10, 50, 90]).round(3).tolist(),
        },
        "mean_probability": {"test": float(top.mean()), "noise": float(noise_top.mean())},
        "auroc_test_vs_noise": {
            "confidence": auroc(np.r_[confidence.value, noise_confidence.value], is_test),
            "probability": auroc(np.r_[top, noise_top], is_test),
        },
    }
