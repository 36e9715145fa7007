"""PostgreSQL: a transaction's audit rows are appended at its commit (issue 17, item 6), by the
server function of migration 0022, which hashes them exactly as ``domain.audit_chain`` does; the
chain's lock is not held while the rows wait in the queue, nor while the commit waits for the
disk, yet a commit that returns is on disk, the relaxed setting stays inside that one
transaction, and a caller that already chose not to wait is not made to wait. Many writers at
once leave one intact chain; a rollback leaves no row; a read of the chain sees the
transaction's own rows."""

from __future__ import annotations

import importlib.resources
import threading
import time
from collections.abc import Callable
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from setacare_desktop.domain.audit_chain import ChainContent, canonical, link_hash
from setacare_desktop.services import Database, audit
from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store.models import AuditEvent, utc_now


def _lsn(session: sa.orm.Session, function: str) -> int:
    return int(session.connection().exec_driver_sql(
        f"SELECT {function}() - '0/0'::pg_lsn").scalar_one())


def _rows(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))


def _holds_chain_lock(session: sa.orm.Session) -> bool:
    return bool(session.connection().exec_driver_sql(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND pid = pg_backend_pid()").scalar_one())


def test_an_audited_commit_returns_only_once_its_wal_is_on_disk(pg_db: Database) -> None:
    with pg_db.transaction() as session:
        audit.record(session, None, "test_durable", detail="test")
        pg_store.append_audit_queue(session)  # (what the commit does first)
        during = session.connection().exec_driver_sql("SHOW synchronous_commit").scalar_one()
        written = _lsn(session, "pg_current_wal_insert_lsn")  # the commit record comes after
    with pg_db.read() as session:
        flushed = _lsn(session, "pg_current_wal_flush_lsn")
        after = session.connection().exec_driver_sql("SHOW synchronous_commit").scalar_one()
        assert session.scalar(sa.select(AuditEvent.action).order_by(
            AuditEvent.id.desc()).limit(1)) == "test_durable"
    assert during == "off"  # the lock is let go without waiting for the disk ...
    assert flushed > written  # ... but the commit call waited for it afterwards
    assert after == "on"  # and the next transaction is back to the server's default


def test_a_transaction_that_chose_not_to_wait_is_not_flushed(pg_db: Database) -> None:
    with pg_db.transaction() as session:
        session.connection().exec_driver_sql("SET LOCAL synchronous_commit = off")
        audit.record(session, None, "test_relaxed", detail="test")
        pg_store.append_audit_queue(session)
        raw = session.connection().connection.dbapi_connection
        assert raw not in pg_store._FLUSH_AFTER_COMMIT
    with pg_db.transaction() as session:
        audit.record(session, None, "test_durable", detail="test")
        pg_store.append_audit_queue(session)
        raw = session.connection().connection.dbapi_connection
        assert raw in pg_store._FLUSH_AFTER_COMMIT
    assert raw not in pg_store._FLUSH_AFTER_COMMIT  # flushed and forgotten at the commit


@pytest.mark.parametrize("appended", [False, True])
def test_a_rolled_back_transaction_leaves_no_row(pg_db: Database, appended: bool) -> None:
    with pytest.raises(RuntimeError), pg_db.transaction() as session:
        audit.record(session, None, "test_rolled_back", detail="test")
        if appended:
            audit.chain_head(session)
        raw = session.connection().connection.dbapi_connection
        raise RuntimeError("abandon")
    assert raw not in pg_store._FLUSH_AFTER_COMMIT
    with pg_db.transaction() as session:  # the same pooled connection and its next session
        audit.record(session, None, "test_next", detail="test")
    assert [r.action for r in _rows(pg_db)] == ["test_next"]


def test_rows_wait_in_the_queue_without_the_lock_and_keep_the_time_of_the_action(
        pg_db: Database) -> None:
    other_done = threading.Event()

    def other() -> None:  # another counter's search meanwhile: it does not wait for this one
        with pg_db.transaction() as session:
            audit.record(session, None, "test_other", detail="test")
        other_done.set()

    with pg_db.transaction() as session:
        before = utc_now()
        audit.record(session, None, "test_queued", entity="consultation", entity_id=7,
                     fields=["main_complaint"])
        recorded = utc_now()
        assert session.connection().exec_driver_sql(
            "SELECT count(*) FROM audit_event").scalar_one() == 0  # not written yet
        assert not _holds_chain_lock(session)
        thread = threading.Thread(target=other)
        thread.start()
        assert other_done.wait(10)
        thread.join(10)
        time.sleep(0.05)
    rows = _rows(pg_db)
    assert [r.action for r in rows] == ["test_other", "test_queued"]  # commit order
    assert rows[1].prev_hash == rows[0].hash
    assert before <= rows[1].at <= recorded  # the time of the action, not of the commit
    assert audit.chain_status(pg_db).intact


def test_a_read_of_the_chain_sees_the_transactions_own_rows(pg_db: Database) -> None:
    with pg_db.transaction() as session:
        audit.record(session, None, "test_one", detail="test")
        audit.record(session, None, "test_two", detail="test")
        head = audit.chain_head(session)
        assert _holds_chain_lock(session)  # appended: the lock is held until the commit
        actions = list(session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
        audit.record(session, None, "test_three", detail="test")
    rows = _rows(pg_db)
    assert actions == ["test_one", "test_two"]
    assert head == rows[1].hash
    assert [r.action for r in rows] == ["test_one", "test_two", "test_three"]
    assert audit.chain_status(pg_db).intact


def test_any_read_of_the_trail_in_the_transaction_sees_its_rows(pg_db: Database) -> None:
    with pg_db.transaction() as session:
        audit.record(session, None, "test_one", detail="test")
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 1
        audit.record(session, None, "test_two", detail="test")
        assert session.scalar(sa.select(sa.func.count()).where(
            AuditEvent.id.in_(sa.select(AuditEvent.id).where(
                AuditEvent.action.like("test_%"))))) == 2
    assert [r.action for r in _rows(pg_db)] == ["test_one", "test_two"]
    assert audit.chain_status(pg_db).intact


def test_many_writers_at_once_leave_one_intact_chain(pg_db: Database) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with pg_db.transaction() as session:
                    audit.record(session, None, f"test_{n}_{i}", detail="test")
                    if i % 5 == 0:
                        audit.chain_head(session)  # (a sign-off's way: appended early)
                    audit.record(session, None, f"test_{n}_{i}_b", detail="test")
                if i % 4 == 0:
                    with pytest.raises(RuntimeError), pg_db.transaction() as session:
                        audit.record(session, None, "test_rolled_back", detail="test")
                        raise RuntimeError("abandon")
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    rows = _rows(pg_db)
    assert len(rows) == 6 * 15 * 2
    assert not any(r.action == "test_rolled_back" for r in rows)
    assert len({r.prev_hash for r in rows}) == len(rows)  # no fork
    report = audit.chain_status(pg_db)
    assert report.intact and report.count == len(rows) and report.head == rows[-1].hash


TRICKY = ChainContent(
    at=datetime(2026, 12, 1, 1, 2, 3, 4), staff_id=None, login="池尻\u3000ｶﾅ 'o\"k\\",
    action="consultation_view", entity=None, entity_id="12",
    fields=["相談内容", "na\"me", "back\\slash", "tab\there"],
    detail="改行\nと引用符 ' \" と絵文字 \U0001f600 と NUL 以外の制御文字 \x01")


def test_the_server_hashes_exactly_as_link_hash(pg_db: Database) -> None:
    with pg_db.transaction() as session:
        audit.record(session, None, "test_first")
    with pg_db.transaction() as session:
        pg_store.queue_audit_row(session, TRICKY)
        pg_store.queue_audit_row(session, ChainContent(TRICKY.at, None, "x", "y", None, None,
                                                       None, None))
    first, tricky, plain = _rows(pg_db)
    assert tricky.hash == link_hash(first.hash, TRICKY)
    assert (tricky.login, tricky.fields, tricky.detail, tricky.at) == (
        TRICKY.login, TRICKY.fields, TRICKY.detail, TRICKY.at)  # stored as hashed
    assert plain.fields is None and plain.prev_hash == tricky.hash
    with pg_db.read() as session:  # JSON null, as the ORM stored it before the append moved
        assert session.connection().exec_driver_sql(
            "SELECT fields::text FROM audit_event WHERE id = %s", (plain.id,)).scalar_one() == "null"
    assert audit.chain_status(pg_db).intact


def test_the_server_hash_of_a_lone_surrogate_matches(pg_db: Database) -> None:
    """PostgreSQL's text cannot hold a lone surrogate, so no such row can be stored, but the
    canonical form escapes it (ASCII JSON): the server hashes those bytes as Python does."""
    content = ChainContent(TRICKY.at, None, "x", "y", None, None, None, "lone \ud800")
    with pytest.raises(RuntimeError), pg_db.transaction() as session:
        head = audit.chain_head(session)
        _was, _ids, hashes = session.connection().exec_driver_sql(
            pg_store._APPEND_CALL, ([content.at], [None], ["x"], ["y"], [None], [None],
                                    [None], ["stand-in"], [canonical(content)])).one()
        assert hashes == [link_hash(head, content)]
        raise RuntimeError("roll back")
    assert _rows(pg_db) == []


def _migrate(db: Database, revision: str, action: Callable[..., None]) -> None:
    with importlib.resources.as_file(
            importlib.resources.files("setacare_desktop.migrations")) as location, \
            db.engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(location))
        config.attributes["connection"] = connection
        action(config, revision)


def _function_exists(db: Database) -> bool:
    with db.engine.connect() as connection:
        return bool(connection.exec_driver_sql(
            "SELECT count(*) FROM pg_proc WHERE proname = %s",
            (pg_store.AUDIT_APPEND_FUNCTION,)).scalar_one())


def test_migration_0022_round_trip(pg_owner_db: Database) -> None:
    assert _function_exists(pg_owner_db)
    _migrate(pg_owner_db, "0021", command.downgrade)
    assert not _function_exists(pg_owner_db)
    _migrate(pg_owner_db, "head", command.upgrade)
    assert _function_exists(pg_owner_db)
    with pg_owner_db.transaction() as session:
        audit.record(session, None, "test_after_round_trip")
    assert [r.action for r in _rows(pg_owner_db)] == ["test_after_round_trip"]
    assert audit.chain_status(pg_owner_db).intact
