"""Storage: SQLAlchemy models, the engine and session set-up, migrations.

Only :mod:`setacare_desktop.store.sqlite` may contain SQLite-only SQL; everything else must run on
PostgreSQL as well.

``Database`` and ``SchemaTooNewError`` are loaded when first asked for, not with the package:
:mod:`setacare_desktop.store.sqlite_probe` is read before SQLAlchemy is imported (the window shows
its login dialog first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from setacare_desktop.store.database import Database
    from setacare_desktop.store.errors import SchemaTooNewError

__all__ = ["Database", "SchemaTooNewError"]


def __getattr__(name: str) -> object:
    if name == "Database":
        from setacare_desktop.store.database import Database

        return Database
    if name == "SchemaTooNewError":
        from setacare_desktop.store.errors import SchemaTooNewError

        return SchemaTooNewError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
