"""A small real file system for full-disk tests: a tmpfs of a given size, mounted in a test's
temporary folder and unmounted afterwards.

Mounting needs root, which CI has. Without root a test skips, except under ``CI=true``, where it
must run (a failed mount is then an error, not a skip).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _may_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@contextmanager
def small_disk(folder: Path, size_bytes: int) -> Iterator[Path]:
    """``folder`` as a tmpfs of ``size_bytes`` (rounded up to pages by the kernel)."""
    if not _may_mount() and os.environ.get("CI") != "true":
        pytest.skip("mounting a tmpfs needs root (CI runs as root, where this test always runs)")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes},mode=0777", "tmpfs",
                    str(folder)], check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


@contextmanager
def read_only_folder(folder: Path) -> Iterator[Path]:
    """A folder nobody may write into: a read-only tmpfs as root (root ignores permissions),
    otherwise a folder without write permission."""
    folder.mkdir(parents=True, exist_ok=True)
    if not _may_mount():
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
                   check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


def fill(folder: Path, leave_bytes: int = 0) -> None:
    """Fill the file system of ``folder`` until at most ``leave_bytes`` are free."""
    filler = folder / "filler.bin"
    chunk = b"\0" * 65536
    with open(filler, "ab") as out:
        while True:
            free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
            if free <= leave_bytes:
                break
            try:
                out.write(chunk[: max(1, min(len(chunk), free - leave_bytes))])
                out.flush()
            except OSError:
                break
