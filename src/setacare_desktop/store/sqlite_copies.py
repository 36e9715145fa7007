"""SQLite copies made on request (``setacare backup`` / ``setacare restore``): SQLite-only code.

Kept apart from :mod:`setacare_desktop.store.sqlite` (the pragmas, the pre-migration backup) only
so that the two can change independently; the rule of that module holds here too: SQLite-specific
SQL lives in ``store/``, never in a service. Copies go through SQLite's online backup API, which
gives a consistent snapshot while another program (the window) reads and writes the file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from setacare_desktop.store.sqlite import BUSY_TIMEOUT_MS, fsync_folder

#: Tables every SetaCare Desktop database has had since its first revision.
OUR_TABLES = frozenset({"alembic_version", "audit_event", "staff", "consultation"})
PRIVATE = 0o600


@dataclass(frozen=True, slots=True)
class CopyFacts:
    """What a copy holds, read without changing it."""

    integrity: str  # "ok", or SQLite's first complaint
    tables: frozenset[str]
    revision: str | None

    @property
    def ours(self) -> bool:
        return self.tables >= OUR_TABLES


def _query_only(path: Path) -> sqlite3.Connection:
    # Not ``mode=ro``: a read-only connection to a file in WAL mode leaves -wal/-shm files behind.
    # The files read here are our own copies (never the user's backup file itself).
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.execute("PRAGMA query_only = 1")
    return connection


def inspect_copy(path: Path) -> CopyFacts:
    """Integrity, tables and schema revision of the database file ``path`` (read only).

    Raises ``sqlite3.Error`` (``store.errors.translate`` makes it Japanese) when the file
    cannot be read as a database at all.
    """
    connection = _query_only(path)
    try:
        integrity = connection.execute("PRAGMA integrity_check(1)").fetchone()[0]
        tables = frozenset(row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    finally:
        connection.close()
    return CopyFacts(str(integrity), tables, revision)


def row_count(path: Path, table: str) -> int:
    """Rows of ``table`` (one of :data:`OUR_TABLES`) in the file, read only."""
    if table not in OUR_TABLES:
        raise ValueError(table)
    connection = _query_only(path)
    try:
        return int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    finally:
        connection.close()


def copy_private(source: Path, target: Path) -> None:
    """Online-backup ``source`` into ``target`` (readable by the owner only), whole or nothing.

    Written as ``<target>.part``, fsynced, then renamed; any failure removes the part.
    """
    partial = target.with_name(target.name + ".part")
    try:
        partial.unlink(missing_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
        os.close(fd)
        _backup(source, partial)
        make_standalone(partial)
        os.replace(partial, target)
        fsync_folder(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise


def restore_into(source: Path, live: Path) -> None:
    """Replace the contents of the live database ``live`` with ``source``, page by page.

    The online backup API writes through SQLite's own locking: another program with the file
    open waits on the lock, then reads the restored pages (it is never left writing to a file
    that was swapped under it, as a rename would).
    """
    _backup(source, live)


def _backup(source: Path, target: Path) -> None:
    origin = _query_only(source)
    try:
        dest = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            origin.backup(dest)
        finally:
            dest.close()
    finally:
        origin.close()
    with open(target, "rb+") as copy:
        os.fsync(copy.fileno())


def make_standalone(path: Path) -> None:
    """Switch a copy out of WAL mode: one self-contained file, readable by the owner only."""
    os.chmod(path, PRIVATE)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute("PRAGMA journal_mode = DELETE").fetchone()
    finally:
        connection.close()
    with open(path, "rb+") as copy:
        os.fsync(copy.fileno())
