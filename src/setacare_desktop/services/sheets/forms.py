"""The FAX送付状 of a referral and the 同意書 of a person: previews, prints (delivered, then
audited, like the liaison sheet: ``delivery``) and the record that a written form was signed.

The cover sheet holds nothing of the person, but it announces a sheet about them: it is printed
only by staff who may print that sheet (the district's scope and the visibility rule). Its page
count is that of the sheet as it would print now (the sheet and its 返信票) plus itself.

The consent form names the person: staff who see every consultation of the person masked get
none (docs/privacy.md), and each print is audited. Its rows are the partners of the person's
latest consultation's district and the destinations of the person's referrals, each for 情報共有
and 連携シートの送付.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain import roles
from setacare_desktop.domain.consent import (
    COUNTER_CONSENT_WORDING,
    ConsentEntry,
    Giver,
    Method,
    Purpose,
)
from setacare_desktop.domain.jpdate import local_now, to_wareki
from setacare_desktop.domain.referral import ReferralMethod
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.reports.consent_form import ConsentForm, ConsentPurpose, render_consent_form
from setacare_desktop.reports.fax_cover import FaxCover, FaxParty, render_fax_cover
from setacare_desktop.services import audit
from setacare_desktop.services.errors import NotFoundError, Problem, ValidationError
from setacare_desktop.services.guard import deny
from setacare_desktop.services.intake import add_consent, partners
from setacare_desktop.services.organisation_settings import CONSENT_FORM, FAX_COVER, form_in
from setacare_desktop.services.sheets import blocks
from setacare_desktop.services.sheets.delivery import Deliver, deliver
from setacare_desktop.services.sheets.liaison import _referral_place, _sheet_in
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import visibilities
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    ConsentRecordRow,
    Consultation,
    ConsultationDetail,
    DirService,
    Person,
    Referral,
    Staff,
)

#: What each purpose means on the consent form, in a few plain words.
PURPOSE_EXPLANATIONS = {
    Purpose.SHARE: "支援のため、担当者が相談の記録を見ること",
    Purpose.SHEET: "支援を頼むため、連携シート（相談の内容）を送ること",
}
_PAGE = re.compile(rb"/Type /Page[^s]")


def page_count(pdf: bytes) -> int:
    """Pages of a PDF written by reportlab (each page object is written uncompressed)."""
    return len(_PAGE.findall(pdf))


# --- FAX送付状 ------------------------------------------------------------------------------------


def fax_cover_name(referral_id: int) -> str:
    return f"FAX送付状_つなぎ{referral_id}"


@dataclass(frozen=True, slots=True)
class FaxCoverOffer:
    """Whether the window offers the cover sheet at once: the referral goes by FAX."""

    referral_id: int
    by_fax: bool


@use_case
def fax_cover_offered(db: Database, actor: StaffProfile, referral_id: int) -> FaxCoverOffer:
    """Is the referral sent by FAX (so its sheet's preview offers the cover sheet at once)?"""
    with db.read() as session:
        referral = session.get(Referral, referral_id)
        if referral is None:
            raise NotFoundError(f"つなぎ（ID {referral_id}）が見つかりません。")
        return FaxCoverOffer(referral_id, referral.method == ReferralMethod.FAX.value)


def _fax_cover(session: Session, actor: StaffProfile, referral_id: int, anonymised: bool | None,
               on: date) -> bytes:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFoundError(f"つなぎ（ID {referral_id}）が見つかりません。")
    anonymised = referral.anonymised if anonymised is None else anonymised
    # The sheet as it would print now (same gate, same refusals), for its number and pages.
    sheet = _sheet_in(session, actor, referral_id, anonymised=anonymised, on=on, target=None)
    _, district, _, _ = _referral_place(session, referral_id)
    staff = session.get(Staff, referral.staff_id)
    assert staff is not None
    own = blocks.sender(session, staff.organisation_id,
                        f"{ref.DISTRICTS_BY_CODE[district].name}地区", staff.name)
    service = session.get(DirService, referral.service_id)
    assert service is not None
    dest = blocks.destination(session, service)
    form = form_in(session, FAX_COVER)
    cover = FaxCover(
        heading=form.heading, number=form.number, sent_on=to_wareki(on),
        destination=FaxParty(dest.organisation, dest.section, dest.person, dest.phone, dest.fax,
                             dest.address),
        sender=FaxParty(own.organisation, own.section, own.person, own.phone, own.fax,
                        own.address),
        pages=page_count(sheet.pdf) + 1,
        purpose=f"連携シート（シート番号 {sheet.sheet_number}）と返信票の送付",
        document_number=f"送付状 {sheet.sheet_number}")
    return blocks.render(render_fax_cover, cover)


@use_case
def preview_fax_cover(db: Database, actor: StaffProfile, referral_id: int, *,
                      anonymised: bool | None = None, on: date | None = None) -> bytes:
    """The cover sheet as it would print now (nothing recorded; it holds nothing personal)."""
    with db.read() as session:
        return _fax_cover(session, actor, referral_id, anonymised, on or local_now().date())


@use_case
def print_fax_cover(db: Database, actor: StaffProfile, referral_id: int, target: Deliver, *,
                    anonymised: bool | None = None, on: date | None = None) -> bytes:
    """Print the cover sheet of a referral's sheet (``anonymised``: of that form; None: the
    referral's own), delivered to ``target`` and then audited as ``fax_cover_print``."""
    with db.transaction() as session:
        pdf = _fax_cover(session, actor, referral_id, anonymised, on or local_now().date())
        deliver(session, actor, pdf, fax_cover_name(referral_id), target,
                action="fax_cover_print", entity="referral", entity_id=referral_id)
        audit.record(session, actor, "fax_cover_print", entity="referral", entity_id=referral_id)
        return pdf


# --- 同意書 ----------------------------------------------------------------------------------------


#: Why a consent form is refused to staff who see the person masked.
CONSENT_FORM_MASKED = "本人の同意がないため、この方の同意書は受け付けた機関で印刷してください。"


def consent_form_name(person_id: int) -> str:
    return f"同意書_{person_id}"


def _person_case(session: Session, actor: StaffProfile, person_id: int, action: str
                 ) -> tuple[Person, int, str]:
    """The person, their latest consultation the actor sees whole, and its district; refused
    (audited) when the actor sees every consultation of the person masked."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"対象者（ID {person_id}）が見つかりません。")
    cases = session.execute(
        select(Consultation.id, Consultation.district_code)
        .join(ConsultationDetail, ConsultationDetail.consultation_id == Consultation.id)
        .where(ConsultationDetail.person_id == person_id)
        .order_by(Consultation.received_at.desc(), Consultation.id.desc())).all()
    mine = [(cid, d) for cid, d in cases if roles.can_write_cases(actor, d)]
    seen = visibilities(session, actor, [cid for cid, _ in mine])
    whole = [(cid, d) for cid, d in mine if seen[cid].identifying]
    if not whole:
        raise deny(actor, action, CONSENT_FORM_MASKED, entity="person", entity_id=person_id)
    return person, whole[0][0], whole[0][1]


def _consent_recipients(session: Session, person_id: int, district: str) -> tuple[str, ...]:
    """The district's partners, then the destinations of the person's referrals (each name
    once)."""
    names = [r.name for r in partners(session, district)]
    names += session.scalars(
        select(DirService.name).join(Referral, Referral.service_id == DirService.id)
        .join(ConsultationDetail, ConsultationDetail.consultation_id == Referral.consultation_id)
        .where(ConsultationDetail.person_id == person_id).order_by(DirService.id))
    return tuple(dict.fromkeys(names))


def _consent_form(session: Session, actor: StaffProfile, person_id: int, action: str) -> bytes:
    person, _cid, district = _person_case(session, actor, person_id, action)
    form = form_in(session, CONSENT_FORM)
    data = ConsentForm(
        number=form.number, title=form.title, addressed_to=actor.organisation_name,
        person_name=person.name, wording=COUNTER_CONSENT_WORDING,
        recipients=_consent_recipients(session, person_id, district),
        purposes=tuple(ConsentPurpose(p.label, PURPOSE_EXPLANATIONS[p])
                       for p in (Purpose.SHARE, Purpose.SHEET)),
        explained_by=actor.name,
        document_number=f"{form.number or '同意書'}　受付番号 P{person_id}")
    return blocks.render(render_consent_form, data)


@use_case
def preview_consent_form(db: Database, actor: StaffProfile, person_id: int) -> bytes:
    """The consent form to show before printing (audited as a view of the person's name)."""
    with db.transaction() as session:
        pdf = _consent_form(session, actor, person_id, "consent_form_preview")
        audit.record(session, actor, "consent_form_preview", entity="person",
                     entity_id=person_id, fields=["name"])
        return pdf


@use_case
def print_consent_form(db: Database, actor: StaffProfile, person_id: int,
                       target: Deliver) -> bytes:
    """Print the consent form: delivered to ``target``, then audited as ``consent_form_print``
    (a delivery that fails is audited as ``consent_form_print_failed``)."""
    with db.transaction() as session:
        pdf = _consent_form(session, actor, person_id, "consent_form_print")
        deliver(session, actor, pdf, consent_form_name(person_id), target,
                action="consent_form_print", entity="person", entity_id=person_id)
        audit.record(session, actor, "consent_form_print", entity="person", entity_id=person_id,
                     fields=["name"])
        return pdf


@dataclass(frozen=True, slots=True)
class SignedChoice:
    """One line of a signed form: a recipient key (``org:…``/``dest:…``), a purpose, and
    whether 同意する or 同意しない was ticked."""

    recipient: str
    purpose: Purpose
    given: bool


@use_case
def record_signed_consent_form(db: Database, actor: StaffProfile, person_id: int, *,
                               choices: list[SignedChoice], giver: Giver | None,
                               giver_relation: str, signed_on: date | None) -> list[int]:
    """Record what the person ticked and signed on the printed 同意書: each line a written
    consent (書面) with the form signed on ``signed_on``, under the rules of every consent (a
    consent over a refusal is refused here: record a change of mind instead). Audited per
    record and once as ``consent_form_signed``."""
    if not choices:
        raise ValidationError([Problem("同意書", "印のついた提供先がありません")])
    with db.transaction() as session:
        _person, consultation_id, _district = _person_case(session, actor, person_id,
                                                           "consent_form_signed")
        ids = []
        for choice in choices:
            entry = ConsentEntry(choice.given, giver, giver_relation, Method.WRITTEN, signed_on)
            record_id = add_consent(session, actor, consultation_id, choice.recipient,
                                    choice.purpose, entry)
            row = session.get(ConsentRecordRow, record_id)
            assert row is not None
            row.form_signed, row.form_signed_on = True, signed_on
            ids.append(record_id)
        audit.record(session, actor, "consent_form_signed", entity="person", entity_id=person_id,
                     fields=["form_signed", "form_signed_on"],
                     detail=f"{len(ids)} records: {', '.join(map(str, ids))}")
        return ids


@use_case
def mark_consent_form_signed(db: Database, actor: StaffProfile, consent_id: int,
                             signed_on: date) -> None:
    """Record that the printed 同意書 behind a written consent (書面) was signed, and when;
    audited as ``consent_form_signed``. An oral consent has no form: refused by name."""
    with db.transaction() as session:
        row = session.get(ConsentRecordRow, consent_id)
        if row is None:
            raise NotFoundError(f"同意の記録（ID {consent_id}）が見つかりません。")
        _person_case(session, actor, row.person_id, "consent_form_signed")
        problems = []
        if row.method != Method.WRITTEN.value:
            problems.append(Problem("同意の方法", "口頭の同意です。署名済みの同意書は、書面の同意として"
                                               "記録してください"))
        if signed_on < row.given_on or signed_on > local_now().date():
            problems.append(Problem("署名日", f"同意日（{to_wareki(row.given_on)}）から今日までの"
                                             "日付を入力してください"))
        if problems:
            raise ValidationError(problems)
        row.form_signed, row.form_signed_on = True, signed_on
        audit.record(session, actor, "consent_form_signed", entity="consent", entity_id=consent_id,
                     fields=["form_signed", "form_signed_on"])
