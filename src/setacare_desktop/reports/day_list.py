"""The day's consultation list of a district (相談受付一覧): one row per consultation, the header
row repeated on every page; a row the printing staff member sees masked shows initials and age
band only (the service fills it so), explained by the note under the list."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from setacare_desktop.reports.common import (
    CONTENT_WIDTH,
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
_WIDTHS_MM = (11, 12, 24, 14, 14, 20, 0, 18, 16)  # 0: the rest (主訴)


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


def render_day_list(day_list: DayList) -> bytes:
    register_font()
    styles = Styles()
    fixed = sum(_WIDTHS_MM) * mm
    widths = [w * mm if w else CONTENT_WIDTH - fixed for w in _WIDTHS_MM]
    data = [[text(c, styles.label) for c in COLUMNS]]
    for r in day_list.rows:
        data.append([text(v, styles.small) for v in (
            r.time, str(r.consultation_id), r.person, r.channel, r.consulter, r.target_groups,
            r.main_complaint, r.response, r.urgency)])
    rows = table(data, [("GRID", (0, 0), (-1, -1), 0.5, LINE),
                        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                        ("VALIGN", (0, 0), (-1, -1), "TOP")],
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
