"""The methods report: the ModuleX ablation variants, per-pair headlines, the CSV, the command."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from core.explain import (
    ABLATION,
    gradient_x_input,
    method_label,
    modulex,
    modulex_gated,
    modulex_lrp0,
    modulex_without_bias,
)
from core.metrics import METRICS
from core.models.layer_stack import dense_stack
from core.models.prediction import predict
from core.studies.methods_report.export import to_csv
from core.studies.methods_report.markdown import headline
from core.studies.methods_report.run import stroke_pairs
from core.studies.methods_report.tables import better_of, standing
from tests.helpers import random_dense_model, random_images


@pytest.fixture(scope="module")
def network():
    model = random_dense_model(21, hidden=(12, 8), bias_scale=0.3)
    images = random_images(21, 7)
    return model, images, predict(model, images)


def test_gated_variant_is_probability_times_gradient_x_input_of_the_logit(network):
    model, images, probabilities = network
    targets = probabilities.argmax(axis=1)
    expected = gradient_x_input(model, images, target=targets, output="logit")
    expected *= probabilities[np.arange(7), targets][:, None, None]
    np.testing.assert_allclose(
        modulex_gated(model, images, targets), expected, rtol=1e-4, atol=1e-7
    )


def test_without_bias_variant_is_modulex_on_the_network_without_biases(network):
    model, images, _ = network
    bias_free = random_dense_model(21, hidden=(12, 8), bias_scale=0.0)  # same kernels, b = 0
    bias_free.set_weights([w if w.ndim == 2 else np.zeros_like(w) for w in model.get_weights()])
    probabilities = predict(model, images)
    targets = probabilities.argmax(axis=1)
    # same layer inputs needed: compare on a network whose biases are 0 from the start
    np.testing.assert_allclose(
        modulex_without_bias(bias_free, images, targets),
        modulex(bias_free, images, target=targets),
        rtol=1e-4,
        atol=1e-7,
    )
    assert not np.allclose(
        modulex_without_bias(model, images, targets), modulex(model, images, target=targets)
    )


def test_lrp0_variant_against_the_rule_written_out_in_float64(network):
    model, images, probabilities = network
    stack = dense_stack(model)
    x = (images / 255.0).reshape(7, -1)
    targets = probabilities.argmax(axis=1)
    inputs, h = [x], x
    for kernel, bias, activation in zip(
        stack.kernels, stack.biases, stack.activations, strict=True
    ):
        z = h @ kernel.astype(np.float64) + bias
        h = np.maximum(z, 0) if activation == "relu" else z
        inputs.append(h)
    relevance = np.zeros((7, 2))
    relevance[np.arange(7), targets] = h[np.arange(7), targets]  # the logit
    for index in reversed(range(len(stack.kernels))):
        kernel = stack.kernels[index].astype(np.float64)
        z = inputs[index] @ kernel + stack.biases[index]
        relevance = inputs[index] * ((relevance / z) @ kernel.T)
    expected = relevance * probabilities[np.arange(7), targets][:, None]
    got = modulex_lrp0(model, images, targets).reshape(7, -1)
    scale = np.abs(expected).max(axis=1, keepdims=True)
    assert np.max(np.abs(got - expected) / scale) < 1e-3


def test_every_variant_keeps_the_sign_of_the_target_probability(network):
    model, images, _ = network
    for name, variant in ABLATION.items():
        maps = variant(model, images, 0)
        assert maps.shape == (7, 28, 28) and maps.dtype == np.float32, name
    assert method_label("integrated_gradients") == "Integrated Gradients"
    assert method_label("input") == "Input as map (floor)"


def _report() -> dict:
    def entry(group, deletion, ms=0.1):
        return {"group": group, "ms_per_image": ms, "metrics": {"deletion": {"auc": deletion}}}

    return {
        "directions": {"deletion": {"auc": "lower"}},
        "networks": {
            "2Z": {
                "pair": "2Z",
                "kind": "dense",
                "methods": {
                    "modulex": entry("method", 0.30, 0.01),
                    "integrated_gradients": entry("method", 0.10, 1.0),
                    "input": entry("floor", 0.25),
                    "random": entry("floor", 0.80),
                    "modulex_gated": entry("ablation", 0.05),
                },
            },
            "8B": {
                "pair": "8B",
                "kind": "dense",
                "methods": {
                    "modulex": entry("method", 0.05),
                    "integrated_gradients": entry("method", 0.20),
                    "input": entry("floor", 0.40),
                    "random": entry("floor", 0.90),
                },
            },
        },
    }


def test_headline_is_per_pair_and_names_the_floors_modulex_does_not_beat():
    report = _report()
    first, second = headline(report, "2Z"), headline(report, "8B")
    assert "2 vs Z" in first[0] and "wins on no metric" in first[0]
    assert any("input as map" in line and "Deletion AUC" in line for line in first)
    assert "8 vs B" in second[0] and "wins on" in second[0] and "0.050" in second[0]
    assert not any("input as map" in line for line in second)
    row = standing(report, "2Z")[0]
    assert row["rank"] == 2 and row["of"] == 2  # floors and the ablation are not ranked
    assert better_of(report, "deletion", "auc") == "lower"


def test_csv_holds_every_number_with_its_direction():
    rows = list(csv.DictReader(io.StringIO(to_csv(_report()))))
    deletion = [r for r in rows if r["metric"] == "deletion"]
    assert len(deletion) == 9 and {r["better"] for r in deletion} == {"lower"}
    assert {r["label"] for r in rows} >= {"ModuleX", "Integrated Gradients"}


def test_stroke_pairs_mark_where_the_look_alikes_differ():
    images, classes, regions = stroke_pairs("2Z")
    assert len(images) == len(classes) == len(regions) > 0 and set(classes) == {0, 1}
    assert all(0 < region.mean() < 0.5 for region in regions)


def _evaluate(tmp_path, *extra):
    from core.cli.main import main

    assert main(["evaluate", "--pair", "5S", "--out", str(tmp_path), *extra]) == 0
    return json.loads((tmp_path / "methods.json").read_text())


def test_evaluate_command_writes_the_report(emnist_dir, tmp_path, capsys):
    report = _evaluate(
        tmp_path,
        *("--methods", "modulex,gradient_x_input", "--limit", "16"),
        *("--metrics", "deletion,randomization,relevance_mass"),
    )
    entry = report["networks"]["5S"]
    assert entry["images"] == 16
    assert set(entry["methods"]) == {
        "modulex",
        "gradient_x_input",
        "random",
        "input",
        "edges",
    } | set(ABLATION)
    for result in entry["methods"].values():
        assert set(result["metrics"]) == {
            "deletion",
            "randomization",
            "relevance_mass",
            "stroke_difference_mass",
        }
        assert result["ms_per_image"] > 0
    assert report["directions"]["deletion"] == {"auc": "lower"}
    markdown = (tmp_path / "methods.md").read_text()
    assert "| **ModuleX** |" in markdown and "*Input as map (floor)*" in markdown
    assert "integrated_gradients" not in markdown
    assert (tmp_path / "curves-5S.svg").read_text().startswith("<svg")
    assert (tmp_path / "methods.csv").read_text().startswith("network,")
    assert "5 vs S" in capsys.readouterr().out


@pytest.mark.slow
def test_evaluate_every_metric_on_the_dense_and_cnn_networks(emnist_dir, tmp_path):
    report = _evaluate(tmp_path, "--limit", "24", "--kind", "both", "--cnn-limit", "8")
    assert set(report["networks"]) == {"5S", "5S-cnn"}
    for entry in report["networks"].values():
        for name, result in entry["methods"].items():
            assert set(result["metrics"]) == set(METRICS) | {"stroke_difference_mass"}, name
    assert not set(ABLATION) & set(report["networks"]["5S-cnn"]["methods"])


def test_normalising_by_z_is_the_relu_gate_so_lrp0_equals_the_gated_variant(network):
    """X_{i+1} / z_i is the ReLU gate of layer i, so LRP-0 = gradient x input on ReLU networks,
    biases included (the bias only enters z): the ablation's last two variants must agree."""
    model, images, _ = network
    gated, normalised = modulex_gated(model, images, 1), modulex_lrp0(model, images, 1)
    scale = np.abs(gated).max()
    assert np.max(np.abs(gated - normalised)) <= 1e-4 * scale
