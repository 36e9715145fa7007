"""Two statistics reports side by side, as plain data (no reportlab: the command line and the
window format it without loading the PDF machinery)."""

from __future__ import annotations

from dataclasses import dataclass

from setacare_desktop.domain.stats import StatsReport, StatsTable


@dataclass(frozen=True, slots=True)
class StatsComparison:
    """Two reports of the same scope and tables: ``earlier`` and ``later`` period."""

    earlier: StatsReport
    later: StatsReport


def short_label(report: StatsReport) -> str:
    """The period's name without its dates: 「令和8年度」, 「令和8年11月」, or the dates."""
    label = report.period.label
    return label.split("（", 1)[0] if "（" in label else label


def difference(earlier: int, later: int) -> str:
    """「+1,291」, 「-3」, 「±0」."""
    change = later - earlier
    return f"{change:+,}" if change else "±0"


def compared_lines(earlier: StatsTable, later: StatsTable) -> list[tuple[str, int, int, int]]:
    """(label, earlier count, later count, indent) for every line of either table, in the later
    table's order, then the lines only the earlier one has."""
    before = {line.key: line for line in earlier.lines}
    rows = [(line.label, before[line.key].count if line.key in before else 0, line.count,
             line.indent) for line in later.lines]
    seen = {line.key for line in later.lines}
    rows += [(line.label, line.count, 0, line.indent) for line in earlier.lines
             if line.key not in seen]
    return rows
