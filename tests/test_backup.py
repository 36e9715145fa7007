"""``setacare backup`` / ``setacare restore`` (services/backup.py, cli_backup.py).

What an administrator would notice: the copy exists, is private and intact; a restore brings back
what the copy held and keeps the replaced database aside; a copy of a newer program, a file that
is not ours and a non-administrator are refused and nothing changes; a backup taken while another
program writes is a consistent snapshot.
"""

from __future__ import annotations

import io
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from setacare_desktop.app import main
from setacare_desktop.services import (
    Database,
    PermissionDeniedError,
    SchemaTooNewError,
    ServiceError,
    ValidationError,
    backup,
)
from setacare_desktop.store.models import Staff, utc_now

TEST_PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD


def _admin(db: Database, staff_factory: Callable[..., Any], login: str = "kanri") -> Any:
    return staff_factory(db, login, role="管理者", place="世田谷", org_kind="総合支所")


def _count(path: Path, sql: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute(sql).fetchone()[0])
    finally:
        connection.close()


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.execute(sql))
    finally:
        connection.close()


def _logins(db: Database) -> set[str]:
    with db.read() as session:
        return set(session.scalars(sa.select(Staff.login)))


def test_backup_and_restore_round_trip(db: Database, db_path: Path, tmp_path: Path,
                                       staff_factory: Callable[..., Any]) -> None:
    admin = _admin(db, staff_factory)
    staff_factory(db, "before")
    out = tmp_path / "copies" / "setacare-backup.db"
    out.parent.mkdir()

    made = backup.backup(db, admin, out)

    assert made.path == out and out.stat().st_size == made.size > 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert _rows(out, "PRAGMA integrity_check") == [("ok",)]
    assert not list(out.parent.glob("*-wal"))  # one self-contained file
    assert not list(db_path.parent.glob("setacare.db.bak-manual-*"))  # nothing left beside

    staff_factory(db, "after")  # written after the backup: gone once it is restored
    restored = backup.restore(db, admin, out)

    assert _logins(db) >= {"kanri", "before"} and "after" not in _logins(db)
    assert restored.set_aside.name.startswith("setacare.db.before-restore-")
    assert stat.S_IMODE(restored.set_aside.stat().st_mode) == 0o600
    aside = Database.open(f"sqlite:///{restored.set_aside}")
    try:
        assert "after" in _logins(aside)  # the replaced database is kept whole
    finally:
        aside.close()
    replaced = [row[0] for row in _rows(restored.set_aside,
                                         "SELECT action FROM audit_event ORDER BY id")]
    assert replaced[-1] == "database_restore" and "database_backup" in replaced
    last = _rows(db_path, "SELECT action, login FROM audit_event ORDER BY id DESC LIMIT 1")
    assert last == [("database_restore", "kanri")]  # the restored database says it was restored
    assert list(tmp_path.glob("*.restore-part*")) == []


def test_backup_refuses_to_overwrite_without_force(db: Database, tmp_path: Path,
                                                   staff_factory: Callable[..., Any]) -> None:
    admin = _admin(db, staff_factory)
    out = tmp_path / "b.db"
    out.write_bytes(b"keep me")
    with pytest.raises(ValidationError, match=r"--out: .*既にあります.*--force"):
        backup.backup(db, admin, out)
    assert out.read_bytes() == b"keep me"
    backup.backup(db, admin, out, force=True)
    assert out.read_bytes().startswith(b"SQLite format 3\x00")


def test_backup_never_writes_over_the_live_database(db: Database, db_path: Path,
                                                    staff_factory: Callable[..., Any]) -> None:
    admin = _admin(db, staff_factory)
    with pytest.raises(ValidationError, match="使用中のデータベース"):
        backup.backup(db, admin, db_path, force=True)


def test_wrong_role_is_refused_and_audited(db: Database, db_path: Path, tmp_path: Path,
                                           staff_factory: Callable[..., Any]) -> None:
    clerk = staff_factory(db, "clerk")
    supervisor = staff_factory(db, "boss", role="監督者")
    copy = tmp_path / "x.db"
    for actor in (clerk, supervisor):
        with pytest.raises(PermissionDeniedError, match="管理者のみ"):
            backup.backup(db, actor, copy)
        with pytest.raises(PermissionDeniedError, match="管理者のみ"):
            backup.restore(db, actor, db_path)
    assert not copy.exists()
    assert _count(db_path, "SELECT count(*) FROM audit_event WHERE action = 'permission_denied'"
                           " AND detail IN ('database_backup', 'database_restore')") == 4


def test_restore_of_a_newer_schema_is_refused(db: Database, db_path: Path, tmp_path: Path,
                                              staff_factory: Callable[..., Any]) -> None:
    admin = _admin(db, staff_factory)
    out = tmp_path / "newer.db"
    backup.backup(db, admin, out)
    connection = sqlite3.connect(out)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    staff_factory(db, "still-here")

    with pytest.raises(SchemaTooNewError):
        backup.restore(db, admin, out)

    assert "still-here" in _logins(db)
    assert not list(db_path.parent.glob("setacare.db.before-restore-*"))
    assert not list(db_path.parent.glob("*.restore-part*"))


def test_restore_refuses_a_database_that_is_not_ours(db: Database, db_path: Path,
                                                     tmp_path: Path,
                                                     staff_factory: Callable[..., Any]) -> None:
    admin = _admin(db, staff_factory)
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE notes (x TEXT)")
    connection.close()
    text = tmp_path / "notes.txt"
    text.write_text("not a database", encoding="utf-8")
    with pytest.raises(ServiceError, match="SetaCare Desktop のデータベースではありません"):
        backup.restore(db, admin, other)
    with pytest.raises(ServiceError, match="SQLite のデータベースファイルではありません"):
        backup.restore(db, admin, text)
    with pytest.raises(ValidationError, match="見つかりません"):
        backup.restore(db, admin, tmp_path / "missing.db")
    assert "kanri" in _logins(db)
    assert not list(db_path.parent.glob("setacare.db.before-restore-*"))


def test_postgresql_points_to_pg_dump(pg_db: Database, tmp_path: Path,
                                      staff_factory: Callable[..., Any]) -> None:
    admin = _admin(pg_db, staff_factory)
    with pytest.raises(ServiceError, match="pg_dump"):
        backup.backup(pg_db, admin, tmp_path / "b.db")
    with pytest.raises(ServiceError, match="pg_restore"):
        backup.restore(pg_db, admin, tmp_path / "b.db")
    assert backup.backup_reminder(pg_db, admin) is None


def test_reminder_for_administrators_only(db: Database, tmp_path: Path,
                                          staff_factory: Callable[..., Any]) -> None:
    admin = _admin(db, staff_factory)
    clerk = staff_factory(db, "clerk")
    assert "まだありません" in (backup.backup_reminder(db, admin) or "")
    assert backup.backup_reminder(db, clerk) is None
    backup.backup(db, admin, tmp_path / "b.db")
    assert backup.backup_reminder(db, admin) is None
    later = utc_now() + timedelta(days=8)
    assert "8 日" in (backup.backup_reminder(db, admin, now=later) or "")
    assert backup.backup_reminder(db, admin, days=10, now=later) is None


# --- while another program writes --------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys
    from setacare_desktop.services import Database, audit

    db = Database.open(f"sqlite:///{sys.argv[1]}")
    written = 0
    while True:
        with db.transaction() as session:
            audit.record(session, None, "test_write", detail=str(written))
        written += 1
        if written == 50:
            print("WRITING", flush=True)
""")


@pytest.mark.slow
def test_backup_while_another_process_writes_is_consistent(
        db: Database, db_path: Path, tmp_path: Path, staff_factory: Callable[..., Any]) -> None:
    admin = _admin(db, staff_factory)
    rows = "SELECT count(*) FROM audit_event WHERE action = 'test_write'"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "WRITING"
        before = _count(db_path, rows)
        out = tmp_path / "during.db"
        backup.backup(db, admin, out)
        after = _count(db_path, rows)
        time.sleep(0.2)
        assert writer.poll() is None  # still writing: the backup never stopped it
    finally:
        writer.kill()
        writer.communicate()
    copied = _count(out, rows)
    assert _rows(out, "PRAGMA integrity_check") == [("ok",)]
    assert before <= copied <= after
    assert after > before  # the writer did write during the backup
    numbers = [int(r[0]) for r in _rows(
        out, "SELECT detail FROM audit_event WHERE action = 'test_write' ORDER BY id")]
    assert numbers == list(range(copied))  # a snapshot: no gap, nothing half-written


# --- the command line --------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_backup_and_restore(db: Database, db_path: Path, tmp_path: Path,
                                staff_factory: Callable[..., Any],
                                capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    _admin(db, staff_factory)
    staff_factory(db, "clerk")
    db.close()
    out = tmp_path / "cli.db"
    base = ["--database", str(db_path)]
    acting = ["--as", "kanri", "--password-stdin"]

    code, printed, err = run(capsys, monkeypatch, *base, "backup", "--out", str(out), *acting)
    assert (code, err) == (0, "") and "バックアップを作成しました" in printed and out.exists()

    code, _, err = run(capsys, monkeypatch, *base, "backup", "--out", str(out), *acting)
    assert code == 2 and "--force" in err

    code, _, err = run(capsys, monkeypatch, *base, "backup", "--out", str(tmp_path / "c.db"),
                       "--as", "clerk", "--password-stdin")
    assert code == 1 and "管理者のみ" in err and not (tmp_path / "c.db").exists()

    code, printed, err = run(capsys, monkeypatch, *base, "restore", str(out), *acting)
    assert (code, err) == (0, "") and "データベースを戻しました" in printed
    assert "before-restore-" in printed
