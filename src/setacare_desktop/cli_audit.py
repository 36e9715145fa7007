"""``setacare audit …``: the audit trail (操作記録) from the command line, for supervisors and
administrators (``--as LOGIN``).

- ``audit verify``: checks the hash chain of the whole trail. Intact: the count, exit 0. Broken:
  the first broken link (which row, and whether a row was deleted, changed or inserted), exit 1.
- ``audit list --from DATE [--to DATE] [--staff LOGIN] [--person ID] [--action ACTION]
  [--format table|csv]``: the rows of the period in the caller's scope, newest first, with the
  flags of ``domain/audit_checks.py`` in 注意. Listing is itself audited (``audit_list``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from setacare_desktop import cli_input
from setacare_desktop.cli_common import EXIT_OK, JapaneseArgumentParser
from setacare_desktop.cli_common import acting_as as _acting_as
from setacare_desktop.cli_common import acting_parser as _acting_parser
from setacare_desktop.cli_common import login_password as _login_password
from setacare_desktop.cli_common import opened as _opened
from setacare_desktop.cli_common import out as _out
from setacare_desktop.cli_common import table as _table
from setacare_desktop.domain.audit_checks import parse_action
from setacare_desktop.services import ServiceError, audit
from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.services.inputs import date_field
from setacare_desktop.settings import Settings

FORMATS = ("table", "csv")


def add_commands(commands: Any, location: argparse.ArgumentParser) -> None:
    acting = _acting_parser()
    p = commands.add_parser("audit", help="操作記録（監査記録）の確認と検証",
                            description="操作記録を確認・検証します。監督者または管理者として"
                                        "ログインして実行します（--as）。")
    sub = p.add_subparsers(dest="audit_command", title="コマンド", metavar="コマンド",
                           required=True, parser_class=JapaneseArgumentParser)
    sub.add_parser(
        "verify", parents=[location, acting], help="操作記録が改ざんされていないか検証する",
        description="すべての操作記録のハッシュの連結を検証します。改ざんがなければ件数を表示し"
                    "（終了コード 0）、あれば最初に見つかった切れ目（どの記録が削除・書き換え・"
                    "挿入されたか）を表示します（終了コード 1）。",
        epilog="例: setacare audit verify --as kanri")
    listing = sub.add_parser(
        "list", parents=[location, acting], help="ある期間の操作記録を表示する",
        description="期間の操作記録（いつ、誰が、どの所属から、何をしたか、どの記録か）を新しい順に"
                    "表示します。監督者は担当範囲の記録、管理者はすべての記録です。注意が必要な"
                    "記録（緊急時の例外による閲覧、短時間の多数の閲覧、勤務時間外の閲覧、送付の"
                    f"記録がない連携シート、権限外の操作）には「注意」を示します。期間は"
                    f"{audit.MAX_PERIOD_DAYS}日まで。この確認も操作記録に残ります。",
        epilog="例: setacare audit list --from R8.11.24 --as demo-ikejiri-supervisor\n"
               "    setacare audit list --from 2026-11-01 --to 2026-11-30 --action 相談の閲覧 "
               "--format csv --as kanri > kiroku.csv")
    listing.add_argument("--from", dest="start", required=True, metavar="DATE",
                         help="開始日（2026-11-24、R8.11.24、令和8年11月24日 など）")
    listing.add_argument("--to", dest="end", metavar="DATE", help="終了日（既定: 開始日と同じ）")
    listing.add_argument("--staff", metavar="LOGIN", help="この職員（ログインID）の操作だけ")
    listing.add_argument("--person", type=cli_input.record_id, metavar="ID",
                         help="この対象者（ID）に関する操作だけ")
    listing.add_argument("--action", metavar="ACTION",
                         help="この操作だけ（例: consultation_view または 相談の閲覧）")
    listing.add_argument("--format", choices=FORMATS, default="table",
                         help="表示の形式（table: 表、csv: CSV。既定: table）")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.audit_command == "verify":
        return _verify(args, settings)
    return _list(args, settings)


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    password = _login_password(args, sys.stdin)
    db = _opened(settings)
    try:
        with _acting_as(db, args.as_login, password) as actor:
            report = audit.verify(db, actor)
    finally:
        db.close()
    if report.broken is not None:
        raise ServiceError(
            f"操作記録の改ざんの疑いがあります（{report.broken.kind.label}）: "
            f"{report.broken.message}それより前の {report.count:,} 件に問題はありません。"
            "管理者に連絡してください。")
    _out(f"操作記録は改ざんされていません（{report.count:,} 件を検証しました）。")
    return EXIT_OK


def _query(args: argparse.Namespace) -> audit.AuditQuery:
    problems: list[Problem] = []
    start = end = None
    try:
        start = date_field(args.start, "--from")
    except ValidationError as error:
        problems += error.problems
    try:
        end = date_field(args.end, "--to") if args.end else start
    except ValidationError as error:
        problems += error.problems
    action = None
    if args.action is not None:
        action = parse_action(args.action)
        if action is None:
            problems.append(Problem("--action", f"知らない操作です: {args.action}"))
    if problems:
        raise ValidationError(problems)
    assert start is not None and end is not None
    query = audit.AuditQuery(start, end, staff=args.staff or None, person_id=args.person,
                             action=action)
    try:
        audit.check_query(query)
    except ValidationError as error:
        raise ValidationError([Problem("--from/--to" if p.field == "期間" else p.field,
                                       p.message) for p in error.problems]) from error
    return query


def _list(args: argparse.Namespace, settings: Settings) -> int:
    query = _query(args)  # checked before the password is read or the database opened
    password = _login_password(args, sys.stdin)
    db = _opened(settings)
    try:
        with _acting_as(db, args.as_login, password) as actor:
            listing = audit.list_events(db, actor, query, purpose=args.format)
    finally:
        db.close()
    if args.format == "csv":
        sys.stdout.write(audit.export_csv(listing).decode("utf-8-sig"))
        sys.stdout.flush()
        return EXIT_OK
    _out(f"操作記録 {query.start:%Y-%m-%d}〜{query.end:%Y-%m-%d}（{listing.scope_label}）"
         f" {len(listing.rows):,} 件、うち注意 {listing.flagged:,} 件")
    if listing.rows:
        _out(_table(("No.", "日時", "職員", "所属", "操作", "対象", "対象者", "注意"), [
            (str(r.id), f"{r.at:%Y-%m-%d %H:%M:%S}", r.login, r.organisation, r.action_label,
             r.record, "" if r.person_id is None else str(r.person_id), r.flag_text)
            for r in listing.rows]))
    return EXIT_OK
