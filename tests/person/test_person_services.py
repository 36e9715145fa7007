"""The person page, 継続支援, household links and やること as services, on SQLite and PostgreSQL,
with the privacy suite's district (tests/privacy/conftest.py): the あんしんすこやかセンター took
every case; the 児童館 clerk (``viewer``) may see only the person who consented to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from tests.privacy.conftest import (
    CONSENTED,
    DAY,
    NOW,
    REFUSED,
    World,
    assert_hidden,
    build_world,
)

from setacare_desktop.domain.continuity import ContinuityStatus, HouseholdInput, Situation
from setacare_desktop.domain.followups import FollowupKind, Scope
from setacare_desktop.domain.intake import IntakeInput
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.referral import ReferralStatus
from setacare_desktop.domain.review import Decision
from setacare_desktop.services import (
    Database,
    StaffProfile,
    continuity,
    followups,
    households,
    review,
)
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services.errors import PermissionDeniedError, ValidationError
from setacare_desktop.services.person_page import person_page
from setacare_desktop.store.models import AuditEvent, DirService, Referral

TODAY = date(2025, 8, 1)
#: Well after a 継続支援 opened today (by the clock) had its last contact.
LATER = local_now().date() + timedelta(days=40)


@pytest.fixture
def world(any_db: Database, staff_factory: Callable[..., StaffProfile]) -> World:
    return build_world(any_db, staff_factory)


def audit_rows(db: Database, action: str, login: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.login == login)))


def pid(world: World, key: str) -> int:
    person = world.persons[key]
    assert person is not None
    return person


def test_the_taking_organisation_sees_the_whole_page_and_the_read_is_audited(
        world: World) -> None:
    page = person_page(world.db, world.taker, pid(world, "refused"), today=TODAY)
    assert page.person.name == REFUSED.name
    assert [c.consultation_id for c in page.consultations] == [world.ids["refused"]]
    assert page.consultations[0].main_complaint == REFUSED.complaint
    assert {c.state for c in page.consents} == {"不同意"}
    rows = audit_rows(world.db, "person_page_view", "taker")
    assert [r.entity_id for r in rows] == [str(pid(world, "refused"))]


def test_another_organisation_cannot_open_a_masked_person_and_the_refusal_is_audited(
        world: World) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        person_page(world.db, world.viewer, pid(world, "refused"), today=TODAY)
    assert_hidden(str(refused.value), REFUSED)
    assert any(r.detail == "person_page_view"
               for r in audit_rows(world.db, "permission_denied", "viewer"))
    assert not audit_rows(world.db, "person_page_view", "viewer")
    page = person_page(world.db, world.viewer, pid(world, "consented"), today=TODAY)
    assert page.person.name == CONSENTED.name  # consented to the 児童館
    assert len(audit_rows(world.db, "person_page_view", "viewer")) == 1


def test_withdrawing_the_consent_closes_the_page_at_the_next_read(world: World) -> None:
    person_page(world.db, world.viewer, pid(world, "consented"), today=TODAY)
    viewer_org = f"org:{world.viewer.organisation_id}"
    for row in intake_service.consents_of(world.db, world.taker, pid(world, "consented")):
        if row.record.recipient == viewer_org:
            intake_service.withdraw_consent(world.db, world.taker, row.consent_id, on=DAY,
                                            reason="本人の申し出")
    with pytest.raises(PermissionDeniedError):
        person_page(world.db, world.viewer, pid(world, "consented"), today=TODAY)


def test_continuity_opens_closes_and_a_new_consultation_reopens_it(world: World) -> None:
    person = pid(world, "unrecorded")
    with pytest.raises(ValidationError) as empty:
        continuity.open_support(world.db, world.taker, person, "  ")
    assert "理由" in str(empty.value)
    continuity.open_support(world.db, world.taker, person, "骨折後の見守り")
    page = person_page(world.db, world.taker, person, today=TODAY)
    assert page.continuity is not None and page.continuity.is_open
    assert page.continuity.holder_name == "taker 職員"
    assert "あんしんすこやかセンター" in page.continuity.holder_organisation
    continuity.close_support(world.db, world.taker, person, "介護保険サービスにつながった")
    with pytest.raises(ValidationError):
        continuity.close_support(world.db, world.taker, person, "二度目")
    saved = intake_service.record_intake(world.db, world.taker, IntakeInput(
        received_at=f"{DAY:%Y-%m-%d} 15:00", channel="電話", district="池尻",
        consulter_kind="本人", person_id=person, target_groups=["高齢者"],
        elements=["福祉サービス"], main_complaint="再び相談", response="助言"), now=NOW)
    page = person_page(world.db, world.taker, person, today=TODAY)
    assert page.continuity is not None and page.continuity.status is ContinuityStatus.OPEN
    assert [e.action.value for e in page.continuity.events] == ["reopen", "close", "open"]
    assert page.continuity.events[0].consultation_id == saved.consultation_id
    assert page.consultations[0].consultation_id == saved.consultation_id
    assert {r.action for r in audit_rows(world.db, "continuity_reopen", "taker")} == {
        "continuity_reopen"}


def test_another_organisation_cannot_open_support_for_a_masked_person(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        continuity.open_support(world.db, world.viewer, pid(world, "refused"), "見守り")


def test_household_links_show_a_masked_other_person_by_initials_only(world: World) -> None:
    link = households.link_household(
        world.db, world.taker, pid(world, "consented"), pid(world, "refused"),
        HouseholdInput("母", True, ("8050", "介護者")))
    taker_page = person_page(world.db, world.taker, pid(world, "consented"), today=TODAY)
    assert [(h.other_label, h.relation, h.living_together) for h in taker_page.households] == [
        (REFUSED.name, "母", True)]
    # The mother's page shows the link from her side.
    mother = person_page(world.db, world.taker, pid(world, "refused"), today=TODAY)
    assert mother.households[0].relation == "子"
    assert mother.households[0].situations == (Situation.EIGHTY_FIFTY, Situation.CARER)
    # The 児童館 sees the consented person, but not her mother: initials and age band.
    page = person_page(world.db, world.viewer, pid(world, "consented"), today=TODAY)
    assert [h.other_label for h in page.households] == ["T.S.（80歳代）"]
    assert_hidden(repr(page.households), REFUSED)
    lines = households.panel_lines(world.db, world.viewer,
                                   [pid(world, "consented"), pid(world, "refused")])
    assert lines == {pid(world, "consented"): ["母（同居）・8050・介護者"]}
    # Linking someone the caller may not see is refused, and audited.
    with pytest.raises(PermissionDeniedError):
        households.link_household(world.db, world.viewer, pid(world, "consented"),
                                  pid(world, "unrecorded"), HouseholdInput("配偶者", False))
    households.end_household_link(world.db, world.taker, link)
    assert not person_page(world.db, world.taker, pid(world, "refused"),
                           today=TODAY).households


def test_household_input_is_checked_by_field(world: World) -> None:
    with pytest.raises(ValidationError) as bad:
        households.link_household(world.db, world.taker, pid(world, "consented"),
                                  pid(world, "consented"), HouseholdInput("", True, ("不明",)))
    text = str(bad.value)
    assert "続柄" in text and "世帯の状況" in text and "同じ対象者" in text


def _refer_overdue(world: World, key: str) -> int:
    with world.db.transaction() as session:
        service_id = session.scalar(select(DirService.id).order_by(DirService.id).limit(1))
        referral = Referral(
            consultation_id=world.ids[key], service_id=service_id, referred_on=DAY,
            method="phone", request="訪問をお願いします", staff_id=world.taker.staff_id,
            reply_due=TODAY - timedelta(days=3), status=ReferralStatus.SENT.value,
            anonymised=False, basis="consent")
        session.add(referral)
        session.flush()
        return referral.id


def test_followups_list_the_four_kinds_for_the_holder_and_audit_the_read(world: World) -> None:
    intake_service.record_intake(world.db, world.taker, IntakeInput(
        received_at=f"{DAY:%Y-%m-%d} 16:00", channel="来所", district="池尻",
        consulter_kind="本人", target_groups=["高齢者"], elements=["福祉サービス"],
        main_complaint="次回また来ます", response="助言", next_date="2025-07-30"), now=NOW)
    _refer_overdue(world, "refused")
    review.decide(world.db, world.boss, world.ids["unrecorded"], Decision.RETURNED,
                  "対応を書いてください", seen_version=1)
    continuity.open_support(world.db, world.taker, pid(world, "consented"), "見守り")
    items = followups.followups(world.db, world.taker, Scope.MINE,
                                today=LATER)
    kinds = [f.kind for f in items]
    assert kinds == [FollowupKind.NEXT_DATE, FollowupKind.REPLY_OVERDUE, FollowupKind.RETURNED,
                     FollowupKind.NO_CONTACT]
    assert items[1].person == REFUSED.name and items[3].person == CONSENTED.name
    assert followups.followup_count(world.db, world.taker,
                                    today=LATER) == 4
    assert audit_rows(world.db, "followup_list", "taker")
    # Not the 児童館's: nothing for its clerk, whichever scope.
    for scope in Scope:
        assert followups.followups(world.db, world.viewer, scope, today=TODAY) == []
    # A shorter no-contact period is an administrator's preference.
    admin = build_admin(world)
    assert followups.set_no_contact_days(world.db, admin, "５") == 5
    with pytest.raises(ValidationError) as bad:
        followups.set_no_contact_days(world.db, admin, "0")
    assert "連絡なしとする日数" in str(bad.value)


def build_admin(world: World) -> StaffProfile:
    from tests.conftest import make_staff
    return make_staff(world.db, "admin", role="管理者", admin=True)


def test_a_followup_of_a_person_who_withdrew_consent_shows_initials_only(
        world: World) -> None:
    person = pid(world, "consented")
    continuity.open_support(world.db, world.viewer, person, "子育ての見守り")
    viewer_org = f"org:{world.viewer.organisation_id}"
    for row in intake_service.consents_of(world.db, world.taker, person):
        if row.record.recipient == viewer_org:
            intake_service.withdraw_consent(world.db, world.taker, row.consent_id, on=DAY,
                                            reason="本人の申し出")
    items = followups.followups(world.db, world.viewer, Scope.ORGANISATION,
                                today=LATER + timedelta(days=20))
    assert [f.kind for f in items] == [FollowupKind.NO_CONTACT]
    assert items[0].masked and items[0].person == "S.A.（60歳代）"
    assert_hidden(repr(items), CONSENTED)
