"""``python -m core download``: fetch the official EMNIST archive and build the 8-character set."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli.progress import ProgressBar


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


def register(commands: argparse._SubParsersAction) -> None:
    download = commands.add_parser(
        "download", help="fetch the official EMNIST archive and build the 8-character set"
    )
    download.add_argument("--url", help="archive address (default: $EMNIST_URL or NIST's gzip.zip)")
    download.add_argument("--dest", help="data folder (default: $EMNIST_DIR or data/emnist)")
    download.add_argument(
        "--keep-archive", action="store_true", help="keep gzip.zip after building"
    )
    download.set_defaults(run=cmd_download)
