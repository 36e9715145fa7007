"""同意書: the consent form the person (or a representative) reads and signs at the counter.

It carries the person's name, the wording read at the counter (``COUNTER_CONSENT_WORDING``), each
partner or destination with the purposes to agree to as tick boxes (同意する／同意しない), the date
and the signature (本人 or 代理人 with the relation). Once signed, the clerk records the decisions
as a written consent with the form signed (``services.sheets.record_signed_consent_form``).
The form stays at the office: its footer keeps the internal handling notice.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from setacare_desktop.reports.common import (
    CONTENT_WIDTH,
    HANDLING_NOTICE,
    LINE,
    SHADE,
    Styles,
    build_pdf,
    register_font,
    section,
    style,
    table,
    text,
)
from setacare_desktop.reports.reply_slip import BLANK_DATE, gap

_STYLES = Styles()
_FORM_NUMBER = style("consent-number", 9)
_NAME = style("consent-name", 13, leading=18)
_WORDING = style("consent-wording", 10, leading=16, borderWidth=0.5, borderColor=LINE,
                 borderPadding=(4, 5, 4, 5), leftIndent=5, rightIndent=5, spaceBefore=4,
                 spaceAfter=6)


@dataclass(frozen=True, slots=True)
class ConsentPurpose:
    label: str  # 情報共有 / 連携シートの送付
    explanation: str  # what that purpose means, in a few words


@dataclass(frozen=True, slots=True)
class ConsentForm:
    number: str  # 「様式第2号」, or ""
    title: str
    addressed_to: str  # the organisation asking: 「池尻あんしんすこやかセンター」
    person_name: str
    wording: str
    recipients: tuple[str, ...]  # the partners' and destinations' names
    purposes: tuple[ConsentPurpose, ...]
    explained_by: str  # the staff member who prints it and explains it
    document_number: str


def consent_form_story(form: ConsentForm) -> list[Flowable]:
    register_font()
    st = _STYLES
    head = [text(form.number, _FORM_NUMBER), text(form.title, st.title),
            text(f"{form.addressed_to}　宛", st.body), Spacer(1, 2 * mm),
            text(f"対象者　{form.person_name}　様", _NAME)]
    rows: list[list[object]] = [[text("提供先（機関・窓口）", st.label),
                                 *(text(p.label, st.label) for p in form.purposes)]]
    for recipient in form.recipients:
        rows.append([text(recipient, st.body),
                     *(text(f"□ 同意する{gap(3)}□ 同意しない", st.body) for _ in form.purposes)])
    width = (CONTENT_WIDTH * 0.6) / max(1, len(form.purposes))
    choices = table(rows, [("GRID", (0, 0), (-1, -1), 0.5, LINE),
                           ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                           ("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
                    colWidths=[CONTENT_WIDTH * 0.4, *([width] * len(form.purposes))],
                    repeatRows=1)
    legend = text("／".join(f"{p.label}: {p.explanation}" for p in form.purposes), st.small)
    signature = table([
        [text("同意日", st.label), text(BLANK_DATE, st.body)],
        [text("署名した人", st.label),
         text(f"□ 本人{gap(4)}□ 代理人（本人との続柄:{gap(24)}）", st.body)],
        [text("署名（自署）", st.label), ""],
    ], [("GRID", (0, 0), (-1, -1), 0.5, LINE), ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
        colWidths=[30 * mm, CONTENT_WIDTH - 30 * mm], rowHeights=[10 * mm, 10 * mm, 16 * mm])
    return [
        *head,
        *section("ご説明した内容", [text(form.wording, _WORDING)], st),
        *section("提供先と目的（それぞれ、どちらかに印をつけてください）", [legend, choices], st),
        text("同意しない場合も、相談はこれまでどおりお受けします。同意はいつでも取り消せます"
             "（窓口にお申し出ください）。", st.small),
        Spacer(1, 3 * mm),
        *section("署名", [signature], st),
        Spacer(1, 2 * mm),
        table([[text(f"説明した職員: {form.explained_by}", st.body),
                text("受付印", st.small)]],
              [("BOX", (1, 0), (1, 0), 0.5, LINE), ("VALIGN", (0, 0), (-1, -1), "TOP")],
              colWidths=[CONTENT_WIDTH - 24 * mm, 24 * mm], rowHeights=[20 * mm]),
    ]


def render_consent_form(form: ConsentForm) -> bytes:
    """The consent form as a PDF (one page for a district's partners and a few destinations)."""
    return build_pdf(consent_form_story(form),
                     title=f"{form.number} {form.title}".strip(),
                     document_number=form.document_number, notice=HANDLING_NOTICE)
