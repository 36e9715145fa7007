"""Reading consultations, within the caller's scope and under the visibility rule.

Every row says what the caller may see of it (``access``, ``domain.visibility``): a consultation
the caller sees masked carries the person's initials and age band in place of the name and
``MASKED_TEXT`` in place of the 主訴, and nothing else that identifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain import roles
from setacare_desktop.domain.intake import URGENCY_FLAGS
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import (
    MASKED_TEXT,
    Access,
    Visibility,
    masked_person_label,
)
from setacare_desktop.services import audit
from setacare_desktop.services.guard import deny, require_case_read
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import audit_emergency_views, visibilities
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Consultation, ConsultationDetail

#: The name shown for a consultation about nobody named.
ANONYMOUS = "（匿名）"


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
    #: What the caller sees of it: masked rows show initials and age band, no 主訴.
    access: Access = Access.WHOLE
    #: Why (Japanese, from the visibility rule): the tooltip of a masked or emergency row.
    access_reason: str = ""

    @property
    def masked(self) -> bool:
        return self.access is Access.MASKED


@use_case
def list_day(db: Database, actor: StaffProfile, day: date,
             district_code: str | None = None) -> list[ConsultationRow]:
    """The consultations of ``day`` in one district, or in every district ``actor`` may read."""
    with db.transaction() as session:
        return day_rows(session, actor, day, district_code)


def day_rows(session: Session, actor: StaffProfile, day: date,
             district_code: str | None = None) -> list[ConsultationRow]:
    """:func:`list_day` inside the caller's transaction (scope checked, the read audited, the
    visibility rule applied, each row shown under an emergency exception audited)."""
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
    seen = visibilities(session, actor, [c.id for c in rows])
    audit.record(session, actor, "consultation_list", entity="day",
                 entity_id=day.isoformat(), detail=",".join(districts))
    audit_emergency_views(session, actor, seen, "consultation_list")
    result = []
    for c in rows:
        vis = seen[c.id]
        detail = details.get(c.id)
        codes = {g.code for g in c.target_groups}
        result.append(ConsultationRow(
            c.id, c.received_at, ref.DISTRICTS_BY_CODE[c.district_code].name,
            c.organisation.name, ref.label_of(ref.CHANNELS, c.channel_code),
            ref.label_of(ref.CONSULTER_KINDS, c.consulter_kind_code),
            tuple(t.label for t in ref.TARGET_GROUPS if t.code in codes),
            shown_text(c.main_complaint, vis),
            ref.label_of(ref.RESPONSES, c.response_code) if c.response_code else "",
            c.urgent,
            shown_person_name(detail, vis, c.received_on),
            c.organisation.kind,
            tuple(t.code for t in ref.TARGET_GROUPS if t.code in codes),
            c.response_code or "",
            tuple(ref.label_of(URGENCY_FLAGS, code)
                  for code in (detail.urgency or [] if detail else [])),
            vis.access,
            "" if vis.access is Access.WHOLE else vis.reason,
        ))
    return result


def person_name(detail: ConsultationDetail | None) -> str:
    """The person's name, 「（匿名）」 for a consultation about nobody named, "" without detail."""
    if detail is None or detail.person is None:
        return ANONYMOUS if detail is not None else ""
    return detail.person.name


def shown_person_name(detail: ConsultationDetail | None, vis: Visibility, on: date) -> str:
    """The name as ``vis`` allows: the name itself, or the masked label 「F.H.（80歳代）」
    (age band on ``on``, the consultation's day)."""
    if vis.identifying or detail is None or detail.person is None:
        return person_name(detail)
    person = detail.person
    return masked_person_label(person.reading, person.birth_date, on)


def shown_text(text: str, vis: Visibility) -> str:
    """A free text as ``vis`` allows: the text itself, or ``MASKED_TEXT`` (empty stays empty)."""
    if vis.identifying or not text:
        return text
    return MASKED_TEXT
