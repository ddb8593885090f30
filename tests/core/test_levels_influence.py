"""Level 4 (training examples): the factorised gradient dot product against TensorFlow's
per-example gradients, self-influence, a constructed case with a known answer, and the
checked artefact files."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from core.errors import ModelFileError
from core.levels import influence as influence_module
from core.levels.influence import balancing_weights, build_index, training_examples
from core.levels.question import Question
from core.models.layer_stack import Dense, LayerStack, Reshape, layer_stack
from tests.helpers import random_dense_model, random_images


def _tiny_cnn(seed: int) -> keras.Model:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Reshape((28, 28, 1)),
            keras.layers.Conv2D(2, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(3, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(4, activation="relu"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    for variable in model.trainable_variables:  # small biases, so some ReLUs are off
        if "bias" in variable.path:
            variable.assign(np.random.default_rng(seed).normal(0, 0.05, variable.shape))
    return model


def _tf_gradients(model, images, labels, weights, question: Question, image, skip=()):
    """Per-example loss gradients and the score's gradient, by TensorFlow, flattened over the
    variables not in ``skip``."""
    variables = [v for i, v in enumerate(model.trainable_variables) if i not in skip]

    def flat(gradients):
        return np.concatenate([g.numpy().reshape(-1) for g in gradients])

    rows = []
    for x, y in zip(images, labels, strict=True):
        with tf.GradientTape() as tape:
            p = model(x[None].astype(np.float32) / 255.0)
            loss = -weights[y] * tf.math.log(p[0, int(y)])
        rows.append(flat(tape.gradient(loss, variables)))
    with tf.GradientTape() as tape:
        p = model(image[None].astype(np.float32) / 255.0)[0]
        if question.mode == "contrast":
            score = tf.math.log(p[question.target]) - tf.math.log(p[question.contrast])
        else:
            score = p[question.target]
    return np.array(rows), flat(tape.gradient(score, variables))


@pytest.mark.parametrize("kind", ["dense", "cnn"])
@pytest.mark.parametrize(
    "question", [Question("contrast", 0, 1), Question("target", 1)], ids=["contrast", "target"]
)
def test_the_factorised_dot_product_is_tensorflows_per_example_gradient_dot_product(kind, question):
    model = random_dense_model(3, hidden=(12, 8)) if kind == "dense" else _tiny_cnn(3)
    images = random_images(4, 16, sparsity=0.6)
    labels = np.arange(16) % 2
    weights = balancing_weights(labels, 2)
    query = random_images(6, 1, sparsity=0.6)[0]
    index = build_index(model, images, labels, np.arange(16), weights, ("a", "b"))
    assert index.layers == "every layer"
    found, _, _ = index.influences(query, question)
    per_example, score = _tf_gradients(model, images, labels, weights, question, query)
    expected = -(per_example @ score)
    assert np.allclose(found, expected, rtol=2e-3, atol=1e-4 * np.abs(expected).max())
    self_influence = (per_example.astype(np.float64) ** 2).sum(axis=1)
    assert np.allclose(index.gradients.self_influence, self_influence, rtol=2e-3)


def test_a_large_convolution_is_left_out_and_named(monkeypatch):
    monkeypatch.setattr(influence_module, "STORED_CONVOLUTION_WEIGHTS", 30)  # conv2 has 57
    model = _tiny_cnn(7)
    images, labels = random_images(8, 12, sparsity=0.6), np.arange(12) % 2
    weights = balancing_weights(labels, 2)
    query = random_images(9, 1, sparsity=0.6)[0]
    index = build_index(model, images, labels, np.arange(12), weights, ("a", "b"))
    assert "large convolution" in index.layers
    question = Question("contrast", 1, 0)
    found, _, _ = index.influences(query, question)
    # TensorFlow's variables: conv1 kernel, bias, conv2 kernel, bias, dense...: skip 2 and 3
    per_example, score = _tf_gradients(model, images, labels, weights, question, query, (2, 3))
    assert np.allclose(found, -(per_example @ score), rtol=2e-3, atol=1e-6)
    full, _ = _tf_gradients(model, images, labels, weights, question, query)
    # self-influence still counts every layer
    assert np.allclose(
        index.gradients.self_influence, (full.astype(np.float64) ** 2).sum(1), rtol=2e-3
    )


def test_a_copy_of_the_input_is_its_strongest_proponent_or_opponent_by_its_label():
    # a linear softmax network; the training set holds the input itself once with the
    # answer's label and once with the other, among images that share no pixel with it
    rng = np.random.default_rng(0)
    kernel = rng.normal(0, 0.05, (784, 2)).astype(np.float32)
    stack = LayerStack((Reshape((784,)), Dense(kernel, np.zeros(2, np.float32), "softmax")), (784,))
    query = np.zeros((28, 28), np.uint8)
    query[4:24, 4:10] = 255
    others = random_images(1, 30, sparsity=0.5)
    others[:, :, :12] = 0  # no shared pixels
    images = np.concatenate([others, query[None], query[None]])
    labels = np.r_[rng.integers(0, 2, 30), 0, 1]
    question = Question("contrast", 0, 1)
    answer = question.answers(stack.forward(query[None] / 255.0)[1])[0]
    index = build_index(stack, images, labels, np.arange(32), np.ones(2), ("a", "b"))
    examples = training_examples(index, query, question, k=3, measure="dot")
    same, other = (30, 31) if answer else (31, 30)
    assert examples.toward[0] == same and examples.against[0] == other
    assert examples.toward_values[0] > 0 > examples.against_values[0]
    assert examples.answer == answer
    shown = examples.as_json(("a", "b"))
    assert shown["toward"][0]["train_index"] == same and len(shown["against"]) == 3


def test_balancing_weights_are_trainings():
    from core.models.training import class_weights

    labels = np.r_[np.zeros(30, int), np.ones(70, int)]
    assert np.array_equal(balancing_weights(labels, 2), class_weights(labels, 2))


def test_the_influence_file_is_checked_against_its_checksum_and_the_weights(tmp_path):
    # a copy of the shipped 2Z folder, with an index built on generated training images
    import shutil

    from core.levels import artefacts
    from core.models.paths import model_dir

    shutil.copytree(model_dir("2Z"), tmp_path / "2Z")
    network = layer_stack(random_dense_model(1))
    images, labels = random_images(2, 50), np.arange(50) % 2
    index = build_index(network, images, labels, np.arange(50) * 3, np.ones(2), ("2", "Z"))
    artefacts.write_influence("2Z", "dense", tmp_path, index=index)
    found = artefacts.possibly_mislabelled("2Z", "dense", k=5, root=tmp_path)
    order = np.argsort(-index.gradients.self_influence, kind="stable")[:5]
    assert found.positions.tolist() == (order * 3).tolist()
    assert np.allclose(found.values, index.gradients.self_influence[order])
    path = tmp_path / "2Z" / "influence.npz"
    data = bytearray(path.read_bytes())
    data[-30] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        artefacts.read_influence("2Z", "dense", tmp_path)
    artefacts.write_influence("2Z", "dense", tmp_path, index=index)
    metadata_path = tmp_path / "2Z" / "metadata.json"
    metadata = json.loads(metadata_path.read_text())
    metadata["weights_export"]["sha256"] = "0" * 64  # as if the network had been retrained
    metadata_path.write_text(json.dumps(metadata))
    with pytest.raises(ModelFileError, match="other weights"):
        artefacts.read_influence("2Z", "dense", tmp_path)


def _bars(rng, n: int, vertical: bool) -> np.ndarray:
    images = np.zeros((n, 28, 28), np.uint8)
    for image in images:
        at, start = rng.integers(4, 24), rng.integers(2, 8)
        length = rng.integers(14, 20)
        if vertical:
            image[start : start + length, at : at + 2] = 255
        else:
            image[at : at + 2, start : start + length] = 255
    return images


@pytest.mark.slow
def test_removing_the_proponents_lowers_the_score_more_than_random_removals():
    from core.studies.influence_study import removal_study

    rng = np.random.default_rng(0)
    images = np.concatenate([_bars(rng, 150, True), _bars(rng, 150, False)])
    labels = np.r_[np.zeros(150, int), np.ones(150, int)]
    validation = (
        np.concatenate([_bars(rng, 20, True), _bars(rng, 20, False)]),
        np.r_[np.zeros(20, int), np.ones(20, int)],
    )
    tests = np.concatenate([_bars(rng, 2, True), _bars(rng, 1, False)])
    result = removal_study(
        images, labels, validation, tests, k=40, random_draws=2, epochs=3, measures=("dot",)
    )
    assert result["test_images"] == 3
    assert result["measures"]["dot"]["mean_drop_proponents"] > result["mean_drop_random"]


def test_the_cosine_measure_divides_by_the_training_images_gradient_norm():
    model = random_dense_model(4, hidden=(10,))
    images, labels = random_images(5, 20, sparsity=0.6), np.arange(20) % 2
    index = build_index(model, images, labels, np.arange(20), np.ones(2), ("a", "b"))
    query = random_images(6, 1, sparsity=0.6)[0]
    dot, _, _ = index.influences(query, ("contrast", 0, 1), "dot")
    cosine, _, _ = index.influences(query, ("contrast", 0, 1), "cosine")
    assert np.allclose(cosine, dot / np.sqrt(index.gradients.self_influence))
    examples = training_examples(index, query, ("contrast", 0, 1), k=20)
    signed = cosine if examples.answer else -cosine
    assert np.allclose(examples.toward_values, np.sort(signed)[::-1])
    with pytest.raises(ValueError):
        index.influences(query, ("contrast", 0, 1), "euclid")
