"""``setacare org …``: the organisation's own settings for printed forms (administrators).

- ``org show [--organisation 機関名]``: the sender block printed on sheets and FAX cover sheets
  (所在地, 電話, FAX, 担当者) and every form's 様式 number and title;
- ``org set [--organisation 機関名] [--address …] [--phone …] [--fax …] [--contact …]``: change
  the sender block (an option not given is left as it is; ``""`` empties a field);
- ``org form CODE --number 様式第1号 --title 連携シート``: change a form's number and title.

They act as a staff member (``--as LOGIN``) who manages accounts; each change is audited
(``organisation_settings_change``, ``print_form_change``). Exit codes are ``cli``'s.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import IO, Any

from setacare_desktop.services import Database, StaffProfile, system
from setacare_desktop.services import organisation_settings as org_settings
from setacare_desktop.settings import Settings

EXIT_OK = 0
PasswordOf = Callable[[argparse.Namespace, IO[str]], str]
ActingAs = Callable[[Database, str, str], AbstractContextManager[StaffProfile]]
_OPTIONS = {"address": "--address", "phone": "--phone", "fax": "--fax", "contact": "--contact"}


def add_commands(commands: Any, location: argparse.ArgumentParser,
                 acting: argparse.ArgumentParser,
                 parser_class: type[argparse.ArgumentParser]) -> None:
    """Add ``org`` to the ``setacare`` parser."""
    p = commands.add_parser("org", help="送付元の情報と様式番号（管理者）",
                            description="連携シート・FAX送付状に印字する送付元の情報と、各様式の番号・"
                                        "題名を表示・変更します。変更は管理者のみです。")
    sub = p.add_subparsers(dest="org_command", title="コマンド", metavar="コマンド",
                           required=True, parser_class=parser_class)
    show = sub.add_parser("show", parents=[location, acting], help="設定を表示する",
                          description="送付元の情報と様式の番号・題名を表示します。")
    show.add_argument("--organisation", metavar="機関名", help="機関（省略時は自分の所属）")
    change = sub.add_parser(
        "set", parents=[location, acting], help="送付元の情報を変更する",
        description="送付元の情報を変更します。指定しない項目はそのまま、\"\" を指定すると空にします。",
        epilog="例: setacare org set --phone 03-1234-5678 --fax 03-1234-5679 --as admin01")
    change.add_argument("--organisation", metavar="機関名", help="機関（省略時は自分の所属）")
    for name, label, _limit in org_settings.SENDER_FIELDS:
        change.add_argument(_OPTIONS[name], dest=name, metavar=label, help=label)
    form = sub.add_parser(
        "form", parents=[location, acting], help="様式の番号・題名を変更する",
        description="様式の番号と題名を変更します。様式: "
                    + "、".join(org_settings.FORM_DEFAULTS) + "。",
        epilog="例: setacare org form liaison_sheet --number 様式第1号 --title 連携シート --as admin01")
    form.add_argument("code", choices=list(org_settings.FORM_DEFAULTS), metavar="様式",
                      help="liaison_sheet、reply_slip、fax_cover、consent_form")
    form.add_argument("--number", required=True, metavar="番号", help="様式番号（\"\" で番号なし）")
    form.add_argument("--title", required=True, metavar="題名", help="題名")


def run(args: argparse.Namespace, settings: Settings, password_of: PasswordOf,
        acting_as: ActingAs) -> int:
    password = password_of(args, sys.stdin)
    db = system.open_database(settings, migrate=True)
    try:
        with acting_as(db, args.as_login, password) as actor:
            if args.org_command == "form":
                form = org_settings.set_print_form(db, actor, args.code, number=args.number,
                                                   title=args.title)
                print(f"様式「{form.code}」を「{form.heading}」にしました。")
                return EXIT_OK
            if args.org_command == "set":
                values = {name: getattr(args, name) for name in _OPTIONS}
                sender = org_settings.set_sender_settings(db, actor,
                                                          organisation=args.organisation, **values)
                print(f"{sender.name} の送付元の情報を変更しました。")
            else:
                sender = org_settings.sender_settings(db, actor, args.organisation)
            print(_sender_text(sender))
            if args.org_command == "show":
                for form in org_settings.print_forms(db):
                    print(f"様式 {form.code}: {form.heading}")
            return EXIT_OK
    finally:
        db.close()


def _sender_text(sender: org_settings.Sender) -> str:
    rows = [("機関", sender.name)] + [(label, getattr(sender, name) or "（未設定）")
                                     for name, label, _limit in org_settings.SENDER_FIELDS]
    return "\n".join(f"{label}: {value}" for label, value in rows)
