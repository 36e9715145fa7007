"""Printouts: the liaison sheet (連携シート) of a referral, the 相談受付票 and the day list.

The liaison sheet passes the consent gate: identifying details go on it only when
``services.intake.sharing_decision`` allows them for the referral's destination (``dest:<id>``) and
the purpose 連携シートの送付 — by the person's consent or a recorded emergency exception. Otherwise
:class:`SheetConsentError` says what is missing, and the caller may print the anonymised sheet
instead (initials, an age band; no address, phone or birth date; those words masked in the texts).

A sheet's number is issued at its first print, ``<DISTRICT>-<fiscal year>-<sequence>`` (e.g.
``IKEJIRI-2026-00012``), one per referral and form; every print or save is a ``sheet_print`` row
and an audit row (who, when, which sheet, which destination, 原本 or 再発行), in the same
transaction as the number. A reprint is marked 再発行 on the paper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

import jaconv
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain import roles
from setacare_desktop.domain.consent import (
    Basis,
    Purpose,
    SharingDecision,
    destination_recipient,
)
from setacare_desktop.domain.intake import HOUSEHOLDS, SEXES, URGENCY_FLAGS
from setacare_desktop.domain.jpdate import (
    age_on,
    fiscal_year,
    local_now,
    to_wareki,
    utc_to_local,
)
from setacare_desktop.domain.referral import REQUEST_KINDS, ReferralMethod, requested_kinds
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.reports.blocks import ConsultationBlock, ConsulterBlock, SubjectBlock
from setacare_desktop.reports.common import FontMissingError
from setacare_desktop.reports.day_list import DayList, DayListRow, render_day_list
from setacare_desktop.reports.intake_record import IntakeRecord, render_intake_record
from setacare_desktop.reports.liaison_sheet import LiaisonSheet, Party, render_liaison_sheet
from setacare_desktop.services import audit, consultations
from setacare_desktop.services.errors import NotFoundError, ServiceError
from setacare_desktop.services.guard import deny, require_case_read
from setacare_desktop.services.intake import case_district, decide_sharing
from setacare_desktop.services.unit import refusal, use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    ConsentRecordRow,
    Consultation,
    ConsultationDetail,
    DirLocation,
    DirOrganization,
    DirService,
    EmergencyExceptionRow,
    LiaisonSheetRow,
    Organisation,
    Person,
    Referral,
    SheetPrint,
    Staff,
)

MASK = "○○"
T = TypeVar("T")


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


def _render(render: Callable[[T], bytes], data: T) -> bytes:
    try:
        return render(data)
    except FontMissingError as error:
        raise ServiceError(str(error)) from error


# --- plain data for the reports ---------------------------------------------------------------


def _label(terms: tuple[ref.Term, ...], code: str | None) -> str:
    return next((t.label for t in terms if t.code == code), "")


def _subject(person: Person, on: date) -> SubjectBlock:
    birth = ""
    if person.birth_date is not None:
        birth = f"{to_wareki(person.birth_date)}（{age_on(person.birth_date, on)}歳）"
    return SubjectBlock(person.name, person.reading, birth, _label(SEXES, person.sex),
                        f"{person.address_town}{person.address_rest}", person.phone,
                        _label(HOUSEHOLDS, person.household))


def initials(reading: str) -> str:
    """「やまだ たろう」→「Y.T.」; without a reading, no initials can be given."""
    letters = [jaconv.kana2alphabet(jaconv.kata2hira(part))[:1].upper()
               for part in reading.split()]
    letters = [c for c in letters if c.isascii() and c.isalpha()]
    return "".join(f"{c}." for c in letters) or "（イニシャル不明）"


def age_band(birth: date | None, on: date) -> str:
    return f"{age_on(birth, on) // 10 * 10}歳代" if birth else "不明"


def _anonymised_subject(person: Person, on: date) -> SubjectBlock:
    return SubjectBlock(initials(person.reading), "（記載しません）", age_band(person.birth_date, on),
                        _label(SEXES, person.sex), "（記載しません）", "（記載しません）",
                        _label(HOUSEHOLDS, person.household))


def _identifying_words(person: Person | None, detail: ConsultationDetail) -> list[str]:
    """What an anonymised sheet must not show, longest first (masked in the free texts)."""
    words = [detail.consulter_name, detail.consulter_contact]
    if person is not None:
        words += [person.name, person.name.replace(" ", "").replace("　", ""), person.reading,
                  person.phone, person.address_town + person.address_rest, person.address_rest,
                  *person.name.split(), *person.reading.split()]
        if person.birth_date is not None:
            words += [to_wareki(person.birth_date), person.birth_date.isoformat()]
    return sorted({w.strip() for w in words if w and w.strip()}, key=len, reverse=True)


def _masker(words: list[str]) -> Callable[[str], str]:
    def mask(value: str) -> str:
        for word in words:
            value = value.replace(word, MASK)
        return value
    return mask


def _consultation(case: Consultation, detail: ConsultationDetail, progress: str,
                  mask: Callable[[str], str]) -> ConsultationBlock:
    groups = {t.code for t in case.target_groups}
    elements = {e.code for e in case.elements}
    received = _local_text(case.received_at)
    return ConsultationBlock(
        received=received, channel=_label(ref.CHANNELS, case.channel_code),
        target_groups=tuple(t.label for t in ref.TARGET_GROUPS if t.code in groups),
        elements=tuple(t.label for t in ref.ELEMENTS if t.code in elements),
        main_complaint=mask(case.main_complaint), details=mask(detail.details),
        progress=mask(progress),
        urgency=tuple(t.label for t in URGENCY_FLAGS if t.code in (detail.urgency or [])),
        urgency_options=tuple(t.label for t in URGENCY_FLAGS),
        urgency_note=mask(detail.urgency_note))


def _local_text(moment: datetime) -> str:
    """A local (as typed) date and time in 和暦: 令和8年11月24日 10:30."""
    return f"{to_wareki(moment.date())} {moment:%H:%M}"


def _consulter(case: Consultation, detail: ConsultationDetail,
               anonymised: bool) -> ConsulterBlock:
    kind = _label(ref.CONSULTER_KINDS, case.consulter_kind_code)
    if anonymised:
        return ConsulterBlock(kind, detail.consulter_relation, "（記載しません）", "（記載しません）")
    return ConsulterBlock(kind, detail.consulter_relation, detail.consulter_name,
                          detail.consulter_contact)


def _progress(case: Consultation, detail: ConsultationDetail) -> str:
    lines = []
    if case.response_code:
        lines.append(f"対応: {_label(ref.RESPONSES, case.response_code)}")
    if detail.next_date or detail.next_note:
        when = to_wareki(detail.next_date) if detail.next_date else ""
        lines.append(f"次回予定: {when} {detail.next_note}".strip())
    return "\n".join(lines)


def _case_parts(session: Session, consultation_id: int
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


def _org_contact(session: Session, organisation_name: str) -> tuple[str, str]:
    """Phone and address of one of our organisations, from the directory entry of that name."""
    org = session.scalar(select(DirOrganization).where(DirOrganization.name == organisation_name))
    if org is None:
        return "", ""
    services = session.scalars(select(DirService).where(DirService.organization_id == org.id)
                               .order_by(DirService.sort_order, DirService.id)).all()
    phone = next((p.number for s in services for p in s.phones), "")
    location = session.scalar(select(DirLocation).where(DirLocation.organization_id == org.id))
    return phone, _address(location)


def _address(location: DirLocation | None) -> str:
    if location is None or location.address_1 is None:
        return ""
    postal = f"〒{location.postal_code} " if location.postal_code else ""
    return f"{postal}{location.state_province}{location.city}{location.address_1}"


def _destination(session: Session, service: DirService) -> Party:
    org = session.get(DirOrganization, service.organization_id)
    location = (session.get(DirLocation, service.locations[0].location_id)
                if service.locations else None)
    return Party(org.name if org else service.name, service.name, "",
                 service.phones[0].number if service.phones else "", _address(location))


def _consent_statement(session: Session, decision: SharingDecision, destination: str) -> str:
    if decision.basis is Basis.CONSENT and decision.consent is not None:
        c = decision.consent
        giver = c.giver.label + (f"（{c.giver_relation}）" if c.giver_relation else "")
        recorder = session.get(Staff, c.recorded_by)
        return (f"本人同意あり（{Purpose.SHEET.label}）: 同意者 {giver}／方法 {c.method.label}／"
                f"同意日 {to_wareki(c.given_on)}／同意先 {destination}／"
                f"記録者 {recorder.name if recorder else ''}")
    e = decision.exception
    assert decision.basis is Basis.EMERGENCY and e is not None
    approver = session.get(Staff, e.approved_by)
    approved = utc_to_local(e.approved_at)
    scope = "この送付先" if e.recipient else "対象者の保護に必要なすべての送付先"
    return (f"緊急時の例外により送付（本人の同意は得られていません）: 理由 {e.reason}／"
            f"承認者 {approver.name if approver else ''}（監督者）／承認日時 {_local_text(approved)}／"
            f"範囲 {scope}")


ANONYMISED_STATEMENT = ("匿名の連携シートです。本人の同意がないため、個人を特定できる情報"
                        "（氏名・住所・電話番号・生年月日）は記載していません。")


# --- the liaison sheet ------------------------------------------------------------------------


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
def issue_liaison_sheet(db: Database, actor: StaffProfile, referral_id: int, *,
                        anonymised: bool = False, on: date | None = None) -> IssuedSheet:
    """Print (or save) the liaison sheet of a referral: number, audit and the PDF, or a refusal
    that says what is missing (:class:`SheetConsentError`)."""
    return _liaison_sheet(db, actor, referral_id, anonymised=anonymised, on=on, issue=True)


@use_case
def preview_liaison_sheet(db: Database, actor: StaffProfile, referral_id: int, *,
                          anonymised: bool = False, on: date | None = None) -> IssuedSheet:
    """The sheet as :func:`issue_liaison_sheet` would print it now, for a print preview: the same
    gate and PDF, but no number is issued (a first print shows the number it would get) and no
    print is recorded or audited."""
    return _liaison_sheet(db, actor, referral_id, anonymised=anonymised, on=on, issue=False)


def _liaison_sheet(db: Database, actor: StaffProfile, referral_id: int, *, anonymised: bool,
                   on: date | None, issue: bool) -> IssuedSheet:
    """The scope check, the consent gate, the number and the print record: one transaction."""
    with db.transaction() if issue else db.read() as session:
        return _sheet_in(session, actor, referral_id, anonymised=anonymised,
                         on=on or local_now().date(), issue=issue)


def _sheet_gate(session: Session, actor: StaffProfile, referral_id: int, consultation_id: int,
                recipient: str, service_name: str, on: date) -> SharingDecision:
    decision = decide_sharing(session, consultation_id, recipient, Purpose.SHEET, on)
    if not decision.allowed:
        raise refusal(SheetConsentError(
            f"「{service_name}」宛ての連携シートに、個人を特定できる情報は載せられません。"
            f"{decision.reason}本人の同意（{Purpose.SHEET.label}、この送付先）を記録するか、"
            "緊急時の例外の承認を得てください。または匿名の連携シート（氏名はイニシャル、"
            "住所・電話・生年月日なし）を印刷できます（FAX にはこちらを使います）。",
            decision), actor, "sheet_refused", entity="referral", entity_id=referral_id,
            detail=f"{recipient} no basis")
    return decision


def _sheet_in(session: Session, actor: StaffProfile, referral_id: int, *, anonymised: bool,
              on: date, issue: bool) -> IssuedSheet:
    consultation_id, district, service_id, service_name = _referral_place(session, referral_id)
    if not roles.can_write_cases(actor, district):
        raise deny(actor, "sheet_print", "この地区の連携シートを印刷する権限がありません。",
                   entity="referral", entity_id=referral_id)
    recipient = destination_recipient(service_id)
    decision = None if anonymised else _sheet_gate(
        session, actor, referral_id, consultation_id, recipient, service_name, on)
    referral = session.get(Referral, referral_id)
    assert referral is not None
    case, detail, person = _case_parts(session, consultation_id)
    staff = session.get(Staff, referral.staff_id)
    assert staff is not None
    org = session.get(Organisation, staff.organisation_id)
    assert org is not None
    service = session.get(DirService, service_id)
    assert service is not None
    sheet, reissue = _sheet_row(session, actor, referral_id, district, anonymised, on,
                                issue=issue)
    phone, address = _org_contact(session, org.name)
    district_name = ref.DISTRICTS_BY_CODE[district].name
    sender = Party(org.name, f"{district_name}地区", staff.name, phone, address)
    destination = _destination(session, service)
    mask = _masker(_identifying_words(person, detail)) if anonymised else (lambda v: v)
    subject = None
    if person is not None:
        subject = _anonymised_subject(person, on) if anonymised else _subject(person, on)
    progress = "\n".join(filter(None, [
        _progress(case, detail),
        f"つなぎ: {to_wareki(referral.referred_on)}（{ReferralMethod(referral.method).label}）"]))
    statement = (ANONYMISED_STATEMENT if decision is None
                 else _consent_statement(session, decision, service.name))
    data = LiaisonSheet(
        sheet_number=sheet.sheet_number, reissue=reissue, anonymised=anonymised,
        sent_on=to_wareki(on), sender=sender, destination=destination, subject=subject,
        consulter=_consulter(case, detail, anonymised),
        consultation=_consultation(case, detail, progress, mask),
        request_options=REQUEST_KINDS, requested=requested_kinds(referral.request),
        request_text=mask(referral.request),
        reply_due=to_wareki(referral.reply_due) if referral.reply_due else "",
        consent=statement,
        reply_to=f"{org.name}（{district_name}地区） 担当 {staff.name}"
                 + (f"　電話 {phone}" if phone else ""))
    pdf = _render(render_liaison_sheet, data)
    if not issue:
        return IssuedSheet(sheet.sheet_number, reissue, anonymised, pdf)
    session.add(SheetPrint(sheet_id=sheet.id, staff_id=actor.staff_id, reissue=reissue,
                           recipient=recipient))
    audit.record(session, actor, "sheet_print", entity="liaison_sheet",
                 entity_id=sheet.sheet_number,
                 detail=f"referral {referral_id} -> {recipient} "
                        f"{'再発行' if reissue else '原本'}{' 匿名' if anonymised else ''}")
    return IssuedSheet(sheet.sheet_number, reissue, anonymised, pdf)


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


# --- 相談受付票 and the day list ------------------------------------------------------------------


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
        case, detail, person = _case_parts(session, consultation_id)
        staff = session.get(Staff, case.staff_id)
        org = session.get(Organisation, case.organisation_id)
        exceptions = session.scalars(select(EmergencyExceptionRow).where(
            EmergencyExceptionRow.consultation_id == consultation_id)).all()
        consents = _consent_lines(session, person.id) if person else ()
        consents += tuple(f"緊急時の例外: {e.reason}（承認 {_local_text(utc_to_local(e.approved_at))}）"
                          for e in exceptions)
        next_step = (f"{to_wareki(detail.next_date)} " if detail.next_date else "") + detail.next_note
        record = IntakeRecord(
            consultation_id=case.id, district=ref.DISTRICTS_BY_CODE[district].name,
            organisation=org.name if org else "", staff=staff.name if staff else "",
            printed_on=to_wareki(on), subject=_subject(person, on) if person else None,
            consulter=_consulter(case, detail, anonymised=False),
            consultation=_consultation(case, detail, _progress(case, detail), lambda v: v),
            response=_label(ref.RESPONSES, case.response_code), next_step=next_step.strip(),
            consents=consents)
        pdf = _render(render_intake_record, record)
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
    return _render(render_day_list, data)
