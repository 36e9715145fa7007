"""Writing a file the user asked for (a PDF, an export, a day package) whole or not at all.

Every failure is a Japanese :class:`ServiceError` naming the path: a folder, a missing folder, a
read-only place or an empty name is refused before anything is written (:func:`check_target`),
and an error while writing (a full disk, a pulled-out USB stick) removes the half-written file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from setacare_desktop.domain.errors import ServiceError
from setacare_desktop.store.sqlite import SQLITE_HEADER


class FileError(ServiceError, OSError):
    """A file the user named could not be written or read; the message names it in Japanese.

    Also an ``OSError``, so that a caller written for the raw error (``except OSError``: the
    window's save dialogs) still catches it, and shows this message as ``str(error)``.
    """


class FileTargetError(FileError):
    """The place a file was asked for cannot hold it (checked before writing)."""


class FileWriteError(FileError):
    """Writing the file failed; nothing was left under its name."""


class DiskFullFileError(FileWriteError):
    """The disk filled up while writing the file."""


#: The files beside a database that a printout must never replace.
_DATABASE_COMPANIONS = ("-wal", "-shm", "-journal")
#: The largest file read in one piece (an import, a package, a case's JSON).
MAX_READ_BYTES = 200 * 1024 * 1024

_REASONS = {
    errno.ENAMETOOLONG: "ファイル名が長すぎます",
    errno.EIO: "入出力エラーです。媒体を確認してください",
    errno.ENOTDIR: "途中にフォルダーでないものがあります",
    errno.ENOENT: "見つかりません",
    errno.EACCES: "権限がありません",
    errno.EPERM: "権限がありません",
    errno.EROFS: "読み取り専用です",
    errno.EISDIR: "フォルダーです",
    errno.ELOOP: "リンクが循環しています",
}


def reason_of(error: OSError) -> str:
    """A Japanese reason for an OSError (never the system's English text)."""
    return _REASONS.get(error.errno or 0, "入出力エラーです")


def _database_file(path: Path) -> bool:
    """Is ``path`` a database (or a file SQLite keeps beside one, a backup, the log)?"""
    name = path.name
    if name.endswith(_DATABASE_COMPANIONS) or ".bak-" in name or name.startswith("setacare.log"):
        return True
    try:
        with open(path, "rb") as existing:
            return existing.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def check_target(target: str | Path) -> Path:
    """The path to write, or a :class:`FileTargetError` saying why it cannot be written.

    A database file is never a target: a printout written over it (``--out setacare.db``) used
    to replace every record with one PDF, and report success.
    """
    try:
        return _checked_target(target)
    except FileTargetError:
        raise
    except OSError as error:  # a name too long, a loop of links …: looking at it failed
        raise FileTargetError(f"{target} に書き出せません（{reason_of(error)}）") from None


def _checked_target(target: str | Path) -> Path:
    if isinstance(target, str) and not target.strip():
        raise FileTargetError("書き出すファイル名が空です。ファイル名を指定してください")
    path = Path(target)
    if path.is_dir():
        raise FileTargetError(f"{path} はフォルダーです。書き出すファイル名を指定してください")
    folder = path.parent
    if not folder.is_dir():
        raise FileTargetError(f"フォルダー {folder} がありません（{path} を書き出せません）")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FileTargetError(f"フォルダー {folder} に書き込めません（読み取り専用か権限がありません）")
    if path.exists() and not os.access(path, os.W_OK):
        raise FileTargetError(f"{path} は読み取り専用のため上書きできません")
    if path.exists() and _database_file(path):
        raise FileTargetError(f"{path} は SetaCare Desktop のデータベース（またはその関連ファイル）です。"
                              "上書きすると記録が失われるため書き出しません。別のファイル名を指定してください")
    return path


def check_folder_target(target: str | Path) -> Path:
    """A folder to write files into: an existing writable folder, or a new one in a writable
    folder; a :class:`FileTargetError` otherwise."""
    if isinstance(target, str) and not target.strip():
        raise FileTargetError("書き出すフォルダー名が空です。フォルダー名を指定してください")
    path = Path(target)
    if path.exists() and not path.is_dir():
        raise FileTargetError(f"{path} はフォルダーではありません。書き出すフォルダーを指定してください")
    where = path if path.is_dir() else path.parent
    if not where.is_dir():
        raise FileTargetError(f"フォルダー {where} がありません（{path} を作成できません）")
    if not os.access(where, os.W_OK | os.X_OK):
        raise FileTargetError(f"フォルダー {where} に書き込めません（読み取り専用か権限がありません）")
    return path


def write_error(path: Path, error: OSError) -> FileWriteError:
    """The user's message for an OSError raised while writing ``path``."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullFileError(
            f"ディスクの空き容量が足りないため、{path} を書き出せませんでした"
            "（書きかけのファイルは残していません）。空き容量を確保してからもう一度操作してください")
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return FileWriteError(f"{path} に書き込めません（読み取り専用か権限がありません）")
    if error.errno in (errno.EISDIR, errno.ENOTDIR, errno.ENOENT):
        return FileWriteError(f"{path} に書き出せません（フォルダーがないか、フォルダーと同じ名前です）")
    return FileWriteError(f"{path} を書き出せませんでした（{reason_of(error)}）。書き出し先を確認してください")


class FileReadError(FileError):
    """A file the user named cannot be read."""


def read_file(path: Path, *, limit: int = MAX_READ_BYTES) -> bytes:
    """The bytes of a file the user named, or a :class:`FileReadError` naming it in Japanese.

    Only a regular file of at most ``limit`` bytes is read: a device (``/dev/zero``), a pipe
    or a huge file used to fill the memory until the system killed the program.
    """
    try:
        with open(path, "rb") as source:
            info = os.fstat(source.fileno())
            if not stat.S_ISREG(info.st_mode):
                reason = "通常のファイルではありません"
            else:
                # st_size first (no read at all), then the read itself: a file may grow meanwhile
                data = b"" if info.st_size > limit else source.read(limit + 1)
                if info.st_size <= limit and len(data) <= limit:
                    return data
                reason = f"大きすぎます（上限 {limit // (1024 * 1024)} MB）"
    except IsADirectoryError:
        reason = "フォルダーです。ファイルを指定してください"
    except FileNotFoundError:
        reason = "見つかりません"
    except PermissionError:
        reason = "読み取りの権限がありません"
    except OSError as error:
        reason = f"読めません（{reason_of(error)}）"
    raise FileReadError(f"ファイルを読めません: {path}（{reason}）")


def write_atomically(path: Path, data: bytes) -> None:
    """Write the whole file or leave the old one: a ``.part`` file, flushed, then renamed.

    A half-written PDF or package must never be left behind under the real name (a crash, a full
    disk, a USB stick pulled out).
    """
    check_target(path)
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException as error:
        # A printout or package left half-written beside the real name is personal data lying
        # around: remove it, then report the failure.
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise write_error(path, error) from error
        raise
    if os.name == "posix":  # the rename itself survives a power cut once the folder is synced
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
