"""Opening the database for the window or a command, and what ``setacare info`` shows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from setacare_desktop import __version__
from setacare_desktop.services import audit
from setacare_desktop.services.errors import ServiceError
from setacare_desktop.settings import Settings
from setacare_desktop.store.database import Database, MigrationReport, display_url
from setacare_desktop.store.models import Consultation, Staff


def in_memory(url: str) -> bool:
    """A SQLite database that lives in memory only (nothing would be kept)."""
    parsed = make_url(url)
    name = parsed.database or ""
    return parsed.get_backend_name() == "sqlite" and (
        name in ("", ":memory:") or "mode=memory" in name
        or parsed.query.get("mode") == "memory")


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """Open (and by default migrate) the database the settings name.

    Every failure is a Japanese ServiceError: the store's DatabaseError family (a damaged or
    empty file, a newer or unversioned schema, a failed pre-migration backup, a server that does
    not answer), or a data folder that cannot be made.
    """
    try:
        if in_memory(settings.database_url):
            raise ServiceError(
                "メモリー上のデータベース（sqlite://、:memory:）は使えません。終了とともに記録が"
                "すべて失われるためです。SQLite のファイルの場所か PostgreSQL の URL を指定してください。")
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database.open(settings.database_url, migrate=migrate)
        if migrate:  # the audit table's append-only triggers, recreated if dropped (audited)
            _restore_audit_protection(db)
        db.local_folder = settings.data_dir
        return db
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        # The URL itself is not understood (it may hold a password: not quoted back).
        raise ServiceError(
            "データベースの URL を読めません（--database または SETACARE_DATABASE_URL）。"
            "postgresql+psycopg://利用者@サーバー/データベース名 の形か、SQLite のファイルの"
            "場所を指定してください。") from error
    except ImportError as error:
        raise ServiceError(
            "このデータベースのドライバーがインストールされていません。PostgreSQL なら "
            "pip install \".[postgresql]\" でインストールしてください。") from error
    except OperationalError as error:  # raised before the store translates (engine set-up)
        raise ServiceError(
            f"データベースに接続できません（{display_url(settings.database_url)}）。"
            "接続先と権限を確認してください。") from error
    except OSError as error:
        raise ServiceError(
            f"データフォルダーを作成できません（{settings.data_dir}）。フォルダーの場所と権限、"
            "空き容量を確認してください（--data-dir または SETACARE_DATA_DIR）。") from error


def _restore_audit_protection(db: Database) -> None:
    try:
        audit.restore_protection(db)
    except BaseException:
        db.close()
        raise


def schema_revisions(db: Database) -> tuple[str | None, str]:
    """(the database's revision, the newest this program knows)."""
    return db.current_revision(), db.head_revision()


def upgrade(db: Database) -> MigrationReport:
    return db.upgrade()


@dataclass(frozen=True, slots=True)
class SystemInfo:
    version: str
    data_dir: str
    database_url: str
    backend: str
    schema_revision: str | None
    head_revision: str
    staff_count: int
    consultation_count: int


def info(db: Database, settings: Settings) -> SystemInfo:
    with db.read() as session:
        staff = int(session.scalar(select(func.count()).select_from(Staff)) or 0)
        cases = int(session.scalar(select(func.count()).select_from(Consultation)) or 0)
    return SystemInfo(__version__, str(settings.data_dir), db.url, db.engine.dialect.name,
                      db.current_revision(), db.head_revision(), staff, cases)
