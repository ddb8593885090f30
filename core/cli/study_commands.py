"""The offline studies behind the reports: ``evaluate`` (the methods report), ``bias-share``,
``confidence-report``, ``sweep-explain`` and ``calibrate-unlikely``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.cli.arguments import (
    PAIRS_AND_EIGHT,
    add_pair_and_kind,
    kinds,
    model_names,
    names,
    pairs,
    print_json,
)
from core.cli.progress import ProgressBar
from core.data.pairs import PAIRS
from core.models.networks import KINDS, THESIS_KIND, network_key
from core.studies import REPORTS_DIR


def cmd_evaluate(args) -> int:
    """The methods report: every method, floor and ModuleX variant scored by every metric."""
    from core.explain import ABLATION, FLOORS, METHODS
    from core.metrics import METRICS
    from core.studies.methods_report.markdown import headline
    from core.studies.methods_report.run import run
    from core.studies.methods_report.stored import (
        REPORT_CSV,
        REPORT_DIR,
        REPORT_JSON,
        REPORT_MARKDOWN,
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
    steps = sum(per_network + (len(ABLATION) if kind == THESIS_KIND else 0) for kind in args.kind)
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


def cmd_bias_share(args) -> int:
    from core.data.dataset import load_pair
    from core.models.loading import load_pretrained
    from core.studies.bias_share import bias_share

    report = {
        pair: bias_share(load_pretrained(pair), load_pair(pair, "test")[0]) for pair in args.pair
    }
    print_json(report)
    return 0


def cmd_confidence_report(args) -> int:
    """How far the explanation confidence says to trust a map: reports/confidence.md, .json."""
    from core.studies.confidence_study import markdown, run, write

    networks = [(pair, kind) for pair in args.pair for kind in args.kind]
    options = {"resamples": args.resamples, "byclass_images": args.byclass_images}
    modes = list(args.mode)
    report = run(
        networks, modes, progress=lambda message: print(message, file=sys.stderr), **options
    )
    if args.report:
        for path in write(report, Path(args.report)):
            print(f"wrote {path}", file=sys.stderr)
    print(markdown(report))
    return 0


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


def cmd_calibrate_unlikely(args) -> int:
    from core.models.networks import SHIPPED
    from core.studies.unlikely_study import markdown, run, write

    chosen = set(args.pair)
    networks = [(name, kind) for name, kind in SHIPPED if name in chosen and kind in args.kind]
    results = run(
        byclass_limit=args.byclass_limit,
        generated_per_kind=args.generated,
        drawn_per_shape=args.drawn,
        networks=networks,
        root=Path(args.out) if args.out else None,
        progress=lambda message: print(message, file=sys.stderr),
    )
    if args.report:
        for path in write(results, Path(args.report)):
            print(f"wrote {path}", file=sys.stderr)
    print(markdown(results))
    return 0


def _comma_separated(value: str) -> list[str]:
    return value.split(",")


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "evaluate",
        help="score every explanation method, floor and ModuleX variant by every metric; "
        "write the report",
    )
    report.add_argument(
        "--pair", type=pairs, default=list(PAIRS), help="2Z, 5S, 8B, 0O, a comma list, or all"
    )
    report.add_argument("--kind", type=kinds, default=[THESIS_KIND], help="dense, cnn, or both")
    report.add_argument("--methods", type=names, help="comma list of methods (default: all)")
    report.add_argument("--metrics", type=names, help="comma list of metrics (default: all)")
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
    share.add_argument("--pair", type=pairs, default=list(PAIRS))
    share.set_defaults(run=cmd_bias_share)

    confidence = commands.add_parser(
        "confidence-report",
        help="does the explanation confidence tell right from wrong answers and characters from "
        "non-characters? (test sets, ByClass, generated and drawn inputs; AUROC with intervals)",
    )
    add_pair_and_kind(confidence)
    confidence.add_argument(
        "--mode",
        type=_comma_separated,
        default=["target", "contrast"],
        help="explanation modes, comma-separated: thesis, target, contrast (default: the last two)",
    )
    confidence.add_argument(
        "--resamples", type=int, default=1000, help="bootstrap resamples per AUROC"
    )
    confidence.add_argument(
        "--byclass-images",
        type=int,
        default=1000,
        help="other characters taken from the ByClass evaluation half (seeded)",
    )
    confidence.add_argument(
        "--report",
        default=str(REPORTS_DIR),
        help="folder for confidence.md and confidence.json ('' for none)",
    )
    confidence.set_defaults(run=cmd_confidence_report)

    sweep = commands.add_parser(
        "sweep-explain",
        help="check LRP's sign, probability-map precision and IG completeness over test sets",
    )
    sweep.add_argument("--pair", type=pairs, default=list(PAIRS), help="pairs (default all)")
    sweep.add_argument(
        "--kind",
        type=kinds,
        default=list(KINDS),
        help="network kinds, comma-separated, or both (default)",
    )
    sweep.add_argument("--limit", type=int, help="only the first N test images of each pair")
    sweep.add_argument(
        "--checks",
        type=_comma_separated,
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
        type=lambda value: list(PAIRS_AND_EIGHT) if value == "all" else model_names(value),
        default=list(PAIRS_AND_EIGHT),
        help="pairs and/or all8, comma-separated, or all (default)",
    )
    unlikely.add_argument("--kind", type=kinds, default=list(KINDS), help="dense, cnn or both")
    unlikely.add_argument(
        "--byclass-limit",
        type=int,
        default=None,
        help="images per ByClass half (default: all; small values for a quick run)",
    )
    unlikely.add_argument(
        "--generated", type=int, default=200, help="generated non-characters per kind"
    )
    unlikely.add_argument(
        "--drawn",
        type=int,
        default=150,
        help="drawn shapes per shape and seed (characters and look-alikes, canvas path)",
    )
    unlikely.add_argument("--out", help="folder of the networks (default: pretrained/)")
    unlikely.add_argument(
        "--report",
        default=str(REPORTS_DIR),
        help="folder for unlikely.md and unlikely.json ('' for none)",
    )
    unlikely.set_defaults(run=cmd_calibrate_unlikely)
