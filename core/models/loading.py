"""Loading a shipped network: its ``.keras`` file (Keras ``safe_mode``, checked layers, input
and class count, finite weights), and the numpy view the dashboard uses, read from the checked
plain-array weights export without TensorFlow."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

if TYPE_CHECKING:  # annotations only: Keras (and TensorFlow) load where a model is built or read
    import keras

from core.errors import ModelFileError
from core.models.layer_stack import (
    LayerStack,
    UnsupportedModelError,
    dense_stack,
    layer_stack,
    stack_from_export,
)
from core.models.metadata import load_metadata
from core.models.networks import THESIS_KIND, expected_classes
from core.models.paths import METADATA_FILE, MODEL_FILE, model_dir
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

MAX_MODEL_BYTES = 64 * 2**20


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


def load_pretrained(pair: str, kind: str = THESIS_KIND, root: Path | None = None) -> keras.Model:
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
        if kind == THESIS_KIND:
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


def load_weights_export(
    pair: str, kind: str = THESIS_KIND, root: Path | None = None, model: keras.Model | None = None
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


def load_network(pair: str, kind: str = THESIS_KIND, root: Path | None = None) -> LayerStack:
    """A shipped network's numpy view, read from its checked weights export without TensorFlow
    (:func:`load_weights_export`: the export's own checksums and shapes, and the checksums in
    ``metadata.json``; the export is held equal to ``model.keras`` where it is written and in
    the tests). It predicts and explains as the Keras model does, through the same numpy view."""
    stack = stack_from_export(load_weights_export(pair, kind, root))
    folder = model_dir(pair, kind, root)
    if kind == THESIS_KIND and not stack.is_dense:
        raise ModelFileError(folder / MANIFEST_FILE, "is not a Dense network", EXPORT_FIX)
    if tuple(stack.input_shape[:2]) != (28, 28):
        raise ModelFileError(folder / MANIFEST_FILE, "does not take 28x28 inputs", EXPORT_FIX)
    return stack
