"""The command line: ``setacare [--data-dir DIR] [--database URL] <command>``.

Without a command the window opens (``app.main``). Commands call the same services as the window;
this module only reads arguments and formats results, in Japanese.

Exit codes: 0 done; 2 bad input (argparse misuse or a field the service refused: nothing was
written); 1 any other refusal (a database newer than the program, a wrong password, a district
outside the caller's scope, a service error, a full disk) or an unexpected error (logged); 130
interrupted. ``app.main`` runs every command inside ``cli_boundary.guarded``, which prints the
message: a command raises, it does not print its own errors.

The ``case`` commands act as a staff member (``--as LOGIN``): the command logs in with
``services.auth.login`` and logs out when done, so scope checks and the audit trail are exactly
those of the window.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence

from setacare_desktop import (
    __version__,
    cli_audit,
    cli_backup,
    cli_case,
    cli_directory,
    cli_input,
    cli_org,
    cli_package,
    cli_person,
    cli_review,
    cli_sheets,
    cli_stats,
    cli_user,
)
from setacare_desktop.cli_common import EXIT_OK, JapaneseArgumentParser
from setacare_desktop.cli_common import acting_as as _acting_as
from setacare_desktop.cli_common import acting_parser as _acting_parser
from setacare_desktop.cli_common import login_password as _login_password
from setacare_desktop.cli_common import opened as _opened
from setacare_desktop.cli_common import out as _out
from setacare_desktop.cli_common import table as _table
from setacare_desktop.domain.reference import AREAS, DISTRICTS, OrgKind
from setacare_desktop.services import (
    demo,
    system,
)
from setacare_desktop.settings import ENV_DATA_DIR, ENV_DATABASE_URL, Settings

#: Upper bounds of ``demo``: ten ward-years of consultations, ten years of working days.
MAX_DEMO_CASES = 2_000_000
MAX_DEMO_DAYS = 2_500


def _cases(text: str) -> int:
    return cli_input.bounded_int(text, low=0, high=MAX_DEMO_CASES)


def _days(text: str) -> int:
    return cli_input.bounded_int(text, low=1, high=MAX_DEMO_DAYS)


def _seed(text: str) -> int:
    return cli_input.bounded_int(text, low=0, high=2**63 - 1)


def _add_location_options(parser: argparse.ArgumentParser, default: object) -> None:
    group = parser.add_argument_group("データの場所")
    group.add_argument("--data-dir", metavar="DIR", default=default,
                       help=f"データフォルダー（既定: 利用者のデータフォルダー。{ENV_DATA_DIR} でも指定可）")
    group.add_argument("--database", metavar="URL", default=default,
                       help="データベースの URL またはファイル（既定: データフォルダーの setacare.db。"
                            f"{ENV_DATABASE_URL} でも指定可）")



def build_parser() -> argparse.ArgumentParser:
    parser = JapaneseArgumentParser(
        prog="setacare",
        description="SetaCare Desktop: 福祉の相談窓口のデスクトップアプリ。"
                    "コマンドを指定しないとウィンドウを開きます。",
        epilog=f"環境変数: {ENV_DATA_DIR}（データフォルダー）、{ENV_DATABASE_URL}（データベース URL）",
    )
    _add_location_options(parser, None)
    parser.add_argument("--version", action="version", version=f"SetaCare Desktop {__version__}",
                        help="バージョンを表示して終了する")
    # The same options after the command too (``setacare info --data-dir x``); given there, they
    # override; not given, they leave the value read before the command alone.
    location = JapaneseArgumentParser(add_help=False)
    _add_location_options(location, argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", title="コマンド", metavar="コマンド",
                                     parser_class=JapaneseArgumentParser)

    p = commands.add_parser(
        "demo", parents=[location], help="デモデータ（架空の職員と相談）を作成する",
        description="架空の職員、対象者、相談記録と本人同意の記録を作成します（実在の人物は含みません。"
                    "電話番号は存在しない 0000 局番です）。"
                    "デモ以外の職員がいるデータベースには作成しません。")
    p.add_argument("--cases", type=_cases, metavar="N",
                   help=f"相談の件数（既定: 1営業日あたり区全体で約{demo.WARD_CASES_PER_WORKING_DAY}件"
                        " × 日数）")
    p.add_argument("--days", type=_days, default=demo.DEFAULT_DAYS, metavar="DAYS",
                   help=f"相談を分散させる直近の営業日（月〜金）の数（既定: {demo.DEFAULT_DAYS}）")
    p.add_argument("--seed", type=_seed, default=1, metavar="SEED",
                   help="乱数のシード。同じシードと日付なら同じデータになる（既定: 1）")
    p.add_argument("--if-empty", action="store_true",
                   help="職員が既に登録されていれば何もしない")

    p = commands.add_parser("db", help="データベースのスキーマ（移行）",
                            description="データベースのスキーマを確認・更新します。")
    db_commands = p.add_subparsers(dest="db_command", title="コマンド", metavar="コマンド",
                                   required=True, parser_class=JapaneseArgumentParser)
    db_commands.add_parser("upgrade", parents=[location], help="スキーマを最新にする（SQLite は先にバックアップ）",
                           description="未適用の移行を適用します。")
    db_commands.add_parser("current", parents=[location], help="現在のスキーマと最新のスキーマを表示する",
                           description="現在のスキーマと、このプログラムの最新のスキーマを表示します。")

    commands.add_parser("info", parents=[location], help="バージョン、データの場所、件数を表示する",
                        description="バージョン、データフォルダー、データベース、件数を表示します。")

    cli_user.add_commands(commands, location)
    cli_case.add_commands(commands, location)
    cli_directory.add_commands(commands, location, JapaneseArgumentParser)
    cli_sheets.add_commands(commands, location, _acting_parser(), JapaneseArgumentParser)
    cli_package.add_commands(commands, location, _acting_parser(), JapaneseArgumentParser)
    cli_review.add_commands(commands, location, _acting_parser(), JapaneseArgumentParser)
    cli_org.add_commands(commands, location, _acting_parser(), JapaneseArgumentParser)
    cli_stats.add_commands(commands, location, _acting_parser())
    cli_audit.add_commands(commands, location)
    cli_backup.add_commands(commands, location)
    cli_person.add_commands(commands, location)
    return parser



# --- running a command --------------------------------------------------------------------------


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run the command in ``args`` against the database ``settings`` name; returns the exit code."""
    handlers: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
        "demo": _demo,
        "db": _db,
        "info": _info,
        "user": cli_user.run,
        "case": cli_case.run,
        "backup": cli_backup.run,
        "restore": cli_backup.run,
        "directory": cli_directory.run,
        "sheet": _sheets,
        "print": _sheets,
        "package": lambda a, s: cli_package.run(a, s, _login_password, _acting_as),
        "review": lambda a, s: cli_review.run(a, s, _login_password, _acting_as, _table),
        "stats": lambda a, s: cli_stats.run(a, s, _login_password, _acting_as),
        "audit": cli_audit.run,
        **dict.fromkeys(cli_person.COMMANDS, cli_person.run),
        "org": lambda a, s: cli_org.run(a, s, _login_password, _acting_as),
    }
    return handlers[args.command](args, settings)


def _sheets(args: argparse.Namespace, settings: Settings) -> int:
    return cli_sheets.run(args, settings, _login_password, _acting_as)



def _demo(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    db = _opened(settings)
    try:
        report = demo.generate(db, cases=args.cases, days=args.days, seed=args.seed,
                               only_if_empty=args.if_empty)
    finally:
        db.close()
    seconds = time.perf_counter() - started
    if report.skipped:
        _out("職員が既に登録されているため、デモデータは作成しませんでした。")
        if report.demo_accounts_present:
            _out(f"デモのログイン: {_example_login(report)} など"
                 f"（パスワードは全員共通: {report.password}）")
            _out(f"一覧は setacare user list --as {demo.ADMIN_LOGIN} で確認できます。")
        return EXIT_OK
    _out(f"デモデータを作成しました（架空のデータです。{seconds:.1f} 秒）。")
    rows: list[Sequence[str]] = [
        ("職員", f"{report.staff_created:,} 人（新規）" if report.staff_created
         else "既存のデモ職員を使用"),
        ("相談", f"{report.consultations:,} 件"),
    ]
    if report.first_day and report.last_day:
        rows.append(("期間", f"{report.first_day:%Y-%m-%d} 〜 {report.last_day:%Y-%m-%d}"
                             f"（平日 {report.working_days} 日）"))
    for kind_code, count in report.by_org_kind.items():
        note = f"（うち相談拡充 {report.expansion:,} 件）" if kind_code == OrgKind.ANSHIN else ""
        rows.append((f"  {OrgKind(kind_code).label}", f"{count:,} 件{note}"))
    rows.append(("複合", f"{report.mixed:,} 件"))
    rows.append(("緊急", f"{report.urgent:,} 件"))
    rows.append(("つなぎ", f"{report.referrals:,} 件（匿名 {report.referrals_anonymised:,} 件、"
                          f"回答期限超過 {report.referrals_overdue:,} 件）"))
    rows.append(("匿名（対象者なし）", f"{report.anonymous:,} 件"))
    rows.append(("対象者", f"{report.persons:,} 人（うち2回以上の相談 {report.repeat_persons:,} 人）"))
    rows.append(("本人同意の記録", f"同意 {report.consents_given:,} 件（うち撤回 "
                                 f"{report.consents_withdrawn:,} 件）、不同意 "
                                 f"{report.consents_refused:,} 件"))
    rows.append(("監督者の確認", f"確認済 {report.reviews_confirmed:,} 件、差戻し "
                               f"{report.reviews_returned:,} 件、日次確認 "
                               f"{report.days_signed_off:,} 地区日"))
    _out(_table(("", ""), rows, header=False))
    _out()
    if report.consultations >= PHASES_FROM:
        _print_phases(report)
    _print_logins(report)
    return EXIT_OK


#: A demo this large prints where its time went.
PHASES_FROM = 100_000
_PHASE_LABELS = {"staff": "職員", "consultations": "相談（作成と書き込み）",
                 "insert": "  うち書き込み", "referrals": "つなぎ", "reviews": "監督者の確認",
                 "index": "検索索引", "summary": "統計・採番", "commit": "確定（ディスク）",
                 "worker insert": "  作成側：相談の行の変換と送信"}


def _print_phases(report: demo.DemoReport) -> None:
    _out(_table(("処理", "経過秒", "CPU秒"),
                [(_PHASE_LABELS.get(name, name), f"{wall:.1f}", f"{cpu:.1f}")
                 for name, wall, cpu in report.phases]))
    _out()


def _example_login(report: demo.DemoReport) -> str:
    logins = [entry.login for entry in report.logins]
    preferred = demo.demo_login(OrgKind.ANSHIN, "counter", DISTRICTS[0].code)
    return preferred if preferred in logins else (logins[0] if logins else "demo-…")


def _print_logins(report: demo.DemoReport) -> None:
    """The logins of one district, the area branch and the administrator, then the pattern."""
    district = DISTRICTS[0]
    area = AREAS[0]
    by_login = {entry.login: entry for entry in report.logins}
    wanted = [entry.login for entry in report.logins
              if entry.login.startswith(f"{demo.DEMO_LOGIN_PREFIX}{district.code}-")
              or entry.login.startswith(f"{demo.DEMO_LOGIN_PREFIX}{area.code}-branch-")
              or entry.login == demo.ADMIN_LOGIN]
    _out(f"デモのログイン（パスワードは全員共通: {report.password}）")
    _out(_table(("ログインID", "役割", "所属", "氏名"),
                [(login, by_login[login].role_label, by_login[login].organisation_name,
                  by_login[login].name) for login in wanted]))
    _out()
    _out(f"ほかの地区は「{district.code}」を地区コードに、総合支所は「{area.code}」を地域コードに"
         "置き換えてください。")
    _out("地区コード: " + "、".join(f"{d.code}（{d.name}）" for d in DISTRICTS))
    _out("地域コード: " + "、".join(f"{a.code}（{a.name}）" for a in AREAS))
    _out(f"全 {len(report.logins)} アカウントの一覧: setacare user list --as {demo.ADMIN_LOGIN}")


def _db(args: argparse.Namespace, settings: Settings) -> int:
    db = _opened(settings, migrate=False)
    try:
        if args.db_command == "upgrade":
            report = system.upgrade(db)
            if report.from_revision == report.to_revision:
                _out(f"スキーマは最新です（{report.to_revision}）。")
            else:
                _out(f"スキーマを更新しました: {report.from_revision or '（なし）'} → "
                     f"{report.to_revision}")
                if report.backup is not None:
                    _out(f"更新前のバックアップ: {report.backup}")
            return EXIT_OK
        current, head = system.schema_revisions(db)
    finally:
        db.close()
    _out(f"現在のスキーマ: {current or '（なし）'}")
    _out(f"最新のスキーマ: {head}")
    _out("スキーマは最新です。" if current == head
         else "更新が必要です（setacare db upgrade、またはプログラムの起動時に自動で更新）。")
    return EXIT_OK


def _info(args: argparse.Namespace, settings: Settings) -> int:
    db = _opened(settings)
    try:
        info = system.info(db, settings)
    finally:
        db.close()
    _out(_table(("", ""), [
        ("バージョン", info.version),
        ("データフォルダー", info.data_dir),
        ("データベース", info.database_url),
        ("種類", info.backend),
        ("スキーマ", f"{info.schema_revision or '（なし）'}（最新: {info.head_revision}）"),
        ("職員", f"{info.staff_count:,} 人"),
        ("相談", f"{info.consultation_count:,} 件"),
    ], header=False))
    return EXIT_OK
