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
from setacare_desktop.settings import Settings, password_in, private_folder


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    problem = argv_problem(arguments)
    if problem:
        cli_boundary.say(f"入力エラー: {problem}")
        return cli_boundary.EXIT_BAD_INPUT
    parser = cli.build_parser()
    args = parser.parse_args(arguments)
    return cli_boundary.guarded(args.command or "window", lambda: _run(args))


#: Said when ``--database`` holds a password (the URL itself is never echoed).
PASSWORD_ON_COMMAND_LINE = (
    "警告: --database の URL にパスワードが含まれています。コマンドラインは同じPCの他の利用者にも"
    "見えます。パスワードは pgpass ファイル（利用者だけが読めるファイル）か環境変数 "
    "SETACARE_DATABASE_URL に置いてください（docs/deployment.md）。")


def _run(args: argparse.Namespace) -> int:
    if args.database and password_in(args.database):
        cli_boundary.say(PASSWORD_ON_COMMAND_LINE)
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
