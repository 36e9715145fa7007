"""The audit trail's hash chain on both backends: every row chained as it is written, never forked
by two transactions at once, tampering found and named, the sign-off's anchor, the append-only
protection recreated at start, and ``audit.verify`` for supervisors and administrators only."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.conftest import superuser_connection

from setacare_desktop.domain.audit_chain import BreakKind
from setacare_desktop.domain.intake import IntakeInput
from setacare_desktop.domain.review import Decision
from setacare_desktop.services import Database, PermissionDeniedError, audit, system
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services import review as review_svc
from setacare_desktop.settings import Settings
from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store import sqlite as sqlite_store
from setacare_desktop.store.errors import DatabaseError
from setacare_desktop.store.models import AuditEvent, DaySignoff

DAY = date(2026, 11, 24)


def _write(db: Database, *actions: str) -> None:
    with db.transaction() as session:
        for action in actions:
            audit.record(session, None, action, detail="test")


def _rows(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))


def tamper(db: Database, *statements: str) -> None:
    """Run SQL past the append-only triggers (as someone with the database file or the table's
    owner could), then put the triggers back."""
    with superuser_connection(db) as connection:
        if db.is_sqlite:
            for name in sqlite_store.AUDIT_TRIGGERS:
                connection.exec_driver_sql(f"DROP TRIGGER {name}")
        else:
            connection.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER USER")
        for statement in statements:
            connection.exec_driver_sql(statement)
        if db.is_sqlite:
            sqlite_store.restore_audit_protection(connection, list(sqlite_store.AUDIT_TRIGGERS))
        else:
            connection.exec_driver_sql("ALTER TABLE audit_event ENABLE TRIGGER USER")


def test_each_row_is_chained_to_the_one_before(any_db: Database) -> None:
    _write(any_db, "first")
    _write(any_db, "second", "third")  # two rows in one transaction
    _write(any_db, "fourth")
    rows = _rows(any_db)
    assert [r.action for r in rows] == ["first", "second", "third", "fourth"]
    assert rows[0].prev_hash is None
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(rows))
    assert len({r.hash for r in rows}) == 4
    report = audit.chain_status(any_db)
    assert report.intact and report.count == 4 and report.head == rows[-1].hash
    with any_db.read() as session:
        assert audit.chain_head(session) == rows[-1].hash


@pytest.mark.parametrize("kind", ["changed", "deleted", "inserted"])
def test_tampering_is_found_and_named(any_db: Database, kind: str) -> None:
    for n in range(1, 7):
        _write(any_db, f"event{n}")
    target = _rows(any_db)[3].id
    statement = {
        "changed": f"UPDATE audit_event SET detail = 'harmless' WHERE id = {target}",
        "deleted": f"DELETE FROM audit_event WHERE id = {target}",
        "inserted": "INSERT INTO audit_event (id, at, login, action) "
                    "VALUES (1000, '2026-11-24 10:00:00', 'intruder', 'consultation_view')",
    }[kind]
    tamper(any_db, statement)
    report = audit.chain_status(any_db)
    assert report.broken is not None
    assert report.broken.kind is BreakKind(kind)
    if kind == "changed":
        assert report.broken.row_id == target and report.count == 3
        assert f"No.{target} の内容が書き換えられています" in report.broken.message
    elif kind == "deleted":
        assert (report.broken.previous_id, report.broken.row_id) == (target - 1, target + 1)
    else:
        assert report.broken.row_id == 1000 and report.count == 6


def test_the_sign_off_records_the_chain_head_and_a_cut_tail_is_found(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    boss = staff_factory(any_db, "boss", role="監督者")
    case_id = intake_svc.record_intake(any_db, clerk, IntakeInput(
        received_at="R8.11.24 10:30", channel="来所", consulter_kind="本人",
        main_complaint="物忘れが心配", target_groups=["高齢者"]),
        now=datetime(2026, 11, 24, 16, 0)).consultation_id
    review_svc.decide(any_db, boss, case_id, Decision.CONFIRMED, seen_version=1)
    review_svc.sign_off(any_db, boss, DAY, "ikejiri", today=DAY)
    with any_db.read() as session:
        head = session.scalar(sa.select(DaySignoff.chain_head))
        signoff_row = session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "day_signoff")).one()
    assert head is not None and head == signoff_row.hash  # its own audit row included
    _write(any_db, "later1", "later2")
    assert audit.chain_status(any_db).intact
    # Cutting off the sign-off's row and everything after leaves a sound, shorter chain: only
    # the anchor tells.
    tamper(any_db, f"DELETE FROM audit_event WHERE id >= {signoff_row.id}")
    report = audit.chain_status(any_db)
    assert report.broken is not None and report.broken.kind is BreakKind.TRUNCATED
    assert "池尻地区 2026-11-24 の日次確認の時点の操作記録が見つかりません" in report.broken.message


def test_two_transactions_never_fork_the_chain(any_db: Database) -> None:
    """The second writer waits for the first to commit, then chains onto its row. (On
    PostgreSQL a transaction appends its rows at its commit, or when it reads the chain's head as
    a sign-off does: that is what the first one does here.)"""
    _write(any_db, "start")
    recorded, release = threading.Event(), threading.Event()
    done: list[str] = []

    def first() -> None:
        with any_db.transaction() as session:
            audit.record(session, None, "first")
            audit.chain_head(session)
            recorded.set()
            release.wait(10)

    def second() -> None:
        recorded.wait(10)
        _write(any_db, "second")
        done.append("second")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    recorded.wait(10)
    time.sleep(0.5)
    assert done == []  # the second append waits while the first transaction is open
    release.set()
    for thread in threads:
        thread.join(30)
    rows = _rows(any_db)
    assert [r.action for r in rows] == ["start", "first", "second"]
    assert rows[2].prev_hash == rows[1].hash


def test_many_writers_at_once_leave_one_chain(any_db: Database) -> None:
    def writer(n: int) -> None:
        for i in range(8):
            _write(any_db, f"w{n}-{i}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    rows = _rows(any_db)
    assert len(rows) == 48 and len({r.prev_hash for r in rows}) == 48  # no two share a parent
    report = audit.chain_status(any_db)
    assert report.intact and report.count == 48


def test_a_rolled_back_transaction_leaves_no_row_and_a_head_includes_its_own_rows(
        any_db: Database) -> None:
    _write(any_db, "start")
    with pytest.raises(RuntimeError), any_db.transaction() as session:
        audit.record(session, None, "rolled_back")
        raise RuntimeError("abandon")
    with any_db.transaction() as session:
        audit.record(session, None, "first")
        audit.record(session, None, "second")
        head = audit.chain_head(session)  # (on PostgreSQL: appended here, before the commit)
        audit.record(session, None, "third")
    rows = _rows(any_db)
    assert [r.action for r in rows] == ["start", "first", "second", "third"]
    assert head == rows[2].hash
    report = audit.chain_status(any_db)
    assert report.intact and report.count == 4


def test_an_audit_row_in_a_read_session_is_refused(any_db: Database) -> None:
    with pytest.raises(audit.AuditSessionError), any_db.read() as session:
        audit.record(session, None, "lost")
    assert _rows(any_db) == []


def test_the_chain_is_checked_in_steps_as_the_window_does(any_db: Database) -> None:
    for n in range(7):
        _write(any_db, f"event{n}")
    check = audit.start_check(any_db)
    steps = 0
    while check.report is None:
        check = audit.check_step(any_db, check, rows=3)
        steps += 1
    assert steps == 3 and check.report.intact and check.report.count == 7
    tamper(any_db, f"DELETE FROM audit_event WHERE id = {_rows(any_db)[4].id}")
    check = audit.start_check(any_db)
    while check.report is None:
        check = audit.check_step(any_db, check, rows=2)
    assert check.report.broken is not None and check.report.broken.kind is BreakKind.DELETED


def test_verify_is_for_supervisors_and_administrators_and_is_audited(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    boss = staff_factory(any_db, "boss", role="監督者")
    with pytest.raises(PermissionDeniedError, match="監督者と管理者"):
        audit.verify(any_db, clerk)
    denied = audit.recent(any_db, 1)[0]
    assert (denied.action, denied.login, denied.detail) == ("permission_denied", "clerk",
                                                            "audit_verify")
    report = audit.verify(any_db, boss)
    assert report.intact
    entry = audit.recent(any_db, 1)[0]
    assert (entry.action, entry.login, entry.detail) == ("audit_verify", "boss",
                                                         f"intact {report.count}")


# --- the append-only protection ------------------------------------------------------------------


def _settings(db_path: Path) -> Settings:
    return Settings(db_path.parent, f"sqlite:///{db_path}")


@pytest.mark.parametrize("sabotage", [
    ["DROP TRIGGER audit_event_no_delete"],
    # a trigger of the same name that protects nothing
    ["DROP TRIGGER audit_event_no_update",
     "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT 1; END"],
])
def test_a_removed_trigger_is_recreated_at_start_and_reported(db_path: Path,
                                                              sabotage: list[str]) -> None:
    db = Database.open(f"sqlite:///{db_path}")
    _write(db, "before")
    db.close()
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.begin() as connection:
        for statement in sabotage:
            connection.exec_driver_sql(statement)
    engine.dispose()

    db = system.open_database(_settings(db_path))
    try:
        notice = audit.start_notice(db)
        assert notice is not None and "作り直しました" in notice
        entry = audit.recent(db, 1)[0]
        assert entry.action == "audit_protection_restored" and entry.login == "(system)"
        assert entry.detail in ("audit_event_no_delete", "audit_event_no_update")
        for statement in ("DELETE FROM audit_event", "UPDATE audit_event SET login = 'x'"):
            with pytest.raises(DatabaseError), db.transaction() as session:
                session.execute(sa.text(statement))
        assert audit.chain_status(db).intact
    finally:
        db.close()
    db = system.open_database(_settings(db_path))  # the next start finds nothing to repair
    try:
        assert audit.start_notice(db) is None
        assert audit.recent(db, 1)[0].action == "audit_protection_restored"
    finally:
        db.close()


def test_a_disabled_trigger_on_postgresql_is_recreated(pg_owner_db: Database) -> None:
    """The program started by the owner puts the triggers back (the application role cannot:
    tests/store/test_postgresql_roles.py)."""
    pg_db = pg_owner_db
    with pg_db.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
        connection.exec_driver_sql("DROP TRIGGER audit_event_no_truncate ON audit_event")
        assert pg_store.audit_protection_problems(connection) == [
            "audit_event_no_change", "audit_event_no_truncate"]
    report = audit.restore_protection(pg_db)
    assert report is not None and report.restored
    assert audit.start_notice(pg_db) == report.notice
    with pg_db.engine.connect() as connection:
        assert pg_store.audit_protection_problems(connection) == []
    for statement in ("TRUNCATE audit_event", "DELETE FROM audit_event"):
        with pytest.raises(DatabaseError), pg_db.transaction() as session:
            session.execute(sa.text(statement))
    assert [e.action for e in audit.recent(pg_db)] == ["audit_protection_restored"]
