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
import dataclasses
import json
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any, NoReturn

from setacare_desktop import (
    __version__,
    cli_directory,
    cli_input,
    cli_package,
    cli_review,
    cli_sheets,
    cli_stats,
)
from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.intake import (
    HOUSEHOLDS,
    SEXES,
    URGENCY_FLAGS,
    ConsentInput,
    IntakeInput,
    PersonInput,
    validate,
)
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.reference import AREAS, DISTRICTS, OrgKind
from setacare_desktop.services import (
    Database,
    StaffProfile,
    ValidationError,
    auth,
    consultations,
    demo,
    intake,
    staff,
    system,
)
from setacare_desktop.services.errors import Problem
from setacare_desktop.services.files import FileReadError, read_file
from setacare_desktop.services.inputs import date_field, district_field
from setacare_desktop.settings import ENV_DATA_DIR, ENV_DATABASE_URL, Settings

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2

# --- argparse in Japanese -----------------------------------------------------------------------

#: argparse's own messages (Python 3.11–3.13), translated by prefix.
_ARGPARSE_MESSAGES: tuple[tuple[str, str], ...] = (
    ("the following arguments are required: ", "次の引数が必要です: "),
    ("unrecognized arguments: ", "不明な引数です: "),
    ("expected one argument", "値を1つ指定してください"),
    ("expected at most one argument", "値は1つまでです"),
    ("expected at least one argument", "値を1つ以上指定してください"),
    ("ignored explicit argument ", "値は指定できません: "),
    ("invalid choice: ", "選べない値です: "),
    ("invalid int value: ", "整数ではありません: "),
    ("not allowed with argument ", "次の引数と同時には指定できません: "),
    ("ambiguous option: ", "あいまいなオプションです: "),
)


def _translate(message: str) -> str:
    """Translate argparse's English message (``argument --cases: invalid int value: 'x'``)."""
    lead = ""
    if message.startswith("argument "):
        name, sep, rest = message[len("argument "):].partition(": ")
        if sep:
            lead, message = f"引数 {name}: ", rest
    for english, japanese in _ARGPARSE_MESSAGES:
        if message.startswith(english):
            rest = message[len(english):]
            rest = rest.replace(" (choose from ", "（選択肢: ").replace(" could match ", " 候補: ")
            if rest.endswith(")") and "（選択肢: " in rest:
                rest = rest[:-1] + "）"
            return lead + japanese + rest
    return lead + message


class _JapaneseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[Any], prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "使い方: " if prefix is None else prefix)


class JapaneseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help, usage and errors are in Japanese; errors exit with 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _JapaneseHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="この説明を表示して終了する")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"入力エラー: {_translate(message)}\n"
                                  f"（詳しくは {self.prog} --help）\n")


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

    p = commands.add_parser("user", help="職員アカウント", description="職員アカウントを管理します。")
    user_commands = p.add_subparsers(dest="user_command", title="コマンド", metavar="コマンド",
                                     required=True, parser_class=JapaneseArgumentParser)
    add = user_commands.add_parser(
        "add", parents=[location], help="職員を登録する",
        description="職員アカウントを登録します。パスワードは画面に表示せずに2回入力します"
                    "（--password-stdin なら標準入力の1行目）。",
        epilog="例: setacare user add sato01 --name '佐藤 花子' --role 受付 --district 池尻 "
               "--org まちづくりセンター\n"
               "    setacare user add kanri --name '田中 一郎' --role 管理者 --org 総合支所 "
               "--area 世田谷")
    add.add_argument("login", metavar="LOGIN", help="ログインID（半角英数字と記号、64文字以内）")
    add.add_argument("--name", required=True, metavar="NAME", help="氏名（例: 佐藤 花子）")
    add.add_argument("--role", required=True, metavar="ROLE",
                     help="役割: 受付・相談員・監督者・管理者（または counter など）")
    add.add_argument("--district", metavar="DISTRICT", help="地区（例: 池尻、ikejiri）。--org 総合支所 以外で必要")
    add.add_argument("--org", required=True, metavar="KIND",
                     help="所属: まちづくりセンター・あんしんすこやかセンター・社会福祉協議会・児童館・"
                          "総合支所（または machizukuri など）")
    add.add_argument("--area", metavar="AREA", help="地域（例: 世田谷、setagaya）。--org 総合支所 のとき必要")
    add.add_argument("--admin", action="store_true", help="アカウント管理の権限を与える")
    add.add_argument("--password-stdin", action="store_true",
                     help="パスワードを標準入力の1行目から読む（入力を求めない）")
    user_commands.add_parser("list", parents=[location], help="職員の一覧を表示する",
                             description="登録されている職員の一覧を表示します。")
    _add_case_commands(commands, location)
    cli_directory.add_commands(commands, location, JapaneseArgumentParser)
    cli_sheets.add_commands(commands, location, _acting_parser(), JapaneseArgumentParser)
    cli_package.add_commands(commands, location, _acting_parser(), JapaneseArgumentParser)
    cli_review.add_commands(commands, location, _acting_parser(), JapaneseArgumentParser)
    cli_stats.add_commands(commands, location, _acting_parser())
    return parser


def _acting_parser() -> argparse.ArgumentParser:
    """``--as LOGIN [--password-stdin]``: the staff member a case command acts as."""
    acting = JapaneseArgumentParser(add_help=False)
    group = acting.add_argument_group("職員（この職員としてログインして実行し、監査記録に残す）")
    group.add_argument("--as", dest="as_login", required=True, metavar="LOGIN",
                       help="職員のログインID。パスワードは画面に表示せずに入力する")
    group.add_argument("--password-stdin", action="store_true",
                       help="パスワードを標準入力の1行目から読む（--json - なら2行目以降が JSON）")
    return acting


def _add_case_commands(commands: Any, location: argparse.ArgumentParser) -> None:
    acting = _acting_parser()
    p = commands.add_parser("case", help="相談記録（受付）",
                            description="相談記録を登録・表示します。職員としてログインして"
                                        "実行します（--as）。")
    case_commands = p.add_subparsers(dest="case_command", title="コマンド", metavar="コマンド",
                                     required=True, parser_class=JapaneseArgumentParser)
    add = case_commands.add_parser(
        "add", parents=[location, acting], help="JSON から相談を登録する",
        description="JSON（docs/case-json.md の形）から相談を1件登録します。受付画面と同じ検査を"
                    "行い、誤りがあれば項目ごとに1行ずつ表示して何も登録しません（終了コード 2）。",
        epilog="例: setacare case add --json soudan.json --as demo-ikejiri-anshin-counter\n"
               "    (echo \"$PASSWORD\"; cat soudan.json) | setacare case add --json - "
               "--as sato01 --password-stdin")
    add.add_argument("--json", dest="json_file", required=True, metavar="FILE",
                     help="JSON ファイル（- なら標準入力）")
    show = case_commands.add_parser(
        "show", parents=[location, acting], help="相談を表示する",
        description="相談を1件表示します。--json なら case add に戻せる JSON で表示します。")
    show.add_argument("consultation_id", type=cli_input.record_id, metavar="ID",
                      help="相談の番号（No.）")
    show.add_argument("--json", action="store_true", help="JSON で表示する")
    listing = case_commands.add_parser(
        "list", parents=[location, acting], help="ある日の相談の一覧を表示する",
        description="ある日の相談の一覧（時刻、地区、対象者、受付方法、主訴、緊急）を表示します。"
                    "地区を指定しなければ、閲覧できるすべての地区です。")
    listing.add_argument("--date", metavar="DATE",
                         help="日付（2026-11-24、R8.11.24、令和8年11月24日 など。既定: 今日）")
    listing.add_argument("--district", metavar="DISTRICT", help="地区（例: 池尻、ikejiri）")
    recipients = case_commands.add_parser(
        "recipients", parents=[location], help="地区の同意先を表示する",
        description="地区の四者（同意先）と、JSON の consents[].recipient に書くキーを表示します。")
    recipients.add_argument("--district", required=True, metavar="DISTRICT",
                            help="地区（例: 池尻、ikejiri）")


# --- running a command --------------------------------------------------------------------------


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run the command in ``args`` against the database ``settings`` name; returns the exit code."""
    handlers: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
        "demo": _demo,
        "db": _db,
        "info": _info,
        "user": _user,
        "case": _case,
        "directory": cli_directory.run,
        "sheet": _sheets,
        "print": _sheets,
        "package": lambda a, s: cli_package.run(a, s, _login_password, _acting_as),
        "review": lambda a, s: cli_review.run(a, s, _login_password, _acting_as, _table),
        "stats": lambda a, s: cli_stats.run(a, s, _login_password, _acting_as),
    }
    return handlers[args.command](args, settings)


def _sheets(args: argparse.Namespace, settings: Settings) -> int:
    return cli_sheets.run(args, settings, _login_password, _acting_as)


def _out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _opened(settings: Settings, *, migrate: bool = True) -> Database:
    return system.open_database(settings, migrate=migrate)


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
            _out("一覧は setacare user list で確認できます。")
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
    _print_logins(report)
    return EXIT_OK


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
    _out(f"全 {len(report.logins)} アカウントの一覧: setacare user list")


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


#: Short names people use for the organisations, accepted besides the labels and codes.
_ORG_ALIASES: dict[str, OrgKind] = {
    "まちセン": OrgKind.MACHIZUKURI,
    "あんすこ": OrgKind.ANSHIN,
    "地域包括支援センター": OrgKind.ANSHIN,
    "社協": OrgKind.SHAKYO,
    "社会福祉協議会地区事務局": OrgKind.SHAKYO,
    "支所": OrgKind.BRANCH,
    "保健福祉センター": OrgKind.BRANCH,
}


def _user(args: argparse.Namespace, settings: Settings) -> int:
    if args.user_command == "list":
        db = _opened(settings)
        try:
            rows = staff.list_staff(db, None)
        finally:
            db.close()
        if not rows:
            _out("職員は登録されていません（setacare user add で登録できます）。")
            return EXIT_OK
        _out(_table(("ログインID", "氏名", "役割", "所属", "状態"), [
            (r.login, r.name, r.role_label, r.organisation_name,
             "無効" if not r.active else "ロック中" if r.locked else "有効") for r in rows]))
        _out(f"{len(rows):,} 人")
        return EXIT_OK
    return _user_add(args, settings)


def _user_add(args: argparse.Namespace, settings: Settings) -> int:
    org_text = args.org.strip()
    kind = _ORG_ALIASES.get(org_text)
    org_value = kind.value if kind is not None else org_text
    is_branch = org_value in (OrgKind.BRANCH.value, OrgKind.BRANCH.label)
    place = args.area if is_branch else args.district
    if not place:
        option, what = ("--area", "地域") if is_branch else ("--district", "地区")
        raise ValidationError([Problem(what, f"{option} で指定してください")])
    password = _read_password(args.password_stdin, sys.stdin)
    new = staff.NewStaff(args.login, args.name, args.role, place.strip(), org_value, password,
                         args.admin)
    db = _opened(settings)
    try:
        profile = staff.add_staff(db, None, new)
    finally:
        db.close()
    _out(f"職員を登録しました: {profile.login}（{profile.name}、{profile.role.label}、"
         f"{profile.organisation_name}）")
    return EXIT_OK


def _read_password(from_stdin: bool, stdin: IO[str]) -> str:
    """The first line of standard input, or typed twice at a prompt that does not echo."""
    if from_stdin:
        return cli_input.stdin_line(stdin, "パスワード")
    first = cli_input.secret("パスワード: ", "--password-stdin", "パスワード")
    second = cli_input.secret("パスワード（確認）: ", "--password-stdin", "パスワード")
    if first != second:
        raise ValidationError([Problem("パスワード", "確認用の入力と一致しません")])
    return first


# --- case: consultations ---------------------------------------------------------------------------


def _case(args: argparse.Namespace, settings: Settings) -> int:
    if args.case_command == "recipients":
        return _case_recipients(args, settings)
    if args.case_command == "add":
        return _case_add(args, settings)
    # Read the password before opening the database: a wrong one costs no migration check.
    password = _login_password(args, sys.stdin)
    db = _opened(settings)
    try:
        with _acting_as(db, args.as_login, password) as actor:
            if args.case_command == "show":
                return _case_show(db, actor, args.consultation_id, as_json=args.json)
            return _case_list(db, actor, args.date, args.district)
    finally:
        db.close()


def _login_password(args: argparse.Namespace, stdin: IO[str]) -> str:
    """The password of ``--as``: the first line of standard input, or typed at a prompt."""
    if args.password_stdin:
        return cli_input.stdin_line(stdin, "パスワード")
    return cli_input.secret(f"{args.as_login} のパスワード: ", "--password-stdin", "パスワード")


@contextmanager
def _acting_as(db: Database, login: str, password: str) -> Iterator[StaffProfile]:
    """Log in as the window does (audited, lock-out counted), and log out afterwards."""
    actor = auth.login(db, login, password)
    try:
        yield actor
    finally:
        auth.logout(db, actor)


def _district_code(text: str) -> str:
    return district_field(text, "地区").code


def _case_recipients(args: argparse.Namespace, settings: Settings) -> int:
    code = _district_code(args.district)
    db = _opened(settings)
    try:
        rows = intake.consent_recipients(db, code)
    finally:
        db.close()
    _out(_table(("同意先（recipient）", "名称"), [(r.key, r.name) for r in rows]))
    return EXIT_OK


# The JSON shape of docs/case-json.md, checked before IntakeInput.from_dict so that a wrong key or
# type is reported by name (exit 2) rather than as a Python TypeError.
_INTAKE_LISTS = frozenset({"target_groups", "elements", "urgency"})
_INTAKE_KEYS = tuple(f.name for f in dataclasses.fields(IntakeInput))
_PERSON_KEYS = tuple(f.name for f in dataclasses.fields(PersonInput))
_CONSENT_KEYS = tuple(f.name for f in dataclasses.fields(ConsentInput))


def _read_json_text(source: str, stdin: IO[str]) -> str:
    if source == "-":
        return cli_input.stdin_text(stdin, "--json").lstrip("\ufeff")
    try:
        return read_file(Path(source), limit=cli_input.MAX_JSON_BYTES).decode("utf-8-sig")
    except FileReadError as error:
        problem = error.message
    except UnicodeDecodeError:
        problem = f"UTF-8 のテキストではありません: {source}"
    raise ValidationError([Problem("--json", problem)])


def _parse_json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError as error:
        if not isinstance(error, json.JSONDecodeError):  # e.g. an integer of 5,000 digits
            raise ValidationError([Problem("JSON", "大きすぎる数値があります")]) from None
        where = f"{error.lineno}行目 {error.colno}文字目"
        message = "空です" if not text.strip() else f"JSON として読めません（{where}: {error.msg}）"
        raise ValidationError([Problem("JSON", message)]) from None
    except RecursionError:
        raise ValidationError([Problem(
            "JSON", "入れ子（[ や {）が深すぎて読めません（docs/case-json.md の形にしてください）")]
        ) from None


def _strings(value: object, path: str, problems: list[Problem]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(_at(path, "文字列で指定してください"))
        return ""
    return value


def _object(value: object, path: str, keys: tuple[str, ...], problems: list[Problem]
            ) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        problems.append(_at(path, "オブジェクト（{…}）で指定してください"))
        return None
    for key in value:
        if key not in keys:
            problems.append(_at(f"{path}.{key}" if path != "JSON" else str(key),
                                         "不明な項目です（docs/case-json.md を参照）"))
    return value


def intake_from_json(value: object) -> IntakeInput:
    """The documented JSON shape (docs/case-json.md) as an IntakeInput.

    Unknown keys and values of the wrong type are refused by name (``person.nmae: 不明な項目です``);
    ``null`` is accepted wherever a text is expected and means empty. The values themselves are
    checked by ``domain.intake.validate``, as in the form.
    """
    problems: list[Problem] = []
    data = _object(value, "JSON", _INTAKE_KEYS, problems)
    if data is None:
        raise ValidationError(problems)
    clean: dict[str, Any] = {}
    for key in _INTAKE_KEYS:
        if key not in data:
            continue
        item = data[key]
        if key == "person":
            person = {} if item is None else _object(item, "person", _PERSON_KEYS, problems)
            if person is not None:
                clean[key] = {k: _strings(person[k], f"person.{k}", problems)
                              for k in _PERSON_KEYS if k in person}
        elif key == "person_id":
            if item is not None and (isinstance(item, bool) or not isinstance(item, int)):
                problems.append(_at(key, "整数（対象者の ID）か null で指定してください"))
            else:
                clean[key] = item
        elif key in _INTAKE_LISTS:
            items = [] if item is None else item
            if not isinstance(items, list):
                problems.append(_at(key, "配列（[…]）で指定してください"))
            else:
                clean[key] = [_strings(v, f"{key}[{i}]", problems) for i, v in enumerate(items)]
        elif key == "consents":
            clean[key] = _consents(item, problems)
        else:
            clean[key] = _strings(item, key, problems)
    if problems:
        raise ValidationError(problems)
    return IntakeInput.from_dict(clean)


def _consents(value: object, problems: list[Problem]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(_at("consents", "配列（[…]）で指定してください"))
        return []
    result = []
    for i, item in enumerate(value):
        path = f"consents[{i}]"
        consent = _object(item, path, _CONSENT_KEYS, problems)
        if consent is None:
            continue
        clean: dict[str, Any] = {}
        for key in _CONSENT_KEYS:
            if key not in consent:
                continue
            if key == "given":
                if not isinstance(consent[key], bool):
                    problems.append(_at(f"{path}.given", "true か false で指定してください"))
                clean[key] = consent[key]
            else:
                clean[key] = _strings(consent[key], f"{path}.{key}", problems)
        if not clean.get("recipient"):
            problems.append(_at(f"{path}.recipient",
                                         "同意先を指定してください（setacare case recipients）"))
        result.append(clean)
    return result


def _at(path: str, message: str) -> Problem:
    """A problem at a place in the case JSON, named by its JSON path (not a form label)."""
    return Problem(path, message, label=path)


def _precheck(data: IntakeInput) -> None:
    """The form's validation before asking for a password: bad input costs no login.

    An empty 地区 defaults to the staff member's district, which only the login tells; it is left
    to ``record_intake`` (which validates everything again).
    """
    trial = dataclasses.replace(data, district=data.district or DISTRICTS[0].code)
    _valid, problems = validate(trial, now=local_now())
    if problems:
        raise ValidationError(problems)


def _check_recipients(db: Database, data: IntakeInput, actor: StaffProfile) -> None:
    """Consents may name only the district's partners, the boxes the form offers."""
    place = data.district or actor.district_code
    if not data.consents or not place:
        return  # no district: record_intake reports 「地区: 選択してください」
    district = _district_code(place)
    offered = {r.key for r in intake.consent_recipients(db, district)}
    name = ref.DISTRICTS_BY_CODE[district].name
    problems = [_at(f"consents[{i}].recipient",
                             f"「{c.recipient}」は{name}の同意先ではありません"
                             f"（setacare case recipients --district {name}）")
                for i, c in enumerate(data.consents)
                if c.recipient.startswith("org:") and c.recipient not in offered]
    if problems:
        raise ValidationError(problems)


def _case_add(args: argparse.Namespace, settings: Settings) -> int:
    # With --password-stdin and --json -, standard input is the password line, then the JSON.
    password = _login_password(args, sys.stdin) if args.password_stdin else None
    data = intake_from_json(_parse_json(_read_json_text(args.json_file, sys.stdin)))
    _precheck(data)
    if password is None:
        password = _login_password(args, sys.stdin)
    db = _opened(settings)
    try:
        with _acting_as(db, args.as_login, password) as actor:
            _check_recipients(db, data, actor)
            saved = intake.record_intake(db, actor, data)
    finally:
        db.close()
    _out(f"相談を登録しました: No. {saved.consultation_id}")
    return EXIT_OK


def _label(terms: tuple[ref.Term, ...], code: str) -> str:
    return next((t.label for t in terms if t.code == code), code)


def _case_show(db: Database, actor: StaffProfile, consultation_id: int, *, as_json: bool) -> int:
    loaded = intake.load_intake(db, actor, consultation_id)
    data = loaded.data
    if as_json:
        _out(json.dumps(data.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    person = data.person
    labels = [
        ("受付日時", data.received_at),
        ("受付方法", _label(ref.CHANNELS, data.channel)),
        ("地区", ref.DISTRICTS_BY_CODE[data.district].name),
        ("受付", f"{loaded.organisation_name}（{loaded.staff_name}）"),
        ("相談者", " ".join(x for x in (_label(ref.CONSULTER_KINDS, data.consulter_kind),
                                       data.consulter_relation, data.consulter_name,
                                       data.consulter_contact) if x)),
        ("対象者", "（匿名）" if data.anonymous else
         f"{person.name}（{person.reading}）" + (f" ID {data.person_id}" if data.person_id else "")),
    ]
    if not data.anonymous:
        labels += [
            ("生年月日", person.birth_date),
            ("性別", _label(SEXES, person.sex) if person.sex else ""),
            ("住所", f"{person.address_town} {person.address_rest}".strip()),
            ("電話", person.phone),
            ("世帯状況", _label(HOUSEHOLDS, person.household) if person.household else ""),
        ]
    labels += [
        ("対象区分", "、".join(_label(ref.TARGET_GROUPS, c) for c in data.target_groups)),
        ("相談内容の分類", "、".join(_label(ref.ELEMENTS, c) for c in data.elements)),
        ("主訴", data.main_complaint),
        ("相談内容", data.details),
        ("対応", _label(ref.RESPONSES, data.response) if data.response else ""),
        ("次回予定", " ".join(x for x in (data.next_date, data.next_note) if x)),
    ]
    if data.urgency:
        labels.append(("緊急性", "、".join(_label(URGENCY_FLAGS, c) for c in data.urgency)
                       + (f"（{data.urgency_note}）" if data.urgency_note else "")))
    _out(f"相談 No. {loaded.consultation_id}（版 {loaded.version}）"
         + ("  ★緊急" if loaded.urgent else ""))
    _out(_table(("", ""), [(k, v) for k, v in labels if v], header=False))
    return EXIT_OK


#: 主訴 is cut to this many characters in the day list (``case show`` prints it in full).
LIST_COMPLAINT_CHARS = 28


def _case_list(db: Database, actor: StaffProfile, day_text: str | None,
               district_text: str | None) -> int:
    day = _day(day_text)
    district = _district_code(district_text) if district_text else None
    rows = consultations.list_day(db, actor, day, district)
    heading = f"{day:%Y-%m-%d}" + (f" {ref.DISTRICTS_BY_CODE[district].name}" if district else "")
    if not rows:
        _out(f"{heading}: 相談はありません。")
        return EXIT_OK

    def cut(text: str) -> str:
        return text if len(text) <= LIST_COMPLAINT_CHARS else text[:LIST_COMPLAINT_CHARS - 1] + "…"

    _out(_table(("No.", "時刻", "地区", "対象者", "受付方法", "主訴", "緊急"), [
        (str(r.consultation_id), f"{r.received_at:%H:%M}", r.district_name, r.person_name,
         r.channel_label, cut(r.main_complaint),
         ("★" + "・".join(r.urgency_labels)) if r.urgent else "")
        for r in rows]))
    urgent = sum(r.urgent for r in rows)
    _out(f"{heading}: {len(rows):,} 件" + (f"（うち緊急 {urgent:,} 件）" if urgent else ""))
    return EXIT_OK


def _day(text: str | None) -> date:
    if text is None or not text.strip():
        return local_now().date()
    return date_field(text, "--date")


# --- plain-text tables ----------------------------------------------------------------------------


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, header: bool = True) -> str:
    lines = [list(headers), *[list(r) for r in rows]] if header else [list(r) for r in rows]
    widths = [max(_width(line[i]) for line in lines) for i in range(len(headers))]

    def render(cells: list[str]) -> str:
        padded = [c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)]
        return "  ".join(padded).rstrip()

    out = [render(line) for line in lines]
    if header:
        out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)
