"""The start-up benchmark's switch: the real program reports its phases and quits when shown.

With ``SETACARE_STARTUP_REPORT=1`` in the environment (``bench/startup_login.py`` sets it), the
window prints ``PHASE <name> <seconds>`` lines on standard output as start-up goes on, ``SHOWN``
(or ``SHOWN first-admin``) once its first dialog is exposed and painted, and ``CPU <seconds>``
(the process's CPU time until then), then, once the database
is open, ``PHASE database-after-shown <seconds>`` and ``READY``, and quits with exit code 0 (1 when
the database could not be opened). Without the variable nothing is printed and nothing changes.

Standard library only: ``entry`` imports it first, so that its clock starts with the program.
"""

from __future__ import annotations

import os
import sys
import time

ENV_STARTUP_REPORT = "SETACARE_STARTUP_REPORT"

_last = time.perf_counter()


def enabled() -> bool:
    return os.environ.get(ENV_STARTUP_REPORT) == "1"


def phase(name: str) -> None:
    """Report the time since the previous phase (or since the program started)."""
    global _last
    now = time.perf_counter()
    if enabled():
        say(f"PHASE {name} {now - _last:.4f}")
    _last = now


def shown(what: str) -> None:
    """Report the first dialog on screen, and the CPU time the process has used until then (all
    its threads; a steadier figure than the wall-clock time on a busy machine)."""
    say(what)
    say(f"CPU {time.process_time():.4f}")


def say(line: str) -> None:
    if enabled() and sys.stdout is not None:
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except (OSError, ValueError):  # the reader went away: the window goes on regardless
            pass
