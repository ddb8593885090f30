""" "Not one of these": how unlikely an input is to be any of the characters a network knows.

A pair network only knows two characters, so it answers "2 (95%)" for a vertical line and
"B/b 100%" for a 2. Its own hidden layers, trained to tell two characters apart, are a poor
judge of that (AUROC 0.53-0.92 measured; see reports/unlikely.md). The 8-character network
knows more: its
logits say both *which* of the eight an input resembles and *how typical* it is of them. The
8-character CNN (``all8-cnn``) judges for every network, Dense ones included: its logits told
characters from non-characters best (reports/unlikely.md), and the browser runs it anyway.

The score, for one image and the network ``name`` (exactly what a browser copy computes):

    x      = the 28x28 input in [0, 1] (what the networks take)
    z      = the 8 logits (pre-softmax outputs) of the 8-character CNN, ``all8-cnn``, for x
    ink    = mean of x over its 784 pixels
    aspect = shorter / longer side of the box of pixels with x > 0.5 (0 when there is none)
    f      = (z_0 .. z_7, ink, aspect)                             (10 numbers)
    d_c    = (f - means[c]) . precision . (f - means[c])           for each row c of ``means``
    p_in   = sum over i in ``classes`` of softmax(z)[i]
    score  = distance_weight * min_c d_c - ln(max(p_in, 1e-12))
             (+infinity instead when aspect < min_aspect)
    unlikely (flag "not one of these")  <=>  score > threshold

``classes`` are the indices in ``0 2 5 8 B O S Z`` of the network's characters (2 for a pair,
all 8 for ``all8``, where ``p_in`` is 1 and the second term vanishes); ``means[c]`` is the mean
of ``f`` over the 8-character training images of ``classes[c]`` and ``precision`` the inverse
of their pooled within-class covariance (plus a small ridge): a Mahalanobis distance to the
nearest of the network's characters. ``ink`` and ``aspect`` catch what the logits miss: none
of the eight characters is a thin line or a filled blob; a drawing thinner than ``min_aspect``
(the 0.1% quantile of the aspect of the network's training characters, about 0.33) is refused
outright, since the 8-character network reads a vertical line as a confident 8 or B. The
second term adds what the 8-character network thinks: "this is a 5" makes a 2-vs-Z network
say "neither". For a pair it carries most of the weight (``distance_weight``, chosen by
calibration, is 0 to 0.01); for ``all8`` the distance is all there is.

Parameters: ``pretrained/<name>/unlikely.npz`` (``<name>`` as the network's folder, e.g. ``2Z``,
``2Z-cnn``, ``all8``), written by ``python -m core calibrate-unlikely``:

    classes    int64   [k]      indices into the 8 characters (k = 2 or 8)
    means      float32 [k, 10]
    precision  float32 [10, 10]
    distance_weight float32 []  (scalar, >= 0)
    threshold  float32 []       (scalar)
    min_aspect float32 []       (scalar, 0-1)
    info       str     []       JSON: the source network, seeds, the metrics of the calibration

The file is read with ``allow_pickle=False`` and checked (keys, shapes, finite values); a
damaged file raises one :class:`~core.errors.ModelFileError` naming it and the command that
restores it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data.pairs import EIGHT_CHARACTERS, display_name
from core.errors import ModelFileError

UNLIKELY_FILE = "unlikely.npz"
UNLIKELY_FIX = (
    "git checkout -- pretrained/ or python -m core calibrate-unlikely (needs the dataset)"
)
LOGITS = len(EIGHT_CHARACTERS)
FEATURES = LOGITS + 2  # the logits, the ink and the aspect
INK_LEVEL = 0.5
KEYS = ("classes", "means", "precision", "distance_weight", "threshold", "min_aspect", "info")
SOURCE = "all8"
SOURCE_KIND = "cnn"
SMALLEST_PROBABILITY = 1e-12


@dataclass(frozen=True)
class UnlikelyParameters:
    classes: np.ndarray  # int64 [k]
    means: np.ndarray  # float32 [k, 10]
    precision: np.ndarray  # float32 [10, 10]
    distance_weight: float
    threshold: float
    info: dict
    min_aspect: float = 0.0


@dataclass(frozen=True)
class Unlikely:
    """The verdict on one input: its score, the threshold, and whether it is flagged."""

    score: float
    threshold: float

    @property
    def flagged(self) -> bool:
        return bool(self.score > self.threshold)


def image_features(images) -> np.ndarray:
    """``[n, 2]``: each image's mean ink and the aspect (shorter / longer side) of the box of its
    pixels above ``INK_LEVEL`` (0 without any), images as the networks take them."""
    from core.inputs.preprocess import to_model_input

    x = to_model_input(images).astype(np.float64)
    inked = x > INK_LEVEL
    sides = []
    for axis in (2, 1):  # rows that hold ink, then columns
        present = inked.any(axis=axis)
        index = np.arange(present.shape[1])
        first = np.where(present, index, present.shape[1]).min(axis=1)
        last = np.where(present, index, -1).max(axis=1)
        sides.append(np.maximum(last - first + 1, 0))
    height, width = sides
    aspect = np.minimum(height, width) / np.maximum(np.maximum(height, width), 1)
    return np.stack([x.mean(axis=(1, 2)), aspect], axis=1)


def features(logits: np.ndarray, images) -> np.ndarray:
    """``f`` of the module docstring, ``[n, 10]``."""
    z = np.asarray(logits, dtype=np.float64).reshape(-1, LOGITS)
    return np.concatenate([z, image_features(images)], axis=1)


def unlikely_scores(logits: np.ndarray, images, parameters: UnlikelyParameters) -> np.ndarray:
    """The score of the module docstring for a batch: 8-character logits ``[n, 8]`` and the
    images ``[n, 28, 28]`` they came from."""
    found = features(logits, images)
    z = found[:, :LOGITS]
    means = parameters.means.astype(np.float64)
    precision = parameters.precision.astype(np.float64)
    differences = found[:, None, :] - means[None, :, :]  # [n, k, 10]
    distances = np.einsum("nki,ij,nkj->nk", differences, precision, differences).min(axis=1)
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    inside = shifted[:, parameters.classes].sum(axis=1) / shifted.sum(axis=1)
    surprise = -np.log(np.maximum(inside, SMALLEST_PROBABILITY))
    scores = parameters.distance_weight * distances + surprise
    return np.where(found[:, LOGITS + 1] < parameters.min_aspect, np.inf, scores)


def verdicts(logits: np.ndarray, images, parameters: UnlikelyParameters) -> list[Unlikely]:
    scores = unlikely_scores(logits, images, parameters)
    return [Unlikely(float(score), parameters.threshold) for score in scores]


def eight_logits(eight_model, images, batch_size: int = 1024) -> np.ndarray:
    """Logits ``[n, 8]`` of the 8-character network (a Dense or convolutional stack), computed
    in batches so a large set never holds more than one batch's activations."""
    from core.inputs.preprocess import to_model_input
    from core.models.layer_stack import layer_stack

    stack = layer_stack(eight_model)  # a Keras model or already its numpy view
    images = np.asarray(images)
    batches = [
        stack.forward(to_model_input(images[start : start + batch_size]))[1]
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(batches) if batches else np.zeros((0, LOGITS), np.float32)


@dataclass(frozen=True)
class UnlikelyCheck:
    """What a page needs to judge an input: the parameters and the 8-character network."""

    parameters: UnlikelyParameters
    eight_model: object

    def __call__(self, image: np.ndarray) -> Unlikely:
        images = np.asarray(image)[None]
        return verdicts(eight_logits(self.eight_model, images), images, self.parameters)[0]


def not_one_of_these(characters: tuple[str, ...]) -> str:
    """The answer shown instead of a class: "This does not look like 2 or Z/z"."""
    names = [display_name(character) for character in characters]
    if len(names) == 2:
        return f"This does not look like {names[0]} or {names[1]}"
    return "This does not look like any of " + ", ".join(names[:-1]) + f" or {names[-1]}"


# --- the parameter file ---------------------------------------------------------------------


def save_parameters(parameters: UnlikelyParameters, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        classes=np.asarray(parameters.classes, np.int64),
        means=np.asarray(parameters.means, np.float32),
        precision=np.asarray(parameters.precision, np.float32),
        distance_weight=np.float32(parameters.distance_weight),
        threshold=np.float32(parameters.threshold),
        min_aspect=np.float32(parameters.min_aspect),
        info=np.array(json.dumps(parameters.info)),
    )


def load_parameters(path: str | Path, n_classes: int | None = None) -> UnlikelyParameters:
    """Read and check a parameter file (see the module docstring for its layout)."""
    from core.safe_files import read_npz

    path = Path(path)
    arrays = read_npz(path, UNLIKELY_FIX, what="'not one of these' parameter file")
    problem = _problem(arrays, n_classes)
    if problem:
        raise ModelFileError(path, problem, fix=UNLIKELY_FIX)
    try:
        info = json.loads(str(arrays["info"]))
    except (json.JSONDecodeError, RecursionError):
        info = None
    if not isinstance(info, dict):
        raise ModelFileError(path, "info is not a JSON object", fix=UNLIKELY_FIX)
    return UnlikelyParameters(
        arrays["classes"].astype(np.int64),
        arrays["means"].astype(np.float32),
        arrays["precision"].astype(np.float32),
        float(arrays["distance_weight"]),
        float(arrays["threshold"]),
        info,
        float(arrays["min_aspect"]),
    )


def _problem(arrays: dict, n_classes: int | None) -> str | None:
    if set(arrays) != set(KEYS):
        missing, extra = sorted(set(KEYS) - set(arrays)), sorted(set(arrays) - set(KEYS))
        return "; ".join(
            part
            for part in (
                missing and f"lacks {', '.join(missing)}",
                extra and f"holds unexpected {', '.join(extra)}",
            )
            if part
        )
    classes = arrays["classes"]
    if classes.ndim != 1 or classes.dtype.kind not in "iu" or not 2 <= len(classes) <= LOGITS:
        return f"classes must be 2 to {LOGITS} whole numbers, not {classes.dtype} {classes.shape}"
    if n_classes is not None and len(classes) != n_classes:
        return f"classes lists {len(classes)} characters, not {n_classes}"
    if len(set(classes.tolist())) != len(classes) or classes.min() < 0 or classes.max() >= LOGITS:
        return f"classes must be distinct indices 0-{LOGITS - 1}"
    shapes = {
        "means": (len(classes), FEATURES),
        "precision": (FEATURES, FEATURES),
        "distance_weight": (),
        "threshold": (),
        "min_aspect": (),
    }
    for key, shape in shapes.items():
        array = arrays[key]
        if array.shape != shape:
            wanted = "x".join(map(str, shape)) or "a single number"
            return f"{key} has shape {array.shape}, not {wanted}"
        if array.dtype.kind != "f":
            return f"{key} holds {array.dtype} values, not floats"
        if not np.isfinite(array).all():
            return f"{key} holds non-finite values (NaN or infinity)"
    if not 0 <= float(arrays["min_aspect"]) <= 1:
        return "min_aspect must lie in [0, 1]"
    if float(arrays["distance_weight"]) < 0:
        return "distance_weight must not be negative"
    if arrays["info"].shape != () or arrays["info"].dtype.kind != "U":
        return "info must be one JSON text"
    return None


BROWSER_FORMAT = "modulex-unlikely"
BROWSER_VERSION = 1


def browser_parameters(parameters: UnlikelyParameters) -> dict:
    """The parameters as one JSON object for the browser engine (engine.js ``loadUnlikely``):
    the numbers of the file, each float32 written as the float64 it widens to (JSON keeps it
    exactly), so the browser's score is computed from the very values core uses."""
    return {
        "format": BROWSER_FORMAT,
        "version": BROWSER_VERSION,
        "classes": [int(index) for index in parameters.classes],
        "means": np.asarray(parameters.means, np.float64).tolist(),
        "precision": np.asarray(parameters.precision, np.float64).tolist(),
        "distance_weight": float(np.float32(parameters.distance_weight)),
        "threshold": float(np.float32(parameters.threshold)),
        "min_aspect": float(np.float32(parameters.min_aspect)),
        "ink_level": INK_LEVEL,
        "smallest_probability": SMALLEST_PROBABILITY,
    }


def parameters_path(name: str, kind: str = "dense", root: Path | None = None) -> Path:
    from core.models.paths import model_dir

    return model_dir(name, kind, root) / UNLIKELY_FILE


def shipped_parameters(name: str, kind: str = "dense", root: Path | None = None):
    from core.models.networks import expected_classes

    return load_parameters(parameters_path(name, kind, root), expected_classes(name))
