"""Level 4, training examples: which training images pushed the current answer toward or
against it, by the exact gradient dot product at the network's final weights (ranked by
default after dividing by each training image's gradient norm, see :data:`MEASURES`).

For a training image ``z`` (label ``y``) and the current input ``x`` with the question's
score ``f`` (:mod:`core.levels.question`):

    influence(z, x) = - grad_w L(z) . grad_w f(x)

``L`` is the loss training minimised for ``z``: the cross-entropy weighted by its class's
balancing weight (:func:`core.models.training.class_weights`). A gradient step on ``z`` changes
``f(x)`` by ``learning rate * influence``: positive values pushed the score up. This is TracIn
(Pruthi et al., 2020) with one checkpoint, the final weights, computed exactly, not sampled or
projected: for a Dense layer with input ``a`` and loss gradient ``d`` at its pre-activation,
the per-example weight gradient is the outer product ``a d^T``, so

    <grad_W(z), grad_W(x)> + <grad_b(z), grad_b(x)> = (a_z . a_x + 1) (d_z . d_x)

and the influence of every training image costs one product per layer with ``N x width``
arrays computed once per network (:class:`InfluenceIndex`). Convolution kernels do not
factorise this way (each is a sum over positions); their per-example gradients are stored
when they are small (:data:`STORED_CONVOLUTION_WEIGHTS`: the CNNs' first convolution, 160
weights) and left out when large (the CNNs' second convolution, 4,640 of their ~56,000
weights): the CNNs' influence is exact over every layer but that one (``layers`` says so);
self-influence, ``|grad_w L(z)|^2``, is exact over every layer of every network (the large
kernels' gradients are computed in batches and only their squared norms kept).

Why not TracIn over saved checkpoints: it needs the checkpoints (several copies of every
network's weights shipped or retrained), and what it sums is the same dot product at other
weights; the final weights are the network the student is asking about.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.inputs.preprocess import to_model_input
from core.levels.question import Question, as_stack
from core.models.layer_stack import Conv, Dense, LayerStack, Pool, Reshape, softmax
from core.models.networks import THESIS_KIND

MEASURES = ("dot", "cosine")
"""How training images are ranked: ``"dot"``, the influence itself; ``"cosine"``, divided by
``|grad_w L(z)|``. Removing the top 100 by cosine and retraining lowered the score by 0.81 ±
0.14 logits more than 100 random removals (8 test images); by dot, not at all (20 images)."""
STORED_CONVOLUTION_WEIGHTS = 1000
"""Convolutions with at most this many weights keep their per-example gradients."""
BATCH = 1024


@dataclass(frozen=True)
class TrainingGradients:
    """Per training image, what its loss gradient is made of (float32, one row per image)."""

    dense: tuple  # per Dense layer: (layer index, inputs a [N, d_in], deltas d [N, d_out])
    convolutions: tuple  # per stored Conv layer: (layer index, gradients [N, weights + bias])
    self_influence: np.ndarray  # float64 [N]: |grad L(z)|^2 over every layer
    left_out: tuple  # indices of the layers the influence leaves out (large convolutions)


def _backward(stack: LayerStack, layer_inputs, top: np.ndarray):
    """Walk ``top`` (d / d logits, ``[n, classes]``) back; yield (layer index, delta at the
    weighted layer's pre-activation) from the last layer to the first."""
    layers = stack.layers
    signal = top
    for index in range(len(layers) - 1, -1, -1):
        layer, x = layers[index], layer_inputs[index]
        if isinstance(layer, (Dense, Conv)):
            if index != len(layers) - 1 and layer.activation == "relu":
                signal = signal * (layer_inputs[index + 1] > 0)
            yield index, signal
            if index:
                signal = layer.adjoint(signal, x)
        elif isinstance(layer, (Reshape, Pool)):
            signal = layer.adjoint(signal, x)


def conv_gradient(layer: Conv, x: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Per-example gradient of a convolution's kernel and bias, flat ``[n, weights + bias]``."""
    out_h, out_w, pads = layer._geometry(x.shape)
    padded = np.pad(x, pads) if layer.padding == "same" else x
    kh, kw = layer.kernel.shape[:2]
    n, positions = len(x), out_h * out_w
    flat_delta = delta.reshape(n, positions, -1)
    parts = [  # per offset: sum over positions of the window's input times the delta
        np.matmul(
            padded[layer._window(dy, dx, out_h, out_w)]
            .reshape(n, positions, -1)
            .transpose(0, 2, 1),
            flat_delta,
        )
        for dy in range(kh)
        for dx in range(kw)
    ]
    kernel = np.stack(parts, axis=1).reshape(len(x), -1)  # [n, (dy, dx), c_in, c_out]
    return np.concatenate([kernel, delta.sum(axis=(1, 2))], axis=1)


def _is_stored(layer) -> bool:
    return isinstance(layer, Conv) and layer.kernel.size <= STORED_CONVOLUTION_WEIGHTS


def training_gradients(
    network,
    images,
    labels: np.ndarray,
    class_weights: np.ndarray,
    batch: int = BATCH,
    every_layer: bool = True,
) -> TrainingGradients:
    """The factors of every training image's loss gradient at the network's weights.

    ``every_layer=False`` leaves the large convolutions out of the self-influence too (it is
    then the squared norm over the layers the influence uses, which is what the cosine measure
    divides by, and the index of a CNN builds in seconds instead of a minute: the shipped
    self-influence lists are computed with ``every_layer=True``)."""
    stack = as_stack(network)
    labels = np.asarray(labels, np.int64)
    weights = np.asarray(class_weights, np.float64)
    dense: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}
    stored: dict[int, list[np.ndarray]] = {}
    norms = np.zeros(len(labels))
    left_out = tuple(
        index
        for index, layer in enumerate(stack.layers)
        if isinstance(layer, Conv) and not _is_stored(layer)
    )
    for start in range(0, len(labels), batch):
        x = to_model_input(images[start : start + batch])
        y = labels[start : start + batch]
        layer_inputs, logits, _ = stack.forward(x)
        top = softmax(logits.astype(np.float64))
        top[np.arange(len(y)), y] -= 1.0
        top *= weights[y][:, None]
        for index, delta in _backward(stack, layer_inputs, top.astype(np.float32)):
            layer, a = stack.layers[index], layer_inputs[index]
            if isinstance(layer, Dense):
                a = a.reshape(len(a), -1)
                dense.setdefault(index, ([], []))
                dense[index][0].append(a)
                dense[index][1].append(delta)
                norms[start : start + len(y)] += ((a * a).sum(1) + 1.0) * (delta * delta).sum(1)
            elif every_layer or _is_stored(layer):
                gradient = conv_gradient(layer, a, delta)
                norms[start : start + len(y)] += (gradient.astype(np.float64) ** 2).sum(1)
                if _is_stored(layer):
                    stored.setdefault(index, []).append(gradient)
    return TrainingGradients(
        tuple(
            (index, np.concatenate(a).astype(np.float32), np.concatenate(d).astype(np.float32))
            for index, (a, d) in sorted(dense.items())
        ),
        tuple(
            (index, np.concatenate(parts).astype(np.float32))
            for index, parts in sorted(stored.items())
        ),
        norms,
        left_out,
    )


def score_gradients(network, image, question: Question):
    """The factors of ``grad_w f(x)`` for one input: per Dense layer ``(index, a, g)``, per
    stored convolution ``(index, gradient)``, and the score itself."""
    stack = as_stack(network)
    x = to_model_input(image)[:1]
    layer_inputs, logits, _ = stack.forward(x)
    top = question.score_gradient(logits).astype(np.float32)
    dense, convolutions = [], []
    for index, delta in _backward(stack, layer_inputs, top):
        layer, a = stack.layers[index], layer_inputs[index]
        if isinstance(layer, Dense):
            dense.append((index, a.reshape(-1), delta.reshape(-1)))
        elif _is_stored(layer):
            convolutions.append((index, conv_gradient(layer, a, delta)[0]))
    return dense, convolutions, float(question.scores(logits)[0]), logits[0]


@dataclass(frozen=True)
class InfluenceIndex:
    """A network and its training images' gradient factors: build once per network
    (:func:`influence_index`), query per input (:func:`training_examples`)."""

    stack: LayerStack
    labels: np.ndarray  # int64 [N]: each training image's label
    positions: np.ndarray  # int64 [N]: its index in ``core.data.labelled.load(name, "train")``
    gradients: TrainingGradients
    classes: tuple

    @property
    def layers(self) -> str:
        if not self.gradients.left_out:
            return "every layer"
        names = ", ".join(f"layer {index}" for index in self.gradients.left_out)
        return f"every layer but the large convolution ({names})"

    def influences(
        self, image, question, measure: str = "dot"
    ) -> tuple[np.ndarray, float, np.ndarray]:
        """``influence(z, x)`` for every training image ``[N]``, the score and the logits.

        ``measure="cosine"`` divides each by ``|grad_w L(z)|`` (the square root of its
        self-influence): the training image's direction, not its loss's size, decides (a
        ranking like Barshan et al.'s RelatIF, 2020; the query's own norm is one factor for all).
        """
        if measure not in MEASURES:
            raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
        question = Question.of(question, self.stack.n_classes)
        dense, convolutions, score, logits = score_gradients(self.stack, image, question)
        found = np.zeros(len(self.labels), np.float64)
        stored_dense = {index: (a, d) for index, a, d in self.gradients.dense}
        for index, a_x, g_x in dense:
            a, d = stored_dense[index]
            found += (a @ a_x + 1.0).astype(np.float64) * (d @ g_x)
        stored_conv = dict(self.gradients.convolutions)
        for index, gradient in convolutions:
            found += stored_conv[index] @ gradient
        if measure == "cosine":
            found /= np.sqrt(np.maximum(self.gradients.self_influence, 1e-30))
        return -found, score, logits


@dataclass(frozen=True)
class TrainingExamples:
    """The training images that pushed the current answer most toward and most against it."""

    toward: np.ndarray  # positions (see InfluenceIndex.positions), strongest first
    toward_values: np.ndarray
    toward_labels: np.ndarray
    against: np.ndarray
    against_values: np.ndarray
    against_labels: np.ndarray
    score: float
    answer: bool  # the question's current answer (True: the target wins / is predicted)
    layers: str

    def as_json(self, classes) -> dict:
        def rows(positions, values, labels):
            return [
                {"train_index": int(p), "influence": float(v), "label": classes[int(label)]}
                for p, v, label in zip(positions, values, labels, strict=True)
            ]

        return {
            "toward": rows(self.toward, self.toward_values, self.toward_labels),
            "against": rows(self.against, self.against_values, self.against_labels),
            "score": self.score,
            "answer": self.answer,
            "layers": self.layers,
        }


def training_examples(
    index: InfluenceIndex, image, question, k: int = 8, measure: str = "cosine"
) -> TrainingExamples:
    """The ``k`` training images whose gradient step moved the question's score most in the
    direction of its current answer (``toward``) and most the other way (``against``).

    ``measure="cosine"`` (default) ranks by the influence divided by the training image's
    gradient norm; ``"dot"`` by the raw gradient dot product, which the removal study found
    dominated by a few hard images of large loss whose removal did not move the score
    (reports/levels.md)."""
    question = Question.of(question, index.stack.n_classes)
    values, score, logits = index.influences(image, question, measure)
    answer = bool(question.answers(logits[None])[0])
    signed = values if answer else -values  # toward the current answer: positive
    order = np.argsort(-signed, kind="stable")
    toward, against = order[:k], order[::-1][:k]
    return TrainingExamples(
        index.positions[toward],
        signed[toward],
        index.labels[toward],
        index.positions[against],
        signed[against],
        index.labels[against],
        score,
        answer,
        index.layers,
    )


def build_index(
    network, images, labels, positions, class_weights, classes, every_layer: bool = True
) -> InfluenceIndex:
    stack = as_stack(network)
    gradients = training_gradients(stack, images, labels, class_weights, every_layer=every_layer)
    return InfluenceIndex(
        stack,
        np.asarray(labels, np.int64),
        np.asarray(positions, np.int64),
        gradients,
        tuple(classes),
    )


def balancing_weights(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """The loss weight of each class in training, ``n / (classes * count)`` (the formula of
    :func:`core.models.training.class_weights`, here without importing TensorFlow)."""
    counts = np.bincount(np.asarray(labels, np.int64), minlength=n_classes).astype(np.float64)
    return (len(labels) / (n_classes * np.maximum(counts, 1))).astype(np.float32)


def influence_index(
    name: str, kind: str = THESIS_KIND, network=None, every_layer: bool = False
) -> InfluenceIndex:
    """The index of a shipped network over the images it was trained on (the train split
    without the fixed validation 10%), read from ``EMNIST_DIR``; raises
    :class:`~core.errors.DatasetError` when the data is absent. For the page (default): the
    self-influence over the layers the influence uses (see :func:`training_gradients`);
    ``every_layer=True`` for the shipped self-influence lists."""
    from core.models.loading import load_network

    network = network if network is not None else load_network(name, kind)
    train, positions = training_split(name)
    weights = balancing_weights(train.labels, len(train.classes))
    return build_index(
        network, train.images, train.labels, positions, weights, train.classes, every_layer
    )


def training_split(name: str):
    """The images network ``name`` was trained on and their positions in the train split."""
    from core.data import dataset as data
    from core.data import labelled

    full = labelled.load(name, "train")
    is_validation = np.zeros(len(full.labels), bool)
    is_validation[data.validation_indices(len(full.labels))] = True
    positions = np.flatnonzero(~is_validation)
    return (
        labelled.Labelled(full.images[positions], full.labels[positions], full.classes),
        positions,
    )
