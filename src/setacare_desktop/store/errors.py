"""Database failures as the user reads them: one family, translated at the store's edge.

Whatever the driver says (sqlite3's result codes, PostgreSQL's SQLSTATE), the rest of the program
sees a :class:`DatabaseError` subclass whose message is Japanese, says what to do, and carries no
SQL and no parameter values (the engines are created with ``hide_parameters=True`` as well, so not
even the chained cause holds a person's name).
"""

from __future__ import annotations

from setacare_desktop.domain.errors import ServiceError


class DatabaseError(ServiceError):
    """The database could not do what was asked; nothing of this operation was saved."""

    default = ("データベースの処理に失敗しました。この操作の内容は保存されていません。"
               "もう一度操作し、続く場合はシステム管理者に連絡してください。")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default)


class DatabaseBusyError(DatabaseError):
    default = ("データベースが他の処理で使用中のため、操作を完了できませんでした。"
               "この操作の内容は保存されていません。しばらく待ってからもう一度操作してください。")


class DatabaseCorruptError(DatabaseError):
    default = ("データベースのファイルが壊れているか、SetaCare Desktop のデータベースではありません。"
               "バックアップ（setacare.db.bak-…）から戻すか、システム管理者に連絡してください。")


class DatabaseReadOnlyError(DatabaseError):
    default = ("データベースに書き込めません（読み取り専用です）。この操作の内容は保存されていません。"
               "データフォルダーとファイルの権限を確認してください。")


class DiskFullError(DatabaseError):
    default = ("ディスクの空き容量が足りないため、書き込めませんでした。この操作の内容は保存されていません。"
               "空き容量を確保してからもう一度操作してください。")


class DatabaseUnavailableError(DatabaseError):
    default = ("データベースに接続できません。この操作の内容は保存されていません。"
               "ネットワークと接続先（--database または SETACARE_DATABASE_URL）を確認してください。")


class DatabaseConflictError(DatabaseError):
    """A uniqueness or reference rule refused the write (often: someone else was faster)."""

    default = ("同じ記録が他の操作で先に保存されたため、保存できませんでした。この操作の内容は保存されていません。"
               "画面を更新してからもう一度操作してください。")


class DatabaseFileUnavailableError(DatabaseUnavailableError):
    """SQLite cannot open its file: a folder it may not write in, a path that is not there."""

    default = ("データベースのファイルを開けません。この操作の内容は保存されていません。"
               "データフォルダーとファイルの場所・権限を確認してください（読み取り専用のフォルダー"
               "では開けません）。")


class SchemaTooNewError(DatabaseError):
    """The database was written by a newer SetaCare Desktop than this one."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            f"このデータベースは新しいバージョンの SetaCare Desktop で作成されています"
            f"（スキーマ {revision}）。プログラムを更新してから開いてください。"
        )
        self.revision = revision


class UpgradeNotPermittedError(DatabaseError):
    """The schema is behind this program, and this connection's role may not migrate it (a
    counter PC on the ward server, connected as the application role)."""

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(
            f"データベースの更新（スキーマ {current} → {head}）が必要ですが、この接続の利用者には"
            "更新の権限がありません。データベースの管理者に、所有者のロールで setacare db upgrade "
            "を実行するよう依頼してください（docs/deployment.md）。データベースは変更していません。")
        self.current = current
        self.head = head


# sqlite3 primary result codes (https://sqlite.org/rescode.html)
_SQLITE = {
    5: DatabaseBusyError,  # SQLITE_BUSY
    6: DatabaseBusyError,  # SQLITE_LOCKED
    8: DatabaseReadOnlyError,  # SQLITE_READONLY
    10: DatabaseError,  # SQLITE_IOERR
    11: DatabaseCorruptError,  # SQLITE_CORRUPT
    13: DiskFullError,  # SQLITE_FULL
    14: DatabaseFileUnavailableError,  # SQLITE_CANTOPEN
    19: DatabaseConflictError,  # SQLITE_CONSTRAINT
    26: DatabaseCorruptError,  # SQLITE_NOTADB
}
# SQLITE_IOERR extended codes that mean the disk is full or the file went away
_SQLITE_EXTENDED = {
    10 | (13 << 8): DiskFullError,  # SQLITE_IOERR_WRITE (ENOSPC on write)
    10 | (4 << 8): DiskFullError,  # SQLITE_IOERR_FSYNC
}

# PostgreSQL SQLSTATE classes and codes
_POSTGRES = {
    "40001": DatabaseBusyError,  # serialization_failure
    "40P01": DatabaseBusyError,  # deadlock_detected
    "55P03": DatabaseBusyError,  # lock_not_available
    "57014": DatabaseBusyError,  # query_canceled (statement timeout)
    "25006": DatabaseReadOnlyError,  # read_only_sql_transaction
    "53100": DiskFullError,  # disk_full
    "XX001": DatabaseCorruptError,  # data_corrupted
}
_POSTGRES_CLASSES = {
    "08": DatabaseUnavailableError,  # connection exception
    "23": DatabaseConflictError,  # integrity constraint violation
    "53": DatabaseBusyError,  # insufficient resources (too many connections …)
    "57": DatabaseUnavailableError,  # operator intervention (server shut down)
}


def translate(error: BaseException) -> DatabaseError:
    """The user's error for a driver error (raw, or wrapped by SQLAlchemy as ``.orig``)."""
    if isinstance(error, DatabaseError):
        return error
    orig = getattr(error, "orig", None) or error
    if type(orig).__module__ == "sqlite3":
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None:
            kind = _SQLITE_EXTENDED.get(code) or _SQLITE.get(code & 0xFF, DatabaseError)
            return kind()
        text = str(orig).lower()
        if "locked" in text or "busy" in text:
            return DatabaseBusyError()
        if "not a database" in text or "malformed" in text:
            return DatabaseCorruptError()
        if "readonly" in text:
            return DatabaseReadOnlyError()
        if "disk is full" in text:
            return DiskFullError()
        return DatabaseError()
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        kind = _POSTGRES.get(sqlstate) or _POSTGRES_CLASSES.get(sqlstate[:2], DatabaseError)
        return kind()
    if getattr(error, "connection_invalidated", False) or type(orig).__name__ in {
            "OperationalError", "InterfaceError"}:
        return DatabaseUnavailableError()
    return DatabaseError()
