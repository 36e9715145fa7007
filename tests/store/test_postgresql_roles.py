"""The two-role PostgreSQL set-up of docs/deployment-postgresql.md, on a real server: an owner role
runs the migrations, the application role works with ``docs/postgresql-grants.sql`` applied and
cannot UPDATE, DELETE or TRUNCATE the audit trail, nor remove its triggers.

``.ci/run`` creates both roles; a local server gets them here (with the superuser of
``SETACARE_TEST_POSTGRES_URL``) when they are missing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.conftest import grant_statements

from setacare_desktop.domain.intake import IntakeInput
from setacare_desktop.services import Database, audit, system
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services.errors import ServiceError
from setacare_desktop.settings import Settings
from setacare_desktop.store.errors import DatabaseError

OWNER = "setacare_owner"
APP = "setacare_app"
#: insufficient_privilege, and must_be_owner for DDL on a table one does not own
REFUSED = {"42501"}


class Server:
    """URLs of one fresh database owned by the owner role, as each role."""

    def __init__(self, admin: sa.Engine, name: str) -> None:
        self.admin = admin
        self.name = name

    def url(self, role: str) -> str:
        return self.admin.url.set(database=self.name, username=role,
                                  password=role).render_as_string(hide_password=False)


@pytest.fixture
def server(pg_template: tuple[sa.Engine, str] | None) -> Iterator[Server]:
    if pg_template is None:
        pytest.skip("no PostgreSQL server (SETACARE_TEST_POSTGRES_URL not set; CI always sets it)")
    admin, _template = pg_template
    name = f"setacare_r_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        for role in (OWNER, APP):
            connection.exec_driver_sql(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
                f"CREATE ROLE {role} LOGIN PASSWORD '{role}'; END IF; END $$")
        # docs/deployment-postgresql.md, step 1 (as the server's superuser)
        connection.exec_driver_sql(
            f"CREATE DATABASE {name} OWNER {OWNER} TEMPLATE template0 ENCODING 'UTF8'")
        connection.exec_driver_sql(f"REVOKE CONNECT, TEMPORARY ON DATABASE {name} FROM PUBLIC")
        connection.exec_driver_sql(f"GRANT CONNECT ON DATABASE {name} TO {APP}")
    engine = sa.create_engine(admin.url.set(database=name))
    with engine.begin() as connection:
        connection.exec_driver_sql(f"ALTER SCHEMA public OWNER TO {OWNER}")
        connection.exec_driver_sql("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {APP}")
    engine.dispose()
    yield Server(admin, name)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _as_owner_upgrade_and_grant(server: Server) -> None:
    """Step 2, as the owner: migrate, then apply the grants file."""
    Database.open(server.url(OWNER)).close()
    engine = sa.create_engine(server.url(OWNER))
    with engine.begin() as connection:
        for statement in grant_statements():
            connection.exec_driver_sql(statement)
    engine.dispose()


def _refused(db: Database, statement: str) -> str:
    with pytest.raises(DatabaseError) as raised, db.transaction() as session:
        session.execute(sa.text(statement))
    return str(getattr(raised.value.__cause__, "orig", raised.value.__cause__).sqlstate)


def test_the_application_role_appends_but_cannot_remove_the_audit_trail(
        server: Server, staff_factory: Callable, tmp_path: Path) -> None:
    _as_owner_upgrade_and_grant(server)
    db = system.open_database(Settings(tmp_path, server.url(APP)))  # as the window starts
    try:
        assert audit.start_notice(db) is None
        clerk = staff_factory(db, "clerk")
        intake_svc.record_intake(db, clerk, IntakeInput(
            received_at="R8.11.24 10:30", channel="来所", consulter_kind="本人",
            main_complaint="物忘れが心配", target_groups=["高齢者"]))
        count = audit.chain_status(db).count
        assert count >= 2 and audit.chain_status(db).intact
        for statement in ("DELETE FROM audit_event", "TRUNCATE audit_event",
                          "UPDATE audit_event SET detail = 'x'",
                          "DROP TRIGGER audit_event_no_change ON audit_event",
                          "ALTER TABLE audit_event DISABLE TRIGGER ALL",
                          "UPDATE alembic_version SET version_num = '0001'"):
            assert _refused(db, statement) in REFUSED, statement
        assert audit.chain_status(db).count == count and audit.chain_status(db).intact
    finally:
        db.close()


def test_the_application_cannot_restore_triggers_the_owner_dropped_and_says_so(
        server: Server, tmp_path: Path) -> None:
    _as_owner_upgrade_and_grant(server)
    engine = sa.create_engine(server.url(OWNER))
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER audit_event_no_truncate ON audit_event")
    engine.dispose()
    db = system.open_database(Settings(tmp_path, server.url(APP)))
    try:
        notice = audit.start_notice(db)
        assert notice is not None and "作り直せません" in notice
        entry = audit.recent(db, 1)[0]
        assert (entry.action, entry.detail) == ("audit_protection_missing",
                                                "audit_event_no_truncate")
        assert _refused(db, "TRUNCATE audit_event") in REFUSED  # the grants still hold
    finally:
        db.close()


def test_a_counter_pc_does_not_upgrade_the_ward_server_it_says_who_must(
        server: Server, tmp_path: Path) -> None:
    """A new program version reaches a PC before the administrator upgraded the server: the
    application role cannot migrate, and the window's start says so instead of a traceback."""
    from schema import previous_revision

    _as_owner_upgrade_and_grant(server)
    engine = sa.create_engine(server.url(OWNER))
    with engine.begin() as connection:  # the server as the previous release left it
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :v"),
                           {"v": previous_revision()})
    engine.dispose()

    settings = Settings.resolve(data_dir=str(tmp_path), database=server.url(APP))
    with pytest.raises(ServiceError) as raised:
        system.open_database(settings)
    assert "setacare db upgrade" in raised.value.message
    assert "管理者" in raised.value.message
    check = Database.connect(server.url(OWNER))
    try:
        assert check.current_revision() == previous_revision()  # nothing was changed
    finally:
        check.close()
