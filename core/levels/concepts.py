"""Level 3, concepts: does the network look for a closed loop, a top bar, a sharp corner?

Testing with Concept Activation Vectors (TCAV; Kim et al., 2018), on concepts a student can
name, drawn from stroke recipes like the example drawings (:data:`CONCEPTS`), each rendered
:data:`PER_CONCEPT` times with random variation (position, size, tilt, brush, wobble) and framed
where it would sit in a character (:func:`concept_images`: the frame of a drawing that fills
the canvas' drawing square, so a top bar stays at the top instead of being blown up to fill
the input).

For a network and one of its hidden layers (:func:`bottlenecks`: the input of every weighted
layer after the first), a concept's vector is the normal of a linear classifier (ridge
regression on ±1, :func:`fit_cav`) that tells the concept's activations from those of a set of
random scribbles; one vector per random set (:data:`RANDOM_SETS` sets). A class's TCAV score
is the share of its test images whose logit grows along the vector (directional derivative
> 0). The null: vectors between two random sets. Significance: Welch's two-sided t-test of the
concept's :data:`RANDOM_SETS` scores against the null's, per (concept, class, layer),
Bonferroni-corrected over every test of the network (:func:`tcav`).

On the drawing (:func:`concept_sensitivities`): for each significant concept, at its layer,
the directional derivative of the current question's score along the concept's mean vector:
positive means "more of this concept would push the answer up".
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.inputs.preprocess import canvas_ink, to_model_input
from core.inputs.strokes import render_strokes
from core.levels import framing
from core.levels.question import Question, as_stack
from core.models.layer_stack import Conv, Dense, LayerStack
from core.models.networks import THESIS_KIND

PER_CONCEPT = 100
RANDOM_SETS = 20
PER_CLASS = 200
"""Test images per class the TCAV scores are measured on."""
ALPHA = 0.05
SEED = 0
RIDGE = 1e-2


# --- concept recipes: strokes in the unit square ---------------------------------------------


def _line(a, b, steps: int = 8):
    return [(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) for t in np.linspace(0, 1, steps)]


def _arc(cx, cy, rx, ry, start, end, steps=24):
    angles = np.deg2rad(np.linspace(start, end, steps))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


def _closed_loop(rng):
    return [
        _arc(
            rng.uniform(0.35, 0.65),
            rng.uniform(0.3, 0.7),
            rng.uniform(0.15, 0.45),
            rng.uniform(0.15, 0.45),
            0,
            360,
            32,
        )
    ]


def _bar(y_low, y_high, short=False):
    def recipe(rng):
        y = rng.uniform(y_low, y_high)
        if short:
            a, b = rng.uniform(0.2, 0.4), rng.uniform(0.6, 0.8)
        else:
            a, b = rng.uniform(0.0, 0.25), rng.uniform(0.75, 1.0)
        return [_line((a, y), (b, y + rng.uniform(-0.04, 0.04)))]

    return recipe


def _stem(rng):
    x = rng.uniform(0.05, 0.35)
    return [
        _line((x, rng.uniform(0.0, 0.1)), (x + rng.uniform(-0.05, 0.05), rng.uniform(0.9, 1.0)))
    ]


def _diagonal(rng):
    return [
        _line(
            (rng.uniform(0.75, 1.0), rng.uniform(0.0, 0.2)),
            (rng.uniform(0.0, 0.25), rng.uniform(0.8, 1.0)),
        )
    ]


def _sharp_corner(rng):
    corner = np.array([rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7)])
    heading = rng.uniform(0, 2 * np.pi)
    opening = np.deg2rad(rng.uniform(30, 80))
    length = rng.uniform(0.3, 0.45)
    a = corner + length * np.array([np.cos(heading), np.sin(heading)])
    b = corner + length * np.array([np.cos(heading + opening), np.sin(heading + opening)])
    return [[tuple(a), tuple(corner), tuple(b)]]


def _round_top(rng):
    return [
        _arc(
            rng.uniform(0.4, 0.6),
            rng.uniform(0.25, 0.4),
            rng.uniform(0.25, 0.45),
            rng.uniform(0.2, 0.3),
            180,
            360,
        )
    ]


def _bottom_bowl(rng):
    return [
        _arc(
            rng.uniform(0.4, 0.6),
            rng.uniform(0.6, 0.75),
            rng.uniform(0.25, 0.45),
            rng.uniform(0.2, 0.3),
            0,
            180,
        )
    ]


def _tall_and_narrow(rng):
    width = rng.uniform(0.15, 0.35)
    left = 0.5 - width / 2
    ys = np.sort(rng.uniform(0, 1, rng.integers(3, 6)))
    ys[0], ys[-1] = rng.uniform(0, 0.05), rng.uniform(0.95, 1.0)
    return [[(left + width * rng.uniform(0, 1), y) for y in ys]]


def _two_stacked_loops(rng):
    rx = rng.uniform(0.2, 0.35)
    return [
        _arc(0.5, 0.27, rx * rng.uniform(0.8, 1.0), 0.23, 0, 360, 28),
        _arc(0.5, 0.73, rx, 0.25, 0, 360, 28),
    ]


CONCEPTS = {
    "closed loop": _closed_loop,
    "top bar": _bar(0.0, 0.12),
    "bottom bar": _bar(0.88, 1.0),
    "middle bar": _bar(0.42, 0.58, short=True),
    "vertical stem": _stem,
    "diagonal": _diagonal,
    "sharp corner": _sharp_corner,
    "round top": _round_top,
    "bottom bowl": _bottom_bowl,
    "tall and narrow": _tall_and_narrow,
    "two stacked loops": _two_stacked_loops,
}
"""Each concept's recipe: ``recipe(rng)`` -> strokes in the unit square."""


def _scribble(rng):
    strokes = []
    for _ in range(rng.integers(1, 4)):
        points = rng.uniform(0, 1, (rng.integers(2, 5), 2))
        strokes.append([tuple(p) for p in points])
    return strokes


def _varied(strokes, rng):
    """Small random changes of a drawing: tilt, scale, shift, wobble (unit square)."""
    angle = np.deg2rad(rng.uniform(-10, 10))
    scale = rng.uniform(0.85, 1.1)
    shift = rng.uniform(-0.06, 0.06, 2)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    varied = []
    for stroke in strokes:
        p = np.asarray(stroke, np.float64) - 0.5
        p = p @ rotation.T * scale + 0.5 + shift + rng.normal(0, 0.008, p.shape)
        varied.append([tuple(point) for point in p])
    return varied


@functools.lru_cache(maxsize=1)
def reference_frame() -> framing.Frame:
    """The frame of a drawing that fills the canvas' drawing square (the examples' square)."""
    square = [[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]]
    frame = framing.frame_of(canvas_ink(render_strokes(square)))
    if frame is None:  # the square always has ink; a blank frame would be a bug upstream
        raise RuntimeError("the reference square rendered blank")
    return frame


def concept_images(recipe, n: int, seed: int) -> np.ndarray:
    """float32 ``[n, 28, 28]``: ``n`` random renderings of a recipe in the reference frame."""
    rng = np.random.default_rng(seed)
    frame = reference_frame()
    images = []
    for _ in range(n):
        strokes = _varied(recipe(rng), rng)
        canvas = render_strokes(strokes, width=int(rng.integers(14, 27)))
        ink = canvas[..., 0].astype(np.float32) / 255.0  # white ink on opaque black
        images.append(framing.render(ink, frame))
    return np.stack(images)


# --- TCAV ------------------------------------------------------------------------------------


def bottlenecks(stack: LayerStack) -> list[tuple[int, str]]:
    """(layer index, name) of the layers whose input is a hidden representation: every
    weighted layer after the first; the name says what produced it."""
    weighted = [i for i, layer in enumerate(stack.layers) if isinstance(layer, (Dense, Conv))]
    found = []
    for position, index in enumerate(weighted[1:], 1):
        before = stack.layers[weighted[position - 1]]
        units = before.kernel.shape[-1]
        kind = "conv" if isinstance(before, Conv) else "dense"
        found.append((index, f"after {kind} layer {position} ({units} units)"))
    return found


def activations(stack: LayerStack, images: np.ndarray, layer: int) -> np.ndarray:
    inputs, _, _ = stack.forward(to_model_input(images))
    return inputs[layer].reshape(len(images), -1).astype(np.float64)


def fit_cav(positive: np.ndarray, negative: np.ndarray, ridge: float = RIDGE) -> np.ndarray:
    """The unit normal of a ridge-regression classifier (+1 concept, -1 random), solved in
    the samples' space (fewer samples than units)."""
    x = np.concatenate([positive, negative])
    y = np.r_[np.ones(len(positive)), -np.ones(len(negative))]
    mean = x.mean(axis=0)
    centred = x - mean
    gram = centred @ centred.T
    scale = max(np.trace(gram) / len(x), 1e-12)
    alpha = np.linalg.solve(gram + ridge * scale * np.eye(len(x)), y - y.mean())
    w = centred.T @ alpha
    norm = np.linalg.norm(w)
    return w / norm if norm > 0 else w


def score_gradients_at(stack: LayerStack, images, layer: int, top: np.ndarray) -> np.ndarray:
    """d score / d (the input of ``layer``), flat per image; ``top`` = d score / d logits."""
    inputs, _, _ = stack.forward(to_model_input(images))
    from core.explain.walker import GRADIENT, propagate

    gradient = propagate(stack, inputs, top.astype(np.float32), GRADIENT, stop=layer)
    return gradient.reshape(len(inputs[0]), -1).astype(np.float64)


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b) (continued fraction, Lentz)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _betainc(b, a, 1 - x)
    front = (
        math.exp(
            math.lgamma(a + b)
            - math.lgamma(a)
            - math.lgamma(b)
            + a * math.log(x)
            + b * math.log(1 - x)
        )
        / a
    )
    f, c, d = 1.0, 1.0, 0.0
    for i in range(400):
        m = i // 2
        if i == 0:
            numerator = 1.0
        elif i % 2 == 0:
            numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        else:
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1.0 + numerator * d
        d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1.0 + numerator / (c if abs(c) > 1e-300 else 1e-300)
        f *= c * d
        if abs(1.0 - c * d) < 1e-14:
            break
    return front * (f - 1.0)


def welch_t_test(a, b) -> tuple[float, float]:
    """Welch's two-sided t-test: (t, p)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    if va + vb == 0:
        return (0.0, 1.0) if a.mean() == b.mean() else (math.inf, 0.0)
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return float(t), float(_betainc(df / 2, 0.5, df / (df + t * t)))


@dataclass(frozen=True)
class ConceptSets:
    """The rendered concept images and random scribble sets (shared by every network)."""

    concepts: dict  # name -> float32 [PER_CONCEPT, 28, 28]
    randoms: list  # RANDOM_SETS + 1 arrays float32 [PER_CONCEPT, 28, 28]


def concept_sets(
    per_concept: int = PER_CONCEPT, random_sets: int = RANDOM_SETS, seed: int = SEED
) -> ConceptSets:
    concepts = {
        name: concept_images(recipe, per_concept, seed + 1000 * (number + 1))
        for number, (name, recipe) in enumerate(CONCEPTS.items())
    }
    randoms = [
        concept_images(_scribble, per_concept, seed + 7 + 13 * r) for r in range(random_sets + 1)
    ]
    return ConceptSets(concepts, randoms)


def tcav(
    network, sets: ConceptSets, test_images: np.ndarray, test_labels: np.ndarray, classes
) -> dict:
    """TCAV scores and their significance for every concept, class and bottleneck layer."""
    stack = as_stack(network)
    n_classes = stack.n_classes
    rows, vectors = [], {}
    layers = bottlenecks(stack)
    tests = len(sets.concepts) * n_classes * len(layers)
    for layer, layer_name in layers:
        random_acts = [activations(stack, images, layer) for images in sets.randoms]
        gradients = {}
        for c in range(n_classes):
            mine = test_images[test_labels == c]
            top = np.zeros((len(mine), n_classes))
            top[:, c] = 1.0
            gradients[c] = score_gradients_at(stack, mine, layer, top)
        null = [
            fit_cav(random_acts[r], random_acts[r % len(sets.randoms[1:]) + 1])
            for r in range(1, len(random_acts))
        ]
        null_scores = {c: [float((gradients[c] @ v > 0).mean()) for v in null] for c in gradients}
        for name, images in sets.concepts.items():
            acts = activations(stack, images, layer)
            cavs = [fit_cav(acts, random_acts[r]) for r in range(1, len(random_acts))]
            accuracy = _held_out_accuracy(acts, random_acts[1])
            mean_vector = np.mean(cavs, axis=0)
            mean_vector /= max(np.linalg.norm(mean_vector), 1e-12)
            vectors[(name, layer)] = mean_vector.astype(np.float32)
            for c in range(n_classes):
                scores = [float((gradients[c] @ v > 0).mean()) for v in cavs]
                t, p = welch_t_test(scores, null_scores[c])
                rows.append(
                    {
                        "concept": name,
                        "layer": layer,
                        "layer_name": layer_name,
                        "class": classes[c],
                        "class_index": c,
                        "tcav_mean": float(np.mean(scores)),
                        "tcav_sd": float(np.std(scores, ddof=1)),
                        "null_mean": float(np.mean(null_scores[c])),
                        "null_sd": float(np.std(null_scores[c], ddof=1)),
                        "t": t,
                        "p": p,
                        "p_bonferroni": min(1.0, p * tests),
                        "significant": bool(p * tests < ALPHA),
                        "cav_accuracy": accuracy,
                    }
                )
    return {
        "rows": rows,
        "vectors": vectors,
        "tests": tests,
        "test_images_per_class": int(np.bincount(test_labels, minlength=n_classes).min()),
    }


def _held_out_accuracy(positive, negative) -> float:
    """Accuracy of the concept-vs-random classifier on a held-out fifth (is the concept even
    linearly visible at this layer?)."""
    n = len(positive)
    cut = int(0.8 * n)
    w = fit_cav(positive[:cut], negative[:cut])
    threshold = 0.5 * (positive[:cut] @ w).mean() + 0.5 * (negative[:cut] @ w).mean()
    right = (positive[cut:] @ w > threshold).sum() + (negative[cut:] @ w <= threshold).sum()
    return float(right / (2 * (n - cut)))


# --- the shipped concept vectors and the live sensitivities ---------------------------------


@dataclass(frozen=True)
class ConceptVectors:
    """A network's significant concepts: each at the layer where it is most significant."""

    names: tuple  # concept names
    layers: np.ndarray  # int64 [k]: the layer whose input the vector lives in
    layer_names: tuple
    vectors: tuple  # float32 [units of that layer] each, unit length
    tcav: np.ndarray  # float64 [k, classes]: the TCAV score of each class at that layer
    p: np.ndarray  # float64 [k]: the smallest Bonferroni-corrected p at that layer
    classes: tuple
    info: dict


def significant_vectors(result: dict, classes) -> ConceptVectors:
    """From :func:`tcav`'s result: every concept significant for some class at some layer, at
    the layer of its smallest corrected p."""
    best: dict[str, dict] = {}
    for row in result["rows"]:
        if row["significant"]:
            key = row["concept"]
            if key not in best or row["p_bonferroni"] < best[key]["p_bonferroni"]:
                best[key] = row
    names = tuple(name for name in CONCEPTS if name in best)
    layers = np.array([best[name]["layer"] for name in names], np.int64)
    table = np.zeros((len(names), len(classes)))
    for row in result["rows"]:
        if row["concept"] in best and row["layer"] == best[row["concept"]]["layer"]:
            table[names.index(row["concept"]), row["class_index"]] = row["tcav_mean"]
    return ConceptVectors(
        names,
        layers,
        tuple(best[name]["layer_name"] for name in names),
        tuple(result["vectors"][(name, best[name]["layer"])] for name in names),
        table,
        np.array([best[name]["p_bonferroni"] for name in names]),
        tuple(classes),
        {"tests": result["tests"], "alpha": ALPHA},
    )


def concept_sensitivities(network, image, question, vectors: ConceptVectors) -> list[dict]:
    """For each significant concept: the directional derivative of the question's score
    along its vector at its layer (positive: more of the concept pushes the score up)."""
    stack = as_stack(network)
    question = Question.of(question, stack.n_classes)
    x = to_model_input(image)[:1]
    inputs, logits, _ = stack.forward(x)
    top = question.score_gradient(logits).astype(np.float32)
    from core.explain.walker import GRADIENT, propagate

    gradients = {}
    for layer in sorted(set(int(v) for v in vectors.layers)):
        gradients[layer] = propagate(stack, inputs, top, GRADIENT, stop=layer).reshape(-1)
    found = []
    for number, name in enumerate(vectors.names):
        layer = int(vectors.layers[number])
        found.append(
            {
                "concept": name,
                "layer": vectors.layer_names[number],
                "sensitivity": float(gradients[layer] @ vectors.vectors[number]),
                "tcav": {
                    label: float(score)
                    for label, score in zip(vectors.classes, vectors.tcav[number], strict=True)
                },
                "p": float(vectors.p[number]),
            }
        )
    return found


CONCEPTS_FILE = "concepts.npz"


def write_concepts(name: str, kind: str, root: Path | None = None, sets=None):
    """Run TCAV on a shipped network (its test set from ``EMNIST_DIR``), save its significant
    vectors as ``concepts.npz`` (recorded in ``levels.json``), and return the path and the
    full result (for ``reports/concepts.md``)."""
    from core.data import dataset as data
    from core.data import labelled
    from core.levels.artefacts import record, save_npz
    from core.models.loading import load_network
    from core.models.paths import model_dir

    network = load_network(name, kind, root)
    test = labelled.load(name, "test")
    rng = np.random.default_rng(SEED)
    keep = np.concatenate(
        [
            rng.permutation(np.flatnonzero(test.labels == c))[:PER_CLASS]
            for c in range(len(test.classes))
        ]
    )
    result = tcav(
        network, sets or concept_sets(), test.images[keep], test.labels[keep], test.classes
    )
    chosen = significant_vectors(result, test.classes)
    info = {
        "network": f"{name}/{kind}",
        "concepts": list(CONCEPTS),
        "per_concept": PER_CONCEPT,
        "random_sets": RANDOM_SETS,
        "test_images_per_class": result["test_images_per_class"],
        "test": "Welch two-sided t-test, Bonferroni over every concept, class and layer",
        "tests": result["tests"],
        "alpha": ALPHA,
        "seed": SEED,
        "dataset": data.dataset_fingerprint()["id"],
        "classes": list(test.classes),
        "layer_names": list(chosen.layer_names),
    }
    offsets = np.r_[0, np.cumsum([len(v) for v in chosen.vectors])].astype(np.int64)
    path = model_dir(name, kind, root) / CONCEPTS_FILE
    save_npz(
        path,
        names=np.array(chosen.names, dtype="U32"),
        layers=chosen.layers,
        vectors=np.concatenate(chosen.vectors).astype(np.float32)
        if chosen.vectors
        else np.zeros(0, np.float32),
        offsets=offsets,
        tcav=chosen.tcav.astype(np.float64),
        p=chosen.p.astype(np.float64),
        info=np.array(json.dumps(info)),
    )
    record(name, kind, CONCEPTS_FILE, root)
    return path, result


def read_concepts(name: str, kind: str = THESIS_KIND, root: Path | None = None) -> ConceptVectors:
    """The shipped significant concept vectors, checked (checksum, weights, shapes)."""
    from core.errors import ModelFileError
    from core.levels.artefacts import FIX, checked_arrays
    from core.models.paths import model_dir

    path = model_dir(name, kind, root) / CONCEPTS_FILE
    arrays = checked_arrays(name, kind, CONCEPTS_FILE, root)
    keys = {"names", "layers", "vectors", "offsets", "tcav", "p", "info"}
    if set(arrays) != keys:
        raise ModelFileError(path, f"must hold exactly {', '.join(sorted(keys))}", fix=FIX)
    info = json.loads(str(arrays["info"]))
    names, layers, offsets = arrays["names"], arrays["layers"], arrays["offsets"]
    k = len(names)
    if not (
        layers.shape == (k,)
        and offsets.shape == (k + 1,)
        and arrays["tcav"].shape == (k, len(info["classes"]))
        and arrays["p"].shape == (k,)
        and offsets[-1] == len(arrays["vectors"])
        and np.isfinite(arrays["vectors"]).all()
    ):
        raise ModelFileError(path, "its arrays do not fit together", fix=FIX)
    vectors = tuple(arrays["vectors"][offsets[i] : offsets[i + 1]] for i in range(k))
    return ConceptVectors(
        tuple(str(n) for n in names),
        layers.astype(np.int64),
        tuple(info["layer_names"]),
        vectors,
        arrays["tcav"],
        arrays["p"],
        tuple(info["classes"]),
        info,
    )
