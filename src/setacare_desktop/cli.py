"""The command line: ``setacare [--data-dir DIR] [--database URL] <command>``.

Without a command the window opens (``app.main``). Commands call the same services as the window;
this module only reads arguments and formats results, in Japanese.

Exit codes: 0 done; 2 bad input (argparse misuse or a field the service refused: nothing was
written); 1 any other refusal (a database newer than the program, a service error).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any, NoReturn

from setacare_desktop import __version__
from setacare_desktop.domain.reference import AREAS, DISTRICTS, OrgKind
from setacare_desktop.services import (
    Database,
    SchemaTooNewError,
    ServiceError,
    ValidationError,
    demo,
    staff,
    system,
)
from setacare_desktop.services.errors import FieldProblem
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


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"整数ではありません: {text}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"0以上の整数にしてください: {text}")
    return value


def _positive(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"1以上の整数にしてください: {text}")
    return value


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
        description="架空の職員と相談記録を作成します（実在の人物は含みません）。"
                    "デモ以外の職員がいるデータベースには作成しません。")
    p.add_argument("--cases", type=_count, metavar="N",
                   help=f"相談の件数（既定: 1営業日あたり区全体で約{demo.WARD_CASES_PER_WORKING_DAY}件"
                        " × 日数）")
    p.add_argument("--days", type=_positive, default=demo.DEFAULT_DAYS, metavar="DAYS",
                   help=f"相談を分散させる直近の営業日（月〜金）の数（既定: {demo.DEFAULT_DAYS}）")
    p.add_argument("--seed", type=int, default=1, metavar="SEED",
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
    return parser


# --- running a command --------------------------------------------------------------------------


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run the command in ``args`` against the database ``settings`` name; returns the exit code."""
    handlers: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
        "demo": _demo,
        "db": _db,
        "info": _info,
        "user": _user,
    }
    try:
        return handlers[args.command](args, settings)
    except ValidationError as error:
        for problem in error.problems:
            _err(f"入力エラー: {problem}")
        return EXIT_BAD_INPUT
    except (ServiceError, SchemaTooNewError) as error:
        _err(f"エラー: {error}")
        return EXIT_REFUSED
    except BrokenPipeError:
        # The reader went away (``setacare user list | head``): no traceback. Python's documented
        # recipe: point stdout at devnull so the flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_REFUSED


def _out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


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
        raise ValidationError([FieldProblem(what, f"{option} で指定してください")])
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
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("パスワード: ")
    second = getpass.getpass("パスワード（確認）: ")
    if first != second:
        raise ValidationError([FieldProblem("パスワード", "確認用の入力と一致しません")])
    return first


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
