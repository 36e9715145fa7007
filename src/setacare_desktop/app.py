"""Composition root: read the command line and settings, then start the window or a command.

The window opens the database itself (after the QApplication exists) so that a refusal, such as a
database written by a newer program, is shown in a dialog rather than on a console nobody sees.

Everything after the arguments runs inside :func:`cli_boundary.guarded`: a command ends with a
Japanese message and exit code 0, 1, 2 or 130, never a traceback; a bug goes to the log file in
the data folder (``logs/setacare.log``), configured here before anything else runs.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from setacare_desktop import cli, cli_boundary, logs
from setacare_desktop.cli_input import argv_problem
from setacare_desktop.settings import Settings, private_folder


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    problem = argv_problem(arguments)
    if problem:
        cli_boundary.say(f"入力エラー: {problem}")
        return cli_boundary.EXIT_BAD_INPUT
    parser = cli.build_parser()
    args = parser.parse_args(arguments)
    return cli_boundary.guarded(args.command or "window", lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    settings = Settings.resolve(data_dir=args.data_dir, database=args.database)
    with contextlib.suppress(OSError):  # a folder that cannot be made is named when it is used
        private_folder(settings.data_dir)
    logs.configure(settings.data_dir)  # None when the folder cannot be made: go on without
    if args.command is None:
        from setacare_desktop.ui.application import run

        return run(settings)
    if args.command == "package" and args.package_command == "open":
        # The offline review: a window over the package alone, no database opened.
        from setacare_desktop.ui.review.offline import run_package

        return run_package(Path(args.file))
    return cli.dispatch(args, settings)
