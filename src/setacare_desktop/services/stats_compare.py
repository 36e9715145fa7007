"""Two periods side by side (this fiscal year beside the last, or any two): the statistics use
case (``services.stats.compute``) run for each period with the same scope and tables.

``compare`` is one use case of two read transactions, one per period (``compute`` owns its
transaction: each period is counted consistently in itself, and each count is audited as a
``stats`` row, as if the supervisor had asked for the two reports one after the other).
Refusals (a clerk, a district outside the scope) come from ``compute`` and are audited there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.stats import Dimension, Period
from setacare_desktop.reports.comparison import (
    StatsComparison,
    compared_lines,
    difference,
    short_label,
)
from setacare_desktop.services import stats
from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database

__all__ = ["StatsComparison", "archival_pdf", "compare", "compared_lines", "comparison_pdf",
           "difference", "export_comparison", "previous_year", "short_label"]


def previous_year(period: Period) -> Period:
    """The same period a year earlier (a fiscal year: the last one; a month: that month last
    year; 29 February: the 28th)."""
    def back(day: date) -> date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)

    if period == Period.fiscal_year(period.start.year):
        return Period.fiscal_year(period.start.year - 1)
    if period.start.day == 1 and period == Period.month(period.start.year, period.start.month):
        return Period.month(period.start.year - 1, period.start.month)
    return Period(back(period.start), back(period.end))


@use_case(sessions=2)
def compare(db: Database, actor: StaffProfile, later: Period, earlier: Period | None = None,
            dimensions: Sequence[Dimension] | None = None,
            district_codes: Sequence[str] | None = None, *,
            now: datetime | None = None) -> StatsComparison:
    """Count ``earlier`` (default: ``later`` a year before) and ``later`` with the same scope and
    tables. Two sessions: one read transaction per period (see the module docstring)."""
    earlier = earlier or previous_year(later)
    if earlier == later:
        raise ValidationError([Problem("比較する期間", "同じ期間どうしは比較できません")])
    first, second = sorted((earlier, later), key=lambda p: (p.start, p.end))
    reports = [stats.compute(db, actor, p, dimensions, district_codes, now=now)
               for p in (first, second)]
    return StatsComparison(reports[0], reports[1])


def comparison_pdf(comparison: StatsComparison) -> bytes:
    """The comparison on A4 (reports.stats_report)."""
    from setacare_desktop.reports.stats_report import render_stats_comparison

    return render_stats_comparison(comparison)


def archival_pdf(pdf: bytes) -> bytes:
    """A statistics PDF as kept in a file: PDF/A-2b (``reports.metadata.archival_copy``)."""
    from setacare_desktop.reports.metadata import archival_copy  # reportlab, pikepdf: when used

    return archival_copy(pdf)


@use_case
def export_comparison(db: Database, actor: StaffProfile, comparison: StatsComparison, path: Path,
                      data: bytes, *, replace: bool = False) -> None:
    """Write the comparison's PDF, audited as an export of the later period's statistics (the
    detail names the earlier period)."""
    earlier = comparison.earlier.period
    stats.export_file(db, actor, comparison.later, path, data,
                      fmt=f"pdf 比較 {earlier.start}..{earlier.end}", replace=replace)

