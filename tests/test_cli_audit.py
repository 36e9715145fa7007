"""``setacare audit verify`` and ``setacare audit list`` end to end through ``main``: login as
``--as``, the roles allowed, the table and the CSV, the exit codes, and the warning when the
audit table's protection was found removed at start."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from setacare_desktop.app import main
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.services import Database, PermissionDeniedError
from setacare_desktop.services import intake as intake_svc

TEST_PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        *argv: str, login: str = "boss") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    try:
        code = main(["--database", str(db_path), *argv, "--as", login, "--password-stdin"])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@contextmanager
def opened(db_path: Path) -> Iterator[Database]:
    db = Database.open(f"sqlite:///{db_path}")
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def world(db_path: Path, staff_factory: Callable[..., Any]) -> dict[str, int]:
    with opened(db_path) as db:
        clerk = staff_factory(db, "clerk", org_kind="あんしんすこやかセンター")
        other = staff_factory(db, "other", place="太子堂")
        staff_factory(db, "boss", role="監督者")
        staff_factory(db, "kanri", role="管理者", place="世田谷", org_kind="総合支所")
        saved = intake_svc.record_intake(db, clerk, IntakeInput(
            received_at="R8.11.24 10:30", channel="来所", consulter_kind="本人",
            main_complaint="物忘れが心配", target_groups=["高齢者"],
            person=PersonInput(name="山田 花子")))
        intake_svc.load_intake(db, clerk, saved.consultation_id)
        with pytest.raises(PermissionDeniedError):
            intake_svc.load_intake(db, other, saved.consultation_id)
        assert saved.person_id is not None
        return {"case": saved.consultation_id, "person": saved.person_id}


TODAY = local_now().date().isoformat()


def test_verify_counts_an_intact_trail_and_names_a_broken_link(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        world: dict[str, int]) -> None:
    code, out, err = run(capsys, monkeypatch, db_path, "audit", "verify", login="kanri")
    assert code == 0, err
    assert "操作記録は改ざんされていません" in out and "件を検証しました" in out
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
        connection.exec_driver_sql("DELETE FROM audit_event WHERE id = 5")
    engine.dispose()
    code, out, err = run(capsys, monkeypatch, db_path, "audit", "verify")
    assert code == 1
    # the start put the trigger back and said so; the check names the gap
    assert "警告: 操作記録の保護" in err and "作り直しました" in err
    assert "改ざんの疑いがあります（削除）" in err
    assert "操作記録 No.4 と No.6 の間の記録が削除されています" in err
    assert "それより前の 4 件に問題はありません" in err


def test_verify_and_list_are_for_supervisors_and_administrators(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        world: dict[str, int]) -> None:
    for command in (["audit", "verify"], ["audit", "list", "--from", TODAY]):
        code, _out, err = run(capsys, monkeypatch, db_path, *command, login="clerk")
        assert code == 1 and "監督者と管理者" in err


def test_list_shows_the_scope_with_flags(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        world: dict[str, int]) -> None:
    code, out, err = run(capsys, monkeypatch, db_path, "audit", "list", "--from", TODAY)
    assert code == 0, err
    assert out.startswith(f"操作記録 {TODAY}〜{TODAY}（池尻地区）")
    lines = out.splitlines()
    assert lines[1].split() == ["No.", "日時", "職員", "所属", "操作", "対象", "対象者", "注意"]
    view = next(line for line in lines if "相談の閲覧" in line)
    assert f"相談 No.{world['case']}" in view and str(world["person"]) in view
    # taishido's clerk tried this district's case: refused, and flagged
    refused = next(line for line in lines if "権限外の操作（拒否）" in line)
    assert refused.split()[3] == "other"
    assert refused.count("権限外の操作（拒否）") == 2  # the action, and its flag in 注意
    assert "山田" not in out  # the trail names records by id only


def test_list_filters_and_csv(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        world: dict[str, int]) -> None:
    code, out, err = run(capsys, monkeypatch, db_path, "audit", "list", "--from", TODAY,
                         "--to", TODAY, "--person", str(world["person"]), "--action", "相談の閲覧",
                         "--format", "csv", login="kanri")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][0] == "記録No." and len(rows) == 2
    assert rows[1][2] == "clerk" and rows[1][5] == "相談の閲覧"
    assert rows[1][7] == str(world["person"]) and rows[1][8] == "池尻"
    code, out, err = run(capsys, monkeypatch, db_path, "audit", "list", "--from", TODAY,
                         "--staff", "nobody", login="kanri")
    assert code == 0 and " 0 件" in out


@pytest.mark.parametrize(("extra", "message"), [
    (["--from", "2026-01-01", "--to", "2026-03-01"], "--from/--to: 一度に確認できるのは31日まで"),
    (["--from", "2026-11-24", "--to", "2026-11-01"], "--from/--to: 開始日"),
    (["--from", "きのう"], "--from: 日付の形式が正しくありません"),
    (["--from", "2026-11-24", "--action", "なにか"], "--action: 知らない操作です: なにか"),
])
def test_bad_input_is_refused_before_the_password(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        extra: list[str], message: str) -> None:
    code, _out, err = run(capsys, monkeypatch, db_path, "audit", "list", *extra)
    assert code == 2 and message in err
