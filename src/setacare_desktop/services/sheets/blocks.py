"""The plain data the printouts are made of, read from the database: the subject (whole or
anonymised), the consultation (whole, or the 匿名用の概要 only), the consulter, the parties and the
consent statement.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain import visibility
from setacare_desktop.domain.consent import (
    Basis,
    Giver,
    Method,
    SharingDecision,
)
from setacare_desktop.domain.intake import HOUSEHOLDS, SEXES, URGENCY_FLAGS
from setacare_desktop.domain.jpdate import (
    age_on,
    to_wareki,
    utc_to_local,
)
from setacare_desktop.reports.blocks import ConsultationBlock, ConsulterBlock, SubjectBlock
from setacare_desktop.reports.common import FontMissingError
from setacare_desktop.reports.liaison_sheet import Party
from setacare_desktop.services.errors import NotFoundError, ServiceError
from setacare_desktop.services.organisation_settings import sender_in
from setacare_desktop.store.models import (
    Consultation,
    ConsultationDetail,
    DirLocation,
    DirOrganization,
    DirPhone,
    DirService,
    Person,
    Staff,
)

T = TypeVar("T")
#: What an anonymised sheet or a masked row prints where a detail is left out.
LEFT_OUT = "（記載しません）"


def render(render: Callable[[T], bytes], data: T) -> bytes:
    try:
        return render(data)
    except FontMissingError as error:
        raise ServiceError(str(error)) from error


# --- plain data for the reports ---------------------------------------------------------------


def label(terms: tuple[ref.Term, ...], code: str | None) -> str:
    return next((t.label for t in terms if t.code == code), "")


def subject(person: Person, on: date) -> SubjectBlock:
    birth = ""
    if person.birth_date is not None:
        birth = f"{to_wareki(person.birth_date)}（{age_on(person.birth_date, on)}歳）"
    return SubjectBlock(person.name, person.reading, birth, label(SEXES, person.sex),
                        f"{person.address_town}{person.address_rest}", person.phone,
                        label(HOUSEHOLDS, person.household))


def with_household_links(block: SubjectBlock, lines: list[str]) -> SubjectBlock:
    """The 世帯状況 with the person's household links after it (「単身／子（別居）・8050」)."""
    if not lines:
        return block
    shown = "／".join(filter(None, [block.household, "、".join(lines)]))
    return dataclasses.replace(block, household=shown)


def initials(reading: str) -> str:
    """「やまだ たろう」→「Y.T.」; without a reading, no initials can be given."""
    return visibility.initials(reading)


def age_band(birth: date | None, on: date) -> str:
    """「50歳代」, never the exact age; 「不明」 without a birth date."""
    return visibility.age_band(birth, on) or "不明"


def anonymised_subject(person: Person, on: date) -> SubjectBlock:
    return SubjectBlock(initials(person.reading), LEFT_OUT, age_band(person.birth_date, on),
                        label(SEXES, person.sex), LEFT_OUT, LEFT_OUT,
                        label(HOUSEHOLDS, person.household))


def consultation(case: Consultation, detail: ConsultationDetail,
                 progress: str) -> ConsultationBlock:
    groups = {t.code for t in case.target_groups}
    elements = {e.code for e in case.elements}
    return ConsultationBlock(
        received=local_text(case.received_at), channel=label(ref.CHANNELS, case.channel_code),
        target_groups=tuple(t.label for t in ref.TARGET_GROUPS if t.code in groups),
        elements=tuple(t.label for t in ref.ELEMENTS if t.code in elements),
        main_complaint=case.main_complaint, details=detail.details, progress=progress,
        urgency=tuple(t.label for t in URGENCY_FLAGS if t.code in (detail.urgency or [])),
        urgency_options=tuple(t.label for t in URGENCY_FLAGS),
        urgency_note=detail.urgency_note)


def anonymised_consultation(case: Consultation, detail: ConsultationDetail, summary: str,
                            sent: str) -> ConsultationBlock:
    """The consultation on an anonymised sheet: classifications, flags and the 匿名用の概要; none
    of the consultation's own texts (主訴, 相談内容, notes), which name people."""
    groups = {t.code for t in case.target_groups}
    elements = {e.code for e in case.elements}
    progress = "\n".join(filter(None, [
        f"対応: {label(ref.RESPONSES, case.response_code)}" if case.response_code else "", sent]))
    return ConsultationBlock(
        received=to_wareki(case.received_at.date()),
        channel=label(ref.CHANNELS, case.channel_code),
        target_groups=tuple(t.label for t in ref.TARGET_GROUPS if t.code in groups),
        elements=tuple(t.label for t in ref.ELEMENTS if t.code in elements),
        main_complaint="", details=summary, progress=progress,
        urgency=tuple(t.label for t in URGENCY_FLAGS if t.code in (detail.urgency or [])),
        urgency_options=tuple(t.label for t in URGENCY_FLAGS), urgency_note="", anonymised=True)


def local_text(moment: datetime) -> str:
    """A local (as typed) date and time in 和暦: 令和8年11月24日 10:30."""
    return f"{to_wareki(moment.date())} {moment:%H:%M}"


def consulter(case: Consultation, detail: ConsultationDetail,
               anonymised: bool) -> ConsulterBlock:
    kind = label(ref.CONSULTER_KINDS, case.consulter_kind_code)
    if anonymised:  # the relation is typed freely and may name someone: left out too
        return ConsulterBlock(kind, LEFT_OUT, LEFT_OUT, LEFT_OUT)
    return ConsulterBlock(kind, detail.consulter_relation, detail.consulter_name,
                          detail.consulter_contact)


def progress(case: Consultation, detail: ConsultationDetail) -> str:
    lines = []
    if case.response_code:
        lines.append(f"対応: {label(ref.RESPONSES, case.response_code)}")
    if detail.next_date or detail.next_note:
        when = to_wareki(detail.next_date) if detail.next_date else ""
        lines.append(f"次回予定: {when} {detail.next_note}".strip())
    return "\n".join(lines)


def case_parts(session: Session, consultation_id: int
                ) -> tuple[Consultation, ConsultationDetail, Person | None]:
    case = session.scalar(select(Consultation).where(Consultation.id == consultation_id)
                          .options(selectinload(Consultation.target_groups),
                                   selectinload(Consultation.elements)))
    if case is None:
        raise NotFoundError(f"相談（ID {consultation_id}）が見つかりません。")
    detail = session.get(ConsultationDetail, consultation_id) or ConsultationDetail(
        consultation_id=case.id, urgency=[], consulter_relation="", consulter_name="",
        consulter_contact="", details="", next_note="", urgency_note="")
    person = session.get(Person, detail.person_id) if detail.person_id else None
    return case, detail, person


def org_contact(session: Session, organisation_name: str) -> tuple[str, str, str]:
    """Phone, FAX and address of one of our organisations, from the directory entry of that
    name (where its own settings hold none: ``services.organisation_settings``)."""
    org = session.scalar(select(DirOrganization).where(DirOrganization.name == organisation_name))
    if org is None:
        return "", "", ""
    services = session.scalars(select(DirService).where(DirService.organization_id == org.id)
                               .order_by(DirService.sort_order, DirService.id)).all()
    phones = [p for s in services for p in s.phones]
    location = session.scalar(select(DirLocation).where(DirLocation.organization_id == org.id))
    return _number(phones, voice=True), _number(phones, voice=False), address(location)


def _number(phones: list[DirPhone], *, voice: bool) -> str:
    """The first voice number (any but a FAX), or the first FAX number."""
    return next((p.number for p in phones if (p.type == "fax") != voice), "")


def sender(session: Session, organisation_id: int, section: str, staff_name: str) -> Party:
    """送付元: the organisation's own settings; what they leave empty, from its directory entry.
    The 担当者 is the settings' contact, or the staff member who made the referral."""
    own = sender_in(session, organisation_id)
    phone, fax, place = org_contact(session, own.name)
    return Party(own.name, section, own.contact or staff_name, own.phone or phone,
                 own.address or place, own.fax or fax)


def address(location: DirLocation | None) -> str:
    if location is None or location.address_1 is None:
        return ""
    postal = f"〒{location.postal_code} " if location.postal_code else ""
    return f"{postal}{location.state_province}{location.city}{location.address_1}"


def destination(session: Session, service: DirService) -> Party:
    org = session.get(DirOrganization, service.organization_id)
    location = (session.get(DirLocation, service.locations[0].location_id)
                if service.locations else None)
    return Party(org.name if org else service.name, service.name, "",
                 _number(service.phones, voice=True), address(location),
                 _number(service.phones, voice=False))


def consent_statement(session: Session, decision: SharingDecision, destination: str,
                      person_name: str) -> str:
    """Who consented, to whom, for what, how and when — in plain words; or the emergency
    exception the sheet goes under."""
    if decision.basis is Basis.CONSENT and decision.consent is not None:
        c = decision.consent
        who = (f"{person_name} 様ご本人" if c.giver is Giver.SELF
               else f"{person_name} 様の代理人（{c.giver_relation or '続柄未記録'}）")
        recorder = session.get(Staff, c.recorded_by)
        how = {Method.ORAL: "窓口で説明を受けたうえで口頭で", Method.WRITTEN: "書面（同意書）で"}[c.method]
        return (f"{who}が、{to_wareki(c.given_on)}に、{how}、{destination}へこの連携シートを送り、"
                f"支援のために必要な範囲で情報を共有することに同意しています。"
                f"（同意を確認した職員: {recorder.name if recorder else '不明'}）")
    e = decision.exception
    assert decision.basis is Basis.EMERGENCY and e is not None
    approver = session.get(Staff, e.approved_by)
    approved = utc_to_local(e.approved_at)
    scope = "この送付先" if e.recipient else "対象者の保護に必要なすべての送付先"
    return (f"本人の同意は得られていません。緊急時の例外（人の生命・身体・財産の保護のため）として、"
            f"監督者 {approver.name if approver else ''} が{local_text(approved)}に{scope}への"
            f"送付を承認しました。理由: {e.reason}")
