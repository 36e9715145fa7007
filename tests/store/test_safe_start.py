"""Safe start: what is found where the database should be, and the backup before a migration.

A zero-length or non-SQLite file and a database without a schema record are refused and left
alone; a migration runs only after a whole backup is on disk; a failed backup leaves no partial or
empty ``.bak``; old backups are pruned to the newest five (``SETACARE_KEEP_BACKUPS``).
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest
import sqlalchemy as sa

from migration_0013 import without_0013
from setacare_desktop.services import Database
from setacare_desktop.store import sqlite as sqlite_store
from setacare_desktop.store.errors import DiskFullError
from setacare_desktop.store.start_errors import (
    BackupError,
    BackupSpaceError,
    EmptyDatabaseFileError,
    NotADatabaseFileError,
    UnversionedDatabaseError,
)
from tmpfs import small_disk


def one_revision_behind(path: Path) -> Path:
    """The database as the previous release left it: schema 0007, without 0008's index."""
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_referral_referred_on")
        without_0013(connection)
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0007'")
    engine.dispose()
    return path


def revision(path: Path) -> str:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return str(connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                       .scalar())
    finally:
        engine.dispose()


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.bak-*"))


def test_a_path_that_does_not_exist_yet_becomes_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "new" / "setacare.db"
    Database.open(f"sqlite:///{path}").close()
    assert revision(path) and backups(path) == []


def test_a_zero_length_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "setacare.db"
    path.touch()
    for _attempt in range(2):
        with pytest.raises(EmptyDatabaseFileError, match="空です（0 バイト）") as raised:
            Database.open(f"sqlite:///{path}")
        assert str(path) in raised.value.message
    assert path.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["setacare.db"]


def test_a_file_that_is_not_sqlite_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "setacare.db"
    content = os.urandom(64 * 1024)
    path.write_bytes(content)
    with pytest.raises(NotADatabaseFileError, match="SQLite のデータベースファイルではありません"):
        Database.open(f"sqlite:///{path}")
    assert path.read_bytes() == content and backups(path) == []


def test_tables_without_a_schema_record_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE legacy_note (id INTEGER PRIMARY KEY, body TEXT)")
        connection.exec_driver_sql("INSERT INTO legacy_note (body) VALUES ('keep me')")
    with pytest.raises(UnversionedDatabaseError, match="alembic_version"):
        Database.open(f"sqlite:///{path}")
    assert sa.inspect(engine).get_table_names() == ["legacy_note"]  # nothing created
    engine.dispose()
    assert backups(path) == []


def test_the_backup_is_whole_and_the_migration_runs(db_path: Path) -> None:
    one_revision_behind(db_path)
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE district SET name = 'keep me' WHERE code = 'ikejiri'")
    engine.dispose()
    db = Database.open(f"sqlite:///{db_path}")
    db.close()
    [backup] = backups(db_path)
    assert not backup.name.endswith(".part") and revision(backup) == "0007"
    with sa.create_engine(f"sqlite:///{backup}").connect() as connection:
        assert connection.exec_driver_sql(
            "SELECT name FROM district WHERE code = 'ikejiri'").scalar() == "keep me"
    assert revision(db_path) != "0007"


class _Usage(NamedTuple):
    total: int
    used: int
    free: int


def test_too_little_free_space_stops_the_migration_before_any_copy(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one_revision_behind(db_path)
    size = db_path.stat().st_size
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: _Usage(10 * size, 9 * size, size))
    for _start in range(2):  # every start: refused again, nothing left behind
        with pytest.raises(BackupSpaceError, match="空き容量が足りません") as raised:
            Database.open(f"sqlite:///{db_path}")
        assert isinstance(raised.value, DiskFullError)
        assert "データベースは更新していません" in raised.value.message
    assert backups(db_path) == [] and revision(db_path) == "0007"


def test_a_backup_failing_half_way_leaves_no_partial_copy(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one_revision_behind(db_path)

    def half_then_full(path: Path, partial: Path) -> None:
        partial.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sqlite_store, "_copy", half_then_full)
    with pytest.raises(BackupError, match=r"バックアップ.*作成できませんでした"):
        Database.open(f"sqlite:///{db_path}")
    assert backups(db_path) == [] and revision(db_path) == "0007"


def test_a_full_disk_during_the_backup_leaves_nothing_on_a_real_small_disk(
        db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real ENOSPC: the free-space check is told there is room, the disk says otherwise."""
    one_revision_behind(db_path)
    size = db_path.stat().st_size
    with small_disk(tmp_path / "disk", size + size // 2) as disk:
        path = disk / "setacare.db"
        shutil.copyfile(db_path, path)
        monkeypatch.setattr(shutil, "disk_usage", lambda _p: _Usage(10**12, 0, 10**12))
        for _start in range(2):
            with pytest.raises(BackupError, match="空き容量が足りません"):
                Database.open(f"sqlite:///{path}")
            assert sorted(p.name for p in disk.iterdir()) == ["setacare.db"]
        assert revision(path) == "0007"


def _fake_backups(path: Path, count: int) -> list[Path]:
    made = []
    for i in range(count):
        old = path.with_name(f"{path.name}.bak-000{i}-2026010{i}-120000")
        shutil.copyfile(path, old)
        os.utime(old, ns=(1_700_000_000_000_000_000 + i * 10**9,) * 2)
        made.append(old)
    return made


def test_old_backups_are_pruned_to_the_newest_five(db_path: Path) -> None:
    one_revision_behind(db_path)
    made = _fake_backups(db_path, 7)
    empty = db_path.with_name(f"{db_path.name}.bak-0007-20260102-000000")
    empty.touch()  # what a failed backup of an older release left behind
    partial = db_path.with_name(f"{db_path.name}.bak-0007-20260103-000000.part")
    partial.write_bytes(b"half")
    report = Database.connect(f"sqlite:///{db_path}").upgrade()
    assert report.backup is not None
    assert backups(db_path) == sorted([*made[-4:], report.backup])


def test_how_many_backups_are_kept_is_set_by_environment(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one_revision_behind(db_path)
    made = _fake_backups(db_path, 4)
    monkeypatch.setenv(sqlite_store.ENV_KEEP_BACKUPS, "2")
    report = Database.connect(f"sqlite:///{db_path}").upgrade()
    assert backups(db_path) == sorted([made[-1], report.backup])  # type: ignore[list-item]


@pytest.mark.parametrize(("text", "keep"), [("", 5), ("3", 3), ("0", 1), ("many", 5)])
def test_the_number_to_keep_is_read_forgivingly(text: str, keep: int) -> None:
    assert sqlite_store.backups_to_keep({sqlite_store.ENV_KEEP_BACKUPS: text}) == keep
