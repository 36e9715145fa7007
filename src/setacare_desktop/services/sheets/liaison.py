"""The 連携シート of a referral: the consent gate, the sheet number, the PDF, its delivery (the
file written, the pages printed) and the print record, in the one transaction of
``issue_liaison_sheet``; and the look-ups by number and the print log.

The anonymised sheet carries no free text of the consultation: its content is the referral's
匿名用の概要, which must be written and identify nobody (``domain.identifying``) before it prints,
and its consent block states the real reason it is anonymised (refusal, no consent, FAX).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import jaconv
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain import roles
from setacare_desktop.domain.consent import (
    Purpose,
    SharingDecision,
    anonymised_statement,
    destination_recipient,
)
from setacare_desktop.domain.jpdate import (
    fiscal_year,
    local_now,
    to_wareki,
)
from setacare_desktop.domain.referral import REQUEST_KINDS, ReferralMethod, requested_kinds
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.reports.liaison_sheet import LiaisonSheet, render_liaison_sheet
from setacare_desktop.services import audit, households
from setacare_desktop.services.errors import NotFoundError, ServiceError, ValidationError
from setacare_desktop.services.guard import deny, require_case_read
from setacare_desktop.services.intake import decide_sharing
from setacare_desktop.services.organisation_settings import LIAISON_SHEET, REPLY_SLIP, form_in
from setacare_desktop.services.sheets import blocks
from setacare_desktop.services.sheets.anonymised import printable_problems
from setacare_desktop.services.sheets.delivery import Deliver, deliver
from setacare_desktop.services.unit import refusal, use_case
from setacare_desktop.services.visibility import audit_emergency_views, visibility_of
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    Consultation,
    DirService,
    LiaisonSheetRow,
    Organisation,
    Referral,
    SheetPrint,
    Staff,
)


class SheetConsentError(ServiceError):
    """An identifying sheet for a destination without consent or emergency exception."""

    def __init__(self, message: str, decision: SharingDecision) -> None:
        super().__init__(message)
        self.decision = decision


@dataclass(frozen=True, slots=True)
class IssuedSheet:
    sheet_number: str
    reissue: bool
    anonymised: bool
    pdf: bytes


def _referral_place(session: Session, referral_id: int) -> tuple[int, str, int, str]:
    found = session.execute(
        select(Referral.consultation_id, Consultation.district_code, Referral.service_id,
               DirService.name)
        .join(Consultation, Consultation.id == Referral.consultation_id)
        .join(DirService, DirService.id == Referral.service_id)
        .where(Referral.id == referral_id)).first()
    if found is None:
        raise NotFoundError(f"つなぎ（ID {referral_id}）が見つかりません。")
    return found[0], found[1], found[2], found[3]


def sheet_number(district_code: str, year: int, sequence: int) -> str:
    return f"{district_code.upper()}-{year}-{sequence:05d}"


#: Tries at a sheet number when another print in the district took the same one at the same moment.
NUMBER_ATTEMPTS = 5


def _sheet_row(session: Session, actor: StaffProfile, referral_id: int, district_code: str,
               anonymised: bool, on: date, *, issue: bool = True) -> tuple[LiaisonSheetRow, bool]:
    """The sheet of this referral and form, issuing its number at the first print (without
    ``issue``, the number it would get, nothing written).

    The number is the district's and fiscal year's highest + 1 under a unique index. On
    PostgreSQL two first prints at the same instant read the same highest; the second insert
    then fails on the index, and is retried in a savepoint with the number read again (SQLite
    serialises writers, so there it never collides).
    """
    for attempt in range(NUMBER_ATTEMPTS):
        sheet = session.scalar(select(LiaisonSheetRow).where(
            LiaisonSheetRow.referral_id == referral_id, LiaisonSheetRow.anonymised == anonymised))
        if sheet is not None:
            return sheet, True
        year = fiscal_year(on)
        last = session.scalar(select(func.max(LiaisonSheetRow.sequence)).where(
            LiaisonSheetRow.district_code == district_code, LiaisonSheetRow.fiscal_year == year))
        sequence = (last or 0) + 1
        sheet = LiaisonSheetRow(sheet_number=sheet_number(district_code, year, sequence),
                                referral_id=referral_id, district_code=district_code,
                                fiscal_year=year, sequence=sequence, anonymised=anonymised,
                                issued_by=actor.staff_id)
        if not issue:
            return sheet, False
        try:
            with session.begin_nested():
                session.add(sheet)
                session.flush()
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise ServiceError("連携シートの番号を採番できませんでした（同時に印刷が集中しています）。"
                                   "もう一度お試しください。") from None
            continue
        return sheet, False
    raise AssertionError("unreachable")


@use_case
def issue_liaison_sheet(db: Database, actor: StaffProfile, referral_id: int, target: Deliver, *,
                        anonymised: bool = False, on: date | None = None) -> IssuedSheet:
    """Print (or save) the liaison sheet of a referral: the gate, the number, the PDF handed to
    ``target`` (``delivery.to_file(path)``, or a printer), then the print record and its audit
    row — all in one transaction, so a sheet that was not delivered consumes no number and is
    audited as ``sheet_print_failed``. Refused with what is missing: the consent
    (:class:`SheetConsentError`), or for the anonymised sheet a 匿名用の概要 that is empty or
    identifies the person (``ValidationError`` naming each finding)."""
    with db.transaction() as session:
        return _sheet_in(session, actor, referral_id, anonymised=anonymised,
                         on=on or local_now().date(), target=target)


@use_case
def preview_liaison_sheet(db: Database, actor: StaffProfile, referral_id: int, *,
                          anonymised: bool = False, on: date | None = None) -> IssuedSheet:
    """The sheet as :func:`issue_liaison_sheet` would print it now, for a print preview: the same
    gate and PDF, but no number is issued (a first print shows the number it would get) and no
    print is recorded or audited. The anonymised sheet shows its summary as it stands."""
    with db.read() as session:
        return _sheet_in(session, actor, referral_id, anonymised=anonymised,
                         on=on or local_now().date(), target=None)


def _sheet_gate(session: Session, actor: StaffProfile, referral_id: int, consultation_id: int,
                recipient: str, service_name: str, on: date) -> SharingDecision:
    decision = decide_sharing(session, consultation_id, recipient, Purpose.SHEET, on)
    if not decision.allowed:
        refused = decision.consent is not None and decision.consent.refusal
        ways = ("本人の意思が変わったことを確かめられた場合に限り、新しい同意として記録し直せます。"
                if refused else
                f"本人の同意（{Purpose.SHEET.label}、この送付先）を記録するか、緊急時の例外の承認を得てください。")
        raise refusal(SheetConsentError(
            f"「{service_name}」宛ての連携シートに、個人を特定できる情報は載せられません。"
            f"{decision.reason}{ways}または匿名の連携シート（氏名はイニシャル、住所・電話・"
            "生年月日・相談の記録なし、匿名用の概要を載せます）を印刷できます（FAX にはこちらを使います）。",
            decision), actor, "sheet_refused", entity="referral", entity_id=referral_id,
            detail=f"{recipient} {'refused' if refused else 'no basis'}")
    return decision


def _sheet_in(session: Session, actor: StaffProfile, referral_id: int, *, anonymised: bool,
              on: date, target: Deliver | None) -> IssuedSheet:
    consultation_id, district, service_id, service_name = _referral_place(session, referral_id)
    if not roles.can_write_cases(actor, district):
        raise deny(actor, "sheet_print", "この地区の連携シートを印刷する権限がありません。",
                   entity="referral", entity_id=referral_id)
    seen = visibility_of(session, actor, consultation_id, on)
    if seen is None or not seen.identifying:
        raise deny(actor, "sheet_print", "本人の同意がないため、この相談の連携シートは受け付けた"
                   "機関で印刷してください。", entity="referral", entity_id=referral_id)
    recipient = destination_recipient(service_id)
    if anonymised:
        decision = decide_sharing(session, consultation_id, recipient, Purpose.SHEET, on)
    else:
        decision = _sheet_gate(session, actor, referral_id, consultation_id, recipient,
                               service_name, on)
    referral = session.get(Referral, referral_id)
    assert referral is not None
    if anonymised and target is not None:
        problems = printable_problems(session, consultation_id, referral.anonymised_summary)
        if problems:
            raise ValidationError(problems)
    sheet, reissue = _sheet_row(session, actor, referral_id, district, anonymised, on,
                                issue=target is not None)
    data = _sheet_data(session, referral, sheet.sheet_number, reissue, anonymised, decision,
                       district, on)
    pdf = blocks.render(render_liaison_sheet, data)
    if target is None:
        return IssuedSheet(sheet.sheet_number, reissue, anonymised, pdf)
    session.add(SheetPrint(sheet_id=sheet.id, staff_id=actor.staff_id, reissue=reissue,
                           recipient=recipient))
    detail = (f"referral {referral_id} -> {recipient} "
              f"{'再発行' if reissue else '原本'}{' 匿名' if anonymised else ''}")
    deliver(session, actor, pdf, sheet.sheet_number, target, action="sheet_print",
            entity="liaison_sheet", entity_id=sheet.sheet_number, detail=detail)
    audit.record(session, actor, "sheet_print", entity="liaison_sheet",
                 entity_id=sheet.sheet_number, detail=detail)
    if not anonymised:
        audit_emergency_views(session, actor, {consultation_id: seen}, "sheet_print")
    return IssuedSheet(sheet.sheet_number, reissue, anonymised, pdf)


def _sheet_data(session: Session, referral: Referral, number: str, reissue: bool,
                anonymised: bool, decision: SharingDecision, district: str,
                on: date) -> LiaisonSheet:
    """The sheet as plain data: whole, or anonymised (initials, age band, the 匿名用の概要)."""
    case, detail, person = blocks.case_parts(session, referral.consultation_id)
    staff = session.get(Staff, referral.staff_id)
    assert staff is not None
    org = session.get(Organisation, staff.organisation_id)
    assert org is not None
    service = session.get(DirService, referral.service_id)
    assert service is not None
    district_name = ref.DISTRICTS_BY_CODE[district].name
    sender = blocks.sender(session, org.id, f"{district_name}地区", staff.name)
    form, reply = form_in(session, LIAISON_SHEET), form_in(session, REPLY_SLIP)
    method = ReferralMethod(referral.method)
    sent = f"つなぎ: {to_wareki(referral.referred_on)}（{method.label}）"
    if anonymised:
        subject = blocks.anonymised_subject(person, on) if person is not None else None
        consultation = blocks.anonymised_consultation(case, detail, referral.anonymised_summary,
                                                      sent)
        statement = anonymised_statement(decision, anonymous=person is None,
                                         by_fax=method is ReferralMethod.FAX)
        request = "（匿名の連携シートのため、依頼の詳細は「相談の概要（匿名用）」に記載しています）"
    else:
        subject = blocks.subject(person, on) if person is not None else None
        if subject is not None and person is not None:
            subject = blocks.with_household_links(
                subject, households.link_lines(session, [person.id]).get(person.id, []))
        progress = "\n".join(filter(None, [blocks.progress(case, detail), sent]))
        consultation = blocks.consultation(case, detail, progress)
        assert person is not None  # an anonymous consultation is never shared whole
        statement = blocks.consent_statement(session, decision, service.name, person.name)
        request = referral.request
    return LiaisonSheet(
        sheet_number=number, reissue=reissue, anonymised=anonymised, sent_on=to_wareki(on),
        sender=sender, destination=blocks.destination(session, service), subject=subject,
        consulter=blocks.consulter(case, detail, anonymised),
        consultation=consultation, request_options=REQUEST_KINDS,
        requested=requested_kinds(referral.request, referral.request_items),
        request_text=request,
        reply_due=to_wareki(referral.reply_due) if referral.reply_due else "",
        consent=statement, reply_to=f"{org.name}（{district_name}地区）",
        form_number=form.number, form_title=form.title, reply_heading=reply.heading,
        writer=staff.name)


@dataclass(frozen=True, slots=True)
class SheetReferral:
    sheet_number: str
    referral_id: int
    district_code: str


@use_case
def referral_of_sheet(db: Database, actor: StaffProfile, number: str) -> SheetReferral:
    """The referral whose sheet carries ``number`` (as typed or scanned: width and case do not
    matter), for recording the reply that came back with it."""
    number = jaconv.z2h(number.strip(), kana=False, ascii=True, digit=True).upper()
    with db.read() as session:
        found = session.execute(
            select(LiaisonSheetRow.referral_id, LiaisonSheetRow.district_code)
            .where(LiaisonSheetRow.sheet_number == number)).first()
    if found is None:
        raise NotFoundError(f"シート番号「{number}」の連携シートが見つかりません。")
    require_case_read(actor, found[1], "sheet_lookup")
    return SheetReferral(number, found[0], found[1])


@dataclass(frozen=True, slots=True)
class PrintRow:
    at: datetime
    login: str
    sheet_number: str
    recipient: str
    reissue: bool


@use_case
def sheet_prints(db: Database, actor: StaffProfile, referral_id: int) -> list[PrintRow]:
    """Every print or save of a referral's sheets, oldest first."""
    with db.read() as session:
        require_case_read(actor, _referral_place(session, referral_id)[1], "sheet_prints")
        rows = session.execute(
            select(SheetPrint, LiaisonSheetRow.sheet_number, Staff.login)
            .join(LiaisonSheetRow, LiaisonSheetRow.id == SheetPrint.sheet_id)
            .join(Staff, Staff.id == SheetPrint.staff_id)
            .where(LiaisonSheetRow.referral_id == referral_id).order_by(SheetPrint.id))
        return [PrintRow(p.at, login, number, p.recipient, p.reissue)
                for p, number, login in rows]


