"""``setacare user …``: staff accounts, managed by a logged-in account manager (``--as``).

``user add … --as LOGIN`` adds an account as that administrator (or staff member allowed to
manage accounts), audited under their login; ``user list --as LOGIN`` lists the accounts, audited
too. The one account added without a login is the first administrator of an empty database
(``--first-administrator``, as the window's first-start dialog): refused once any account exists.
"""

from __future__ import annotations

import argparse
import sys
from typing import IO, Any

from setacare_desktop import cli_input
from setacare_desktop.cli_common import EXIT_OK, JapaneseArgumentParser, acting_as, acting_parser
from setacare_desktop.cli_common import login_password as _login_password
from setacare_desktop.cli_common import opened as _opened
from setacare_desktop.cli_common import out as _out
from setacare_desktop.cli_common import table as _table
from setacare_desktop.domain.reference import OrgKind
from setacare_desktop.services import ValidationError, staff
from setacare_desktop.services.errors import Problem
from setacare_desktop.settings import Settings


def add_commands(commands: Any, location: argparse.ArgumentParser) -> None:
    p = commands.add_parser("user", help="職員アカウント", description="職員アカウントを管理します。")
    user_commands = p.add_subparsers(dest="user_command", title="コマンド", metavar="コマンド",
                                     required=True, parser_class=JapaneseArgumentParser)
    add = user_commands.add_parser(
        "add", parents=[location], help="職員を登録する（管理者）",
        description="職員アカウントを登録します。--as の管理者（アカウント管理の権限がある職員）として"
                    "ログインして登録し、監査記録に残します。パスワードは画面に表示せずに、--as の"
                    "職員のパスワード、新しい職員のパスワード（2回）の順に入力します。空のデータベース"
                    "の最初の管理者だけは --first-administrator でログインなしに登録します。",
        epilog="例: setacare user add kanri --name '田中 一郎' --role 管理者 --org 総合支所 "
               "--area 世田谷 --first-administrator\n"
               "    setacare user add sato01 --name '佐藤 花子' --role 受付 --district 池尻 "
               "--org まちづくりセンター --as kanri")
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
    who = add.add_argument_group("登録する職員（どちらか一方が必要）")
    acting = who.add_mutually_exclusive_group(required=True)
    acting.add_argument("--as", dest="as_login", metavar="LOGIN",
                        help="登録する管理者のログインID（アカウント管理の権限が必要）")
    acting.add_argument("--first-administrator", action="store_true",
                        help="空のデータベースに最初の管理者（--role 管理者）をログインなしで登録する")
    who.add_argument("--password-stdin", action="store_true",
                     help="パスワードを標準入力から読む（入力を求めない）: 1行目が --as の職員の、2行目が"
                          "新しい職員のパスワード（--first-administrator なら1行目が新しい職員の"
                          "パスワード）")
    user_commands.add_parser("list", parents=[location, acting_parser()],
                             help="職員の一覧を表示する（管理者）",
                             description="登録されている職員の一覧を表示します。アカウント管理の権限が"
                                         "ある職員のみ実行でき、監査記録に残ります。",
                             epilog="例: setacare user list --as kanri")


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


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.user_command == "list":
        return _user_list(args, settings)
    return _user_add(args, settings)


def _user_list(args: argparse.Namespace, settings: Settings) -> int:
    password = _login_password(args, sys.stdin)
    db = _opened(settings)
    try:
        with acting_as(db, args.as_login, password) as actor:
            rows = staff.list_staff(db, actor)
    finally:
        db.close()
    _out(_table(("ログインID", "氏名", "役割", "所属", "状態"), [
        (r.login, r.name, r.role_label, r.organisation_name,
         "無効" if not r.active else "ロック中" if r.locked else "有効") for r in rows]))
    _out(f"{len(rows):,} 人")
    return EXIT_OK


def _user_add(args: argparse.Namespace, settings: Settings) -> int:
    org_text = args.org.strip()
    kind = _ORG_ALIASES.get(org_text)
    org_value = kind.value if kind is not None else org_text
    is_branch = org_value in (OrgKind.BRANCH.value, OrgKind.BRANCH.label)
    place = args.area if is_branch else args.district
    if not place:
        option, what = ("--area", "地域") if is_branch else ("--district", "地区")
        raise ValidationError([Problem(what, f"{option} で指定してください")])
    # The administrator's own password first (line 1), then the new account's (line 2).
    own = None if args.first_administrator else _login_password(args, sys.stdin)
    password = _read_password(args.password_stdin, sys.stdin)
    new = staff.NewStaff(args.login, args.name, args.role, place.strip(), org_value, password,
                         args.admin)
    db = _opened(settings)
    try:
        if own is None:
            profile = staff.add_staff(db, None, new)
        else:
            with acting_as(db, args.as_login, own) as actor:
                profile = staff.add_staff(db, actor, new)
    finally:
        db.close()
    _out(f"職員を登録しました: {profile.login}（{profile.name}、{profile.role.label}、"
         f"{profile.organisation_name}）")
    return EXIT_OK


def _read_password(from_stdin: bool, stdin: IO[str]) -> str:
    """A line of standard input, or typed twice at a prompt that does not echo."""
    if from_stdin:
        return cli_input.stdin_line(stdin, "パスワード")
    first = cli_input.secret("新しい職員のパスワード: ", "--password-stdin", "パスワード")
    second = cli_input.secret("新しい職員のパスワード（確認）: ", "--password-stdin", "パスワード")
    if first != second:
        raise ValidationError([Problem("パスワード", "確認用の入力と一致しません")])
    return first
