"""Referrals: the consent gate, recording consent on the spot, status changes, replies and the
overdue list, on both backends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from setacare_desktop.domain.consent import Purpose, destination_recipient
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
from setacare_desktop.store.models import Referral, ReferralEvent

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
                                   on=DAY)
    # a liaison sheet by FAX needs consent for 連携シートの送付 as well
    with pytest.raises(svc.ConsentRequiredError):
        svc.create_referral(any_db, clerk, case_id, _new(service_id, method=ReferralMethod.FAX))
    referral_id = svc.create_referral(any_db, clerk, case_id, _new(service_id))
    row = svc.referrals_of(any_db, clerk, case_id, today=DAY)[0]
    assert row.referral_id == referral_id and row.basis == "consent" and not row.anonymised
    assert row.status is ReferralStatus.CREATED and row.destination.endswith("就労支援センター")


def test_refused_consent_is_refused(any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    case_id, service_id = _case(any_db, clerk), _service_id(any_db)
    svc.record_destination_consent(any_db, clerk, case_id, service_id, purpose=Purpose.SHARE,
                                   given=False, on=DAY)
    with pytest.raises(svc.ConsentRequiredError, match="本人が同意していません"):
        svc.create_referral(any_db, clerk, case_id, _new(service_id))


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
        svc.record_destination_consent(db, clerk, case_id, service_id, purpose=Purpose.SHARE)
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
