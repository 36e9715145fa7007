"""Recording, amending and reading consultations through the services, on both backends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from setacare_desktop.domain.consent import Basis, Purpose
from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput
from setacare_desktop.services import (
    AuthenticationError,
    Database,
    PermissionDeniedError,
    ServiceError,
    ValidationError,
    audit,
)
from setacare_desktop.services import intake as svc
from setacare_desktop.store.models import (
    ConsentRecordRow,
    Consultation,
    ConsultationDetail,
    Person,
)

NOW = datetime(2026, 11, 24, 16, 0)


def intake(**changes: object) -> IntakeInput:
    data = IntakeInput(
        received_at="R8.11.24 10:30", channel="来所", district="池尻", consulter_kind="家族・親族",
        consulter_relation="長女", main_complaint="母の物忘れと介護保険の申請",
        details="長女より。母（80代）が一人暮らしで物忘れが増えた。介護保険の申請方法を知りたい。",
        target_groups=["高齢者"], elements=["福祉サービス", "医療"], response="つなぎ",
        person=PersonInput(name="山田 花子", reading="ヤマダ ハナコ", birth_date="S20.3.3",
                           sex="女性", address_town="池尻二丁目", phone="03-1111-2222",
                           household="単身"),
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def count(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_record_intake_writes_case_person_consent_and_audit(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    anshin = svc.consent_recipients(any_db, "ikejiri")[1]
    assert anshin.name == "池尻あんしんすこやかセンター"
    saved = svc.record_intake(any_db, clerk, intake(consents=[ConsentInput(anshin.key)]),
                              now=NOW)
    with any_db.read() as session:
        case = session.get(Consultation, saved.consultation_id)
        detail = session.get(ConsultationDetail, saved.consultation_id)
        person = session.get(Person, saved.person_id)
        assert case is not None and detail is not None and person is not None
        assert case.received_at == datetime(2026, 11, 24, 10, 30)
        assert case.district_code == "ikejiri" and case.staff_id == clerk.staff_id
        assert sorted(t.code for t in case.target_groups) == ["elderly"]
        assert person.reading == "やまだ はなこ" and person.birth_date == date(1945, 3, 3)
        assert detail.consulter_relation == "長女"
    actions = [e.action for e in audit.recent(any_db, 10)]
    assert {"consultation_create", "person_create", "consent_record"} <= set(actions)
    decision = svc.sharing_decision(any_db, clerk, saved.consultation_id, anshin.key,
                                    Purpose.SHARE, on=date(2026, 11, 24))
    assert decision.allowed and decision.basis is Basis.CONSENT


def test_invalid_intake_names_fields_and_writes_nothing(any_db: Database,
                                                        staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    bad = intake(main_complaint="", person=PersonInput(name="山田", birth_date="R9.1.1"))
    with pytest.raises(ValidationError) as error:
        svc.record_intake(any_db, clerk, bad, now=NOW)
    assert [str(p) for p in error.value.problems] == [
        "生年月日: 未来の日付は入力できません", "主訴: 入力してください"]
    assert count(any_db, Consultation) == 0 and count(any_db, Person) == 0


def test_clerk_cannot_record_for_another_district(any_db: Database,
                                                  staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    with pytest.raises(PermissionDeniedError):
        svc.record_intake(any_db, clerk, intake(district="烏山"), now=NOW)
    assert count(any_db, Consultation) == 0
    assert audit.recent(any_db, 1)[0].action == "permission_denied"


def test_amend_keeps_previous_version_and_refuses_stale_edit(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    saved = svc.record_intake(any_db, clerk, intake(), now=NOW)
    loaded = svc.load_intake(any_db, clerk, saved.consultation_id)
    assert loaded.data.person.name == "山田 花子" and loaded.version == 1
    changed = loaded.data
    changed.main_complaint = "介護保険の申請（訪問希望）"
    changed.urgency = ["生命・身体の危険"]
    result = svc.amend_intake(any_db, clerk, saved.consultation_id, changed, expected_version=1,
                              now=NOW)
    assert result.version == 2
    [version] = svc.history(any_db, clerk, saved.consultation_id)
    assert version.version == 1 and version.changed_by == "clerk 職員"
    assert set(version.fields) == {"main_complaint", "urgency"}
    with pytest.raises(ServiceError, match="他の職員によって更新"):
        svc.amend_intake(any_db, clerk, saved.consultation_id, changed, expected_version=1,
                         now=NOW)
    assert svc.load_intake(any_db, clerk, saved.consultation_id).urgent


def test_withdrawal_ends_sharing_and_keeps_the_record(any_db: Database,
                                                      staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    key = svc.consent_recipients(any_db, "ikejiri")[2].key
    saved = svc.record_intake(any_db, clerk, intake(consents=[ConsentInput(key)]), now=NOW)
    [row] = svc.consents_of(any_db, clerk, saved.person_id)  # type: ignore[arg-type]
    svc.withdraw_consent(any_db, clerk, row.consent_id, on=date(2026, 11, 25), reason="本人の申し出")
    after = svc.sharing_decision(any_db, clerk, saved.consultation_id, key, Purpose.SHARE,
                                 on=date(2026, 11, 25))
    assert not after.allowed and "撤回" in after.reason
    assert svc.sharing_decision(any_db, clerk, saved.consultation_id, key, Purpose.SHARE,
                                on=date(2026, 11, 24)).allowed
    assert count(any_db, ConsentRecordRow) == 1


def test_emergency_exception_needs_a_supervisor_of_the_district(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    staff_factory(any_db, "boss", role="監督者")
    staff_factory(any_db, "other-boss", role="監督者", place="烏山")
    saved = svc.record_intake(any_db, clerk, intake(), now=NOW)
    key = svc.consent_recipients(any_db, "ikejiri")[1].key
    assert not svc.sharing_decision(any_db, clerk, saved.consultation_id, key,
                                    Purpose.SHEET).allowed
    with pytest.raises(PermissionDeniedError, match="監督者だけ"):
        svc.record_emergency_exception(any_db, clerk, saved.consultation_id, reason="意識不明",
                                       supervisor_login="other-boss",
                                       supervisor_password="test-pass-123")
    with pytest.raises(AuthenticationError):
        svc.record_emergency_exception(any_db, clerk, saved.consultation_id, reason="意識不明",
                                       supervisor_login="boss", supervisor_password="wrong")
    svc.record_emergency_exception(any_db, clerk, saved.consultation_id, reason="意識不明",
                                   supervisor_login="boss", supervisor_password="test-pass-123")
    decision = svc.sharing_decision(any_db, clerk, saved.consultation_id, key, Purpose.SHEET)
    assert decision.allowed and decision.basis is Basis.EMERGENCY


def test_anonymous_consultation_is_recorded_without_person(any_db: Database,
                                                          staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    saved = svc.record_intake(any_db, clerk, intake(person=PersonInput(), consulter_kind="匿名"),
                              now=NOW)
    assert saved.person_id is None
    key = svc.consent_recipients(any_db, "ikejiri")[1].key
    decision = svc.sharing_decision(any_db, clerk, saved.consultation_id, key, Purpose.SHARE)
    assert not decision.allowed and "匿名" in decision.reason


def test_drafts_are_kept_until_saved(any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    other = staff_factory(any_db, "other")
    half = IntakeInput(channel="電話", person=PersonInput(name="途中 太郎"))
    draft_id = svc.save_draft(any_db, clerk, half)
    half.main_complaint = "住まいの相談"
    assert svc.save_draft(any_db, clerk, half, draft_id=draft_id) == draft_id
    [draft] = svc.list_drafts(any_db, clerk)
    assert draft.data == half and "途中 太郎" in draft.summary
    assert svc.list_drafts(any_db, other) == []
    svc.record_intake(any_db, clerk, intake(), draft_id=draft_id, now=NOW)
    assert svc.list_drafts(any_db, clerk) == []


def test_linking_a_person_keeps_what_is_on_record(any_db: Database,
                                                  staff_factory: Callable) -> None:
    from setacare_desktop.services.persons import person_details

    clerk = staff_factory(any_db, "clerk")
    first = svc.record_intake(any_db, clerk, intake(), now=NOW)
    again = intake(person=PersonInput(name="山田 花子", phone="03-9999-0000"),
                   person_id=first.person_id)
    second = svc.record_intake(any_db, clerk, again, now=NOW)
    assert second.person_id == first.person_id and count(any_db, Person) == 1
    details = person_details(any_db, clerk, first.person_id)  # type: ignore[arg-type]
    assert details.phone == "03-9999-0000"  # changed on purpose
    assert details.reading == "やまだ はなこ" and details.birth_date == "1945-03-03"  # kept
    assert audit.recent(any_db, 1)[0].action == "person_view"


def test_amend_without_change_still_removes_the_draft_and_dates_new_consent_today(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    saved = svc.record_intake(any_db, clerk, intake(), now=NOW)
    loaded = svc.load_intake(any_db, clerk, saved.consultation_id)
    draft = svc.save_draft(any_db, clerk, loaded.data, consultation_id=saved.consultation_id)
    svc.amend_intake(any_db, clerk, saved.consultation_id, loaded.data, expected_version=1,
                     draft_id=draft, now=NOW)
    assert svc.list_drafts(any_db, clerk) == []
    key = svc.consent_recipients(any_db, "ikejiri")[0].key
    loaded.data.consents = [ConsentInput(key)]
    later = datetime(2026, 11, 30, 9, 0)
    svc.amend_intake(any_db, clerk, saved.consultation_id, loaded.data, expected_version=1,
                     now=later)
    [row] = svc.consents_of(any_db, clerk, saved.person_id)  # type: ignore[arg-type]
    assert row.record.given_on == date(2026, 11, 30)


def test_consent_recipient_must_be_a_partner_of_the_district(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    elsewhere = svc.consent_recipients(any_db, "karasuyama")[0].key
    with pytest.raises(ValidationError, match="この地区の関係機関ではありません"):
        svc.record_intake(any_db, clerk, intake(consents=[ConsentInput(elsewhere)]), now=NOW)
    assert count(any_db, Consultation) == 0
