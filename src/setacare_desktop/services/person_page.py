"""A person's page: every consultation, referral, consent, liaison sheet and household link of a
person, newest first, with their 継続支援.

Opened only by staff who may see the person (``services.persons.require_person_visible``: in
scope, and one of the person's consultations is their organisation's or the person consented to
it); anyone else is refused (audited) with the duplicate check's message, as if the person were
not on record (docs/privacy.md, rule 4). Within the page each consultation is shown as the
visibility rule allows: another organisation's consultation seen without consent keeps its 主訴,
its referral texts and replies 「（非表示）」. Each opening is audited (``person_page_view``), and
each consultation seen under an emergency exception gets its own row.

:func:`record_find` audits what ``setacare person find`` printed of the duplicate check
(``services.persons.possible_duplicates``, the panel's own service).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.intake import SEXES
from setacare_desktop.domain.jpdate import age_on, local_now
from setacare_desktop.domain.referral import ReferralStatus, is_overdue
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import WHOLE, Access, Visibility
from setacare_desktop.services import audit
from setacare_desktop.services.consultations import shown_text
from setacare_desktop.services.continuity import ContinuityState, state_of
from setacare_desktop.services.households import HouseholdLinkRow, links_in_session
from setacare_desktop.services.intake.consent_rows import consent_records, recipient_names
from setacare_desktop.services.persons import require_person_visible
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import audit_emergency_views, visibilities
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    Consultation,
    ConsultationDetail,
    DirService,
    LiaisonSheetRow,
    Organisation,
    Person,
    Referral,
    ReferralEvent,
    SheetPrint,
    Staff,
)

_SEX_LABELS = {term.code: term.label for term in SEXES}


@dataclass(frozen=True, slots=True)
class PersonSummary:
    person_id: int
    name: str
    reading: str
    birth_date: date | None
    age: int | None
    sex: str
    district_name: str
    address: str
    phone: str


@dataclass(frozen=True, slots=True)
class ConsultationLine:
    consultation_id: int
    received_at: datetime
    organisation: str
    staff_name: str
    main_complaint: str  # 「（非表示）」 when masked
    next_date: date | None
    access: Access


@dataclass(frozen=True, slots=True)
class ReferralLine:
    referral_id: int
    consultation_id: int
    referred_on: date
    destination: str
    status: ReferralStatus
    reply_due: date | None
    overdue: bool
    last_reply: str  # 「（非表示）」 when the consultation is masked


@dataclass(frozen=True, slots=True)
class ConsentLine:
    consent_id: int
    recipient: str
    purpose: str
    given: bool
    giver: str
    method: str
    given_on: date
    withdrawn_on: date | None
    replaces_refusal: bool

    @property
    def state(self) -> str:
        if not self.given:
            return "不同意"
        return "撤回" if self.withdrawn_on is not None else "同意"


@dataclass(frozen=True, slots=True)
class SheetLine:
    sheet_number: str
    referral_id: int
    consultation_id: int
    destination: str
    issued_at: datetime
    anonymised: bool
    prints: int


@dataclass(frozen=True, slots=True)
class PersonPage:
    person: PersonSummary
    continuity: ContinuityState | None
    consultations: tuple[ConsultationLine, ...]  # newest first, as every list below
    referrals: tuple[ReferralLine, ...]
    consents: tuple[ConsentLine, ...]
    sheets: tuple[SheetLine, ...]
    households: tuple[HouseholdLinkRow, ...]


@use_case
def person_page(db: Database, actor: StaffProfile, person_id: int, *,
                today: date | None = None) -> PersonPage:
    """Everything recorded about a person that ``actor`` may see (audited)."""
    day = today or local_now().date()
    with db.transaction() as session:
        require_person_visible(session, actor, person_id, "person_page_view")
        person = session.get(Person, person_id)
        assert person is not None
        cases = session.execute(
            select(Consultation, Organisation.name, Staff.name, ConsultationDetail.next_date)
            .join(ConsultationDetail, ConsultationDetail.consultation_id == Consultation.id)
            .join(Organisation, Organisation.id == Consultation.organisation_id)
            .join(Staff, Staff.id == Consultation.staff_id)
            .where(ConsultationDetail.person_id == person_id)
            .order_by(Consultation.received_at.desc(), Consultation.id.desc())).all()
        seen = visibilities(session, actor, [c.id for c, *_ in cases], day)
        consultations = tuple(
            ConsultationLine(c.id, c.received_at, org, staff,
                             shown_text(c.main_complaint, seen.get(c.id, WHOLE)),
                             next_date, seen.get(c.id, WHOLE).access)
            for c, org, staff, next_date in cases)
        referrals = _referrals(session, [c.id for c, *_ in cases], seen, day)
        names = recipient_names(session)
        consents = tuple(
            ConsentLine(cid, names.get(r.recipient, r.recipient), r.purpose.label, r.given,
                        r.giver_text, r.method.label, r.given_on, r.withdrawn_on,
                        r.supersedes_id is not None)
            for cid, r in reversed(consent_records(session, person_id)))
        sheets = tuple(
            SheetLine(s.sheet_number, s.referral_id, consultation_id, destination, s.issued_at,
                      s.anonymised, prints or 0)
            for s, consultation_id, destination, prints in session.execute(
                select(LiaisonSheetRow, Referral.consultation_id, DirService.name,
                       select(func.count(SheetPrint.id))
                       .where(SheetPrint.sheet_id == LiaisonSheetRow.id).scalar_subquery())
                .join(Referral, Referral.id == LiaisonSheetRow.referral_id)
                .join(DirService, DirService.id == Referral.service_id)
                .where(Referral.consultation_id.in_([c.id for c, *_ in cases]))
                .order_by(LiaisonSheetRow.issued_at.desc(), LiaisonSheetRow.id.desc())))
        households = tuple(links_in_session(session, actor, person_id, day))
        summary = PersonSummary(
            person.id, person.name, person.reading, person.birth_date,
            age_on(person.birth_date, day) if person.birth_date else None,
            _SEX_LABELS.get(person.sex or "", person.sex or ""),
            ref.DISTRICTS_BY_CODE[person.district_code].name,
            f"{person.address_town}{person.address_rest}", person.phone)
        audit.record(session, actor, "person_page_view", entity="person", entity_id=person_id)
        audit_emergency_views(session, actor, seen, "person_page")
        return PersonPage(summary, state_of(session, person_id), consultations, referrals,
                          consents, sheets, households)


def _referrals(session: Session, case_ids: list[int], seen: dict[int, Visibility], day: date
               ) -> tuple[ReferralLine, ...]:
    if not case_ids:
        return ()
    found = session.execute(
        select(Referral, DirService.name).join(DirService, DirService.id == Referral.service_id)
        .where(Referral.consultation_id.in_(case_ids))
        .order_by(Referral.referred_on.desc(), Referral.id.desc())).all()
    replies: dict[int, str] = {}
    for referral_id, reply in session.execute(
            select(ReferralEvent.referral_id, ReferralEvent.reply)
            .where(ReferralEvent.referral_id.in_([r.id for r, _ in found]),
                   ReferralEvent.reply != "").order_by(ReferralEvent.id)):
        replies[referral_id] = reply
    lines = []
    for referral, destination in found:
        status = ReferralStatus(referral.status)
        vis = seen.get(referral.consultation_id, WHOLE)
        lines.append(ReferralLine(
            referral.id, referral.consultation_id, referral.referred_on, destination, status,
            referral.reply_due, is_overdue(status, referral.reply_due, day),
            shown_text(replies.get(referral.id, ""), vis)))
    return tuple(lines)


@use_case
def record_find(db: Database, actor: StaffProfile, person_ids: list[int]) -> None:
    """Audit what ``person find`` printed: one ``person_find`` row per person shown."""
    with db.transaction() as session:
        for person_id in person_ids:
            audit.record(session, actor, "person_find", entity="person", entity_id=person_id)
