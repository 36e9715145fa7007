"""Statistics (統計) for supervisors and administrators: counts only, never personal data.

:func:`compute` reads the statistics summary (``store.stats_summary``: counts per district, day
and month, kept up to date by every save) within the caller's scope, counts the referrals in
SQL, and returns a ``domain.stats.StatsReport``; the counting rules are ``domain.stats``
(docs/statistics.md). A supervisor sees the districts whose cases they may read; an
administrator the whole ward (counts only); counter clerks and consultants are refused. Every
computation is audited.

The exports (:func:`export_csv`, :func:`export_xlsx`, :func:`export_json`, :func:`report_pdf`) work
on the report alone: labels and counts, every text cell of a spreadsheet neutralised against
formula injection. :func:`export_file` writes one and audits it (``stats_export``) only once the
file is written, a failure as ``stats_export_failed`` (``services.exports``); :func:`record_print`
audits a print job (``stats_print`` / ``stats_print_failed``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain import roles
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.referral import CLOSED_STATUSES
from setacare_desktop.domain.roles import Role, StaffProfile
from setacare_desktop.domain.stats import (
    REPORT_TITLE,
    Counts,
    Dimension,
    Period,
    StatsReport,
    StatsTable,
    build_report,
    neutralise,
    overdue_cutoff,
    scope_label,
)
from setacare_desktop.services import audit, exports
from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.services.guard import deny
from setacare_desktop.services.unit import use_case
from setacare_desktop.store import stats_summary
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    Consultation,
    DirService,
    Referral,
)

ACTION = "stats"
EXPORT_ACTION = "stats_export"
PRINT_ACTION = "stats_print"
REFUSAL = "統計は監督者・管理者のみ表示できます。"
_NEED_REFERRALS = {Dimension.DESTINATION, Dimension.OUTCOME}


@use_case
def scope_of(db: Database, actor: StaffProfile,
             district_codes: Sequence[str] | None = None) -> list[str]:
    """The districts ``actor``'s statistics cover (the ward's order); refuses (audited) a clerk,
    a consultant, or a district outside the caller's scope."""
    return _scope(actor, district_codes)


def _scope(actor: StaffProfile, district_codes: Sequence[str] | None) -> list[str]:
    if actor.role is Role.ADMINISTRATOR:
        allowed = list(ref.DISTRICTS_BY_CODE)
    elif actor.role is Role.SUPERVISOR:
        allowed = roles.readable_districts(actor)
    else:
        allowed = []
    if not allowed:
        raise deny(actor, ACTION, REFUSAL)
    if not district_codes:
        return allowed
    unknown = [c for c in district_codes if c not in ref.DISTRICTS_BY_CODE]
    if unknown:
        raise ValidationError([Problem("地区", f"「{c}」は地区ではありません")
                               for c in unknown])
    outside = [c for c in district_codes if c not in allowed]
    if outside:
        raise deny(actor, ACTION, "この地区の統計を表示する権限がありません。",
                   entity="district", entity_id=outside[0])
    chosen = set(district_codes)
    return [c for c in ref.DISTRICTS_BY_CODE if c in chosen]


@use_case
def compute(db: Database, actor: StaffProfile, period: Period,
            dimensions: Sequence[Dimension] | None = None,
            district_codes: Sequence[str] | None = None, *,
            now: datetime | None = None) -> StatsReport:
    """Count the consultations (and referrals) of ``period`` in the caller's scope.

    ``dimensions``: the tables wanted, in order (default: all); ``district_codes``: narrow the
    scope (each must be within it); ``now``: the time the report is made (local time; default:
    now), which also decides which referrals are overdue.
    """
    districts = _scope(actor, district_codes)
    now = now or local_now()
    chosen = list(dict.fromkeys(dimensions)) if dimensions else list(Dimension)
    whole_ward = len(districts) == len(ref.DISTRICTS_BY_CODE)
    with db.transaction() as session:
        scope = None if whole_ward else districts
        # The statistics summary that every save keeps up to date (store.stats_summary).
        margins = stats_summary.margins(session, period.start, period.end, scope)
        elements = dict(margins.pop(stats_summary.ELEMENT, {}))
        without = elements.pop(stats_summary.NO_ELEMENT, 0)
        destinations: dict[str, int] = {}
        outcomes: dict[str, int] = {}
        overdue = 0
        if _NEED_REFERRALS & set(chosen):
            destinations, outcomes, overdue = _referrals(
                session, period, scope, overdue_cutoff(period, now.date()))
        counts = Counts((), elements, without, destinations, outcomes, overdue, margins)
        audit.record(session, actor, ACTION, entity="period",
                     entity_id=f"{period.start}..{period.end}", detail=",".join(districts))
    return build_report(counts, period, scope_label(districts), now, districts, chosen)


def _referrals(session: Session, period: Period, districts: list[str] | None,
               cutoff: date) -> tuple[dict[str, int], dict[str, int], int]:
    """One pass over the referrals of the period: by destination and status, with the overdue.

    ``service_id + 0`` keeps SQLite from walking the service index (a random read per row); a
    plain scan of the referral table is several times faster (bench/stats_bench.py).
    """
    condition = Referral.referred_on.between(period.start, period.end)
    service = Referral.service_id + literal_column("0")  # inline: identical in GROUP BY
    query = select(service, Referral.status, func.count(), func.sum(case(
        (and_(Referral.status.not_in([s.value for s in CLOSED_STATUSES]),
              Referral.reply_due.is_not(None), Referral.reply_due < cutoff), 1), else_=0)))
    if districts is not None:
        query = query.join(Consultation, Consultation.id == Referral.consultation_id)
        condition = and_(condition, Consultation.district_code.in_(districts))
    rows = session.execute(query.where(condition)
                           .group_by(service, Referral.status)).all()
    names: dict[int, str] = {
        service_id: name for service_id, name in session.execute(
            select(DirService.id, DirService.name)
            .where(DirService.id.in_({row[0] for row in rows})))}
    destinations: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    overdue = 0
    for service_id, status, n, late in rows:
        name = names.get(service_id, f"（つなぎ先 {service_id}）")
        destinations[name] = destinations.get(name, 0) + int(n)
        outcomes[status] = outcomes.get(status, 0) + int(n)
        overdue += int(late or 0)
    return destinations, outcomes, overdue


# --- exports ---------------------------------------------------------------------------------------


def _generated(report: StatsReport) -> str:
    return f"{report.generated_at:%Y-%m-%d %H:%M}"


def _header_rows(report: StatsReport) -> list[list[str | int]]:
    return [[REPORT_TITLE], ["期間", report.period.label], ["範囲", report.scope_label],
            ["作成日時", _generated(report)], ["相談件数", report.total]]


def _cells(row: Sequence[str | int]) -> list[str | int]:
    """Text through ``neutralise``; numbers stay numbers."""
    return [neutralise(cell) if isinstance(cell, str) else cell for cell in row]


def _line_label(label: str, indent: int) -> str:
    return "　" * indent + label


def _tables(report: StatsReport) -> tuple[StatsTable, ...]:
    return (report.ward_summary, *report.tables)


def export_csv(report: StatsReport) -> bytes:
    """CSV for Excel: UTF-8 with a BOM, CRLF; the header rows, then each table (a title row,
    「区分, 件数」, its lines, 合計, a note). Counts are bare numbers; text cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in _header_rows(report):
        writer.writerow(_cells(row))
    for table in _tables(report):
        writer.writerow([])
        writer.writerow([neutralise(table.title)])
        writer.writerow(["区分", "件数"])
        for line in table.lines:
            writer.writerow([neutralise(_line_label(line.label, line.indent)), line.count])
        if table.total is not None:
            writer.writerow(["合計", table.total])
        if table.note:
            writer.writerow([neutralise(f"注: {table.note}")])
    return out.getvalue().encode("utf-8-sig")


def _sheet_title(title: str, used: set[str]) -> str:
    cleaned = "".join("・" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "表"
    candidate, n = cleaned, 2
    while candidate in used:
        candidate = f"{cleaned[:28]}({n})"
        n += 1
    used.add(candidate)
    return candidate


def export_xlsx(report: StatsReport) -> bytes:
    """An Excel workbook: 「区の様式」 (the ward summary), then one sheet per table. Counts are
    numbers; text cells neutralised; header rows bold; column widths set."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    book = Workbook()
    used: set[str] = set()
    for index, table in enumerate(_tables(report)):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = _sheet_title("区の様式" if index == 0 else table.title, used)
        for row in _header_rows(report):
            sheet.append(_cells(row))
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([])
        sheet.append([neutralise(table.title)])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.append(["相談先" if index == 0 else "区分", "件数"])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for line in table.lines:
            sheet.append([neutralise(_line_label(line.label, line.indent)), line.count])
            if line.indent:
                sheet.cell(sheet.max_row, 1).alignment = Alignment(indent=line.indent * 2)
        if table.total is not None:
            sheet.append(["合計", table.total])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        if table.note:
            sheet.append([])
            sheet.append([neutralise(f"注: {table.note}")])
        widest = max((len(line.label) + 2 * line.indent for line in table.lines), default=8)
        sheet.column_dimensions["A"].width = min(max(widest * 2 + 2, 16), 60)
        sheet.column_dimensions["B"].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table_json(table: StatsTable) -> dict[str, Any]:
    return {"dimension": table.dimension.value, "title": table.title, "total": table.total,
            "note": table.note,
            "lines": [{"key": line.key, "label": line.label, "count": line.count,
                       "indent": line.indent} for line in table.lines]}


def export_json(report: StatsReport) -> str:
    """The report as JSON (UTF-8 text, Japanese kept as is)."""
    return json.dumps({
        "title": REPORT_TITLE,
        "period": {"start": report.period.start.isoformat(),
                   "end": report.period.end.isoformat(), "label": report.period.label},
        "scope": report.scope_label,
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "total": report.total,
        "ward_summary": _table_json(report.ward_summary),
        "tables": [_table_json(t) for t in report.tables],
    }, ensure_ascii=False, indent=2)


def report_pdf(report: StatsReport) -> bytes:
    """The report on A4 (reports.stats_report)."""
    from setacare_desktop.reports.stats_report import render_stats_report

    return render_stats_report(report)


# --- the outputs, audited once they exist ---------------------------------------------------------


@use_case
def export_file(db: Database, actor: StaffProfile, report: StatsReport, path: Path,
                data: bytes, *, fmt: str, replace: bool = False) -> None:
    """Write ``data`` (``report`` as made by :func:`export_csv` … ; ``fmt`` names the format for
    the audit) to ``path``, then audit ``stats_export``; a failed write is audited as
    ``stats_export_failed`` and raised. ``replace``: the user said to replace an existing file."""
    _scope(actor, None)
    exports.write_export(db, actor, {path: data}, replace=replace, action=EXPORT_ACTION,
                         entity="period", entity_id=_period_id(report),
                         detail=f"{fmt}: {report.scope_label}")


@use_case
def record_print(db: Database, actor: StaffProfile, report: StatsReport, *, ok: bool) -> None:
    """Audit a print of the report's PDF: the printer accepted the job, or did not."""
    _scope(actor, None)
    exports.record_outcome(db, actor, PRINT_ACTION, ok=ok, entity="period",
                           entity_id=_period_id(report), detail=report.scope_label)


def _period_id(report: StatsReport) -> str:
    return f"{report.period.start}..{report.period.end}"
