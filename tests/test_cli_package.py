"""``setacare package export|import``: the offline day package from the command line, with the
password and the passphrase on standard input (or typed at prompts), never in the arguments."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from setacare_desktop.app import main
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.review import Decision
from setacare_desktop.services import Database, auth
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services import package as package_svc
from setacare_desktop.services.package import clock
from setacare_desktop.store.models import AuditEvent, CaseReview, DaySignoff

TEST_PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
PASSPHRASE = "correct horse battery staple"
DAY = date(2025, 6, 2)  # a Monday in the past wherever the tests run
BOSS = "ikejiri-boss"


@pytest.fixture
def database(db_path: Path, staff_factory: Callable[..., Any]) -> tuple[Path, int]:
    """The test database with a 池尻 clerk, the 池尻 supervisor and one consultation on DAY."""
    db = Database.open(f"sqlite:///{db_path}")
    try:
        clerk = staff_factory(db, "ikejiri-clerk")
        staff_factory(db, BOSS, role="監督者")
        data = IntakeInput(
            received_at="R7.6.2 10:30", channel="来所", district="池尻", consulter_kind="本人",
            main_complaint="介護保険の申請について", target_groups=["高齢者"],
            elements=["福祉サービス"], response="助言",
            person=PersonInput(name="山田 花子", reading="やまだ はなこ"))
        case_id = intake_svc.record_intake(db, clerk, data,
                                           now=datetime(2025, 6, 2, 16, 0)).consultation_id
    finally:
        db.close()
    return db_path, case_id


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(["--database", str(db_path), *argv])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def export(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
           out: Path, *extra: str, passphrase: str = PASSPHRASE) -> tuple[int, str, str]:
    return run(capsys, monkeypatch, db_path, "package", "export", "--date", "R7.6.2",
               "--scope", "池尻", "--out", str(out), *extra, "--as", BOSS, "--password-stdin",
               "--passphrase-stdin", stdin=f"{TEST_PASSWORD}\n{passphrase}\n")


def import_(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
            path: Path, passphrase: str = PASSPHRASE) -> tuple[int, str, str]:
    return run(capsys, monkeypatch, db_path, "package", "import", str(path), "--as", BOSS,
               "--password-stdin", "--passphrase-stdin",
               stdin=f"{TEST_PASSWORD}\n{passphrase}\n")


def count(db_path: Path, model: type) -> int:
    db = Database.open(f"sqlite:///{db_path}")
    try:
        with db.read() as session:
            return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
    finally:
        db.close()


def review_offline(path: Path, case_id: int) -> None:
    """What the supervisor does on the other machine: confirm the case, sign the day off."""
    package = package_svc.open_package(path.read_bytes(), PASSPHRASE)
    source = package_svc.PackageReviewSource(package, package.login(BOSS, TEST_PASSWORD), path,
                                             PASSPHRASE)
    source.decide(case_id, Decision.CONFIRMED, "", seen_version=1)
    source.sign_off(DAY, "ikejiri")


def test_export_review_offline_and_import_once(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        database: tuple[Path, int], tmp_path: Path) -> None:
    db_path, case_id = database
    path = tmp_path / "ikejiri.setacare"
    code, out, err = export(capsys, monkeypatch, db_path, path)
    assert code == 0, err
    opened = package_svc.open_package(path.read_bytes(), PASSPHRASE)
    assert f"パッケージID: {opened.package_id}" in out
    assert "池尻地区 2025-06-02〜2025-06-02（相談のある日 1日、相談 1件）" in out
    assert str(path) in out and not path.with_name(path.name + ".part").exists()
    assert PASSPHRASE not in out + err and TEST_PASSWORD not in out + err
    assert b"\xe5\xb1\xb1\xe7\x94\xb0" not in path.read_bytes()  # 山田, in UTF-8

    review_offline(path, case_id)
    code, out, err = import_(capsys, monkeypatch, db_path, path)
    assert code == 0, err
    assert "取り込んだ判断: 2件" in out and "取り込まなかった判断: 0件" in out
    assert (count(db_path, CaseReview), count(db_path, DaySignoff)) == (1, 1)

    code, out, err = import_(capsys, monkeypatch, db_path, path)
    assert code == 0, err
    assert "取り込んだ判断: 0件" in out and "取り込み済みのため変更なし: 2件" in out
    assert (count(db_path, CaseReview), count(db_path, DaySignoff)) == (1, 1)


def test_import_lists_the_decisions_it_left_out(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        database: tuple[Path, int], tmp_path: Path) -> None:
    db_path, case_id = database
    path = tmp_path / "ikejiri.setacare"
    assert export(capsys, monkeypatch, db_path, path)[0] == 0
    review_offline(path, case_id)
    db = Database.open(f"sqlite:///{db_path}")
    try:  # amended in the office after the export
        clerk = auth.login(db, "ikejiri-clerk", TEST_PASSWORD)
        loaded = intake_svc.load_intake(db, clerk, case_id)
        loaded.data.details = "書き出し後に追記"
        intake_svc.amend_intake(db, clerk, case_id, loaded.data, expected_version=1,
                                now=datetime(2025, 6, 2, 17, 0))
    finally:
        db.close()
    code, out, err = import_(capsys, monkeypatch, db_path, path)
    assert code == 0, err
    assert "取り込んだ判断: 0件" in out and "★ 取り込まなかった判断: 2件" in out
    assert f"2025-06-02 池尻地区 相談 No.{case_id}: {package_svc.AMENDED_SINCE}" in out
    assert "2025-06-02 池尻地区 日次確認: " in out
    assert (count(db_path, CaseReview), count(db_path, DaySignoff)) == (0, 0)


def test_wrong_passphrase_exits_1_and_writes_nothing(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        database: tuple[Path, int], tmp_path: Path) -> None:
    db_path, _case_id = database
    path = tmp_path / "ikejiri.setacare"
    assert export(capsys, monkeypatch, db_path, path)[0] == 0
    events = count(db_path, AuditEvent)
    code, out, err = import_(capsys, monkeypatch, db_path, path, "a wrong passphrase")
    assert code == 1 and out == ""
    assert err.strip() == f"エラー: {package_svc.CANNOT_OPEN}"
    assert count(db_path, AuditEvent) == events  # not even a login
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01
    path.write_bytes(bytes(data))
    code, _out, err = import_(capsys, monkeypatch, db_path, path)
    assert code == 1 and "改ざんされています" in err
    path.write_bytes(b"not a package")
    code, _out, err = import_(capsys, monkeypatch, db_path, path)
    assert code == 1 and "日次パッケージではありません" in err


def test_bad_input_exits_2_naming_the_option(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        database: tuple[Path, int], tmp_path: Path) -> None:
    db_path, _case_id = database
    out_path = tmp_path / "x.setacare"
    code, _out, err = run(capsys, monkeypatch, db_path, "package", "export", "--date", "2025-13-45",
                          "--scope", "どこか", "--out", str(out_path), "--as", BOSS,
                          "--password-stdin", "--passphrase-stdin",
                          stdin=f"{TEST_PASSWORD}\n{PASSPHRASE}\n")
    assert code == 2
    assert "入力エラー: --date: " in err and "入力エラー: --scope: 「どこか」" in err
    code, _out, err = export(capsys, monkeypatch, db_path, out_path, passphrase="short")
    assert code == 2 and "入力エラー: パスフレーズ: 10文字以上" in err
    code, _out, err = export(capsys, monkeypatch, db_path, out_path, "--to", "R7.5.1")
    assert code == 2 and "入力エラー: --to: " in err
    assert not out_path.exists()


def test_export_asks_for_the_passphrase_twice_without_echo(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        database: tuple[Path, int], tmp_path: Path) -> None:
    db_path, _case_id = database
    prompts: list[str] = []
    answers = {f"{BOSS} のパスワード: ": TEST_PASSWORD, "パスフレーズ: ": PASSPHRASE,
               "パスフレーズ（確認）: ": PASSPHRASE}

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return answers[prompt]

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr("setacare_desktop.cli_input.has_terminal", lambda: True)  # a typist
    path = tmp_path / "ikejiri.setacare"
    code, _out, err = run(capsys, monkeypatch, db_path, "package", "export", "--date", "R7.6.2",
                          "--scope", "ikejiri", "--out", str(path), "--as", BOSS)
    assert code == 0, err
    assert prompts == list(answers)
    assert package_svc.open_package(path.read_bytes(), PASSPHRASE).scope_label == "池尻地区"
    answers["パスフレーズ（確認）: "] = "something else entirely"
    code, _out, err = run(capsys, monkeypatch, db_path, "package", "export", "--date", "R7.6.2",
                          "--scope", "ikejiri", "--out", str(path), "--as", BOSS, "--force")
    assert code == 2 and "確認用の入力と一致しません" in err


def test_expiry_is_chosen_at_export_and_an_expired_package_is_refused(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        database: tuple[Path, int], tmp_path: Path) -> None:
    db_path, case_id = database
    path = tmp_path / "ikejiri.setacare"
    for bad in ("0", "31", "three"):
        code, _out, err = export(capsys, monkeypatch, db_path, path, "--expires-in-days", bad)
        assert code == 2 and "--expires-in-days" in err and not path.exists()
    code, out, err = export(capsys, monkeypatch, db_path, path, "--expires-in-days", "5")
    assert code == 0, err
    opened = package_svc.open_package(path.read_bytes(), PASSPHRASE)
    assert opened.expires_at - opened.exported_at == timedelta(days=5)
    expiry = package_svc.expiry_text(opened.expires_at)
    assert expiry.startswith("令和") and f"有効期限: {expiry}" in out
    review_offline(path, case_id)
    monkeypatch.setattr(clock, "utc_now", lambda: opened.expires_at + timedelta(minutes=1))
    events = count(db_path, AuditEvent)
    code, out, err = import_(capsys, monkeypatch, db_path, path)
    assert code == 1 and out == ""
    assert err.strip() == (f"エラー: この日次パッケージは有効期限（{expiry}）を過ぎているため、"
                           "開けません。必要なら、監督者が事務所でもう一度書き出してください。")
    assert count(db_path, AuditEvent) == events and count(db_path, CaseReview) == 0


def test_a_guessable_passphrase_is_refused_with_zxcvbns_feedback(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        database: tuple[Path, int], tmp_path: Path) -> None:
    db_path, _case_id = database
    path = tmp_path / "ikejiri.setacare"
    events = count(db_path, AuditEvent)
    code, out, err = export(capsys, monkeypatch, db_path, path, passphrase="aaaaaaaaaa")
    assert code == 2 and out == "" and not path.exists()
    assert err.startswith("入力エラー: パスフレーズ: 推測されやすいパスフレーズです。")
    assert "繰り返し" in err and "単語を4つ以上" in err
    assert count(db_path, AuditEvent) == events  # refused before any login


def test_an_existing_out_file_is_replaced_only_with_force(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        database: tuple[Path, int], tmp_path: Path) -> None:
    db_path, _case_id = database
    path = tmp_path / "ikejiri.setacare"
    path.write_bytes(b"someone else's file")
    code, _out, err = export(capsys, monkeypatch, db_path, path)
    assert code == 2 and f"入力エラー: --out: {path} は既にあります。" in err and "--force" in err
    assert path.read_bytes() == b"someone else's file"
    code, _out, err = export(capsys, monkeypatch, db_path, path, "--force")
    assert code == 0, err
    assert package_svc.open_package(path.read_bytes(), PASSPHRASE).scope_label == "池尻地区"


def test_import_into_another_database_is_refused(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        database: tuple[Path, int], tmp_path: Path, staff_factory: Callable[..., Any]) -> None:
    """Two real database files: the demo's attack (decisions applied to another database's
    consultations of the same number) no longer works."""
    db_path, case_id = database
    other_path = tmp_path / "other.db"
    other = Database.open(f"sqlite:///{other_path}")  # migrated from empty: its own id
    try:
        clerk = staff_factory(other, "ikejiri-clerk")
        staff_factory(other, BOSS, role="監督者")
        other_case = intake_svc.record_intake(other, clerk, IntakeInput(
            received_at="R7.6.2 10:30", channel="来所", district="池尻", consulter_kind="本人",
            main_complaint="別の相談", target_groups=["高齢者"], response="助言",
            person=PersonInput(name="別の 人")), now=datetime(2025, 6, 2, 16, 0)).consultation_id
    finally:
        other.close()
    assert other_case == case_id
    path = tmp_path / "ikejiri.setacare"
    assert export(capsys, monkeypatch, db_path, path)[0] == 0
    review_offline(path, case_id)
    code, out, err = import_(capsys, monkeypatch, other_path, path)
    assert code == 1 and out == ""
    assert err.strip() == f"エラー: {package_svc.FOREIGN_DATABASE}"
    assert "別のデータベースから書き出されたもの" in err
    assert (count(other_path, CaseReview), count(other_path, DaySignoff)) == (0, 0)
    code, out, err = import_(capsys, monkeypatch, db_path, path)
    assert code == 0 and "取り込んだ判断: 2件" in out
