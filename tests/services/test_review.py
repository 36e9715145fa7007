"""The supervisor's review end to end, on both backends: the flags of consultations recorded
through the services, decisions (確認済 / 差戻し), the day's sign-off (日次確認), scope and audit,
and the returned cases a clerk sees.

NO_COMPLAINT is covered in tests/domain/test_review_rules.py only: intake validation refuses an empty
主訴, so the services cannot record a consultation that raises it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from setacare_desktop.domain.consent import ConsentEntry, Giver, Method, Purpose
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.referral import ReferralMethod
from setacare_desktop.domain.review import Decision, Flag, ReviewState
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
from setacare_desktop.services import review as svc
from setacare_desktop.store.models import CaseReview, DaySignoff

NOW = datetime(2026, 11, 24, 16, 0)
DAY = date(2026, 11, 24)
_CONSENT = ConsentEntry(True, Giver.SELF, "", Method.ORAL, DAY)
PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
DESTINATION = "世田谷区障害者就労支援センター"


def _case(db: Database, clerk: StaffProfile, complaint: str = "障害があり仕事を探したい", *,
          time: str = "10:30", urgency: tuple[str, ...] = (), response: str = "助言",
          district: str = "池尻") -> tuple[int, int | None]:
    data = IntakeInput(
        received_at=f"R8.11.24 {time}", channel="来所", district=district,
        consulter_kind="本人", main_complaint=complaint, target_groups=["障害者"],
        elements=["就労"], response=response, urgency=list(urgency),
        person=PersonInput(name="山田 太郎", reading="やまだ たろう"))
    saved = intake_svc.record_intake(db, clerk, data, now=NOW)
    return saved.consultation_id, saved.person_id


def _amend(db: Database, clerk: StaffProfile, case_id: int, details: str) -> int:
    loaded = intake_svc.load_intake(db, clerk, case_id)
    loaded.data.details = details
    return intake_svc.amend_intake(db, clerk, case_id, loaded.data,
                                   expected_version=loaded.version, now=NOW).version


def _service_id(db: Database) -> int:
    return next(d.service_id for d in directory_svc.search_destinations(db, DESTINATION)
                if d.name == DESTINATION)


def _referral(db: Database, clerk: StaffProfile, case_id: int, *, anonymised: bool = False,
              method: ReferralMethod = ReferralMethod.PHONE,
              reply_due: date = date(2026, 12, 1)) -> int:
    return referral_svc.create_referral(db, clerk, case_id, referral_svc.NewReferral(
        _service_id(db), method, "就労に向けた相談をお願いします", referred_on=DAY,
        reply_due=reply_due, anonymised=anonymised))


def _rows(review: svc.DayReview) -> dict[int, svc.ReviewRow]:
    return {r.consultation_id: r for r in review.rows}


def _actions(db: Database, n: int = 30) -> list[str]:
    return [e.action for e in audit.recent(db, n)]


# --- flags ----------------------------------------------------------------------------------------


def test_flags_fire_end_to_end(any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    boss = staff_factory(any_db, "boss", role="監督者")
    clean, _ = _case(any_db, clerk, "介護保険の申請について", time="09:00")
    urgent, _ = _case(any_db, clerk, "家族から暴力を受けている", time="09:30",
                      urgency=("虐待の疑い", "DV"))
    no_response, _ = _case(any_db, clerk, "生活費が足りない", time="10:00", response="")
    emergency, _ = _case(any_db, clerk, "自宅で倒れていた", time="10:30")
    intake_svc.record_emergency_exception(any_db, clerk, emergency, reason="意識がもうろうとしている",
                                          supervisor_login="boss", supervisor_password=PASSWORD)
    overdue, _ = _case(any_db, clerk, "就労支援を受けたい", time="11:00")
    _referral(any_db, clerk, overdue, anonymised=True, reply_due=date(2026, 11, 26))
    withdrawn, person_id = _case(any_db, clerk, "就労先の紹介を受けたい", time="11:30")
    referral_svc.record_destination_consent(any_db, clerk, withdrawn, _service_id(any_db),
                                            purpose=Purpose.SHARE, entry=_CONSENT)
    _referral(any_db, clerk, withdrawn)

    review = svc.day_review(any_db, boss, DAY, today=date(2026, 11, 25))
    assert review.districts == ("ikejiri",) and review.signoffs == {}
    rows = _rows(review)
    assert [r.consultation_id for r in review.rows] == [
        clean, urgent, no_response, emergency, overdue, withdrawn]  # by time received
    assert {cid: r.flags for cid, r in rows.items()} == {
        clean: (), urgent: (Flag.URGENT,), no_response: (Flag.NO_RESPONSE,),
        emergency: (Flag.EMERGENCY_EXCEPTION,), overdue: (), withdrawn: ()}
    assert rows[urgent].urgency_labels == ("虐待の疑い", "DV")
    assert all(r.state is ReviewState.PENDING for r in review.rows)
    assert rows[clean].person_name == "山田 太郎" and rows[clean].response_label == "助言"
    assert rows[withdrawn].referral_lines == (
        f"{DESTINATION}（電話、作成、返信期限 2026-12-01）",)

    # the consent is withdrawn after the referral, which is still open: nothing covers it now
    consent_id = next(c.consent_id for c in intake_svc.consents_of(any_db, clerk, person_id))
    intake_svc.withdraw_consent(any_db, clerk, consent_id, on=date(2026, 11, 25),
                                reason="本人から撤回の申し出")
    review = svc.day_review(any_db, boss, DAY, "ikejiri", today=date(2026, 11, 27))
    rows = _rows(review)
    assert rows[withdrawn].flags == (Flag.NO_CONSENT_COVER,)
    # the anonymised referral needs no consent; its reply is now late
    assert rows[overdue].flags == (Flag.REPLY_OVERDUE,)
    assert rows[clean].flags == ()
    assert _actions(any_db, 3) == ["review_list", "consent_withdraw", "review_list"]
    assert audit.recent(any_db, 1)[0].detail == "ikejiri"


def test_amended_after_a_liaison_sheet_print(any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    boss = staff_factory(any_db, "boss", role="監督者", org_kind="あんしんすこやかセンター")
    case_id, _ = _case(any_db, clerk)
    referral_svc.record_destination_consent(any_db, clerk, case_id, _service_id(any_db),
                                            purpose=Purpose.SHEET, entry=_CONSENT)
    referral_id = _referral(any_db, clerk, case_id, method=ReferralMethod.POST)
    _amend(any_db, clerk, case_id, "印刷の前に直した")
    sheets.issue_liaison_sheet(any_db, clerk, referral_id, lambda _pdf, _name: None, on=DAY)
    assert _rows(svc.day_review(any_db, boss, DAY, today=DAY))[case_id].flags == ()
    _amend(any_db, clerk, case_id, "印刷の後に直した")
    row = _rows(svc.day_review(any_db, boss, DAY, today=DAY))[case_id]
    assert row.flags == (Flag.AMENDED_AFTER_PRINT,) and row.version == 3
    assert row.details == "印刷の後に直した"


# --- decisions ------------------------------------------------------------------------------------


def test_decisions_are_recorded_versioned_and_audited(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    boss = staff_factory(any_db, "boss", role="監督者")
    first, _ = _case(any_db, clerk, time="09:00")
    second, _ = _case(any_db, clerk, time="10:00")
    _amend(any_db, clerk, second, "聞き取りを追記")  # version 2

    svc.decide(any_db, boss, first, Decision.CONFIRMED, "", seen_version=1)
    assert _actions(any_db, 1) == ["review_decide"]
    svc.decide(any_db, boss, second, Decision.RETURNED, "  対応を具体的に書いてください ",
               seen_version=2)
    entry = audit.recent(any_db, 1)[0]
    assert (entry.action, entry.login, entry.entity_id, entry.detail) == (
        "review_decide", "boss", str(second), "returned")
    with any_db.read() as session:
        found = [(r.consultation_id, r.decision, r.comment, r.version, r.reviewed_by, r.source)
                 for r in session.scalars(sa.select(CaseReview).order_by(CaseReview.id))]
    assert found == [(first, "confirmed", "", 1, boss.staff_id, "app"),
                     (second, "returned", "対応を具体的に書いてください", 2, boss.staff_id, "app")]

    rows = _rows(svc.day_review(any_db, boss, DAY, today=DAY))
    assert (rows[first].state, rows[first].decision, rows[first].reviewed_by) == (
        ReviewState.CONFIRMED, Decision.CONFIRMED, "boss 職員")
    assert rows[second].state is ReviewState.RETURNED
    assert rows[second].comment == "対応を具体的に書いてください"
    assert rows[second].reviewed_at is not None

    # a later decision replaces the earlier one
    svc.decide(any_db, boss, first, Decision.RETURNED, "主訴を詳しく", seen_version=1)
    assert _rows(svc.day_review(any_db, boss, DAY, today=DAY))[first].state \
        is ReviewState.RETURNED
    # amended after the decision: the supervisor looks again
    _amend(any_db, clerk, first, "主訴を詳しく書いた")
    assert _rows(svc.day_review(any_db, boss, DAY, today=DAY))[first].state \
        is ReviewState.RECHECK


def test_a_return_needs_a_comment_and_a_stale_version_is_refused(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    boss = staff_factory(any_db, "boss", role="監督者")
    case_id, _ = _case(any_db, clerk)
    with pytest.raises(ValidationError) as caught:
        svc.decide(any_db, boss, case_id, Decision.RETURNED, " ", seen_version=1)
    assert [p.field for p in caught.value.problems] == ["コメント"]
    assert "コメント" in str(caught.value.problems[0])
    with pytest.raises(ValidationError, match="1000文字以内"):
        svc.decide(any_db, boss, case_id, Decision.CONFIRMED, "あ" * 1001, seen_version=1)
    with pytest.raises(ValidationError, match="コメント: 制御文字（U\\+0000）"):
        svc.decide(any_db, boss, case_id, Decision.RETURNED, "要\x00確認", seen_version=1)

    _amend(any_db, clerk, case_id, "確認画面を開いた後に修正")
    with pytest.raises(ServiceError, match="修正されています"):
        svc.decide(any_db, boss, case_id, Decision.CONFIRMED, seen_version=1)
    with any_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CaseReview)) == 0
    assert "review_decide" not in _actions(any_db)
    svc.decide(any_db, boss, case_id, Decision.CONFIRMED, seen_version=2)


# --- scope ----------------------------------------------------------------------------------------


def test_clerks_and_other_districts_supervisors_are_refused_and_audited(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    other_boss = staff_factory(any_db, "other-boss", role="監督者", place="太子堂")
    case_id, _ = _case(any_db, clerk)

    def refused(call: Callable[[], object], action: str) -> None:
        with pytest.raises(PermissionDeniedError):
            call()
        entry = audit.recent(any_db, 1)[0]
        assert (entry.action, entry.detail) == ("permission_denied", action)

    assert svc.reviewable_districts(clerk) == ()
    refused(lambda: svc.day_review(any_db, clerk, DAY), "review_list")
    refused(lambda: svc.decide(any_db, clerk, case_id, Decision.CONFIRMED, seen_version=1),
            "review_decide")
    refused(lambda: svc.sign_off(any_db, clerk, DAY, "ikejiri"), "day_signoff")
    refused(lambda: svc.day_review(any_db, other_boss, DAY, "ikejiri"), "review_list")
    refused(lambda: svc.decide(any_db, other_boss, case_id, Decision.CONFIRMED, seen_version=1),
            "review_decide")
    refused(lambda: svc.sign_off(any_db, other_boss, DAY, "ikejiri"), "day_signoff")
    assert audit.recent(any_db, 1)[0].entity_id == "ikejiri"
    # their own district's list does not show the other district's case
    review = svc.day_review(any_db, other_boss, DAY, today=DAY)
    assert review.districts == ("taishido",) and review.rows == ()
    with any_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CaseReview)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(DaySignoff)) == 0


def test_an_area_branch_supervisor_reviews_every_district_of_the_area(
        any_db: Database, staff_factory: Callable) -> None:
    ikejiri_clerk = staff_factory(any_db, "clerk")
    taishido_clerk = staff_factory(any_db, "clerk2", place="太子堂")
    umegaoka_clerk = staff_factory(any_db, "clerk3", place="梅丘")  # 北沢 area
    branch = staff_factory(any_db, "br", role="監督者", place="世田谷", org_kind="総合支所")
    assert branch.district_code is None and branch.area_code == "setagaya"
    assert svc.reviewable_districts(branch) == (
        "ikejiri", "taishido", "wakabayashi", "kamimachi", "kyodo", "shimouma", "kamiuma")
    ikejiri, _ = _case(any_db, ikejiri_clerk, time="11:00")
    taishido, _ = _case(any_db, taishido_clerk, time="09:00", district="太子堂")
    _case(any_db, umegaoka_clerk, district="梅丘")

    review = svc.day_review(any_db, branch, DAY, today=DAY)
    assert len(review.districts) == 7
    assert [(r.consultation_id, r.district_name) for r in review.rows] == [
        (ikejiri, "池尻"), (taishido, "太子堂")]  # in the ward's order of districts
    assert [r.consultation_id for r in review.rows_of("taishido")] == [taishido]
    with pytest.raises(PermissionDeniedError):
        svc.day_review(any_db, branch, DAY, "umegaoka")

    source = svc.DatabaseReviewSource(any_db, branch)
    assert source.title == "確認の範囲: 世田谷地域" and source.days() is None
    assert source.districts() == svc.reviewable_districts(branch)
    source.decide(taishido, Decision.CONFIRMED, "", seen_version=1)
    assert source.sign_off(DAY, "taishido").signed_by == "br 職員"
    assert source.load(DAY, "taishido").signoffs["taishido"].signed_by == "br 職員"


# --- sign-off -------------------------------------------------------------------------------------


def test_sign_off_waits_for_every_case_and_happens_once(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    boss = staff_factory(any_db, "boss", role="監督者")
    staff_factory(any_db, "boss2", role="監督者")
    first, _ = _case(any_db, clerk, time="09:00")
    second, _ = _case(any_db, clerk, time="10:00")
    svc.decide(any_db, boss, first, Decision.CONFIRMED, seen_version=1)
    with pytest.raises(ServiceError, match="未確認 1件"):
        svc.sign_off(any_db, boss, DAY, "ikejiri", today=DAY)
    assert "day_signoff" not in _actions(any_db)

    svc.decide(any_db, boss, second, Decision.RETURNED, "対応を書いてください", seen_version=1)
    done = svc.sign_off(any_db, boss, DAY, "ikejiri", " 問題なし ", today=DAY)
    assert (done.district_code, done.day, done.signed_by, done.comment) == (
        "ikejiri", DAY, "boss 職員", "問題なし")
    assert done.signed_at is not None and done.district_name == "池尻"
    entry = audit.recent(any_db, 1)[0]
    assert (entry.action, entry.entity_id, entry.detail) == (
        "day_signoff", DAY.isoformat(), "ikejiri cases=2")

    boss2 = staff_factory(any_db, "boss3", role="監督者")
    with pytest.raises(ServiceError, match="boss 職員さんが日次確認しています"):
        svc.sign_off(any_db, boss2, DAY, "ikejiri", today=DAY)

    signed = svc.day_review(any_db, boss, DAY, today=DAY).signoffs["ikejiri"]
    assert (signed.signed_by, signed.comment, signed.amended_since) == ("boss 職員", "問題なし", 0)

    # amended after the sign-off: flagged, counted, and back to the supervisor
    _amend(any_db, clerk, second, "対応を書いた")
    review = svc.day_review(any_db, boss, DAY, today=DAY)
    rows = _rows(review)
    assert rows[second].flags == (Flag.AMENDED_AFTER_SIGNOFF,)
    assert rows[second].state is ReviewState.RECHECK
    assert rows[first].flags == ()
    assert review.signoffs["ikejiri"].amended_since == 1
    assert "修正後の再確認 1件" in (review.signoff_problem("ikejiri") or "")


def test_a_day_without_consultations_can_be_signed_off(
        any_db: Database, staff_factory: Callable) -> None:
    boss = staff_factory(any_db, "boss", role="監督者")
    empty = date(2026, 11, 23)
    assert svc.day_review(any_db, boss, empty, today=DAY).rows == ()
    assert svc.sign_off(any_db, boss, empty, "ikejiri", today=DAY).signed_by == "boss 職員"
    with any_db.read() as session:
        assert session.scalar(sa.select(DaySignoff.day)) == empty


# --- returned cases -------------------------------------------------------------------------------


def test_a_returned_case_shows_to_its_district_until_amended(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    outsider = staff_factory(any_db, "other", place="太子堂")
    boss = staff_factory(any_db, "boss", role="監督者")
    returned, _ = _case(any_db, clerk, "介護保険の申請について", time="09:00")
    confirmed, _ = _case(any_db, clerk, time="10:00")
    assert svc.returned_cases(any_db, clerk) == []
    svc.decide(any_db, boss, returned, Decision.RETURNED, "対応の内容を書いてください",
               seen_version=1)
    svc.decide(any_db, boss, confirmed, Decision.CONFIRMED, seen_version=1)

    found = svc.returned_cases(any_db, clerk)
    assert [(r.consultation_id, r.district_code, r.received_on, r.main_complaint, r.comment,
             r.reviewed_by) for r in found] == [
        (returned, "ikejiri", DAY, "介護保険の申請について", "対応の内容を書いてください",
         "boss 職員")]
    assert found[0].reviewed_at is not None
    assert svc.returned_cases(any_db, outsider) == []

    _amend(any_db, clerk, returned, "対応の内容を追記した")
    assert svc.returned_cases(any_db, clerk) == []
    assert svc.returned_cases(any_db, outsider) == []


def test_a_day_not_yet_come_cannot_be_signed_off_and_later_cases_are_flagged(
        any_db: Database, staff_factory: Callable) -> None:
    clerk, boss = staff_factory(any_db, "clerk"), staff_factory(any_db, "boss", role="監督者")
    with pytest.raises(ServiceError, match="まだ来ていない"):
        svc.sign_off(any_db, boss, date(2026, 11, 25), "ikejiri", today=DAY)
    svc.sign_off(any_db, boss, DAY, "ikejiri", today=DAY)  # a quiet day, signed at its end
    late, _person = _case(any_db, clerk, "後から入力した相談")
    day = svc.day_review(any_db, boss, DAY, today=DAY)
    row = next(r for r in day.rows if r.consultation_id == late)
    assert Flag.ADDED_AFTER_SIGNOFF in row.flags and row.state is ReviewState.PENDING
    assert day.signoffs["ikejiri"].amended_since == 1


def test_the_returned_list_is_an_audited_read(any_db: Database, staff_factory: Callable) -> None:
    clerk, boss = staff_factory(any_db, "clerk"), staff_factory(any_db, "boss", role="監督者")
    case, _person = _case(any_db, clerk)
    assert svc.returned_cases(any_db, clerk) == []
    svc.decide(any_db, boss, case, Decision.RETURNED, "主訴を具体的に", seen_version=1)
    assert [r.consultation_id for r in svc.returned_cases(any_db, clerk)] == [case]
    event = audit.recent(any_db, 1)[0]
    assert (event.action, event.login, event.detail) == ("returned_list", "clerk", "ikejiri")
