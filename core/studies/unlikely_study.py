"""Calibrating and evaluating the "not one of these" score (:mod:`core.insight.unlikely`).

``python -m core calibrate-unlikely``:

* **fit** (the 8-character set's train split minus its seeded 10% validation): the mean feature
  vector (``all8-cnn``'s logits, the ink, the aspect) per character and their pooled
  within-class covariance;
* **threshold**: the ``1 - REFUSAL`` quantile of the score on the validation images of the
  network's characters (so about ``REFUSAL`` of genuine characters are refused), raised just
  above the highest shipped example of those characters if one would be refused;
* **thinnest accepted**: ``min_aspect``, the ``MIN_ASPECT_QUANTILE`` quantile of the aspect of
  the network's training characters;
* **distance weight**: the one of :data:`DISTANCE_WEIGHTS` with the best AUROC on the
  *calibration half* of the official ByClass test file (split by :data:`SEED`; characters
  outside the network's) plus generated non-characters (seed :data:`CALIBRATION_SEED`);
* **evaluation**, on data used for nothing above: the pair's own test characters against the
  *evaluation half* of ByClass (other characters) and freshly generated non-characters
  (seed :data:`EVALUATION_SEED`). The ByClass file is never trained on.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from core.data import labelled
from core.data.dataset import data_dir, read_mapping
from core.data.idx import read_idx
from core.data.pairs import ALL_EIGHT, EIGHT_CHARACTERS
from core.errors import DatasetError
from core.inputs.examples import EXAMPLES, example_input
from core.inputs.non_characters import KINDS, non_characters
from core.insight.unlikely import (
    SOURCE,
    SOURCE_KIND,
    UnlikelyParameters,
    eight_logits,
    features,
    parameters_path,
    save_parameters,
    unlikely_scores,
)
from core.models.networks import SHIPPED, characters_of, network_key
from core.studies import REPORTS_DIR

SEED = 0
CALIBRATION_SEED = 1
EVALUATION_SEED = 2
REFUSAL = 0.02
MIN_ASPECT_QUANTILE = 0.001
RIDGE = 1e-6
DISTANCE_WEIGHTS = (0.0, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
GENERATED_PER_KIND = 200
BYCLASS_STEM = "emnist-byclass-test"


def load_byclass(folder: Path | None = None) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The official ByClass test file: upright uint8 images, labels, each label's character."""
    folder = folder or data_dir() / "official"
    images = read_idx(folder / f"{BYCLASS_STEM}-images-idx3-ubyte.gz", expected_ndim=3)
    labels = read_idx(folder / f"{BYCLASS_STEM}-labels-idx1-ubyte.gz", expected_ndim=1)
    mapping = folder / "emnist-byclass-mapping.txt"
    if not mapping.is_file() or len(images) != len(labels):
        raise DatasetError(folder, "needs the ByClass test images, labels and mapping file")
    table = {label: characters[0] for label, characters in read_mapping(mapping).items()}
    characters = tuple(table.get(label, "?") for label in range(max(table) + 1))
    return np.ascontiguousarray(images.transpose(0, 2, 1)), labels.astype(np.int64), characters


def byclass_halves(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the calibration half and the evaluation half (a fixed, seeded split)."""
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[: n // 2]), np.sort(order[n // 2 :])


def auroc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a positive (a non-character) scores above a negative (ties: half;
    refused outright, an infinite score, ties at the top)."""
    from core.models.scores import auroc as area

    scores = np.concatenate([np.asarray(positive, float), np.asarray(negative, float)])
    return area(scores, np.r_[np.ones(len(positive), bool), np.zeros(len(negative), bool)])


def fit_statistics(found: np.ndarray, labels: np.ndarray, classes: np.ndarray):
    """Per-class means ``[k, 10]`` and the inverse pooled within-class covariance ``[10, 10]``
    of the features ``found`` (:func:`core.insight.unlikely.features`)."""
    found = np.asarray(found, np.float64)
    means = np.stack([found[labels == c].mean(axis=0) for c in classes])
    inside = np.isin(labels, classes)
    residuals = found[inside] - means[np.searchsorted(classes, labels[inside])]
    covariance = residuals.T @ residuals / len(residuals)
    covariance += RIDGE * np.trace(covariance) / len(covariance) * np.eye(len(covariance))
    return means, np.linalg.inv(covariance)


def _rows(values: tuple, keep: np.ndarray) -> tuple:
    return tuple(array[keep] for array in values)


def _joined(parts: list[tuple]) -> tuple:
    return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))


def _subset(split: labelled.Labelled, limit: int) -> labelled.Labelled:
    keep = np.sort(np.random.default_rng(SEED).permutation(len(split.labels))[:limit])
    return labelled.Labelled(split.images[keep], split.labels[keep], split.classes)


def _outside(characters: tuple[str, ...], byclass_characters, labels) -> np.ndarray:
    """ByClass images of none of ``characters`` (either case: the set is case-merged)."""
    known = {case for character in characters for case in (character.upper(), character.lower())}
    return np.array([byclass_characters[label] not in known for label in labels], bool)


def run(
    byclass_limit: int | None = None,
    generated_per_kind: int = GENERATED_PER_KIND,
    networks=SHIPPED,
    root: Path | None = None,
    progress=None,
    fit_limit: int | None = None,
) -> dict:
    """Calibrate and evaluate every network in ``networks``; write each parameter file
    (under ``root``, default ``pretrained/``) and return the metrics per network folder.

    ``byclass_limit`` keeps that many images of each ByClass half, ``fit_limit`` that many of
    each 8-character split, chosen by :data:`SEED` (both for a quick run only)."""
    from core.models.loading import load_pretrained

    say = progress or (lambda message: None)
    source = load_pretrained(SOURCE, SOURCE_KIND)
    train, validation = labelled.train_validation(ALL_EIGHT)
    test = labelled.load(ALL_EIGHT, "test")
    if fit_limit is not None:
        train, validation, test = (_subset(split, fit_limit) for split in (train, validation, test))
    byclass_images, byclass_labels, byclass_characters = load_byclass()
    halves = list(byclass_halves(len(byclass_labels)))
    if byclass_limit is not None:
        halves = [half[:byclass_limit] for half in halves]
    say("logits of the 8-character sets")

    def scored(images):  # what a score needs: the source's logits and the images
        return eight_logits(source, images), np.asarray(images)

    sets = {"train": scored(train.images), "validation": scored(validation.images)}
    sets["test"] = scored(test.images)
    say("logits of ByClass and of generated non-characters")
    byclass = [scored(byclass_images[half]) for half in halves]
    byclass_of = [byclass_labels[half] for half in halves]
    generated = {}
    for stage, seed in (("calibration", CALIBRATION_SEED), ("evaluation", EVALUATION_SEED)):
        generated[stage] = {
            kind: scored(non_characters(kind, generated_per_kind, seed=seed)) for kind in KINDS
        }
    examples = scored(np.stack([example_input(e) for e in EXAMPLES]))
    results = {}
    for name, kind in networks:
        say(f"calibrating {network_key(name, kind)}")
        characters = characters_of(name)
        classes = np.array([EIGHT_CHARACTERS.index(c) for c in characters], np.int64)
        train_features = features(*sets["train"])
        means, precision = fit_statistics(train_features, train.labels, classes)
        aspects = train_features[np.isin(train.labels, classes), -1]
        min_aspect = float(np.quantile(aspects, MIN_ASPECT_QUANTILE))

        def scores(
            values, weight, classes=classes, means=means, precision=precision, low=min_aspect
        ):
            candidate = UnlikelyParameters(
                classes, means, precision, weight, 0.0, {}, min_aspect=low
            )
            return unlikely_scores(*values, candidate)

        genuine = _rows(sets["validation"], np.isin(validation.labels, classes))
        calibration_others = _joined(
            [_rows(byclass[0], _outside(characters, byclass_characters, byclass_of[0]))]
            + list(generated["calibration"].values())
        )
        calibration_auroc = {
            weight: auroc(scores(calibration_others, weight), scores(genuine, weight))
            for weight in DISTANCE_WEIGHTS
        }
        weight = max(DISTANCE_WEIGHTS, key=lambda w: (calibration_auroc[w], -w))
        genuine_scores = scores(genuine, weight)
        threshold = float(np.quantile(genuine_scores[np.isfinite(genuine_scores)], 1 - REFUSAL))
        own_examples = np.array([e.character in characters for e in EXAMPLES])
        example_scores = scores(_rows(examples, own_examples), weight)
        raised = bool(np.isfinite(example_scores).all() and example_scores.max() >= threshold)
        if raised:
            threshold = float(example_scores.max()) * 1.01 + 1e-6
        metrics = _evaluate(
            lambda values, weight=weight: scores(values, weight),
            threshold,
            _rows(sets["test"], np.isin(test.labels, classes)),
            _rows(byclass[1], _outside(characters, byclass_characters, byclass_of[1])),
            generated["evaluation"],
            example_scores,
        )
        metrics.update(
            distance_weight=weight,
            calibration_auroc={str(w): round(a, 4) for w, a in calibration_auroc.items()},
            threshold=threshold,
            min_aspect=min_aspect,
            threshold_raised_for_examples=raised,
        )
        info = {
            "network": network_key(name, kind),
            "source": network_key(SOURCE, SOURCE_KIND),
            "characters": list(characters),
            "seeds": {
                "byclass_split": SEED,
                "calibration": CALIBRATION_SEED,
                "evaluation": EVALUATION_SEED,
            },
            "refusal_target": REFUSAL,
            "byclass_limit": byclass_limit,
            "fit_limit": fit_limit,
            "generated_per_kind": generated_per_kind,
            "metrics": metrics,
        }
        parameters = UnlikelyParameters(
            classes, means, precision, weight, threshold, info, min_aspect=min_aspect
        )
        path = parameters_path(name, kind, root)
        save_parameters(parameters, path)
        say(f"wrote {path}")
        results[network_key(name, kind)] = info
    return results


def _evaluate(score, threshold, genuine, byclass_others, generated: dict, example_scores) -> dict:
    genuine_scores = score(genuine)
    others_scores = score(byclass_others)
    generated_scores = {kind: score(values) for kind, values in generated.items()}
    every_other = np.concatenate([others_scores, *generated_scores.values()])
    return {
        "auroc": round(auroc(every_other, genuine_scores), 4),
        "auroc_byclass": round(auroc(others_scores, genuine_scores), 4),
        "auroc_generated": round(
            auroc(np.concatenate(list(generated_scores.values())), genuine_scores), 4
        ),
        "refused_test": round(float(np.mean(genuine_scores > threshold)), 4),
        "n_test": int(len(genuine_scores)),
        "flagged_byclass": round(float(np.mean(others_scores > threshold)), 4),
        "n_byclass": int(len(others_scores)),
        "flagged_generated": {
            kind: round(float(np.mean(values > threshold)), 4)
            for kind, values in generated_scores.items()
        },
        "examples_refused": int(np.sum(example_scores > threshold)),
        "n_examples": int(len(example_scores)),
    }


def markdown(results: dict) -> str:
    kinds = list(next(iter(results.values()))["metrics"]["flagged_generated"]) if results else []
    lines = [
        '# "Not one of these": calibration and evaluation',
        "",
        "Written by `python -m core calibrate-unlikely`. Score and parameters: "
        "`core/insight/unlikely.py`, `pretrained/<network>/unlikely.npz`. Every network is judged "
        "from the logits of `all8-cnn` (the 8-character CNN) and two image features (ink, "
        "aspect). AUROC: genuine test characters of "
        "the network vs the evaluation half of the official ByClass test file (characters of "
        "other classes) and generated non-characters. Refused: share of the network's own test "
        "characters flagged (target "
        f"{REFUSAL:.0%}). Flagged: share of non-characters flagged at the threshold.",
        "",
        "| network | AUROC | AUROC ByClass | AUROC generated | refused (test) | flagged ByClass | "
        + " | ".join(f"flagged {kind}" for kind in kinds)
        + " | examples refused | distance weight |",
        "|" + " --- |" * (9 + len(kinds)),
    ]
    for network, info in results.items():
        m = info["metrics"]
        lines.append(
            f"| {network} | {m['auroc']:.3f} | {m['auroc_byclass']:.3f} | "
            f"{m['auroc_generated']:.3f} | {m['refused_test']:.1%} | {m['flagged_byclass']:.0%} | "
            + " | ".join(f"{m['flagged_generated'][kind]:.0%}" for kind in kinds)
            + f" | {m['examples_refused']}/{m['n_examples']} | {m['distance_weight']:g} |"
        )
    first: dict = next(iter(results.values()), {})
    lines += [
        "",
        f"Seeds: {json.dumps(first.get('seeds', {}))}; ByClass images per half: "
        f"{first.get('byclass_limit') or 'all'}; generated per kind: "
        f"{first.get('generated_per_kind')}.",
        "",
    ]
    return "\n".join(lines)


def write(results: dict, folder: Path = REPORTS_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = folder / "unlikely.json", folder / "unlikely.md"
    json_path.write_text(json.dumps(results, indent=1) + "\n")
    markdown_path.write_text(markdown(results))
    return [json_path, markdown_path]
