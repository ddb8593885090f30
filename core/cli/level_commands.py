"""The levels' commands: ``levels-artefacts`` (what the levels ship beside each network),
``levels-report`` (reports/levels.md) and ``influence-study`` (the removal study)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.cli.arguments import comma_list, kinds, model_names
from core.data.pairs import ALL_EIGHT, PAIRS
from core.models.networks import KINDS
from core.studies import REPORTS_DIR
from core.studies.levels_report import SECTIONS

REPORTS = str(REPORTS_DIR)


def write_levels(pair, kind, root=None, what=None, sets=None):
    """Write a network's levels artefacts (also run by ``train`` after saving a network)."""
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
            found = write_levels(pair, kind, Path(args.out) if args.out else None, args.what, sets)
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


def register(commands: argparse._SubParsersAction) -> None:
    levels = commands.add_parser(
        "levels-artefacts",
        help="what the levels ship beside each network (self-influence, concept vectors), "
        "from its weights and the dataset, with checksums in levels.json",
    )
    levels.add_argument(
        "--pair",
        type=lambda value: [*PAIRS, ALL_EIGHT] if value == "all" else model_names(value),
        default=[*PAIRS, ALL_EIGHT],
        help="pairs and/or all8, comma-separated, or all (default)",
    )
    levels.add_argument("--kind", type=kinds, default=list(KINDS), help="dense, cnn or both")
    levels.add_argument(
        "--what",
        type=lambda value: comma_list(
            value, ("influence", "concepts"), "artefact", "all", ("influence", "concepts")
        ),
        default=["influence", "concepts"],
        help="influence, concepts, or all (default)",
    )
    levels.add_argument("--out", help="folder of the networks (default: pretrained/)")
    levels.add_argument(
        "--report", default=REPORTS, help="folder for concepts.md and concepts.json ('' for none)"
    )
    levels.set_defaults(run=cmd_levels_artefacts)

    level_report = commands.add_parser(
        "levels-report",
        help="reports/levels.md: stroke values, flip edits beside the pixel counterfactual, "
        "training examples (needs the dataset)",
    )
    level_report.add_argument("--per-class", type=int, default=10, help="test images per class")
    level_report.add_argument("--report", default=REPORTS, help="folder for levels.md / .json")
    level_report.add_argument(
        "--sections",
        type=lambda value: (
            [] if value == "none" else comma_list(value, SECTIONS, "section", "all", SECTIONS)
        ),
        default=list(SECTIONS),
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
    study.add_argument("--report", default=REPORTS, help="folder for levels-influence.json")
    study.set_defaults(run=cmd_influence_study)
