"""The thesis network, and loading the shipped models from ``pretrained/``."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

if TYPE_CHECKING:  # annotations only: Keras (and TensorFlow) load where a model is built or read
    import keras

from core.data.pairs import ALL_EIGHT, EIGHT_CHARACTERS, PAIRS, check_model_name
from core.errors import ModelFileError
from core.inputs.preprocess import to_model_input
from core.models.layer_stack import (
    LayerStack,
    UnsupportedModelError,
    dense_stack,
    layer_stack,
    stack_from_export,
)
from core.models.weights_export import (
    EXPORT_FIX,
    MANIFEST_FILE,
    MAX_ACTIVATION,
    WeightsExport,
    activation_bound,
    describe_layers,
    metadata_checksums_problem,
    model_problem,
    overflow_problem,
    read_export,
    source_model_problem,
)
from core.models.weights_export import METADATA_KEY as WEIGHTS_METADATA_KEY

PRETRAINED_DIR = Path(__file__).resolve().parents[2] / "pretrained"
PRETRAINED_ENVIRONMENT_VARIABLE = "MODULEX_PRETRAINED"
THESIS_HIDDEN = (128, 64, 32, 16)
MODEL_FILE = "model.keras"
METADATA_FILE = "metadata.json"
KINDS = ("dense", "cnn")


def _initializers(seed: int | None):
    """Glorot-uniform initialisers, one seed per layer (``seed + offset``), or unseeded."""
    import keras

    def initializer(offset: int):
        return keras.initializers.GlorotUniform(seed=None if seed is None else seed + offset)

    return initializer


def describe_architecture(model: keras.Model) -> str:
    """The layers in one line, consecutive Dense layers of one activation grouped:
    ``"Flatten 784 -> Dense 128, 64, 32, 16 (ReLU) -> Dense 2 (softmax)"``."""
    import keras  # only what builds or loads a Keras model imports TensorFlow

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
    import keras  # only what builds or loads a Keras model imports TensorFlow

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
    import keras  # only what builds or loads a Keras model imports TensorFlow

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
    """Folder of a model: ``<root>/<pair>`` for the thesis network, else ``<root>/<pair>-<kind>``.

    ``pair`` is one of the four pairs, ``"all8"`` (the 8-character network) or ``"balanced"``.
    """
    check_model_name(pair)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    folder = pair if kind == "dense" else f"{pair}-{kind}"
    return (root or pretrained_root()) / folder


def load_model_file(path: str | Path) -> keras.Model:
    """Load a ``.keras`` file with ``safe_mode=True``; a clear error if it is missing or damaged."""
    import keras  # only what builds or loads a Keras model imports TensorFlow

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(path, "model file not found")
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many types for a damaged zip or config
        raise ModelFileError(
            path, f"cannot be loaded as a Keras model ({type(error).__name__}: {error})"
        ) from None


MAX_MODEL_BYTES = 64 * 2**20
MAX_METADATA_BYTES = 16 * 2**20
MAX_JSON_DEPTH = 32
"""Deeper JSON is refused (the shipped metadata nests 5 levels)."""


def expected_classes(name: str) -> int | None:
    """How many classes model ``name`` tells apart (None for ``balanced``, whose count varies)."""
    check_model_name(name)
    if name == ALL_EIGHT:
        return len(EIGHT_CHARACTERS)
    return 2 if name in PAIRS else None


def load_pretrained(pair: str, kind: str = "dense", root: Path | None = None) -> keras.Model:
    """A shipped network: takes float32 ``[n, 28, 28]`` in [0, 1], gives probabilities.

    ``pair`` is a pair (``"2Z"``...) or ``"all8"``; ``kind`` is ``"dense"`` (the thesis network,
    default) or ``"cnn"``. The file is checked before use: its size, its layers (the ones the
    explanations can follow), its input and class count, and finite weights.
    """
    path = model_dir(pair, kind, root) / MODEL_FILE
    if path.is_file() and path.stat().st_size > MAX_MODEL_BYTES:
        raise ModelFileError(path, f"is larger than {MAX_MODEL_BYTES // 2**20} MB")
    model = load_model_file(path)
    problem = _model_problem(model, kind, expected_classes(pair))
    if problem:
        raise ModelFileError(path, problem)
    return model


def _model_problem(model: keras.Model, kind: str, n_classes: int | None) -> str | None:
    try:
        if kind == "dense":
            dense_stack(model)
        else:
            layer_stack(model)
    except UnsupportedModelError as error:
        return f"is not a {kind} network the explanations can follow ({error})"
    input_shape = tuple(model.input_shape)
    if input_shape[1:] != (28, 28):
        return f"takes inputs of shape {input_shape[1:]}, not 28x28"
    classes = model.output_shape[-1]
    if n_classes is not None and classes != n_classes:
        return f"has {classes} outputs; this network tells {n_classes} classes apart"
    if not all(np.isfinite(weights).all() for weights in model.get_weights()):
        return "holds non-finite weights (NaN or infinity)"
    bound = activation_bound(describe_layers(layer_stack(model)))
    if bound > MAX_ACTIVATION:
        return overflow_problem(bound)
    return None


def load_metadata(pair: str, kind: str = "dense", root: Path | None = None) -> dict:
    """Training metadata of a shipped model (history, accuracies, confusion matrix...), checked
    against the schema the pages rely on (:func:`metadata_problem`)."""
    path = model_dir(pair, kind, root) / METADATA_FILE
    if not path.is_file():
        raise ModelFileError(path, "metadata file not found")
    if path.stat().st_size > MAX_METADATA_BYTES:
        raise ModelFileError(path, f"is larger than {MAX_METADATA_BYTES // 2**20} MB")
    metadata = load_json(path)
    problem = metadata_problem(metadata, expected_classes(pair))
    if problem:
        raise ModelFileError(path, f"is not valid model metadata: {problem}")
    return metadata


def load_json(path: Path, fix: str | None = None):
    """A JSON file nested at most ``MAX_JSON_DEPTH`` deep; a :class:`ModelFileError` otherwise."""
    fixes = {} if fix is None else {"fix": fix}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(path, f"is not valid JSON ({error})", **fixes) from None
    except RecursionError:
        value = None
    if value is None or json_depth(value) > MAX_JSON_DEPTH:
        raise ModelFileError(path, f"nests deeper than {MAX_JSON_DEPTH} levels", **fixes)
    return value


def json_depth(value) -> int:
    """How deeply lists and objects nest in a decoded JSON value (iterative: no recursion)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            pending.extend(
                (child, depth + 1) for child in children if isinstance(child, dict | list)
            )
    return deepest


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _integer(value, low: int = 0, high: float = math.inf) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value < high


def _numbers(value, length: int | None = None) -> bool:
    return (
        isinstance(value, list)
        and (length is None or len(value) == length)
        and all(_number(item) for item in value)
    )


def _fields(record, names) -> bool:
    return isinstance(record, dict) and all(_number(record.get(name)) for name in names)


def metadata_problem(metadata, n_classes: int | None = None) -> str | None:
    """What is wrong with a metadata object, or None: every field a page reads is checked."""
    if not isinstance(metadata, dict):
        return "not a JSON object"
    missing = [
        key
        for key in ("pair", "classes", "seed", "epochs", "evaluation", "history", "dataset")
        if key not in metadata
    ]
    if missing:
        return f"lacks {', '.join(missing)}"
    classes = metadata["classes"]
    if not isinstance(classes, list) or len(classes) < 2:
        return "classes must be a list of at least two labels"
    if not all(isinstance(label, str) and 0 < len(label) <= 8 for label in classes):
        return "classes must be short text labels"
    if n_classes is not None and len(classes) != n_classes:
        return f"lists {len(classes)} classes, not {n_classes}"
    n = len(classes)
    if not isinstance(metadata["pair"], str):
        return "pair must be text"
    if not (_integer(metadata["seed"]) and _integer(metadata["epochs"], 1)):
        return "seed and epochs must be whole numbers (epochs at least 1)"
    for key in ("architecture", "kind"):
        if key in metadata and not isinstance(metadata[key], str):
            return f"{key} must be text"
    if "train_seconds" in metadata and not _number(metadata["train_seconds"]):
        return "train_seconds must be a number"
    if WEIGHTS_METADATA_KEY in metadata:
        problem = _weights_record_problem(metadata[WEIGHTS_METADATA_KEY])
        if problem:
            return problem
    dataset, versions = metadata["dataset"], metadata.get("versions", {})
    if not isinstance(dataset, dict) or not isinstance(dataset.get("id"), str):
        return "dataset.id must be text"
    if not isinstance(versions, dict) or not all(
        isinstance(versions.get(name, ""), str) for name in ("tensorflow", "keras")
    ):
        return "versions.tensorflow and versions.keras must be text"
    return _evaluation_problem(metadata["evaluation"], n) or _history_problem(metadata["history"])


def _hex_digest(value) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def _weights_record_problem(record) -> str | None:
    """The weights export's record (``python -m core export-weights``): its files' checksums."""
    if not (
        isinstance(record, dict)
        and _hex_digest(record.get("sha256"))
        and _hex_digest(record.get("manifest_sha256"))
    ):
        return f"{WEIGHTS_METADATA_KEY} needs the sha256 and manifest_sha256 of the export"
    return None


def load_weights_export(
    pair: str, kind: str = "dense", root: Path | None = None, model: keras.Model | None = None
) -> WeightsExport:
    """The plain-array export of a shipped network (``weights.json`` + ``weights.bin``), checked:
    its own checksum, shapes and finite values (:func:`~core.models.weights_export.read_export`),
    the checksums recorded in ``metadata.json``, and, given the loaded ``model``, the very layers
    and weights of ``model.keras``. Raises :class:`ModelFileError` naming the file at fault."""
    folder = model_dir(pair, kind, root)
    export = read_export(folder, expected_classes(pair))
    metadata = load_metadata(pair, kind, root)
    problem = metadata_checksums_problem(export, metadata)
    if problem:
        raise ModelFileError(folder / METADATA_FILE, problem, EXPORT_FIX)
    problem = source_model_problem(folder, metadata)
    if problem:
        raise ModelFileError(folder / MODEL_FILE, problem)
    if export.labels != tuple(metadata["classes"]) or export.kind != kind:
        raise ModelFileError(
            folder / MANIFEST_FILE,
            f"is the export of a {export.kind} network of {list(export.labels)}, not of this one",
            EXPORT_FIX,
        )
    if model is not None:
        problem = model_problem(export, layer_stack(model))
        if problem:
            raise ModelFileError(folder / MANIFEST_FILE, problem, EXPORT_FIX)
    return export


def load_network(pair: str, kind: str = "dense", root: Path | None = None) -> LayerStack:
    """A shipped network's numpy view, read from its checked weights export without TensorFlow
    (:func:`load_weights_export`: the export's own checksums and shapes, and the checksums in
    ``metadata.json``; the export is held equal to ``model.keras`` where it is written and in
    the tests). It predicts and explains as the Keras model does, through the same numpy view."""
    stack = stack_from_export(load_weights_export(pair, kind, root))
    folder = model_dir(pair, kind, root)
    if kind == "dense" and not stack.is_dense:
        raise ModelFileError(folder / MANIFEST_FILE, "is not a Dense network", EXPORT_FIX)
    if tuple(stack.input_shape[:2]) != (28, 28):
        raise ModelFileError(folder / MANIFEST_FILE, "does not take 28x28 inputs", EXPORT_FIX)
    return stack


def _evaluation_problem(evaluation, n: int) -> str | None:
    if not isinstance(evaluation, dict):
        return "evaluation must be an object"
    for split in ("train", "validation", "test"):
        scores = evaluation.get(split)
        if not _fields(scores, ("accuracy", "loss")):
            return f"evaluation.{split} needs numeric accuracy and loss"
        if "balanced_accuracy" in scores and not _number(scores["balanced_accuracy"]):
            return f"evaluation.{split}.balanced_accuracy must be a number"
    test = evaluation["test"]
    confusion = test.get("confusion")
    if not (
        isinstance(confusion, list)
        and len(confusion) == n
        and all(
            isinstance(row, list) and len(row) == n and all(_integer(c) for c in row)
            for row in confusion
        )
    ):
        return f"evaluation.test.confusion must be {n}x{n} counts"
    roc = test.get("roc")
    if roc is not None and not (
        isinstance(roc, dict)
        and _integer(roc.get("positive_label"), 0, n)
        and _numbers(roc.get("fpr"))
        and len(roc["fpr"]) >= 2
        and _numbers(roc.get("tpr"), len(roc["fpr"]))
        and _number(roc.get("auc"))
    ):
        return "evaluation.test.roc needs positive_label, fpr and tpr of one length, auc"
    per_label = test.get("per_label", [])
    if not isinstance(per_label, list) or not all(
        _fields(row, ("precision", "recall", "f1"))
        and _integer(row.get("label"), 0, n)
        and _integer(row.get("support"))
        for row in per_label
    ):
        return "evaluation.test.per_label rows need label, precision, recall, f1 and support"
    return None


def _history_problem(history) -> str | None:
    batch = history.get("batch") if isinstance(history, dict) else None
    if not isinstance(batch, dict) or not _numbers(batch.get("step")) or not batch["step"]:
        return "history needs a batch object with a non-empty step list"
    if not all(_numbers(batch.get(key), len(batch["step"])) for key in ("loss", "accuracy")):
        return "history.batch needs loss and accuracy lists as long as its steps"
    epochs = history.get("epoch")
    names = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy")
    if not isinstance(epochs, list) or not epochs or not all(_fields(e, names) for e in epochs):
        return f"history.epoch needs a non-empty list of records with {', '.join(names)}"
    kept = history.get("kept_epoch")
    if kept is not None and not _integer(kept, 1):
        return "history.kept_epoch must be a whole number"
    return None


def predict(model: keras.Model, images, batch_size: int = 4096) -> np.ndarray:
    """Class probabilities ``[n, classes]`` float32, without ``model.predict``'s overhead.

    Dense stacks and convolutional stacks (:mod:`core.models.layer_stack`) run in numpy; other
    models are called directly, in bounded batches.
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
        classes = model.output_shape[-1] if run is None else layer_stack(model).n_classes
        return np.zeros((0, classes), dtype=np.float32)
    return np.concatenate(outputs).astype(np.float32, copy=False)


def _numpy_forward(model):
    """A numpy function images -> probabilities for the model, or None if it has none."""
    try:
        layers = layer_stack(model)
    except UnsupportedModelError:
        return None
    return lambda chunk: layers.forward(chunk)[2]
