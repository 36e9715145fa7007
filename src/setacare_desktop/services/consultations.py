"""Reading consultations, within the caller's scope. (The intake issue adds recording them.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain import roles
from setacare_desktop.domain.intake import URGENCY_FLAGS
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.guard import deny, require_case_read
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Consultation, ConsultationDetail


@dataclass(frozen=True, slots=True)
class ConsultationRow:
    consultation_id: int
    received_at: datetime
    district_name: str
    organisation_name: str
    channel_label: str
    consulter_label: str
    target_labels: tuple[str, ...]
    main_complaint: str
    response_label: str
    urgent: bool
    person_name: str = ""
    org_kind: str = ""
    target_codes: tuple[str, ...] = ()
    response_code: str = ""
    urgency_labels: tuple[str, ...] = ()


@use_case
def list_day(db: Database, actor: StaffProfile, day: date,
             district_code: str | None = None) -> list[ConsultationRow]:
    """The consultations of ``day`` in one district, or in every district ``actor`` may read."""
    with db.transaction() as session:
        return day_rows(session, actor, day, district_code)


def day_rows(session: Session, actor: StaffProfile, day: date,
             district_code: str | None = None) -> list[ConsultationRow]:
    """:func:`list_day` inside the caller's transaction (scope checked, the read audited)."""
    if district_code is not None:
        require_case_read(actor, district_code, "consultation_list")
        districts = [district_code]
    else:
        districts = roles.readable_districts(actor)
        if not districts:
            raise deny(actor, "consultation_list", "相談記録を閲覧する権限がありません。")
    rows = session.scalars(
        select(Consultation)
        .where(Consultation.received_on == day, Consultation.district_code.in_(districts))
        .options(selectinload(Consultation.target_groups),
                 selectinload(Consultation.organisation))
        .order_by(Consultation.received_at, Consultation.id)
    ).all()
    details = {d.consultation_id: d for d in session.scalars(
        select(ConsultationDetail)
        .where(ConsultationDetail.consultation_id.in_([c.id for c in rows]))
        .options(selectinload(ConsultationDetail.person)))}
    audit.record(session, actor, "consultation_list", entity="day",
                 entity_id=day.isoformat(), detail=",".join(districts))
    return [
        ConsultationRow(
            c.id, c.received_at, ref.DISTRICTS_BY_CODE[c.district_code].name,
            c.organisation.name, ref.label_of(ref.CHANNELS, c.channel_code),
            ref.label_of(ref.CONSULTER_KINDS, c.consulter_kind_code),
            tuple(t.label for t in ref.TARGET_GROUPS
                  if t.code in {g.code for g in c.target_groups}),
            c.main_complaint,
            ref.label_of(ref.RESPONSES, c.response_code) if c.response_code else "",
            c.urgent,
            person_name(details.get(c.id)),
            c.organisation.kind,
            tuple(t.code for t in ref.TARGET_GROUPS
                  if t.code in {g.code for g in c.target_groups}),
            c.response_code or "",
            tuple(ref.label_of(URGENCY_FLAGS, code)
                  for code in (details[c.id].urgency or [] if c.id in details else [])),
        )
        for c in rows
    ]


def person_name(detail: ConsultationDetail | None) -> str:
    """The person's name, 「（匿名）」 for a consultation about nobody named, "" without detail."""
    if detail is None or detail.person is None:
        return "（匿名）" if detail is not None else ""
    return detail.person.name

