"""``python -m bench``: benchmarks of the core engine and the dashboard -> bench/results.md.

``python -m bench``               everything but the load test (a few minutes)
``python -m bench --quick``       a tiny configuration (the smoke test runs this)
``python -m bench load``          the load test: 20/40/60 protocol sessions on one server and on two
                                  replicas behind nginx, validated against 5 Chromium sessions; a
                                  class of 60 with one Chromium drawing; one hostile session
                                  flooding the class (bench/hostile.py)
``python -m bench uploads``       time and memory of every hostile upload (also part of ``all``)
``python -m bench gallery``       the mistakes gallery's filter change (needs the dataset)
``python -m bench live``          the live drawing component in Chromium (also part of ``all``)
``python -m bench live-engine``   the browser engine's per-frame compute in Chromium
``python -m bench levels``        the four levels after a pen lift (strokes, the edit, concepts,
                                  training examples), in core
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "what",
        nargs="?",
        choices=("all", "load", "uploads", "gallery", "live", "live-engine", "levels"),
        default="all",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny configuration: fewer calls, no training, 3 strokes",
    )
    parser.add_argument(
        "--skip-browser", action="store_true", help="leave out the Chromium measurements"
    )
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument(
        "--sessions",
        default="20,40,60",
        help="load test: the levels of concurrent sessions, comma-separated",
    )
    parser.add_argument(
        "--skip-replicas", action="store_true", help="load test: leave out the nginx replicas"
    )
    parser.add_argument(
        "--hostile",
        default="all",
        help="load test: the floods to measure (bench/hostile.py kinds, comma-separated; "
        "'none' leaves them out)",
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="load test: classroom rounds with one Chromium"
    )
    parser.add_argument("--out", help="write results.json / results.md here instead of bench/")
    args = parser.parse_args(argv)

    from bench import report

    if args.out:
        report.RESULTS_JSON = Path(args.out) / "results.json"
        report.RESULTS_MD = Path(args.out) / "results.md"
    results = report.load()
    results["machine"] = report.machine()
    if args.what == "uploads" or (args.what == "all" and not args.quick):
        from bench import uploads

        results["uploads"] = uploads.run()
    if args.what == "load":
        from bench import load

        kinds = {"all": None, "none": ()}.get(args.hostile, tuple(args.hostile.split(",")))
        results["load"] = load.run(
            levels=[int(level) for level in args.sessions.split(",")],
            replicas=not args.skip_replicas,
            browsers=not args.skip_browser,
            hostile_kinds=kinds,
            rounds=args.rounds,
        )
    elif args.what == "live":
        from bench import live

        results["live"] = live.run(strokes=3 if args.quick else 12)
    elif args.what == "live-engine":
        from bench import live_engine

        results["live_engine"] = live_engine.run(frames=60 if args.quick else live_engine.FRAMES)
    elif args.what == "levels":
        from bench import levels

        results["levels"] = levels.run(quick=args.quick)
    elif args.what == "gallery":
        from bench import gallery

        results["gallery"] = gallery.run()
    elif args.what == "all":
        from bench import micro

        results["micro"] = micro.run(
            quick=args.quick, training=not (args.skip_training or args.quick)
        )
        if not args.skip_browser:
            from bench import dashboard

            results["dashboard"] = dashboard.run(strokes=3 if args.quick else 20)
            from bench import live

            results["live"] = live.run(strokes=3 if args.quick else 12)
    report.save(results)
    print(f"wrote {report.RESULTS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
