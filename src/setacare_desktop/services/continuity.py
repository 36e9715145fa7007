"""継続支援: a person's continuing support, opened and closed by hand with a reason, reopened
automatically when a new consultation about them is recorded (``reopen_on_consultation``, called
by ``services.intake.record_intake`` in its own transaction).

Only staff who may see the person (``services.persons.require_person_visible``: their
organisation took one of the person's consultations, or the person consented to it) and may
write cases in the person's district change it; the holder becomes the staff member who opened
(or reopened) it and their organisation. Each change is audited (field names only; the reason is
free text and is not copied into the audit trail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain import roles
from setacare_desktop.domain.continuity import (
    REOPEN_REASON,
    ContinuityAction,
    ContinuityStatus,
    reason_problem,
)
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.services.guard import deny
from setacare_desktop.services.persons import person_district, require_person_visible
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    Continuity,
    ContinuityEvent,
    Organisation,
    Staff,
    utc_now,
)

_FIELDS = ("status", "holder_staff_id", "holder_organisation_id", "reason")


@dataclass(frozen=True, slots=True)
class ContinuityEventRow:
    at: datetime
    action: ContinuityAction
    staff_name: str
    reason: str
    consultation_id: int | None


@dataclass(frozen=True, slots=True)
class ContinuityState:
    status: ContinuityStatus
    holder_name: str
    holder_organisation: str
    holder_staff_id: int
    holder_organisation_id: int
    opened_on: date
    closed_on: date | None
    events: tuple[ContinuityEventRow, ...]  # newest first

    @property
    def is_open(self) -> bool:
        return self.status is ContinuityStatus.OPEN


def _check(session: Session, actor: StaffProfile, person_id: int, action: str) -> None:
    require_person_visible(session, actor, person_id, action)
    if not roles.can_write_cases(actor, person_district(session, person_id)):
        raise deny(actor, action, "この地区の継続支援を変更する権限がありません。",
                   entity="person", entity_id=person_id)


def _reason(reason: str) -> str:
    problem = reason_problem(reason)
    if problem:
        raise ValidationError([problem])
    return reason.strip()


def _set(session: Session, actor: StaffProfile, person_id: int, status: ContinuityStatus,
         action: ContinuityAction, reason: str, consultation_id: int | None = None) -> None:
    today = local_now().date()
    row = session.scalar(select(Continuity).where(Continuity.person_id == person_id))
    if row is None:
        row = Continuity(person_id=person_id, opened_on=today)
        session.add(row)
    if status is ContinuityStatus.OPEN:
        if row.status != ContinuityStatus.OPEN.value:
            row.opened_on = today
        row.closed_on = None
        row.holder_staff_id = actor.staff_id
        row.holder_organisation_id = actor.organisation_id
    else:
        row.closed_on = today
    row.status = status.value
    row.updated_at = utc_now()
    session.flush()
    session.add(ContinuityEvent(continuity_id=row.id, staff_id=actor.staff_id,
                                action=action.value, reason=reason,
                                consultation_id=consultation_id))
    audit.record(session, actor, f"continuity_{action.value}", entity="person",
                 entity_id=person_id, fields=_FIELDS)


@use_case
def open_support(db: Database, actor: StaffProfile, person_id: int, reason: str) -> None:
    """Open (or take over) the person's 継続支援, held by ``actor``; a reason is required."""
    text = _reason(reason)
    with db.transaction() as session:
        _check(session, actor, person_id, "continuity_open")
        _set(session, actor, person_id, ContinuityStatus.OPEN, ContinuityAction.OPEN, text)


@use_case
def close_support(db: Database, actor: StaffProfile, person_id: int, reason: str) -> None:
    """Close (終結) the person's 継続支援 with a reason; refused when it is not open."""
    text = _reason(reason)
    with db.transaction() as session:
        _check(session, actor, person_id, "continuity_close")
        row = session.scalar(select(Continuity).where(Continuity.person_id == person_id))
        if row is None or row.status != ContinuityStatus.OPEN.value:
            raise ValidationError([Problem("継続支援", "この対象者の継続支援は開始されていません")])
        _set(session, actor, person_id, ContinuityStatus.CLOSED, ContinuityAction.CLOSE, text)


def reopen_on_consultation(session: Session, actor: StaffProfile, person_id: int | None,
                           consultation_id: int) -> bool:
    """In the intake's transaction: a closed 継続支援 of the person is reopened, held by the
    staff member who recorded the consultation. True when it was reopened. A person without a
    継続支援, or with an open one, is left as they are."""
    if person_id is None:
        return False
    row = session.scalar(select(Continuity).where(Continuity.person_id == person_id))
    if row is None or row.status == ContinuityStatus.OPEN.value:
        return False
    _set(session, actor, person_id, ContinuityStatus.OPEN, ContinuityAction.REOPEN,
         REOPEN_REASON.format(consultation_id=consultation_id), consultation_id)
    return True


def state_of(session: Session, person_id: int) -> ContinuityState | None:
    """The person's 継続支援 and its history (the caller has checked they may see the person)."""
    found = session.execute(
        select(Continuity, Staff.name, Organisation.name)
        .join(Staff, Staff.id == Continuity.holder_staff_id)
        .join(Organisation, Organisation.id == Continuity.holder_organisation_id)
        .where(Continuity.person_id == person_id)).first()
    if found is None:
        return None
    row, holder, organisation = found
    events = tuple(
        ContinuityEventRow(e.at, ContinuityAction(e.action), name, e.reason, e.consultation_id)
        for e, name in session.execute(
            select(ContinuityEvent, Staff.name).join(Staff, Staff.id == ContinuityEvent.staff_id)
            .where(ContinuityEvent.continuity_id == row.id)
            .order_by(ContinuityEvent.id.desc())))
    return ContinuityState(ContinuityStatus(row.status), holder, organisation,
                           row.holder_staff_id, row.holder_organisation_id, row.opened_on,
                           row.closed_on, events)
