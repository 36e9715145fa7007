"""Files the command line writes, with real files: owner-only modes (the data folder, the database
and its -wal/-shm, backups, logs, exports), ``--force`` before an existing file is replaced, links
and devices refused, and an export audited only once its file exists."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from schema import one_revision_behind
from setacare_desktop import logs
from setacare_desktop.app import main
from setacare_desktop.services import Database, StaffProfile, audit
from setacare_desktop.services.hsds import CSV_FILES

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes and links are POSIX")

TEST_PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
MakeStaff = Callable[..., StaffProfile]


@pytest.fixture
def lax_umask() -> Iterator[None]:
    """The umask most desktops run with (022): what the program writes is 0600 anyway."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def boss(db: Database, staff_factory: MakeStaff) -> StaffProfile:
    return staff_factory(db, "boss", role="監督者")


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        *argv: str, login: str | None = "boss") -> tuple[int, str, str]:
    """``setacare --database DB ARGV [--as LOGIN --password-stdin]``, in this process."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    acting = ["--as", login, "--password-stdin"] if login else []
    try:
        code = main(["--database", str(db_path), *argv, *acting])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def actions(db: Database) -> list[str]:
    return [e.action for e in reversed(audit.recent(db, 1000))]


STATS = ("stats", "--month", "2026-11", "--format", "csv", "--out")


# --- --force, links, devices ---------------------------------------------------------------------


def test_an_existing_file_is_replaced_only_with_force(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Database,
        db_path: Path, tmp_path: Path, boss: StaffProfile, lax_umask: None) -> None:
    out = tmp_path / "toukei.csv"
    out.write_bytes(b"last month's figures")
    out.chmod(0o644)
    before = actions(db)
    code, stdout, err = run(capsys, monkeypatch, db_path, *STATS, str(out))
    assert code == 2 and stdout == ""
    assert f"入力エラー: --out: {out} は既にあります。置き換えるには --force を指定してください" in err
    assert out.read_bytes() == b"last month's figures"
    assert actions(db) == before  # refused before the login: nothing read, nothing audited

    code, stdout, err = run(capsys, monkeypatch, db_path, *STATS, str(out), "--force")
    assert code == 0, err
    assert out.read_bytes().decode("utf-8-sig").startswith("福祉の相談窓口 相談件数")
    assert mode(out) == 0o600
    assert actions(db)[len(before):] == ["login", "stats", "stats_export", "logout"]
    assert audit.recent(db, 2)[1].detail == "csv: 池尻地区"


@pytest.mark.parametrize(("kind", "words"), [
    ("link", "リンク（シンボリックリンク）です"),
    ("dangling-link", "リンク（シンボリックリンク）です"),
    ("/dev/null", "通常のファイルではありません"),
    ("/dev/full", "通常のファイルではありません"),
])
def test_a_link_or_a_device_is_refused_even_with_force(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        tmp_path: Path, boss: StaffProfile, kind: str, words: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"untouched")
    if kind.startswith("/dev/"):
        out = Path(kind)
    else:
        out = tmp_path / "shared.csv"
        out.symlink_to(victim if kind == "link" else tmp_path / "nowhere")
    code, _stdout, err = run(capsys, monkeypatch, db_path, *STATS, str(out), "--force")
    assert code == 2
    assert f"--out: {out} は" in err and words in err
    assert victim.read_bytes() == b"untouched" and not (tmp_path / "nowhere").exists()
    if kind.startswith("/dev/"):
        assert out.is_char_device()


def test_a_failed_write_is_audited_as_a_failure_not_as_an_export(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Database,
        db_path: Path, tmp_path: Path, boss: StaffProfile) -> None:
    """An export to a place that could not hold it used to be audited as exported."""
    def full_disk(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("setacare_desktop.services.files.os.fsync", full_disk)
    out = tmp_path / "usb" / "toukei.csv"
    out.parent.mkdir()
    code, _stdout, err = run(capsys, monkeypatch, db_path, *STATS, str(out))
    assert code == 1 and "空き容量が足りない" in err and str(out) in err
    assert list(out.parent.iterdir()) == []  # neither the file nor a temporary one
    done = actions(db)
    assert "stats_export_failed" in done and "stats_export" not in done
    failed = next(e for e in audit.recent(db) if e.action == "stats_export_failed")
    assert failed.login == "boss" and failed.detail == "csv: 池尻地区; DiskFullFileError"


def test_directory_export_needs_force_for_a_file_or_an_earlier_csv_folder(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Database,
        db_path: Path, tmp_path: Path, boss: StaffProfile, lax_umask: None) -> None:
    out = tmp_path / "directory.json"
    out.write_text("kept")
    argv = ("directory", "export", "--format", "hsds-json", "--out", str(out))
    code, _stdout, err = run(capsys, monkeypatch, db_path, *argv)
    assert code == 2 and "--force" in err and out.read_text() == "kept"
    code, _stdout, err = run(capsys, monkeypatch, db_path, *argv, "--force")
    assert code == 0, err
    assert out.read_text("utf-8").startswith("{") and mode(out) == 0o600

    folder = tmp_path / "csv"
    argv = ("directory", "export", "--format", "hsds-csv", "--out", str(folder))
    assert run(capsys, monkeypatch, db_path, *argv)[0] == 0
    assert mode(folder) == 0o700
    assert {p.name: mode(p) for p in folder.iterdir()} == dict.fromkeys(CSV_FILES, 0o600)
    (folder / "services.csv").write_text("edited by hand")
    code, _stdout, err = run(capsys, monkeypatch, db_path, *argv)
    assert code == 2 and f"{folder / 'organizations.csv'} は既にあります" in err
    assert (folder / "services.csv").read_text() == "edited by hand"
    assert run(capsys, monkeypatch, db_path, *argv, "--force")[0] == 0
    assert (folder / "services.csv").read_text("utf-8").startswith("id,")
    assert [a for a in actions(db) if a.startswith("directory_export")] == [
        "directory_export"] * 3


def test_print_day_needs_force_to_replace_a_file(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        tmp_path: Path, staff_factory: MakeStaff, db: Database) -> None:
    staff_factory(db, "clerk")
    out = tmp_path / "day.pdf"
    out.write_bytes(b"kept")
    argv = ("print", "day", "--date", "2026-11-24", "--district", "池尻", "--out", str(out))
    code, _stdout, err = run(capsys, monkeypatch, db_path, *argv, login="clerk")
    assert code == 2 and "--force" in err and out.read_bytes() == b"kept"
    code, _stdout, err = run(capsys, monkeypatch, db_path, *argv, "--force", login="clerk")
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF") and mode(out) == 0o600


# --- the data folder, the database, backups and logs ---------------------------------------------


def _tree_modes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): mode(p) for p in [folder, *folder.rglob("*")]}


def test_a_new_data_folder_is_private_and_so_is_everything_in_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, lax_umask: None) -> None:
    data = tmp_path / "data"
    code, _stdout, err = _main(capsys, "--data-dir", str(data), "info")
    assert code == 0, err
    modes = _tree_modes(data)
    assert modes["."] == 0o700 and modes["logs"] == 0o700
    assert modes["setacare.db"] == 0o600 and modes["logs/setacare.log"] == 0o600
    db = Database.open(f"sqlite:///{data / 'setacare.db'}")  # a writer: -wal and -shm appear
    try:
        with db.transaction() as session:
            session.execute(sa.text("CREATE TABLE scratch (x INTEGER)"))
        assert mode(data / "setacare.db-wal") == 0o600
        assert mode(data / "setacare.db-shm") == 0o600
    finally:
        db.close()


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_a_folder_left_readable_by_an_older_version_is_tightened_at_start(
        capsys: pytest.CaptureFixture[str], sqlite_template: Path, tmp_path: Path,
        lax_umask: None) -> None:
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    for folder in (data, data / "logs"):
        folder.chmod(0o755)
    (data / "setacare.db").write_bytes(sqlite_template.read_bytes())
    for name in ("setacare.log", "setacare.log.1"):
        (data / "logs" / name).write_text("old\n")
    for path in data.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    logs._path = None  # as at a fresh start
    code, _stdout, err = _main(capsys, "--data-dir", str(data), "info")
    assert code == 0, err
    assert _tree_modes(data) == {".": 0o700, "logs": 0o700, "setacare.db": 0o600,
                                 "logs/setacare.log": 0o600, "logs/setacare.log.1": 0o600}


def test_a_shared_folder_given_as_the_data_folder_is_left_as_it_is(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, lax_umask: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp: everyone's, the sticky bit set
    code, _stdout, err = _main(capsys, "--data-dir", str(shared), "info")
    assert code == 0, err
    assert shared.stat().st_mode & 0o7777 == 0o1777
    assert mode(shared / "setacare.db") == 0o600 and mode(shared / "logs") == 0o700


def test_the_backup_before_a_migration_is_private(
        capsys: pytest.CaptureFixture[str], db_path: Path, lax_umask: None) -> None:
    one_revision_behind(db_path)  # the previous release's schema
    db_path.chmod(0o644)
    code, _stdout, err = _main(capsys, "--database", str(db_path), "db", "upgrade")
    assert code == 0, err
    [backup] = db_path.parent.glob("setacare.db.bak-*")
    assert mode(backup) == 0o600 and mode(db_path) == 0o600


@pytest.mark.slow
def test_the_program_itself_makes_nothing_readable_by_others(tmp_path: Path) -> None:
    """Through the real entry point (its umask 077), from a shell whose umask is 022."""
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONUTF8": "1"}
    env.pop("SETACARE_DATABASE_URL", None)
    base = [sys.executable, "-m", "setacare_desktop", "--data-dir", str(data)]

    def setacare(*argv: str, stdin: str = "") -> None:
        done = subprocess.run([*base, *argv], input=stdin, env=env, capture_output=True,
                              text=True, encoding="utf-8", timeout=300,
                              preexec_fn=lambda: os.umask(0o022))
        assert done.returncode == 0, done.stderr

    setacare("demo", "--cases", "40", "--days", "2")
    setacare("stats", "--month", "2026-11", "--format", "pdf", "--out", str(data / "t.pdf"),
             "--as", "demo-admin", "--password-stdin", stdin="demo-pass-2026\n")
    modes = _tree_modes(data)
    assert {"setacare.db", "t.pdf", "logs/setacare.log"} <= set(modes)
    assert {name: m for name, m in modes.items() if m & 0o077} == {}
