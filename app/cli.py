"""The `livefit` / `python -m app` command line: a thin front end over the pipeline.

Without a sub-command it opens the desktop app (options from `app.gui.launch`). Each sub-command
lives in the module that owns its area and registers itself here with `add_subparser(subparsers)`;
its parser's `func(args) -> int` does the work. `LiveFitError`s become one line on stderr and exit
code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from app import __version__
from app.errors import LiveFitError
from app.logging_setup import configure_cli_logging

log = logging.getLogger(__name__)

EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    # Imported here so `livefit --help` stays fast and each area owns its own options.
    from app import bench_cli, evaluate_cli, run_cli
    from app.garments import cli as garments_cli

    from app.gui import launch

    parser = argparse.ArgumentParser(prog="livefit", description="LiveFit virtual try-on mirror. "
                                     "Without a command, opens the mirror window.")
    parser.add_argument("--version", action="version", version=f"livefit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    launch.add_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run_cli.add_subparser(sub)
    bench_cli.add_subparser(sub)
    garments_cli.add_subparser(sub)
    evaluate_cli.add_subparser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_cli_logging(verbose=args.verbose)
    if not getattr(args, "func", None):
        from app.gui import launch

        args.func = launch.run_gui
    try:
        return int(args.func(args))
    except LiveFitError as error:
        sys.stderr.write(f"livefit: error: {error}\n")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("livefit: interrupted\n")
        return 130
