"""Migrations: empty to head on SQLite and PostgreSQL, backup before upgrading, newer refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from schema import undo_after
from setacare_desktop.services import Database, SchemaTooNewError
from setacare_desktop.store.errors import DatabaseConflictError
from setacare_desktop.store.models import Area, District, Organisation, TargetGroup


def test_empty_to_head_loads_reference_data(any_db: Database) -> None:
    assert any_db.current_revision() == any_db.head_revision()
    with any_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Area)) == 5
        assert session.scalar(sa.select(sa.func.count()).select_from(District)) == 28
        # 4 partners in each of the 28 districts plus one branch per area
        assert session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 28 * 4 + 5
        assert session.get(TargetGroup, "elderly").label == "高齢者"  # type: ignore[union-attr]
        assert session.scalar(
            sa.select(Organisation.name).where(Organisation.district_code == "futakotamagawa",
                                               Organisation.kind == "anshin")
        ) == "二子玉川あんしんすこやかセンター"


def test_fresh_sqlite_file_is_created_without_backup(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.db"
    db = Database.open(f"sqlite:///{path}")
    db.close()
    assert path.exists()
    assert not list(path.parent.glob("*.bak-*"))


def test_database_from_a_newer_program_is_refused(db_path: Path) -> None:
    with sa.create_engine(f"sqlite:///{db_path}").begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(SchemaTooNewError, match="新しいバージョン"):
        Database.open(f"sqlite:///{db_path}")


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(any_db: Database) -> None:
    with pytest.raises(DatabaseConflictError), any_db.transaction() as session:
        session.add(District(code="nowhere", name="架空", area_code="no-area", sort_order=99))


def test_models_and_migrations_agree(any_db: Database) -> None:
    """Autogenerate finds nothing to do: every model change came with its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from setacare_desktop.store.models import Base

    def mapped(obj: object, name: str | None, type_: str, *_: object) -> bool:
        # The search index tables are backend-specific by design (store.sqlite/postgresql).
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
        return not str(table).startswith(("search_fts", "search_pg"))

    with any_db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": mapped})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_0014_refolds_the_person_keys_stored_by_the_older_folding(db_path: Path) -> None:
    """A person saved before the published 旧字体 table (關口, stored key 「關口」) is found as
    関口 after the upgrade; the stored name itself is not touched."""
    from alembic.script import ScriptDirectory

    from setacare_desktop.domain.kana import name_key, reading_key

    Database.open(f"sqlite:///{db_path}").close()
    engine = sa.create_engine(f"sqlite:///{db_path}")
    scripts = ScriptDirectory("db")
    before = scripts.get_revision("0014").down_revision
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO person (district_code, name, reading, name_key, reading_key, address_town,"
            " address_rest, phone, phone_digits, created_at, updated_at) VALUES ('ikejiri',"
            " '關口 榮', 'せきぐち さかえ', '關口榮', 'せきぐちさかえ', '', '', '', '',"
            " '2026-01-05 10:00:00', '2026-01-05 10:00:00'),"
            " ('ikejiri', '大野 キヤ', 'おーの きや', '大野きや', 'おーのきや', '', '', '', '',"
            " '2026-01-05 10:00:00', '2026-01-05 10:00:00')")
        undo_after(conn, before)  # the later migrations run again
        conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{before}'")
    engine.dispose()
    Database.open(f"sqlite:///{db_path}").close()
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, name_key, reading_key FROM person ORDER BY id").all()
    engine.dispose()
    assert rows == [("關口 榮", name_key("関口栄"), reading_key("せきぐちさかえ")),
                    ("大野 キヤ", name_key("大野きや"), reading_key("おおのきや"))]
