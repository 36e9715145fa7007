"""Reading a person's consent records (and the names a message about them needs) inside the
caller's session; and the check that a consent is never recorded over a standing refusal without
the record of a change of mind (``domain.consent``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain.consent import (
    ConsentRecord,
    Giver,
    Method,
    Purpose,
    destination_recipient,
    latest_record,
    org_recipient,
    refusal_reason,
)
from setacare_desktop.domain.problems import Problem
from setacare_desktop.store.models import ConsentRecordRow, DirService, Organisation, Staff


def recipient_names(session: Session) -> dict[str, str]:
    names = {org_recipient(o.id): o.name for o in session.scalars(select(Organisation))}
    names.update((destination_recipient(sid), name) for sid, name in session.execute(
        select(DirService.id, DirService.name)))
    return names


def consent_records(session: Session, person_id: int) -> list[tuple[int, ConsentRecord]]:
    rows = session.scalars(select(ConsentRecordRow).where(ConsentRecordRow.person_id == person_id)
                           .order_by(ConsentRecordRow.id))
    return [(r.id, ConsentRecord(r.recipient, Purpose(r.purpose), r.given, Giver(r.giver),
                                 r.giver_relation, Method(r.method), r.given_on, r.recorded_by,
                                 r.recorded_at, r.withdrawn_on, r.withdrawal_reason, r.id,
                                 r.supersedes_id, r.change_note))
            for r in rows]


def staff_names(session: Session, staff_ids: set[int]) -> dict[int, str]:
    if not staff_ids:
        return {}
    return dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids))).all())


class _Decision(Protocol):
    recipient: str
    purpose: Purpose
    given: bool
    given_on: date


def standing_refusals(session: Session, person_id: int, decisions: Iterable[_Decision]
                      ) -> list[Problem]:
    """The consents among ``decisions`` (ticked at the intake) that would replace a recorded
    refusal without the record of a change of mind: each named, with who recorded the refusal
    and when, and where the change of mind is recorded instead."""
    wanted = [d for d in decisions if d.given]
    if not wanted:
        return []
    records = [r for _, r in consent_records(session, person_id)]
    refused = [(d, latest) for d in wanted
               if (latest := latest_record(records, d.recipient, d.purpose, d.given_on))
               is not None and latest.refusal]
    if not refused:
        return []
    names = recipient_names(session)
    staff = staff_names(session, {latest.recorded_by for _, latest in refused})
    return [Problem("consents", f"{names.get(d.recipient, d.recipient)}（{d.purpose.label}）: "
                                f"{refusal_reason(latest, staff.get(latest.recorded_by))}"
                                "本人の意思が変わった場合は、これまでの同意記録でその不同意を選び、"
                                "「意思の変更を記録…」から記録してください。")
            for d, latest in refused]
