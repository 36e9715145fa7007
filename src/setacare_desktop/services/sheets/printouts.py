"""The 相談受付票 of one consultation and the day's 相談受付一覧 of a district (both audited as a
print of personal data).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.consent import (
    Purpose,
    destination_recipient,
)
from setacare_desktop.domain.jpdate import (
    local_now,
    to_wareki,
    utc_to_local,
)
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.reports.day_list import DayList, DayListRow, render_day_list
from setacare_desktop.reports.intake_record import IntakeRecord, render_intake_record
from setacare_desktop.services import audit, consultations
from setacare_desktop.services.guard import require_case_read
from setacare_desktop.services.intake import case_district
from setacare_desktop.services.sheets import blocks
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    ConsentRecordRow,
    DirService,
    EmergencyExceptionRow,
    Organisation,
    Staff,
)


def _consent_lines(session: Session, person_id: int) -> tuple[str, ...]:
    names = {f"org:{o.id}": o.name for o in session.scalars(select(Organisation))}
    names.update((destination_recipient(i), n) for i, n in session.execute(
        select(DirService.id, DirService.name)))
    lines = []
    for r in session.scalars(select(ConsentRecordRow).where(
            ConsentRecordRow.person_id == person_id).order_by(ConsentRecordRow.id)):
        giver = "本人" if r.giver == "self" else f"代理人（{r.giver_relation}）"
        line = (f"{names.get(r.recipient, r.recipient)}／{Purpose(r.purpose).label}／"
                f"{'同意' if r.given else '不同意'}／{giver}／{'口頭' if r.method == 'oral' else '書面'}"
                f"／{to_wareki(r.given_on)}")
        if r.withdrawn_on:
            line += f"（{to_wareki(r.withdrawn_on)} 撤回: {r.withdrawal_reason}）"
        lines.append(line)
    return tuple(lines)


@use_case
def print_intake_record(db: Database, actor: StaffProfile, consultation_id: int, *,
                        on: date | None = None) -> bytes:
    """The 相談受付票 of one consultation (audited as a print of personal data)."""
    on = on or local_now().date()
    with db.transaction() as session:
        district = case_district(session, consultation_id)
        require_case_read(actor, district, "intake_print")
        case, detail, person = blocks.case_parts(session, consultation_id)
        staff = session.get(Staff, case.staff_id)
        org = session.get(Organisation, case.organisation_id)
        exceptions = session.scalars(select(EmergencyExceptionRow).where(
            EmergencyExceptionRow.consultation_id == consultation_id)).all()
        consents = _consent_lines(session, person.id) if person else ()
        consents += tuple(f"緊急時の例外: {e.reason}（承認 {blocks.local_text(utc_to_local(e.approved_at))}）"
                          for e in exceptions)
        next_step = (f"{to_wareki(detail.next_date)} " if detail.next_date else "") + detail.next_note
        record = IntakeRecord(
            consultation_id=case.id, district=ref.DISTRICTS_BY_CODE[district].name,
            organisation=org.name if org else "", staff=staff.name if staff else "",
            printed_on=to_wareki(on), subject=blocks.subject(person, on) if person else None,
            consulter=blocks.consulter(case, detail, anonymised=False),
            consultation=blocks.consultation(case, detail, blocks.progress(case, detail), lambda v: v),
            response=blocks.label(ref.RESPONSES, case.response_code), next_step=next_step.strip(),
            consents=consents)
        pdf = blocks.render(render_intake_record, record)
        audit.record(session, actor, "intake_print", entity="consultation", entity_id=case.id)
        return pdf


@use_case
def print_day_list(db: Database, actor: StaffProfile, day: date, district_code: str) -> bytes:
    """The consultations of one day in one district (audited as a print of personal data)."""
    with db.transaction() as session:
        rows = consultations.day_rows(session, actor, day, district_code)
        audit.record(session, actor, "day_list_print", entity="day", entity_id=day.isoformat(),
                     detail=district_code)
    data = DayList(
        district=f"{ref.DISTRICTS_BY_CODE[district_code].name}地区", day=to_wareki(day),
        printed_by=actor.name, printed_on=to_wareki(local_now().date()),
        rows=tuple(DayListRow(f"{r.received_at:%H:%M}", r.consultation_id, r.person_name,
                              r.channel_label, r.consulter_label, "・".join(r.target_labels),
                              r.main_complaint, r.response_label, "・".join(r.urgency_labels))
                   for r in rows))
    return blocks.render(render_day_list, data)

