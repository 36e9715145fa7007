"""A database one migration behind, its data kept, for tests of the upgrade path (the backup
before a migration needs a file with real data; ``previous_release.py`` makes an empty one at
schema 0007 instead, to run every later migration for real).

"One revision behind" is the head schema with ``alembic_version`` set back one step, after
:func:`undo_after` has removed what the migrations after that step added (each migration that
adds tables or columns registers its undo in ``_UNDO``; 0014 only recomputes stored keys, so it
needs none). A test that rewinds further calls :func:`undo_after` itself.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory


def revision_before(revision: str | None = None) -> str:
    """The revision a migration (default: the newest) follows."""
    with importlib.resources.as_file(
            importlib.resources.files("setacare_desktop.migrations")) as location:
        scripts = ScriptDirectory(str(location))
        script = scripts.get_revision(revision or scripts.get_current_head())
        assert script is not None and isinstance(script.down_revision, str)
        return script.down_revision


def previous_revision() -> str:
    return revision_before()


def _undo_0016(connection: sa.Connection) -> None:
    """Migration 0016 (printed forms): its table and columns."""
    connection.exec_driver_sql("DROP TABLE print_form")
    for table, columns in (
            ("organisation", ("sender_address", "sender_phone", "sender_fax", "sender_contact")),
            ("referral", ("request_items",)),
            ("consent_record", ("form_signed", "form_signed_on"))):
        for column in columns:
            connection.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")


_UNDO = {"0016": _undo_0016}


def undo_after(connection: sa.Connection, revision: str) -> None:
    """Remove from a head SQLite database what the migrations after ``revision`` added, newest
    first, so that setting ``alembic_version`` to ``revision`` makes them run again for real."""
    with importlib.resources.as_file(
            importlib.resources.files("setacare_desktop.migrations")) as location:
        scripts = ScriptDirectory(str(location))
        for script in scripts.walk_revisions("base", "heads"):
            if script.revision == revision:
                return
            undo = _UNDO.get(script.revision)
            if undo is not None:
                undo(connection)


def one_revision_behind(path: Path) -> Path:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        undo_after(connection, previous_revision())
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :v"),
                           {"v": previous_revision()})
    engine.dispose()
    return path
