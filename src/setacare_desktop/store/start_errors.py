"""Refusals of a safe start: what is found where the database should be, and the backup taken
before a migration. Each says what was found, that nothing was changed, and what to do."""

from __future__ import annotations

from pathlib import Path

from setacare_desktop.store.errors import DatabaseCorruptError, DatabaseError, DiskFullError

_RESTORE = ("バックアップ（setacare.db.bak-…）から戻すか、システム管理者に連絡してください。")
_UNCHANGED = "データベースは更新していません（元のままです）。"


class EmptyDatabaseFileError(DatabaseCorruptError):
    """A zero-length file where the database should be: never silently made a new database."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"データベースのファイルが空です（0 バイト）: {path}。データが失われている可能性が"
            f"あるため、新しいデータベースとしては使いません。{_RESTORE}"
            "新しく始める場合は、このファイルを移動してから起動してください。")
        self.path = path


class NotADatabaseFileError(DatabaseCorruptError):
    """The file is not a SQLite database (random bytes, another program's file)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} は SQLite のデータベースファイルではありません（壊れているか、別の種類の"
            f"ファイルです）。{_RESTORE}")
        self.path = path


class UnversionedDatabaseError(DatabaseError):
    """Tables, but no ``alembic_version``: not ours, or its schema record was lost."""

    def __init__(self, tables: int) -> None:
        super().__init__(
            f"このデータベースには表が {tables} 個ありますが、スキーマの版の記録"
            "（alembic_version）がありません。SetaCare Desktop のデータベースではないか、記録が"
            f"失われています。既存の表を壊さないよう、更新も使用もしません。{_UNCHANGED}"
            "接続先（--database）を確認するか、システム管理者に連絡してください。")


class BackupError(DatabaseError):
    """The copy taken before a migration failed: the migration did not run."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"更新前のバックアップ（{path.parent} フォルダー）を作成できませんでした: {reason}。"
            f"{_UNCHANGED}原因を取り除いてから、もう一度起動してください。")


class BackupSpaceError(BackupError, DiskFullError):
    """Not enough free space for the backup (checked before writing it)."""

    def __init__(self, path: Path, needed: int, free: int) -> None:
        mb = 1024 * 1024
        super().__init__(path, f"ディスクの空き容量が足りません（必要: 約 {-(-needed // mb):,} MB、"
                               f"空き: {free // mb:,} MB）")
