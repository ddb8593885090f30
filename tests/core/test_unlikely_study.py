"""The calibration command on a tiny subset: it writes a valid parameter file per network and
metrics that hold together (needs the dataset; about a minute, so in the slow tier)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.inputs.drawn_shapes import SHAPES
from core.insight.unlikely import load_parameters, parameters_path


@pytest.mark.slow
def test_calibration_on_a_tiny_subset(emnist_dir, monkeypatch, tmp_path):
    from core.studies.unlikely_study import markdown, run, write

    monkeypatch.setenv("EMNIST_DIR", str(emnist_dir))
    networks = [("2Z", "dense"), ("all8", "cnn")]
    results = run(
        byclass_limit=300,
        generated_per_kind=5,
        networks=networks,
        root=tmp_path,
        fit_limit=2000,
        drawn_per_shape=3,
    )
    assert sorted(results) == ["2Z", "all8-cnn"]
    for (name, kind), network in zip(networks, ("2Z", "all8-cnn"), strict=True):
        parameters = load_parameters(parameters_path(name, kind, tmp_path))
        metrics = results[network]["metrics"]
        assert parameters.info == json.loads(json.dumps(results[network]))
        assert 0.5 < metrics["auroc"] <= 1.0  # better than chance even on a tiny subset
        assert 0.0 <= metrics["refused_test"] <= 0.2
        assert metrics["examples_refused"] == 0  # the threshold is raised above them
        assert metrics["threshold"] == pytest.approx(parameters.threshold, rel=1e-3)
        assert set(metrics["drawn"]) == set(SHAPES)  # every shape measured, counts that add up
        for cells in metrics["drawn"].values():
            assert cells["all"][1] == 3 and 0 <= cells["all"][0] <= 3
            for prefix in ("size", "brush"):
                parts = [count for key, count in cells.items() if key.startswith(prefix)]
                assert [sum(c[0] for c in parts), sum(c[1] for c in parts)] == cells["all"]
        assert "before" not in metrics  # no parameter file was there to replace
    paths = write(results, tmp_path / "reports")
    text = markdown(results)
    assert "| 2Z |" in text and all(path.is_file() for path in paths)
    assert "### 2Z" in text and "| **Z** |" in text and "| X |" in text
    again = run(
        byclass_limit=300,
        generated_per_kind=5,
        networks=networks[:1],
        root=tmp_path / "b",
        fit_limit=2000,
        drawn_per_shape=3,
    )
    assert again["2Z"]["metrics"] == results["2Z"]["metrics"]  # seeded: the same figures


def test_auroc_counts_refused_outright_as_tied_at_the_top():
    from core.studies.unlikely_study import auroc

    assert auroc(np.array([np.inf, 3.0]), np.array([1.0, 2.0])) == 1.0
    assert auroc(np.array([np.inf]), np.array([np.inf])) == 0.5
    assert auroc(np.array([1.0, 1.0]), np.array([1.0, 0.0])) == 0.75


def test_a_cell_gives_the_count_and_its_wilson_interval():
    from core.studies.unlikely_study import _cell

    assert _cell([0, 0]) == "–"
    assert _cell([5, 10]) == "5/10 (24–76%)"  # Wilson 95%: 0.237-0.763
    assert _cell([0, 150]).startswith("0/150 (0–")
