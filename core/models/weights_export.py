"""A plain-array export of a shipped network, for the browser engine and TensorFlow-free readers.

Two files beside ``model.keras`` in ``pretrained/<name>/``:

* ``weights.json``, the manifest: format and version, the network's name, kind and class
  labels, its layers in order (kind, activation, strides, padding, pool size...) and, for each
  weight array, its byte offset, shape and dtype in the binary, plus the binary's sha256;
* ``weights.bin``: every weight array, little-endian float32, C order, one after the other.

No pickles and no code: reading the export needs only ``json`` and ``numpy``. The model's
``metadata.json`` records the sha256 of both files (``weights_export``), so a damaged, stale or
swapped export is found on load. :func:`write_export` needs the Keras model (it reads its
layers through :func:`core.models.layer_stack.layer_stack`); everything else here does not.

Layer kinds, as the core's layer stack names them:

``reshape`` (``shape``), ``dense`` (``kernel`` ``[inputs, outputs]``, ``bias``, ``activation``),
``conv`` (``kernel`` ``[height, width, in, out]``, ``bias``, ``activation``, ``strides``,
``padding`` "valid" / "same"), ``pool`` (``pool`` "max" / "average", ``size``, ``strides``;
valid padding). Activations are channels last, flattened row-major (height, width, channel),
as Keras flattens them.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import ModelFileError

MANIFEST_FILE = "weights.json"
BINARY_FILE = "weights.bin"
METADATA_KEY = "weights_export"
"""Where ``metadata.json`` records the export's checksums."""
FORMAT = "modulex-weights"
VERSION = 1
EXPORT_FIX = "python -m core export-weights (or git checkout -- pretrained/)"
SOURCE_MODEL_FILE = "model.keras"
INPUT_SHAPE = (28, 28)
MAX_MANIFEST_BYTES = 1 * 2**20
MAX_BINARY_BYTES = 64 * 2**20
MAX_ACTIVATION = 1e12
"""Largest activation (logits included) a network may reach on inputs in [0, 1], bounded from
its weights (:func:`activation_bound`). The shipped networks stay below 1.4e6; float32 holds
3.4e38, and the Indirect page squares hidden activations over thousands of images: finite
weights x1e30 with every checksum updated gave "Prediction: 2 (nan%)" and a failed SVD
(issue 25)."""
ACTIVATIONS = ("linear", "relu", "softmax")
KINDS = ("reshape", "dense", "conv", "pool")


@dataclass(frozen=True)
class WeightsExport:
    """A checked export: its manifest, its arrays (read-only float32) and both checksums."""

    folder: Path
    manifest: dict
    arrays: tuple[dict[str, np.ndarray], ...]  # per layer: {"kernel": ..., "bias": ...} or {}
    manifest_sha256: str

    @property
    def sha256(self) -> str:
        """The binary's sha256."""
        return self.manifest["sha256"]

    @property
    def name(self) -> str:
        return self.manifest["name"]

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.manifest["labels"])

    @property
    def layers(self) -> list[dict]:
        return self.manifest["layers"]

    @property
    def tag(self) -> str:
        """Eight hex digits that change whenever either file changes (the manifest holds the
        binary's checksum): what the browser's address carries."""
        return self.manifest_sha256[:8]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- writing ------------------------------------------------------------------------------


def describe_layers(stack) -> list[tuple[dict, dict[str, np.ndarray]]]:
    """A core layer stack's layers as (manifest entry without offsets, arrays) pairs."""
    described: list[tuple[dict, dict[str, np.ndarray]]] = []
    for layer in stack.layers:
        kind = type(layer).__name__
        if kind == "Reshape":
            described.append(({"kind": "reshape", "shape": list(layer.shape)}, {}))
        elif kind == "Dense":
            entry = {"kind": "dense", "activation": layer.activation}
            described.append((entry, {"kernel": layer.kernel, "bias": layer.bias}))
        elif kind == "Conv":
            entry = {
                "kind": "conv",
                "activation": layer.activation,
                "strides": list(layer.strides),
                "padding": layer.padding,
            }
            described.append((entry, {"kernel": layer.kernel, "bias": layer.bias}))
        elif kind == "Pool":
            entry = {
                "kind": "pool",
                "pool": layer.kind,
                "size": list(layer.size),
                "strides": list(layer.strides),
            }
            described.append((entry, {}))
        else:  # pragma: no cover - layer_stack refuses anything else
            raise ValueError(f"cannot export a {kind} layer")
    return described


def build_export(stack, name: str, kind: str, labels) -> tuple[bytes, bytes]:
    """The manifest and binary bytes of a core layer stack (deterministic: same weights, same
    bytes)."""
    chunks, layers, offset = [], [], 0
    for entry, arrays in describe_layers(stack):
        entry = dict(entry)
        for key, array in arrays.items():
            data = np.ascontiguousarray(array, dtype="<f4").tobytes()
            entry[key] = {"offset": offset, "shape": list(array.shape), "dtype": "float32"}
            chunks.append(data)
            offset += len(data)
        layers.append(entry)
    binary = b"".join(chunks)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "name": name,
        "kind": kind,
        "labels": list(labels),
        "input_shape": list(INPUT_SHAPE),
        "binary": BINARY_FILE,
        "byte_length": len(binary),
        "sha256": sha256_hex(binary),
        "layers": layers,
    }
    return (json.dumps(manifest, indent=1) + "\n").encode("utf-8"), binary


def write_export(model, folder: Path, name: str, kind: str, labels) -> dict:
    """Write ``weights.json`` and ``weights.bin`` of a Keras model into ``folder``; returns the
    checksums to record in its metadata (:data:`METADATA_KEY`)."""
    from core.models.layer_stack import layer_stack

    manifest, binary = build_export(layer_stack(model), name, kind, labels)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomic(folder / BINARY_FILE, binary)
    _write_atomic(folder / MANIFEST_FILE, manifest)
    record = {
        "manifest": MANIFEST_FILE,
        "manifest_sha256": sha256_hex(manifest),
        "binary": BINARY_FILE,
        "sha256": json.loads(manifest)["sha256"],
    }
    source = folder / SOURCE_MODEL_FILE
    if source.is_file():  # the model the export was read from, so a later change is noticed
        record["model_sha256"] = sha256_hex(source.read_bytes())
    return record


def source_model_problem(folder: Path, metadata: dict) -> str | None:
    """Whether ``model.keras`` is still the file the export was read from (its sha256, when the
    metadata records one): pages that use only the export then notice a damaged model too."""
    recorded = (metadata.get(METADATA_KEY) or {}).get("model_sha256")
    if recorded is None:
        return None
    source = Path(folder) / SOURCE_MODEL_FILE
    if not source.is_file():
        return "model file not found"
    if sha256_hex(source.read_bytes()) != recorded:
        return "is not the model its weights export was made from (its sha256 differs)"
    return None


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)  # a full disk leaves no half-written file behind
        raise


# --- reading and checking -----------------------------------------------------------------


def read_export(folder: Path, n_classes: int | None = None) -> WeightsExport:
    """Read and check the export in ``folder`` (no TensorFlow): sizes, the binary's sha256,
    every layer's shapes chained from the 28x28 input to the classes, finite values.

    Raises :class:`~core.errors.ModelFileError` naming the file and :data:`EXPORT_FIX`.
    """
    folder = Path(folder)
    manifest_path, binary_path = folder / MANIFEST_FILE, folder / BINARY_FILE
    manifest_bytes = _read_bounded(manifest_path, MAX_MANIFEST_BYTES, "weights manifest")
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ModelFileError(manifest_path, f"is not valid JSON ({error})", EXPORT_FIX) from None
    problem = manifest_problem(manifest, n_classes)
    if problem:
        raise ModelFileError(
            manifest_path, f"is not a valid weights manifest: {problem}", EXPORT_FIX
        )
    binary = _read_bounded(binary_path, MAX_BINARY_BYTES, "weights file")
    if len(binary) != manifest["byte_length"]:
        raise ModelFileError(
            binary_path,
            f"holds {len(binary)} bytes; its manifest says {manifest['byte_length']}",
            EXPORT_FIX,
        )
    if sha256_hex(binary) != manifest["sha256"]:
        raise ModelFileError(
            binary_path, "does not match the sha256 in its manifest (damaged or stale)", EXPORT_FIX
        )
    arrays = []
    for index, layer in enumerate(manifest["layers"]):
        found = {}
        for key in ("kernel", "bias"):
            if key in layer:
                spec = layer[key]
                count = math.prod(spec["shape"])
                array = np.frombuffer(binary, "<f4", count, spec["offset"]).reshape(spec["shape"])
                if not np.isfinite(array).all():
                    raise ModelFileError(
                        binary_path,
                        f"holds non-finite values (NaN or infinity) in layer {index}'s {key}",
                        EXPORT_FIX,
                    )
                found[key] = array.astype(np.float32)  # a native-order, writable-free copy
                found[key].flags.writeable = False
        arrays.append(found)
    bound = activation_bound(zip(manifest["layers"], arrays, strict=True))
    if bound > MAX_ACTIVATION:
        raise ModelFileError(binary_path, overflow_problem(bound), EXPORT_FIX)
    return WeightsExport(folder, manifest, tuple(arrays), sha256_hex(manifest_bytes))


def activation_bound(described) -> float:
    """The largest magnitude any activation can reach for inputs in [0, 1], from the weights
    alone: each dense or conv layer maps a bound ``b`` on its inputs to ``max over units of
    sum |w| * b + max |bias|`` (relu and pooling do not raise it). ``described`` holds
    (manifest entry, arrays) pairs, as :func:`describe_layers` gives them."""
    bound = peak = 1.0
    for entry, arrays in described:
        if "kernel" not in arrays:
            continue
        kernel = np.abs(np.asarray(arrays["kernel"], np.float64))
        inputs = (0,) if entry["kind"] == "dense" else tuple(range(kernel.ndim - 1))
        bias = float(np.abs(np.asarray(arrays["bias"], np.float64)).max(initial=0.0))
        bound = min(float(kernel.sum(axis=inputs).max(initial=0.0)) * bound + bias, 1e300)
        peak = max(peak, bound)
    return peak


def overflow_problem(bound: float) -> str:
    return (
        f"holds weights so large that activations could reach {bound:.1e} "
        f"(at most {MAX_ACTIVATION:.0e}; the shipped networks stay below 1.4e6)"
    )


def _read_bounded(path: Path, limit: int, what: str) -> bytes:
    if not path.is_file():
        raise ModelFileError(path, f"{what} not found", EXPORT_FIX)
    if path.stat().st_size > limit:
        raise ModelFileError(path, f"is larger than {limit // 2**20} MB", EXPORT_FIX)
    return path.read_bytes()


def _whole(value, low: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _pair_of_whole(value, low: int = 1) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(_whole(v, low) for v in value)


def manifest_problem(manifest, n_classes: int | None = None) -> str | None:
    """What is wrong with a decoded manifest, or None. Checks the fields, that the arrays lie
    inside the binary without overlapping, and that the layers' shapes chain from the 28x28
    input to one probability per label (what the browser engine relies on)."""
    if not isinstance(manifest, dict):
        return "not a JSON object"
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        return f"format must be {FORMAT!r} version {VERSION}"
    for key in ("name", "kind", "binary", "sha256"):
        if not isinstance(manifest.get(key), str):
            return f"{key} must be text"
    if len(manifest["sha256"]) != 64 or any(
        c not in "0123456789abcdef" for c in manifest["sha256"]
    ):
        return "sha256 must be 64 lowercase hex digits"
    if manifest.get("input_shape") != list(INPUT_SHAPE):
        return "input_shape must be [28, 28]"
    labels = manifest.get("labels")
    if (
        not isinstance(labels, list)
        or len(labels) < 2
        or not all(isinstance(label, str) and 0 < len(label) <= 8 for label in labels)
    ):
        return "labels must be a list of at least two short text labels"
    if n_classes is not None and len(labels) != n_classes:
        return f"lists {len(labels)} labels, not {n_classes}"
    if not _whole(manifest.get("byte_length")):
        return "byte_length must be a whole number"
    layers = manifest.get("layers")
    if not isinstance(layers, list) or not layers:
        return "layers must be a non-empty list"
    shape: tuple[int, ...] = tuple(INPUT_SHAPE)
    spans: list[tuple[int, int]] = []
    for index, layer in enumerate(layers):
        problem, shape = _layer_problem(layer, shape, spans, index == len(layers) - 1)
        if problem:
            return f"layer {index}: {problem}"
    if shape != (len(labels),):
        return f"the last layer gives shape {list(shape)}, not one value per label ({len(labels)})"
    spans.sort()
    end = 0
    for start, stop in spans:
        if start < end:
            return "weight arrays overlap in the binary"
        end = stop
    if end > manifest["byte_length"]:
        return "weight arrays reach past the end of the binary"
    return None


def _array_problem(spec, shape: tuple[int, ...], spans: list) -> str | None:
    if not isinstance(spec, dict) or spec.get("dtype") != "float32":
        return "arrays must be float32"
    if list(shape) != spec.get("shape") or not _whole(spec.get("offset")):
        return f"expected an array of shape {list(shape)} at a whole offset"
    if spec["offset"] % 4:
        return "array offsets must be multiples of 4"
    spans.append((spec["offset"], spec["offset"] + 4 * math.prod(shape)))
    return None


def _layer_problem(layer, shape: tuple[int, ...], spans: list, last: bool):
    """(problem or None, the layer's output shape) for one manifest layer on input ``shape``."""
    if not isinstance(layer, dict) or layer.get("kind") not in KINDS:
        return f"kind must be one of {', '.join(KINDS)}", shape
    kind = layer["kind"]
    if kind in ("dense", "conv"):
        activation = layer.get("activation")
        if activation not in ACTIVATIONS or (activation == "softmax" and not last):
            return "activation must be linear or relu (softmax on the last layer only)", shape
    if kind == "reshape":
        target = layer.get("shape")
        if not isinstance(target, list) or not target or not all(_whole(s, 1) for s in target):
            return "shape must list positive sizes", shape
        if math.prod(target) != math.prod(shape):
            return f"cannot reshape {list(shape)} to {target}", shape
        return None, tuple(target)
    if kind == "dense":
        if len(shape) != 1:
            return f"a dense layer needs a flat input, got {list(shape)}", shape
        kernel = (
            layer.get("kernel", {}).get("shape") if isinstance(layer.get("kernel"), dict) else None
        )
        if not isinstance(kernel, list) or len(kernel) != 2 or not _whole(kernel[1], 1):
            return "kernel must be [inputs, outputs]", shape
        outputs = kernel[1]
        problem = _array_problem(layer["kernel"], (shape[0], outputs), spans) or _array_problem(
            layer.get("bias"), (outputs,), spans
        )
        return problem, (outputs,)
    if len(shape) != 3:
        return f"needs a [height, width, channels] input, got {list(shape)}", shape
    height, width, channels = shape
    if not _pair_of_whole(layer.get("strides")):
        return "strides must be two positive whole numbers", shape
    stride_y, stride_x = layer["strides"]
    if kind == "pool":
        if layer.get("pool") not in ("max", "average") or not _pair_of_whole(layer.get("size")):
            return "pool must be max or average with a size of two positive numbers", shape
        size_y, size_x = layer["size"]
        if size_y > height or size_x > width:
            return "pool window larger than its input", shape
        return None, ((height - size_y) // stride_y + 1, (width - size_x) // stride_x + 1, channels)
    kernel = layer.get("kernel", {}).get("shape") if isinstance(layer.get("kernel"), dict) else None
    if (
        not isinstance(kernel, list)
        or len(kernel) != 4
        or not all(_whole(size, 1) for size in kernel)
        or kernel[2] != channels
    ):
        return f"kernel must be [height, width, {channels}, filters]", shape
    if layer.get("padding") not in ("valid", "same"):
        return "padding must be valid or same", shape
    kernel_y, kernel_x, _, filters = kernel
    if layer["padding"] == "valid":
        if kernel_y > height or kernel_x > width:
            return "kernel larger than its input", shape
        out = ((height - kernel_y) // stride_y + 1, (width - kernel_x) // stride_x + 1, filters)
    else:
        out = (-(-height // stride_y), -(-width // stride_x), filters)
    problem = _array_problem(layer["kernel"], tuple(kernel), spans) or _array_problem(
        layer.get("bias"), (filters,), spans
    )
    return problem, out


def metadata_checksums_problem(export: WeightsExport, metadata: dict) -> str | None:
    """Whether ``metadata.json``'s record of the export names these very files."""
    recorded = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    if not isinstance(recorded, dict):
        return "records no weights export (no weights_export checksums)"
    if recorded.get("sha256") != export.sha256:
        return f"records weights.bin sha256 {str(recorded.get('sha256'))[:12]}..., not the file's"
    if recorded.get("manifest_sha256") != export.manifest_sha256:
        return "records another weights.json (its manifest_sha256 differs)"
    return None


def model_problem(export: WeightsExport, stack) -> str | None:
    """Whether the export holds exactly the layers and weights of a core layer stack (read from
    the ``.keras`` file), or what differs."""
    described = describe_layers(stack)
    if len(described) != len(export.layers):
        return f"has {len(export.layers)} layers; model.keras has {len(described)}"
    for index, ((entry, arrays), layer, found) in enumerate(
        zip(described, export.layers, export.arrays, strict=True)
    ):
        stripped = {key: value for key, value in layer.items() if key not in ("kernel", "bias")}
        if stripped != entry:
            return f"layer {index} is {stripped}; in model.keras it is {entry}"
        for key, array in arrays.items():
            if key not in found or not np.array_equal(found[key], array):
                return f"layer {index}'s {key} differs from model.keras (a stale export)"
    return None


__all__ = [
    "BINARY_FILE",
    "EXPORT_FIX",
    "MANIFEST_FILE",
    "MAX_ACTIVATION",
    "activation_bound",
    "METADATA_KEY",
    "SOURCE_MODEL_FILE",
    "source_model_problem",
    "WeightsExport",
    "build_export",
    "describe_layers",
    "manifest_problem",
    "metadata_checksums_problem",
    "model_problem",
    "read_export",
    "write_export",
]
