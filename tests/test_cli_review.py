"""``setacare review list``: the supervisor's review from the command line, end to end through
``main`` (argument parsing, login as ``--as``, the service, the table or JSON, exit codes)."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from setacare_desktop.app import main
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.jpdate import utc_to_local
from setacare_desktop.domain.review import Decision
from setacare_desktop.services import Database, audit
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services import review as review_svc

TEST_PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
NOW = datetime(2026, 11, 24, 16, 0)
DAY = date(2026, 11, 24)
LONG = "母の物忘れが増え、一人暮らしが難しくなってきたので介護保険の申請と施設について知りたい"
NAME = "山田 花子"


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_path: Path,
        *argv: str, login: str = "boss") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    try:
        code = main(["--database", str(db_path), *argv, "--as", login, "--password-stdin"])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def _case(db: Database, clerk: object, complaint: str, *, time: str,
          urgency: tuple[str, ...] = ()) -> int:
    data = IntakeInput(
        received_at=f"R8.11.24 {time}", channel="来所", district="池尻", consulter_kind="本人",
        main_complaint=complaint, target_groups=["高齢者"], elements=["福祉サービス"],
        response="助言", urgency=list(urgency), person=PersonInput(name=NAME))
    return intake_svc.record_intake(db, clerk, data, now=NOW).consultation_id  # type: ignore[arg-type]


class World:
    def __init__(self, db_path: Path, staff_factory: Callable[..., Any]) -> None:
        self.db_path = db_path
        self.staff_factory = staff_factory
        with self.db() as db:
            self.clerk = staff_factory(db, "clerk", org_kind="あんしんすこやかセンター")
            # The taking organisation's supervisor: sees the cases whole (docs/privacy.md).
            self.boss = staff_factory(db, "boss", role="監督者", org_kind="あんしんすこやかセンター")
            staff_factory(db, "other-boss", role="監督者", place="太子堂")
            self.long = _case(db, self.clerk, LONG, time="09:15")
            self.urgent = _case(db, self.clerk, "家族から暴力を受けている", time="10:40",
                                urgency=("DV",))

    @contextmanager
    def db(self) -> Iterator[Database]:
        database = Database.open(f"sqlite:///{self.db_path}")
        try:
            yield database
        finally:
            database.close()


@pytest.fixture
def world(db_path: Path, staff_factory: Callable[..., Any]) -> World:
    return World(db_path, staff_factory)


def test_list_prints_signoff_cases_flags_and_a_summary(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    with world.db() as db:
        review_svc.decide(db, world.boss, world.long, Decision.CONFIRMED, seen_version=1)
    code, out, err = run(capsys, monkeypatch, world.db_path, "review", "list", "--date", "R8.11.24")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "2026-11-24 の相談の確認"
    assert "池尻地区  日次確認: 未" in lines
    first = next(line for line in lines if line.startswith(f"{world.long} "))
    assert first.split() == [str(world.long), "09:15", "池尻あんしんすこやかセンター", "確認済",
                             LONG[:29] + "…"]
    second = next(line for line in lines if line.startswith(f"{world.urgent} "))
    assert second.split() == [str(world.urgent), "10:40", "池尻あんしんすこやかセンター", "未確認",
                              "緊急", "家族から暴力を受けている"]
    assert "No." in out and "フラグ" in out and "主訴" in out
    assert lines[-1] == ("件数 2件（未確認 1件、確認済 1件、差戻し 0件、要再確認 0件）、"
                         "要注意フラグのある相談 1件")
    assert NAME not in out and "山田" not in out
    with world.db() as db:
        listed = [e for e in audit.recent(db, 5) if e.action == "review_list"]
    assert [(e.login, e.entity_id) for e in listed] == [("boss", "2026-11-24")]


def test_a_signed_off_day_shows_who_when_and_later_amendments(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    with world.db() as db:
        review_svc.decide(db, world.boss, world.long, Decision.CONFIRMED, seen_version=1)
        review_svc.decide(db, world.boss, world.urgent, Decision.RETURNED, "対応を具体的に",
                          seen_version=1)
        done = review_svc.sign_off(db, world.boss, DAY, "ikejiri")
        loaded = intake_svc.load_intake(db, world.clerk, world.urgent)
        loaded.data.details = "対応を追記した"
        intake_svc.amend_intake(db, world.clerk, world.urgent, loaded.data, expected_version=1,
                                now=NOW)
    at = f"{utc_to_local(done.signed_at):%Y-%m-%d %H:%M}"
    code, out, err = run(capsys, monkeypatch, world.db_path,
                         "review", "list", "--date", "2026-11-24", "--district", "池尻")
    assert code == 0, err
    assert f"池尻地区  日次確認: 済（boss 職員、{at}）  確認後の修正・追加 1件" in out.splitlines()
    second = next(line for line in out.splitlines() if line.startswith(f"{world.urgent} "))
    assert "修正あり（再確認）" in second and "緊急・日次確認後に修正" in second
    assert out.splitlines()[-1].startswith("件数 2件（未確認 0件、確認済 1件、差戻し 0件、要再確認 1件）")


def test_json_is_a_list_of_districts_without_names(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    code, out, err = run(capsys, monkeypatch, world.db_path,
                         "review", "list", "--date", "R8.11.24", "--district", "ikejiri", "--json")
    assert code == 0, err
    found = json.loads(out)
    assert [d["district"] for d in found] == ["ikejiri"]
    district = found[0]
    assert (district["date"], district["district_name"], district["signoff"]) == (
        "2026-11-24", "池尻", None)
    assert district["cases"] == [
        {"consultation_id": world.long, "version": 1, "received_at": "2026-11-24T09:15",
         "organisation": "池尻あんしんすこやかセンター", "state": "pending", "state_label": "未確認",
         "flags": [], "flag_labels": [], "main_complaint": LONG[:29] + "…"},
        {"consultation_id": world.urgent, "version": 1, "received_at": "2026-11-24T10:40",
         "organisation": "池尻あんしんすこやかセンター", "state": "pending", "state_label": "未確認",
         "flags": ["urgent"], "flag_labels": ["緊急"], "main_complaint": "家族から暴力を受けている"},
    ]
    assert "山田" not in out


def test_an_area_branch_supervisor_sees_every_district_of_the_area(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    with world.db() as db:
        world.staff_factory(db, "br", role="監督者", place="世田谷", org_kind="総合支所")
    code, out, err = run(capsys, monkeypatch, world.db_path,
                         "review", "list", "--date", "R8.11.24", login="br")
    assert code == 0, err
    headings = [line for line in out.splitlines() if "日次確認:" in line]
    assert [h.split()[0] for h in headings] == [
        "池尻地区", "太子堂地区", "若林地区", "上町地区", "経堂地区", "下馬地区", "上馬地区"]
    assert out.count("相談はありません。") == 6
    code, out, err = run(capsys, monkeypatch, world.db_path, "review", "list", "--date",
                         "R8.11.24", "--json", login="br")
    assert code == 0, err
    assert len(json.loads(out)) == 7


def test_bad_input_exits_2_and_refusals_exit_1(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    code, out, err = run(capsys, monkeypatch, world.db_path,
                         "review", "list", "--date", "2026-13-45")
    assert code == 2 and out == "" and "--date" in err
    code, out, err = run(capsys, monkeypatch, world.db_path,
                         "review", "list", "--date", "R8.11.24", "--district", "どこか")
    assert code == 2 and "--district" in err and "どこか" in err
    code, out, err = run(capsys, monkeypatch, world.db_path, "review", "list")
    assert code == 2 and "--date" in err

    code, out, err = run(capsys, monkeypatch, world.db_path,
                         "review", "list", "--date", "R8.11.24", login="clerk")
    assert code == 1 and out == "" and "監督者のみ" in err
    code, out, err = run(capsys, monkeypatch, world.db_path, "review", "list", "--date",
                         "R8.11.24", "--district", "池尻", login="other-boss")
    assert code == 1 and out == "" and "権限がありません" in err
    with world.db() as db:
        denied = [(e.login, e.detail) for e in audit.recent(db, 10)
                  if e.action == "permission_denied"]
    assert denied == [("other-boss", "review_list"), ("clerk", "review_list")]


def test_help_is_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["review", "list", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "使い方:" in out and "日次確認" in out and "--date DATE" in out and "--json" in out
