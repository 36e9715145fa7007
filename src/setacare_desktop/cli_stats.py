"""``setacare stats``: the statistics (統計) of a period, as a table, CSV, Excel, JSON or PDF.

    setacare stats --from 2026-04-01 --to 2027-03-31 [--by 対象 …] [--district 池尻 …]
                   [--format table|csv|xlsx|json|pdf] [--out FILE] --as LOGIN [--password-stdin]
    setacare stats --fiscal-year 2026 …    setacare stats --month 2026-11 …
    setacare stats --fiscal-year 2026 --compare [--compare-fiscal-year 2016 | --compare-from …]
                   [--format table|pdf] …

Acts as a staff member (``--as LOGIN``), logged in and out by ``cli`` (which registers this command
and hands over its login helpers): only supervisors and administrators may run it, and each run is
audited. Bad input exits with 2 naming the option; a refusal exits with 1.

A file (``--out``) is written before its export is audited (``stats_export``, or
``stats_export_failed``: ``services.exports``); an existing file is replaced only with
``--force``. Standard output is a display, covered by the computation's own ``stats`` row.

``--compare`` sets the period beside another (``services.stats_compare``): by default the same
period a year earlier (this fiscal year beside the last), or the one given with
``--compare-fiscal-year``, ``--compare-month`` or ``--compare-from``/``--compare-to``; as a
table or a PDF (the earlier period, the later and the difference, with charts).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import IO, Any

from setacare_desktop.cli_input import add_force, out_target
from setacare_desktop.domain.jpdate import MAX_YEAR, MIN_YEAR
from setacare_desktop.domain.stats import REPORT_TITLE, Dimension, Period, StatsReport
from setacare_desktop.services import Database, StaffProfile, stats, stats_compare, system
from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.services.inputs import date_field, district_field
from setacare_desktop.services.stats_compare import (
    StatsComparison,
    compared_lines,
    difference,
    short_label,
)
from setacare_desktop.settings import Settings

EXIT_OK = 0
FORMATS = ("table", "csv", "xlsx", "json", "pdf")
COMPARE_FORMATS = ("table", "pdf")
_BINARY = {"xlsx", "pdf"}

PasswordOf = Callable[[argparse.Namespace, IO[str]], str]
ActingAs = Callable[[Database, str, str], AbstractContextManager[StaffProfile]]


def add_commands(commands: Any, location: argparse.ArgumentParser,
                 acting: argparse.ArgumentParser) -> None:
    """Add ``stats`` to the ``setacare`` parser."""
    keys = "、".join(f"{d.label}（{d.value}）" for d in Dimension)
    p = commands.add_parser(
        "stats", parents=[location, acting], help="相談件数の統計を表示・書き出す（監督者・管理者）",
        description="期間内の相談件数を、区の様式（相談先別）と、受付機関・地区・地域・対象・要素・"
                    "受付方法・対応・つなぎ先・つなぎの結果別に集計します。個人情報は含みません。"
                    "監督者は閲覧できる地区、管理者は区全体です。集計は監査記録に残ります。",
        epilog="例: setacare stats --fiscal-year 2026 --as kantoku01\n"
               "    setacare stats --from R8.4.1 --to R8.4.30 --by 対象 --by 要素 --as kantoku01\n"
               "    setacare stats --month 2026-11 --format xlsx --out toukei.xlsx --as kanri\n"
               "    setacare stats --fiscal-year 2026 --compare --format pdf --out hikaku.pdf "
               "--as kanri")
    p.add_argument("--from", dest="date_from", metavar="DATE",
                   help="開始日（2026-11-24、R8.11.24、令和8年11月24日 など）")
    p.add_argument("--to", dest="date_to", metavar="DATE",
                   help="終了日（その日を含む。省略すると開始日と同じ日）")
    p.add_argument("--fiscal-year", metavar="YEAR",
                   help="年度（例: 2026 または R8。4月1日〜翌年3月31日）")
    p.add_argument("--month", metavar="YYYY-MM", help="月（例: 2026-11）")
    p.add_argument("--by", action="append", metavar="KEY",
                   help=f"集計する区分（繰り返し指定可、省略するとすべて）: {keys}")
    p.add_argument("--district", action="append", metavar="地区",
                   help="地区を絞る（繰り返し指定可。例: 池尻、ikejiri）")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="出力形式: table（画面）・csv・xlsx・json・pdf（既定: table）")
    p.add_argument("--out", metavar="FILE",
                   help="書き出すファイル（csv・json は省略すると標準出力。xlsx・pdf は必須）")
    p.add_argument("--compare", action="store_true",
                   help="別の期間と並べて比較する（既定: 1年前の同じ期間。年度なら前年度）")
    p.add_argument("--compare-fiscal-year", metavar="YEAR",
                   help="比較する年度（--compare と一緒に。例: 2016 または R1）")
    p.add_argument("--compare-month", metavar="YYYY-MM", help="比較する月（--compare と一緒に）")
    p.add_argument("--compare-from", metavar="DATE", help="比較する期間の開始日（--compare と一緒に）")
    p.add_argument("--compare-to", metavar="DATE", help="比較する期間の終了日")
    add_force(p)


def _period(args: argparse.Namespace) -> Period:
    given = [name for name, value in (("--from", args.date_from), ("--fiscal-year",
                                                                    args.fiscal_year),
                                      ("--month", args.month)) if value]
    if args.date_to and not args.date_from:
        raise ValidationError([Problem("--from", "--to と一緒に開始日を指定してください")])
    if not given:
        raise ValidationError([Problem(
            "--from", "期間を --from/--to、--fiscal-year、--month のいずれかで指定してください")])
    if len(given) > 1:
        raise ValidationError([Problem(given[1], f"{given[0]} と同時には指定できません")])
    if args.fiscal_year:
        text = unicodedata.normalize("NFKC", args.fiscal_year).strip().upper()
        match = re.fullmatch(r"(?:R|令和)(元|\d{1,2})年?度?", text)
        year = None
        if match:
            year = 2018 + (1 if match[1] == "元" else int(match[1]))
        elif re.fullmatch(r"\d{4}年?度?", text):
            year = int(text[:4])
        if year is not None:
            _check_year(year, "--fiscal-year")
            return Period.fiscal_year(year)
        raise ValidationError([Problem("--fiscal-year", "年度は 2026 や R8 のように指定して"
                                                              "ください")])
    if args.month:
        text = unicodedata.normalize("NFKC", args.month).strip()
        match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?", text)
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValidationError([Problem("--month", "月は 2026-11 のように指定してください")])
        _check_year(int(match[1]), "--month")
        return Period.month(int(match[1]), int(match[2]))
    problems = []
    start = end = None
    for option, text in (("--from", args.date_from), ("--to", args.date_to or args.date_from)):
        try:
            day = date_field(text, option)
        except ValidationError as error:
            problems += error.problems
            continue
        if option == "--from":
            start = day
        else:
            end = day
    if problems:
        raise ValidationError(problems)
    assert isinstance(start, date) and isinstance(end, date)
    if start > end:
        raise ValidationError([Problem("--to", "終了日が開始日より前です")])
    return Period(start, end)


def _compare_period(args: argparse.Namespace) -> Period | None:
    """The period to compare with: None for the default (a year earlier)."""
    given = {"--compare-fiscal-year": args.compare_fiscal_year, "--compare-month":
             args.compare_month, "--compare-from": args.compare_from,
             "--compare-to": args.compare_to}
    named = [option for option, value in given.items() if value]
    if not args.compare:
        if named:
            raise ValidationError([Problem(named[0], "--compare と一緒に指定してください")])
        return None
    if not named:
        return None
    shifted = argparse.Namespace(date_from=args.compare_from, date_to=args.compare_to,
                                 fiscal_year=args.compare_fiscal_year, month=args.compare_month)
    try:
        return _period(shifted)
    except ValidationError as error:
        # name the --compare-… option the user typed, not the main period's
        raise ValidationError([Problem(p.field if p.field.startswith("--compare")
                                       else p.field.replace("--", "--compare-", 1), p.message)
                               for p in error.problems]) from error


def _check_year(year: int, option: str) -> None:
    # A fiscal year ends in the next calendar year: the last one must still be a valid date.
    if not MIN_YEAR <= year < MAX_YEAR:
        raise ValidationError([Problem(option, f"{MIN_YEAR}年から{MAX_YEAR - 1}年までで"
                                                    "指定してください")])


def _dimensions(texts: list[str] | None) -> list[Dimension] | None:
    if not texts:
        return None
    result, problems = [], []
    for text in (part for t in texts for part in re.split(r"[,、，]", t) if part.strip()):
        try:
            result.append(Dimension.parse(text))
        except ValueError:
            problems.append(Problem("--by", f"「{text}」は集計の区分ではありません（"
                                                 f"{'・'.join(d.label for d in Dimension)}）"))
    if problems:
        raise ValidationError(problems)
    return result


def _districts(texts: list[str] | None) -> list[str] | None:
    if not texts:
        return None
    result, problems = [], []
    for text in texts:
        try:
            result.append(district_field(text, "--district").code)
        except ValidationError as error:
            problems += error.problems
    if problems:
        raise ValidationError(problems)
    return result


def run(args: argparse.Namespace, settings: Settings, password_of: PasswordOf,
        acting_as: ActingAs) -> int:
    # Every argument is checked before the password is read or the database opened.
    period = _period(args)
    earlier = _compare_period(args)
    dimensions = _dimensions(args.by)
    districts = _districts(args.district)
    if args.compare and args.format not in COMPARE_FORMATS:
        raise ValidationError([Problem("--format", "比較は table か pdf で出力してください")])
    if args.out is not None:
        out_target(args.out, replace=args.force)
    if args.format in _BINARY and not args.out:
        raise ValidationError([Problem(
            "--out", f"{args.format} 形式は画面に表示できません。--out で書き出すファイルを"
                     f"指定してください")])
    password = password_of(args, sys.stdin)
    db = system.open_database(settings, migrate=True)
    try:
        with acting_as(db, args.as_login, password) as actor:
            if args.compare:
                return _run_comparison(db, actor, args, period, earlier, dimensions, districts)
            report = stats.compute(db, actor, period, dimensions, districts)
            data = _render(report, args.format)
            if args.out is None:
                sys.stdout.write(data.decode("utf-8-sig"))
                sys.stdout.flush()
                return EXIT_OK
            stats.export_file(db, actor, report, Path(args.out), data, fmt=args.format,
                              replace=args.force)
    finally:
        db.close()
    print(f"{report.period.label} {report.scope_label} の統計（{report.total:,}件）を"
          f"書き出しました → {args.out}")
    return EXIT_OK


def _run_comparison(db: Database, actor: StaffProfile, args: argparse.Namespace, period: Period,
                    earlier: Period | None, dimensions: list[Dimension] | None,
                    districts: list[str] | None) -> int:
    comparison = stats_compare.compare(db, actor, period, earlier, dimensions, districts)
    if args.format == "table":
        data = format_comparison(comparison).encode("utf-8")
    else:
        data = stats_compare.archival_pdf(stats_compare.comparison_pdf(comparison))
    if args.out is None:
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
        return EXIT_OK
    stats_compare.export_comparison(db, actor, comparison, Path(args.out), data,
                                    replace=args.force)
    print(f"{short_label(comparison.earlier)} と {short_label(comparison.later)} の比較"
          f"（{comparison.later.scope_label}）を書き出しました → {args.out}")
    return EXIT_OK


def format_comparison(comparison: StatsComparison) -> str:
    """Two periods side by side for a terminal: label, earlier, later, difference."""
    earlier, later = comparison.earlier, comparison.later
    names = (short_label(earlier), short_label(later))
    lines = [f"{REPORT_TITLE}（期間の比較）", f"期間（前）: {earlier.period.label}",
             f"期間（後）: {later.period.label}", f"範囲: {later.scope_label}",
             f"相談件数: {earlier.total:,}件 → {later.total:,}件"]
    before = {t.dimension: t for t in earlier.tables}
    pairs = [(earlier.ward_summary, later.ward_summary),
             *((before[t.dimension], t) for t in later.tables if t.dimension in before)]
    for old, new in pairs:
        rows = [("　" * indent + label, f"{a:,}", f"{b:,}", difference(a, b))
                for label, a, b, indent in compared_lines(old, new)]
        if old.total is not None and new.total is not None:
            rows.append(("合計", f"{old.total:,}", f"{new.total:,}",
                         difference(old.total, new.total)))
        header = ("区分", *names, "増減")
        label_width = max(_width(r[0]) for r in (*rows, header)) + 2
        count_widths = [max(_width(r[i]) for r in (*rows, header)) for i in (1, 2, 3)]
        lines += ["", f"■ {new.title}"]
        for row in (header, *rows):
            counts = "  ".join(" " * (w - _width(c)) + c
                               for c, w in zip(row[1:], count_widths, strict=True))
            lines.append(f"  {_pad(row[0], label_width)}{counts}")
    return "\n".join(lines) + "\n"


def _render(report: StatsReport, fmt: str) -> bytes:
    if fmt == "table":
        return format_table(report).encode("utf-8")
    if fmt == "csv":
        return stats.export_csv(report)
    if fmt == "json":
        return (stats.export_json(report) + "\n").encode("utf-8")
    if fmt == "xlsx":
        return stats.export_xlsx(report)
    # a PDF is always written to a file (--out): the copy kept is PDF/A-2b
    return stats_compare.archival_pdf(stats.report_pdf(report))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def format_table(report: StatsReport) -> str:
    """Aligned text for a terminal: the header, then each table (label left, count right)."""
    lines = [REPORT_TITLE, f"期間: {report.period.label}", f"範囲: {report.scope_label}",
             f"作成: {report.generated_at:%Y-%m-%d %H:%M}", f"相談件数: {report.total:,}件"]
    for table in (report.ward_summary, *report.tables):
        rows = [("　" * line.indent + line.label, f"{line.count:,}") for line in table.lines]
        if table.total is not None:
            rows.append(("合計", f"{table.total:,}"))
        if not rows:
            rows.append(("（該当なし）", "0"))
        label_width = max(_width(label) for label, _ in rows) + 2
        count_width = max(len(count) for _, count in rows)
        lines += ["", f"■ {table.title}"]
        lines += [f"  {_pad(label, label_width)}{count.rjust(count_width)}"
                  for label, count in rows]
        if table.note:
            lines.append(f"  注: {table.note}")
    return "\n".join(lines) + "\n"
