"""FAX送付状: the cover sheet sent before a liaison sheet by FAX.

It names the destination and the sender with their FAX and phone numbers, the date, the number of
pages with itself, and one line of purpose — and nothing of the person: a cover sheet is read by
whoever stands at the destination's FAX, and one sent to a wrong number must give nothing away.
The sheet it announces carries its own sheet number, which the purpose line repeats.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from setacare_desktop.reports.common import (
    CONTENT_WIDTH,
    LINE,
    SHADE,
    Styles,
    build_pdf,
    field_table,
    register_font,
    section,
    style,
    table,
    text,
)
from setacare_desktop.reports.reply_slip import UNREGISTERED

_STYLES = Styles()
_BIG = style("fax-big", 14, leading=20)
_NUMBER = style("fax-number", 9, alignment=2)
#: The footer of the cover sheet: it holds nothing personal, but says what to do if misdirected.
COVER_NOTICE = "誤って届いた場合は、お手数ですが送付元へお電話のうえ、送付状と後続の用紙を破棄してください"


@dataclass(frozen=True, slots=True)
class FaxParty:
    organisation: str
    section: str
    person: str
    phone: str
    fax: str
    address: str = ""


@dataclass(frozen=True, slots=True)
class FaxCover:
    heading: str  # 「FAX送付状」, with the form number if one is set
    number: str  # the form number alone, "" when none
    sent_on: str  # 和暦
    destination: FaxParty
    sender: FaxParty
    pages: int  # with the cover sheet itself
    purpose: str  # one line: 「連携シート（シート番号 …）の送付」
    document_number: str  # what the footer names (the sheet number it announces)


def _or_unset(value: str) -> str:
    return value or UNREGISTERED


def fax_cover_story(cover: FaxCover) -> list[Flowable]:
    register_font()
    st = _STYLES
    d, s = cover.destination, cover.sender
    head = table([[text(cover.heading, st.title), text(f"送付日 {cover.sent_on}", _NUMBER)]],
                 [("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
                 colWidths=[CONTENT_WIDTH * 0.7, CONTENT_WIDTH * 0.3])
    to = table([[text(f"{d.organisation}　{d.section}", _BIG)],
                [text(f"{d.person or 'ご担当者'} 様", st.body)],
                [text(f"FAX {_or_unset(d.fax)}　　電話 {_or_unset(d.phone)}", st.body)]],
               [("BOX", (0, 0), (-1, -1), 1.2, LINE), ("BACKGROUND", (0, 0), (-1, 0), SHADE)],
               colWidths=[CONTENT_WIDTH])
    sender = field_table([
        [("送付元", s.organisation)],
        [("部署・地区", s.section), ("担当者", _or_unset(s.person))],
        [("電話", _or_unset(s.phone)), ("FAX", _or_unset(s.fax))],
        [("所在地", _or_unset(s.address))],
    ], st)
    facts = field_table([
        [("送付枚数", f"{cover.pages}枚（この送付状を含む）")],
        [("用件", cover.purpose)],
    ], st)
    return [
        head, Spacer(1, 4 * mm), text("宛先", st.label), to, Spacer(1, 4 * mm),
        *section("送付元", [sender], st), Spacer(1, 2 * mm), facts, Spacer(1, 4 * mm),
        text("いつもお世話になっております。上記のとおり送付いたします。枚数が足りない場合や"
             "読み取れない場合は、送付元までお電話ください。最終ページの返信票は、ご記入のうえ"
             "その1枚のみを送付元の FAX 番号へご返送ください。", st.boxed),
        text("この送付状には個人情報を記載していません。", st.small),
    ]


def render_fax_cover(cover: FaxCover) -> bytes:
    """The cover sheet as a one-page PDF."""
    return build_pdf(fax_cover_story(cover), title=cover.heading,
                     document_number=cover.document_number, notice=COVER_NOTICE)
