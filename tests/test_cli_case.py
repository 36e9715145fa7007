"""``setacare case …``: consultations from the command line, acting as a staff member (``--as``).

The JSON shape is docs/case-json.md; validation is the form's (exit 2, one line per problem,
nothing written); login, scope and audit are the window's (exit 1 on a wrong password or a
district outside the staff member's scope).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from setacare_desktop.app import main
from setacare_desktop.services import Database
from setacare_desktop.store.models import (
    AuditEvent,
    ConsentRecordRow,
    Consultation,
    ConsultationDetail,
    Person,
)

TEST_PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
CLERK = "ikejiri-clerk"
DAY = "R7.6.2"  # Monday 2 June 2025: in the past wherever the tests run

CASE: dict[str, Any] = {
    "received_at": f"{DAY} 10:30",
    "channel": "来所",
    "district": "池尻",
    "consulter_kind": "家族・親族",
    "consulter_relation": "長女",
    "consulter_name": "",
    "consulter_contact": "０９０-0000-1111",
    "person": {
        "name": "山田 花子",
        "reading": "ﾔﾏﾀﾞ ﾊﾅｺ",
        "birth_date": "昭和20年3月3日",
        "sex": "女性",
        "address_town": "池尻二丁目",
        "address_rest": "3番4号",
        "phone": "03-0000-2222",
        "household": "単身",
    },
    "person_id": None,
    "target_groups": ["高齢者"],
    "elements": ["福祉サービス", "医療"],
    "main_complaint": "母の物忘れと介護保険の申請",
    "details": "長女より。母（80代）が一人暮らしで物忘れが増えた。",
    "response": "つなぎ",
    "next_date": "R7.6.9",
    "next_note": "電話で確認",
    "urgency": [],
    "urgency_note": "",
    "consents": [
        {"recipient": "org:2", "purpose": "share", "given": True, "giver": "self",
         "giver_relation": "", "method": "oral", "given_on": ""},
    ],
}

#: What ``case show --json`` prints for CASE once recorded: codes, ISO dates, hiragana, ASCII digits.
SHOWN: dict[str, Any] = {
    **CASE,
    "received_at": "2025-06-02 10:30",
    "channel": "visit_counter",
    "district": "ikejiri",
    "consulter_kind": "family",
    "consulter_contact": "090-0000-1111",
    "person": {**CASE["person"], "reading": "やまだ はなこ", "birth_date": "1945-03-03",
               "sex": "female", "household": "single"},
    "target_groups": ["elderly"],
    "elements": ["medical", "welfare_service"],
    "response": "referral",
    "next_date": "2025-06-09",
    "consents": [],  # consent records belong to the person: see docs/case-json.md
}


@pytest.fixture
def database(db_path: Path, staff_factory: Callable[..., Any]) -> Iterator[Path]:
    """The test database with a 池尻 counter clerk (and a 太子堂 one) to act as."""
    db = Database.open(f"sqlite:///{db_path}")
    try:
        staff_factory(db, CLERK, org_kind="あんしんすこやかセンター")
        staff_factory(db, "taishido-clerk", place="太子堂")
    finally:
        db.close()
    return db_path


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(["--database", str(db_path), *argv])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def add(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        case: object, *, login: str = CLERK, password: str = TEST_PASSWORD
        ) -> tuple[int, str, str]:
    """``case add --json -`` with the password on the first line of standard input."""
    text = case if isinstance(case, str) else json.dumps(case, ensure_ascii=False)
    return run(capsys, monkeypatch, db_path, "case", "add", "--json", "-", "--as", login,
               "--password-stdin", stdin=f"{password}\n{text}")


def as_clerk(*argv: str) -> tuple[str, ...]:
    return (*argv, "--as", CLERK, "--password-stdin")


def count(db_path: Path, model: type) -> int:
    db = Database.open(f"sqlite:///{db_path}")
    try:
        with db.read() as session:
            return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
    finally:
        db.close()


def audit(db_path: Path) -> list[tuple[str, str]]:
    db = Database.open(f"sqlite:///{db_path}")
    try:
        with db.read() as session:
            return [(e.action, e.login) for e in session.scalars(
                sa.select(AuditEvent).order_by(AuditEvent.id))]
    finally:
        db.close()


def recorded_id(out: str) -> int:
    match = re.fullmatch(r"相談を登録しました: No\. (\d+)\n", out)
    assert match, out
    return int(match.group(1))


def show(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
         consultation_id: int) -> dict[str, Any]:
    code, out, err = run(capsys, monkeypatch, db_path,
                         *as_clerk("case", "show", str(consultation_id), "--json"),
                         stdin=TEST_PASSWORD + "\n")
    assert code == 0, err
    shown = json.loads(out)
    assert isinstance(shown, dict)
    return shown


# --- case add -------------------------------------------------------------------------------------


def test_add_from_a_file_records_case_person_consent_and_audits(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path,
        tmp_path: Path) -> None:
    path = tmp_path / "soudan.json"
    path.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8-sig")  # Notepad's BOM
    code, out, err = run(capsys, monkeypatch, database,
                         *as_clerk("case", "add", "--json", str(path)),
                         stdin=TEST_PASSWORD + "\n")
    assert code == 0, err
    assert recorded_id(out) == 1
    assert TEST_PASSWORD not in out + err
    assert (count(database, Consultation), count(database, Person),
            count(database, ConsentRecordRow)) == (1, 1, 1)
    actions = [action for action, login in audit(database) if login == CLERK]
    assert actions[0] == "login" and actions[-1] == "logout"
    assert {"person_create", "consent_record", "consultation_create"} <= set(actions)


def test_add_from_stdin_takes_the_password_line_then_the_json(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    pretty = json.dumps(CASE, ensure_ascii=False, indent=2)  # a JSON of many lines
    code, out, err = add(capsys, monkeypatch, database, pretty)
    assert code == 0, err
    assert recorded_id(out) == 1


def test_add_asks_for_the_password_without_echo(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path,
        tmp_path: Path) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return TEST_PASSWORD

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr("setacare_desktop.cli_input.has_terminal", lambda: True)  # a typist
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, monkeypatch, database, "case", "add", "--json", str(path),
                         "--as", CLERK)
    assert code == 0, err
    assert prompts == [f"{CLERK} のパスワード: "]
    assert recorded_id(out) == 1


def test_show_prints_the_shape_back_and_it_round_trips(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    code, out, err = add(capsys, monkeypatch, database, CASE)
    assert code == 0, err
    first = show(capsys, monkeypatch, database, recorded_id(out))
    assert first == {**SHOWN, "person_id": 1}
    # Fed back to case add, the shown case is recorded again, linked to the same person.
    code, out, err = add(capsys, monkeypatch, database, first)
    assert code == 0, err
    again = show(capsys, monkeypatch, database, recorded_id(out))
    assert again == first
    assert count(database, Person) == 1 and count(database, Consultation) == 2
    assert count(database, ConsentRecordRow) == 1  # showing and re-adding repeats no consent


def test_show_without_json_is_readable_japanese(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    add(capsys, monkeypatch, database, {**CASE, "urgency": ["虐待の疑い"], "urgency_note": "至急"})
    code, out, err = run(capsys, monkeypatch, database, *as_clerk("case", "show", "1"),
                         stdin=TEST_PASSWORD + "\n")
    assert code == 0, err
    assert out.startswith("相談 No. 1（版 1）  ★緊急\n")
    for line in ("受付方法 +来所", "対象者 +山田 花子（やまだ はなこ） ID 1", "世帯状況 +単身",
                 "主訴 +母の物忘れと介護保険の申請", "緊急性 +虐待の疑い（至急）"):
        assert re.search(f"^{line}$", out, re.MULTILINE), line


def _nothing_written(db_path: Path) -> None:
    assert count(db_path, Consultation) == 0 and count(db_path, Person) == 0
    assert count(db_path, ConsentRecordRow) == 0


@pytest.mark.parametrize(("case", "lines"), [
    ("{\"received_at\": ", ["入力エラー: JSON: JSON として読めません（1行目 17文字目: "]),
    ("", ["入力エラー: JSON: 空です"]),
    ("[1, 2]", ["入力エラー: JSON: オブジェクト（{…}）で指定してください"]),
    ({**CASE, "mian_complaint": "x"}, ["入力エラー: mian_complaint: 不明な項目です"]),
    ({**CASE, "person": {**CASE["person"], "nmae": "x"}},
     ["入力エラー: person.nmae: 不明な項目です"]),
    ({**CASE, "consents": [{**CASE["consents"][0], "agreed": True}]},
     ["入力エラー: consents[0].agreed: 不明な項目です"]),
    ({**CASE, "target_groups": "高齢者", "person_id": "1"},
     ["入力エラー: person_id: 整数", "入力エラー: target_groups: 配列（[…]）で指定してください"]),
    ({**CASE, "consents": [{"recipient": "org:2", "given": "yes"}]},
     ["入力エラー: consents[0].given: true か false で指定してください"]),
    ({**CASE, "main_complaint": ""}, ["入力エラー: 主訴: 入力してください"]),
    ({**CASE, "main_complaint": "  ", "channel": "FAX",
      "person": {**CASE["person"], "birth_date": "R99.1.1", "reading": "yamada"}},
     ["入力エラー: 受付方法: 「FAX」は選択肢にありません",
      "入力エラー: ふりがな: ひらがな・カタカナで入力してください",
      "入力エラー: 生年月日: ", "入力エラー: 主訴: 入力してください"]),
    ({**CASE, "person": {"name": ""}, "person_id": None},  # anonymous: no consent possible
     ["入力エラー: 本人同意: 匿名の相談では同意を記録できません"]),
])
def test_bad_input_exits_2_one_line_per_problem_and_writes_nothing(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path,
        case: object, lines: list[str]) -> None:
    code, out, err = add(capsys, monkeypatch, database, case)
    assert code == 2, err
    assert out == ""
    got = err.splitlines()
    assert len(got) == len(lines), got
    for line, expected in zip(got, lines, strict=True):
        assert line.startswith(expected), (line, expected)
    _nothing_written(database)
    # Refused before the login: bad input costs neither a password check nor an audit row.
    assert not [a for a in audit(database) if a[1] == CLERK]


def test_a_missing_file_exits_2(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path,
        tmp_path: Path) -> None:
    code, _out, err = run(capsys, monkeypatch, database,
                          *as_clerk("case", "add", "--json", str(tmp_path / "none.json")),
                          stdin=TEST_PASSWORD + "\n")
    assert code == 2 and "入力エラー: --json: ファイルを読めません" in err and "見つかりません" in err
    _nothing_written(database)


def test_a_consent_recipient_outside_the_district_exits_2(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    case = {**CASE, "consents": [{"recipient": "org:6"}]}  # 太子堂あんしんすこやかセンター
    code, _out, err = add(capsys, monkeypatch, database, case)
    assert code == 2
    assert "consents[0].recipient: 「org:6」は池尻の同意先ではありません" in err
    _nothing_written(database)


def test_a_district_outside_the_scope_exits_1_and_is_audited(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    code, out, err = add(capsys, monkeypatch, database,
                         {**CASE, "district": "太子堂", "consents": []})
    assert code == 1 and out == ""
    assert err.strip() == "エラー: この地区の相談を記録する権限がありません。"
    _nothing_written(database)
    assert ("permission_denied", CLERK) in audit(database)
    assert audit(database)[-1] == ("logout", CLERK)


def test_a_wrong_password_exits_1_and_is_audited(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    code, out, err = add(capsys, monkeypatch, database, CASE, password="wrong-password")
    assert code == 1 and out == ""
    assert err.strip() == "エラー: ログインIDまたはパスワードが正しくありません。"
    _nothing_written(database)
    assert audit(database)[-1] == ("login_failed", CLERK)


def test_as_is_required(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                        database: Path) -> None:
    code, _out, err = run(capsys, monkeypatch, database, "case", "list")
    assert code == 2 and "次の引数が必要です: --as" in err


# --- case list, show, recipients ------------------------------------------------------------------


def test_list_shows_the_days_cases_with_the_urgent_mark(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    assert add(capsys, monkeypatch, database, CASE)[0] == 0
    urgent = {**CASE, "received_at": f"{DAY} 14:05", "channel": "電話", "person": {},
              "consulter_kind": "匿名", "consents": [], "main_complaint": "近所の家から毎晩怒鳴り声",
              "urgency": ["虐待の疑い"]}
    assert add(capsys, monkeypatch, database, urgent)[0] == 0
    assert add(capsys, monkeypatch, database, {**CASE, "received_at": "R7.6.3 9:00"})[0] == 0
    code, out, err = run(capsys, monkeypatch, database,
                         *as_clerk("case", "list", "--date", "令和7年6月2日", "--district", "池尻"),
                         stdin=TEST_PASSWORD + "\n")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["No.", "時刻", "地区", "対象者", "受付方法", "主訴", "緊急"]
    assert re.fullmatch(r"1 +10:30 +池尻 +山田 花子 +来所 +母の物忘れと介護保険の申請", lines[2])
    assert re.fullmatch(r"2 +14:05 +池尻 +（匿名） +電話 +近所の家から毎晩怒鳴り声 +★虐待の疑い",
                        lines[3])
    assert lines[-1] == "2025-06-02 池尻: 2 件（うち緊急 1 件）"
    code, out, _err = run(capsys, monkeypatch, database,
                          *as_clerk("case", "list", "--date", "2025-06-04"),
                          stdin=TEST_PASSWORD + "\n")
    assert code == 0 and out == "2025-06-04: 相談はありません。\n"
    assert ("consultation_list", CLERK) in audit(database)


@pytest.mark.parametrize(("argv", "code", "message"), [
    (("--date", "R7.2.30"), 2, "入力エラー: --date: 存在しない日付です"),
    (("--district", "渋谷"), 2, "入力エラー: 地区: 「渋谷」は地区ではありません"),
    (("--district", "太子堂"), 1, "エラー: この地区の相談記録を閲覧する権限がありません。"),
])
def test_list_refusals(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                       database: Path, argv: tuple[str, ...], code: int, message: str) -> None:
    got, out, err = run(capsys, monkeypatch, database, *as_clerk("case", "list", *argv),
                        stdin=TEST_PASSWORD + "\n")
    assert (got, out) == (code, "")
    assert err.strip() == message


def test_show_refuses_a_case_outside_the_scope_and_an_unknown_one(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    assert add(capsys, monkeypatch, database, CASE)[0] == 0
    code, out, err = run(capsys, monkeypatch, database, "case", "show", "1", "--json", "--as",
                         "taishido-clerk", "--password-stdin", stdin=TEST_PASSWORD + "\n")
    assert code == 1 and out == "" and "閲覧する権限がありません" in err
    assert ("permission_denied", "taishido-clerk") in audit(database)
    code, out, err = run(capsys, monkeypatch, database, *as_clerk("case", "show", "99"),
                         stdin=TEST_PASSWORD + "\n")
    assert code == 1 and "相談（ID 99）が見つかりません。" in err


def test_recipients_lists_the_four_partners_and_the_area_branch(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    code, out, err = run(capsys, monkeypatch, database, "case", "recipients", "--district", "池尻")
    assert code == 0, err
    rows = [line.split(maxsplit=1) for line in out.splitlines()[2:]]
    assert rows == [["org:1", "池尻まちづくりセンター"], ["org:2", "池尻あんしんすこやかセンター"],
                    ["org:3", "社会福祉協議会 池尻地区事務局"], ["org:4", "池尻児童館"],
                    [rows[4][0], "世田谷総合支所"]]
    assert rows[4][0].startswith("org:")
    code, out, _err = run(capsys, monkeypatch, database, "case", "recipients", "--district",
                          "taishido")
    assert code == 0 and "太子堂あんしんすこやかセンター" in out
    code, _out, err = run(capsys, monkeypatch, database, "case", "recipients", "--district", "x")
    assert code == 2 and "地区: 「x」は地区ではありません" in err


def test_the_detail_row_holds_what_the_json_said(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    assert add(capsys, monkeypatch, database, CASE)[0] == 0
    db = Database.open(f"sqlite:///{database}")
    try:
        with db.read() as session:
            detail = session.get(ConsultationDetail, 1)
            assert detail is not None
            assert (detail.consulter_relation, detail.consulter_contact, detail.next_note) == (
                "長女", "090-0000-1111", "電話で確認")
    finally:
        db.close()


# --- a real process -------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_real_process_reads_password_and_json_from_one_pipe(database: Path) -> None:
    env = {**os.environ, "PYTHONUTF8": "1"}
    env.pop("SETACARE_DATABASE_URL", None)
    base = [sys.executable, "-m", "setacare_desktop", "--database", str(database), "case"]
    added = subprocess.run(
        [*base, "add", "--json", "-", "--as", CLERK, "--password-stdin"],
        input=TEST_PASSWORD + "\n" + json.dumps(CASE, ensure_ascii=False, indent=1),
        env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert added.returncode == 0, added.stderr
    assert added.stdout == "相談を登録しました: No. 1\n"
    shown = subprocess.run([*base, "show", "1", "--json", "--as", CLERK, "--password-stdin"],
                           input=TEST_PASSWORD + "\n", env=env, capture_output=True, text=True,
                           encoding="utf-8", timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == {**SHOWN, "person_id": 1}
