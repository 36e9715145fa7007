"""Storage: SQLAlchemy models, the engine and session set-up, migrations.

Only :mod:`setacare_desktop.store.sqlite` may contain SQLite-only SQL; everything else must run on
PostgreSQL as well.
"""

from setacare_desktop.store.database import Database
from setacare_desktop.store.errors import SchemaTooNewError

__all__ = ["Database", "SchemaTooNewError"]
