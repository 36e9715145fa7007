"""``setacare package …``: the offline day package (日次パッケージ, docs/package.md).

- ``package export --date D [--to D2] --scope 地区|地域 --out FILE [--expires-in-days N]
  [--force]``: the consultations, referrals, reviews and audit rows of a district or an area over
  the days, as the exporter may see them, encrypted with a passphrase, bound to this database and
  expiring after N days (default 3); an existing FILE is replaced only with ``--force``;
- ``package import FILE``: the decisions made offline over a package, back into the database
  (once; the decisions that no longer fit are listed and not applied).

Both act as a supervisor (``--as LOGIN``), logged in and out by ``cli``. The passphrase is never an
argument: it is typed at a prompt that does not echo (twice for an export), or read from standard
input with ``--passphrase-stdin``: the first line, or the second when ``--password-stdin`` takes
the first for the password.

Exit codes: 0 done (an import with decisions left out is done too: they are listed); 2 bad
input; 1 a refusal (a wrong passphrase or a damaged file, a wrong password, outside one's scope).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

from setacare_desktop.cli_input import bounded_int, out_target, secret, stdin_line
from setacare_desktop.domain import reference as ref
from setacare_desktop.services import Database, StaffProfile, package, system
from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.services.files import read_file, write_atomically
from setacare_desktop.services.inputs import date_field
from setacare_desktop.settings import Settings

EXIT_OK = 0

PasswordOf = Callable[[argparse.Namespace, IO[str]], str]
ActingAs = Callable[[Database, str, str], AbstractContextManager[StaffProfile]]

_PASSPHRASE_HELP = ("パスフレーズを標準入力から読む（--password-stdin もあれば2行目、なければ1行目）。"
                    "指定しなければ画面に表示せずに入力する")


def add_commands(commands: Any, location: argparse.ArgumentParser,
                 acting: argparse.ArgumentParser,
                 parser_class: type[argparse.ArgumentParser]) -> None:
    """Add ``package export``, ``package import`` and ``package open`` to the ``setacare``
    parser (``open`` starts the offline review window: ``app`` dispatches it to the UI)."""
    p = commands.add_parser(
        "package", help="日次パッケージ（持ち出して確認するための暗号化ファイル）",
        description="監督者が相談の確認を別の端末で行うための、パスフレーズで暗号化した"
                    "日次パッケージを書き出し、そこで行った確認を取り込みます。")
    sub = p.add_subparsers(dest="package_command", title="コマンド", metavar="コマンド",
                           required=True, parser_class=parser_class)
    export = sub.add_parser(
        "export", parents=[location, acting], help="日次パッケージを書き出す",
        description="地区または地域の相談（つなぎ、確認の記録、操作記録を含む）を、パスフレーズで"
                    "暗号化した1つのファイルに書き出します。パスフレーズは推測されにくい長い文"
                    "（単語を4つ以上）にし、画面に表示せずに2回入力します。パッケージはこの"
                    "データベースにだけ取り込め、有効期限を過ぎると開けなくなります。オフラインでは"
                    "書き出した監督者本人だけが、自分のパスワードでログインして確認できます。",
        epilog="例: setacare package export --date R8.11.24 --scope 池尻 --out ikejiri.setacare-pkg "
               "--as boss01\n"
               "    setacare package export --date 2026-11-01 --to 2026-11-30 --scope 世田谷地域 "
               "--out setagaya-11.setacare-pkg --as area-boss")
    export.add_argument("--date", required=True, metavar="DATE",
                        help="最初の日（2026-11-24、R8.11.24、令和8年11月24日 など）")
    export.add_argument("--to", metavar="DATE", help="最後の日（既定: --date と同じ日。92日以内）")
    export.add_argument("--scope", required=True, metavar="地区|地域",
                        help="地区（例: 池尻、ikejiri）または地域（例: 世田谷地域、setagaya）")
    export.add_argument("--out", required=True, metavar="FILE", help="書き出すファイル")
    export.add_argument(
        "--expires-in-days", metavar="N", default=package.EXPIRES_IN_DAYS,
        type=functools.partial(bounded_int, low=package.EXPIRES_MIN, high=package.EXPIRES_MAX),
        help=f"有効期限（書き出してから何日開けるか。{package.EXPIRES_MIN}〜"
             f"{package.EXPIRES_MAX}、既定: {package.EXPIRES_IN_DAYS}）")
    export.add_argument("--force", action="store_true",
                        help="--out のファイルが既にあれば置き換える")
    export.add_argument("--passphrase-stdin", action="store_true", help=_PASSPHRASE_HELP)
    imported = sub.add_parser(
        "import", parents=[location, acting], help="日次パッケージの確認を取り込む",
        description="日次パッケージで行った確認（確認済・差戻し・日次確認）をデータベースに"
                    "取り込みます。2回取り込んでも何も変わりません。書き出し後に修正された相談"
                    "などへの確認は取り込まずに一覧で示します。",
        epilog="例: setacare package import ikejiri.setacare-pkg --as boss01")
    imported.add_argument("file", metavar="FILE", help="日次パッケージのファイル")
    imported.add_argument("--passphrase-stdin", action="store_true", help=_PASSPHRASE_HELP)
    opened = sub.add_parser(
        "open", help="日次パッケージを開いて確認する（オフライン）",
        description="日次パッケージをこの端末で開き、確認の画面を表示します。データベースには"
                    "接続しません。パスフレーズと、監督者本人のログインIDとパスワードを入力します。"
                    "確認した内容はパッケージのファイルに保存されます。",
        epilog="例: setacare package open ikejiri.setacare-pkg")
    opened.add_argument("file", metavar="FILE", help="日次パッケージのファイル")


def run(args: argparse.Namespace, settings: Settings, password_of: PasswordOf,
        acting_as: ActingAs) -> int:
    if args.package_command == "export":
        return _export(args, settings, password_of, acting_as)
    return _import(args, settings, password_of, acting_as)


def _passphrase(args: argparse.Namespace, stdin: IO[str], *, confirm: bool) -> str:
    """The passphrase (checked for strength when it is a new one, ``confirm``)."""
    if args.passphrase_stdin:
        passphrase = stdin_line(stdin, "パスフレーズ")
    else:
        passphrase = secret("パスフレーズ: ", "--passphrase-stdin", "パスフレーズ")
        if confirm and secret("パスフレーズ（確認）: ", "--passphrase-stdin",
                              "パスフレーズ") != passphrase:
            raise ValidationError([Problem("パスフレーズ", "確認用の入力と一致しません")])
    problem = package.passphrase_problem(passphrase, (args.as_login,)) if confirm else None
    if problem:
        raise ValidationError([Problem("パスフレーズ", problem)])
    return passphrase


def _export(args: argparse.Namespace, settings: Settings, password_of: PasswordOf,
            acting_as: ActingAs) -> int:
    problems: list[Problem] = []
    start = end = None
    for option, text in (("--date", args.date), ("--to", args.to or args.date)):
        try:
            day = date_field(text, option)
        except ValidationError as error:
            problems += error.problems
            continue
        if option == "--date":
            start = day
        else:
            end = day
    try:
        scope = package.resolve_scope(args.scope)
    except ValidationError:
        problems.append(Problem("--scope", f"「{args.scope}」は地区でも地域でもありません"))
    out = Path(args.out)
    try:
        out = out_target(args.out, replace=args.force)
    except ValidationError as error:
        problems += error.problems
    if start is not None and end is not None and start > end:
        problems.append(Problem("--to", "--date より後の日にしてください"))
    if problems:
        raise ValidationError(problems)
    assert start is not None and end is not None
    # Standard input: the password line first (--password-stdin), then the passphrase.
    password = password_of(args, sys.stdin)
    passphrase = _passphrase(args, sys.stdin, confirm=True)
    db = system.open_database(settings, migrate=True)
    try:
        with acting_as(db, args.as_login, password) as actor:
            result = package.export_package(
                db, actor, start, end, args.scope, passphrase, password=password,
                expires_in_days=args.expires_in_days,
                deliver=lambda data: write_atomically(out, data, replace=args.force))
    finally:
        db.close()
    print(f"日次パッケージを書き出しました → {out}")
    print(f"パッケージID: {result.package_id}")
    print(f"範囲: {scope.label} {start:%Y-%m-%d}〜{end:%Y-%m-%d}"
          f"（相談のある日 {len(result.days)}日、相談 {result.consultations:,}件）")
    if result.masked:
        print(f"本人の同意がないため個人を特定できる情報を伏せた相談: {result.masked:,}件")
    print(f"操作記録: {result.audit_rows:,}件")
    print(f"有効期限: {package.expiry_text(result.expires_at)}（これを過ぎると開けません）")
    print("このデータベースにだけ取り込めます。オフラインでは、あなたのパスワードでログインします。")
    print("パスフレーズは、ファイルとは別の方法で確認する人に伝えてください。")
    return EXIT_OK


def _import(args: argparse.Namespace, settings: Settings, password_of: PasswordOf,
            acting_as: ActingAs) -> int:
    data = read_file(Path(args.file))
    password = password_of(args, sys.stdin)
    passphrase = _passphrase(args, sys.stdin, confirm=False)
    package.open_package(data, passphrase)  # a wrong passphrase or a damaged file: no login
    db = system.open_database(settings, migrate=True)
    try:
        with acting_as(db, args.as_login, password) as actor:
            report = package.import_package(db, actor, data, passphrase)
    finally:
        db.close()
    print(f"日次パッケージを取り込みました（パッケージID: {report.package_id}）")
    print(f"取り込んだ判断: {report.applied}件")
    print(f"取り込み済みのため変更なし: {report.already}件")
    marker = "★ " if report.conflicts else ""
    print(f"{marker}取り込まなかった判断: {len(report.conflicts)}件")
    for conflict in report.conflicts:
        what = (f"相談 No.{conflict.consultation_id}" if conflict.consultation_id is not None
                else "日次確認")
        name = ref.DISTRICTS_BY_CODE[conflict.district_code].name
        print(f"  - {conflict.day:%Y-%m-%d} {name}地区 {what}: {conflict.reason}")
    return EXIT_OK
