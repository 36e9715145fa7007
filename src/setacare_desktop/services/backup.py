"""Backing up and restoring the SQLite database on request (``setacare backup`` / ``restore``).

Administrators only (``guard.require_account_manager``), audited. The backup is SQLite's online
backup (``store.sqlite.backup_file``, the same copy taken before a migration), so it may run while
the window is open and writing; the copy is checked (SQLite's integrity_check) before it is
handed over under the name asked for, readable by its owner only. A restore checks the file first
(a SQLite database of ours, intact, not written by a newer program), keeps the current database
aside as ``<name>.before-restore-<time>``, then writes the copy into the live file through the
backup API (so a program that has it open never writes into a file swapped from under it).

A ward server on PostgreSQL is backed up with its own tools (``pg_dump`` / ``pg_restore``).
"""

from __future__ import annotations

import contextlib
import errno
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from setacare_desktop.domain import roles
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit, guard, preferences
from setacare_desktop.services.errors import Problem, ServiceError, ValidationError
from setacare_desktop.services.files import check_target, reason_of, write_error
from setacare_desktop.services.unit import use_case
from setacare_desktop.store import sqlite as sqlite_store
from setacare_desktop.store import sqlite_copies
from setacare_desktop.store.database import Database
from setacare_desktop.store.errors import DatabaseCorruptError, translate
from setacare_desktop.store.models import AuditEvent, utc_now

ACTION_BACKUP = "database_backup"
ACTION_RESTORE = "database_restore"
#: The window reminds administrators when the newest backup is older than this (days).
DEFAULT_REMINDER_DAYS = 7
REMINDER_KEY = "backup_reminder_days"
REMINDER_MIN, REMINDER_MAX = 1, 365
#: The setting's name in messages (and the command line's help).
REMINDER_FIELD = "バックアップを促すまでの日数"

POSTGRESQL_TOOLS = (
    "このコマンドは SQLite のデータベース専用です。PostgreSQL のデータベースは、サーバーの"
    "pg_dump でバックアップし、pg_restore で復元してください（docs/deployment.md）。")


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size: int
    revision: str | None


@dataclass(frozen=True, slots=True)
class RestoreResult:
    set_aside: Path
    restored_revision: str | None
    revision: str


def _live_file(db: Database) -> Path:
    if not db.is_sqlite:
        raise ServiceError(POSTGRESQL_TOOLS)
    path = sqlite_store.database_file(db.engine)
    if path is None:
        raise ServiceError("メモリー上のデータベースはバックアップ・復元できません。")
    return path


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        return a.resolve() == b.resolve()
    return False


def _check_out(out: Path, live: Path, force: bool) -> Path:
    if any(_same_file(out, live.with_name(live.name + suffix)) for suffix in ("", "-wal", "-shm")):
        raise ValidationError([Problem("--out", f"{out} は使用中のデータベースです。別のファイル名を指定してください")])
    if out.exists() and not out.is_dir():
        if not force:
            raise ValidationError([Problem(
                "--out", f"{out} は既にあります。上書きする場合は --force を付けてください")])
        if not os.access(out, os.W_OK) or not os.access(out.parent, os.W_OK | os.X_OK):
            raise ValidationError([Problem("--out", f"{out} に書き込めません（読み取り専用か権限がありません）")])
        return out
    try:
        return check_target(out)
    except ServiceError as error:
        raise ValidationError([Problem("--out", error.message)]) from None


def _hand_over(copy: Path, out: Path) -> None:
    """Move the checked copy to ``out`` (a rename, or a copy when ``out`` is on another disk)."""
    try:
        os.replace(copy, out)
        sqlite_copies.fsync_folder(out.parent)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        sqlite_copies.copy_private(copy, out)


@use_case
def backup(db: Database, actor: StaffProfile, out: Path, *, force: bool = False) -> BackupResult:
    """Copy the live SQLite database to ``out`` (0600), checked; audited."""
    guard.require_account_manager(actor, ACTION_BACKUP)
    live = _live_file(db)
    out = _check_out(Path(out), live, force)
    copy = sqlite_store.backup_file(live, "manual", keep=sqlite_store.backups_to_keep() + 1)
    try:
        sqlite_copies.make_standalone(copy)
        facts = sqlite_copies.inspect_copy(copy)
        if facts.integrity != "ok":
            raise DatabaseCorruptError(
                "バックアップのコピーの検査（integrity_check）で問題が見つかりました。データベースが"
                "壊れている可能性があります。バックアップは書き出していません。システム管理者に連絡してください。")
        _hand_over(copy, out)
    except sqlite_store.Error as error:
        raise translate(error) from error
    except OSError as error:
        raise write_error(out, error) from error
    finally:
        with contextlib.suppress(OSError):
            copy.unlink(missing_ok=True)
    with db.transaction() as session:
        audit.record(session, actor, ACTION_BACKUP, entity="database", detail=out.name)
    return BackupResult(out, out.stat().st_size, facts.revision)


def _staged(source: Path, live: Path) -> Path:
    """A private working copy of the file to restore, beside the live database."""
    if not source.is_file():
        raise ValidationError([Problem("ファイル", f"{source} が見つかりません")])
    sqlite_store.check_database_file(source)
    staged = live.with_name(live.name + ".restore-part")
    try:
        sqlite_copies.copy_private(source, staged)
    except sqlite_store.Error as error:
        raise translate(error) from error
    except OSError as error:
        raise ServiceError(f"{source} を読み込めません（{reason_of(error)}）。") from error
    return staged


def _check_staged(staged: Path, source: Path) -> str | None:
    try:
        facts = sqlite_copies.inspect_copy(staged)
    except sqlite_store.Error as error:
        raise translate(error) from error
    if facts.integrity != "ok":
        raise DatabaseCorruptError(
            f"{source} は壊れています（integrity_check で問題が見つかりました）。復元しません。"
            "現在のデータベースはそのままです。")
    if not facts.ours:
        raise ServiceError(f"{source} は SetaCare Desktop のデータベースではありません。復元しません。"
                           "現在のデータベースはそのままです。")
    probe = Database.connect(f"sqlite:///{staged}")
    try:
        probe.check_not_newer()  # SchemaTooNewError: written by a newer program
    finally:
        probe.close()
    return facts.revision


@use_case(sessions=2)
def restore(db: Database, actor: StaffProfile, source: Path) -> RestoreResult:
    """Replace the live SQLite database with the backup ``source``; audited on both sides.

    Two transactions, on purpose: the first records the restore in the database being replaced
    (so the copy kept aside says who replaced it), the second in the restored one.
    """
    guard.require_account_manager(actor, ACTION_RESTORE)
    live = _live_file(db)
    source = Path(source)
    if any(_same_file(source, live.with_name(live.name + s)) for s in ("", "-wal", "-shm")):
        raise ValidationError([Problem("ファイル", f"{source} は使用中のデータベースです")])
    staged = _staged(source, live)
    try:
        restored_revision = _check_staged(staged, source)
        with db.transaction() as session:
            audit.record(session, actor, ACTION_RESTORE, entity="database",
                         detail=f"replaced by {source.name}")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = live.with_name(f"{live.name}.before-restore-{stamp}")
        try:
            sqlite_copies.copy_private(live, aside)
            sqlite_copies.restore_into(staged, live)
        except sqlite_store.Error as error:
            raise translate(error) from error
        except OSError as error:
            raise write_error(aside, error) from error
        report = db.upgrade()  # an older backup is brought to this program's schema
        with db.transaction() as session:
            # The restored database may not know this account: the login alone is recorded.
            audit.record(session, None, ACTION_RESTORE, entity="database", login=actor.login,
                         detail=f"restored from {source.name}")
    finally:
        for leftover in (staged, staged.with_name(staged.name + "-wal"),
                         staged.with_name(staged.name + "-shm")):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
    return RestoreResult(aside, restored_revision, report.to_revision)


@use_case
def reminder_days(db: Database) -> int:
    """Days after the last backup when administrators are reminded (a setting for every PC)."""
    with db.read() as session:
        return preferences.stored_number(session, REMINDER_KEY, DEFAULT_REMINDER_DAYS,
                                         REMINDER_MIN, REMINDER_MAX)


@use_case
def set_reminder_days(db: Database, actor: StaffProfile, text: str) -> int:
    """An administrator sets those days (typed text, 1–365); audited, refused for others."""
    with db.transaction() as session:
        guard.require_account_manager(actor, "preference_change")
        days = preferences.whole_number(text, REMINDER_FIELD, REMINDER_MIN, REMINDER_MAX, "日")
        before = preferences.stored_number(session, REMINDER_KEY, DEFAULT_REMINDER_DAYS,
                                           REMINDER_MIN, REMINDER_MAX)
        preferences.store_number(session, actor, REMINDER_KEY, days, before)
        return days


@use_case
def backup_reminder(db: Database, actor: StaffProfile, *, days: int | None = None,
                    now: datetime | None = None) -> str | None:
    """For the window: a reminder when the newest backup is ``days`` old or more (or none yet);
    ``days`` defaults to the administrator's setting (:func:`reminder_days`).

    Only administrators are reminded, and only on SQLite (PostgreSQL is the server's business).
    """
    if not db.is_sqlite or not roles.can_manage_accounts(actor):
        return None
    with db.read() as session:
        if days is None:
            days = preferences.stored_number(session, REMINDER_KEY, DEFAULT_REMINDER_DAYS,
                                             REMINDER_MIN, REMINDER_MAX)
        last = session.scalar(select(func.max(AuditEvent.at))
                              .where(AuditEvent.action == ACTION_BACKUP))
    if last is None:
        return ("データベースのバックアップがまだありません。バックアップを作成し、"
                "別の媒体に保管してください。")
    age = ((now or utc_now()) - last) // timedelta(days=1)
    if age < days:
        return None
    return (f"最後のバックアップから {age} 日たっています。バックアップを作成し、"
            "別の媒体に保管してください。")
