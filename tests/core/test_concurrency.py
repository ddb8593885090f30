"""Explanations from many threads at once on one shared model: the same results as one at a
time, and every weight unchanged (the dashboard shares cached models between sessions)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from core.explain import METHODS, predict_and_explain
from core.models.loading import load_pretrained
from core.models.prediction import predict
from tests.helpers import random_images

THREADS = 8


@pytest.fixture(scope="module")
def shared_model():
    return load_pretrained("5S")


def _run_in_threads(task, jobs):
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(task, jobs))


def test_modulex_from_eight_threads(shared_model):
    before = [w.copy() for w in shared_model.get_weights()]
    batches = [random_images(seed, 16) for seed in range(32)]
    modes = ["thesis", "target", "contrast", "target"] * 8
    expected = [
        predict_and_explain(shared_model, images, mode=mode)
        for images, mode in zip(batches, modes, strict=True)
    ]
    results = _run_in_threads(
        lambda job: predict_and_explain(shared_model, job[0], mode=job[1]),
        list(zip(batches, modes, strict=True)),
    )
    for (p, m), (p_expected, m_expected) in zip(results, expected, strict=True):
        np.testing.assert_array_equal(p, p_expected)
        np.testing.assert_array_equal(m, m_expected)
    for old, new in zip(before, shared_model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_from_eight_threads(shared_model, name):
    method = METHODS[name]
    before = [w.copy() for w in shared_model.get_weights()]
    images = random_images(99, 2)
    expected = method(shared_model, images, target=1)
    results = _run_in_threads(lambda _: method(shared_model, images, target=1), range(THREADS))
    for result in results:
        np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-7)
    for old, new in zip(before, shared_model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)
    np.testing.assert_allclose(
        predict(shared_model, images), predict_and_explain(shared_model, images)[0], rtol=1e-6
    )
