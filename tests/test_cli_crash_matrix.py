"""The crash matrix: every way a command used to end in a traceback, through the real entry point.

Each case runs ``python -m setacare_desktop`` as a subprocess (its own session: no terminal) with
``--data-dir`` a temporary folder, and asserts an exit code of 1 or 2, a Japanese message naming
the problem or the field on standard error, and no "Traceback" anywhere. Full disks are real: a
small tmpfs mounted for the test (root; CI runs as root and there these tests always run).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from schema import one_revision_behind
from setacare_desktop import logs
from setacare_desktop.app import main
from setacare_desktop.services import Database
from tmpfs import fill, read_only_folder, small_disk

PASSWORD = "demo-pass-2026"  # every demo login's password (services.demo)
COUNTER = "demo-ikejiri-anshin-counter"
SUPERVISOR = "demo-ikejiri-supervisor"
ADMIN = "demo-admin"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
CASE: dict[str, Any] = {
    "received_at": "R7.6.2 10:30",  # in the past wherever the tests run
    "channel": "来所",
    "district": "池尻",
    "consulter_kind": "本人",
    "main_complaint": "介護保険の申請について",
    "person": {"name": "山田 花子", "phone": "03-0000-2222"},
}


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def setacare(data_dir: Path, *args: str | bytes, stdin: bytes | None = None,
             database: str | None = None, timeout: float = 180) -> Result:
    """``setacare --data-dir DATA_DIR [--database URL] ARGS``, without a terminal."""
    command: list[str | bytes] = [sys.executable, "-m", "setacare_desktop", "--data-dir",
                                  str(data_dir)]
    if database is not None:
        command += ["--database", database]
    done = subprocess.run([*command, *args], input=stdin,
                          stdin=subprocess.DEVNULL if stdin is None else None,
                          capture_output=True, timeout=timeout, start_new_session=True)
    return Result(done.returncode, done.stdout.decode("utf-8", "replace"),
                  done.stderr.decode("utf-8", "replace"))


def refused(result: Result, code: int, *words: str) -> None:
    """Exit ``code``, a Japanese message holding every word on stderr, and no traceback."""
    assert "Traceback" not in result.out + result.err, result.err
    assert result.code == code, (result.code, result.err)
    assert JAPANESE.search(result.err), result.err
    for word in words:
        assert word in result.err, (word, result.err)


def with_password(*lines: str | bytes) -> bytes:
    parts = [line.encode() if isinstance(line, str) else line for line in (PASSWORD, *lines)]
    return b"\n".join(parts) + b"\n"


# --- a demo database, made once and copied per test ---------------------------------------------


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    result = setacare(folder, "demo", "--cases", "150", "--days", "2", "--seed", "5")
    assert result.code == 0, result.err
    return folder / "setacare.db"


@pytest.fixture
def data_dir(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(demo_template, folder / "setacare.db")
    return folder


def audit_actions(path: Path) -> list[str]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return [row[0] for row in connection.exec_driver_sql(
                "SELECT action FROM audit_event ORDER BY id")]
    finally:
        engine.dispose()


def first_id(path: Path, sql: str) -> int:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql(sql).scalar() or 1)
    finally:
        engine.dispose()


# --- the database file --------------------------------------------------------------------------


def test_a_corrupt_database_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "setacare.db").write_bytes(os.urandom(200_000))
    refused(setacare(tmp_path, "info"), 1, "SQLite のデータベースファイルではありません",
            str(tmp_path / "setacare.db"))


def test_a_truncated_database_file_is_called_damaged(demo_template: Path, tmp_path: Path) -> None:
    whole = demo_template.read_bytes()
    (tmp_path / "setacare.db").write_bytes(whole[: len(whole) // 2])
    result = setacare(tmp_path, "case", "list", "--date", "R7.6.2", "--as", COUNTER,
                      "--password-stdin", stdin=with_password())
    refused(result, 1, "壊れている")


def test_a_zero_length_database_file_is_refused_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "setacare.db").touch()
    refused(setacare(tmp_path, "info"), 1, "空です（0 バイト）")
    assert (tmp_path / "setacare.db").stat().st_size == 0


# --- a full disk --------------------------------------------------------------------------------


def test_a_full_disk_during_demo(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 6 * 1024 * 1024) as disk:
        assert setacare(disk, "db", "upgrade").code == 0  # the empty database fits
        refused(setacare(disk, "demo", "--cases", "5000", "--days", "5"), 1, "空き容量が足りない")


def test_a_full_disk_during_case_add(demo_template: Path, tmp_path: Path) -> None:
    size = demo_template.stat().st_size
    with small_disk(tmp_path / "disk", size + 4 * 1024 * 1024) as disk:
        shutil.copyfile(demo_template, disk / "setacare.db")
        (disk / "logs").mkdir()
        fill(disk, leave_bytes=48 * 1024)
        result = setacare(disk, "case", "add", "--json", "-", "--as", COUNTER,
                          "--password-stdin", stdin=with_password(json.dumps(CASE)))
        refused(result, 1, "空き容量が足りない")


def test_a_full_disk_during_the_pre_migration_backup(demo_template: Path, tmp_path: Path) -> None:
    size = demo_template.stat().st_size
    with small_disk(tmp_path / "disk", size + size // 2) as disk:
        shutil.copyfile(demo_template, disk / "setacare.db")
        one_revision_behind(disk / "setacare.db")
        for _start in range(2):  # each start refused again, nothing left behind
            refused(setacare(disk, "info"), 1, "バックアップ", "空き容量が足りません",
                    "データベースは更新していません")
            assert not list(disk.glob("setacare.db.bak-*"))


def test_a_full_disk_while_writing_out(data_dir: Path, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 256 * 1024) as disk:
        fill(disk, leave_bytes=0)
        result = setacare(data_dir, "stats", "--month", "2026-11", "--format", "pdf",
                          "--out", str(disk / "toukei.pdf"), "--as", ADMIN, "--password-stdin",
                          stdin=with_password())
        refused(result, 1, "空き容量が足りない", str(disk / "toukei.pdf"))
        assert sorted(p.name for p in disk.iterdir()) == ["filler.bin"]  # no .part left
    # Audited as what happened: a failed export, never an export (it used to be one).
    actions = audit_actions(data_dir / "setacare.db")
    assert "stats_export_failed" in actions and "stats_export" not in actions


# --- --out that cannot be written ---------------------------------------------------------------

OUT_COMMANDS: dict[str, Callable[[Path, str], tuple[list[str], bytes | None]]] = {
    "sheet": lambda db, out: (
        ["sheet", str(first_id(db, "SELECT min(id) FROM referral")), "--out", out,
         "--as", COUNTER, "--password-stdin"], with_password()),
    "print-intake": lambda db, out: (
        ["print", "intake", str(first_id(db, "SELECT min(id) FROM consultation")), "--out", out,
         "--as", COUNTER, "--password-stdin"], with_password()),
    "stats": lambda _db, out: (
        ["stats", "--month", "2026-11", "--format", "csv", "--out", out, "--as", ADMIN,
         "--password-stdin"], with_password()),
    "directory-export": lambda _db, out: (
        ["directory", "export", "--format", "hsds-json", "--out", out, "--as", SUPERVISOR,
         "--password-stdin"], with_password()),
    "package-export": lambda _db, out: (
        ["package", "export", "--date", "R7.6.2", "--scope", "池尻", "--out", out, "--as",
         SUPERVISOR, "--password-stdin", "--passphrase-stdin"],
        with_password("a-long-passphrase-2026")),
}


@pytest.fixture
def out_place(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(the --out text, what the message must name) for each kind of bad place."""
    kind = request.param
    if kind == "folder":
        folder = tmp_path / "a-folder"
        folder.mkdir()
        yield str(folder), "はフォルダーです"
    elif kind == "missing-folder":
        yield str(tmp_path / "missing" / "out.file"), f"フォルダー {tmp_path / 'missing'} がありません"
    elif kind == "read-only":
        with read_only_folder(tmp_path / "ro") as folder:
            yield str(folder / "out.file"), "書き込めません"
    else:
        yield "", "空です"


@pytest.mark.parametrize("out_place", ["folder", "missing-folder", "read-only", "empty"],
                         indirect=True)
@pytest.mark.parametrize("command", sorted(OUT_COMMANDS))
def test_an_out_that_cannot_be_written_is_refused_first(
        command: str, out_place: tuple[str, str], data_dir: Path) -> None:
    out, named = out_place
    argv, stdin = OUT_COMMANDS[command](data_dir / "setacare.db", out)
    refused(setacare(data_dir, *argv, stdin=stdin), 2, "--out", named)
    if out and not out.endswith("a-folder"):
        assert not Path(out).exists() and not Path(out + ".part").exists()


# --- numbers and dates out of range -------------------------------------------------------------


def test_case_show_with_a_huge_number(data_dir: Path) -> None:
    result = setacare(data_dir, "case", "show", "99999999999999999999999", "--as", COUNTER,
                      "--password-stdin", stdin=with_password())
    refused(result, 2, "ID", "2,147,483,647")


def test_case_json_with_a_huge_person_id(data_dir: Path) -> None:
    case = {**CASE, "person_id": 10**30}
    result = setacare(data_dir, "case", "add", "--json", "-", "--as", COUNTER, "--password-stdin",
                      stdin=with_password(json.dumps(case)))
    refused(result, 2, "対象者ID", "2,147,483,647")


def test_stats_to_the_last_day_of_year_9999(data_dir: Path) -> None:
    result = setacare(data_dir, "stats", "--from", "2026-11-01", "--to", "9999-12-31", "--as",
                      SUPERVISOR, "--password-stdin", stdin=with_password())
    refused(result, 2, "--to", "2100年")


# --- text that is not text ----------------------------------------------------------------------


def test_json_nested_100000_deep(data_dir: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    result = setacare(data_dir, "case", "add", "--json", "-", "--as", COUNTER, "--password-stdin",
                      stdin=with_password(deep))
    refused(result, 2, "JSON", "深すぎ")


def test_a_lone_surrogate_in_json(data_dir: Path) -> None:
    text = json.dumps({**CASE, "main_complaint": "介護\ud800"})  # ensure_ascii: "\\ud800"
    assert "\\ud800" in text
    result = setacare(data_dir, "case", "add", "--json", "-", "--as", COUNTER, "--password-stdin",
                      stdin=with_password(text))
    refused(result, 2, "主訴", "UTF-8")


def test_a_lone_surrogate_in_an_argument(data_dir: Path) -> None:
    surrogate = "\ud800".encode("utf-8", "surrogatepass")  # b"\xed\xa0\x80": not UTF-8
    result = setacare(data_dir, "case", "list", "--district", surrogate, "--as", COUNTER,
                      "--password-stdin", stdin=with_password())
    refused(result, 2, "引数", "UTF-8")


def test_a_control_character_in_an_argument(data_dir: Path) -> None:
    result = setacare(data_dir, "user", "add", "sato01", "--name", "\x1b[2J佐藤", "--role", "受付",
                      "--district", "池尻", "--org", "まちづくりセンター", "--password-stdin",
                      stdin=b"a-password-2026\n")
    refused(result, 2, "引数", "制御文字（U+001B）")


def test_invalid_utf8_on_standard_input(data_dir: Path) -> None:
    result = setacare(data_dir, "case", "add", "--json", "-", "--as", COUNTER, "--password-stdin",
                      stdin=with_password(b'{"main_complaint": "\xff\xfe"}'))
    refused(result, 2, "--json", "UTF-8")


def test_invalid_utf8_as_the_password(data_dir: Path) -> None:
    result = setacare(data_dir, "case", "list", "--as", COUNTER, "--password-stdin",
                      stdin=b"\xff\xfe\n")
    refused(result, 2, "パスワード", "UTF-8")


def test_as_login_without_password_stdin_and_without_a_terminal(data_dir: Path) -> None:
    result = setacare(data_dir, "case", "list", "--as", COUNTER)
    refused(result, 2, "--password-stdin", "端末")


def test_a_nul_in_a_persons_name_on_sqlite(data_dir: Path) -> None:
    case = {**CASE, "person": {**CASE["person"], "name": "山田\u0000花子"}}
    result = setacare(data_dir, "case", "add", "--json", "-", "--as", COUNTER, "--password-stdin",
                      stdin=with_password(json.dumps(case)))
    refused(result, 2, "氏名", "制御文字（U+0000）")
    assert "03-0000-2222" not in result.err + result.out


def test_a_nul_in_a_persons_name_on_postgresql(pg_db: Database, staff_factory: Any,
                                               tmp_path: Path) -> None:
    staff_factory(pg_db, "pg-counter", org_kind="あんしんすこやかセンター")
    url = pg_db.engine.url.render_as_string(hide_password=False)
    case = {**CASE, "person": {"name": "山田\u0000花子", "phone": "03-0000-2222",
                               "address_town": "池尻二丁目", "birth_date": "昭和20年3月3日"}}
    result = setacare(tmp_path, "case", "add", "--json", "-", "--as", "pg-counter",
                      "--password-stdin", database=url,
                      stdin=b"test-pass-123\n" + json.dumps(case).encode())
    refused(result, 2, "氏名", "制御文字（U+0000）")
    for personal in ("03-0000-2222", "池尻二丁目", "昭和20年", "[parameters"):
        assert personal not in result.err + result.out


def test_directory_import_of_json_nested_100000_deep(data_dir: Path, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    refused(setacare(data_dir, "directory", "import", str(deep), "--as", SUPERVISOR,
                     "--password-stdin", stdin=with_password()), 2, str(deep), "深すぎ")


def test_package_import_of_a_folder(data_dir: Path, tmp_path: Path) -> None:
    result = setacare(data_dir, "package", "import", str(tmp_path), "--as", SUPERVISOR,
                      "--password-stdin", "--passphrase-stdin",
                      stdin=with_password("a-long-passphrase-2026"))
    refused(result, 1, str(tmp_path), "フォルダーです")


def test_a_database_url_that_cannot_be_read(tmp_path: Path) -> None:
    result = setacare(tmp_path, "info", database="nosuch://user:secret@host/db")
    refused(result, 1, "データベースの URL を読めません")
    assert "secret" not in result.err


# --- the boundary itself ------------------------------------------------------------------------


def test_without_a_log_folder_the_command_still_runs(data_dir: Path) -> None:
    (data_dir / "logs").write_text("a file where the log folder should be")
    result = setacare(data_dir, "info")
    assert result.code == 0 and "Traceback" not in result.out + result.err, result.err
    assert "相談" in result.out


def _as_from_a_terminal() -> None:
    """Ctrl-C reaches the command as it does from a terminal. A test run started as a
    background job of a non-interactive shell (``pytest … &``) ignores SIGINT, and a child
    inherits that: the command then rightly ignores Ctrl-C too, which is not what is tested."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_reading_stdin(pid: int, timeout: float = 60.0) -> None:
    """Until the process is blocked reading its standard input (Linux: /proc/PID/syscall reads
    "0 0x0 …", read(0, …)). A fixed sleep was too short on a loaded machine: Ctrl-C then came
    before the command read anything and the test saw another outcome."""
    deadline = time.monotonic() + timeout
    syscall = Path(f"/proc/{pid}/syscall")
    while time.monotonic() < deadline:
        try:
            if syscall.read_text().startswith("0 0x0 "):
                time.sleep(0.2)  # still reading: not a passing read of the password line
                if syscall.read_text().startswith("0 0x0 "):
                    return
        except OSError:  # no /proc (or not allowed): the old fixed wait
            time.sleep(3)
            return
        time.sleep(0.05)
    raise AssertionError("the command never waited on its standard input")


def test_ctrl_c_ends_with_a_message_and_exit_130(data_dir: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "setacare_desktop", "--data-dir", str(data_dir), "case", "add",
         "--json", "-", "--as", COUNTER, "--password-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, preexec_fn=_as_from_a_terminal)
    assert process.stdin is not None
    process.stdin.write(with_password())
    process.stdin.flush()  # then the JSON never comes: the command waits on standard input
    _wait_reading_stdin(process.pid)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    result = Result(process.returncode, out.decode(), err.decode())
    assert result.code == 130
    refused(Result(1, result.out, result.err), 1, "中断しました")


def test_an_unexpected_error_is_logged_without_its_message(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("山田 花子 03-0000-2222")  # a bug whose message holds personal data

    monkeypatch.setattr("setacare_desktop.services.system.info", broken)
    code = main(["--data-dir", str(tmp_path), "info"])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert "予期しないエラーが発生しました" in err and "山田" not in err
    log = tmp_path / "logs" / "setacare.log"
    assert str(log) in err and logs.log_path() == log
    text = log.read_text(encoding="utf-8")
    assert "unexpected error in info" in text and "RuntimeError" in text
    assert "山田" not in text and "03-0000-2222" not in text


# --- found by trying to break it (the second round) -----------------------------------------------


@pytest.mark.parametrize("command", sorted(OUT_COMMANDS))
def test_an_out_that_is_the_database_is_refused_and_the_records_stay(
        command: str, data_dir: Path) -> None:
    """``--out setacare.db`` used to replace every record with one PDF and report success."""
    database = data_dir / "setacare.db"
    before = database.read_bytes()
    argv, stdin = OUT_COMMANDS[command](database, str(database))
    refused(setacare(data_dir, *argv, stdin=stdin), 2, "データベース", "書き出しません")
    assert database.read_bytes()[:16] == b"SQLite format 3\x00"
    assert len(database.read_bytes()) >= len(before) // 2
    refused_not = setacare(data_dir, "info")
    assert refused_not.code == 0, refused_not.err


def test_a_device_as_the_json_file_is_refused_not_read_forever(data_dir: Path) -> None:
    result = setacare(data_dir, "case", "add", "--json", "/dev/zero", "--as", COUNTER,
                      "--password-stdin", stdin=with_password(), timeout=60)
    refused(result, 2, "--json", "通常のファイルではありません")


def test_a_device_as_the_directory_import_is_refused(data_dir: Path) -> None:
    refused(setacare(data_dir, "directory", "import", "/dev/zero", "--as", SUPERVISOR,
                     "--password-stdin", stdin=with_password(), timeout=60), 2,
            "通常のファイルではありません")


def test_an_integer_of_five_thousand_digits(data_dir: Path) -> None:
    case = '{"person_id": ' + "9" * 5000 + "}"
    result = setacare(data_dir, "case", "add", "--json", "-", "--as", COUNTER, "--password-stdin",
                      stdin=with_password(case))
    refused(result, 2, "JSON", "大きすぎる数値")


def test_an_out_name_longer_than_the_file_system_allows(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / ("長" * 100 + ".pdf")  # 300 bytes of UTF-8: past the 255-byte name limit
    result = setacare(data_dir, "print", "day", "--date", "2026-11-24", "--district", "池尻",
                      "--out", str(out), "--as", COUNTER, "--password-stdin",
                      stdin=with_password())
    refused(result, 2, "--out", "ファイル名が長すぎます")


def test_ctrl_c_while_the_program_is_still_loading(data_dir: Path) -> None:
    """A Ctrl-C in the first moments (imports) used to print a KeyboardInterrupt traceback."""
    for delay in (0.05, 0.15, 0.3):
        process = subprocess.Popen(
            [sys.executable, "-m", "setacare_desktop", "--data-dir", str(data_dir), "info"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        assert "Traceback" not in out.decode() + err.decode(), err.decode()
        # 130 with 「中断しました」; 0 when it had already finished; killed by the signal itself
        # (-SIGINT, nothing printed) when it came before Python had even set up its handler.
        assert process.returncode in (0, 130, -signal.SIGINT)
        if process.returncode == 130:
            assert "中断しました" in err.decode()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_a_database_in_memory_is_refused_not_reported_as_saved(url: str, tmp_path: Path) -> None:
    """``demo`` on ``sqlite://`` said it had made the data, and kept nothing."""
    refused(setacare(tmp_path, "demo", "--cases", "10", database=url), 1, "メモリー上")


def test_a_pipe_where_the_database_should_be_is_refused_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "setacare.db")
    refused(setacare(tmp_path, "info", timeout=60), 1, "SQLite のデータベースファイルではありません")


def test_a_url_that_cannot_be_parsed(tmp_path: Path) -> None:
    refused(setacare(tmp_path, "info", database="postgresql+psycopg://nobody@[::1:1/x"), 1,
            "URL を読めません")


def test_a_read_only_data_folder_is_named_as_such_not_as_the_network(tmp_path: Path) -> None:
    with read_only_folder(tmp_path / "ro") as folder:
        refused(setacare(folder, "info"), 1, "データベースのファイルを開けません", "読み取り専用")


def test_a_file_with_thousands_of_bad_records_lists_the_first_hundred(data_dir: Path,
                                                                       tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{} for _ in range(1000)]), encoding="utf-8")
    result = setacare(data_dir, "directory", "import", str(bad), "--as", SUPERVISOR,
                      "--password-stdin", stdin=with_password())
    refused(result, 2, "ほか")
    assert result.err.count("入力エラー:") == 101
