"""The networks' commands: ``train`` (the thesis' fit), ``evaluate-model`` (its evaluate),
``global-maps``, ``map-scales``, ``confidence-bands`` and ``export-weights`` (the files shipped
beside each network)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli.arguments import (
    PAIRS_AND_EIGHT,
    add_pair_and_kind,
    kinds,
    model_names,
    pairs_or_eight,
    print_json,
)
from core.cli.progress import ProgressBar
from core.data.pairs import PAIRS
from core.models.networks import KINDS, THESIS_KIND, network_key


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
            label = network_key(pair, kind)
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
                from core.cli.level_commands import write_levels

                write_levels(pair, kind, Path(args.out) if args.out else None)
    print_json(summary)
    return 0


def _write_global_maps(pair, model, k, root=None, kind=THESIS_KIND):
    from core.aggregates import write_maps

    for path in write_maps(pair, model, k=k, kind=kind, root=root):
        print(f"wrote {path}", file=sys.stderr)


def cmd_global_maps(args) -> int:
    from core.models.loading import load_pretrained

    for pair in args.pair:
        for kind in args.kind:
            _write_global_maps(pair, load_pretrained(pair, kind), args.k, kind=kind)
    return 0


def cmd_map_scales(args) -> int:
    from core.data.dataset import sha256_of
    from core.insight.map_scales import compute_map_scales, reference_drawings, save_map_scales
    from core.models.loading import load_network
    from core.models.networks import characters_of
    from core.models.paths import model_dir

    for name in args.pair:
        drawings = reference_drawings(characters_of(name))
        for kind in args.kind:
            scales = compute_map_scales(load_network(name, kind), drawings)
            folder = model_dir(name, kind)
            info = {
                "network": name,
                "kind": kind,
                "weights_sha256": sha256_of(folder / "weights.bin"),
            }
            path = save_map_scales(scales, folder, info)
            print(f"wrote {path}: {scales['limits']}", file=sys.stderr)
    return 0


def cmd_confidence_bands(args) -> int:
    from core.aggregates import shipped_contrast_grid, shipped_maps
    from core.data.dataset import sha256_of
    from core.data.pairs import ALL_EIGHT
    from core.insight.confidence_band import compute_bands, save_bands
    from core.insight.map_scales import SEED, VARIANTS, reference_drawings
    from core.models.loading import load_network
    from core.models.networks import characters_of
    from core.models.paths import model_dir

    for name in args.pair:
        characters = characters_of(name)
        drawings = reference_drawings(characters)
        for kind in args.kind:
            folder = model_dir(name, kind)
            grid = shipped_contrast_grid(kind) if name == ALL_EIGHT else None
            bands = compute_bands(
                load_network(name, kind), drawings, characters, shipped_maps(name, kind), grid
            )
            info = {
                "network": name,
                "kind": kind,
                "source": f"the shipped examples, {VARIANTS} seeded variations each (seed {SEED})",
                "weights_sha256": sha256_of(folder / "weights.bin"),
                "global_maps_sha256": sha256_of(folder / "global_maps.npz"),
            }
            path = save_bands(bands, folder, info)
            print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_export_weights(args) -> int:
    from core.models.paths import MODEL_FILE, model_dir, pretrained_root
    from core.models.saving import export_weights

    root = Path(args.root) if args.root else None
    for pair in args.pair:
        for kind in args.kind:
            if not (model_dir(pair, kind, root) / MODEL_FILE).is_file() and args.skip_missing:
                continue
            folder = export_weights(pair, kind, root)
            print(
                f"wrote {folder.relative_to(root or pretrained_root())}/weights.json, .bin",
                file=sys.stderr,
            )
    return 0


def cmd_evaluate_model(args) -> int:
    from core.data import labelled
    from core.models.loading import load_pretrained
    from core.models.scores import evaluate

    report = {}
    for pair in args.pair:
        split = labelled.load(pair, args.split)
        for kind in args.kind:
            scores = evaluate(load_pretrained(pair, kind), split.images, split.labels)
            report[network_key(pair, kind)] = {
                key: scores[key]
                for key in ("n", "loss", "accuracy", "balanced_accuracy", "confusion")
            }
    print_json(report)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser(
        "train", help="train the thesis network of a pair (the thesis' fit)"
    )
    train.add_argument(
        "--pair",
        type=model_names,
        help=(
            "2Z, 5S, 8B, 0O, all8 (one network for the eight characters), balanced, a comma list, "
            "or all (the four pairs; default)"
        ),
    )
    train.add_argument(
        "--kind",
        type=kinds,
        default=[THESIS_KIND],
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
    add_pair_and_kind(maps)
    maps.add_argument("--k", type=int, default=400)
    maps.set_defaults(run=cmd_global_maps)

    scales = commands.add_parser(
        "map-scales",
        help="measure each network's fixed colour scale on varied example drawings",
    )
    add_pair_and_kind(scales)
    scales.set_defaults(run=cmd_map_scales)

    bands = commands.add_parser(
        "confidence-bands",
        help="measure each network's typical map stability and agreement on varied example "
        "drawings (the draw page's reference band; no dataset needed)",
    )
    add_pair_and_kind(bands)
    bands.set_defaults(run=cmd_confidence_bands)

    export = commands.add_parser(
        "export-weights",
        help="write the plain-array weights export (weights.json, weights.bin) of the shipped "
        "models, for the browser engine; record its checksums in their metadata",
    )
    export.add_argument(
        "--pair",
        type=pairs_or_eight,
        default=list(PAIRS_AND_EIGHT),
        help="pairs, all8, a comma list, or all (default: the four pairs and all8)",
    )
    export.add_argument(
        "--kind", type=kinds, default=list(KINDS), help="dense, cnn, a comma list, or both"
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
    add_pair_and_kind(evaluate)
    evaluate.add_argument("--split", choices=("train", "test"), default="test")
    evaluate.set_defaults(run=cmd_evaluate_model)
