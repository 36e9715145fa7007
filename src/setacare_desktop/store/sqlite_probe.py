"""Before SQLAlchemy is loaded: does the embedded SQLite database already have staff?

The window shows its login dialog before SQLAlchemy and the services are imported, and opens the
database while the password is typed (``ui.application``). Choosing between the login dialog and
the first administrator's dialog needs to know whether anyone is registered: for the embedded
SQLite file this is one query with the standard library's ``sqlite3``, read-only (``mode=ro``, the
file is never created or changed). Only a clear "yes" lets the login come first; anything else
(PostgreSQL, no file yet, no staff table, a locked or damaged file) keeps the safe order: open and
check the database, then decide with ``services.staff.needs_first_administrator``. The composition
root (``app``) asks, the window is told.

Standard library only (``tests/test_startup_imports.py``); the package's ``__init__`` is lazy.
"""

from __future__ import annotations

import contextlib
import sqlite3
from enum import Enum
from pathlib import Path

#: The only URL form read here: the one ``settings.database_url`` builds for a file.
SQLITE_PREFIX = "sqlite:///"
#: A database locked by another writer is not waited for: the safe order handles it.
LOCK_WAIT_SECONDS = 0.2


class StaffOnFile(Enum):
    PRESENT = "present"  # staff rows found: the login dialog can come first
    ABSENT = "absent"  # no file, or a file without staff: the first administrator is next
    UNKNOWN = "unknown"  # not an embedded file, or it could not be read cheaply


def sqlite_path(database_url: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URL (no driver, no query), else None."""
    if not database_url.startswith(SQLITE_PREFIX) or "?" in database_url:
        return None
    path = database_url.removeprefix(SQLITE_PREFIX)
    if not path or path == ":memory:":
        return None
    return Path(path).resolve()


def staff_on_file(database_url: str) -> StaffOnFile:
    """Whether the SQLite database at ``database_url`` has staff, read without writing."""
    path = sqlite_path(database_url)
    if path is None:
        return StaffOnFile.UNKNOWN
    if not path.exists():
        return StaffOnFile.ABSENT
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True,
                                     timeout=LOCK_WAIT_SECONDS)
        with contextlib.closing(connection):
            has_table = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'staff'").fetchone()
            if has_table is None:
                return StaffOnFile.ABSENT
            row = connection.execute("SELECT EXISTS (SELECT 1 FROM staff)").fetchone()
    except (sqlite3.Error, OSError, ValueError):
        return StaffOnFile.UNKNOWN
    return StaffOnFile.PRESENT if row and row[0] else StaffOnFile.ABSENT
