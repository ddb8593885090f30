"""``python -m core``: one parser, each command group adding its own commands (``register``).

Groups: :mod:`.data_commands` (download), :mod:`.network_commands` (train, evaluate-model,
global-maps, export-weights), :mod:`.image_commands` (predict, explain) and
:mod:`.study_commands` (evaluate, bias-share, confidence-report, sweep-explain,
calibrate-unlikely). A command's work lives in ``core``; its module only parses and prints.
"""

from __future__ import annotations

import argparse
import sys

from core.cli import data_commands, image_commands, network_commands, study_commands
from core.errors import ProjectFileError

GROUPS = (data_commands, network_commands, image_commands, study_commands)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="ModuleX core engine")
    commands = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.register(commands)
    return parser


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
