"""Composition root: read the command line and settings, then start the window or a command.

The window opens the database itself (after the QApplication exists) so that a refusal, such as a
database written by a newer program, is shown in a dialog rather than on a console nobody sees.

Everything after the arguments runs inside :func:`cli_boundary.guarded`: a command ends with a
Japanese message and exit code 0, 1, 2 or 130, never a traceback; a bug goes to the log file in
the data folder (``logs/setacare.log``), configured here before anything else runs.

Start-up: with no command (the window), the arguments can only be ``--data-dir`` and
``--database``; they are read by :func:`window_arguments` without importing ``cli`` (which
registers every command and so imports reportlab, cryptography …). Anything else — a command,
``--help``, ``--version``, a mistake — goes through the full parser as before. Nothing imported
before the window's login dialog is shown loads the services or SQLAlchemy (``ui.application``:
the database is opened while the password is typed; ``tests/test_startup_imports.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from setacare_desktop import cli_boundary, logs
from setacare_desktop.domain.text import text_problem
from setacare_desktop.settings import Settings, password_in, private_folder


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    problem = argv_problem(arguments)
    if problem:
        cli_boundary.say(f"入力エラー: {problem}")
        return cli_boundary.EXIT_BAD_INPUT
    window = window_arguments(arguments)
    if window is not None:
        return cli_boundary.guarded("window", lambda: _run(window))
    from setacare_desktop import cli

    parser = cli.build_parser()
    args = parser.parse_args(arguments)
    return cli_boundary.guarded(args.command or "window", lambda: _run(args))


def argv_problem(argv: Sequence[str]) -> str | None:
    """The first argument that cannot be text: bytes that are not UTF-8, or a control character.

    Bytes that are not UTF-8 reach Python as lone surrogates (``surrogateescape``); written to a
    database or a terminal they fail deep inside a driver, so they are refused here, by position.
    """
    for position, arg in enumerate(argv, start=1):
        problem = text_problem(arg)
        if problem:
            shown = arg.encode("utf-8", "replace").decode("utf-8")
            return f"{position}番目の引数「{shown}」: {problem}"
    return None


#: Said when ``--database`` holds a password (the URL itself is never echoed).
PASSWORD_ON_COMMAND_LINE = (
    "警告: --database の URL にパスワードが含まれています。コマンドラインは同じPCの他の利用者にも"
    "見えます。パスワードは pgpass ファイル（利用者だけが読めるファイル）か環境変数 "
    "SETACARE_DATABASE_URL に置いてください（docs/deployment.md）。")


#: The options that may come without a command (``cli.build_parser``'s location options).
WINDOW_OPTIONS = ("--data-dir", "--database")


def window_arguments(arguments: Sequence[str]) -> argparse.Namespace | None:
    """The window's arguments when ``arguments`` name no command, else None (use ``cli``).

    Only ``--data-dir X`` / ``--data-dir=X`` / ``--database X`` / ``--database=X`` are read here;
    the last of each wins, as with argparse. A value starting with ``-`` is left to argparse.
    """
    values: dict[str, str | None] = {"data_dir": None, "database": None}
    index = 0
    while index < len(arguments):
        name, equals, value = arguments[index].partition("=")
        if name not in WINDOW_OPTIONS:
            return None
        if not equals:
            index += 1
            if index == len(arguments) or arguments[index].startswith("-"):
                return None
            value = arguments[index]
        values[name[2:].replace("-", "_")] = value
        index += 1
    return argparse.Namespace(command=None, **values)


def _run(args: argparse.Namespace) -> int:
    if args.database and password_in(args.database):
        cli_boundary.say(PASSWORD_ON_COMMAND_LINE)
    settings = Settings.resolve(data_dir=args.data_dir, database=args.database)
    with contextlib.suppress(OSError):  # a folder that cannot be made is named when it is used
        private_folder(settings.data_dir)
    logs.configure(settings.data_dir)  # None when the folder cannot be made: go on without
    if args.command is None:
        from setacare_desktop.store.sqlite_probe import StaffOnFile, staff_on_file
        from setacare_desktop.ui import startup_report
        from setacare_desktop.ui.application import run

        startup_report.phase("imports")
        staff = staff_on_file(settings.database_url)
        startup_report.phase("probe")
        return run(settings, login_first=staff is StaffOnFile.PRESENT)
    from setacare_desktop import cli

    if args.command == "package" and args.package_command == "open":
        # The offline review: a window over the package alone, no database opened.
        from setacare_desktop.ui.review.offline import run_package

        return run_package(Path(args.file))
    return cli.dispatch(args, settings)
