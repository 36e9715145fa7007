"""Migration 0009 on both backends: the audit rows already there are hashed into one chain in id
order, the append-only triggers are back afterwards, and PostgreSQL now refuses TRUNCATE too."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from setacare_desktop.services import Database, audit
from setacare_desktop.store.database import WRITE_OPTION, _script_location
from setacare_desktop.store.errors import DatabaseError
from setacare_desktop.store.models import AuditEvent

OLD_ROWS = (
    ("2026-11-20 09:00:00.000001", None, "(system)", "demo_generate", None, None, None, "300"),
    ("2026-11-20 09:05:00", 3, "clerk", "consultation_create", "consultation", "1",
     '["main_complaint", "received_at"]', None),
    ("2026-11-20 09:06:00.5", 3, "clerk", "consultation_view", "consultation", "1", None, None),
)


def _upgrade_to(url: str, revision: str) -> None:
    engine = sa.create_engine(url)
    try:
        with _script_location() as location, engine.execution_options(
                **{WRITE_OPTION: True}).begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(location))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    template = request.getfixturevalue("pg_template")
    if template is None:
        pytest.skip("no PostgreSQL server (SETACARE_TEST_POSTGRES_URL not set; CI always sets it)")
    admin, _name = template
    name = f"setacare_m_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_existing_rows_are_hashed_into_one_chain(empty_url: str) -> None:
    _upgrade_to(empty_url, "0008")
    engine = sa.create_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO staff (login, name, role, organisation_id, password_hash, "
            "can_manage_accounts, failed_attempts, active, created_at) VALUES ('clerk', 'c', "
            "'counter', 1, 'x', false, 0, true, '2026-11-20 08:00:00')"))
        staff_id = connection.execute(sa.text("SELECT id FROM staff")).scalar()
        for at, staff, login, action, entity, entity_id, fields, detail in OLD_ROWS:
            connection.execute(sa.text(
                "INSERT INTO audit_event (at, staff_id, login, action, entity, entity_id, fields, "
                "detail) VALUES (:at, :staff, :login, :action, :entity, :entity_id, :fields, "
                ":detail)"), {"at": at, "staff": staff and staff_id, "login": login,
                              "action": action, "entity": entity, "entity_id": entity_id,
                              "fields": fields, "detail": detail})
    engine.dispose()

    db = Database.open(empty_url)
    try:
        assert db.current_revision() == db.head_revision()
        with db.read() as session:
            rows = list(session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
        assert [r.action for r in rows] == [row[3] for row in OLD_ROWS]
        assert rows[0].prev_hash is None and all(r.hash for r in rows)
        assert rows[1].fields == ["main_complaint", "received_at"]
        report = audit.chain_status(db)
        assert report.intact and report.count == 3
        with db.transaction() as session:  # the program's next row joins the chain
            audit.record(session, None, "after_upgrade")
        assert audit.chain_status(db).count == 4
        statements = ["UPDATE audit_event SET login = 'x'", "DELETE FROM audit_event"]
        if not db.is_sqlite:
            statements.append("TRUNCATE audit_event")
        for statement in statements:
            with pytest.raises(DatabaseError) as refused, db.transaction() as session:
                session.execute(sa.text(statement))
            assert "append-only" in str(refused.value.__cause__)
        assert audit.restore_protection(db) is None  # nothing missing after the migration
    finally:
        db.close()
