"""Shared fixtures.

- Qt runs offscreen; the variable is set here, before any QApplication exists.
- One migrated template database per session, copied for each test (SQLite: a file copy;
  PostgreSQL: ``CREATE DATABASE … TEMPLATE``), so tests are fast and independent.
- Session discipline is strict: a service use case that opens a second session fails its test.
- ``any_db`` runs a storage or service test on SQLite and on PostgreSQL. PostgreSQL is used when
  ``SETACARE_TEST_POSTGRES_URL`` names a server (``.ci/run`` starts one); under CI=true a missing
  server fails the run instead of silently testing less.
"""

from __future__ import annotations

import contextlib
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.fonts=false")
# A use case that opens a second session (or nests one) fails the test: see store/database.py.
os.environ["SETACARE_STRICT_SESSIONS"] = "1"

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from setacare_desktop.services import Database, StaffProfile, audit
from setacare_desktop.services.staff import STAFF_FIELDS, NewStaff, create_account, profile_of
from setacare_desktop.store.models import Staff

PG_ENV = "SETACARE_TEST_POSTGRES_URL"
#: The role every ward PC connects as (docs/deployment-postgresql.md); ``pg_db`` uses it.
APP_ROLE = "setacare_app"
GRANTS = Path(__file__).parents[1] / "docs" / "postgresql-grants.sql"
TEST_PASSWORD = "test-pass-123"


@pytest.fixture(autouse=True)
def private_qsettings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Window layouts (QSettings) go to a fresh temporary folder, never the user's settings."""
    from PySide6.QtCore import QSettings

    folder = str(tmp_path_factory.mktemp("qsettings"))
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(kind, scope, folder)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database.open(f"sqlite:///{path}")
    db.close()
    return path


@pytest.fixture
def db_path(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "setacare.db"
    shutil.copyfile(sqlite_template, path)
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = Database.open(f"sqlite:///{db_path}")
    yield database
    database.close()


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url and os.environ.get("CI") == "true":
        raise RuntimeError(f"CI=true but {PG_ENV} is not set: PostgreSQL tests must run in CI")
    return url


@pytest.fixture(scope="session")
def pg_template() -> Iterator[tuple[sa.Engine, str] | None]:
    url = _pg_admin_url()
    if not url:
        yield None
        return
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"setacare_tpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
    template_url = admin.url.set(database=name).render_as_string(hide_password=False)
    Database.open(template_url).close()
    yield admin, name
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


def _pg_database(pg_template: tuple[sa.Engine, str] | None, *, as_application: bool
                 ) -> Iterator[Database]:
    if pg_template is None:
        pytest.skip(f"no PostgreSQL server ({PG_ENV} not set; CI always sets it)")
    admin, template = pg_template
    name = f"setacare_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
    url = admin.url.set(database=name)
    if as_application:
        # As a ward PC connects (docs/deployment-postgresql.md): the application role, with
        # the grants file applied, cannot touch the audit trail nor migrate.
        _grant_to_application_role(admin, url)
        url = url.set(username=APP_ROLE, password=APP_ROLE)
    database = Database.open(url.render_as_string(hide_password=False))
    yield database
    database.close()
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_db(pg_template: tuple[sa.Engine, str] | None) -> Iterator[Database]:
    """A fresh PostgreSQL database, connected to as the application role every ward PC uses."""
    yield from _pg_database(pg_template, as_application=True)


@pytest.fixture
def pg_owner_db(pg_template: tuple[sa.Engine, str] | None) -> Iterator[Database]:
    """The same, connected to as the server's superuser (what only the owner may do)."""
    yield from _pg_database(pg_template, as_application=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_owner_db(request: pytest.FixtureRequest) -> Database:
    """``any_db`` for what only the owner does on a server (the demo moves the id sequences)."""
    return request.getfixturevalue("db" if request.param == "sqlite" else "pg_owner_db")


@contextlib.contextmanager
def superuser_connection(db: Database) -> Iterator[sa.Connection]:
    """A transaction on ``db``'s database with every power (the owner's, the file's holder's):
    what a test does past the program to tamper with it."""
    if db.is_sqlite or db.engine.url.username != APP_ROLE:
        with db.engine.begin() as connection:
            yield connection
        return
    admin_url = sa.make_url(os.environ[PG_ENV]).set(database=db.engine.url.database)
    engine = sa.create_engine(admin_url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def _grant_to_application_role(admin: sa.Engine, url: sa.URL) -> None:
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN "
            f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE}'; END IF; END $$")
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {url.database} TO {APP_ROLE}")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
        for statement in grant_statements():
            conn.exec_driver_sql(statement)
    engine.dispose()


def grant_statements() -> list[str]:
    """The statements of docs/postgresql-grants.sql, as the administrator runs them."""
    text = "\n".join(line for line in GRANTS.read_text("utf-8").splitlines()
                     if not line.lstrip().startswith("--"))
    return [part.strip() for part in text.split(";") if part.strip()]


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest) -> Database:
    """The same test on the embedded SQLite file and on a PostgreSQL server."""
    return request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")


def make_staff(db: Database, login: str, *, role: str = "受付", place: str = "池尻",
               org_kind: str = "まちづくりセンター", admin: bool = False,
               password: str = TEST_PASSWORD) -> StaffProfile:
    """Create an account directly for a test: no account manager needed (``services.staff``'s
    use cases require one, except for the first administrator of an empty database)."""
    new = NewStaff(login, f"{login} 職員", role, place, org_kind, password, admin)
    with db.transaction() as session:
        profile = create_account(session, new)
        audit.record(session, None, "staff_create", entity="staff", entity_id=profile.staff_id,
                     fields=STAFF_FIELDS, detail="test fixture")
    return profile


#: The supervisor who imports and exports the つなぎ先 directory in tests (its editors' role).
DIRECTORY_EDITOR = "directory-editor"


def directory_editor(db: Database) -> StaffProfile:
    """That supervisor of ``db``: the account is made the first time it is asked for."""
    with db.read() as session:
        staff = session.scalar(sa.select(Staff).where(Staff.login == DIRECTORY_EDITOR))
        if staff is not None:
            return profile_of(staff)
    return make_staff(db, DIRECTORY_EDITOR, role="監督者")


@pytest.fixture
def staff_factory() -> object:
    return make_staff
