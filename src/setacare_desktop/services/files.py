"""Writing a file the user asked for (a PDF, an export, a day package) whole or not at all.

Every failure is a Japanese :class:`ServiceError` naming the path: a folder, a missing folder, a
read-only place, an empty name, a link, a device, or an existing file the user did not say to
replace is refused before anything is written (:func:`check_target`), and an error while writing
(a full disk, a pulled-out USB stick) removes the half-written file.

The bytes go to a fresh temporary name in the target's folder, created exclusively with mode 0600
(``tempfile.mkstemp``: ``O_CREAT | O_EXCL | O_NOFOLLOW``, a random suffix), so a link planted at
a predictable ``X.part`` is never written through, and then take the target's name: replaced by
``os.replace`` only when the caller says ``replace=True`` (``--force``, or a confirmation in the
window); otherwise by a hard link that fails if anything, even a dangling link, holds the name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from setacare_desktop.domain.errors import ServiceError
from setacare_desktop.store.sqlite import SQLITE_HEADER, fsync_folder


class FileError(ServiceError, OSError):
    """A file the user named could not be written or read; the message names it in Japanese.

    Also an ``OSError``, so that a caller written for the raw error (``except OSError``: the
    window's save dialogs) still catches it, and shows this message as ``str(error)``.
    """


class FileTargetError(FileError):
    """The place a file was asked for cannot hold it (checked before writing)."""


class FileExistsTargetError(FileTargetError):
    """A file already has the name, and the caller did not say to replace it."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} は既にあります。上書きの指示がないため書き出しません")
        self.path = path


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


def check_target(target: str | Path, *, replace: bool = True) -> Path:
    """The path to write, or a :class:`FileTargetError` saying why it cannot be written.

    Only a regular file is ever replaced, and only with ``replace``: a folder, a symbolic link
    (even to a regular file) or a device (``/dev/null``, ``/dev/full``) is refused whatever the
    caller says. A database file is never a target: a printout written over it (``--out
    setacare.db``) used to replace every record with one PDF, and report success.
    """
    try:
        return _checked_target(target, replace)
    except FileTargetError:
        raise
    except OSError as error:  # a name too long, a loop of links …: looking at it failed
        raise FileTargetError(f"{target} に書き出せません（{reason_of(error)}）") from None


def _existing(path: Path) -> os.stat_result | None:
    """What holds ``path`` itself (a link is not followed), or None when nothing does."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _refuse_unusual(path: Path, info: os.stat_result | None) -> None:
    if info is None or stat.S_ISREG(info.st_mode):
        return
    if stat.S_ISDIR(info.st_mode):
        raise FileTargetError(f"{path} はフォルダーです。書き出すファイル名を指定してください")
    if stat.S_ISLNK(info.st_mode):
        raise FileTargetError(f"{path} はリンク（シンボリックリンク）です。リンクの先には書き出しません。"
                              "別のファイル名を指定してください")
    raise FileTargetError(f"{path} は通常のファイルではありません（デバイスなど）。書き出しません。"
                          "別のファイル名を指定してください")


def _checked_target(target: str | Path, replace: bool) -> Path:
    if isinstance(target, str) and not target.strip():
        raise FileTargetError("書き出すファイル名が空です。ファイル名を指定してください")
    path = Path(target)
    info = _existing(path)
    _refuse_unusual(path, info)
    folder = path.parent
    if not folder.is_dir():
        raise FileTargetError(f"フォルダー {folder} がありません（{path} を書き出せません）")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FileTargetError(f"フォルダー {folder} に書き込めません（読み取り専用か権限がありません）")
    if info is not None and not os.access(path, os.W_OK):
        raise FileTargetError(f"{path} は読み取り専用のため上書きできません")
    if info is not None and _database_file(path):
        raise FileTargetError(f"{path} は SetaCare Desktop のデータベース（またはその関連ファイル）です。"
                              "上書きすると記録が失われるため書き出しません。別のファイル名を指定してください")
    if info is not None and not replace:
        raise FileExistsTargetError(path)
    return path


def check_folder_target(target: str | Path, *, names: tuple[str, ...] = (),
                        replace: bool = True) -> Path:
    """A folder to write the files ``names`` into: an existing writable folder, or a new one in a
    writable folder; a :class:`FileTargetError` otherwise (also for any of ``names`` that cannot
    be written, or that exists without ``replace``)."""
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
    if path.is_dir():
        for name in names:
            check_target(path / name, replace=replace)
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


def open_problem(error: OSError) -> str:
    """Why a file the user named could not be opened or read, in Japanese."""
    if isinstance(error, IsADirectoryError):
        return "フォルダーです。ファイルを指定してください"
    if isinstance(error, FileNotFoundError):
        return "見つかりません"
    if isinstance(error, PermissionError):
        return "読み取りの権限がありません"
    return f"読めません（{reason_of(error)}）"


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
    except OSError as error:
        reason = open_problem(error)
    raise FileReadError(f"ファイルを読めません: {path}（{reason}）")


class StagedFile:
    """Bytes written whole under a fresh private name beside ``path``, not yet under its name.

    :meth:`publish` gives them the name; :meth:`discard` (always call it, e.g. in ``finally``)
    removes the temporary file unless it was published.
    """

    def __init__(self, path: Path, temporary: Path, replace: bool) -> None:
        self.path = path
        self.temporary = temporary
        self.replace = replace
        self.published = False

    def publish(self) -> None:
        """Give the file its name; a :class:`FileTargetError` if the name was taken meanwhile
        (without ``replace``) or became a link, a folder or a device."""
        path = self.path
        try:
            if self.replace:
                _refuse_unusual(path, _existing(path))  # rename would replace a device node
                os.replace(self.temporary, path)
            else:
                _link_new(self.temporary, path)
        except FileTargetError:
            raise
        except OSError as error:
            raise write_error(path, error) from error
        self.published = True
        fsync_folder(path.parent)  # the rename itself survives a power cut

    def unpublish(self) -> None:
        """Remove the published file (its audit row could not be written)."""
        if self.published:
            with contextlib.suppress(OSError):
                self.path.unlink()
            self.published = False

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.temporary.unlink(missing_ok=True)


def _link_new(temporary: Path, path: Path) -> None:
    """Give ``temporary`` the name ``path`` only if nothing holds that name, then drop it."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise FileExistsTargetError(path) from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                               errno.ENOSYS, errno.EMLINK):
            raise
        # No hard links here (a FAT USB stick, some network shares): look, then rename (which
        # refuses an existing name on Windows; on POSIX the window between is the caller's own).
        if _existing(path) is not None:
            raise FileExistsTargetError(path) from None
        os.rename(temporary, path)
        return
    temporary.unlink()


def stage(path: Path, data: bytes, *, replace: bool) -> StagedFile:
    """Check ``path`` (:func:`check_target`) and write ``data`` whole under a private temporary
    name beside it (mode 0600); nothing is under ``path`` yet."""
    check_target(path, replace=replace)
    try:
        # The prefix is cut short so that a long (legal) name still leaves room for the suffix.
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:96]}.", suffix=".part")
    except OSError as error:
        raise write_error(path, error) from error
    staged = StagedFile(path, Path(name), replace)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException as error:
        # A printout or package left half-written beside the real name is personal data lying
        # around: remove it, then report the failure.
        staged.discard()
        if isinstance(error, OSError):
            raise write_error(path, error) from error
        raise
    return staged


def write_atomically(path: Path, data: bytes, *, replace: bool = True) -> None:
    """Write the whole file or leave things as they were (see the module's docstring).

    ``replace``: an existing regular file may be replaced (the user said so: ``--force``, a
    confirmed dialog, or the program rewriting a file it owns). Without it an existing file is
    refused with :class:`FileExistsTargetError`. The new file is readable by its owner only.
    """
    staged = stage(path, data, replace=replace)
    try:
        staged.publish()
    finally:
        staged.discard()
