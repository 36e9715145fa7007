"""本人同意 after the intake: the consent records of a person, recording one (a refusal replaced
only by a confirmed change of mind), withdrawing one, the supervisor-approved emergency exception,
and the consent rule asked for one consultation (``decide_sharing`` inside the caller's
transaction, so the decision and what it allows are one).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain.consent import (
    ConsentEntry,
    EmergencyException,
    Giver,
    Purpose,
    SharingDecision,
    entry_problems,
    latest_record,
    may_share_identifying,
    replaces_refusal,
)
from setacare_desktop.domain.jpdate import local_now
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
from setacare_desktop.services.intake.cases import case_district, check_write
from setacare_desktop.services.intake.consent_rows import (
    consent_records,
    recipient_names,
    staff_names,
)
from setacare_desktop.services.intake.records import ConsentRow
from setacare_desktop.services.persons import person_district
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import visibility_of
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    ConsentRecordRow,
    ConsultationDetail,
    EmergencyExceptionRow,
    utc_now,
)


def add_consent(session: Session, actor: StaffProfile, consultation_id: int, recipient: str,
                purpose: Purpose, entry: ConsentEntry) -> int:
    """Record a consent or refusal of the consultation's person for ``recipient`` and
    ``purpose``, inside the caller's transaction, after the rules of ``domain.consent``:
    nothing defaulted, and a consent after a refusal only as a confirmed change of mind (the
    refusal stays). The caller has checked the scope."""
    check_texts({"同意者の続柄": entry.giver_relation, "変更の経緯": entry.change_note},
                multiline=("変更の経緯",))
    detail = session.get(ConsultationDetail, consultation_id)
    if detail is None or detail.person_id is None:
        raise ServiceError("匿名の相談のため、同意は記録できません。")
    seen = visibility_of(session, actor, consultation_id)
    if seen is None or not seen.identifying:
        raise deny(actor, "consent_record", "本人の同意がないため、この相談の同意は受け付けた機関で"
                   "記録してください。", entity="consultation", entity_id=consultation_id)
    today = local_now().date()
    records = [r for _, r in consent_records(session, detail.person_id)]
    latest = latest_record(records, recipient, purpose, today)
    problems = entry_problems(entry, latest, today)
    if problems:
        raise ValidationError(problems)
    assert entry.giver is not None and entry.method is not None and entry.given_on is not None
    changed_mind = replaces_refusal(latest, entry)
    row = ConsentRecordRow(
        person_id=detail.person_id, consultation_id=consultation_id, recipient=recipient,
        purpose=purpose.value, given=entry.given, giver=entry.giver.value,
        giver_relation=entry.giver_relation.strip() if entry.giver is Giver.PROXY else "",
        method=entry.method.value, given_on=entry.given_on, recorded_by=actor.staff_id,
        withdrawal_reason="", supersedes_id=entry.supersedes_id if changed_mind else None,
        change_note=entry.change_note.strip() if changed_mind else "")
    session.add(row)
    session.flush()
    fields = ["recipient", "purpose", "given", "giver", "method", "given_on"]
    detail_text = f"{recipient} {purpose.value} {'given' if entry.given else 'refused'}"
    if changed_mind:
        fields += ["supersedes_id", "change_note"]
        detail_text += f" changed_mind supersedes {entry.supersedes_id}"
    audit.record(session, actor, "consent_record", entity="consent", entity_id=row.id,
                 fields=fields, detail=detail_text)
    return row.id


@use_case
def record_consent(db: Database, actor: StaffProfile, consultation_id: int, recipient: str,
                   purpose: Purpose, entry: ConsentEntry) -> int:
    """Record, after the intake, the person's consent or refusal for one recipient (a partner
    ``org:<id>`` or a destination ``dest:<id>``) and purpose. A consent where the latest record
    is a refusal is refused unless ``entry`` is a confirmed change of mind naming that refusal
    (``supersedes_id``, ``mind_changed``, ``change_note``); the refusal stays in the history."""
    with db.transaction() as session:
        check_write(actor, case_district(session, consultation_id), "consent_record")
        return add_consent(session, actor, consultation_id, recipient, purpose, entry)


@use_case
def consents_of(db: Database, actor: StaffProfile, person_id: int) -> list[ConsentRow]:
    """Every consent record of a person, withdrawn ones included (the history stays)."""
    with db.read() as session:
        require_case_read(actor, person_district(session, person_id), "consent_list")
        names = recipient_names(session)
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
        check_write(actor, person_district(session, row.person_id), "consent_withdraw")
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
        check_write(actor, district, "emergency_exception")
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
                                 on=on or local_now().date(),
                                 staff_names=staff_names(session,
                                                         {r.recorded_by for r in records}))

