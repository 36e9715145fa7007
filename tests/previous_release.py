"""A database file as the previous release left it (schema 0007), made by running the real
migrations up to 0007 on an empty file, so that every later migration (0008 and whatever follows)
runs for real when the program starts on it.

(Rewinding a head database by hand — dropping 0008's index and writing 0007 — stopped working
once a later migration added columns: they were already there when it ran again.)
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from setacare_desktop.store.database import _script_location

PREVIOUS = "0007"


def at_previous_release(path: Path) -> Path:
    """Replace ``path`` with a database at schema 0007 (reference data loaded, no cases)."""
    path.unlink(missing_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with _script_location() as location, engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(location))
            config.attributes["connection"] = connection
            command.upgrade(config, PREVIOUS)
    finally:
        engine.dispose()
    return path
