"""The program's entry point (``setacare``, ``python -m setacare_desktop``).

It imports nothing heavy itself, so that a Ctrl-C pressed while the program is still loading
(the first half second: Qt, SQLAlchemy, the commands) ends with 「中断しました。」 and exit 130,
like a Ctrl-C later on, instead of a Python traceback.

The process's umask is 077 from the start (POSIX): every file and folder it creates — the
database and SQLite's ``-wal``/``-shm``, backups, logs, exports — is its owner's only, even where
a module forgets to say so (those that write files also set 0600 themselves).
"""

from __future__ import annotations

import contextlib
import os
import sys

EXIT_INTERRUPTED = 130


#: A Ctrl-C that Python could not raise where it landed (``_keep_interrupt``).
_lost_interrupts: list[KeyboardInterrupt] = []


def _keep_interrupt(unraisable: sys.UnraisableHookArgs) -> None:
    """A Ctrl-C that lands in a callback Python cannot raise from (importlib's module-lock
    weakref callback, while the program is still importing) would be printed as 「Exception
    ignored in …」 with a traceback, and lost. Keep it instead: ``main`` raises it once the
    imports are done, so it ends the program like any Ctrl-C. Anything else goes to Python's
    own hook."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        _lost_interrupts.append(unraisable.exc_value)
        return
    sys.__unraisablehook__(unraisable)


def main() -> int:
    from setacare_desktop.ui import startup_report  # noqa: F401 (its clock starts here)

    sys.unraisablehook = _keep_interrupt
    if os.name == "posix":
        os.umask(0o077)
    try:
        from setacare_desktop.app import main as run

        if _lost_interrupts:
            raise _lost_interrupts[0]
        return run()
    except KeyboardInterrupt:
        with contextlib.suppress(OSError, ValueError):  # no terminal left to write to
            sys.stderr.write("中断しました。\n")
        return EXIT_INTERRUPTED
