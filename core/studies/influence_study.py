"""Does the training-examples level name the images that matter? Two checks.

1. Removal and retraining (Koh and Liang, 2017; Pruthi et al., 2020's evaluation): for test
   images, the ``k`` training images that pushed the question's score most toward the current
   answer (:func:`core.levels.influence.training_examples`) are removed and the network is
   retrained with the same recipe and seed; the score's drop is compared with the drop after
   removing ``k`` random training images (several draws). The baseline is the network
   trained on everything with that recipe, and the influence is computed on it. Removal is a
   loss weight of 0 (:func:`core.models.training.fit`'s ``sample_weights``): the retraining
   keeps the baseline's initial weights, batch order and augmentation, so the only change is
   the removed images (removing them from the arrays would reshuffle every epoch, a noise of
   about one logit on these scores, larger than the effect measured).
2. For the CNNs, whose index leaves the large convolution out: how the influence it gives
   agrees with the full gradient dot product over every layer (rank correlation, overlap of
   the strongest eight either way), on sampled test images.
"""

from __future__ import annotations

import numpy as np

from core.levels.influence import (
    balancing_weights,
    build_index,
    conv_gradient,
    training_split,
)
from core.levels.question import logits_of, scored_question


def removal_study(
    train_images,
    train_labels,
    validation,
    test_images,
    n_classes: int = 2,
    k: int = 100,
    random_draws: int = 3,
    epochs: int = 8,
    seed: int = 0,
    progress=None,
    measures=("dot", "cosine"),
) -> dict:
    """Per test image: the score after training on everything, without its top-``k``
    proponents, and without ``k`` random images (``random_draws`` times)."""
    from core.models.training import TrainConfig, fit

    config = TrainConfig(epochs=epochs, seed=seed)
    train_labels = np.asarray(train_labels, np.int64)

    def retrained(keep: np.ndarray):
        # the left-out images' loss weight is 0: the same initial weights, order and
        # augmentation draws as the baseline, so only their absence differs
        model, _ = fit(
            train_images,
            train_labels,
            validation,
            config,
            n_classes=n_classes,
            sample_weights=keep.astype(np.float32),
        )
        return model

    everything = np.ones(len(train_labels), bool)
    base = retrained(everything)
    weights = balancing_weights(train_labels, n_classes)
    index = build_index(
        base,
        train_images,
        train_labels,
        np.arange(len(train_labels)),
        weights,
        tuple(range(n_classes)),
    )
    rng = np.random.default_rng(seed + 1)
    rows = []
    for number, image in enumerate(test_images):
        logits = logits_of(base, image[None] / 255.0)[0]
        question = scored_question(logits)
        without_proponents: dict[str, float] = {}
        proponent_labels: dict[str, list[int]] = {}
        for measure in measures:
            values, score, _ = index.influences(image, question, measure)
            proponents = np.argsort(-values, kind="stable")[:k]  # the answer is yes: push up
            keep = everything.copy()
            keep[proponents] = False
            without_proponents[measure] = float(
                question.scores(logits_of(retrained(keep), image[None] / 255.0))[0]
            )
            proponent_labels[measure] = np.bincount(
                train_labels[proponents], minlength=n_classes
            ).tolist()
        randoms = []
        for _ in range(random_draws):
            keep = everything.copy()
            keep[rng.choice(len(train_labels), k, replace=False)] = False
            randoms.append(question.scores(logits_of(retrained(keep), image[None] / 255.0))[0])
        rows.append(
            {
                "without_proponents": without_proponents,
                "proponent_labels": proponent_labels,
                "score": float(score),
                "without_random": [float(value) for value in randoms],
            }
        )
        if progress:
            progress(f"test image {number + 1}/{len(test_images)}: {rows[-1]}")
    return summarise(rows, k, epochs)


def summarise(rows: list[dict], k: int, epochs: int) -> dict:
    """Per measure: the mean drops, their paired difference and how often the proponents
    beat every random draw."""
    random_drop = np.array([r["score"] - np.mean(r["without_random"]) for r in rows])
    measures = {}
    for measure in rows[0]["without_proponents"]:
        drop = np.array([r["score"] - r["without_proponents"][measure] for r in rows])
        beyond = [
            r["score"] - r["without_proponents"][measure] > r["score"] - min(r["without_random"])
            for r in rows
        ]
        difference = drop - random_drop
        measures[measure] = {
            "mean_drop_proponents": float(drop.mean()),
            "mean_difference": float(difference.mean()),
            "difference_standard_error": float(
                difference.std(ddof=1) / np.sqrt(len(rows)) if len(rows) > 1 else np.nan
            ),
            "beyond_every_random_draw": int(sum(beyond)),
            "answer_flipped_by_proponents": int(
                sum(r["without_proponents"][measure] < 0 for r in rows)
            ),
        }
    spread = [
        float(np.std(r["without_random"], ddof=1)) for r in rows if len(r["without_random"]) > 1
    ]
    return {
        "k": k,
        "epochs": epochs,
        "test_images": len(rows),
        "mean_drop_random": float(random_drop.mean()),
        "random_draw_spread_median": float(np.median(spread)) if spread else float("nan"),
        "measures": measures,
        "rows": rows,
    }


def run_removal(
    pair: str = "2Z",
    test_images: int = 10,
    k: int = 100,
    epochs: int = 8,
    random_draws: int = 3,
    seed: int = 0,
    progress=None,
    measures=("dot", "cosine"),
    image_seed: int | None = None,
) -> dict:
    """The removal study on a pair's real data (the shipped recipe, shortened to ``epochs``);
    ``image_seed`` (default ``seed``) draws the test images."""
    from core.data import dataset as data
    from core.data import labelled

    train, _ = training_split(pair)
    _, validation = labelled.train_validation(pair)
    images, _ = data.load_pair(pair, "test")
    chosen = np.random.default_rng(seed if image_seed is None else image_seed).choice(
        len(images), test_images, replace=False
    )
    result = removal_study(
        train.images,
        train.labels,
        (validation.images, validation.labels),
        images[chosen],
        n_classes=len(train.classes),
        k=k,
        random_draws=random_draws,
        epochs=epochs,
        seed=seed,
        progress=progress,
        measures=measures,
    )
    result.update(pair=pair, test_indices=chosen.tolist())
    return result


def cnn_agreement(name: str, kind: str = "cnn", queries: int = 20, seed: int = 0) -> dict:
    """How the CNN index's influence (every layer but the large convolution) agrees with the
    full gradient dot product, over ``queries`` random test images."""
    from core.data import labelled
    from core.inputs.preprocess import to_model_input
    from core.levels.influence import InfluenceIndex, _backward, influence_index
    from core.models.layer_stack import softmax
    from core.models.loading import load_network

    network = load_network(name, kind)
    index: InfluenceIndex = influence_index(name, kind, network, every_layer=True)
    stack = index.stack
    left_out = index.gradients.left_out
    train, _ = training_split(name)
    weights = balancing_weights(train.labels, len(train.classes))
    # the left-out layers' per-example gradients, in batches (held only for this study)
    parts: dict[int, list[np.ndarray]] = {layer: [] for layer in left_out}
    for start in range(0, len(train.labels), 512):
        x = to_model_input(train.images[start : start + 512])
        y = train.labels[start : start + 512]
        layer_inputs, logits, _ = stack.forward(x)
        top = softmax(logits.astype(np.float64))
        top[np.arange(len(y)), y] -= 1.0
        top *= weights[y][:, None]
        for layer, delta in _backward(stack, layer_inputs, top.astype(np.float32)):
            if layer in parts:
                parts[layer].append(conv_gradient(stack.layers[layer], layer_inputs[layer], delta))
    missing = {layer: np.concatenate(gradients) for layer, gradients in parts.items()}
    test = labelled.load(name, "test")
    chosen = np.random.default_rng(seed).choice(len(test.labels), queries, replace=False)
    correlations, overlaps_toward, overlaps_against, shares = [], [], [], []
    from core.metrics.common import spearman_rows

    for position in chosen:
        image = test.images[position]
        logits = logits_of(stack, image[None] / 255.0)[0]
        question = scored_question(logits)
        partial, _, _ = index.influences(image, question)
        layer_inputs, z, _ = stack.forward(to_model_input(image[None]))
        extra = np.zeros_like(partial)
        for layer, delta in _backward(
            stack, layer_inputs, question.score_gradient(z).astype(np.float32)
        ):
            if layer in missing:
                extra -= (
                    missing[layer]
                    @ conv_gradient(stack.layers[layer], layer_inputs[layer], delta)[0]
                )
        full = partial + extra
        correlations.append(float(spearman_rows(partial[None], full[None])[0]))
        overlaps_toward.append(len(set(np.argsort(-partial)[:8]) & set(np.argsort(-full)[:8])) / 8)
        overlaps_against.append(len(set(np.argsort(partial)[:8]) & set(np.argsort(full)[:8])) / 8)
        shares.append(float(np.abs(extra).sum() / max(np.abs(full).sum(), 1e-30)))
    norms = index.gradients.self_influence
    missing_norm = sum((g.astype(np.float64) ** 2).sum(1) for g in missing.values())
    return {
        "network": f"{name}/{kind}",
        "left_out": [int(layer) for layer in left_out],
        "left_out_weights": int(sum(stack.layers[layer].kernel.size for layer in left_out)),
        "queries": queries,
        "spearman_median": float(np.median(correlations)),
        "spearman_min": float(np.min(correlations)),
        "top8_overlap_toward_mean": float(np.mean(overlaps_toward)),
        "top8_overlap_against_mean": float(np.mean(overlaps_against)),
        "left_out_share_of_influence_median": float(np.median(shares)),
        "left_out_share_of_self_influence_median": float(np.median(missing_norm / norms)),
    }
