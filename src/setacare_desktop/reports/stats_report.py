"""The statistics printout (福祉の相談窓口 相談件数): the period, the scope, the ward's own layout
first (相談先 | 件数), then one table per dimension. Labels and counts only: no personal data."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from setacare_desktop.domain.stats import REPORT_TITLE, StatsReport, StatsTable
from setacare_desktop.reports.common import (
    CONTENT_WIDTH,
    LINE,
    SHADE,
    Styles,
    build_pdf,
    field_table,
    register_font,
    section,
    table,
    text,
)

NOTICE = "取扱注意・庁内資料（集計値のみ。個人を特定できる情報は含みません）"
_COUNT_WIDTH = 30 * mm


def _table(t: StatsTable, styles: Styles, first_header: str) -> list[Flowable]:
    data = [[text(first_header, styles.label), text("件数", styles.label)]]
    commands: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("ALIGN", (1, 1), (1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]
    for line in t.lines:
        label = text("　" * line.indent + line.label, styles.body)
        data.append([label, f"{line.count:,}"])
    if t.total is not None:
        data.append([text("合計", styles.body), f"{t.total:,}"])
        commands.append(("BACKGROUND", (0, len(data) - 1), (-1, len(data) - 1), SHADE))
    if not t.lines:
        data.append([text("該当なし", styles.body), "0"])
    body: list[Flowable] = [table(data, commands, colWidths=[CONTENT_WIDTH - _COUNT_WIDTH,
                                                             _COUNT_WIDTH],
                                  repeatRows=1, hAlign="LEFT")]
    if t.note:
        body.append(text(f"注: {t.note}", styles.small))
    return section(t.title, body, styles)


def render_stats_report(report: StatsReport) -> bytes:
    register_font()
    styles = Styles()
    story: list[Flowable] = [
        text(REPORT_TITLE, styles.title),
        field_table([
            [("期間", report.period.label)],
            [("範囲", report.scope_label), ("作成日時", f"{report.generated_at:%Y-%m-%d %H:%M}")],
            [("相談件数", f"{report.total:,} 件")],
        ], styles),
        text("", styles.body),
    ]
    story += _table(report.ward_summary, styles, "相談先")
    for t in report.tables:
        story += _table(t, styles, "区分")
    return build_pdf(story, title=f"{REPORT_TITLE} {report.period.label}",
                     document_number=f"統計 {report.period.start}〜{report.period.end}",
                     notice=NOTICE)
