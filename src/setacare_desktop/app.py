"""Composition root: read the command line and settings, then start the window or a command.

The window opens the database itself (after the QApplication exists) so that a refusal, such as a
database written by a newer program, is shown in a dialog rather than on a console nobody sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from setacare_desktop import cli
from setacare_desktop.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = cli.build_parser()
    args = parser.parse_args(argv)
    settings = Settings.resolve(data_dir=args.data_dir, database=args.database)
    if args.command is None:
        from setacare_desktop.ui.application import run

        return run(settings)
    if args.command == "package" and args.package_command == "open":
        # The offline review: a window over the package alone, no database opened.
        from setacare_desktop.ui.review.offline import run_package

        return run_package(Path(args.file))
    return cli.dispatch(args, settings)
