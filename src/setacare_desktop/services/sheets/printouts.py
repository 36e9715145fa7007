"""The 相談受付票 of one consultation and the day's 相談受付一覧 of a district.

Both follow the visibility rule (``services.visibility``): a 相談受付票 of a consultation the
caller sees masked is refused — never a whole record whose own consent block says 不同意 — and the
day list prints a masked row as initials and age band, without 主訴. A preview (for the screen)
is audited as a view; a print is audited only once its file is written or its pages printed
(``delivery``), and a failed one as a failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.consent import Purpose
from setacare_desktop.domain.jpdate import (
    local_now,
    to_wareki,
    utc_to_local,
)
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import MASKED_TEXT, Visibility, masked_person_label
from setacare_desktop.reports.day_list import DayList, DayListRow, render_day_list
from setacare_desktop.reports.intake_record import IntakeRecord, render_intake_record
from setacare_desktop.services import audit, consultations
from setacare_desktop.services.guard import deny, require_case_read
from setacare_desktop.services.intake import case_district
from setacare_desktop.services.intake.consent_rows import recipient_names
from setacare_desktop.services.sheets import blocks
from setacare_desktop.services.sheets.delivery import Deliver, deliver
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import audit_emergency_views, visibilities
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    ConsentRecordRow,
    ConsultationDetail,
    EmergencyExceptionRow,
    Organisation,
    Person,
    Staff,
)

#: Why a 相談受付票 is refused to staff who see the consultation masked.
INTAKE_MASKED = "本人の同意がないため、この相談の受付票は印刷できません。"
#: The day list's note under a list with masked rows.
DAY_LIST_MASKED_NOTE = ("「（非表示）」の行は、本人の情報共有の同意がないため、イニシャルと年代のみを"
                        "記載し、主訴は記載していません。")


def intake_record_name(consultation_id: int) -> str:
    """The 相談受付票's file name (without ``.pdf``)."""
    return f"相談受付票_No{consultation_id}"


def day_list_name(day: date, district_code: str) -> str:
    """The day list's file name (without ``.pdf``)."""
    return f"相談受付一覧_{ref.DISTRICTS_BY_CODE[district_code].name}_{day:%Y%m%d}"


def _consent_lines(session: Session, person_id: int) -> tuple[str, ...]:
    names = recipient_names(session)
    lines = []
    for r in session.scalars(select(ConsentRecordRow).where(
            ConsentRecordRow.person_id == person_id).order_by(ConsentRecordRow.id)):
        giver = "本人" if r.giver == "self" else f"代理人（{r.giver_relation}）"
        line = (f"{names.get(r.recipient, r.recipient)}／{Purpose(r.purpose).label}／"
                f"{'同意' if r.given else '不同意'}／{giver}／{'口頭' if r.method == 'oral' else '書面'}"
                f"／{to_wareki(r.given_on)}")
        if r.supersedes_id is not None:
            line += f"（本人の意思の変更により不同意を置き換え: {r.change_note}）"
        if r.withdrawn_on:
            line += f"（{to_wareki(r.withdrawn_on)} 撤回: {r.withdrawal_reason}）"
        lines.append(line)
    return tuple(lines)


def _intake_pdf(session: Session, actor: StaffProfile, consultation_id: int, on: date,
                action: str) -> tuple[bytes, dict[int, Visibility]]:
    district = case_district(session, consultation_id)
    require_case_read(actor, district, action)
    seen = visibilities(session, actor, [consultation_id], on)
    if consultation_id not in seen or not seen[consultation_id].identifying:
        raise deny(actor, action, INTAKE_MASKED, entity="consultation", entity_id=consultation_id)
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
        consultation=blocks.consultation(case, detail, blocks.progress(case, detail)),
        response=blocks.label(ref.RESPONSES, case.response_code), next_step=next_step.strip(),
        consents=consents)
    return blocks.render(render_intake_record, record), seen


@use_case
def preview_intake_record(db: Database, actor: StaffProfile, consultation_id: int, *,
                          on: date | None = None) -> bytes:
    """The 相談受付票 to show before printing (audited as a view, not as a print)."""
    on = on or local_now().date()
    with db.transaction() as session:
        pdf, seen = _intake_pdf(session, actor, consultation_id, on, "intake_preview")
        audit.record(session, actor, "intake_preview", entity="consultation",
                     entity_id=consultation_id)
        audit_emergency_views(session, actor, seen, "intake_preview")
        return pdf


@use_case
def print_intake_record(db: Database, actor: StaffProfile, consultation_id: int,
                        target: Deliver, *, on: date | None = None) -> bytes:
    """Print the 相談受付票: rendered, delivered to ``target`` (a file, a printer), then audited
    as a print; a delivery that fails is audited as ``intake_print_failed``."""
    on = on or local_now().date()
    with db.transaction() as session:
        pdf, seen = _intake_pdf(session, actor, consultation_id, on, "intake_print")
        deliver(session, actor, pdf, intake_record_name(consultation_id), target,
                action="intake_print", entity="consultation", entity_id=consultation_id)
        audit.record(session, actor, "intake_print", entity="consultation",
                     entity_id=consultation_id)
        audit_emergency_views(session, actor, seen, "intake_print")
        return pdf


def _masked_labels(session: Session, ids: Iterable[int], on: date) -> dict[int, str]:
    """Initials and age band of the persons of masked consultations; 「（匿名）」 for nobody."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(ConsultationDetail.consultation_id, Person.reading, Person.birth_date)
        .outerjoin(Person, Person.id == ConsultationDetail.person_id)
        .where(ConsultationDetail.consultation_id.in_(wanted))).all()
    labels = {cid: masked_person_label(reading, birth, on) if reading is not None else "（匿名）"
              for cid, reading, birth in rows}
    return {cid: labels.get(cid, "（匿名）") for cid in wanted}


def _day_list_pdf(session: Session, actor: StaffProfile, day: date, district_code: str
                  ) -> tuple[bytes, dict[int, Visibility]]:
    rows = consultations.day_rows(session, actor, day, district_code)
    today = local_now().date()
    seen = visibilities(session, actor, [r.consultation_id for r in rows], today)
    masked = _masked_labels(session, (r.consultation_id for r in rows
                                      if not seen[r.consultation_id].identifying), today)
    data = DayList(
        district=f"{ref.DISTRICTS_BY_CODE[district_code].name}地区", day=to_wareki(day),
        printed_by=actor.name, printed_on=to_wareki(today),
        rows=tuple(DayListRow(
            f"{r.received_at:%H:%M}", r.consultation_id,
            masked.get(r.consultation_id, r.person_name), r.channel_label, r.consulter_label,
            "・".join(r.target_labels),
            MASKED_TEXT if r.consultation_id in masked else r.main_complaint,
            r.response_label, "・".join(r.urgency_labels)) for r in rows),
        note=DAY_LIST_MASKED_NOTE if masked else "")
    return blocks.render(render_day_list, data), seen


@use_case
def preview_day_list(db: Database, actor: StaffProfile, day: date, district_code: str) -> bytes:
    """The day's 相談受付一覧 to show before printing (the list's read is audited)."""
    with db.transaction() as session:
        pdf, seen = _day_list_pdf(session, actor, day, district_code)
        audit_emergency_views(session, actor, seen, "day_list_preview")
        return pdf


@use_case
def print_day_list(db: Database, actor: StaffProfile, day: date, district_code: str,
                   target: Deliver) -> bytes:
    """Print the day's 相談受付一覧: rendered, delivered to ``target``, then audited as a print;
    a delivery that fails is audited as ``day_list_print_failed``."""
    with db.transaction() as session:
        pdf, seen = _day_list_pdf(session, actor, day, district_code)
        deliver(session, actor, pdf, day_list_name(day, district_code), target,
                action="day_list_print", entity="day", entity_id=day.isoformat(),
                detail=district_code)
        audit.record(session, actor, "day_list_print", entity="day", entity_id=day.isoformat(),
                     detail=district_code)
        audit_emergency_views(session, actor, seen, "day_list_print")
        return pdf
