"""The plain-array weights export (weights.json + weights.bin) that the browser engine reads."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.errors import ModelFileError
from core.models import weights_export as export
from core.models.metadata import metadata_problem
from core.models.networks import SHIPPED, expected_classes, network_key
from core.models.paths import PRETRAINED_DIR


def folder_of(pair: str, kind: str) -> Path:
    return PRETRAINED_DIR / network_key(pair, kind)


@pytest.mark.parametrize(("pair", "kind"), SHIPPED)
def test_every_shipped_export_is_intact_and_recorded(pair, kind):
    found = export.read_export(folder_of(pair, kind), expected_classes(pair))
    metadata = json.loads((folder_of(pair, kind) / "metadata.json").read_text())
    assert export.metadata_checksums_problem(found, metadata) is None
    assert (found.name, found.kind, list(found.labels)) == (pair, kind, metadata["classes"])
    assert metadata_problem(metadata) is None


def test_reading_an_export_needs_no_tensorflow():
    code = (
        "import sys; from pathlib import Path; import core.models.weights_export as w; "
        f"e = w.read_export(Path({str(folder_of('2Z', 'cnn'))!r})); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TF loaded'; "
        "print(len(e.layers))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "8"


def copy_export(tmp_path: Path, pair="2Z", kind="dense") -> Path:
    target = tmp_path / folder_of(pair, kind).name
    target.mkdir()
    for name in (export.MANIFEST_FILE, export.BINARY_FILE):
        shutil.copy(folder_of(pair, kind) / name, target / name)
    return target


def rewrite_manifest(folder: Path, change) -> None:
    manifest = json.loads((folder / export.MANIFEST_FILE).read_text())
    change(manifest)
    (folder / export.MANIFEST_FILE).write_text(json.dumps(manifest))


def test_a_damaged_binary_names_the_file_and_the_command(tmp_path):
    folder = copy_export(tmp_path)
    data = bytearray((folder / export.BINARY_FILE).read_bytes())
    data[1234] ^= 0x40
    (folder / export.BINARY_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="sha256") as raised:
        export.read_export(folder)
    assert raised.value.path == folder / export.BINARY_FILE
    assert "python -m core export-weights" in str(raised.value)


def test_a_truncated_binary_is_refused(tmp_path):
    folder = copy_export(tmp_path)
    data = (folder / export.BINARY_FILE).read_bytes()
    (folder / export.BINARY_FILE).write_bytes(data[:-4])
    with pytest.raises(ModelFileError, match="bytes"):
        export.read_export(folder)


def test_non_finite_weights_are_refused_even_with_a_matching_checksum(tmp_path):
    folder = copy_export(tmp_path)
    data = np.frombuffer((folder / export.BINARY_FILE).read_bytes(), "<f4").copy()
    data[7] = np.nan
    (folder / export.BINARY_FILE).write_bytes(data.tobytes())
    digest = export.sha256_hex(data.tobytes())
    rewrite_manifest(folder, lambda manifest: manifest.update(sha256=digest))
    with pytest.raises(ModelFileError, match="non-finite"):
        export.read_export(folder)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["layers"][1]["kernel"].update(shape=[784, 64]), "shape"),
        (lambda m: m["layers"][1]["bias"].update(offset=0), "overlap"),
        (lambda m: m["layers"][-1].update(activation="tanh"), "activation"),
        (lambda m: m["layers"][1].update(activation="softmax"), "softmax"),
        (lambda m: m.update(labels=["2"]), "labels"),
        (lambda m: m["layers"].pop(), "one value per label"),
        (lambda m: m.update(format="pickle"), "format"),
        (lambda m: m["layers"][0].update(shape=[28, 27]), "reshape"),
    ],
)
def test_a_manifest_that_does_not_chain_is_refused(tmp_path, change, message):
    folder = copy_export(tmp_path)
    rewrite_manifest(folder, change)
    with pytest.raises(ModelFileError, match=message) as raised:
        export.read_export(folder)
    assert raised.value.path == folder / export.MANIFEST_FILE


def test_the_cnn_manifest_chains_through_convolutions_and_pooling(tmp_path):
    folder = copy_export(tmp_path, "2Z", "cnn")
    rewrite_manifest(folder, lambda m: m["layers"][3]["kernel"].update(shape=[3, 3, 8, 32]))
    with pytest.raises(ModelFileError, match="kernel must be"):
        export.read_export(folder)


def test_the_metadata_record_must_name_these_files():
    found = export.read_export(folder_of("2Z", "dense"))
    other = export.read_export(folder_of("5S", "dense"))
    metadata = json.loads((folder_of("5S", "dense") / "metadata.json").read_text())
    assert export.metadata_checksums_problem(other, metadata) is None
    assert "sha256" in export.metadata_checksums_problem(found, metadata)
    assert "records no weights export" in export.metadata_checksums_problem(found, {})
    bad = {**metadata, "weights_export": {"sha256": "x"}}
    assert "weights_export" in metadata_problem(bad)


# --- against the .keras files (TensorFlow) --------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("pair", "kind"), SHIPPED)
def test_every_export_holds_the_keras_weights(pair, kind):
    from core.models.loading import load_pretrained, load_weights_export

    model = load_pretrained(pair, kind)
    found = load_weights_export(pair, kind, model=model)
    arrays = [array for layer in found.arrays for array in (layer.get("kernel"), layer.get("bias"))]
    arrays = [array for array in arrays if array is not None]
    weights = model.get_weights()
    assert len(arrays) == len(weights)
    for array, weight in zip(arrays, weights, strict=True):
        np.testing.assert_array_equal(array, weight)


@pytest.mark.slow
@pytest.mark.parametrize(("pair", "kind"), [("2Z", "dense"), ("8B", "cnn"), ("all8", "cnn")])
def test_the_network_read_from_the_export_predicts_and_explains_as_the_keras_model(pair, kind):
    """load_network (no TensorFlow) and the .keras model give the very same numbers: the same
    probabilities, ModuleX maps and confidence, bit for bit, in every mode."""
    from core.insight.drawing import explain_drawing
    from core.models.layer_stack import layer_stack
    from core.models.loading import load_network, load_pretrained

    network, model = load_network(pair, kind), load_pretrained(pair, kind)
    assert (
        export.model_problem(export.read_export(folder_of(pair, kind)), layer_stack(model)) is None
    )
    rng = np.random.default_rng(0)
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 9:19] = rng.integers(0, 256, (20, 10))
    classes = tuple(str(c) for c in range(network.n_classes))
    for mode in ("thesis", "target", "contrast"):
        ours, theirs = (explain_drawing(m, image, mode, classes) for m in (network, model))
        np.testing.assert_array_equal(ours.probabilities, theirs.probabilities)
        np.testing.assert_array_equal(ours.importance, theirs.importance)
        assert ours.confidence == theirs.confidence and ours.sentence == theirs.sentence


def test_a_network_read_from_the_export_needs_no_tensorflow():
    code = (
        "import sys, numpy as np; from core.models.loading import load_network; "
        "from core.models.prediction import predict; "
        "from core.explain import predict_and_explain; "
        "net = load_network('2Z', 'cnn'); p = predict(net, np.zeros((1, 28, 28), np.uint8)); "
        "predict_and_explain(net, np.zeros((1, 28, 28), np.uint8), mode='contrast'); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TF loaded'; "
        "print(p.shape)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 2)"


def test_an_export_of_other_weights_is_stale(tmp_path):
    from core.models.builders import build_cnn_model
    from core.models.layer_stack import layer_stack

    model = build_cnn_model(seed=1)
    record = export.write_export(model, tmp_path, "2Z", "cnn", ["2", "Z"])
    found = export.read_export(tmp_path)
    assert record["sha256"] == found.sha256
    assert record["manifest_sha256"] == found.manifest_sha256
    assert export.model_problem(found, layer_stack(model)) is None
    other = build_cnn_model(seed=2)
    assert "differs from model.keras" in export.model_problem(found, layer_stack(other))
    dense = export.read_export(folder_of("2Z", "dense"))
    assert "layers" in export.model_problem(dense, layer_stack(model))


def test_the_export_is_deterministic(tmp_path):
    from tests.helpers import random_dense_model

    model = random_dense_model(3, hidden=(6, 5), n_classes=3)
    first = export.write_export(model, tmp_path / "a", "x", "dense", ["a", "b", "c"])
    second = export.write_export(model, tmp_path / "b", "x", "dense", ["a", "b", "c"])
    assert first == second
    found = export.read_export(tmp_path / "a")
    np.testing.assert_array_equal(found.arrays[1]["kernel"], model.layers[1].kernel.numpy())


@pytest.mark.slow
def test_the_command_rewrites_the_committed_files_unchanged(tmp_path):
    from core.cli.main import main

    source = folder_of("8B", "cnn")
    target = tmp_path / source.name
    shutil.copytree(source, target)
    (target / export.BINARY_FILE).unlink()
    assert main(["export-weights", "--pair", "8B", "--kind", "cnn", "--root", str(tmp_path)]) == 0
    for name in (export.MANIFEST_FILE, export.BINARY_FILE, "metadata.json"):
        assert (target / name).read_bytes() == (source / name).read_bytes(), name


def test_the_activation_bound_of_a_tiny_network_is_computed_by_hand():
    """Dense 3 -> 2 -> 1: sums of |w| per unit are (3, 5) then 4; biases 1 and 2. Inputs in
    [0, 1] bound the first layer by 5 * 1 + 1 = 6 and the second by 4 * 6 + 2 = 26."""
    from core.models.weights_export import activation_bound

    first = np.array([[1, -2], [1, 2], [-1, 1]], np.float32)
    second = np.array([[-3], [1]], np.float32)
    described = [
        ({"kind": "reshape"}, {}),
        ({"kind": "dense"}, {"kernel": first, "bias": np.array([1, -1], np.float32)}),
        ({"kind": "dense"}, {"kernel": second, "bias": np.array([-2], np.float32)}),
    ]
    assert activation_bound(described) == 26
    conv = np.ones((3, 3, 2, 4), np.float32)  # 18 inputs per filter
    assert activation_bound([({"kind": "conv"}, {"kernel": conv, "bias": np.zeros(4)})]) == 18


def test_the_shipped_networks_are_far_below_the_activation_limit():
    from core.models.paths import model_dir
    from core.models.weights_export import MAX_ACTIVATION, activation_bound, read_export

    for pair, kind in SHIPPED:
        shipped = read_export(model_dir(pair, kind))
        bound = activation_bound(zip(shipped.layers, shipped.arrays, strict=True))
        assert bound < MAX_ACTIVATION / 1e5, (pair, kind)


def test_a_write_that_fails_leaves_no_temporary_file(tmp_path, monkeypatch):
    import errno

    def full(self, data):
        open(self, "wb").close()  # created, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(OSError, match="No space"):
        export._write_atomic(tmp_path / "weights.bin", b"1234")
    assert list(tmp_path.iterdir()) == []
