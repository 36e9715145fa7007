"""The statistics printout (福祉の相談窓口 相談件数): the period, the scope, the ward's own layout
first (相談先 | 件数), then one table per dimension, each with the window's bar chart under it.
Labels and counts only: no personal data.

The comparison of two periods (:class:`StatsComparison`: this fiscal year beside the last, or any
two) sets them side by side as the ward's own table does (相談先 | 平成28年度 | 令和6年度):
the earlier period, the later, and the difference, with a chart of two bars a line.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from setacare_desktop.domain.stats import REPORT_TITLE, StatsReport, StatsTable
from setacare_desktop.reports.charts import bar_chart
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
from setacare_desktop.reports.comparison import (
    StatsComparison,
    compared_lines,
    difference,
    short_label,
)

NOTICE = "取扱注意・庁内資料（集計値のみ。個人を特定できる情報は含みません）"
COMPARISON_TITLE = f"{REPORT_TITLE}（期間の比較）"
_COUNT_WIDTH = 30 * mm
_COMPARE_WIDTH = 27 * mm
#: A table longer than this gets no chart (the つなぎ先 of a ward year: the table says it all).
MAX_CHART_LINES = 40


def _commands() -> list[tuple[object, ...]]:
    return [("GRID", (0, 0), (-1, -1), 0.5, LINE), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("FONTSIZE", (0, 0), (-1, -1), 9)]


def _chart(t: StatsTable, styles: Styles) -> list[Flowable]:
    if not t.lines or len(t.lines) > MAX_CHART_LINES:
        return []
    return [Spacer(1, 2 * mm), bar_chart([line.label for line in t.lines],
                                         [[line.count for line in t.lines]], CONTENT_WIDTH)]


def _table(t: StatsTable, styles: Styles, first_header: str) -> list[Flowable]:
    data = [[text(first_header, styles.label), text("件数", styles.label)]]
    commands = _commands()
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
    body += _chart(t, styles)
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


# --- two periods side by side ---------------------------------------------------------------


def _compared_table(earlier: StatsTable, later: StatsTable, names: tuple[str, str],
                    styles: Styles, first_header: str) -> list[Flowable]:
    data: list[list[object]] = [[text(h, styles.label) for h in (first_header, *names, "増減")]]
    commands = _commands()
    rows = compared_lines(earlier, later)
    for label, before, after, indent in rows:
        data.append([text("　" * indent + label, styles.body), f"{before:,}", f"{after:,}",
                     difference(before, after)])
    if later.total is not None and earlier.total is not None:
        data.append([text("合計", styles.body), f"{earlier.total:,}", f"{later.total:,}",
                     difference(earlier.total, later.total)])
        commands.append(("BACKGROUND", (0, len(data) - 1), (-1, len(data) - 1), SHADE))
    if not rows:
        data.append([text("該当なし", styles.body), "0", "0", "±0"])
    widths = [CONTENT_WIDTH - 3 * _COMPARE_WIDTH] + [_COMPARE_WIDTH] * 3
    body: list[Flowable] = [table(data, commands, colWidths=widths, repeatRows=1,
                                  hAlign="LEFT")]
    if later.note:
        body.append(text(f"注: {later.note}", styles.small))
    if rows and len(rows) <= MAX_CHART_LINES:
        body += [Spacer(1, 2 * mm), bar_chart([r[0] for r in rows], [[r[1] for r in rows],
                                                                     [r[2] for r in rows]],
                                              CONTENT_WIDTH, names=names)]
    return section(later.title, body, styles)


def render_stats_comparison(comparison: StatsComparison) -> bytes:
    """The two periods side by side (earlier | later | 増減), each table with a two-bar chart."""
    register_font()
    styles = Styles()
    earlier, later = comparison.earlier, comparison.later
    names = (short_label(earlier), short_label(later))
    if names[0] == names[1]:
        names = (f"{names[0]}（前）", f"{names[1]}（後）")
    story: list[Flowable] = [
        text(COMPARISON_TITLE, styles.title),
        field_table([
            [("期間（前）", earlier.period.label)],
            [("期間（後）", later.period.label)],
            [("範囲", later.scope_label), ("作成日時", f"{later.generated_at:%Y-%m-%d %H:%M}")],
            [("相談件数", f"{earlier.total:,} 件 → {later.total:,} 件"
                          f"（{difference(earlier.total, later.total)}）")],
        ], styles),
        text("", styles.body),
    ]
    story += _compared_table(earlier.ward_summary, later.ward_summary, names, styles, "相談先")
    before = {t.dimension: t for t in earlier.tables}
    for t in later.tables:
        if t.dimension in before:
            story += _compared_table(before[t.dimension], t, names, styles, "区分")
    return build_pdf([KeepTogether(story[:3]), *story[3:]],
                     title=f"{COMPARISON_TITLE} {names[0]}・{names[1]}",
                     document_number=(f"統計比較 {names[0]}・{names[1]}"
                                      if max(map(len, names)) <= 12 else "統計比較 2期間"),
                     notice=NOTICE, subject="福祉の相談窓口の相談件数の2期間の比較（集計値のみ）")
