"""A database one migration behind, its data kept, for tests of the upgrade path (the backup
before a migration needs a file with real data; ``previous_release.py`` makes an empty one at
schema 0007 instead, to run every later migration for real).

The newest migration (0014) only recomputes stored keys and changes no table, so "one revision
behind" is the same schema with ``alembic_version`` set back one step: no test has to undo each
later migration's tables by hand (they did, and broke with every new migration).
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


def one_revision_behind(path: Path) -> Path:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :v"),
                           {"v": previous_revision()})
    engine.dispose()
    return path
