"""The thesis network, and loading the shipped models from ``pretrained/``."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np

from .errors import ModelFileError
from .network import UnsupportedModelError, dense_stack
from .pairs import check_pair
from .preprocess import to_model_input

PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"
PRETRAINED_ENVIRONMENT_VARIABLE = "MODULEX_PRETRAINED"
THESIS_HIDDEN = (128, 64, 32, 16)
MODEL_FILE = "model.keras"
METADATA_FILE = "metadata.json"
KINDS = ("dense",)


def build_thesis_model(n_classes: int = 2, hidden: tuple[int, ...] = THESIS_HIDDEN, seed: int | None = None) -> keras.Model:
    """28x28 -> Flatten 784 -> Dense 128, 64, 32, 16 (ReLU) -> Dense ``n_classes`` (softmax)."""
    initializer = lambda offset: keras.initializers.GlorotUniform(seed=None if seed is None else seed + offset)  # noqa: E731
    layers = [keras.Input(shape=(28, 28), name="image"), keras.layers.Flatten(name="flatten")]
    for index, units in enumerate(hidden):
        layers.append(keras.layers.Dense(units, activation="relu", kernel_initializer=initializer(index), name=f"dense_{units}"))
    layers.append(keras.layers.Dense(n_classes, activation="softmax", kernel_initializer=initializer(len(hidden)), name="output"))
    return keras.Sequential(layers, name="thesis_dense")


def pretrained_root() -> Path:
    """Folder of the shipped models: ``$MODULEX_PRETRAINED`` if set, else ``pretrained/``."""
    configured = os.environ.get(PRETRAINED_ENVIRONMENT_VARIABLE)
    return Path(configured) if configured else PRETRAINED_DIR


def model_dir(pair: str, kind: str = "dense", root: Path | None = None) -> Path:
    check_pair(pair)
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
        raise ModelFileError(path, f"cannot be loaded as a Keras model ({type(error).__name__}: {error})") from None


def load_pretrained(pair: str, kind: str = "dense", root: Path | None = None) -> keras.Model:
    """The shipped network of a pair: takes float32 ``[n, 28, 28]`` in [0, 1], gives probabilities."""
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
    missing = [key for key in ("pair", "classes", "seed", "epochs", "evaluation", "history") if key not in metadata]
    if missing:
        return f"lacks {', '.join(missing)}"
    evaluation = metadata["evaluation"]
    for split in ("train", "validation", "test"):
        scores = evaluation.get(split) if isinstance(evaluation, dict) else None
        if not isinstance(scores, dict) or not all(isinstance(scores.get(key), (int, float)) for key in ("accuracy", "loss")):
            return f"evaluation.{split} needs numeric accuracy and loss"
    history = metadata["history"]
    if not isinstance(history, dict) or not isinstance(history.get("batch"), dict) or not isinstance(history.get("epoch"), list):
        return "history needs 'batch' (per-batch lists) and 'epoch' (a list)"
    return None


def predict(model: keras.Model, images, batch_size: int = 4096) -> np.ndarray:
    """Class probabilities ``[n, classes]`` float32, without ``model.predict``'s overhead.

    Dense stacks run in numpy; other models are called directly, in bounded batches.
    """
    x = to_model_input(images)
    try:
        stack = dense_stack(model)
    except UnsupportedModelError:
        stack = None
    outputs = []
    for start in range(0, len(x), batch_size):
        chunk = x[start : start + batch_size]
        if stack is not None:
            outputs.append(stack.forward(chunk.reshape(len(chunk), -1))[2])
        else:
            outputs.append(np.asarray(model(chunk, training=False), dtype=np.float32))
    if not outputs:
        return np.zeros((0, model.output_shape[-1]), dtype=np.float32)
    return np.concatenate(outputs).astype(np.float32, copy=False)
