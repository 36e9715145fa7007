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

from setacare_desktop.reports.common import CONTENT_WIDTH, checkboxes, qr_modules
from setacare_desktop.reports.form_canvas import LEFT, SHADE, FormWriter, _f, fixed_glyphs

#: What the destination ticks under 対応予定.
REPLY_PLANS: tuple[str, ...] = ("訪問予定", "面談予定", "電話で連絡予定", "対応済み", "対応できない")
#: The handling notice of paper that leaves the office (the sheet and its 返信票).
SENT_NOTICE = "この用紙は送付先以外に転送・複写しないでください（個人情報を含みます）"
#: The 返信票's own footer: it carries no personal data, and says only where it may go.
REPLY_NOTICE = "この返信票には個人の情報を記載していません。送付元以外に転送・複写しないでください"
UNREGISTERED = "（未登録）"
_QR_SIZE = 30 * mm
#: The mask pattern of the QR code: any of the eight reads the same; choosing the "best" one is
#: most of the encoding time.
QR_MASK = 0


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


_INTRO = ("連携シートを受け取られましたら、この返信票にご記入のうえ、この1枚のみを下記の FAX "
          "番号へご返送ください。個人名はお書きにならず、シート番号でご照合ください。")
#: The slip's own words: drawn from the fixed subsets of the form font.
FIXED_TEXT = ("".join(REPLY_PLANS) + SENT_NOTICE + REPLY_NOTICE + UNREGISTERED + BLANK_DATE + _INTRO
              + "返送先担当電話受理日ご担当者（部署）（氏名）対応予定連絡事項予定日:回答期限（指定なし）"
              + "様式第1号の2返信票シート番号送付日送付先")
fixed_glyphs(FIXED_TEXT)


def draw_qr(w: FormWriter, value: str, x: float, y: float, size: float = _QR_SIZE) -> None:
    """``value`` as a QR code ``size`` wide, its bottom left corner at (x, y): one filled path
    of the dark modules (error correction M, a 4-module quiet zone)."""
    dark = qr_modules(value, QR_MASK)
    unit = size / (len(dark) + 8)
    # In module units: the rectangles are whole numbers.
    parts = [f"q {_f(unit)} 0 0 {_f(unit)} {_f(x)} {_f(y)} cm 0 g"]
    top = len(dark) + 4
    for row, line in enumerate(dark):
        col, n = 0, len(line)
        while col < n:
            if not line[col]:
                col += 1
                continue
            start = col
            while col < n and line[col]:
                col += 1
            parts.append(f"{start + 4} {top - row - 1} {col - start} 1 re")
    parts.append("f Q")
    w.raw(" ".join(parts))


def draw_reply_slip(w: FormWriter, slip: ReplySlip) -> None:
    """The 返信票 on the current page (it fills one)."""
    top = w.y
    head_height = 3 + _QR_SIZE + 10.875 + 3
    title_width = CONTENT_WIDTH - 40 * mm
    w.centred(LEFT + 6, title_width - 12, top - head_height / 2 - 6, slip.heading, 16)
    qr_x = LEFT + title_width + (40 * mm - _QR_SIZE) / 2
    draw_qr(w, slip.sheet_number, qr_x, top - 3 - _QR_SIZE)
    w.centred(LEFT + title_width, 40 * mm, top - 3 - _QR_SIZE - 7.5, slip.sheet_number, 7.5)
    w.y = top - head_height - 2 * mm
    w.paragraph(_INTRO)
    w.space(2 * mm)
    fax = slip.reply_fax or UNREGISTERED
    contact = (f"{slip.reply_to}　担当 {slip.reply_contact or UNREGISTERED}"
               f"　電話 {slip.reply_phone or UNREGISTERED}")
    lines = w.lines(contact, 9, CONTENT_WIDTH - 12)
    first, second = 18 + 6, len(lines) * 13.05 + 6
    w.rect(LEFT, w.y - first, CONTENT_WIDTH, first, fill=SHADE, stroke=0)
    w.text(LEFT + 6, w.y - 3 - 13, f"返送先 FAX {fax}", 13)
    for k, line in enumerate(lines):
        w.text(LEFT + 6, w.y - first - 3 - 9 - k * 13.05, line, 9)
    w.rect(LEFT, w.y - first - second, CONTENT_WIDTH, first + second, stroke=1.2)
    w.y -= first + second + 3 * mm
    w.field_rows([
        [("シート番号", slip.sheet_number), ("送付日", slip.sent_on)],
        [("送付先", slip.destination), ("回答期限", slip.reply_due or "（指定なし）")],
    ])
    w.space(3 * mm)
    label_width = 26 * mm
    rows = (("受理日", BLANK_DATE, 10 * mm), ("ご担当者", f"（部署）{gap(40)}（氏名）", 12 * mm),
            ("対応予定", checkboxes(REPLY_PLANS, ()) + f"\n予定日: {BLANK_DATE}", 16 * mm),
            ("連絡事項", "", 110 * mm))
    for label, value, height in rows:
        bottom = w.y - height
        w.rect(LEFT, bottom, label_width, height, fill=SHADE)
        w.rect(LEFT + label_width, bottom, CONTENT_WIDTH - label_width, height)
        w.text(LEFT + 6, w.y - 3 - 8, label, 8)
        for k, line in enumerate(value.split("\n") if value else ()):
            w.text(LEFT + label_width + 6, w.y - 3 - 9 - k * 13.05, line, 9)
        w.y = bottom


def render_reply_slip(slip: ReplySlip) -> bytes:
    """The 返信票 alone, as a one-page PDF."""
    w = FormWriter(title=f"返信票 {slip.sheet_number}",
                   document_number=f"シート番号 {slip.sheet_number}", notice=REPLY_NOTICE,
                   )
    draw_reply_slip(w, slip)
    return w.finish()
