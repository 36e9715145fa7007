"""Files the user asks for are written whole or not at all, and every refusal names the path."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from setacare_desktop.services.files import (
    DiskFullFileError,
    FileExistsTargetError,
    FileReadError,
    FileTargetError,
    FileWriteError,
    check_folder_target,
    check_target,
    read_file,
    stage,
    write_atomically,
    write_error,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes and links are POSIX")


@pytest.fixture
def lax_umask() -> Iterator[None]:
    """The umask most desktops run with (022): what the program writes must be 0600 anyway."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


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


# --- private, exclusive, never through a link, never over a file nobody said to replace ----------


@posix_only
def test_a_written_file_is_readable_by_its_owner_only(tmp_path: Path, lax_umask: None) -> None:
    target = tmp_path / "toukei.csv"
    write_atomically(target, b"a,1", replace=False)
    assert mode(target) == 0o600
    old = tmp_path / "old.pdf"
    old.write_bytes(b"old")
    old.chmod(0o644)
    write_atomically(old, b"%PDF-new", replace=True)
    assert old.read_bytes() == b"%PDF-new" and mode(old) == 0o600


@posix_only
def test_a_link_planted_at_the_part_name_is_not_written_through(tmp_path: Path) -> None:
    """A symlink at ``shared.pdf.part`` used to receive the 相談受付票 (the old fixed name)."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"untouched")
    target = tmp_path / "shared.pdf"
    (tmp_path / "shared.pdf.part").symlink_to(victim)
    write_atomically(target, b"%PDF-personal", replace=False)
    assert victim.read_bytes() == b"untouched"
    assert target.read_bytes() == b"%PDF-personal" and not target.is_symlink()
    assert (tmp_path / "shared.pdf.part").is_symlink()  # left as it was, not followed
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "shared.pdf", "shared.pdf.part", "victim.txt"]


@posix_only
@pytest.mark.parametrize("replace", [False, True])
def test_a_link_as_the_target_is_refused_even_when_told_to_replace(
        tmp_path: Path, replace: bool) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"untouched")
    target = tmp_path / "out.pdf"
    target.symlink_to(victim)
    with pytest.raises(FileTargetError, match="リンク") as raised:
        write_atomically(target, b"%PDF", replace=replace)
    assert str(target) in raised.value.message
    assert victim.read_bytes() == b"untouched" and target.is_symlink()
    dangling = tmp_path / "dangling.pdf"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(FileTargetError, match="リンク"):
        write_atomically(dangling, b"%PDF", replace=replace)
    assert not (tmp_path / "nowhere").exists()


@posix_only
@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
def test_a_device_as_the_target_is_refused_and_stays_a_device(device: str) -> None:
    """``--out /dev/full`` as root used to replace the device node with a PDF."""
    with pytest.raises(FileTargetError, match="通常のファイルではありません") as raised:
        write_atomically(Path(device), b"%PDF", replace=True)
    assert device in raised.value.message
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_an_existing_file_is_replaced_only_when_told(tmp_path: Path) -> None:
    target = tmp_path / "day.pdf"
    target.write_bytes(b"yesterday")
    with pytest.raises(FileExistsTargetError, match="既にあります") as raised:
        write_atomically(target, b"today", replace=False)
    assert str(target) in raised.value.message
    assert target.read_bytes() == b"yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["day.pdf"]
    write_atomically(target, b"today", replace=True)
    assert target.read_bytes() == b"today"


def test_a_file_that_appears_while_writing_is_not_replaced(tmp_path: Path) -> None:
    """Checked before writing, and again by the exclusive link that gives the file its name."""
    target = tmp_path / "export.csv"
    staged = stage(target, b"ours", replace=False)
    try:
        target.write_bytes(b"someone else's")
        with pytest.raises(FileExistsTargetError):
            staged.publish()
    finally:
        staged.discard()
    assert target.read_bytes() == b"someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


@posix_only
def test_the_temporary_file_is_fresh_private_and_beside_the_target(
        tmp_path: Path, lax_umask: None) -> None:
    target = tmp_path / "a.pdf"
    first, second = stage(target, b"1", replace=False), stage(target, b"2", replace=False)
    try:
        assert first.temporary != second.temporary  # a random name, never a fixed one
        assert first.temporary.parent == tmp_path and first.temporary.name.endswith(".part")
        assert mode(first.temporary) == 0o600 and not target.exists()
    finally:
        first.discard()
        second.discard()
    assert list(tmp_path.iterdir()) == []


def test_a_folder_target_names_the_files_it_would_replace(tmp_path: Path) -> None:
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "services.csv").write_text("old")
    assert check_folder_target(tmp_path / "csv", names=("a.csv",), replace=False)
    with pytest.raises(FileExistsTargetError, match=r"services\.csv は既にあります"):
        check_folder_target(tmp_path / "csv", names=("services.csv",), replace=False)
    assert check_folder_target(tmp_path / "csv", names=("services.csv",), replace=True)
