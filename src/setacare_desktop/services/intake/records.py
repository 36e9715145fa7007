"""How a typed intake becomes rows, and rows become a form again: the person, the consultation,
its consents, the snapshot kept as history. Helpers of the use cases in ``cases``, each inside the
caller's session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from setacare_desktop.domain.consent import ConsentRecord
from setacare_desktop.domain.intake import (
    IntakeInput,
    PersonInput,
    ValidIntake,
    ValidPerson,
)
from setacare_desktop.domain.kana import digits_only, name_key, reading_key
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import Access
from setacare_desktop.services import audit
from setacare_desktop.services.errors import NotFoundError, ValidationError
from setacare_desktop.services.intake.consent_rows import standing_refusals
from setacare_desktop.services.persons import require_person_visible
from setacare_desktop.store.models import (
    ConsentRecordRow,
    Consultation,
    ConsultationDetail,
    ConsultationElement,
    ConsultationTargetGroup,
    IntakeDraft,
    Person,
    Staff,
    utc_now,
)


@dataclass(frozen=True, slots=True)
class Recipient:
    key: str  # consent recipient key, e.g. "org:12"
    name: str


@dataclass(frozen=True, slots=True)
class SavedIntake:
    consultation_id: int
    person_id: int | None
    version: int


@dataclass(frozen=True, slots=True)
class LoadedIntake:
    consultation_id: int
    version: int
    data: IntakeInput
    staff_name: str
    organisation_name: str
    urgent: bool
    #: WHOLE, CONSENT or EMERGENCY (a masked case is never loaded into the form).
    access: Access = Access.WHOLE
    #: Why the caller sees it (Japanese); shown with the banner of an emergency exception.
    access_reason: str = ""

    @property
    def emergency(self) -> bool:
        return self.access is Access.EMERGENCY


@dataclass(frozen=True, slots=True)
class MaskedCase:
    """What a caller who may not see the person reads of a consultation (docs/privacy.md,
    rule 3): number, date, district, organisation, classifications, urgency flags, the
    person's initials and age band, and why nothing more is shown."""

    consultation_id: int
    received_at: datetime
    district_name: str
    organisation_name: str
    channel_label: str
    consulter_label: str
    person_label: str  # 「F.H.（80歳代）」, or （匿名）
    target_labels: tuple[str, ...]
    element_labels: tuple[str, ...]
    response_label: str
    urgent: bool
    urgency_labels: tuple[str, ...]
    notice: str  # MASKED_NOTICE and the reason


@dataclass(frozen=True, slots=True)
class VersionRow:
    version: int
    changed_at: datetime
    changed_by: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConsentRow:
    consent_id: int
    recipient_name: str
    record: ConsentRecord


def apply_person(session: Session, valid: ValidIntake, actor: StaffProfile
                  ) -> tuple[Person | None, list[str]]:
    """Create the person, or update the linked one; returns it and the fields changed."""
    if valid.person_id is not None:
        person = session.get(Person, valid.person_id)
        if person is None:
            raise NotFoundError(f"対象者（ID {valid.person_id}）が見つかりません。")
        # Only a person the caller may see: linking would open their record (docs/privacy.md).
        require_person_visible(session, actor, person.id, "person_link")
        if valid.person is None:
            return person, []
        changed = set_person(person, valid.person, keep_empty=True)
        if changed:
            person.updated_at = utc_now()
            audit.record(session, actor, "person_update", entity="person", entity_id=person.id,
                         fields=changed)
        return person, changed
    if valid.person is None:
        return None, []
    person = Person(district_code=valid.district)
    set_person(person, valid.person)
    session.add(person)
    session.flush()
    audit.record(session, actor, "person_create", entity="person", entity_id=person.id,
                 fields=PERSON_FIELDS)
    return person, list(PERSON_FIELDS)


PERSON_FIELDS = ("name", "reading", "birth_date", "sex", "address_town", "address_rest",
                 "phone", "household")


def set_person(person: Person, data: ValidPerson, *, keep_empty: bool = False) -> list[str]:
    """Copy the typed person fields; with ``keep_empty`` (a person linked from the duplicate
    check) a field left empty keeps what is on record instead of blanking it."""
    changed = []
    for name in PERSON_FIELDS:
        value = getattr(data, name)
        if value in ("", None) and (keep_empty or name == "name"):
            continue
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    person.name_key = name_key(person.name)
    person.reading_key = reading_key(person.reading or "")
    person.phone_digits = digits_only(person.phone or "")
    return changed


def snapshot(case: Consultation, detail: ConsultationDetail) -> dict[str, Any]:
    """The amendable fields of a consultation, as plain JSON values (for history)."""
    return {
        "received_at": case.received_at.isoformat(timespec="minutes"),
        "channel": case.channel_code,
        "consulter_kind": case.consulter_kind_code,
        "consulter_relation": detail.consulter_relation,
        "consulter_name": detail.consulter_name,
        "consulter_contact": detail.consulter_contact,
        "person_id": detail.person_id,
        "target_groups": sorted(t.code for t in case.target_groups),
        "elements": sorted(e.code for e in case.elements),
        "main_complaint": case.main_complaint,
        "details": detail.details,
        "response": case.response_code,
        "next_date": detail.next_date.isoformat() if detail.next_date else None,
        "next_note": detail.next_note,
        "urgency": sorted(detail.urgency or []),
        "urgency_note": detail.urgency_note,
    }


def fill(case: Consultation, detail: ConsultationDetail, valid: ValidIntake,
          person: Person | None) -> None:
    case.received_at = valid.received_at
    case.received_on = valid.received_at.date()
    case.channel_code = valid.channel
    case.consulter_kind_code = valid.consulter_kind
    case.main_complaint = valid.main_complaint
    case.response_code = valid.response
    case.urgent = valid.urgent
    case.updated_at = utc_now()
    wanted_groups = set(valid.target_groups)
    case.target_groups = [t for t in case.target_groups if t.code in wanted_groups] + [
        ConsultationTargetGroup(code=c) for c in valid.target_groups
        if c not in {t.code for t in case.target_groups}]
    wanted_elements = set(valid.elements)
    case.elements = [e for e in case.elements if e.code in wanted_elements] + [
        ConsultationElement(code=c) for c in valid.elements
        if c not in {e.code for e in case.elements}]
    detail.person_id = person.id if person else None
    detail.consulter_relation = valid.consulter_relation
    detail.consulter_name = valid.consulter_name
    detail.consulter_contact = valid.consulter_contact
    detail.details = valid.details
    detail.next_date = valid.next_date
    detail.next_note = valid.next_note
    detail.urgency = list(valid.urgency)
    detail.urgency_note = valid.urgency_note


def add_consents(session: Session, actor: StaffProfile, valid: ValidIntake,
                  person: Person | None, consultation_id: int) -> None:
    if person is None:
        return
    # A tick of 同意 never replaces a recorded refusal: that is a change of mind, recorded apart.
    refused = standing_refusals(session, person.id, valid.consents)
    if refused:
        raise ValidationError(refused)
    for c in valid.consents:
        row = ConsentRecordRow(
            person_id=person.id, consultation_id=consultation_id, recipient=c.recipient,
            purpose=c.purpose.value, given=c.given, giver=c.giver.value,
            giver_relation=c.giver_relation, method=c.method.value, given_on=c.given_on,
            recorded_by=actor.staff_id, withdrawal_reason="",
        )
        session.add(row)
        session.flush()
        audit.record(session, actor, "consent_record", entity="consent", entity_id=row.id,
                     fields=("recipient", "purpose", "given", "giver", "method", "given_on"),
                     detail=f"{c.recipient} {c.purpose.value} {'given' if c.given else 'refused'}")


def remove_draft(session: Session, actor: StaffProfile, draft_id: int | None) -> None:
    if draft_id is not None:
        session.execute(delete(IntakeDraft).where(IntakeDraft.id == draft_id,
                                                  IntakeDraft.staff_id == actor.staff_id))


def org_id(session: Session, actor: StaffProfile) -> int:
    staff = session.get(Staff, actor.staff_id)
    assert staff is not None
    return staff.organisation_id


def load_case(session: Session, consultation_id: int) -> tuple[Consultation, ConsultationDetail]:
    case = session.scalar(select(Consultation).where(Consultation.id == consultation_id)
                          .options(selectinload(Consultation.target_groups),
                                   selectinload(Consultation.elements)))
    detail = session.get(ConsultationDetail, consultation_id)
    if case is None:
        raise NotFoundError(f"相談（ID {consultation_id}）が見つかりません。")
    if detail is None:  # consultations recorded before the intake form (demo, migration 0001)
        detail = ConsultationDetail(consultation_id=case.id, version=1, urgency=[],
                                    consulter_relation="", consulter_name="",
                                    consulter_contact="", details="", next_note="",
                                    urgency_note="")
        session.add(detail)
    return case, detail


def person_input(person: Person | None) -> PersonInput:
    if person is None:
        return PersonInput()
    return PersonInput(
        name=person.name, reading=person.reading,
        birth_date=person.birth_date.isoformat() if person.birth_date else "",
        sex=person.sex or "", address_town=person.address_town,
        address_rest=person.address_rest, phone=person.phone, household=person.household or "")

