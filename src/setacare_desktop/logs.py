"""The program's log: a rotating file in the data folder, with no personal data in it.

What goes in: the time, the program's own messages (which never format a person's data), and for
an unexpected error its *type* and the stack of file/line/function names. What never goes in: an
exception's message (a driver error can quote a value; a ``ValueError`` can quote what was typed),
SQL parameters, or local variables. :func:`log_unexpected` is the one way to record a bug.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import traceback
from pathlib import Path

LOG_FILE = "setacare.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("setacare_desktop")
_path: Path | None = None


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file (the current one and each new one after a rollover) is
    created readable by its owner only, whatever the process's umask."""

    def _open(self):  # type: ignore[no-untyped-def]  # logging's own signature is untyped
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if os.name == "posix":
            os.fchmod(fd, 0o600)  # a file left by an older version, created world-readable
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def configure(data_dir: Path) -> Path | None:
    """Log to ``<data_dir>/logs/setacare.log`` (rotated, owner-only); None if it cannot be made.

    The folder is 0700 and every log file 0600 on POSIX, including a folder and files that an
    older version left readable by others. A log that cannot be written never stops the
    program: the caller goes on without one.
    """
    global _path
    folder = data_dir / "logs"
    path = folder / LOG_FILE
    if _path == path:
        return path
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name == "posix":
            os.chmod(folder, 0o700)
            for old in folder.glob(f"{LOG_FILE}.*"):
                if not old.is_symlink():
                    os.chmod(old, 0o600)
        handler = _PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=False)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger("setacare_desktop")
    for old in [h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
    _path = path
    return path


def log_path() -> Path | None:
    """The log file in use, to tell the user where to look (None when there is none)."""
    return _path


def describe(error: BaseException) -> str:
    """The error's type chain and stack, without any message text (which may hold personal data)."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        lines.append(f"{kind.__module__}.{kind.__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
        if current is not None:
            lines.append("caused by:")
    return "\n".join(lines)


def log_unexpected(where: str, error: BaseException) -> None:
    """Record a bug (an exception outside the ServiceError family) for the support staff."""
    log.error("unexpected error in %s\n%s", where, describe(error))
