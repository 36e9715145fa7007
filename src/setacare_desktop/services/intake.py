"""Recording and amending consultations (受付), their consents, drafts and history.

Each public function is one use case (``@use_case``): one session, in which the caller's scope is
checked, the consent rule is asked and the write it allows is made, with its audit row. Problems
with the input come back as ``ValidationError`` whose problems name the field in Japanese, and
nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.consent import (
    ConsentRecord,
    EmergencyException,
    Giver,
    Method,
    Purpose,
    SharingDecision,
    destination_recipient,
    may_share_identifying,
    org_recipient,
)
from setacare_desktop.domain.intake import (
    IntakeInput,
    PersonInput,
    ValidIntake,
    ValidPerson,
    validate,
)
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.kana import digits_only, name_key, reading_key
from setacare_desktop.domain.roles import Role, StaffProfile, can_write_cases
from setacare_desktop.services import audit
from setacare_desktop.services.auth import check_password
from setacare_desktop.services.errors import (
    NotFoundError,
    Problem,
    ServiceError,
    ValidationError,
)
from setacare_desktop.services.guard import deny, require_case_read
from setacare_desktop.services.inputs import check_texts
from setacare_desktop.services.persons import person_district
from setacare_desktop.services.search import index_consultation
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    ConsentRecordRow,
    Consultation,
    ConsultationDetail,
    ConsultationElement,
    ConsultationTargetGroup,
    ConsultationVersion,
    DirService,
    EmergencyExceptionRow,
    IntakeDraft,
    Organisation,
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


def _raise_problems(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(problems)


@use_case
def consent_recipients(db: Database, district_code: str) -> list[Recipient]:
    """The four partners of a district, the recipients the intake form asks consent for."""
    with db.read() as session:
        return partners(session, district_code)


def partners(session: Session, district_code: str) -> list[Recipient]:
    orgs = session.scalars(select(Organisation).where(
        Organisation.district_code == district_code).order_by(Organisation.id))
    return [Recipient(org_recipient(o.id), o.name) for o in orgs]


def _recipient_names(session: Session) -> dict[str, str]:
    names = {org_recipient(o.id): o.name for o in session.scalars(select(Organisation))}
    names.update((destination_recipient(sid), name) for sid, name in session.execute(
        select(DirService.id, DirService.name)))
    return names


def _check_write(actor: StaffProfile, district_code: str, action: str) -> None:
    if not can_write_cases(actor, district_code):
        raise deny(actor, action, "この地区の相談を記録する権限がありません。",
                   entity="district", entity_id=district_code)


def _validated(session: Session, data: IntakeInput, now: datetime) -> ValidIntake:
    valid, problems = validate(data, now=now)
    _raise_problems(problems)
    assert valid is not None
    keys = {r.key for r in partners(session, valid.district)}
    _raise_problems([
        Problem("consents", f"同意先「{c.recipient}」はこの地区の関係機関ではありません")
        for c in valid.consents if c.recipient.startswith("org:") and c.recipient not in keys])
    return valid


def _apply_person(session: Session, valid: ValidIntake, actor: StaffProfile
                  ) -> tuple[Person | None, list[str]]:
    """Create the person, or update the linked one; returns it and the fields changed."""
    if valid.person_id is not None:
        person = session.get(Person, valid.person_id)
        if person is None:
            raise NotFoundError(f"対象者（ID {valid.person_id}）が見つかりません。")
        require_case_read(actor, person.district_code, "person_link")
        if valid.person is None:
            return person, []
        changed = _set_person(person, valid.person, keep_empty=True)
        if changed:
            person.updated_at = utc_now()
            audit.record(session, actor, "person_update", entity="person", entity_id=person.id,
                         fields=changed)
        return person, changed
    if valid.person is None:
        return None, []
    person = Person(district_code=valid.district)
    _set_person(person, valid.person)
    session.add(person)
    session.flush()
    audit.record(session, actor, "person_create", entity="person", entity_id=person.id,
                 fields=PERSON_FIELDS)
    return person, list(PERSON_FIELDS)


PERSON_FIELDS = ("name", "reading", "birth_date", "sex", "address_town", "address_rest",
                 "phone", "household")


def _set_person(person: Person, data: ValidPerson, *, keep_empty: bool = False) -> list[str]:
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


def _snapshot(case: Consultation, detail: ConsultationDetail) -> dict[str, Any]:
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


def _fill(case: Consultation, detail: ConsultationDetail, valid: ValidIntake,
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


def _add_consents(session: Session, actor: StaffProfile, valid: ValidIntake,
                  person: Person | None, consultation_id: int) -> None:
    if person is None:
        return
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


@use_case
def record_intake(db: Database, actor: StaffProfile, data: IntakeInput, *,
                  draft_id: int | None = None, now: datetime | None = None) -> SavedIntake:
    """Record a new consultation (and its person and consents) in one transaction.

    The draft it came from, if any, is removed in the same transaction.
    """
    if not data.district and actor.district_code:
        data.district = actor.district_code
    with db.transaction() as session:
        valid = _validated(session, data, now or local_now())
        _check_write(actor, valid.district, "consultation_create")
        person, _ = _apply_person(session, valid, actor)
        case = Consultation(district_code=valid.district, organisation_id=_org_id(session, actor),
                            staff_id=actor.staff_id, target_groups=[], elements=[])
        detail = ConsultationDetail(version=1)
        _fill(case, detail, valid, person)
        session.add(case)
        session.flush()
        detail.consultation_id = case.id
        session.add(detail)
        _add_consents(session, actor, valid, person, case.id)
        index_consultation(session, case, detail, person)
        _remove_draft(session, actor, draft_id)
        audit.record(session, actor, "consultation_create", entity="consultation",
                     entity_id=case.id, fields=_snapshot(case, detail).keys())
        return SavedIntake(case.id, person.id if person else None, 1)


def _remove_draft(session: Session, actor: StaffProfile, draft_id: int | None) -> None:
    if draft_id is not None:
        session.execute(delete(IntakeDraft).where(IntakeDraft.id == draft_id,
                                                  IntakeDraft.staff_id == actor.staff_id))


def _org_id(session: Session, actor: StaffProfile) -> int:
    staff = session.get(Staff, actor.staff_id)
    assert staff is not None
    return staff.organisation_id


def case_district(session: Session, consultation_id: int) -> str:
    """The district of a consultation (to check scope before reading it), or NotFoundError."""
    district = session.scalar(select(Consultation.district_code).where(
        Consultation.id == consultation_id))
    if district is None:
        raise NotFoundError(f"相談（ID {consultation_id}）が見つかりません。")
    return district


@use_case
def consultation_district(db: Database, actor: StaffProfile, consultation_id: int) -> str:
    """The district of a consultation the caller may read (for headings and scope)."""
    with db.read() as session:
        district = case_district(session, consultation_id)
    require_case_read(actor, district, "consultation_district")
    return district


def _load(session: Session, consultation_id: int) -> tuple[Consultation, ConsultationDetail]:
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


@use_case
def amend_intake(db: Database, actor: StaffProfile, consultation_id: int, data: IntakeInput,
                 *, expected_version: int, draft_id: int | None = None,
                 now: datetime | None = None) -> SavedIntake:
    """Amend a consultation; the previous state is kept as a version (who, when, which fields).

    ``expected_version`` guards against two people amending at once: the second is refused
    rather than silently overwriting the first.
    """
    now = now or local_now()
    with db.transaction() as session:
        district = case_district(session, consultation_id)
        _check_write(actor, district, "consultation_amend")
        data.district = district  # a consultation does not move between districts
        for consent in data.consents:  # consent given while amending is given today
            consent.given_on = consent.given_on or now.date().isoformat()
        valid = _validated(session, data, now)
        case, detail = _load(session, consultation_id)
        if (detail.version or 1) != expected_version:
            raise ServiceError("この相談は他の職員によって更新されています。"
                               "画面を開き直してから修正してください。")
        before = _snapshot(case, detail)
        person, person_fields = _apply_person(session, valid, actor)
        _fill(case, detail, valid, person)
        after = _snapshot(case, detail)
        changed = [k for k in after if after[k] != before[k]] + [
            f"person.{f}" for f in person_fields]
        if valid.consents:
            changed.append("consents")
        _add_consents(session, actor, valid, person, case.id)
        if not changed:
            _remove_draft(session, actor, draft_id)
            return SavedIntake(case.id, detail.person_id, detail.version)
        version = detail.version or 1
        session.add(ConsultationVersion(consultation_id=case.id, version=version,
                                        changed_by=actor.staff_id, fields=changed,
                                        previous=before))
        detail.version = version + 1
        detail.amended_at = utc_now()
        detail.amended_by = actor.staff_id
        index_consultation(session, case, detail, person)
        _remove_draft(session, actor, draft_id)
        audit.record(session, actor, "consultation_amend", entity="consultation",
                     entity_id=case.id, fields=changed)
        return SavedIntake(case.id, detail.person_id, detail.version)


@use_case
def load_intake(db: Database, actor: StaffProfile, consultation_id: int) -> LoadedIntake:
    """A consultation as the form shows it (reading personal data is audited)."""
    with db.transaction() as session:
        require_case_read(actor, case_district(session, consultation_id), "consultation_view")
        case, detail = _load(session, consultation_id)
        person = session.get(Person, detail.person_id) if detail.person_id else None
        data = IntakeInput(
            received_at=case.received_at.strftime("%Y-%m-%d %H:%M"),
            channel=case.channel_code, district=case.district_code,
            consulter_kind=case.consulter_kind_code,
            consulter_relation=detail.consulter_relation,
            consulter_name=detail.consulter_name, consulter_contact=detail.consulter_contact,
            person=_person_input(person), person_id=person.id if person else None,
            target_groups=[t.code for t in case.target_groups],
            elements=[e.code for e in case.elements], main_complaint=case.main_complaint,
            details=detail.details, response=case.response_code or "",
            next_date=detail.next_date.isoformat() if detail.next_date else "",
            next_note=detail.next_note, urgency=list(detail.urgency or []),
            urgency_note=detail.urgency_note,
        )
        audit.record(session, actor, "consultation_view", entity="consultation",
                     entity_id=case.id)
        return LoadedIntake(case.id, detail.version or 1, data, case.staff.name,
                            case.organisation.name, case.urgent)


def _person_input(person: Person | None) -> PersonInput:
    if person is None:
        return PersonInput()
    return PersonInput(
        name=person.name, reading=person.reading,
        birth_date=person.birth_date.isoformat() if person.birth_date else "",
        sex=person.sex or "", address_town=person.address_town,
        address_rest=person.address_rest, phone=person.phone, household=person.household or "")


@use_case
def history(db: Database, actor: StaffProfile, consultation_id: int) -> list[VersionRow]:
    """Earlier versions of a consultation, newest first."""
    with db.read() as session:
        require_case_read(actor, case_district(session, consultation_id), "consultation_history")
        rows = session.execute(
            select(ConsultationVersion, Staff.name).join(Staff,
                                                         Staff.id == ConsultationVersion.changed_by)
            .where(ConsultationVersion.consultation_id == consultation_id)
            .order_by(ConsultationVersion.version.desc()))
        return [VersionRow(v.version, v.changed_at, name, tuple(v.fields)) for v, name in rows]


# --- consent ----------------------------------------------------------------------------------


def consent_records(session: Session, person_id: int) -> list[tuple[int, ConsentRecord]]:
    rows = session.scalars(select(ConsentRecordRow).where(ConsentRecordRow.person_id == person_id)
                           .order_by(ConsentRecordRow.id))
    return [(r.id, ConsentRecord(r.recipient, Purpose(r.purpose), r.given, Giver(r.giver),
                                 r.giver_relation, Method(r.method), r.given_on, r.recorded_by,
                                 r.recorded_at, r.withdrawn_on, r.withdrawal_reason))
            for r in rows]


@use_case
def consents_of(db: Database, actor: StaffProfile, person_id: int) -> list[ConsentRow]:
    """Every consent record of a person, withdrawn ones included (the history stays)."""
    with db.read() as session:
        require_case_read(actor, person_district(session, person_id), "consent_list")
        names = _recipient_names(session)
        return [ConsentRow(i, names.get(r.recipient, r.recipient), r)
                for i, r in consent_records(session, person_id)]


@use_case
def withdraw_consent(db: Database, actor: StaffProfile, consent_id: int, *, on: date,
                     reason: str) -> None:
    """Withdraw a consent from ``on``; the record stays, marked withdrawn."""
    check_texts({"撤回の理由": reason}, multiline=("撤回の理由",))
    with db.transaction() as session:
        row = session.get(ConsentRecordRow, consent_id)
        if row is None:
            raise NotFoundError(f"同意記録（ID {consent_id}）が見つかりません。")
        _check_write(actor, person_district(session, row.person_id), "consent_withdraw")
        if not reason.strip():
            raise ValidationError([Problem("撤回の理由", "入力してください")])
        if row.withdrawn_on is not None:
            raise ServiceError("この同意は既に撤回されています。")
        if on < row.given_on:
            raise ValidationError([Problem("撤回日", "同意日より前の日付は入力できません")])
        row.withdrawn_on, row.withdrawal_reason = on, reason.strip()
        row.withdrawn_by = actor.staff_id
        audit.record(session, actor, "consent_withdraw", entity="consent", entity_id=consent_id,
                     fields=("withdrawn_on", "withdrawal_reason"))


@use_case
def record_emergency_exception(db: Database, actor: StaffProfile, consultation_id: int, *,
                               reason: str, supervisor_login: str, supervisor_password: str,
                               recipient: str | None = None) -> int:
    """Record sharing without consent (life or body at risk, consent cannot be obtained).

    A supervisor approves it by entering their own login and password at the counter; the
    approval is refused unless that account is a supervisor whose scope covers the case. A wrong
    password counts towards the supervisor's lock-out: that is committed with this transaction,
    and the refusal raised after it.
    """
    check_texts({"例外の理由": reason}, multiline=("例外の理由",))
    with db.transaction() as session:
        district = case_district(session, consultation_id)
        _check_write(actor, district, "emergency_exception")
        if not reason.strip():
            raise ValidationError([Problem("例外の理由", "入力してください")])
        approver = check_password(session, supervisor_login, supervisor_password,
                                  "credentials_verified")
        if not isinstance(approver, ServiceError):
            return _emergency_exception(session, actor, approver, consultation_id, district,
                                        reason, recipient)
    raise approver


def _emergency_exception(session: Session, actor: StaffProfile, approver: StaffProfile,
                         consultation_id: int, district: str, reason: str,
                         recipient: str | None) -> int:
    if approver.role is not Role.SUPERVISOR or not can_write_cases(approver, district):
        raise deny(actor, "emergency_exception", "承認できるのは、この地区を担当する監督者だけです。",
                   entity="consultation", entity_id=consultation_id)
    row = EmergencyExceptionRow(consultation_id=consultation_id, recipient=recipient,
                                reason=reason.strip(), approved_by=approver.staff_id,
                                approved_at=utc_now(), recorded_by=actor.staff_id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "emergency_exception", entity="consultation",
                 entity_id=consultation_id, fields=("reason", "approved_by", "recipient"),
                 detail=f"approved by {approver.login}")
    return row.id


@use_case
def sharing_decision(db: Database, actor: StaffProfile, consultation_id: int, recipient: str,
                     purpose: Purpose, on: date | None = None) -> SharingDecision:
    """Ask the consent rule for one consultation: may its identifying details go there?"""
    with db.read() as session:
        require_case_read(actor, case_district(session, consultation_id), "sharing_decision")
        return decide_sharing(session, consultation_id, recipient, purpose, on)


def decide_sharing(session: Session, consultation_id: int, recipient: str, purpose: Purpose,
                   on: date | None = None) -> SharingDecision:
    """The consent rule over what the session sees now: the caller acts on it in that session."""
    detail = session.get(ConsultationDetail, consultation_id)
    person_id = detail.person_id if detail else None
    records = [r for _, r in consent_records(session, person_id)] if person_id else []
    exceptions = [EmergencyException(e.reason, e.approved_by, e.approved_at, e.recipient)
                  for e in session.scalars(select(EmergencyExceptionRow).where(
                      EmergencyExceptionRow.consultation_id == consultation_id))]
    return may_share_identifying(anonymous=person_id is None, consents=records,
                                 exceptions=exceptions, recipient=recipient, purpose=purpose,
                                 on=on or local_now().date())


# --- drafts -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftRow:
    draft_id: int
    consultation_id: int | None
    updated_at: datetime
    summary: str
    data: IntakeInput


@use_case
def save_draft(db: Database, actor: StaffProfile, data: IntakeInput, *,
               draft_id: int | None = None, consultation_id: int | None = None) -> int:
    """Save what is typed so far (no validation: a draft may be anything). Not audited per
    keystroke; the draft belongs to the staff member who typed it."""
    with db.transaction() as session:
        draft = session.get(IntakeDraft, draft_id) if draft_id is not None else None
        if draft is None or draft.staff_id != actor.staff_id:
            draft = IntakeDraft(staff_id=actor.staff_id, consultation_id=consultation_id,
                                payload=data.to_dict())
            session.add(draft)
            session.flush()
            audit.record(session, actor, "draft_create", entity="draft", entity_id=draft.id)
        else:
            draft.payload = data.to_dict()
            draft.updated_at = utc_now()
        return draft.id


@use_case
def list_drafts(db: Database, actor: StaffProfile) -> list[DraftRow]:
    """The caller's unsaved intakes, newest first (offered back after a crash)."""
    with db.read() as session:
        drafts = session.scalars(select(IntakeDraft).where(IntakeDraft.staff_id == actor.staff_id)
                                 .order_by(IntakeDraft.updated_at.desc()))
        rows = []
        for d in drafts:
            data = IntakeInput.from_dict(d.payload)
            who = data.person.name or "（氏名未入力）"
            rows.append(DraftRow(d.id, d.consultation_id, d.updated_at,
                                 f"{who} / {data.main_complaint[:30] or '（主訴未入力）'}", data))
        return rows


@use_case
def discard_draft(db: Database, actor: StaffProfile, draft_id: int) -> None:
    with db.transaction() as session:
        result = session.execute(delete(IntakeDraft).where(
            IntakeDraft.id == draft_id, IntakeDraft.staff_id == actor.staff_id))
        if result.rowcount:  # type: ignore[attr-defined]
            audit.record(session, actor, "draft_discard", entity="draft", entity_id=draft_id)


def district_label(code: str) -> str:
    return ref.DISTRICTS_BY_CODE[code].name
