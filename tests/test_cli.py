"""The command line, through ``app.main`` in-process and once as a real ``python -m`` process."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from schema import one_revision_behind, previous_revision
from setacare_desktop import __version__, cli
from setacare_desktop.app import main
from setacare_desktop.services import Database, auth
from setacare_desktop.services.demo import worker as demo_worker
from setacare_desktop.store.models import AuditEvent, Consultation, Staff

PASSWORD = "cli-pass-2026"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``setacare *argv`` (argparse exits count as codes)."""
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def count(path: Path, model: type) -> int:
    db = Database.open(f"sqlite:///{path}")
    try:
        with db.read() as session:
            return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
    finally:
        db.close()


def audit_actions(path: Path) -> list[tuple[str, str]]:
    db = Database.open(f"sqlite:///{path}")
    try:
        with db.read() as session:
            return [(e.action, e.login) for e in session.scalars(sa.select(AuditEvent))]
    finally:
        db.close()


# --- demo ---------------------------------------------------------------------------------------


def test_demo_fills_the_database_and_a_printed_login_works(
        capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, out, err = run(capsys, "--database", str(db_path), "demo", "--cases", "300",
                         "--days", "3", "--seed", "4")
    assert code == 0, err
    assert "デモデータを作成しました" in out and "300 件" in out
    assert re.search(r"^対象者 +[\d,]+ 人（うち2回以上の相談 [\d,]+ 人）$", out, re.MULTILINE)
    assert re.search(r"^本人同意の記録 +同意 [\d,]+ 件（うち撤回 [\d,]+ 件）、不同意 [\d,]+ 件$", out,
                     re.MULTILINE)
    assert re.search(r"^匿名（対象者なし） +[\d,]+ 件$", out, re.MULTILINE)
    assert re.search(r"^つなぎ +[\d,]+ 件（匿名 [\d,]+ 件、回答期限超過 [\d,]+ 件）$", out,
                     re.MULTILINE)
    assert count(db_path, Consultation) == 300
    staff = count(db_path, Staff)
    assert staff >= 28 * 5 + 5 + 1  # 4 partners + a supervisor per district, branches, admin
    password = re.search(r"パスワードは全員共通: (\S+?)）", out)
    login = re.search(r"^(demo-ikejiri-anshin-counter)\s", out, re.MULTILINE)
    assert password and login
    db = Database.open(f"sqlite:///{db_path}")
    try:
        profile = auth.login(db, login.group(1), password.group(1))
    finally:
        db.close()
    assert profile.district_code == "ikejiri"
    assert ("demo_generate", "(system)") in audit_actions(db_path)


def test_a_large_demo_says_where_its_time_went(
        capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From PHASES_FROM cases on the demo prints its phases (here lowered, with the worker that
    a large demo forks, so that a small one shows them)."""
    monkeypatch.setattr(cli, "PHASES_FROM", 1)
    monkeypatch.setattr(demo_worker, "WORKER_FROM", 1)
    code, out, err = run(capsys, "--database", str(db_path), "demo", "--cases", "300",
                         "--days", "3")
    assert code == 0, err
    for label in ("相談（作成と書き込み）", "  うち書き込み", "検索索引", "つなぎ", "監督者の確認",
                  "  作成側：相談の行の変換と送信", "確定（ディスク）"):
        assert re.search(rf"^{re.escape(label)} +\d+\.\d +\d+\.\d$", out, re.MULTILINE), label
    assert count(db_path, Consultation) == 300


def test_demo_if_empty_adds_nothing_the_second_time(
        capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    assert run(capsys, "--database", str(db_path), "demo", "--cases", "40", "--days", "1")[0] == 0
    before = (count(db_path, Staff), count(db_path, Consultation))
    code, out, _err = run(capsys, "--database", str(db_path), "demo", "--if-empty")
    assert code == 0
    assert "作成しませんでした" in out and "demo-pass-2026" in out
    assert (count(db_path, Staff), count(db_path, Consultation)) == before


def test_demo_refuses_a_database_with_real_accounts(
        capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert first_administrator(capsys, monkeypatch, db_path)[0] == 0
    code, _out, err = run(capsys, "--database", str(db_path), "demo", "--cases", "10")
    assert code == 1 and "デモ以外の職員" in err
    assert count(db_path, Consultation) == 0 and count(db_path, Staff) == 1


# --- user ---------------------------------------------------------------------------------------

ROOT = "root"


def first_administrator(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                        db_path: Path, login: str = ROOT) -> tuple[int, str, str]:
    """``user add --first-administrator``: the one account added without a login."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    return run(capsys, "--database", str(db_path), "user", "add", login, "--name", "管理 花子",
               "--role", "管理者", "--org", "総合支所", "--area", "世田谷",
               "--first-administrator", "--password-stdin")


def add_user(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
             *extra: str, login: str = "sato01", password: str = PASSWORD, as_login: str = ROOT
             ) -> tuple[int, str, str]:
    """``user add … --as AS_LOGIN --password-stdin``: the first administrator is made first."""
    if count(db_path, Staff) == 0:
        assert first_administrator(capsys, monkeypatch, db_path)[0] == 0
    # Line 1: the password of --as; line 2: the new account's.
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{PASSWORD}\n{password}\n"))
    options = {"--name": "佐藤 花子", "--role": "受付", "--district": "池尻",
               "--org": "まちづくりセンター"}
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        options[flag] = value
    argv = ["--database", str(db_path), "user", "add", login, "--password-stdin", "--as", as_login]
    for flag, value in options.items():
        if value:
            argv += [flag, value]
    return run(capsys, *argv)


def test_the_first_administrator_needs_no_login_and_audits_as_itself(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    code, out, err = first_administrator(capsys, monkeypatch, db_path)
    assert code == 0, err
    assert "root" in out and "管理者" in out and PASSWORD not in out + err
    assert audit_actions(db_path) == [("staff_create", "root")]


def test_user_add_reads_both_passwords_from_stdin_and_audits_the_administrator(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    code, out, err = add_user(capsys, monkeypatch, db_path, password="sato-pass-2026")
    assert code == 0, err
    assert "sato01" in out and "池尻まちづくりセンター" in out
    assert PASSWORD not in out + err and "sato-pass-2026" not in out + err
    assert count(db_path, Staff) == 2
    actions = audit_actions(db_path)
    assert ("staff_create", "root") in actions[1:] and ("login", "root") in actions
    assert all(login != "(system)" for _action, login in actions)
    db = Database.open(f"sqlite:///{db_path}")
    try:
        assert auth.login(db, "sato01", "sato-pass-2026").organisation_name == "池尻まちづくりセンター"
    finally:
        db.close()


def test_user_add_at_an_area_branch_with_codes(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    code, out, err = add_user(capsys, monkeypatch, db_path, "--role", "supervisor", "--org",
                              "branch", "--district", "", "--area", "玉川", login="tama-sv")
    assert code == 0, err
    assert "玉川総合支所" in out and "監督者" in out


@pytest.mark.parametrize(("extra", "password", "message"), [
    (("--role", "係長"), PASSWORD, "役割: 「係長」は役割ではありません"),
    (("--district", "渋谷"), PASSWORD, "地区: 「渋谷」は地区ではありません"),
    (("--org", "区役所"), PASSWORD, "所属: 「区役所」は所属の種類ではありません"),
    ((), "short", "パスワード: 8文字以上にしてください"),
    (("--district", ""), PASSWORD, "地区: --district で指定してください"),
    (("--org", "総合支所"), PASSWORD, "地域: --area で指定してください"),
])
def test_user_add_bad_input_exits_2_and_writes_nothing(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        extra: tuple[str, ...], password: str, message: str) -> None:
    code, out, err = add_user(capsys, monkeypatch, db_path, *extra, password=password)
    assert code == 2
    assert message in err
    assert all(line.startswith("入力エラー: ") for line in err.splitlines())
    assert out == ""
    assert count(db_path, Staff) == 1  # the administrator alone
    assert [a for a in audit_actions(db_path) if a[0] == "staff_create"] == [
        ("staff_create", "root")]


def test_user_add_reports_every_problem_on_its_own_line(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    code, _out, err = add_user(capsys, monkeypatch, db_path, "--role", "係長", "--district",
                               "渋谷", password="short")
    assert code == 2
    assert len(err.splitlines()) == 3


def test_user_add_duplicate_login_exits_2(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    assert add_user(capsys, monkeypatch, db_path)[0] == 0
    code, _out, err = add_user(capsys, monkeypatch, db_path, "--name", "別の 人", login="SATO01")
    assert code == 2 and "ログインID: 「SATO01」は既に使われています" in err
    assert count(db_path, Staff) == 2


def test_user_add_prompts_for_each_password_and_refuses_a_mismatch(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    assert first_administrator(capsys, monkeypatch, db_path)[0] == 0
    answers = iter([PASSWORD, "sato-pass-2026", "sato-pass-2026x"])
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr("setacare_desktop.cli_input.has_terminal", lambda: True)  # a typist
    argv = ["--database", str(db_path), "user", "add", "sato01", "--name", "佐藤 花子", "--role",
            "受付", "--district", "池尻", "--org", "まちづくりセンター", "--as", ROOT]
    code, _out, err = run(capsys, *argv)
    assert code == 2 and "パスワード: 確認用の入力と一致しません" in err
    assert prompts == ["root のパスワード: ", "新しい職員のパスワード: ",
                       "新しい職員のパスワード（確認）: "]
    assert count(db_path, Staff) == 1

    answers = iter([PASSWORD, "sato-pass-2026", "sato-pass-2026"])
    code, _out, err = run(capsys, *argv[:8], "相談員", "--district", "ikejiri", "--org", "あんすこ",
                          "--as", ROOT)
    assert code == 0, err
    assert count(db_path, Staff) == 2


def test_user_list_shows_the_accounts_to_an_administrator(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    add_user(capsys, monkeypatch, db_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    code, out, err = run(capsys, "--database", str(db_path), "user", "list", "--as", ROOT,
                         "--password-stdin")
    assert code == 0, err
    assert re.search(r"sato01\s+佐藤 花子\s+受付\s+池尻まちづくりセンター\s+有効", out)
    assert "2 人" in out
    assert ("staff_list", "root") in audit_actions(db_path)


@pytest.mark.parametrize("argv", [
    ["user", "list"],
    ["user", "add", "evil-sv", "--name", "x", "--role", "監督者", "--org", "総合支所",
     "--area", "砧", "--password-stdin"],
])
def test_user_commands_without_a_login_are_refused_by_argparse(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        argv: list[str]) -> None:
    first_administrator(capsys, monkeypatch, db_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("long-password-1\n"))
    code, out, err = run(capsys, "--database", str(db_path), *argv)
    assert code == 2 and out == ""
    assert "入力エラー: " in err and "--as" in err and "必要です" in err
    assert count(db_path, Staff) == 1
    assert audit_actions(db_path) == [("staff_create", "root")]  # nothing else happened


def test_the_first_administrator_path_is_closed_once_an_account_exists(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    """``user add evil-sv --role 監督者 …`` used to need no login on a database of 291 staff."""
    first_administrator(capsys, monkeypatch, db_path)
    code, out, err = first_administrator(capsys, monkeypatch, db_path, login="evil-admin")
    assert code == 1 and out == ""
    assert "ログインが必要です" in err
    assert count(db_path, Staff) == 1
    assert audit_actions(db_path)[-1] == ("permission_denied", "(system)")


@pytest.mark.parametrize("command", ["add", "list"])
def test_user_commands_as_a_clerk_are_refused_and_audited(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        command: str) -> None:
    assert add_user(capsys, monkeypatch, db_path)[0] == 0  # sato01, a counter clerk
    if command == "add":
        code, out, err = add_user(capsys, monkeypatch, db_path, "--role", "監督者", "--org",
                                  "総合支所", "--area", "砧", login="evil-sv", as_login="sato01")
    else:
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
        code, out, err = run(capsys, "--database", str(db_path), "user", "list", "--as",
                             "sato01", "--password-stdin")
    assert code == 1 and out == ""
    assert "管理者のみ" in err
    assert count(db_path, Staff) == 2
    assert ("permission_denied", "sato01") in audit_actions(db_path)


# --- info and db --------------------------------------------------------------------------------


def head_revision(db_path: Path) -> str:
    db = Database.open(f"sqlite:///{db_path}")
    try:
        return db.head_revision()
    finally:
        db.close()


def test_info_shows_version_folder_url_and_counts(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "data"), "info")
    assert code == 0, err
    database = tmp_path / "data" / "setacare.db"
    assert f"sqlite:///{database}" in out
    assert str(tmp_path / "data") in out and __version__ in out
    assert "0 人" in out and "0 件" in out
    assert head_revision(database) in out


def test_location_options_also_work_after_the_command(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _err = run(capsys, "info", "--data-dir", str(tmp_path / "later"))
    assert code == 0 and str(tmp_path / "later" / "setacare.db") in out


def test_db_current_and_upgrade(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                db_path: Path) -> None:
    head = head_revision(db_path)
    code, out, _err = run(capsys, "--database", str(db_path), "db", "current")
    assert code == 0
    assert f"現在のスキーマ: {head}" in out and f"最新のスキーマ: {head}" in out
    fresh = tmp_path / "fresh.db"
    code, out, _err = run(capsys, "--database", str(fresh), "db", "current")
    assert code == 0 and "現在のスキーマ: （なし）" in out and "更新が必要です" in out
    code, out, _err = run(capsys, "--database", str(fresh), "db", "upgrade")
    assert code == 0 and f"（なし） → {head}" in out
    code, out, _err = run(capsys, "--database", str(fresh), "db", "upgrade")
    assert code == 0 and f"スキーマは最新です（{head}）" in out


def test_db_upgrade_prints_the_backup_of_a_non_empty_file(
        capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    one_revision_behind(db_path)
    code, out, err = run(capsys, "--database", str(db_path), "db", "upgrade")
    assert code == 0, err
    backup = re.search(r"更新前のバックアップ: (.+)$", out, re.MULTILINE)
    assert backup and Path(backup.group(1)).exists()
    assert f"{previous_revision()} → {head_revision(db_path)}" in out


def test_a_database_from_a_newer_program_is_refused(
        capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    for command in (["info"], ["db", "current"], ["db", "upgrade"], ["demo", "--cases", "5"]):
        code, out, err = run(capsys, "--database", str(db_path), *command)
        assert code == 1, command
        assert "新しいバージョン" in err and out == ""


# --- argparse misuse ----------------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "message"), [
    (["demo", "--cases", "many"], "引数 --cases: 整数ではありません: many"),
    (["demo", "--days", "0"], "引数 --days: 1〜2,500 の整数にしてください: 0"),
    (["launch"], "選べない値です: 'launch'"),
    (["user", "add"], "次の引数が必要です: LOGIN, --name, --role, --org"),
    (["user", "add", "x", "--name", "n", "--role", "受付", "--org", "児童館"],
     "次の引数のどれか1つが必要です: --as --first-administrator"),
    (["user", "list"], "次の引数が必要です: --as"),
    (["db"], "次の引数が必要です"),
    (["info", "--colour"], "不明な引数です: --colour"),
])
def test_argparse_misuse_exits_2_in_japanese(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "--data-dir", str(tmp_path), *argv)
    assert code == 2
    assert "入力エラー: " in err and message in err
    assert "使い方: setacare" in err
    assert out == ""
    assert not (tmp_path / "setacare.db").exists()


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "--help")
    assert code == 0 and "使い方: setacare" in out and "コマンド" in out and "demo" in out
    code, out, _err = run(capsys, "--version")
    assert code == 0 and out.strip() == f"SetaCare Desktop {__version__}"


# --- a real process -----------------------------------------------------------------------------


@pytest.mark.slow
def test_python_dash_m_runs_the_demo_and_info(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUTF8": "1"}
    env.pop("SETACARE_DATABASE_URL", None)
    base = [sys.executable, "-m", "setacare_desktop", "--data-dir", str(tmp_path)]
    demo = subprocess.run([*base, "demo", "--cases", "200", "--days", "2"], env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert demo.returncode == 0, demo.stderr
    assert "demo-admin" in demo.stdout and "200 件" in demo.stdout
    info = subprocess.run([*base, "info"], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    assert info.returncode == 0, info.stderr
    assert "200 件" in info.stdout
    bad = subprocess.run([*base, "user", "add", "x", "--name", "n", "--role", "係長",
                          "--district", "池尻", "--org", "児童館", "--password-stdin",
                          "--as", "demo-admin"],
                         input="demo-pass-2026\nlong-enough-pw\n", env=env, capture_output=True,
                         text=True, encoding="utf-8", timeout=120)
    assert bad.returncode == 2 and "役割: 「係長」は役割ではありません" in bad.stderr


def test_a_password_in_database_on_the_command_line_is_warned_about_and_not_echoed(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Nothing listens on port 1: the command fails, but the warning comes first.
    url = "postgresql+psycopg://clerk:s3cret-pw@127.0.0.1:1/setacare"
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "--database", url, "info")
    assert code != 0
    assert "パスワードが含まれています" in err and "pgpass" in err
    assert "s3cret-pw" not in out + err
    # Without a password (libpq reads it from the pgpass file) nothing is said about it.
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "--database",
                         "postgresql+psycopg://clerk@127.0.0.1:1/setacare", "info")
    assert "パスワードが含まれています" not in err
