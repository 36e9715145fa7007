"""The start-up schema check reads the revision without Alembic and must agree with Alembic."""

from __future__ import annotations

import sys

import pytest
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from setacare_desktop.services import Database, SchemaTooNewError
from setacare_desktop.store import database as store_database


def _alembic_script() -> ScriptDirectory:
    with store_database._script_location() as location:
        return ScriptDirectory(str(location))


def test_revisions_read_from_the_files_are_alembics() -> None:
    script = _alembic_script()
    known = store_database.known_revisions()
    assert known.revisions == {rev.revision for rev in script.walk_revisions()}
    assert known.head == script.get_current_head()


def test_current_revision_is_alembics(any_db: Database) -> None:
    with any_db.engine.connect() as connection:
        expected = MigrationContext.configure(connection).get_current_revision()
    assert any_db.current_revision() == expected == any_db.head_revision()


def test_a_database_at_head_opens_without_importing_alembic(db_path: object) -> None:
    saved = {name: module for name, module in sys.modules.items()
             if name == "alembic" or name.startswith("alembic.")}
    for name in saved:
        del sys.modules[name]
    try:
        Database.open(f"sqlite:///{db_path}").close()
        assert not [name for name in sys.modules if name.split(".")[0] == "alembic"]
    finally:
        sys.modules.update(saved)


def test_an_unknown_revision_is_still_refused(db_path: object) -> None:
    with sa.create_engine(f"sqlite:///{db_path}").begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'zz_future'")
    with pytest.raises(SchemaTooNewError):
        Database.open(f"sqlite:///{db_path}")


def test_an_empty_database_has_no_revision(tmp_path: object) -> None:
    db = Database.connect(f"sqlite:///{tmp_path}/empty.db")
    try:
        assert db.current_revision() is None
    finally:
        db.close()


def test_without_readable_migration_files_alembic_decides(
        db_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_database, "known_revisions",
                        lambda: store_database.KnownRevisions(frozenset(), None))
    db = Database.open(f"sqlite:///{db_path}")  # at head: neither refused nor migrated
    try:
        assert db.current_revision() == db.head_revision() == _alembic_script().get_current_head()
    finally:
        db.close()
