"""Files the user asks for are written whole or not at all, and every refusal names the path."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from setacare_desktop.services.files import (
    DiskFullFileError,
    FileReadError,
    FileTargetError,
    FileWriteError,
    check_folder_target,
    check_target,
    read_file,
    write_atomically,
    write_error,
)


def test_the_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "sheet.pdf"
    target.write_bytes(b"old")
    write_atomically(target, b"%PDF-new")
    assert target.read_bytes() == b"%PDF-new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.pdf"]


def test_a_failed_write_leaves_the_old_file_and_no_part_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "sheet.pdf"
    target.write_bytes(b"old")

    def full_disk(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(DiskFullFileError, match="空き容量が足りない") as raised:
        write_atomically(target, b"%PDF-personal-data")
    assert str(target) in raised.value.message
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.pdf"]


@pytest.mark.parametrize(("make", "words"), [
    (lambda tmp: "", "ファイル名が空です"),
    (lambda tmp: str(tmp), "はフォルダーです"),
    (lambda tmp: str(tmp / "missing" / "a.pdf"), "がありません"),
])
def test_a_place_that_cannot_hold_the_file_is_refused_by_name(
        tmp_path: Path, make: object, words: str) -> None:
    target = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(FileTargetError, match=words) as raised:
        check_target(target)
    assert str(target) in raised.value.message
    with pytest.raises(FileTargetError):
        write_atomically(Path(target), b"data")


def test_a_folder_target_may_be_new_but_not_a_file(tmp_path: Path) -> None:
    assert check_folder_target(str(tmp_path / "new")) == tmp_path / "new"
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileTargetError, match="フォルダーではありません"):
        check_folder_target(str(tmp_path / "file"))


@pytest.mark.parametrize(("code", "kind", "words"), [
    (errno.ENOSPC, DiskFullFileError, "空き容量"),
    (errno.EROFS, FileWriteError, "読み取り専用"),
    (errno.EIO, FileWriteError, "書き出せませんでした"),
])
def test_write_errors_are_told_in_japanese(code: int, kind: type, words: str) -> None:
    error = write_error(Path("/media/usb/a.pdf"), OSError(code, os.strerror(code)))
    assert type(error) is kind and words in error.message and "/media/usb/a.pdf" in error.message


def test_a_folder_given_as_a_file_to_read_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileReadError, match="フォルダーです"):
        read_file(tmp_path)


def test_a_file_error_is_still_an_oserror_for_callers_written_for_one(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="はフォルダーです") as raised:
        write_atomically(tmp_path, b"data")
    assert (raised.value.strerror or str(raised.value)).endswith("ファイル名を指定してください")
