"""The day's consultation list of a district (相談受付一覧): one row per consultation, the header
row repeated on every page; a row the printing staff member sees masked shows initials and age
band only (the service fills it so), explained by the note under the list.

Column widths come from the widest value measured in the embedded font (``stringWidth``), so a
time, a number, a header or a 受付方法 never breaks inside; the terms of the reference lists
(相談者, 対象区分, 対応, 緊急) break between terms only (one term a line), never inside one; the
主訴 takes the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.intake import URGENCY_FLAGS
from setacare_desktop.reports.common import (
    CONTENT_WIDTH,
    FONT,
    LINE,
    SHADE,
    Styles,
    build_pdf,
    field_table,
    register_font,
    table,
    text,
)

COLUMNS = ("時刻", "No.", "対象者", "受付方法", "相談者", "対象区分", "主訴", "対応", "緊急")
TIME, NUMBER, PERSON, CHANNEL, CONSULTER, TARGETS, COMPLAINT, RESPONSE, URGENCY = range(9)
#: Never broken: as wide as the widest value or header.
_WHOLE = (TIME, NUMBER, CHANNEL)
#: Lists of terms: broken between terms only.
_TERMS = {CONSULTER: tuple(t.label for t in ref.CONSULTER_KINDS),
          TARGETS: tuple(t.label for t in ref.TARGET_GROUPS),
          RESPONSE: tuple(t.label for t in ref.RESPONSES),
          URGENCY: tuple(t.label for t in URGENCY_FLAGS)}
#: The widest a free-text column may take before it wraps (the 主訴 needs the room).
_CAP = {PERSON: 34 * mm, CONSULTER: 22 * mm, RESPONSE: 22 * mm, TARGETS: 26 * mm,
        URGENCY: 30 * mm}
_MIN_COMPLAINT = 32 * mm
_PAD = 3  # left and right cell padding, points
_SLACK = 1  # rounding: a value exactly as wide as its cell must not wrap
HEADER_SIZE, CELL_SIZE = 8, 7.5  # styles.label, styles.small


@dataclass(frozen=True, slots=True)
class DayListRow:
    time: str
    consultation_id: int
    person: str
    channel: str
    consulter: str
    target_groups: str
    main_complaint: str
    response: str
    urgency: str


@dataclass(frozen=True, slots=True)
class DayList:
    district: str
    day: str  # 和暦
    printed_by: str
    printed_on: str
    rows: tuple[DayListRow, ...]
    note: str = ""  # under the list: why some rows are masked


def _cells(r: DayListRow) -> tuple[str, ...]:
    return (r.time, str(r.consultation_id), r.person, r.channel, r.consulter, r.target_groups,
            r.main_complaint, r.response, r.urgency)


def split_terms(value: str, known: Sequence[str]) -> list[str]:
    """「虐待の疑い・生命・身体の危険」 → the terms it joins with 「・」, a known term whole even
    when it holds a 「・」 itself."""
    terms: list[str] = []
    rest = value
    by_length = sorted(known, key=len, reverse=True)
    while rest:
        term = next((k for k in by_length if rest.startswith(k)
                     and (len(rest) == len(k) or rest[len(k)] == "・")), None)
        if term is None:
            term = rest.split("・", 1)[0]
        terms.append(term)
        rest = rest[len(term) + 1:]
    return [t for t in terms if t]


def _width(value: str, size: float) -> float:
    return stringWidth(value, FONT, size)


def column_widths(rows: Iterable[Sequence[str]]) -> list[float]:
    """The width of each column (points, padding included), from the widest value.

    Each column but the 主訴 wants its widest value (a free-text column up to its cap) and needs
    at least its header (a list of terms: its widest term; a time, number or 受付方法: all of it).
    When what they want leaves the 主訴 less than its minimum, the free-text columns give up the
    same share of what they want beyond what they need."""
    rows = list(rows)
    want: list[float] = []
    need: list[float] = []
    for column, header in enumerate(COLUMNS):
        values = [row[column] for row in rows]
        head = _width(header, HEADER_SIZE)
        widest = max((_width(v, CELL_SIZE) for v in values), default=0)
        if column in _TERMS:
            floor = max((_width(t, CELL_SIZE) for v in values
                         for t in split_terms(v, _TERMS[column])), default=0)
        elif column in _WHOLE:
            floor = widest
        else:
            floor = 0
        if column in _CAP:
            widest = min(widest, _CAP[column] - 2 * _PAD)
        want.append(max(widest, floor, head) + 2 * _PAD + _SLACK)
        need.append(max(floor, head) + 2 * _PAD + _SLACK)
    want[COMPLAINT] = need[COMPLAINT] = 0
    room = CONTENT_WIDTH - _MIN_COMPLAINT
    if sum(want) > room:
        share = max(0.0, (room - sum(need)) / (sum(want) - sum(need)))
        want = [n + (w - n) * share for w, n in zip(want, need, strict=True)]
    want[COMPLAINT] = CONTENT_WIDTH - sum(want)
    return want


def _cell_text(column: int, value: str, width: float) -> str:
    if column in _TERMS and _width(value, CELL_SIZE) > width - 2 * _PAD:
        return "\n".join(split_terms(value, _TERMS[column]))
    return value


def render_day_list(day_list: DayList) -> bytes:
    register_font()
    styles = Styles()
    values = [_cells(r) for r in day_list.rows]
    widths = column_widths(values)
    data = [[text(c, styles.label) for c in COLUMNS]]
    for row in values:
        data.append([text(_cell_text(c, v, widths[c]), styles.small) for c, v in enumerate(row)])
    rows = table(data, [("GRID", (0, 0), (-1, -1), 0.5, LINE),
                        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
                        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD)],
                 colWidths=widths, repeatRows=1, hAlign="LEFT")
    story: list[Flowable] = [
        text("相談受付一覧", styles.title),
        field_table([
            [("地区", day_list.district), ("受付日", day_list.day)],
            [("件数", f"{len(day_list.rows)} 件"), ("印刷", f"{day_list.printed_on} {day_list.printed_by}")],
        ], styles),
        text("", styles.body),
        rows if day_list.rows else text("この日の相談はありません。", styles.boxed),
    ]
    if day_list.note:
        story.append(text(day_list.note, styles.small))
    return build_pdf(story, title=f"相談受付一覧 {day_list.district} {day_list.day}",
                     document_number=f"{day_list.district} {day_list.day}")
