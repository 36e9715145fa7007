"""A database one migration behind, its data kept, for tests of the upgrade path (the backup
before a migration needs a file with real data; ``previous_release.py`` makes an empty one at
schema 0007 instead, to run every later migration for real).

"One revision behind" is the head schema with ``alembic_version`` set back one step, after
:func:`undo_after` has removed what the migrations after that step added: the tables, columns
and indexes a scratch database migrated to that step does not have (found by migrating one, so
no migration has to register its own undo, which broke with every new migration). A migration
that only recomputes data (0014) leaves nothing to remove. A test that rewinds further calls
:func:`undo_after` itself.
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
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


@functools.cache
def _schema_at(revision: str) -> dict[str, frozenset[str]]:
    """Table → columns of a database migrated to ``revision`` (a scratch in-memory SQLite)."""
    engine = sa.create_engine("sqlite://")
    with importlib.resources.as_file(
            importlib.resources.files("setacare_desktop.migrations")) as location, \
            engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(location))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        inspector = sa.inspect(connection)
        schema = {table: frozenset(c["name"] for c in inspector.get_columns(table))
                  for table in inspector.get_table_names()}
    engine.dispose()
    return schema


def undo_after(connection: sa.Connection, revision: str) -> None:
    """Remove from a head SQLite database the tables, columns and indexes on them that the
    migrations after ``revision`` added, so that setting ``alembic_version`` to ``revision``
    makes them run again for real."""
    then = _schema_at(revision)
    inspector = sa.inspect(connection)
    tables = set(inspector.get_table_names())
    for table in sorted(tables - set(then)):
        connection.execute(sa.text(f'DROP TABLE IF EXISTS "{table}"'))
    for table, columns in then.items():
        if table not in tables:
            continue  # e.g. an FTS shadow table a later shape does without
        now = {c["name"] for c in inspector.get_columns(table)}
        newer = now - columns
        if not newer or _virtual(connection, table):
            continue  # a virtual (FTS) table is rebuilt whole by the migration that reshapes it
        for index in inspector.get_indexes(table):
            if newer & set(index["column_names"]):
                connection.execute(sa.text(f'DROP INDEX "{index["name"]}"'))
        for column in sorted(newer):
            connection.execute(sa.text(f'ALTER TABLE "{table}" DROP COLUMN "{column}"'))


def _virtual(connection: sa.Connection, table: str) -> bool:
    sql = connection.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = :t"),
                             {"t": table}).scalar()
    return bool(sql) and sql.upper().startswith("CREATE VIRTUAL")


def one_revision_behind(path: Path) -> Path:
    before = previous_revision()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        undo_after(connection, before)
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :v"),
                           {"v": before})
    engine.dispose()
    return path
