"""Command line of the core engine: download, train, global maps, and the thesis' operations."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.cli.progress import ProgressBar
from core.data.pairs import PAIRS
from core.errors import ProjectFileError


def _comma_list(value: str, allowed, what: str, every_word: str, every) -> list[str]:
    """``value`` split at commas, each item checked against ``allowed``; ``every_word`` alone
    stands for ``every``."""
    chosen = list(every) if value == every_word else [item.strip() for item in value.split(",")]
    for item in chosen:
        if item not in allowed:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {item!r}; choose from {', '.join(allowed)} or {every_word!r}"
            )
    return chosen


def _pairs(value: str, allowed=PAIRS) -> list[str]:
    return _comma_list(value, allowed, "pair", "all", PAIRS)


def _model_names(value: str) -> list[str]:
    """Like :func:`_pairs`, also accepting ``all8`` (the 8-character network) and ``balanced``."""
    from core.data.pairs import MODEL_NAMES

    return _pairs(value, MODEL_NAMES)


def _kinds(value: str) -> list[str]:
    from core.models.files import KINDS

    return _comma_list(value, KINDS, "kind", "both", KINDS)


def _names(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _print_json(value) -> None:
    print(json.dumps(value, indent=1))


def cmd_download(args) -> int:
    from core.data.download import archive_url, download

    bars: dict[str, ProgressBar] = {}

    def progress(done, total, stage):
        if stage not in bars:
            for bar in bars.values():
                bar.close()
            bars.clear()
            bars[stage] = ProgressBar(total or 1, stage)
        bars[stage].update(done)

    print(f"downloading {archive_url(args.url)}", file=sys.stderr)
    result = download(
        url=args.url,
        destination=Path(args.dest) if args.dest else None,
        progress=progress,
        keep_archive=args.keep_archive,
    )
    for bar in bars.values():
        bar.close()
    print(
        f"built {result.folder}: train {sum(result.counts['train'])} images, "
        f"test {sum(result.counts['test'])} images"
    )
    return 0


def cmd_train(args) -> int:
    from core.data.pairs import BALANCED
    from core.models.training import default_config, train_pair

    names = args.pair or list(PAIRS)
    if args.balanced_archive:
        # with the official archive, the all-characters network learns every Balanced class
        if args.pair not in (None, ["all8"], [BALANCED]):
            raise ValueError(
                "--balanced-archive goes with --pair all8 (or balanced, or no --pair): it trains "
                "one network on every EMNIST Balanced class"
            )
        names = [BALANCED]
    elif BALANCED in names:
        raise ValueError(
            "--pair balanced needs --balanced-archive PATH (the official EMNIST gzip.zip or its "
            "gzip folder)"
        )
    summary = {}
    for pair in names:
        for kind in args.kind:
            label = pair if kind == "dense" else f"{pair}-{kind}"
            bar = ProgressBar(1, f"training {label}")

            def on_batch(step, total, loss, accuracy, bar=bar):
                bar.total = total
                bar.update(step, f"loss {loss:.3f} acc {accuracy:.3f}")

            config = default_config(kind, seed=args.seed, epochs=args.epochs)
            tensorboard = Path(args.tensorboard) / label if args.tensorboard else None
            result = train_pair(
                pair,
                config,
                out_root=Path(args.out) if args.out else None,
                on_batch=on_batch,
                tensorboard_dir=tensorboard,
                kind=kind,
                archive=args.balanced_archive if pair == BALANCED else None,
            )
            evaluation = result.metadata["evaluation"]
            bar.close(f"test accuracy {evaluation['test']['accuracy']:.4f}")
            summary[label] = {
                split: round(scores["accuracy"], 4) for split, scores in evaluation.items()
            }
            if args.global_maps and pair != BALANCED:
                _write_global_maps(
                    pair, result.model, args.k, Path(args.out) if args.out else None, kind
                )
            if pair != BALANCED:  # what the levels need beside the new weights
                _write_levels(pair, kind, Path(args.out) if args.out else None)
    _print_json(summary)
    return 0


def _write_global_maps(pair, model, k, root=None, kind="dense"):
    from core.explain.model_maps import write_maps

    for path in write_maps(pair, model, k=k, kind=kind, root=root):
        print(f"wrote {path}", file=sys.stderr)


def _write_levels(pair, kind, root=None, what=None, sets=None):
    from core.levels.build import write_artefacts

    paths, results = write_artefacts(pair, kind, root, what, sets)
    for path in paths:
        print(f"wrote {path}", file=sys.stderr)
    return results


def cmd_levels_artefacts(args) -> int:
    from core.levels.concepts import concept_sets

    sets = concept_sets() if "concepts" in args.what else None
    results = {}
    for pair in args.pair:
        for kind in args.kind:
            found = _write_levels(pair, kind, Path(args.out) if args.out else None, args.what, sets)
            if "concepts" in found:
                results[f"{pair}/{kind}"] = found["concepts"]
    if results and args.report:
        from core.levels.report import update_concepts

        for path in update_concepts(results, Path(args.report)):
            print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_levels_report(args) -> int:
    from core.studies.levels_report import refresh_removal, run, write

    stored = Path(args.report) / "levels.json"
    previous = json.loads(stored.read_text()) if stored.is_file() else None
    results = run(
        per_class=args.per_class,
        progress=lambda m: print(m, file=sys.stderr),
        sections=args.sections,
        previous=previous,
    )
    results = refresh_removal(results, Path(args.report))
    for path in write(results, Path(args.report)):
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_influence_study(args) -> int:
    from core.studies.influence_study import run_removal

    result = run_removal(
        args.pair,
        test_images=args.test_images,
        k=args.k,
        epochs=args.epochs,
        random_draws=args.random_draws,
        progress=lambda m: print(m, file=sys.stderr, flush=True),
        image_seed=args.image_seed,
    )
    path = Path(args.report) / "levels-influence.json"
    runs = json.loads(path.read_text())["runs"] if path.is_file() else []
    path.write_text(json.dumps({"runs": [*runs, result]}, indent=1) + "\n")
    print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_global_maps(args) -> int:
    from core.models.files import load_pretrained

    for pair in args.pair:
        for kind in args.kind:
            _write_global_maps(pair, load_pretrained(pair, kind), args.k, kind=kind)
    return 0


def export_weights(pair: str, kind: str, root: Path | None = None) -> Path:
    """Write the plain-array export of a shipped network and record its checksums in its
    ``metadata.json`` (the rest of the file is kept as it was written)."""
    from core.models.files import METADATA_FILE, load_metadata, load_pretrained, model_dir
    from core.models.training import write_metadata
    from core.models.weights_export import METADATA_KEY, write_export

    folder = model_dir(pair, kind, root)
    metadata = load_metadata(pair, kind, root)
    record = write_export(
        load_pretrained(pair, kind, root), folder, pair, kind, metadata["classes"]
    )
    metadata[METADATA_KEY] = record
    write_metadata(metadata, folder / METADATA_FILE)
    return folder


def cmd_export_weights(args) -> int:
    from core.models.files import model_dir, pretrained_root

    root = Path(args.root) if args.root else None
    for pair in args.pair:
        for kind in args.kind:
            if not (model_dir(pair, kind, root) / "model.keras").is_file() and args.skip_missing:
                continue
            folder = export_weights(pair, kind, root)
            print(
                f"wrote {folder.relative_to(root or pretrained_root())}/weights.json, .bin",
                file=sys.stderr,
            )
    return 0


def cmd_evaluate_model(args) -> int:
    from core.data import labelled
    from core.models.files import load_pretrained
    from core.models.scores import evaluate

    report = {}
    for pair in args.pair:
        split = labelled.load(pair, args.split)
        for kind in args.kind:
            scores = evaluate(load_pretrained(pair, kind), split.images, split.labels)
            report[pair if kind == "dense" else f"{pair}-{kind}"] = {
                key: scores[key]
                for key in ("n", "loss", "accuracy", "balanced_accuracy", "confusion")
            }
    _print_json(report)
    return 0


def _read_images(paths):
    import numpy as np

    from core.inputs.preprocess import image_file_to_input

    return np.stack([image_file_to_input(Path(path).read_bytes()) for path in paths])


def _characters(name: str) -> tuple[str, ...]:
    from core.data.pairs import EIGHT_CHARACTERS, pair_characters

    return EIGHT_CHARACTERS if name == "all8" else pair_characters(name)


def cmd_predict(args) -> int:
    from core.models.files import load_pretrained, predict

    model = load_pretrained(args.pair, args.kind)
    characters = _characters(args.pair)
    for path, row in zip(args.images, predict(model, _read_images(args.images)), strict=True):
        print(
            f"{path}: {characters[int(row.argmax())]}  "
            + "  ".join(f"P({c})={p:.3f}" for c, p in zip(characters, row, strict=True))
        )
    return 0


def cmd_explain(args) -> int:
    import numpy as np

    from core.explain import predict_and_explain
    from core.models.files import load_pretrained

    model = load_pretrained(args.pair, args.kind)
    characters = _characters(args.pair)
    contrast = None if args.contrast is None else characters.index(args.contrast.upper())
    probabilities, maps = predict_and_explain(
        model, _read_images(args.images), mode=args.mode, contrast=contrast
    )
    for path, row, importance in zip(args.images, probabilities, maps, strict=True):
        print(
            f"{path}: {characters[int(row.argmax())]} (P={row.max():.3f}); "
            f"importance sum {importance.sum():+.4f}, "
            f"strongest pixel {np.unravel_index(np.abs(importance).argmax(), importance.shape)}"
        )
    if args.out:
        np.save(args.out, maps)
        print(f"maps saved to {args.out} (float32 [n, 28, 28])")
    return 0


def cmd_bias_share(args) -> int:
    from core.data.dataset import load_pair
    from core.models.files import load_pretrained
    from core.studies.bias_share import bias_share

    report = {
        pair: bias_share(load_pretrained(pair), load_pair(pair, "test")[0]) for pair in args.pair
    }
    _print_json(report)
    return 0


def cmd_confidence_report(args) -> int:
    from core.data.pairs import ALL_EIGHT
    from core.models.files import load_pretrained
    from core.studies.confidence_study import analyse

    report = []
    for pair in args.pair:
        for kind in args.kind:
            model = load_pretrained(pair, kind)
            for mode in args.mode:
                if pair == ALL_EIGHT and mode == "contrast":
                    continue  # the 8-class network has no single class to argue against
                report.append({"kind": kind, **analyse(pair, model, mode)})
                print(
                    f"{pair} {kind} {mode}: AUROC confidence "
                    f"{report[-1]['auroc_correct_vs_wrong']['confidence']:.3f}",
                    file=sys.stderr,
                )
    _print_json(report)
    return 0


def cmd_calibrate_unlikely(args) -> int:
    from core.studies.unlikely_study import NETWORKS, markdown, run, write

    names = set(args.pair)
    networks = [(name, kind) for name, kind in NETWORKS if name in names and kind in args.kind]
    results = run(
        byclass_limit=args.byclass_limit,
        generated_per_kind=args.generated,
        networks=networks,
        root=Path(args.out) if args.out else None,
        progress=lambda message: print(message, file=sys.stderr),
    )
    if args.report:
        for path in write(results, Path(args.report)):
            print(f"wrote {path}", file=sys.stderr)
    print(markdown(results))
    return 0


def _add_pair_and_kind(command: argparse.ArgumentParser) -> None:
    """--pair (the four pairs by default, or all8) and --kind (dense by default)."""
    command.add_argument(
        "--pair",
        type=lambda value: _pairs(value, (*PAIRS, "all8")),
        default=list(PAIRS),
        help="pairs, all8, a comma list, or all (the four pairs)",
    )
    command.add_argument(
        "--kind", type=_kinds, default=["dense"], help="dense, cnn, a comma list, or both"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="ModuleX core engine")
    commands = parser.add_subparsers(dest="command", required=True)

    download = commands.add_parser(
        "download", help="fetch the official EMNIST archive and build the 8-character set"
    )
    download.add_argument("--url", help="archive address (default: $EMNIST_URL or NIST's gzip.zip)")
    download.add_argument("--dest", help="data folder (default: $EMNIST_DIR or data/emnist)")
    download.add_argument(
        "--keep-archive", action="store_true", help="keep gzip.zip after building"
    )
    download.set_defaults(run=cmd_download)

    train = commands.add_parser(
        "train", help="train the thesis network of a pair (the thesis' fit)"
    )
    train.add_argument(
        "--pair",
        type=_model_names,
        help=(
            "2Z, 5S, 8B, 0O, all8 (one network for the eight characters), balanced, a comma list, "
            "or all (the four pairs; default)"
        ),
    )
    train.add_argument(
        "--kind",
        type=_kinds,
        default=["dense"],
        help="dense (the thesis network; default), cnn, a comma list, or both",
    )
    train.add_argument(
        "--balanced-archive",
        help=(
            "the official EMNIST gzip.zip (or its gzip/ folder): with --pair all8 (or alone), "
            "train on every EMNIST Balanced class (model 'balanced')"
        ),
    )
    train.add_argument(
        "--epochs", type=int, help="default: the shipped recipe's (40 for dense, 15 for cnn)"
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", help="folder for the trained models (default: pretrained/)")
    train.add_argument("--tensorboard", help="also write TensorBoard logs into this folder")
    train.add_argument(
        "--no-global-maps",
        dest="global_maps",
        action="store_false",
        help="skip recomputing the global maps",
    )
    train.add_argument(
        "--k", type=int, default=400, help="test images per label in the global maps"
    )
    train.set_defaults(run=cmd_train)

    maps = commands.add_parser(
        "global-maps", help="recompute the global maps of the shipped models"
    )
    _add_pair_and_kind(maps)
    maps.add_argument("--k", type=int, default=400)
    maps.set_defaults(run=cmd_global_maps)

    export = commands.add_parser(
        "export-weights",
        help="write the plain-array weights export (weights.json, weights.bin) of the shipped "
        "models, for the browser engine; record its checksums in their metadata",
    )
    export.add_argument(
        "--pair",
        type=lambda value: _pairs(value, (*PAIRS, "all8")),
        default=[*PAIRS, "all8"],
        help="pairs, all8, a comma list, or all (default: the four pairs and all8)",
    )
    export.add_argument(
        "--kind", type=_kinds, default=["dense", "cnn"], help="dense, cnn, a comma list, or both"
    )
    export.add_argument(
        "--root", help="models folder (default: $MODULEX_PRETRAINED or pretrained/)"
    )
    export.add_argument(
        "--skip-missing", action="store_true", help="skip networks without a model.keras"
    )
    export.set_defaults(run=cmd_export_weights)

    evaluate = commands.add_parser(
        "evaluate-model", help="accuracy and loss of the shipped models (the thesis' evaluate)"
    )
    _add_pair_and_kind(evaluate)
    evaluate.add_argument("--split", choices=("train", "test"), default="test")
    evaluate.set_defaults(run=cmd_evaluate_model)

    report = commands.add_parser(
        "evaluate",
        help="score every explanation method, floor and ModuleX variant by every metric; "
        "write the report",
    )
    report.add_argument(
        "--pair", type=_pairs, default=list(PAIRS), help="2Z, 5S, 8B, 0O, a comma list, or all"
    )
    report.add_argument("--kind", type=_kinds, default=["dense"], help="dense, cnn, or both")
    report.add_argument("--methods", type=_names, help="comma list of methods (default: all)")
    report.add_argument("--metrics", type=_names, help="comma list of metrics (default: all)")
    report.add_argument(
        "--limit",
        type=int,
        help="at most this many test images per pair (seeded, stratified by label); default: all",
    )
    report.add_argument(
        "--cnn-limit", type=int, help="as --limit, for the CNNs (their methods are slower)"
    )
    report.add_argument("--out", help="output folder (default: reports/)")
    report.add_argument("--seed", type=int, default=0)
    report.set_defaults(run=cmd_evaluate)

    share = commands.add_parser(
        "bias-share", help="how much of the target maps comes from the biases alone (test set)"
    )
    share.add_argument("--pair", type=_pairs, default=list(PAIRS))
    share.set_defaults(run=cmd_bias_share)

    confidence = commands.add_parser(
        "confidence-report",
        help="does explanation confidence separate right from wrong predictions? (test set, noise)",
    )
    _add_pair_and_kind(confidence)
    confidence.add_argument(
        "--mode",
        type=lambda value: value.split(","),
        default=["target"],
        help="explanation modes, comma-separated (target, contrast, thesis)",
    )
    confidence.set_defaults(run=cmd_confidence_report)

    sweep = commands.add_parser(
        "sweep-explain",
        help="check LRP's sign, probability-map precision and IG completeness over test sets",
    )
    sweep.add_argument("--pair", type=_pairs, default=list(PAIRS), help="pairs (default all)")
    sweep.add_argument(
        "--kind",
        type=lambda value: value.split(","),
        default=["dense", "cnn"],
        help="network kinds, comma-separated (default dense,cnn)",
    )
    sweep.add_argument("--limit", type=int, help="only the first N test images of each pair")
    sweep.add_argument(
        "--checks",
        type=lambda value: value.split(","),
        default=["lrp", "precision", "ig"],
        help="comma-separated: lrp, precision, ig (default all three)",
    )
    sweep.add_argument("--json", help="also write the figures to this JSON file")
    sweep.set_defaults(run=cmd_sweep_explain)

    unlikely = commands.add_parser(
        "calibrate-unlikely",
        help="fit, calibrate and evaluate the 'not one of these' score of every network",
    )
    unlikely.add_argument(
        "--pair",
        type=lambda value: [*PAIRS, "all8"] if value == "all" else _model_names(value),
        default=[*PAIRS, "all8"],
        help="pairs and/or all8, comma-separated, or all (default)",
    )
    unlikely.add_argument(
        "--kind", type=_kinds, default=["dense", "cnn"], help="dense, cnn or both"
    )
    unlikely.add_argument(
        "--byclass-limit",
        type=int,
        default=None,
        help="images per ByClass half (default: all; small values for a quick run)",
    )
    unlikely.add_argument(
        "--generated", type=int, default=200, help="generated non-characters per kind"
    )
    unlikely.add_argument("--out", help="folder of the networks (default: pretrained/)")
    unlikely.add_argument(
        "--report",
        default=str(Path(__file__).resolve().parents[2] / "reports"),
        help="folder for unlikely.md and unlikely.json ('' for none)",
    )
    unlikely.set_defaults(run=cmd_calibrate_unlikely)

    levels = commands.add_parser(
        "levels-artefacts",
        help="what the levels ship beside each network (self-influence, concept vectors), "
        "from its weights and the dataset, with checksums in levels.json",
    )
    levels.add_argument(
        "--pair",
        type=lambda value: [*PAIRS, "all8"] if value == "all" else _model_names(value),
        default=[*PAIRS, "all8"],
        help="pairs and/or all8, comma-separated, or all (default)",
    )
    levels.add_argument("--kind", type=_kinds, default=["dense", "cnn"], help="dense, cnn or both")
    levels.add_argument(
        "--what",
        type=lambda value: _comma_list(
            value, ("influence", "concepts"), "artefact", "all", ("influence", "concepts")
        ),
        default=["influence", "concepts"],
        help="influence, concepts, or all (default)",
    )
    levels.add_argument("--out", help="folder of the networks (default: pretrained/)")
    levels.add_argument(
        "--report",
        default=str(Path(__file__).resolve().parents[2] / "reports"),
        help="folder for concepts.md and concepts.json ('' for none)",
    )
    levels.set_defaults(run=cmd_levels_artefacts)

    reports = str(Path(__file__).resolve().parents[2] / "reports")
    SECTIONS = ("strokes", "edits", "influence")  # noqa: N806 (of core.studies.levels_report)
    level_report = commands.add_parser(
        "levels-report",
        help="reports/levels.md: stroke values, flip edits beside the pixel counterfactual, "
        "training examples (needs the dataset)",
    )
    level_report.add_argument("--per-class", type=int, default=10, help="test images per class")
    level_report.add_argument("--report", default=reports, help="folder for levels.md / .json")
    level_report.add_argument(
        "--sections",
        type=lambda value: (
            [] if value == "none" else _comma_list(value, SECTIONS, "section", "all", SECTIONS)
        ),
        default=["strokes", "edits", "influence"],
        help="strokes, edits, influence (comma list) or all; the others are kept from levels.json"
        " (none: only the removal study's latest result is merged in)",
    )
    level_report.set_defaults(run=cmd_levels_report)
    study = commands.add_parser(
        "influence-study",
        help="remove the top-k proponents of test images and retrain, against k random "
        "removals (slow: about 4 retrainings per test image)",
    )
    study.add_argument("--pair", choices=PAIRS, default="2Z")
    study.add_argument("--test-images", type=int, default=12)
    study.add_argument("-k", type=int, default=100)
    study.add_argument("--epochs", type=int, default=8)
    study.add_argument("--random-draws", type=int, default=3)
    study.add_argument("--image-seed", type=int, default=0, help="seed of the test images drawn")
    study.add_argument("--report", default=reports, help="folder for levels-influence.json")
    study.set_defaults(run=cmd_influence_study)

    for name, handler, text in (
        ("predict", cmd_predict, "predict image files"),
        ("explain", cmd_explain, "predict and explain image files"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument(
            "--pair",
            choices=(*PAIRS, "all8"),
            required=True,
            help="a pair, or all8 (the 8-character network)",
        )
        sub.add_argument(
            "--kind",
            choices=("dense", "cnn"),
            default="dense",
            help="dense (the thesis network) or cnn",
        )
        sub.add_argument("images", nargs="+", help="PNG / JPEG files (prepared like EMNIST)")
        if name == "explain":
            sub.add_argument("--mode", choices=("thesis", "target", "contrast"), default="target")
            sub.add_argument(
                "--contrast",
                help="contrast mode: the character argued against (needed for all8, e.g. S)",
            )
            sub.add_argument("--out", help="save the maps as .npy")
        sub.set_defaults(run=handler)
    return parser


def cmd_sweep_explain(args) -> int:
    """LRP sign, saturation-safe precision and IG completeness over the test sets."""
    from core.studies.explain_sweep import CHECKS, render, sweep

    unknown = [check for check in args.checks if check not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(unknown)}; choose from {', '.join(CHECKS)}")
    bar = ProgressBar(len(args.pair) * len(args.kind), "sweeping")
    done = [0]

    def progress(key):
        done[0] += 1
        bar.update(done[0], key)

    results = sweep(args.pair, args.kind, args.limit, args.checks, progress)
    bar.close()
    print(render(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


def cmd_evaluate(args) -> int:
    """The methods report: every method, floor and ModuleX variant scored by every metric."""
    from core.explain import METHODS
    from core.metrics import FLOORS, METRICS
    from core.studies.methods_report import (
        ABLATION,
        REPORT_CSV,
        REPORT_DIR,
        REPORT_JSON,
        REPORT_MARKDOWN,
        headline,
        network_key,
        run,
    )

    for chosen, known, what in (
        (args.methods, METHODS, "method"),
        (args.metrics, METRICS, "metric"),
    ):
        unknown = [m for m in chosen or [] if m not in known]
        if unknown:
            raise ValueError(
                f"unknown {what}(s) {', '.join(unknown)}; choose from {', '.join(known)}"
            )
    out = Path(args.out) if args.out else REPORT_DIR
    per_network = len(args.methods or METHODS) + len(FLOORS)
    steps = sum(per_network + (len(ABLATION) if kind == "dense" else 0) for kind in args.kind)
    bar = ProgressBar(len(args.pair) * steps, "evaluating")
    done = [0]

    def progress(pair, kind, method):
        done[0] += 1
        bar.update(done[0], f"{network_key(pair, kind)} {method}")

    report = run(
        args.pair,
        args.methods,
        args.limit,
        out,
        args.seed,
        progress,
        kinds=args.kind,
        metrics=args.metrics,
        cnn_limit=args.cnn_limit,
    )
    bar.close()
    for key in report["networks"]:
        print("\n".join(headline(report, key)))
    print(f"wrote {out / REPORT_MARKDOWN}, {REPORT_JSON} and {REPORT_CSV}")
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ProjectFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        from core.data.download import DownloadError

        if isinstance(error, (DownloadError, ValueError)):
            print(f"error: {error}", file=sys.stderr)
            return 2
        raise
