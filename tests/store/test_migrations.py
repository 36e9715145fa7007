"""Migrations: empty to head on SQLite and PostgreSQL, backup before upgrading, newer refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

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
