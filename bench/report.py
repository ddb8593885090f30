"""bench/results.json -> bench/results.md: the machine, the targets (met or explained), the
figures."""

from __future__ import annotations

import json
import platform
from pathlib import Path

RESULTS_JSON = Path(__file__).resolve().parent / "results.json"
RESULTS_MD = Path(__file__).resolve().parent / "results.md"

# Why a target is missed, written after profiling (shown only when the target is missed).
EXPLANATIONS = {
    "live_engine": (
        "Contention, not the engine's work: this run had load average ~9 on 2 cores. The CPU "
        "time per frame (Chromium's ThreadTime; and under Node, process.cpuUsage) is 1.2 ms for"
        " a Dense frame, 2.0 ms for a CNN frame, 4.8 ms for four CNNs, every one under its "
        "target by 2-7x, while the wall-clock p95 also counts the time the page waited for a "
        "core (maxima of 20-180 ms, scheduler time slices). Profiled with node --cpu-prof and "
        "sped up (before -> after, CPU per call under Node): preprocessing 1.6 -> 0.7 ms (blur,"
        " paste and bicubic resize composed into one sparse weight table per axis), CNN explain"
        " 2.8 -> 1.2 ms (Conv2D gathers the non-zero inputs once per window, sums eight filters"
        " in registers, spreads only non-zero importances backward, its bias term precomputed);"
        " Dense explain ~0.2 ms, unchanged. Left: a re-run on a quiet machine."
    ),
    "levels": (
        "Wall-clock figures on a shared 2-core machine: the load average of the run is in the "
        "levels section below, and the CPU time per call (the call's own work) beside each "
        "p95. A p95 over its target with a CPU median well under it is the machine's queue, "
        "not the computation."
    ),
    "load": (
        "One server is bound by one core: its script threads share one GIL. A pointer-up's "
        "server work is the draw page's fragment (the browser has already explained the "
        "drawing): core's explanation and 'not one of these' check are a few ms, the rest is "
        "Streamlit building and sending the fragment's elements, 25-30 ms of CPU per pen lift "
        "in this run (~12 ms on 2026-12-02; main's code measured the same in an A/B run). "
        "Past what one GIL serves, pointer-ups queue and p95 grows; the two-replica rows show "
        "the next step (python -m app.serve; on separate machines each replica would hold the "
        "one-server figures)."
    ),
    "classroom": (
        "Not met on this machine, which the server shares: in this run its threads waited for a "
        "core for the share of the time given in the row (Linux schedstat: ready to run while "
        "other agents' test suites and browsers, the Chromium measured and the load client held "
        "both cores), and a pen lift cost 25-30 ms of server CPU (~12 ms in the run of "
        "2026-12-02; main's code measured the same 25-30 ms as this branch in an A/B run beside "
        "it, so the change is the page's since or the machine, not the budgets). One Streamlit "
        "process runs every session's script under one interpreter lock, so 60 sessions (~30 pen "
        "lifts a second, ~0.8 s of work a second) saturate it: pen lifts queue. Two replicas "
        "(python -m app.serve) halve that per process: the browser's p50 fell by half, and in a "
        "quieter moment (load average 4-5, three rounds) its p95 was 0.50 s; the rest is the two "
        "cores' capacity, which the server, Chromium and the other work share."
    ),
    "hostile": (
        "The class alone already saturated the server here (its p50 above half a second "
        "without any flood, see the table), so extra work queues behind a backlog and the ratio "
        "measures the backlog's growth. The flooding session is held to 10% of a core for its "
        "runs (app/session_budget.py) and its connection to 20 messages and 1 MB a second; its "
        "steady cost was ~0.1 of a core on an otherwise idle server."
    ),
    "load_validation": (
        "The client sends what Chromium sends (its websocket frames compared with Chromium's: the"
        " same fragment rerun, page hash, query string and widget states) and the server answers "
        "both with the same messages, so the server does the same work per pen lift. What is "
        "left is Chromium's own cost: on its first drawing each page fetches the download "
        "button's scripts and a font (~20 ms of server CPU for 5 pages, ~0.7 ms per pointer-up "
        "here), and its rendering and live engine share the 2 cores with the server, which then "
        "spends more CPU time on the same work (the client's own figure rose 10-20% while 5 "
        "Chromium pages drew on another server). At ~10 ms per pointer-up that is 1-3 ms. "
        "(Before the dashboard's one BLAS thread per call, the ratio was 1.3-1.7x: ~105 ms of "
        "server CPU per pointer-up for a 20-30 ms answer, OpenBLAS' second thread busy-waiting "
        "after each product on a free core, which Chromium's own load took away.)"
    ),
    "gallery": (
        "Measured while the machine's 2 cores ran a load average of ~16 (seven sessions at "
        "work): the same page run took 0.10-0.14 s in a quieter moment. A filter change only "
        "indexes precomputed predictions and thumbnails (PNG kept once encoded); what remains "
        "is Streamlit's script run (24 images, 24 buttons, the controls) and, when the selected"
        " image changes, its two figures."
    ),
    "stroke_moonshot": (
        "About 0.22 s pass between mouse-up and the server receiving the drawing, inside the "
        "canvas component (it exports the whole canvas as a PNG data URL and sends it over the "
        "websocket), the same in the trivial app; the server-side work per stroke (decode, "
        "preprocess, predict, explain, update the figure) is ~25 ms. A median under 0.25 s "
        "would need a different canvas component, not a faster page."
    ),
    "modulex_latency": (
        "One image is bound by Python, not arithmetic. Profile (median of 5,000 calls): the "
        "first layer's 400 KB of weights are read twice, forward (11 us) and backward (13 us); "
        "the other ~25 numpy calls (small layers, softmax, target selection, reshapes) cost "
        "1.5-3 us each, ~80 us in all on a quiet machine. This VM's speed for such small calls "
        "varies between runs of the same code: p50 0.086 ms with the numpy forward floor at "
        "0.038 ms in one run, 0.12-0.15 ms with the floor at 0.066 ms in others. A compiled "
        "kernel (one call instead of ~25) would meet it everywhere."
    ),
    "tf_ratio": (
        "At batch 1 the ratio is ModuleX's Python-bound latency (see above) against "
        "TensorFlow's ~1 ms dispatch; it moves with the VM's speed for small calls (14.9x in "
        "one run, 6.6-8.2x in others of the same code)."
    ),
    "stroke_ratio": (
        "The page's median over 20 strokes moves between runs of the same code on this VM "
        "(1.22x, 1.23x, 1.42x, 1.75x against the trivial app measured in the same run); the "
        "server-side work per stroke is ~25 ms, so the spread is the browser's rendering of the"
        " page's three plotly figures competing with the server for two cores."
    ),
    "modulex_throughput": (
        "Profile of one call on 1,024 images (quiet machine, median of 200): the two 1,024 x "
        "784 x 128 matrix products, the first layer forward and its transpose backward, take "
        "1.46 ms each in OpenBLAS on both cores (about 140 GFLOP/s, near this CPU's peak), so "
        "they alone allow at most ~350,000 images/s, the same ceiling as `forward_numpy` plus "
        "one product. The rest is work on 784-wide arrays that cannot be skipped: uint8 -> "
        "float (0.21 ms), the map's product with the input (0.3 ms in place) and the small "
        "layers (~0.5 ms), for ~4.7 ms in all (~217,000 images/s in isolation; lower and "
        "noisier inside the full run). Fixed along the way: batches are explained in 1,024-row "
        "chunks (4,096 images in one go were 1.5x slower from fresh-memory page faults), "
        "in-place updates, weights read once per model. Left: the target would need the two "
        "products under ~1 ms each, i.e. a faster CPU, a fused kernel, or sparse input handling"
        " (only ~15% of the columns are blank over a batch, too few to pay)."
    ),
}


LIVE_TARGETS = (
    ("dense", "one Dense network (2Z)", 4),
    ("cnn", "one CNN (2Z)", 8),
    ("compare_dense", "Compare pairs, four Dense networks", 16),
    ("compare_cnn", "Compare pairs, four CNNs", 33),
)


def machine() -> dict:
    import numpy as np

    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
    }
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        memory_kb = int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        info.update(cpu=cpu, memory_gb=round(memory_kb / 2**20, 1))
    except (OSError, StopIteration):
        pass
    import os

    info["cores"] = os.cpu_count()
    # versions from the installed packages' metadata: importing TensorFlow here would keep
    # its threads in the benchmark's process beside the servers it measures (it slowed the
    # live cold start by ~1.5 s)
    from importlib import metadata

    for package in ("tensorflow", "keras"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:  # the report still renders without them
            pass
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    info["blas"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    return info


def load() -> dict:
    return json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.is_file() else {}


def save(results: dict) -> None:
    RESULTS_JSON.write_text(json.dumps(results, indent=1, default=float) + "\n")
    RESULTS_MD.write_text(render(results))


def _fmt(value, unit="", digits=3) -> str:
    if value is None:
        return "skipped (over the time budget)"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}{unit}"
        return f"{value:.{digits}g}{unit}"
    return f"{value}{unit}"


def targets(results: dict) -> list[tuple[str, str, bool | None, str]]:
    """(target, measured, met?, key of its explanation)."""
    micro, dash = results.get("micro", {}), results.get("dashboard", {})
    rows = []
    modulex = micro.get("modulex")
    if modulex:
        tput = modulex.get("throughput_1024")
        if tput:
            rows.append(
                (
                    "ModuleX predict + explain >= 250,000 images/s at batch 1,024",
                    f"{tput:,.0f} images/s",
                    tput >= 250_000,
                    "modulex_throughput",
                )
            )
        one = modulex["latency_batch1"]
        rows.append(
            (
                "ModuleX batch 1 <= 0.1 ms (p50)",
                f"{one['p50_ms']:.3f} ms",
                one["p50_ms"] <= 0.1,
                "modulex_latency",
            )
        )
        rows.append(
            (
                "ModuleX batch 1 p95 <= 0.2 ms",
                f"{one['p95_ms']:.3f} ms",
                one["p95_ms"] <= 0.2,
                "modulex_latency",
            )
        )
        for name, label in (
            ("tf_gradient_x_input", "tf.function"),
            ("tf_gradient_x_input_xla", "tf.function + XLA"),
        ):
            tf_row = micro.get(name)
            if not tf_row:
                continue
            ratio = tf_row["latency_batch1"]["p50_ms"] / one["p50_ms"]
            rows.append(
                (
                    f"ModuleX >= 8x faster than {label} gradient x input at batch 1",
                    f"{ratio:.1f}x",
                    ratio >= 8 if name == "tf_gradient_x_input" else None,
                    "tf_ratio",
                )
            )
            for batch in (1024, 4096):
                if not modulex.get(f"throughput_{batch}") or not tf_row.get(f"throughput_{batch}"):
                    continue
                ratio = modulex[f"throughput_{batch}"] / tf_row[f"throughput_{batch}"]
                rows.append(
                    (
                        f"ModuleX at least as fast as {label} gradient x input at batch {batch:,}",
                        f"{ratio:.2f}x",
                        ratio >= 1 if name == "tf_gradient_x_input" else None,
                        "tf_ratio",
                    )
                )
    if "global_maps_all_pairs_s" in micro:
        seconds = micro["global_maps_all_pairs_s"]
        rows.append(
            (
                "Global maps for all four pairs < 0.2 s",
                f"{seconds:.3f} s",
                seconds < 0.2,
                "global_maps",
            )
        )
    if "training_s" in micro:
        total = sum(micro["training_s"].values())
        rows.append(
            ("All four pairs trained < 2 minutes", f"{total:.0f} s", total < 120, "training")
        )
    if dash:
        ratio = dash["ratio_median"]
        rows.append(
            (
                "Stroke -> overlay within 1.5x the trivial app (median)",
                f"{ratio:.2f}x ({dash['draw_page']['median_s']:.3f} s"
                f" vs {dash['trivial_app']['median_s']:.3f} s)",
                ratio <= 1.5,
                "stroke_ratio",
            )
        )
        rows.append(
            (
                "Moonshot: stroke -> overlay median < 250 ms",
                f"{dash['draw_page']['median_s'] * 1000:.0f} ms",
                dash["draw_page"]["median_s"] < 0.25,
                "stroke_moonshot",
            )
        )
    uploads = results.get("uploads")
    if uploads:
        rows.append(
            (
                f"Every hostile upload <= {uploads['budget_s']:g} s CPU, "
                f"<= {uploads['budget_mb']:g} MB",
                f"worst {uploads['worst_cpu_s']:.2f} s CPU "
                f"({uploads['worst_wall_s']:.2f} s wall at "
                f"load average {max(uploads.get('load_average', [0]))}), "
                f"{uploads['worst_peak_mb']:.0f} MB; {len(uploads['crashed'])} crashed",
                uploads["worst_cpu_s"] <= uploads["budget_s"]
                and uploads["worst_peak_mb"] <= uploads["budget_mb"]
                and not uploads["crashed"],
                "uploads",
            )
        )
    for kind, gallery in results.get("gallery", {}).items():
        if isinstance(gallery, dict) and "p95_s" in gallery:
            rows.append(
                (
                    f"Mistakes gallery: a filter change <= 0.5 s ({kind} network, p95 of "
                    f"{gallery['changes']} page runs)",
                    f"p50 {gallery['p50_s']:.3f} s, p95 {gallery['p95_s']:.3f} s "
                    f"(first visit {gallery['first_run_s']:.1f} s; load average "
                    f"{gallery.get('load_average_1min', float('nan')):.1f} on this machine)",
                    gallery["p95_s"] <= 0.5,
                    "gallery",
                )
            )
    live = results.get("live_engine", {}).get("configurations", {})
    for key, text, budget in LIVE_TARGETS:
        if key in live:
            row = live[key]
            rows.append(
                (
                    f"Browser engine per frame, {text}: p95 <= {budget:g} ms",
                    f"p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms",
                    row["p95_ms"] <= budget,
                    "live_engine",
                )
            )
    rows += _levels_targets(results.get("levels"))
    load_test = results.get("load")
    if load_test and "levels" in load_test:
        forty = load_test["levels"].get("40")
        if forty:
            rows.append(
                (
                    "Load: 40 sessions, 0 errors, p95 pointer-up -> server update <= 1 s",
                    f"{forty['errors']} errors, p50 {forty['p50_s']:.2f} s, p95 "
                    f"{forty['p95_s']:.2f} s (load average {forty['load_average'][0]:g} before)",
                    forty["errors"] == 0 and forty["p95_s"] <= 1.0,
                    "load",
                )
            )
        for key, setup in (("classroom", "one server"), ("replicas_classroom", "two replicas")):
            room = load_test.get(key)
            if room:
                browser = room["browser"]
                rows.append(
                    (
                        f"Classroom, {setup}: {room['sessions']} sessions and one Chromium "
                        "drawing, its p95 pen lift -> server update <= 0.25 s",
                        f"p50 {browser['p50_s']:.2f} s, p95 {browser['p95_s']:.2f} s over "
                        f"{browser['pointer_ups']} pen lifts, {browser['errors']} errors "
                        f"(load average {_span(room['load_average'])}; the server waited for "
                        f"a core {_span(room['cpu_wait_share'], '.0%')} of the time)",
                        browser["errors"] == 0 and browser["p95_s"] <= 0.25,
                        "classroom",
                    )
                )
        for key, setup in (("hostile", "one server"), ("replicas_hostile", "two replicas")):
            floods = load_test.get(key)
            if not floods:
                continue
            kind, worst = max(floods.items(), key=lambda item: item[1]["p95_ratio"])
            rows.append(
                (
                    f"One hostile session flooding 60 sessions ({setup}): their p95 changes "
                    f"<= 2x (worst of {len(floods)} kinds of flood)",
                    f"{kind}: {worst['p95_ratio']:.2f}x (p95 {worst['without']['p95_s']:.2f} s "
                    f"-> {worst['with']['p95_s']:.2f} s; load average "
                    f"{worst['without']['load_average'][0]:g} / "
                    f"{worst['with']['load_average'][0]:g})",
                    all(row["p95_ratio"] <= 2.0 for row in floods.values()),
                    "hostile",
                )
            )
        check = load_test.get("validation")
        if check:
            rows.append(
                (
                    "Load client: server CPU per pointer-up within 20% of Chromium's (5 sessions)",
                    f"{check['protocol_cpu_ms']:.0f} ms vs {check['browser_cpu_ms']:.0f} ms "
                    f"({check['ratio']:.2f}x)",
                    abs(check["ratio"] - 1) <= 0.2,
                    "load_validation",
                )
            )
    return rows


LEVEL_TARGETS = (
    ("strokes_8", "stroke values, 8 strokes", 50),
    ("flip", "the flip search (example drawings)", 300),
    ("training_examples", "training examples (after the index is built)", 100),
    ("concepts", "concept sensitivities (within the 16 ms frame budget)", 16),
)


def _levels_targets(levels: dict | None) -> list:
    if not levels:
        return []
    rows = []
    load = levels.get("load_average_before", ["?"])[0]
    for network, row in levels.get("networks", {}).items():
        for key, text, budget in LEVEL_TARGETS:
            if key in row:
                figure = row[key]
                rows.append(
                    (
                        f"Levels, {network}: {text}, p95 <= {budget} ms",
                        f"p50 {figure['p50_ms']:.1f} ms, p95 {figure['p95_ms']:.1f} ms, CPU "
                        f"{figure['cpu_median_ms']:.1f} ms (load average {load})",
                        figure["p95_ms"] <= budget if network == "2Z/dense" else None,
                        "levels",
                    )
                )
    return rows


def _levels_section(levels: dict | None) -> list[str]:
    if not levels:
        return []
    lines = [
        "",
        "## Why, at every level (`python -m bench levels`)",
        "",
        "After a pen lift, in core, one BLAS thread per call (as the dashboard runs): wall time "
        "p50 / p95 over the calls of every input, and the median CPU time per call. Inputs: "
        "the 17 example drawings (1-3 strokes), the first six cut into 4 and 8 strokes; "
        "training examples for 10 random test images. The question: the predicted class "
        "against the runner-up. Load average (2 cores, shared) "
        f"{levels.get('load_average_before')} before, {levels.get('load_average_after')} "
        f"after; finished {levels.get('finished', '?')}.",
        "",
        "| network | what | inputs | p50 | p95 | CPU per call |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    names = {
        "examples": "stroke values, the examples",
        "strokes_4": "stroke values, 4 strokes",
        "strokes_8": "stroke values, 8 strokes",
        "flip": "the flip search",
        "concepts": "concept sensitivities",
        "training_examples": "training examples",
    }
    for network, row in levels.get("networks", {}).items():
        for key, text in names.items():
            if key in row:
                figure = row[key]
                lines.append(
                    f"| {network} | {text} | {figure['inputs']} | {figure['p50_ms']:.1f} ms | "
                    f"{figure['p95_ms']:.1f} ms | {figure['cpu_median_ms']:.1f} ms |"
                )
        if "influence_index_s" in row:
            lines.append(
                f"| {network} | training examples: the index, once per network | "
                f"{row['training_images']:,} training images | "
                f"{row['influence_index_s']:.2f} s | | |"
            )
    return lines


def render(results: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m bench` (and `python -m bench load` for the load test); "
        "do not edit by hand.",
        "",
    ]
    info = results.get("machine", {})
    lines += ["## Machine", "", " | ".join(f"{key}: {value}" for key, value in info.items()), ""]
    lines += ["## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]
    missed = []
    for target, measured, met, key in targets(results):
        mark = "reported" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {target} | {measured} | {mark} |")
        if met is False:
            missed.append(key)
    for key in dict.fromkeys(missed):
        if key in EXPLANATIONS:
            lines += ["", f"- *{key}*: {EXPLANATIONS[key]}"]
    micro = results.get("micro", {})
    if micro:
        lines += [
            "",
            "## Explanation methods and the forward pass "
            f"(images: {micro.get('images')}; {micro.get('configuration', 'full')})",
            "",
            "Latency: one image per call (predict + explain where the method predicts). "
            "Throughput in images per second.",
            "",
            "| method | batch 1 p50 | batch 1 p95 | 64 | 1,024 | 4,096 |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        rows = {
            name: micro[name]
            for name in (
                "modulex",
                "forward_numpy",
                "forward_keras_call",
                "tf_gradient_x_input",
                "tf_gradient_x_input_xla",
            )
            if name in micro
        }
        rows.update(micro.get("methods", {}))
        for name, row in rows.items():
            one = row["latency_batch1"]
            lines.append(
                f"| {name} | {one['p50_ms']:.3f} ms | {one['p95_ms']:.3f} ms | "
                + " | ".join(
                    _fmt(row[f"throughput_{b}"]) if f"throughput_{b}" in row else "not run"
                    for b in (64, 1024, 4096)
                )
                + " |"
            )
        lines += [
            "",
            "`forward_numpy` is the floor: the network's forward pass alone, in numpy. "
            "`forward_keras_call` is `model(x)`.",
        ]
        if "global_maps_all_pairs_s" in micro:
            lines += [
                "",
                f"Global maps, all four pairs: {micro['global_maps_all_pairs_s']:.3f} s "
                f"({micro.get('global_maps_note', '')}).",
            ]
        if "training_s" in micro:
            lines += [
                "",
                "Training (40 epochs, the shipped recipe): "
                + ", ".join(
                    f"{pair} {seconds:.1f} s" for pair, seconds in micro["training_s"].items()
                )
                + f"; total {sum(micro['training_s'].values()):.0f} s.",
            ]
        lines += [
            "",
            f"Peak memory of the benchmark process: {micro.get('peak_memory_mb', 0):.0f} MB. "
            f"Finished {micro.get('finished', '?')}.",
        ]
    live = results.get("live_engine")
    if live:
        lines += [
            "",
            "## Browser engine in Chromium (`python -m bench live-engine`)",
            "",
            "Per frame while a Z is drawn on a 280x280 canvas: read the pixels, `canvasInk`, "
            "`preprocessInk`, then `explain` on every network (modes in turn). "
            f"{live['frames']} frames per row after 20 warm-up frames; Chromium "
            f"{live.get('browser', '?')}; load average (2 cores, shared) "
            f"{live.get('load_average', '?')} before / after; "
            f"finished {live.get('finished', '?')}.",
            "",
            "CPU per frame: the page's main-thread CPU time (Chromium's ThreadTime) over the run, "
            "divided by its frames (after a first run that loads and compiles; the drawing of each "
            "segment included): the "
            "frame's own cost, which a wall-clock p95 on a shared machine is not.",
            "",
            "| networks | frames | p50 | p95 | max | CPU per frame | preprocessing p50 |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, row in live["configurations"].items():
            lines.append(
                f"| {name}: {', '.join(row['networks'])} | {row['frames']} | {row['p50_ms']:.2f} ms"
                f" | {row['p95_ms']:.2f} ms | {row['max_ms']:.1f} ms"
                f" | {row.get('cpu_per_frame_ms', float('nan')):.2f} ms"
                f" | {row['preprocessing_p50_ms']:.2f} ms |"
            )
        cpu = live.get("cpu_node")
        if cpu:
            lines += [
                "",
                "CPU time per call under Node (`bench/live_engine_cpu.mjs`, `process.cpuUsage`: "
                "the engine's own work, whatever else the cores run), median and fastest of 10 "
                f"rounds of {cpu['repeats'] // 10} calls; the same Z at 12 stages:",
                "",
                "| step | CPU median | CPU fastest | wall median |",
                "| --- | --- | --- | --- |",
            ]
            for step, row in cpu.items():
                if isinstance(row, dict):
                    ms = {key: value / 1000 for key, value in row.items()}
                    lines.append(
                        f"| {step} | {ms['cpu_us']:.2f} ms | {ms['cpu_min_us']:.2f} ms"
                        f" | {ms['wall_us']:.2f} ms |"
                    )
    dash = results.get("dashboard")
    if dash:
        lines += [
            "",
            "## Dashboard in Chromium",
            "",
            "Cold start (server start to the draw page rendered with its canvas): server ready "
            f"{dash['cold_start']['server_ready_s']:.1f} s, "
            f"first render {dash['cold_start']['first_render_s']:.1f} s.",
            "",
            "| app | strokes | median | p95 | fastest |",
            "| --- | --- | --- | --- | --- |",
        ]
        for name in ("trivial_app", "draw_page"):
            row = dash[name]
            lines.append(
                f"| {name} | {row['strokes']} | {row['median_s']:.3f} s | {row['p95_s']:.3f} s "
                f"| {row['min_s']:.3f} s |"
            )
        lines += [
            "",
            "Mouse-up to the page showing the new input (its fingerprint) after the run has "
            "finished and the browser has painted.",
        ]
    lines += _live_section(results.get("live"))
    uploads = results.get("uploads")
    if uploads:
        lines += [
            "",
            "## Hostile uploads (`python -m bench uploads`)",
            "",
            "Each generated file (tests/fixtures/hostile_uploads.py) goes through "
            "`image_file_to_input` in a fresh process: fastest of 3 runs (wall and CPU), "
            "peak memory (VmHWM, reset before the upload) above the resident memory before it. "
            f"Load average (2 cores, shared) {uploads.get('load_average')} before / after. "
            f"Finished {uploads['finished']}.",
            "",
            "| file | size | wall | CPU | peak memory | outcome |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for name, row in uploads["files"].items():
            if "error" in row:
                lines.append(f"| {name} | | | | | **crashed** |")
                continue
            lines.append(
                f"| {name} | {row['bytes'] / 1024:,.0f} KB | {row['wall_s']:.3f} s | "
                f"{row['cpu_s']:.3f} s | {row['peak_mb']:.0f} MB | {row['outcome'][:70]} |"
            )
    lines += _levels_section(results.get("levels"))
    lines += _load_section(results.get("load"))
    return "\n".join(lines) + "\n"


def _load_rows(label: str, levels: dict) -> list[str]:
    rows = []
    for sessions, row in levels.items():
        memory = row["memory_mb"]
        rows.append(
            f"| {label} | {sessions} | {row['pointer_ups']} | {row['errors']} | "
            f"{row['server_cpu_ms_per_pointer_up']:.0f} ms | {row['p50_s']:.2f} s | "
            f"{row['p95_s']:.2f} s | {row['server_cpu_share']:.0%} | "
            f"{memory['before']:.0f} / {memory['sessions_open']:.0f} / {memory['peak']:.0f} MB | "
            f"{row['load_average'][0]:g} / {row['load_average'][1]:g} |"
        )
    return rows


def _span(values, format_spec: str = "g") -> str:
    """``low-high`` of a list of numbers (or of [before, after] pairs)."""
    flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
    low, high = min(flat), max(flat)
    return f"{low:{format_spec}}" if low == high else f"{low:{format_spec}}-{high:{format_spec}}"


def _client_share(load: dict) -> float:
    rows = [*load["levels"].values(), *(load.get("replicas") or {}).values()]
    return max((row["client_cpu_share"] for row in rows if "client_cpu_share" in row), default=0)


def _load_section(load: dict | None) -> list[str]:
    """Classroom scale (bench/load.py): simulated sessions on one server and on two replicas."""
    if not load or "levels" not in load:
        return []
    lines = [
        "",
        "## Load test: a class drawing at once (`python -m bench load`)",
        "",
        "Method: each simulated session opens Draw & explain and draws a Z stroke by stroke "
        f"({load['pointer_ups_per_session']} pointer-ups): the pen moves 0.7-1.3 s (seeded), "
        "lifts, the live canvas' state (the strokes) goes to the server in a fragment rerun, "
        "and the session waits for the server's update (the fragment's confidence line) before "
        "the next stroke; the class starts within 5 s. Sessions speak Streamlit's websocket "
        "protocol (`bench/protocol.py`: the browser's `BackMsg` protobufs; each pen lift is the "
        "fragment rerun Chromium sends, with the same fragment, page, query string and widget "
        "states, read from the page's own messages), so the load generator costs the machine "
        f"little (at most {_client_share(load):.1%} of the machine's CPU here) and the figures "
        "measure "
        "the server. Server CPU: user + system "
        "time of the server process(es) during the drawing, divided by the pointer-ups; memory: "
        "resident set before the sessions, with them open, and the peak while they draw. "
        f"Finished {load['finished']}.",
        "",
        f"**The machine ({load['cores']} cores) is shared with other agents' work**: the load "
        "average (1 min) before / after each row is beside it, and latencies grow with it.",
        "",
        "| setup | sessions | pointer-ups | errors | server CPU per pointer-up | p50 | p95 | "
        "server CPU share | server memory before / open / peak | load average |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += _load_rows("one server", load["levels"])
    replicas = load.get("replicas") or {}
    if "skipped" in replicas:
        lines += ["", f"Two replicas: skipped ({replicas['skipped']})."]
    elif replicas:
        lines += _load_rows("two replicas + nginx", replicas)
        lines += [
            "",
            "Two replicas: two dashboard servers behind Debian's nginx on loopback, sticky by a "
            "cookie (`bench/proxy.py`, README Robustness). Both replicas and nginx share the "
            "same two cores here, so a second replica adds a second Python interpreter (a "
            "second GIL) but no CPU: on separate machines each would hold the one-server figures.",
        ]
    errors = [m for row in load["levels"].values() for m in row.get("error_messages", [])]
    if errors:
        lines += ["", "First errors: " + "; ".join(errors[:5])]
    lines += _classroom_section(load)
    check = load.get("validation")
    if check:
        lines += [
            "",
            f"Validation at {check['sessions']} sessions, on the same server, alternated "
            f"{len(check['protocol'])} times: the protocol client against Chromium "
            "(Playwright, one context per session, the same strokes drawn with the mouse; its "
            "update is the page's fingerprint changing; its pages open and settle 3 s before the "
            "drawing is measured, the protocol sessions' opening is left out as well). Server "
            "CPU per pointer-up: protocol "
            f"{check['protocol_cpu_ms']:.0f} ms, Chromium {check['browser_cpu_ms']:.0f} ms "
            f"({check['ratio']:.2f}x; target within 20%). Load average {check['load_average']}. "
            "The client's pen lift was compared frame by frame with Chromium's: the same fragment "
            "rerun, page hash, query string and widget states, answered with the same messages.",
            "",
            "| client | pointer-ups | errors | server CPU per pointer-up | p50 | p95 | drawing |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for client in ("protocol", "browser"):
            for row in check[client]:
                took = f"{row['elapsed_s']:.1f} s" if "elapsed_s" in row else "?"
                lines.append(
                    f"| {client} | {row['pointer_ups']} | {row['errors']} | "
                    f"{row['server_cpu_ms_per_pointer_up']:.0f} ms | {row['p50_s']:.2f} s | "
                    f"{row['p95_s']:.2f} s | {took} |"
                )
    return lines


def _classroom_section(load: dict) -> list[str]:
    """A class of 60 with one real Chromium drawing, and one hostile session flooding it."""
    lines = []
    rooms = [
        (setup, load.get(key))
        for key, setup in (
            ("classroom", "one server"),
            ("replicas_classroom", "two replicas + nginx"),
        )
    ]
    rooms = [(setup, room) for setup, room in rooms if room]
    if rooms:
        lines += [
            "",
            "### A class of 60 with one real browser",
            "",
            "The protocol sessions above draw while one Chromium page (Playwright, the same Z, "
            "stroke by stroke with the mouse) draws among them; its pen lift's latency is the "
            "time from mouse-up to the page's fingerprint changing (the server's update "
            "rendered). Each round opens 60 new sessions and a new page; the browser's pen lifts "
            "are pooled over the rounds. *Waited for a core*: the seconds the server's threads "
            "were ready to run but the machine's other work held both cores (Linux schedstat), "
            "per second of drawing.",
            "",
            "| setup | rounds | browser pen lifts | browser p50 | browser p95 | errors | "
            "sessions' p95 per round | server CPU per pen lift | waited for a core | "
            "load average |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for setup, room in rooms:
            browser, protocol = room["browser"], room["protocol"]
            lines.append(
                f"| {setup} | {room['rounds']} | {browser['pointer_ups']} | "
                f"{browser['p50_s']:.2f} s | {browser['p95_s']:.2f} s | "
                f"{browser['errors'] + protocol['errors']} | "
                + ", ".join(f"{v:.2f}" for v in protocol["p95_s_per_round"])
                + f" s | {protocol['server_cpu_ms_per_pointer_up']:.0f} ms | "
                f"{_span(room['cpu_wait_share'], '.0%')} | {_span(room['load_average'])} |"
            )
    for key, setup in (("hostile", "one server"), ("replicas_hostile", "two replicas + nginx")):
        lines += _hostile_rows(load.get(key), setup)
    return lines


def _hostile_rows(floods: dict | None, setup: str) -> list[str]:
    lines = []
    if floods:
        lines += [
            "",
            f"### One hostile session flooding the class ({setup})",
            "",
            "`bench/hostile.py`, in a process of its own, opens the page and sends one kind of "
            "value again and again without waiting for the server, from before the class starts "
            "drawing to after it ends; each kind is measured right after a round without it "
            "(the machine's load drifts). Sent: the values it got through (the server reads a "
            "connection at 20 messages and 1 MB a second); runs: the server's runs it saw "
            "finish (app/session_budget.py allows a session 10% of a core once its 1 s burst "
            "is spent).",
            "",
            "| flood | sent / runs | p50 without -> with | p95 without -> with | p95 ratio | "
            "errors | waited for a core | load average |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for kind, row in floods.items():
            without, flooded, flood = row["without"], row["with"], row["flood"] or {}
            lines.append(
                f"| {kind} | {flood.get('sent', '?')} / {flood.get('runs', '?')} | "
                f"{without['p50_s']:.2f} -> {flooded['p50_s']:.2f} s | "
                f"{without['p95_s']:.2f} -> {flooded['p95_s']:.2f} s | "
                f"{row['p95_ratio']:.2f}x | {without['errors'] + flooded['errors']} | "
                f"{without['cpu_wait_share']:.0%} / {flooded['cpu_wait_share']:.0%} | "
                f"{_span(without['load_average'])} / {_span(flooded['load_average'])} |"
            )
    return lines


def _live_section(live: dict | None) -> list[str]:
    """The live drawing component (bench/live.py): issue 12's targets beside the figures."""
    if not live:
        return []
    cold = live["cold_start"]
    lines = [
        "",
        "## Live drawing component in Chromium (`python -m bench live`)",
        "",
        f"Cold start: server ready {cold['server_ready_s']:.1f} s, live canvas ready "
        f"{cold['canvas_ready_s']:.1f} s, first drawing explained live "
        f"{cold['first_live_explanation_s']:.1f} s and by the server "
        f"{cold['first_server_explanation_s']:.1f} s (target: first explanation <= 3 s).",
        "",
        f"Pointer-up -> the server's confidence and sentence on screen, median of "
        f"{live['draw_pointer_up']['strokes']}: {live['draw_pointer_up']['median_s']:.3f} s, "
        f"the stock streamlit-drawable-canvas app (a canvas and one line of text) "
        f"{live['stock_canvas_app']['median_s']:.3f} s in the same run: "
        f"{live['pointer_up_ratio']:.2f}x (target <= 0.5x).",
        "",
        "| page | pen | pointer -> overlay painted p50 / p95 | compute per frame p50 / p95 "
        "| distinct inputs explained per second |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, title in (
        ("draw_dense", "Draw & explain, Dense"),
        ("draw_cnn", "Draw & explain, CNN"),
        ("compare_dense", "Compare pairs, 4 Dense"),
        ("compare_cnn", "Compare pairs, 4 CNNs"),
    ):
        for suffix, pen in (("_in_page_pen", "one move per frame"), ("", "Playwright mouse")):
            row = live.get(name + suffix)
            if not row:
                continue
            paint, compute = row["pointer_to_paint"], row["compute"]
            lines.append(
                f"| {title} | {pen} | {paint['p50_ms']:.1f} / {paint['p95_ms']:.1f} ms "
                f"| {compute['p50_ms']:.1f} / {compute['p95_ms']:.1f} ms "
                f"| {row['inputs_per_second']:.1f} |"
            )
    lines += [
        "",
        "Targets (issue 12): pointer -> overlay within one frame (<= 16 ms plus compute); >= 30 "
        'inputs/s (>= 20 on Compare pairs with CNNs). "one move per frame" dispatches the '
        "pointer events in the page at the display's rate; Playwright's mouse costs a round "
        "trip per move (~50 ms here), which bounds its rate, not the component's.",
    ]
    return lines
