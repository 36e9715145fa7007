"""Writing a file the user asked for (a PDF, an export, a day package) whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write the whole file or leave the old one: a ``.part`` file, flushed, then renamed.

    A half-written PDF or package must never be left behind under the real name (a crash, a full
    disk, a USB stick pulled out).
    """
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        # A printout or package left half-written beside the real name is personal data lying
        # around: remove it, then let the caller report the failure.
        partial.unlink(missing_ok=True)
        raise
    if os.name == "posix":  # the rename itself survives a power cut once the folder is synced
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
