"""PostgreSQL: an audited transaction does not hold the audit chain's lock while its commit waits
for the disk (issue 17, item 6), yet a commit that returns is on disk, the relaxed setting stays
inside that one transaction, and a caller that already chose not to wait is not made to wait."""

from __future__ import annotations

import itertools
import threading

import sqlalchemy as sa

from setacare_desktop.services import Database, audit
from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store.models import AuditEvent


def _lsn(session: sa.orm.Session, function: str) -> int:
    return int(session.connection().exec_driver_sql(
        f"SELECT {function}() - '0/0'::pg_lsn").scalar_one())


def test_an_audited_commit_returns_only_once_its_wal_is_on_disk(pg_db: Database) -> None:
    with pg_db.transaction() as session:
        audit.record(session, None, "test_durable", detail="test")
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
        raw = session.connection().connection.dbapi_connection
        assert raw not in pg_store._FLUSH_AFTER_COMMIT
    with pg_db.transaction() as session:
        audit.record(session, None, "test_durable", detail="test")
        raw = session.connection().connection.dbapi_connection
        assert raw in pg_store._FLUSH_AFTER_COMMIT
    assert raw not in pg_store._FLUSH_AFTER_COMMIT  # flushed and forgotten at the commit


def test_a_rolled_back_transaction_forgets_its_flush(pg_db: Database) -> None:
    try:
        with pg_db.transaction() as session:
            audit.record(session, None, "test_rolled_back", detail="test")
            raw = session.connection().connection.dbapi_connection
            raise RuntimeError("abandon")
    except RuntimeError:
        pass
    assert raw not in pg_store._FLUSH_AFTER_COMMIT
    with pg_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).where(
            AuditEvent.action == "test_rolled_back")) == 0


def test_concurrent_audited_commits_keep_one_unbroken_chain(pg_db: Database) -> None:
    def writer(n: int) -> None:
        for i in range(15):
            with pg_db.transaction() as session:
                audit.record(session, None, f"test_{n}_{i}", detail="test")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    with pg_db.read() as session:
        rows = list(session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
    assert sum(r.action.startswith("test_") for r in rows) == 90
    for before, row in itertools.pairwise(rows):
        assert row.prev_hash == before.hash
