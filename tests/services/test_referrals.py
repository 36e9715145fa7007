"""Referrals: the consent gate, recording consent on the spot, status changes, replies and the
overdue list, on both backends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from setacare_desktop.domain.consent import (
    ConsentEntry,
    Giver,
    Method,
    Purpose,
    destination_recipient,
)
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.referral import ReferralMethod, ReferralStatus, allowed_next
from setacare_desktop.services import (
    Database,
    PermissionDeniedError,
    ServiceError,
    ValidationError,
    audit,
)
from setacare_desktop.services import directory as directory_svc
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services import referrals as svc
from setacare_desktop.store.models import ConsentRecordRow, Referral, ReferralEvent

NOW = datetime(2026, 11, 24, 16, 0)
DAY = date(2026, 11, 24)
PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD


def _case(db: Database, clerk: object, *, anonymous: bool = False) -> int:
    data = IntakeInput(
        received_at="R8.11.24 10:30", channel="来所", district="池尻", consulter_kind="本人",
        main_complaint="障害があり仕事を探したい", target_groups=["障害者"], elements=["就労"],
        person=PersonInput() if anonymous else PersonInput(name="山田 太郎", reading="やまだ たろう"))
    return intake_svc.record_intake(db, clerk, data, now=NOW).consultation_id  # type: ignore[arg-type]


def _service_id(db: Database, name: str = "世田谷区障害者就労支援センター") -> int:
    return next(d.service_id for d in directory_svc.search_destinations(db, name)
                if d.name == name)


def _entry(**changes: object) -> ConsentEntry:
    """A consent as the clerk entered it: 本人, 口頭, on DAY unless changed."""
    values: dict[str, object] = {"given": True, "giver": Giver.SELF, "giver_relation": "",
                                 "method": Method.ORAL, "given_on": DAY}
    values.update(changes)
    return ConsentEntry(**values)  # type: ignore[arg-type]


def _new(service_id: int, **changes: object) -> svc.NewReferral:
    values: dict[str, object] = {
        "service_id": service_id, "method": ReferralMethod.PHONE,
        "request": "就労に向けた相談をお願いします", "referred_on": DAY,
        "reply_due": date(2026, 12, 1)}
    values.update(changes)
    return svc.NewReferral(**values)  # type: ignore[arg-type]


def test_suggestions_for_a_consultation_come_from_its_record(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    case_id = _case(any_db, clerk)
    found = directory_svc.suggest_for_consultation(any_db, clerk, case_id)
    assert found[0].name == "世田谷区障害者就労支援センター"
    outsider = staff_factory(any_db, "other", place="太子堂")
    with pytest.raises(PermissionDeniedError):
        directory_svc.suggest_for_consultation(any_db, outsider, case_id)


def test_consent_gate_refuses_without_consent_and_offers_anonymised(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    case_id, service_id = _case(any_db, clerk), _service_id(any_db)
    with pytest.raises(svc.ConsentRequiredError) as caught:
        svc.create_referral(any_db, clerk, case_id, _new(service_id))
    assert "同意が記録されていません" in caught.value.message
    assert "匿名" in caught.value.message
    assert caught.value.recipient == destination_recipient(service_id)
    with any_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0
    assert audit.recent(any_db, 1)[0].action == "referral_refused"
    referral_id = svc.create_referral(any_db, clerk, case_id, _new(service_id, anonymised=True))
    row = svc.referrals_of(any_db, clerk, case_id, today=DAY)[0]
    assert row.referral_id == referral_id and row.anonymised and row.basis == "anonymised"


def test_consent_recorded_on_the_spot_allows_the_referral(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    case_id, service_id = _case(any_db, clerk), _service_id(any_db)
    svc.record_destination_consent(any_db, clerk, case_id, service_id, purpose=Purpose.SHARE,
                                   entry=_entry())
    # a liaison sheet by FAX needs consent for 連携シートの送付 as well
    with pytest.raises(svc.ConsentRequiredError):
        svc.create_referral(any_db, clerk, case_id, _new(service_id, method=ReferralMethod.FAX))
    referral_id = svc.create_referral(any_db, clerk, case_id, _new(service_id))
    row = svc.referrals_of(any_db, clerk, case_id, today=DAY)[0]
    assert row.referral_id == referral_id and row.basis == "consent" and not row.anonymised
    assert row.status is ReferralStatus.CREATED and row.destination.endswith("就労支援センター")


def _refuse(db: Database, clerk: object, case_id: int, service_id: int) -> int:
    return svc.record_destination_consent(db, clerk, case_id, service_id,  # type: ignore[arg-type]
                                          purpose=Purpose.SHARE, entry=_entry(given=False))


def test_a_recorded_refusal_is_named_with_who_recorded_it_and_when(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    case_id, service_id = _case(any_db, clerk), _service_id(any_db)
    refusal_id = _refuse(any_db, clerk, case_id, service_id)
    with pytest.raises(svc.ConsentRequiredError) as caught:
        svc.create_referral(any_db, clerk, case_id, _new(service_id))
    message = caught.value.message
    assert "本人が令和8年11月24日に不同意としています（記録: clerk 職員）" in message
    assert "同意が記録されていません" not in message
    assert "本人の意思が変わったことを確かめられた場合に限り" in message
    assert caught.value.refused_id == refusal_id
    assert audit.recent(any_db, 1)[0].detail.endswith("refused")


def test_a_refusal_is_replaced_only_by_a_confirmed_change_of_mind_and_stays_on_record(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    case_id, service_id = _case(any_db, clerk), _service_id(any_db)
    refusal_id = _refuse(any_db, clerk, case_id, service_id)
    # the one click of old: 本人／口頭 over the refusal
    with pytest.raises(ValidationError) as caught:
        svc.record_destination_consent(any_db, clerk, case_id, service_id,
                                       purpose=Purpose.SHARE, entry=_entry())
    assert {p.field for p in caught.value.problems} == {"本人の意思の確認", "変更の経緯"}
    with pytest.raises(ValidationError) as caught:
        svc.record_destination_consent(any_db, clerk, case_id, service_id,
                                       purpose=Purpose.SHARE, entry=_entry(
                                           giver=None, method=None, supersedes_id=refusal_id,
                                           change_note="説明を聞いて同意した"))
    assert [p.field for p in caught.value.problems] == ["同意者", "同意の方法", "本人の意思の確認"]
    changed = svc.record_destination_consent(
        any_db, clerk, case_id, service_id, purpose=Purpose.SHARE, entry=_entry(
            giver=Giver.PROXY, giver_relation="長女", method=Method.WRITTEN,
            supersedes_id=refusal_id, change_note="長女同席で説明し、本人が支援を受けたいと話した",
            mind_changed=True))
    svc.create_referral(any_db, clerk, case_id, _new(service_id))
    with any_db.read() as session:
        rows = session.execute(sa.select(ConsentRecordRow.id, ConsentRecordRow.given,
                                         ConsentRecordRow.supersedes_id,
                                         ConsentRecordRow.change_note)
                               .order_by(ConsentRecordRow.id)).all()
    assert [(r.id, r.given, r.supersedes_id) for r in rows] == [
        (refusal_id, False, None), (changed, True, refusal_id)]
    assert rows[1].change_note.startswith("長女同席で")
    recorded = next(e for e in audit.recent(any_db, 10) if e.action == "consent_record")
    assert f"changed_mind supersedes {refusal_id}" in recorded.detail


def test_an_anonymised_summary_that_identifies_is_refused_at_creation(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    case_id, service_id = _case(any_db, clerk), _service_id(any_db)
    with pytest.raises(ValidationError) as caught:
        svc.create_referral(any_db, clerk, case_id, _new(
            service_id, anonymised=True, anonymised_summary="山田さん（84歳）の就労相談"))
    assert [p.field for p in caught.value.problems] == ["匿名用の概要", "匿名用の概要"]
    assert "「山田」" in caught.value.problems[0].message
    referral_id = svc.create_referral(any_db, clerk, case_id, _new(
        service_id, anonymised=True, anonymised_summary="80歳代の男性の就労相談"))
    with any_db.read() as session:
        assert session.get(Referral, referral_id).anonymised_summary == "80歳代の男性の就労相談"


def test_staff_who_see_the_case_masked_cannot_refer_it(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    other = staff_factory(any_db, "jido", org_kind="児童館")
    case_id, service_id = _case(any_db, clerk), _service_id(any_db)
    with pytest.raises(PermissionDeniedError, match="本人の同意がない"):
        svc.create_referral(any_db, other, case_id, _new(service_id, anonymised=True))


def test_emergency_exception_allows_an_identifying_referral(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    staff_factory(any_db, "boss", role="監督者")
    case_id, service_id = _case(any_db, clerk), _service_id(any_db)
    intake_svc.record_emergency_exception(any_db, clerk, case_id, reason="意識がもうろうとしている",
                                          supervisor_login="boss", supervisor_password=PASSWORD)
    svc.create_referral(any_db, clerk, case_id, _new(service_id, method=ReferralMethod.FAX))
    row = svc.referrals_of(any_db, clerk, case_id, today=DAY)[0]
    assert row.basis == "emergency" and "緊急" in row.basis_note


def test_anonymous_consultation_cannot_record_consent(
        db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(db, "clerk")
    case_id, service_id = _case(db, clerk, anonymous=True), _service_id(db)
    with pytest.raises(ServiceError, match="匿名"):
        svc.record_destination_consent(db, clerk, case_id, service_id, purpose=Purpose.SHARE,
                                       entry=_entry())
    with pytest.raises(svc.ConsentRequiredError):
        svc.create_referral(db, clerk, case_id, _new(service_id))


def test_invalid_referral_names_fields(db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(db, "clerk")
    case_id = _case(db, clerk)
    with pytest.raises(ValidationError) as caught:
        svc.create_referral(db, clerk, case_id, _new(_service_id(db), request=" ",
                                                     reply_due=date(2026, 11, 1),
                                                     anonymised=True))
    assert {p.field for p in caught.value.problems} == {"依頼事項", "回答期限"}


def test_status_changes_are_validated_dated_and_attributed(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    case_id = _case(any_db, clerk)
    rid = svc.create_referral(any_db, clerk, case_id, _new(_service_id(any_db), anonymised=True))
    with pytest.raises(ValidationError, match="「作成」から「完了」"):
        svc.change_status(any_db, clerk, rid, ReferralStatus.DONE)
    svc.change_status(any_db, clerk, rid, ReferralStatus.SENT, on=date(2026, 11, 25))
    svc.record_reply(any_db, clerk, rid, status=ReferralStatus.ACCEPTED,
                     reply="26日に面談します", on=date(2026, 11, 26))
    with pytest.raises(ValidationError, match="理由"):
        svc.change_status(any_db, clerk, rid, ReferralStatus.DECLINED)
    svc.record_reply(any_db, clerk, rid, reply="面談しました。継続支援します",
                     on=date(2026, 11, 27))
    svc.change_status(any_db, clerk, rid, ReferralStatus.DONE, on=date(2026, 11, 28))
    with pytest.raises(ValidationError, match="変更できません"):
        svc.change_status(any_db, clerk, rid, ReferralStatus.WITHDRAWN)
    steps = svc.events(any_db, clerk, rid)
    assert [(e.status, e.occurred_on.day) for e in steps] == [
        (ReferralStatus.CREATED, 24), (ReferralStatus.SENT, 25), (ReferralStatus.ACCEPTED, 26),
        (ReferralStatus.ACCEPTED, 27), (ReferralStatus.DONE, 28)]
    assert {e.staff_name for e in steps} == {"clerk 職員"}
    row = svc.referrals_of(any_db, clerk, case_id, today=DAY)[0]
    assert row.last_reply == "面談しました。継続支援します" and row.status is ReferralStatus.DONE
    with any_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ReferralEvent)) == 5


def test_open_referrals_flag_the_overdue(any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    case_id, service_id = _case(any_db, clerk), _service_id(any_db)
    late = svc.create_referral(any_db, clerk, case_id, _new(service_id, anonymised=True,
                                                            reply_due=date(2026, 11, 26)))
    timely = svc.create_referral(any_db, clerk, case_id, _new(service_id, anonymised=True,
                                                              reply_due=date(2026, 12, 20)))
    closed = svc.create_referral(any_db, clerk, case_id, _new(service_id, anonymised=True,
                                                              reply_due=date(2026, 11, 25)))
    svc.change_status(any_db, clerk, closed, ReferralStatus.SENT)
    svc.change_status(any_db, clerk, closed, ReferralStatus.DECLINED, reason="対象外のため")
    rows = svc.open_referrals(any_db, clerk, "ikejiri", today=date(2026, 12, 1))
    assert [(r.referral_id, r.overdue) for r in rows] == [(late, True), (timely, False)]
    assert svc.open_referrals(any_db, clerk, "ikejiri", today=date(2026, 11, 26))[0].overdue \
        is False
    outsider = staff_factory(any_db, "other", place="太子堂")
    with pytest.raises(PermissionDeniedError):
        svc.open_referrals(any_db, outsider, "ikejiri")
    with pytest.raises(PermissionDeniedError):
        svc.change_status(any_db, outsider, late, ReferralStatus.SENT)


def test_allowed_next_follows_the_chain() -> None:
    assert allowed_next(ReferralStatus.CREATED) == (ReferralStatus.SENT,
                                                    ReferralStatus.WITHDRAWN)
    assert allowed_next(ReferralStatus.SENT) == (
        ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.DONE,
        ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN)
    assert allowed_next(ReferralStatus.IN_PROGRESS) == (
        ReferralStatus.DONE, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN)
    assert allowed_next(ReferralStatus.WITHDRAWN) == ()


@pytest.mark.parametrize("field, make", [
    ("依頼事項", lambda sid: ("create", _new(sid, request="訪問\x00お願いします"))),
    ("回答", lambda sid: ("reply", "受け付けました\x1b[2J")),
])
def test_control_characters_are_refused_by_field_on_both_backends(
        any_db: Database, staff_factory: Callable, field: str, make: Callable) -> None:
    """A NUL reached PostgreSQL as a driver error (and, before parameters were hidden, printed
    the values); now it is a field problem, on every backend, and nothing is written."""
    clerk = staff_factory(any_db, "clerk")
    case_id = _case(any_db, clerk)
    service_id = _service_id(any_db)
    kind, value = make(service_id)
    with pytest.raises(ValidationError, match=f"{field}: 制御文字"):
        if kind == "create":
            svc.create_referral(any_db, clerk, case_id, value)
        else:
            anonymised = _new(service_id, anonymised=True)
            referral_id = svc.create_referral(any_db, clerk, case_id, anonymised)
            svc.record_reply(any_db, clerk, referral_id, reply=value)
    with any_db.read() as session:
        assert not session.scalar(sa.select(sa.func.count()).select_from(ReferralEvent).where(
            ReferralEvent.reply.like("%受け付けました%")))
