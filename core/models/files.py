"""The thesis network, and loading the shipped models from ``pretrained/``."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np

from core.data.pairs import check_model_name
from core.errors import ModelFileError
from core.inputs.preprocess import to_model_input
from core.models.layer_stack import layer_stack
from core.models.network import UnsupportedModelError, dense_stack

PRETRAINED_DIR = Path(__file__).resolve().parents[2] / "pretrained"
PRETRAINED_ENVIRONMENT_VARIABLE = "MODULEX_PRETRAINED"
THESIS_HIDDEN = (128, 64, 32, 16)
MODEL_FILE = "model.keras"
METADATA_FILE = "metadata.json"
KINDS = ("dense", "cnn")


def _initializers(seed: int | None):
    """Glorot-uniform initialisers, one seed per layer (``seed + offset``), or unseeded."""

    def initializer(offset: int):
        return keras.initializers.GlorotUniform(seed=None if seed is None else seed + offset)

    return initializer


def describe_architecture(model: keras.Model) -> str:
    """The layers in one line, consecutive Dense layers of one activation grouped:
    ``"Flatten 784 -> Dense 128, 64, 32, 16 (ReLU) -> Dense 2 (softmax)"``."""
    names = {"relu": "ReLU", "softmax": "softmax", "linear": "linear"}
    parts: list[str] = []
    grouped: tuple[str, list[int]] | None = None
    for layer in model.layers:
        activation = names.get(getattr(getattr(layer, "activation", None), "__name__", ""), "")
        if isinstance(layer, keras.layers.Dense):
            if grouped and grouped[0] == activation:
                grouped[1].append(layer.units)
                continue
            if grouped:
                parts.append(_dense_group(*grouped))
            grouped = (activation, [layer.units])
            continue
        if grouped:
            parts.append(_dense_group(*grouped))
            grouped = None
        if isinstance(layer, keras.layers.Conv2D):
            height, width = layer.kernel_size
            parts.append(f"Conv {layer.filters}x{height}x{width} ({activation})")
        elif isinstance(layer, keras.layers.MaxPooling2D):
            parts.append(f"MaxPool {layer.pool_size[0]}")
        elif isinstance(layer, keras.layers.AveragePooling2D):
            parts.append(f"AvgPool {layer.pool_size[0]}")
        elif isinstance(layer, keras.layers.Flatten):
            parts.append(f"Flatten {int(np.prod(layer.output.shape[1:]))}")
    if grouped:
        parts.append(_dense_group(*grouped))
    return " -> ".join(parts)


def _dense_group(activation: str, units: list[int]) -> str:
    return f"Dense {', '.join(map(str, units))} ({activation})"


def build_thesis_model(
    n_classes: int = 2, hidden: tuple[int, ...] = THESIS_HIDDEN, seed: int | None = None
) -> keras.Model:
    """28x28 -> Flatten 784 -> Dense 128, 64, 32, 16 (ReLU) -> Dense ``n_classes`` (softmax)."""
    initializer = _initializers(seed)
    layers = [keras.Input(shape=(28, 28), name="image"), keras.layers.Flatten(name="flatten")]
    for index, units in enumerate(hidden):
        layers.append(
            keras.layers.Dense(
                units,
                activation="relu",
                kernel_initializer=initializer(index),
                name=f"dense_{units}",
            )
        )
    layers.append(
        keras.layers.Dense(
            n_classes,
            activation="softmax",
            kernel_initializer=initializer(len(hidden)),
            name="output",
        )
    )
    return keras.Sequential(layers, name="thesis_dense")


def build_cnn_model(
    n_classes: int = 2,
    seed: int | None = None,
    filters: tuple[int, int] = (16, 32),
    dense_units: int = 64,
) -> keras.Model:
    """28x28 -> Conv 3x3 -> ReLU -> MaxPool 2 -> Conv 3x3 -> ReLU -> MaxPool 2 -> Dense -> softmax.

    Valid padding throughout (28 -> 26 -> 13 -> 11 -> 5), so every unit sees only real pixels.
    """
    initializer = _initializers(seed)
    layers = [
        keras.Input(shape=(28, 28), name="image"),
        keras.layers.Reshape((28, 28, 1), name="channel"),
    ]
    for index, count in enumerate(filters):
        layers.append(
            keras.layers.Conv2D(
                count,
                3,
                activation="relu",
                kernel_initializer=initializer(index),
                name=f"conv_{index + 1}",
            )
        )
        layers.append(keras.layers.MaxPooling2D(2, name=f"pool_{index + 1}"))
    layers.append(keras.layers.Flatten(name="flatten"))
    layers.append(
        keras.layers.Dense(
            dense_units,
            activation="relu",
            kernel_initializer=initializer(len(filters)),
            name=f"dense_{dense_units}",
        )
    )
    layers.append(
        keras.layers.Dense(
            n_classes,
            activation="softmax",
            kernel_initializer=initializer(len(filters) + 1),
            name="output",
        )
    )
    return keras.Sequential(layers, name="cnn")


BUILDERS = {"dense": build_thesis_model, "cnn": build_cnn_model}
"""How each kind of network is built: ``BUILDERS[kind](n_classes=..., seed=...)``."""


def pretrained_root() -> Path:
    """Folder of the shipped models: ``$MODULEX_PRETRAINED`` if set, else ``pretrained/``."""
    configured = os.environ.get(PRETRAINED_ENVIRONMENT_VARIABLE)
    return Path(configured) if configured else PRETRAINED_DIR


def model_dir(pair: str, kind: str = "dense", root: Path | None = None) -> Path:
    """Folder of a model: ``<root>/<pair>`` for the thesis network, ``<root>/<pair>-<kind>`` otherwise.

    ``pair`` is one of the four pairs, ``"all8"`` (the 8-character network) or ``"balanced"``.
    """
    check_model_name(pair)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    folder = pair if kind == "dense" else f"{pair}-{kind}"
    return (root or pretrained_root()) / folder


def load_model_file(path: str | Path) -> keras.Model:
    """Load a ``.keras`` file with ``safe_mode=True``; a clear error if it is missing or damaged."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(path, "model file not found")
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many types for a damaged zip or config
        raise ModelFileError(
            path, f"cannot be loaded as a Keras model ({type(error).__name__}: {error})"
        ) from None


def load_pretrained(pair: str, kind: str = "dense", root: Path | None = None) -> keras.Model:
    """A shipped network: takes float32 ``[n, 28, 28]`` in [0, 1], gives probabilities.

    ``pair`` is a pair (``"2Z"``...) or ``"all8"``; ``kind`` is ``"dense"`` (the thesis network,
    default) or ``"cnn"``.
    """
    return load_model_file(model_dir(pair, kind, root) / MODEL_FILE)


def load_metadata(pair: str, kind: str = "dense", root: Path | None = None) -> dict:
    """Training metadata of a shipped model (history, accuracies, confusion matrix...)."""
    path = model_dir(pair, kind, root) / METADATA_FILE
    if not path.is_file():
        raise ModelFileError(path, "metadata file not found")
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(path, f"is not valid JSON ({error})") from None
    problem = _metadata_problem(metadata)
    if problem:
        raise ModelFileError(path, f"is not valid model metadata: {problem}")
    return metadata


def _metadata_problem(metadata) -> str | None:
    """What is wrong with a metadata object, or None; checks what the pages rely on."""
    if not isinstance(metadata, dict):
        return "not a JSON object"
    missing = [
        key
        for key in ("pair", "classes", "seed", "epochs", "evaluation", "history")
        if key not in metadata
    ]
    if missing:
        return f"lacks {', '.join(missing)}"
    evaluation = metadata["evaluation"]
    for split in ("train", "validation", "test"):
        scores = evaluation.get(split) if isinstance(evaluation, dict) else None
        if not isinstance(scores, dict) or not all(
            isinstance(scores.get(key), (int, float)) for key in ("accuracy", "loss")
        ):
            return f"evaluation.{split} needs numeric accuracy and loss"
    history = metadata["history"]
    if (
        not isinstance(history, dict)
        or not isinstance(history.get("batch"), dict)
        or not isinstance(history.get("epoch"), list)
    ):
        return "history needs 'batch' (per-batch lists) and 'epoch' (a list)"
    return None


def predict(model: keras.Model, images, batch_size: int = 4096) -> np.ndarray:
    """Class probabilities ``[n, classes]`` float32, without ``model.predict``'s overhead.

    Dense stacks and convolutional stacks (:mod:`core.models.layer_stack`) run in numpy; other models
    are called directly, in bounded batches.
    """
    x = to_model_input(images)
    run = _numpy_forward(model)
    outputs = []
    for start in range(0, len(x), batch_size):
        chunk = x[start : start + batch_size]
        if run is not None:
            outputs.append(run(chunk))
        else:
            outputs.append(np.asarray(model(chunk, training=False), dtype=np.float32))
    if not outputs:
        return np.zeros((0, model.output_shape[-1]), dtype=np.float32)
    return np.concatenate(outputs).astype(np.float32, copy=False)


def _numpy_forward(model):
    """A numpy function images -> probabilities for the model, or None if it has none."""
    try:
        stack = dense_stack(model)
        return lambda chunk: stack.forward(chunk.reshape(len(chunk), -1))[2]
    except UnsupportedModelError:
        pass
    try:
        layers = layer_stack(model)
        return lambda chunk: layers.forward(chunk.reshape(len(chunk), *layers.input_shape))[2]
    except UnsupportedModelError:
        return None
