"""Benchmarks of the core engine: ModuleX, every other method, the TensorFlow comparison
point, the forward pass, global maps, training and memory."""

from __future__ import annotations

import os
import resource
import time

import numpy as np

from bench.measure import latency, throughput, timed

BATCHES = (64, 1024, 4096)
PER_CALL_BUDGET_S = 20.0  # skip a larger batch when one call would take longer than this


def _images(n: int, seed: int = 0) -> np.ndarray:
    """Test images when the data is here, otherwise EMNIST-like generated ones (recorded)."""
    from core.data import dataset as data

    if data.dataset_available():
        images, _ = data.load_pair("2Z", "test")
        repeats = int(np.ceil(n / len(images)))
        return np.concatenate([images] * repeats)[:n]
    from core.inputs.preprocess import canvas_to_input
    from core.inputs.strokes import render_strokes

    rng = np.random.default_rng(seed)
    base = [
        canvas_to_input(render_strokes([[tuple(rng.uniform(0, 1, 2)) for _ in range(4)]]))
        for _ in range(64)
    ]
    return np.stack([base[i % len(base)] for i in range(n)])


def _method_row(
    call_for_batch, images, latency_calls: int, batches=BATCHES, min_seconds: float = 1.0
) -> dict:
    """Latency at batch 1 and throughput at each batch size, within the time budget."""
    row = {}
    single = images[:1]
    one = latency(
        lambda: call_for_batch(single),
        calls=latency_calls,
        warmup=min(5, latency_calls),
        budget_s=20,
    )
    row["latency_batch1"] = one.as_dict()
    per_image_s = one.p50_ms / 1e3
    for batch in batches:
        if per_image_s * batch > PER_CALL_BUDGET_S:
            row[f"throughput_{batch}"] = None
            continue
        chunk = images[:batch]
        value = throughput(
            lambda chunk=chunk: call_for_batch(chunk), batch, min_seconds=min_seconds, min_calls=2
        )
        row[f"throughput_{batch}"] = value
        per_image_s = 1.0 / value
    return row


def tf_gradient_x_input(model, jit: bool):
    """Gradient x input of the predicted class's probability with tf.function (+ XLA)."""
    import tensorflow as tf

    @tf.function(jit_compile=jit, reduce_retracing=True)
    def explain(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            probabilities = model(x, training=False)
            chosen = tf.reduce_max(probabilities, axis=1)
        return probabilities, tape.gradient(chosen, x) * x

    def call(images):
        x = tf.constant(np.asarray(images, np.float32) / 255.0)
        probabilities, maps = explain(x)
        return probabilities.numpy(), maps.numpy()

    return call


def run(quick: bool = False, training: bool = True) -> dict:
    from core.aggregates import compute_maps
    from core.data import dataset as data
    from core.data.pairs import PAIRS
    from core.explain import METHODS, predict_and_explain
    from core.models.layer_stack import layer_stack
    from core.models.loading import load_pretrained

    results: dict = {"images": "2Z test set" if data.dataset_available() else "generated drawings"}
    model = load_pretrained("2Z")
    images = _images(max(BATCHES))
    latency_calls = 20 if quick else 2000
    settings = {"batches": (64,), "min_seconds": 0.05} if quick else {}
    results["configuration"] = "quick (smoke test: 20 calls, batch 64 only)" if quick else "full"

    def modulex(batch):
        return predict_and_explain(model, batch)

    results["modulex"] = _method_row(modulex, images, latency_calls, **settings)

    stack = layer_stack(model)

    def floor(batch):
        return stack.forward(
            np.multiply(batch.reshape(len(batch), -1), np.float32(1 / 255), dtype=np.float32)
        )

    results["forward_numpy"] = _method_row(floor, images, latency_calls, **settings)

    def keras_call(batch):
        return model(np.asarray(batch, np.float32) / 255.0, training=False).numpy()

    results["forward_keras_call"] = _method_row(
        keras_call, images, max(latency_calls // 4, 5), **settings
    )

    for jit in (False, True):
        name = "tf_gradient_x_input_xla" if jit else "tf_gradient_x_input"
        results[name] = _method_row(
            tf_gradient_x_input(model, jit), images, max(latency_calls // 4, 5), **settings
        )

    methods = {}
    for name, method in METHODS.items():
        if name == "modulex":
            continue
        methods[name] = _method_row(
            lambda batch, method=method: method(model, batch),
            images,
            5 if quick else 300,
            **settings,
        )
    results["methods"] = methods

    if data.dataset_available():
        models = {pair: load_pretrained(pair) for pair in PAIRS}
        for pair in PAIRS:  # warm the weight cache, as the dashboard has it warm
            layer_stack(models[pair])
        _, seconds = timed(lambda: [compute_maps(pair, models[pair]) for pair in PAIRS])
        _, load_seconds = timed(lambda: [data.load_pair(pair, "test") for pair in PAIRS])
        results["global_maps_all_pairs_s"] = seconds
        results["global_maps_note"] = (
            "3,200 images (k=400 x 2 labels x 4 pairs), all three modes and both subsets; "
            f"reading the test set (cached) {load_seconds:.3f} s"
        )
    if training and data.dataset_available() and not quick:
        from core.models.training import train_pair

        results["training_s"] = {
            pair: timed(lambda pair=pair: train_pair(pair, save=False))[1] for pair in PAIRS
        }
    results["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["threads"] = os.cpu_count()
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    return results
