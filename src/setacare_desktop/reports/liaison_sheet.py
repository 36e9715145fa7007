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

from setacare_desktop.reports.blocks import ConsultationBlock, ConsulterBlock, SubjectBlock
from setacare_desktop.reports.common import CONTENT_WIDTH, checkboxes
from setacare_desktop.reports.form_canvas import LEFT, FormWriter, fixed_glyphs
from setacare_desktop.reports.reply_slip import (
    REPLY_NOTICE,
    SENT_NOTICE,
    UNREGISTERED,
    ReplySlip,
    draw_reply_slip,
)

REISSUE_MARK = "再発行"
ANONYMISED_MARK = "匿名"
#: What every sheet prints whatever the referral (labels, headings, marks, dates): drawn from
#: the fixed subsets of the form font (one subset with the 返信票's words: at most 159 glyphs
#: beside ASCII), so a sheet embeds only its data's glyphs anew.
_LABELS = ("様式第1号連携シート送付元送付先地区部署・窓口担当者ご担当者様電話FAX所在地シート番号送付日"
           "対象者氏名ふりがな生年月日性別住所世帯状況相談者区分続柄・関係"
           "連絡先相談内容受付日時方法対象区分要素緊急性主訴相談の概要これまでの経過・対応"
           "記載なし依頼事項回答期限指定記入者確認者本人の同意【】■□　令和年月日歳")
fixed_glyphs(_LABELS)


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


def _header(w: FormWriter, sheet: LiaisonSheet) -> None:
    """The title row (様式 number and title, the marks, sheet number and date), then the sender
    and destination side by side."""
    marks = [m for m, on in ((REISSUE_MARK, sheet.reissue),
                             (ANONYMISED_MARK, sheet.anonymised)) if on]
    top, height = w.y, 42.25
    third = CONTENT_WIDTH * 0.4
    w.text(LEFT + 6, top - 3 - 9 - 0.8, sheet.form_number, 9)
    w.centred(LEFT + 6, third - 12, top - 3 - 13.05 - 16, sheet.form_title, 16)
    if marks:  # right-aligned in the middle column, a line each when both do not fit
        lines = w.lines("　".join(f"【{m}】" for m in marks), 11, CONTENT_WIDTH * 0.2 - 12)
        y = top - height / 2 - 4 + (len(lines) - 1) * 16 / 2
        for line in lines:
            w.right(LEFT + third + CONTENT_WIDTH * 0.2 - 6, y, line.strip("　"), 11,
                    color="0.7 0 0 rg ")
            y -= 16
    x = LEFT + third + CONTENT_WIDTH * 0.2 + 6
    w.text(x, top - height / 2 + 13.05 - 9 - 2, f"シート番号 {sheet.sheet_number}", 9)
    w.text(x, top - height / 2 - 9 - 2, f"送付日 {sheet.sent_on}", 9)
    w.y -= height + 1 * mm
    s, d = sheet.sender, sheet.destination
    w.field_rows([
        [("送付元", s.organisation), ("送付先", d.organisation)],
        [("地区", s.section), ("部署・窓口", d.section)],
        [("担当者", s.person or UNREGISTERED), ("ご担当者", d.person or "ご担当者様")],
        [("電話", s.phone or UNREGISTERED), ("電話", d.phone or UNREGISTERED)],
        [("FAX", s.fax or UNREGISTERED), ("FAX", d.fax or UNREGISTERED)],
        [("所在地", s.address or UNREGISTERED), ("所在地", d.address or UNREGISTERED)],
    ])


def _section(w: FormWriter, title: str, keep: float = 20) -> None:
    """A heading kept with the start of what follows (``keep`` points of it)."""
    w.need(5 + 16.5 + 2 + keep)
    w.heading(title)


def _subject(w: FormWriter, subject: SubjectBlock | None) -> None:
    _section(w, "対象者")
    if subject is None:
        w.framed("匿名の相談（対象者の記録なし）")
        return
    w.field_rows([
        [("氏名", subject.name), ("ふりがな", subject.reading)],
        [("生年月日", subject.birth), ("性別", subject.sex)],
        [("住所", subject.address)],
        [("電話", subject.phone), ("世帯状況", subject.household)],
    ])


def _consultation(w: FormWriter, c: ConsultationBlock) -> None:
    urgency = checkboxes(c.urgency_options, c.urgency)
    if c.urgency_note:
        urgency += f"\n{c.urgency_note}"
    _section(w, "相談内容")
    w.field_rows([
        [("受付日時", c.received), ("受付方法", c.channel)],
        [("対象区分", "・".join(c.target_groups)), ("要素", "・".join(c.elements))],
        [("緊急性", urgency)],
    ])
    texts = ((("相談の概要（匿名用）", c.details),) if c.anonymised
             else (("主訴", c.main_complaint), ("相談の概要", c.details)))
    for label, value in (*texts, ("これまでの経過・対応", c.progress)):
        w.small_label(label)
        w.framed(value or "（記載なし）")


def _request(w: FormWriter, sheet: LiaisonSheet) -> None:
    _section(w, "依頼事項")
    w.paragraph(checkboxes(sheet.request_options, sheet.requested))
    w.framed(sheet.request_text or "（記載なし）")
    w.field_rows([[("回答期限", sheet.reply_due or "（指定なし）"),
                   ("記入者", sheet.writer or UNREGISTERED), ("確認者", "")]], label_width=16 * mm)


def reply_slip_of(sheet: LiaisonSheet) -> ReplySlip:
    """The 返信票 of the sheet: its number, the destination, and where to send it back."""
    d, s = sheet.destination, sheet.sender
    return ReplySlip(
        heading=sheet.reply_heading, sheet_number=sheet.sheet_number, sent_on=sheet.sent_on,
        destination=f"{d.organisation}　{d.section}".strip(), reply_to=sheet.reply_to,
        reply_contact=s.person, reply_fax=s.fax, reply_phone=s.phone, reply_due=sheet.reply_due)


def render_liaison_sheet(sheet: LiaisonSheet) -> bytes:
    """The sheet and its 返信票 as a PDF (A4, Japanese font embedded as subsets)."""
    w = FormWriter(title=f"{sheet.form_number} {sheet.form_title} {sheet.sheet_number}".strip(),
                   document_number=f"シート番号 {sheet.sheet_number}", notice=SENT_NOTICE,
                   last_notice=REPLY_NOTICE)
    _header(w, sheet)
    _subject(w, sheet.subject)
    c = sheet.consulter
    _section(w, "相談者")
    w.field_rows([[("区分", c.kind), ("続柄・関係", c.relation)],
                  [("氏名", c.name), ("連絡先", c.contact)]])
    _consultation(w, sheet.consultation)
    _request(w, sheet)
    _section(w, "本人の同意")
    w.framed(sheet.consent)
    w.new_page()
    draw_reply_slip(w, reply_slip_of(sheet))
    return w.finish()
