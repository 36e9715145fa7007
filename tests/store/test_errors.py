"""Driver errors reach the user as one Japanese family (store/errors.py), made by real failures
on real databases, never by hand: a lock held by another connection, a damaged file, a read-only
database, a unique key, a connection the server dropped. No SQL parameter is ever part of what
is shown or chained."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from setacare_desktop.services import Database
from setacare_desktop.store.errors import (
    DatabaseBusyError,
    DatabaseConflictError,
    DatabaseCorruptError,
    DatabaseError,
    DatabaseReadOnlyError,
    DatabaseUnavailableError,
)
from setacare_desktop.store.models import Area

SECRET = "秘密 花子 03-9999-0000"


def test_a_lock_held_too_long_is_busy_in_japanese(db_path: Path) -> None:
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    db = Database.connect(f"sqlite:///{db_path}")
    try:
        @sa.event.listens_for(db.engine, "connect")
        def _impatient(connection: object, _record: object) -> None:
            connection.execute("PRAGMA busy_timeout = 50")  # type: ignore[attr-defined]

        with pytest.raises(DatabaseBusyError, match="他の処理で使用中") as raised, \
                db.transaction() as session:
            session.add(Area(code="x", name=SECRET, sort_order=99))
        assert SECRET not in str(raised.value) and SECRET not in str(raised.value.__cause__)
    finally:
        holder.rollback()
        holder.close()
        db.close()


def test_a_damaged_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "setacare.db"
    path.write_bytes(b"not a database at all " * 512)
    with pytest.raises(DatabaseCorruptError, match="壊れている"):
        Database.open(f"sqlite:///{path}")


def test_a_read_only_database_says_so(db_path: Path) -> None:
    db = Database.connect(f"sqlite:///file:{db_path}?mode=ro&uri=true")
    try:
        with pytest.raises(DatabaseReadOnlyError, match="読み取り専用"), \
                db.transaction() as session:
            session.add(Area(code="x", name=SECRET, sort_order=99))
    finally:
        db.close()


def test_a_unique_key_is_a_conflict_without_the_values(any_db: Database) -> None:
    with any_db.read() as session:
        existing = session.scalars(sa.select(Area.code)).first()
    with pytest.raises(DatabaseConflictError, match="先に保存") as raised, \
            any_db.transaction() as session:
        session.add(Area(code=existing, name=SECRET, sort_order=99))
    chained = str(raised.value.__cause__)
    assert SECRET not in str(raised.value) and SECRET not in chained
    assert "hide_parameters" in chained  # SQLAlchemy's own note that it left them out


def test_postgresql_read_only_and_a_dropped_connection(pg_db: Database) -> None:
    with pytest.raises(DatabaseReadOnlyError), pg_db.transaction() as session:
        session.execute(sa.text("SET TRANSACTION READ ONLY"))
        session.add(Area(code="ro", name=SECRET, sort_order=99))
    with pytest.raises(DatabaseUnavailableError, match="接続できません"), \
            pg_db.transaction() as session:
        session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
    with pg_db.read() as session:  # the pool recovers: the next use case works
        assert session.scalar(sa.select(sa.func.count()).select_from(Area))


def test_every_member_is_a_service_error_with_a_japanese_message() -> None:
    from setacare_desktop.domain.errors import ServiceError

    for kind in (DatabaseError, DatabaseBusyError, DatabaseConflictError, DatabaseCorruptError,
                 DatabaseReadOnlyError, DatabaseUnavailableError):
        error = kind()
        assert isinstance(error, ServiceError)
        assert "保存されていません" in error.message or "バックアップ" in error.message
