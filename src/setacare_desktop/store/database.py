"""Opening the database in one place: engine, sessions, migrations.

``Database.open(url)`` is the single way in. It applies pending Alembic migrations (after copying a
non-empty SQLite file aside) and refuses a database written by a newer program.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from setacare_desktop.store import sqlite as sqlite_store


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer SetaCare Desktop than this one."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            f"このデータベースは新しいバージョンの SetaCare Desktop で作成されています"
            f"（スキーマ {revision}）。プログラムを更新してから開いてください。"
        )
        self.revision = revision


@dataclass(frozen=True, slots=True)
class MigrationReport:
    from_revision: str | None
    to_revision: str
    backup: Path | None


@contextmanager
def _script_location() -> Iterator[Path]:
    """The Alembic environment (repo ``db/``), shipped as ``setacare_desktop.migrations``."""
    with importlib.resources.as_file(
        importlib.resources.files("setacare_desktop.migrations")
    ) as path:
        yield Path(path)


def display_url(url: str) -> str:
    """The URL with any password hidden, for the status bar and ``setacare info``."""
    return make_url(url).render_as_string(hide_password=True)


class Database:
    """An engine plus a session factory. Services receive it; widgets never see inside."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def connect(cls, url: str) -> Database:
        """Create the engine without migrating (``Database.open`` is what callers want)."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, connect_args={"timeout": 30})
            sqlite_store.install_pragmas(engine)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
        return cls(engine)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Database:
        """Connect, refuse a newer schema, then bring the schema to head."""
        db = cls.connect(url)
        try:
            db.check_not_newer()
            if migrate:
                db.upgrade()
        except BaseException:
            db.close()
            raise
        return db

    @property
    def url(self) -> str:
        return display_url(self.engine.url.render_as_string(hide_password=False))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only (rolled back at the end)."""
        with self._sessions() as session:
            yield session

    # --- migrations -----------------------------------------------------------------------

    # Alembic is imported where it is used: it costs ~130 ms of start-up otherwise.

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str:
        from alembic.script import ScriptDirectory

        with _script_location() as location:
            head = ScriptDirectory(str(location)).get_current_head()
        assert head is not None
        return head

    def check_not_newer(self) -> None:
        from alembic.script import ScriptDirectory

        current = self.current_revision()
        if current is None:
            return
        with _script_location() as location:
            known = {rev.revision for rev in ScriptDirectory(str(location)).walk_revisions()}
        if current not in known:
            raise SchemaTooNewError(current)

    def upgrade(self) -> MigrationReport:
        """Apply pending migrations; a non-empty SQLite file is backed up first."""
        from alembic import command
        from alembic.config import Config

        self.check_not_newer()
        current = self.current_revision()
        head = self.head_revision()
        if current == head:
            return MigrationReport(current, head, None)
        backup = None
        if self.is_sqlite:
            path = sqlite_store.database_file(self.engine)
            if path is not None and path.exists() and inspect(self.engine).get_table_names():
                backup = sqlite_store.backup_file(path, current or "unversioned")
        with _script_location() as location, self.engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(location))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return MigrationReport(current, head, backup)
