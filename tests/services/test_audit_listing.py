"""操作記録の確認 on both backends: whose rows a supervisor and an administrator see, the person
filter, the flags (refusal, emergency view, many views, a sheet printed and never sent), the
listing audited, and the CSV saved then audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from setacare_desktop.domain.audit_checks import BULK_VIEW_LIMIT, Flag
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.referral import ReferralMethod, ReferralStatus
from setacare_desktop.services import (
    Database,
    PermissionDeniedError,
    ServiceError,
    StaffProfile,
    ValidationError,
    audit,
    sheets,
)
from setacare_desktop.services import directory as directory_svc
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services import referrals as referral_svc
from setacare_desktop.services.audit import trail

DAY = date(2026, 11, 24)  # a Tuesday
#: 10:00 in the ward (naive UTC, as stored): inside working hours.
AT = datetime(2026, 11, 24, 1, 0)
QUERY = audit.AuditQuery(DAY, DAY)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trail, "utc_now", lambda: AT)


def _case(db: Database, clerk: StaffProfile, district: str = "池尻",
          name: str = "山田 花子") -> tuple[int, int | None]:
    saved = intake_svc.record_intake(db, clerk, IntakeInput(
        received_at="R8.11.24 10:30", channel="来所", district=district, consulter_kind="本人",
        main_complaint="物忘れが心配", target_groups=["高齢者"], elements=["福祉サービス"],
        person=PersonInput(name=name)), now=datetime(2026, 11, 24, 10, 30))
    return saved.consultation_id, saved.person_id


class World:
    def __init__(self, db: Database, staff_factory: Callable) -> None:
        self.clerk = staff_factory(db, "ike-clerk", org_kind="あんしんすこやかセンター")
        self.other_clerk = staff_factory(db, "tai-clerk", place="太子堂")
        self.boss = staff_factory(db, "ike-boss", role="監督者")
        self.other_boss = staff_factory(db, "tai-boss", role="監督者", place="太子堂")
        self.admin = staff_factory(db, "admin", role="管理者", place="世田谷",
                                   org_kind="総合支所")
        self.case, self.person = _case(db, self.clerk)
        self.other_case, _ = _case(db, self.other_clerk, "太子堂", "佐藤 一郎")
        intake_svc.load_intake(db, self.clerk, self.case)
        intake_svc.load_intake(db, self.other_clerk, self.other_case)
        with pytest.raises(PermissionDeniedError):  # an ikejiri clerk tries a taishido case
            intake_svc.load_intake(db, self.clerk, self.other_case)


def _ids(listing: audit.AuditListing) -> dict[int, audit.AuditRow]:
    return {row.id: row for row in listing.rows}


def test_a_supervisor_sees_their_district_and_their_staff_an_administrator_all(
        any_db: Database, staff_factory: Callable) -> None:
    world = World(any_db, staff_factory)
    mine = audit.list_events(any_db, world.boss, QUERY)
    logins = {row.login for row in mine.rows}
    assert logins == {"ike-clerk", "(system)"} and mine.scope_label == "池尻地区"
    # accounts created in the district (by the set-up, as ``setacare user add`` once did)
    assert {(r.action, r.record, r.staff_name) for r in mine.rows if r.login == "(system)"} == {
        ("staff_create", "職員 ike-clerk", ""), ("staff_create", "職員 ike-boss", "")}
    views = [r for r in mine.rows if r.action == "consultation_view"]
    assert [(r.record, r.person_id, r.district_name, r.organisation) for r in views] == [
        (f"相談 No.{world.case}", world.person, "池尻", "池尻あんしんすこやかセンター")]
    refused = next(r for r in mine.rows if r.action == "permission_denied")
    assert refused.flags == (Flag.REFUSED,) and refused.flag_text == "権限外の操作（拒否）"
    assert refused.action_label == "権限外の操作（拒否）" and refused.record == "地区 太子堂"
    assert [r.id for r in mine.rows] == sorted((r.id for r in mine.rows), reverse=True)

    # taishido's supervisor: their clerk's rows, and the refused try at their district's case
    theirs = audit.list_events(any_db, world.other_boss, QUERY)
    assert {row.login for row in theirs.rows} == {"tai-clerk", "ike-clerk", "(system)"}
    assert {r.action for r in theirs.rows if r.login == "ike-clerk"} == {"permission_denied"}

    everything = audit.list_events(any_db, world.admin, QUERY)
    assert {"ike-clerk", "tai-clerk", "ike-boss", "tai-boss"} <= {
        r.login for r in everything.rows} and everything.scope_label == "区全体"


def test_filters_by_person_staff_and_action(any_db: Database, staff_factory: Callable) -> None:
    world = World(any_db, staff_factory)
    about = audit.list_events(any_db, world.boss, audit.AuditQuery(DAY, DAY,
                                                                  person_id=world.person))
    assert {r.action for r in about.rows} == {"person_create", "consultation_create",
                                               "consultation_view"}
    assert all(r.person_id == world.person for r in about.rows)
    only = audit.list_events(any_db, world.admin, audit.AuditQuery(
        DAY, DAY, staff="tai-clerk", action="consultation_view"))
    assert [(r.login, r.action) for r in only.rows] == [("tai-clerk", "consultation_view")]


def test_looking_at_the_trail_is_audited_and_refused_to_others(
        any_db: Database, staff_factory: Callable) -> None:
    world = World(any_db, staff_factory)
    listing = audit.list_events(any_db, world.boss, audit.AuditQuery(DAY, DAY, staff="ike-clerk"))
    entry = audit.recent(any_db, 1)[0]
    assert (entry.action, entry.login, entry.entity_id, entry.detail) == (
        "audit_list", "ike-boss", "2026-11-24/2026-11-24",
        f"table rows={len(listing.rows)} staff=ike-clerk")
    with pytest.raises(PermissionDeniedError, match="監督者と管理者"):
        audit.list_events(any_db, world.clerk, QUERY)
    denied = audit.recent(any_db, 1)[0]
    assert (denied.action, denied.login, denied.detail) == ("permission_denied", "ike-clerk",
                                                            "audit_list")
    with pytest.raises(ValidationError, match="期間: 一度に確認できるのは31日まで"):
        audit.list_events(any_db, world.boss, audit.AuditQuery(date(2026, 10, 1), DAY))
    with pytest.raises(ValidationError, match="期間: 開始日"):
        audit.list_events(any_db, world.boss, audit.AuditQuery(DAY, date(2026, 11, 1)))


def test_emergency_views_and_a_burst_of_views_are_flagged(
        any_db: Database, staff_factory: Callable) -> None:
    world = World(any_db, staff_factory)
    with any_db.transaction() as session:
        audit.record(session, world.clerk, "consultation_view", entity="consultation",
                     entity_id=world.case, detail="emergency exception 7")
        for number in range(BULK_VIEW_LIMIT + 1):
            audit.record(session, world.other_clerk, "consultation_view",
                         entity="consultation", entity_id=10_000 + number)
    rows = audit.list_events(any_db, world.admin, QUERY).rows
    emergency = next(r for r in rows if "emergency" in r.detail)
    assert emergency.flags == (Flag.EMERGENCY_VIEW,)
    burst = [r for r in rows if r.login == "tai-clerk" and r.action == "consultation_view"]
    assert len(burst) == BULK_VIEW_LIMIT + 2 and all(Flag.BULK_VIEW in r.flags for r in burst)
    assert not any(Flag.BULK_VIEW in r.flags for r in rows if r.login == "ike-clerk")


def test_a_sheet_printed_and_not_yet_sent_is_flagged_until_it_is(
        any_db: Database, staff_factory: Callable) -> None:
    world = World(any_db, staff_factory)
    service_id = directory_svc.search_destinations(any_db, "世田谷区障害者就労支援センター")[0].service_id
    referral_id = referral_svc.create_referral(any_db, world.clerk, world.case,
                                               referral_svc.NewReferral(
        service_id, ReferralMethod.FAX, "訪問をお願いします", referred_on=DAY, anonymised=True))
    sheets.save_anonymised_summary(any_db, world.clerk, referral_id, "50歳代の男性の就労相談")
    number = sheets.issue_liaison_sheet(any_db, world.clerk, referral_id, lambda _pdf, _name: None,
                                        anonymised=True, on=DAY).sheet_number

    def printed() -> audit.AuditRow:
        return next(r for r in audit.list_events(any_db, world.boss, QUERY).rows
                    if r.action == "sheet_print")

    row = printed()
    assert row.record == f"連携シート {number}" and row.person_id == world.person
    assert row.flags == (Flag.UNSENT_SHEET,)
    referral_svc.change_status(any_db, world.clerk, referral_id, ReferralStatus.SENT, on=DAY)
    assert printed().flags == ()


def test_the_csv_is_written_then_audited(any_db: Database, staff_factory: Callable,
                                         tmp_path: Path) -> None:
    world = World(any_db, staff_factory)
    listing = audit.list_events(any_db, world.boss, QUERY)
    path = tmp_path / "kiroku.csv"
    audit.save_csv(any_db, world.boss, listing, path)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert rows[0][:6] == ["記録No.", "日時", "ログインID", "職員", "所属", "操作"]
    assert len(rows) == len(listing.rows) + 1
    refused = next(r for r in rows if r[5] == "権限外の操作（拒否）")
    assert refused[9] == "権限のない操作（拒否された）" and refused[1] == "2026-11-24 10:00:00"
    entry = audit.recent(any_db, 1)[0]
    assert (entry.action, entry.login, entry.detail) == (
        "audit_export", "ike-boss", f"csv rows={len(listing.rows)}")
    with pytest.raises(ServiceError, match="missing"):  # the folder is named
        audit.save_csv(any_db, world.boss, listing, tmp_path / "missing" / "x.csv")
    assert audit.recent(any_db, 1)[0].detail == f"csv rows={len(listing.rows)}"  # not audited
