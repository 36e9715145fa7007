"""The visibility rule (``domain.visibility``) over what the caller's session sees now.

Every service that returns or prints a person asks :func:`visibilities` for the consultations it is
about to show, inside its own transaction, and masks what the answer says to mask. Consent is read
live: a withdrawal hides the person again at the next read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from setacare_desktop.domain.audit_checks import EMERGENCY_VIEW_DETAIL
from setacare_desktop.domain.consent import (
    ConsentRecord,
    EmergencyException,
    Giver,
    Method,
    Purpose,
    org_recipient,
)
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import WHOLE, Visibility, visibility
from setacare_desktop.services import audit
from setacare_desktop.store.models import (
    ConsentRecordRow,
    Consultation,
    ConsultationDetail,
    EmergencyExceptionRow,
)

#: The audit action of a view under an emergency exception; its detail carries
#: ``EMERGENCY_VIEW_DETAIL``, which the 操作記録 checks flag.
EMERGENCY_VIEW_ACTION = "consultation_view"

_CHUNK = 500


def visibilities(session: Session, actor: StaffProfile, consultation_ids: Iterable[int],
                 on: date | None = None) -> dict[int, Visibility]:
    """What ``actor`` may see of each consultation (ids not found are left out)."""
    day = on or local_now().date()
    wanted = sorted(set(consultation_ids))
    result: dict[int, Visibility] = {}
    for start in range(0, len(wanted), _CHUNK):
        result.update(_chunk(session, actor, wanted[start:start + _CHUNK], day))
    return result


def visibility_of(session: Session, actor: StaffProfile, consultation_id: int,
                  on: date | None = None) -> Visibility | None:
    return visibilities(session, actor, [consultation_id], on).get(consultation_id)


def _chunk(session: Session, actor: StaffProfile, ids: list[int],
           day: date) -> dict[int, Visibility]:
    rows = session.execute(
        select(Consultation.id, Consultation.organisation_id, ConsultationDetail.person_id)
        .outerjoin(ConsultationDetail, ConsultationDetail.consultation_id == Consultation.id)
        .where(Consultation.id.in_(ids))).all()
    result = {cid: WHOLE for cid, org_id, _ in rows if org_id == actor.organisation_id}
    others = [(cid, org_id, person_id) for cid, org_id, person_id in rows if cid not in result]
    if not others:
        return result
    recipient = org_recipient(actor.organisation_id)
    person_ids = {pid for _, _, pid in others if pid is not None}
    consents: dict[int, list[ConsentRecord]] = {}
    if person_ids:
        for r in session.scalars(select(ConsentRecordRow).where(
                ConsentRecordRow.person_id.in_(person_ids),
                ConsentRecordRow.recipient == recipient,
                ConsentRecordRow.purpose == Purpose.SHARE.value)):
            consents.setdefault(r.person_id, []).append(ConsentRecord(
                r.recipient, Purpose(r.purpose), r.given, Giver(r.giver), r.giver_relation,
                Method(r.method), r.given_on, r.recorded_by, r.recorded_at, r.withdrawn_on,
                r.withdrawal_reason))
    exceptions: dict[int, list[EmergencyException]] = {}
    for e in session.scalars(select(EmergencyExceptionRow).where(
            EmergencyExceptionRow.consultation_id.in_([cid for cid, _, _ in others]))):
        exceptions.setdefault(e.consultation_id, []).append(
            EmergencyException(e.reason, e.approved_by, e.approved_at, e.recipient))
    for cid, org_id, person_id in others:
        result[cid] = visibility(
            actor.organisation_id, taking_organisation_id=org_id, anonymous=person_id is None,
            consents=consents.get(person_id, []) if person_id is not None else [],
            exceptions=exceptions.get(cid, []), on=day)
    return result


def audit_emergency_views(session: Session, actor: StaffProfile,
                          seen: dict[int, Visibility], action: str) -> None:
    """Each consultation shown under an emergency exception gets its own audit row."""
    for cid, vis in sorted(seen.items()):
        if vis.emergency:
            audit.record(session, actor, EMERGENCY_VIEW_ACTION, entity="consultation",
                         entity_id=cid, detail=f"{EMERGENCY_VIEW_DETAIL}:{action}")


def may_be_visible(actor: StaffProfile) -> ColumnElement[bool]:
    """A SQL condition true for every consultation ``actor`` might see whole (a superset: the
    exact rule is :func:`visibilities`, asked on what this lets through). Lets a search or a
    list page skip, inside the query, the cases no consent could open."""
    recipient = org_recipient(actor.organisation_id)
    consented = exists(select(ConsentRecordRow.id).join(
        ConsultationDetail, ConsultationDetail.person_id == ConsentRecordRow.person_id).where(
        and_(ConsultationDetail.consultation_id == Consultation.id,
             ConsentRecordRow.recipient == recipient,
             ConsentRecordRow.purpose == Purpose.SHARE.value,
             ConsentRecordRow.given.is_(True))))
    excepted = exists(select(EmergencyExceptionRow.id).where(
        EmergencyExceptionRow.consultation_id == Consultation.id))
    return or_(Consultation.organisation_id == actor.organisation_id, consented, excepted)
