"""A database one migration behind, its data kept, for tests of the upgrade path (the backup
before a migration needs a file with real data; ``previous_release.py`` makes an empty one at
schema 0007 instead, to run every later migration for real).

"One revision behind" is the same schema with ``alembic_version`` set back one step, less the
tables the newest migration creates (found by migrating a scratch database to the revision
before: no test has to undo each later migration's tables by hand, which broke with every new
migration). A newest migration that only adds columns or recomputes data needs nothing undone.
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
def _tables_at(revision: str) -> frozenset[str]:
    """The tables of a database migrated to ``revision`` (a scratch in-memory SQLite)."""
    engine = sa.create_engine("sqlite://")
    with importlib.resources.as_file(
            importlib.resources.files("setacare_desktop.migrations")) as location, \
            engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(location))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        tables = frozenset(sa.inspect(connection).get_table_names())
    engine.dispose()
    return tables


def drop_newer_tables(connection: sa.Connection, revision: str) -> None:
    """Drop the tables migrations after ``revision`` created (so they can run again)."""
    newer = set(sa.inspect(connection).get_table_names()) - _tables_at(revision)
    for table in sorted(newer):
        connection.execute(sa.text(f'DROP TABLE "{table}"'))


def one_revision_behind(path: Path) -> Path:
    before = previous_revision()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        drop_newer_tables(connection, before)
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :v"),
                           {"v": before})
    engine.dispose()
    return path
