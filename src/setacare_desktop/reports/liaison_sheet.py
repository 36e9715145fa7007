"""連携シート: the liaison sheet sent with a referral, with a reply part (返信欄) to send back.

A4 portrait, boxed fields, dates in 和暦. The report takes a :class:`LiaisonSheet` built by
``services.sheets`` (which has applied the consent gate) and returns the PDF; it never sees the
database. Long texts wrap by character and flow onto further pages; every page has the handling
notice, the sheet number and page n / m.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

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
    FONT,
    LINE,
    SHADE,
    Styles,
    build_pdf,
    checkboxes,
    field_table,
    register_font,
    section,
    table,
    text,
)

REISSUE_MARK = "再発行"
ANONYMISED_MARK = "匿名"


@dataclass(frozen=True, slots=True)
class Party:
    """送付元 or 送付先."""

    organisation: str
    section: str  # 地区 of the sender; the service (窓口) of the destination
    person: str  # staff member; the destination's person in charge when known
    phone: str
    address: str = ""


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
    consent: str  # the statement of the legal basis, as recorded
    reply_to: str  # where the reply part goes back


def _qr(value: str, size: float = 26 * mm) -> Drawing:
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0],
                      initialFontName=FONT)
    drawing.add(widget)
    return drawing


def _header(sheet: LiaisonSheet, styles: Styles) -> list[Flowable]:
    marks = [m for m, on in ((REISSUE_MARK, sheet.reissue),
                             (ANONYMISED_MARK, sheet.anonymised)) if on]
    title = table([[text("連携シート", styles.title),
                    text("　".join(f"【{m}】" for m in marks), styles.mark),
                    text(f"シート番号 {sheet.sheet_number}\n送付日 {sheet.sent_on}", styles.body)]],
                  [("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
                  colWidths=[CONTENT_WIDTH * 0.4, CONTENT_WIDTH * 0.2, CONTENT_WIDTH * 0.4])
    s, d = sheet.sender, sheet.destination
    parties = field_table([
        [("送付元", s.organisation), ("送付先", d.organisation)],
        [("地区", s.section), ("部署・窓口", d.section)],
        [("担当者", s.person), ("ご担当者", d.person or "ご担当者様")],
        [("電話", s.phone), ("電話", d.phone)],
        [("所在地", s.address), ("所在地", d.address)],
    ], styles)
    return [title, Spacer(1, 2 * mm), parties]


def _request(sheet: LiaisonSheet, styles: Styles) -> list[Flowable]:
    return section("依頼事項", [
        text(checkboxes(sheet.request_options, sheet.requested), styles.body),
        text(sheet.request_text or "（記載なし）", styles.boxed),
        field_table([[("回答期限", sheet.reply_due or "（指定なし）")]], styles),
    ], styles)


def _reply(sheet: LiaisonSheet, styles: Styles) -> Flowable:
    fields = table([
        [text("受理日", styles.label), text("令和　　年　　月　　日", styles.body)],
        [text("担当者", styles.label), ""],
        [text("対応予定・結果", styles.label), ""],
    ], [("GRID", (0, 0), (-1, -1), 0.5, LINE), ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP")],
        colWidths=[26 * mm, CONTENT_WIDTH - 26 * mm - 34 * mm],
        rowHeights=[8 * mm, 8 * mm, 26 * mm])
    code = table([[_qr(sheet.sheet_number)], [text(sheet.sheet_number, styles.small)]],
                 [("ALIGN", (0, 0), (-1, -1), "CENTER")], colWidths=[34 * mm])
    layout = table([[fields, code]], [("VALIGN", (0, 0), (-1, -1), "TOP"),
                                      ("LEFTPADDING", (0, 0), (-1, -1), 0)],
                   colWidths=[CONTENT_WIDTH - 34 * mm, 34 * mm])
    return KeepTogether([
        text("返信欄（送付先でご記入のうえ、下記へご返送ください）", styles.heading),
        layout,
        text(f"返送先: {sheet.reply_to}", styles.body),
    ])


def liaison_sheet_story(sheet: LiaisonSheet) -> list[Flowable]:
    register_font()
    styles = Styles()
    story: list[Flowable] = _header(sheet, styles)
    story += subject_section(sheet.subject, styles)
    story += consulter_section(sheet.consulter, styles)
    story += consultation_section(sheet.consultation, styles)
    story += _request(sheet, styles)
    story += section("本人同意", [text(sheet.consent, styles.boxed)], styles)
    story.append(_reply(sheet, styles))
    return story


def render_liaison_sheet(sheet: LiaisonSheet) -> bytes:
    """The sheet as a PDF (A4, Japanese font embedded as a subset)."""
    return build_pdf(liaison_sheet_story(sheet), title=f"連携シート {sheet.sheet_number}",
                     document_number=f"シート番号 {sheet.sheet_number}")
