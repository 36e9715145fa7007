"""Opening the database in one place: engine, sessions, migrations.

``Database.open(url)`` is the single way in, and a safe start: it refuses a SQLite file that is
empty or not a database (a path that does not exist yet becomes a new database), a database
written by a newer program, and one with tables but no schema record (``alembic_version``); it
applies pending Alembic migrations only after a whole copy of a non-empty SQLite file is on disk
(``store.sqlite.backup_file``: free space checked, written under a temporary name, fsynced,
renamed; old copies pruned). A failed backup stops the migration with nothing changed.

Sessions come in three kinds: :meth:`Database.transaction` writes (on SQLite it begins
``IMMEDIATE``, so two writers queue on the busy timeout instead of failing half-way),
:meth:`Database.read` only reads (it begins deferred, so a long statistics query never takes the
write lock) and :meth:`Database.look` reads personal data and writes only the audit rows of that
look (its commit does not wait for the disk: see there). All translate driver errors into
:mod:`setacare_desktop.store.errors`.

A service marks each public use case with :meth:`Database.use_case`; inside it the database counts
the sessions opened on this thread. With ``strict_sessions`` (the test suite turns it on) a use
case that opens a second session, or a session opened while another is open, is an error: the
consent decision and the write it allows must happen in one transaction.
"""

from __future__ import annotations

import functools
import importlib.resources
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store import sqlite as sqlite_store
from setacare_desktop.store.errors import SchemaTooNewError, UpgradeNotPermittedError, translate
from setacare_desktop.store.start_errors import UnversionedDatabaseError

log = logging.getLogger(__name__)

#: Set to 1 (the test suite does) to make a second session inside one use case an error.
ENV_STRICT_SESSIONS = "SETACARE_STRICT_SESSIONS"
#: The execution option that makes a SQLite transaction begin IMMEDIATE (see ``store.sqlite``).
WRITE_OPTION = sqlite_store.WRITE_OPTION
#: The execution option of a look's transaction (see :meth:`Database.look`).
LOOK_OPTION = sqlite_store.LOOK_OPTION
#: PostgreSQL's SQLSTATE for a role that may not alter what it does not own.
INSUFFICIENT_PRIVILEGE = "42501"


class SessionDisciplineError(AssertionError):
    """A use case opened a second session, or nested one (strict mode only): a bug."""


@dataclass(slots=True)
class _UseCase:
    name: str
    sessions: list[str] = field(default_factory=list)
    allowed: int = 1


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


_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=(.*)$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class KnownRevisions:
    """The revision ids of ``db/versions`` and its head (None unless exactly one)."""

    revisions: frozenset[str]
    head: str | None


@functools.cache
def known_revisions() -> KnownRevisions:
    """Read the revision ids from the migration files' text, without importing Alembic.

    Alembic costs ~130 ms of start-up; at an ordinary start the schema is already at head and
    only needs comparing. ``tests/store/test_schema_check.py`` checks this against Alembic's own
    reading of the same folder.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    with _script_location() as location:
        for path in sorted((location / "versions").glob("*.py")):
            source = path.read_text(encoding="utf-8")
            revision = _REVISION.search(source)
            if revision is None:
                continue
            revisions.add(revision.group(1))
            down = _DOWN_REVISION.search(source)
            if down is not None:
                parents.update(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    heads = revisions - parents
    return KnownRevisions(frozenset(revisions), next(iter(heads)) if len(heads) == 1 else None)


def display_url(url: str) -> str:
    """The URL with any password hidden, for the status bar and ``setacare info``."""
    return make_url(url).render_as_string(hide_password=True)


class Database:
    """An engine plus a session factory. Services receive it; widgets never see inside."""

    def __init__(self, engine: Engine, *, strict_sessions: bool | None = None) -> None:
        self.engine = engine
        self._reads = sessionmaker(engine, expire_on_commit=False)
        self._writes = sessionmaker(engine.execution_options(**{WRITE_OPTION: True}),
                                    expire_on_commit=False)
        self._looks = sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True, LOOK_OPTION: True}),
            expire_on_commit=False)
        if engine.dialect.name == "postgresql":
            # The audit rows of a transaction are appended at its commit (store.postgresql).
            pg_store.install_audit_queue(self._writes)
            pg_store.install_audit_queue(self._looks)
        self.strict_sessions = (os.environ.get(ENV_STRICT_SESSIONS) == "1"
                                if strict_sessions is None else strict_sessions)
        self._local = threading.local()
        #: This PC's folder for what must survive the database being unreachable (drafts);
        #: set by whoever opened the database from the settings, None for tests and tools.
        self.local_folder: Path | None = None

    @classmethod
    def connect(cls, url: str) -> Database:
        """Create the engine without migrating (``Database.open`` is what callers want)."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database
            if database and database != ":memory:" and not database.startswith("file:"):
                # (a ``file:`` URI is SQLite's own syntax: not a folder to make here)
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, hide_parameters=True,
                                   connect_args={"timeout": sqlite_store.BUSY_TIMEOUT_MS / 1000})
            sqlite_store.install_pragmas(engine)
        else:
            engine = create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
        return cls(engine)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Database:
        """Check the file, connect, refuse a newer schema, then bring the schema to head."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            sqlite_store.check_database_file(Path(parsed.database))
        db = cls.connect(url)
        try:
            db.check_not_newer()
            if migrate:
                db.upgrade()
        except (DBAPIError, sqlite_store.Error) as error:
            db.close()
            raise translate(error) from error
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
        """One unit of work that writes: commit on success, roll back on any error."""
        with self._unit_of_work(self._writes) as session:
            yield session

    @contextmanager
    def look(self) -> Iterator[Session]:
        """One unit of work that reads personal data and writes nothing but the audit rows of
        that look (a search, opening a case): commit on success, roll back on any error.

        Its commit does not wait for the disk, which is most of a search's time (~4 ms of a
        fsync on an office PC's disk): on SQLite the transaction commits with
        ``synchronous=NORMAL`` (WAL: the audit row is in the log file when the search returns,
        so it survives the program crashing or being killed; only a power cut or an OS crash
        before the next save or checkpoint can lose it, since that save's fsync covers the
        whole log), on PostgreSQL with ``synchronous_commit = off`` (the same guarantee: the
        row is in the server's WAL buffers, flushed within ``wal_writer_delay``). Saves keep
        their full durability: the level is set again at the beginning of every transaction.
        Never use it for a use case that changes anything but the audit trail.
        """
        with self._unit_of_work(self._looks) as session:
            if not self.is_sqlite:
                session.execute(text("SET LOCAL synchronous_commit = off"))
            yield session

    @contextmanager
    def _unit_of_work(self, sessions: sessionmaker[Session]) -> Iterator[Session]:
        """A writing session of ``sessions`` in one transaction, driver errors translated."""
        with self._session("write"):
            try:
                with sessions() as session, session.begin():
                    yield session
            except (DBAPIError, sqlite_store.Error) as error:
                raise translate(error) from error

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only: begins deferred, rolled back at the end."""
        with self._session("read"):
            try:
                with self._reads() as session:
                    yield session
            except (DBAPIError, sqlite_store.Error) as error:
                raise translate(error) from error

    # --- session discipline -----------------------------------------------------------------

    @contextmanager
    def use_case(self, name: str, *, allowed: int = 1) -> Iterator[None]:
        """Count the sessions that the use case ``name`` opens on this thread.

        Nested calls join the outermost use case, so a use case may call another as long as
        both share its one session (they receive the session, not the database).
        """
        if getattr(self._local, "use_case", None) is not None:
            yield
            return
        self._local.use_case = _UseCase(name, allowed=allowed)
        try:
            yield
        finally:
            self._local.use_case = None

    def in_use_case(self) -> bool:
        return getattr(self._local, "use_case", None) is not None

    @contextmanager
    def _session(self, kind: str) -> Iterator[None]:
        depth = getattr(self._local, "depth", 0)
        current: _UseCase | None = getattr(self._local, "use_case", None)
        problem = None
        if depth:
            problem = f"a {kind} session opened inside another session"
        elif current is not None:
            current.sessions.append(kind)
            if len(current.sessions) > current.allowed:
                problem = (f"use case {current.name} opened session {len(current.sessions)} "
                           f"({', '.join(current.sessions)})")
        if problem:
            if self.strict_sessions:
                raise SessionDisciplineError(problem)
            log.warning("session discipline: %s", problem)
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth

    # --- migrations -----------------------------------------------------------------------

    # Alembic is imported only to migrate: it costs ~130 ms of start-up otherwise. The revision
    # is read with SQLAlchemy and compared with the ids in the migration files' text.

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        if len(rows) > 1:  # several heads: Alembic's own reading refuses it
            from alembic.runtime.migration import MigrationContext

            with self.engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        return rows[0][0] if rows else None

    def head_revision(self) -> str:
        head = known_revisions().head
        if head is not None:
            return head
        from alembic.script import ScriptDirectory  # branches: let Alembic say what it sees

        with _script_location() as location:
            alembic_head = ScriptDirectory(str(location)).get_current_head()
        assert alembic_head is not None
        return alembic_head

    def check_not_newer(self) -> None:
        current = self.current_revision()
        if current is None:
            return
        known = known_revisions().revisions
        if not known:  # no migration file could be read as text: let Alembic read them
            from alembic.script import ScriptDirectory

            with _script_location() as location:
                known = frozenset(rev.revision
                                  for rev in ScriptDirectory(str(location)).walk_revisions())
        if current not in known:
            raise SchemaTooNewError(current)

    def upgrade(self) -> MigrationReport:
        """Apply pending migrations; a non-empty SQLite file is backed up first."""
        self.check_not_newer()
        current = self.current_revision()
        head = self.head_revision()
        if current == head:
            return MigrationReport(current, head, None)
        from alembic import command
        from alembic.config import Config

        tables = [t for t in inspect(self.engine).get_table_names() if t != "alembic_version"]
        if current is None and tables:
            # Not ours, or its record was lost: migrating would collide with (or alter) its tables.
            raise UnversionedDatabaseError(len(tables))
        backup = None
        if self.is_sqlite and tables:
            path = sqlite_store.database_file(self.engine)
            if path is not None and path.exists():
                backup = sqlite_store.backup_file(path, current or "unversioned")
        # The migration takes the write lock as it begins (IMMEDIATE): a second program starting
        # at the same moment waits for it, then finds the schema at head inside its own lock.
        writer = self.engine.execution_options(**{WRITE_OPTION: True})
        try:
            with _script_location() as location, writer.begin() as connection:
                config = Config()
                config.set_main_option("script_location", str(location))
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
                raise UpgradeNotPermittedError(current, head) from error
            raise
        if self.is_sqlite and tables:
            sqlite_store.compact_if_mostly_free(self.engine)
        return MigrationReport(current, head, backup)
