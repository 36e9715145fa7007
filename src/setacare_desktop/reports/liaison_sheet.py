"""連携シート: the liaison sheet sent with a referral, numbered as a form (「様式第1号 連携シート」),
followed by its 返信票 on a page of its own (``reports.reply_slip``), so a FAX of a sheet is the
sheet and the reply slip the destination faxes back alone.

A4 portrait, boxed fields, dates in 和暦. The report takes a :class:`LiaisonSheet` built by
``services.sheets`` (which has applied the consent gate) and returns the PDF; it never sees the
database. Long texts wrap by character and flow onto further pages; every page has the handling
notice of paper that leaves the office (「この用紙は送付先以外に転送・複写しないでください」: the
internal printouts keep 「持ち出し禁止」), the sheet number and page n / m. The sender block comes
from the organisation's own settings; a destination field the directory does not hold prints as
「（未登録）」.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from setacare_desktop.reports.blocks import (
    ConsultationBlock,
    ConsulterBlock,
    SubjectBlock,
    consultation_section,
    consulter_section,
    subject_section,
)
from setacare_desktop.reports.common import (
    CONTENT_WIDTH,
    Styles,
    build_pdf,
    checkboxes,
    field_table,
    register_font,
    section,
    style,
    table,
    text,
)
from setacare_desktop.reports.reply_slip import (
    REPLY_NOTICE,
    SENT_NOTICE,
    UNREGISTERED,
    ReplySlip,
    reply_slip_story,
)

REISSUE_MARK = "再発行"
ANONYMISED_MARK = "匿名"
_STYLES = Styles()
_FORM_NUMBER = style("form-number", 9)


@dataclass(frozen=True, slots=True)
class Party:
    """送付元 or 送付先."""

    organisation: str
    section: str  # 地区 of the sender; the service (窓口) of the destination
    person: str  # staff member; the destination's person in charge when known
    phone: str
    address: str = ""
    fax: str = ""


@dataclass(frozen=True, slots=True)
class LiaisonSheet:
    sheet_number: str
    reissue: bool
    anonymised: bool
    sent_on: str  # 和暦
    sender: Party
    destination: Party
    subject: SubjectBlock | None  # None: an anonymous consultation
    consulter: ConsulterBlock
    consultation: ConsultationBlock
    request_options: tuple[str, ...]
    requested: tuple[str, ...]
    request_text: str
    reply_due: str  # 和暦, or ""
    consent: str  # the consent statement, in plain words
    reply_to: str  # where the reply slip goes back (organisation and section)
    form_number: str = "様式第1号"
    form_title: str = "連携シート"
    reply_heading: str = "様式第1号の2 返信票"
    writer: str = ""  # 記入者: the staff member who made the referral


def _header(sheet: LiaisonSheet, styles: Styles) -> list[Flowable]:
    marks = [m for m, on in ((REISSUE_MARK, sheet.reissue),
                             (ANONYMISED_MARK, sheet.anonymised)) if on]
    title = table([[[text(sheet.form_number, _FORM_NUMBER), text(sheet.form_title, styles.title)],
                    text("　".join(f"【{m}】" for m in marks), styles.mark),
                    text(f"シート番号 {sheet.sheet_number}\n送付日 {sheet.sent_on}", styles.body)]],
                  [("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
                  colWidths=[CONTENT_WIDTH * 0.4, CONTENT_WIDTH * 0.2, CONTENT_WIDTH * 0.4])
    s, d = sheet.sender, sheet.destination
    parties = field_table([
        [("送付元", s.organisation), ("送付先", d.organisation)],
        [("地区", s.section), ("部署・窓口", d.section)],
        [("担当者", s.person or UNREGISTERED), ("ご担当者", d.person or "ご担当者様")],
        [("電話", s.phone or UNREGISTERED), ("電話", d.phone or UNREGISTERED)],
        [("FAX", s.fax or UNREGISTERED), ("FAX", d.fax or UNREGISTERED)],
        [("所在地", s.address or UNREGISTERED), ("所在地", d.address or UNREGISTERED)],
    ], styles)
    return [title, Spacer(1, 1 * mm), parties]


def _request(sheet: LiaisonSheet, styles: Styles) -> list[Flowable]:
    return section("依頼事項", [
        text(checkboxes(sheet.request_options, sheet.requested), styles.body),
        text(sheet.request_text or "（記載なし）", styles.boxed),
        field_table([[("回答期限", sheet.reply_due or "（指定なし）"),
                      ("記入者", sheet.writer or UNREGISTERED), ("確認者", "")]], styles,
                    label_width=16 * mm),
    ], styles)


def reply_slip_of(sheet: LiaisonSheet) -> ReplySlip:
    """The 返信票 of the sheet: its number, the destination, and where to send it back."""
    d, s = sheet.destination, sheet.sender
    return ReplySlip(
        heading=sheet.reply_heading, sheet_number=sheet.sheet_number, sent_on=sheet.sent_on,
        destination=f"{d.organisation}　{d.section}".strip(), reply_to=sheet.reply_to,
        reply_contact=s.person, reply_fax=s.fax, reply_phone=s.phone, reply_due=sheet.reply_due)


def liaison_sheet_story(sheet: LiaisonSheet) -> list[Flowable]:
    register_font()
    styles = _STYLES
    story: list[Flowable] = _header(sheet, styles)
    story += subject_section(sheet.subject, styles)
    story += consulter_section(sheet.consulter, styles)
    story += consultation_section(sheet.consultation, styles)
    story += _request(sheet, styles)
    story += section("本人の同意", [text(sheet.consent, styles.boxed)], styles)
    story.append(PageBreak())
    story += reply_slip_story(reply_slip_of(sheet))
    return story


def render_liaison_sheet(sheet: LiaisonSheet) -> bytes:
    """The sheet and its 返信票 as a PDF (A4, Japanese font embedded as a subset)."""
    return build_pdf(liaison_sheet_story(sheet),
                     title=f"{sheet.form_number} {sheet.form_title} {sheet.sheet_number}".strip(),
                     document_number=f"シート番号 {sheet.sheet_number}", notice=SENT_NOTICE,
                     last_notice=REPLY_NOTICE)
