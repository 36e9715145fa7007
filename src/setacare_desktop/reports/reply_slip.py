"""返信票: the page of a liaison sheet that the destination fills in and faxes back on its own.

It carries no name or detail of the person: the sheet number (printed and as a QR code, which the
counter's barcode reader types into 「シート番号」) ties the reply to its referral. It names the
sender it goes back to, with the FAX number large enough to dial from, and gives the destination
the fields to fill: 受理日, 担当者, 対応予定 (ticked) and 連絡事項.

Printed as the last page of every liaison sheet (``reports.liaison_sheet``), so a FAX of a sheet
is the sheet and its 返信票; it can also be rendered alone (``render_reply_slip``).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from setacare_desktop.reports.common import (
    CONTENT_WIDTH,
    LINE,
    SHADE,
    QrCode,
    Styles,
    build_pdf,
    checkboxes,
    field_table,
    register_font,
    style,
    table,
    text,
)

#: What the destination ticks under 対応予定.
REPLY_PLANS: tuple[str, ...] = ("訪問予定", "面談予定", "電話で連絡予定", "対応済み", "対応できない")
#: The handling notice of paper that leaves the office (the sheet and its 返信票).
SENT_NOTICE = "この用紙は送付先以外に転送・複写しないでください（個人情報を含みます）"
#: The 返信票's own footer: it carries no personal data, and says only where it may go.
REPLY_NOTICE = "この返信票には個人の情報を記載していません。送付元以外に転送・複写しないでください"
UNREGISTERED = "（未登録）"
_STYLES = Styles()
_BIG = style("reply-big", 13, leading=18)
_QR_SIZE = 30 * mm


def gap(width: int = 6) -> str:
    """Room to write in by hand: no-break spaces (a paragraph folds ordinary and full-width
    spaces into one)."""
    return "\xa0" * width


#: 「令和　　年　　月　　日」 to be filled in by hand.
BLANK_DATE = f"令和{gap()}年{gap()}月{gap()}日"


@dataclass(frozen=True, slots=True)
class ReplySlip:
    heading: str  # 「様式第1号の2 返信票」
    sheet_number: str
    sent_on: str  # 和暦: the day the sheet was sent
    destination: str  # the destination as addressed (機関・窓口)
    reply_to: str  # the sender: organisation and section
    reply_contact: str  # the sender's 担当者
    reply_fax: str  # "" when not set
    reply_phone: str
    reply_due: str = ""  # 和暦, or ""


def qr_drawing(value: str, size: float = _QR_SIZE) -> Flowable:
    """``value`` as a QR code ``size`` wide: one filled path (``reports.common.QrCode``), the
    same modules as reportlab's widget, several times faster, and no font at all."""
    return QrCode(value, size)


def reply_slip_story(slip: ReplySlip) -> list[Flowable]:
    """The 返信票 as flowables, filling one page."""
    register_font()
    st = _STYLES
    head = table([[text(slip.heading, st.title),
                   [qr_drawing(slip.sheet_number), text(slip.sheet_number, st.small)]]],
                 [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "CENTER")],
                 colWidths=[CONTENT_WIDTH - 40 * mm, 40 * mm])
    fax = slip.reply_fax or UNREGISTERED
    send_back = table([[text(f"返送先 FAX {fax}", _BIG)],
                       [text(f"{slip.reply_to}　担当 {slip.reply_contact or UNREGISTERED}"
                             f"　電話 {slip.reply_phone or UNREGISTERED}", st.body)]],
                      [("BOX", (0, 0), (-1, -1), 1.2, LINE), ("BACKGROUND", (0, 0), (-1, 0), SHADE)],
                      colWidths=[CONTENT_WIDTH])
    about = field_table([
        [("シート番号", slip.sheet_number), ("送付日", slip.sent_on)],
        [("送付先", slip.destination), ("回答期限", slip.reply_due or "（指定なし）")],
    ], st)
    blank = ""
    fill = table([
        [text("受理日", st.label), text(BLANK_DATE, st.body)],
        [text("ご担当者", st.label), text(f"（部署）{gap(40)}（氏名）", st.body)],
        [text("対応予定", st.label),
         text(checkboxes(REPLY_PLANS, ()) + f"\n予定日: {BLANK_DATE}", st.body)],
        [text("連絡事項", st.label), blank],
    ], [("GRID", (0, 0), (-1, -1), 0.5, LINE), ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP")],
        colWidths=[26 * mm, CONTENT_WIDTH - 26 * mm],
        rowHeights=[10 * mm, 12 * mm, 16 * mm, 110 * mm])
    return [
        head, Spacer(1, 2 * mm),
        text("連携シートを受け取られましたら、この返信票にご記入のうえ、この1枚のみを下記の FAX "
             "番号へご返送ください。個人名はお書きにならず、シート番号でご照合ください。", st.body),
        Spacer(1, 2 * mm), send_back, Spacer(1, 3 * mm), about, Spacer(1, 3 * mm), fill,
    ]


def render_reply_slip(slip: ReplySlip) -> bytes:
    """The 返信票 alone, as a one-page PDF."""
    return build_pdf(reply_slip_story(slip), title=f"返信票 {slip.sheet_number}",
                     document_number=f"シート番号 {slip.sheet_number}", notice=REPLY_NOTICE)
