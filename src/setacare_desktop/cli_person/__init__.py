"""``setacare person …``, ``setacare referral list`` and ``setacare followup list``, as a staff
member (``--as LOGIN``).

- ``person find --name 氏名 [--reading よみ] [--birth 生年月日] [--district 地区]``: the intake's
  duplicate check (``services.persons.possible_duplicates``, the panel's own service) with the
  reasons; a person the staff member may not see is never listed. What is printed is audited
  (``person_find``, one row per person).
- ``person show ID``: the person page as text (``services.person_page``; audited, refused for a
  person the staff member may not see).
- ``referral list [--case N] [--person N] [--date D] [--status S]``: referrals, newest first.
- ``followup list [--organisation]``: やること of the staff member (or their organisation).

Errors are raised, never printed here (``cli_boundary``): bad input exits 2, a refusal 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from setacare_desktop import cli_input
from setacare_desktop.cli_common import (
    EXIT_OK,
    JapaneseArgumentParser,
    acting_as,
    acting_parser,
    login_password,
    opened,
    out,
)
from setacare_desktop.cli_person import render
from setacare_desktop.domain.followups import Scope
from setacare_desktop.domain.referral import STATUS_LABELS, ReferralStatus
from setacare_desktop.services import Database, StaffProfile, ValidationError, followups, persons
from setacare_desktop.services.errors import Problem
from setacare_desktop.services.inputs import date_field, district_field
from setacare_desktop.services.person_page import person_page, record_find
from setacare_desktop.services.referral_list import list_referrals
from setacare_desktop.settings import Settings

__all__ = ["COMMANDS", "add_commands", "run"]

#: The top-level commands this module adds.
COMMANDS = ("person", "referral", "followup")


def add_commands(commands: Any, location: argparse.ArgumentParser) -> None:
    acting = acting_parser()
    p = commands.add_parser("person", help="対象者（相談者ページ・重複の確認）",
                            description="対象者を探し、相談者ページを表示します（--as）。")
    sub = p.add_subparsers(dest="person_command", title="コマンド", metavar="コマンド",
                           required=True, parser_class=JapaneseArgumentParser)
    find = sub.add_parser(
        "find", parents=[location, acting], help="同じ人の登録がないか探す",
        description="受付画面の「同じ人の登録がないか確認」と同じ照合で、登録済みの対象者と一致の"
                    "理由を表示します。本人の情報共有の同意がなく表示できない対象者は表示しません。",
        epilog="例: setacare person find --name 山田花子 --reading やまだはなこ --as sato01")
    find.add_argument("--name", required=True, metavar="氏名", help="氏名")
    find.add_argument("--reading", default="", metavar="よみ", help="ふりがな")
    find.add_argument("--birth", default="", metavar="生年月日",
                      help="生年月日（1944-05-16、S19.5.16、昭和19年5月16日 など）")
    find.add_argument("--district", metavar="地区", help="地区で絞る（例: 池尻）")
    show = sub.add_parser(
        "show", parents=[location, acting], help="相談者ページを表示する",
        description="対象者の相談・つなぎ・同意・連携シート・世帯・継続支援を新しい順に表示します。")
    show.add_argument("person_id", type=cli_input.record_id, metavar="ID", help="対象者ID")

    r = commands.add_parser("referral", help="つなぎの一覧",
                            description="つなぎ（紹介）の一覧を表示します（--as）。")
    rsub = r.add_subparsers(dest="referral_command", title="コマンド", metavar="コマンド",
                            required=True, parser_class=JapaneseArgumentParser)
    listing = rsub.add_parser(
        "list", parents=[location, acting], help="つなぎの一覧を表示する",
        description="閲覧できる地区のつなぎを新しい順に表示します。ID は setacare sheet に使えます。",
        epilog="例: setacare referral list --status 送付済 --as sato01\n"
               "    setacare referral list --case 120 --as sato01")
    listing.add_argument("--case", type=cli_input.record_id, metavar="N", help="相談No.")
    listing.add_argument("--person", type=cli_input.record_id, metavar="N", help="対象者ID")
    listing.add_argument("--date", metavar="D", help="つないだ日（2026-11-24、R8.11.24 など）")
    listing.add_argument("--status", metavar="S",
                         help="状態（" + "・".join(STATUS_LABELS.values()) + "）")

    f = commands.add_parser("followup", help="やること（次回予定・返信期限・差戻し・継続支援）",
                            description="やることの一覧を表示します（--as）。")
    fsub = f.add_subparsers(dest="followup_command", title="コマンド", metavar="コマンド",
                            required=True, parser_class=JapaneseArgumentParser)
    flist = fsub.add_parser(
        "list", parents=[location, acting], help="やることを表示する",
        description="次回予定が今日までのもの、返信期限を過ぎたつなぎ、差戻し、連絡のない継続支援を"
                    "表示します。既定は自分の分、--organisation で所属機関の分です。")
    flist.add_argument("--organisation", action="store_true", help="所属機関の分を表示する")


def _status(text: str | None) -> ReferralStatus | None:
    if text is None:
        return None
    try:
        return ReferralStatus.parse(text)
    except ValueError:
        raise ValidationError([Problem(
            "--status", f"「{text[:20]}」は状態ではありません（"
                        + "・".join(STATUS_LABELS.values()) + "）")]) from None


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Check the input, log in, run the command, log out."""
    if args.command == "referral":
        day = date_field(args.date, "--date") if args.date else None
        status = _status(args.status)
    elif args.command == "person" and args.person_command == "find":
        if args.birth:
            date_field(args.birth, "--birth")
        district = district_field(args.district, "--district").name if args.district else None
    password = login_password(args, sys.stdin)
    db = opened(settings)
    try:
        with acting_as(db, args.as_login, password) as actor:
            if args.command == "referral":
                out(render.referrals(list_referrals(
                    db, actor, consultation_id=args.case, person_id=args.person,
                    referred_on=day, status=status)))
            elif args.command == "followup":
                scope = Scope.ORGANISATION if args.organisation else Scope.MINE
                out(render.followups(followups.followups(db, actor, scope), scope))
            elif args.person_command == "find":
                _find(db, actor, args, district)
            else:
                out(render.person_page(person_page(db, actor, args.person_id)))
    finally:
        db.close()
    return EXIT_OK


def _find(db: Database, actor: StaffProfile, args: argparse.Namespace,
          district: str | None) -> None:
    found = persons.possible_duplicates(db, actor, name=args.name, reading=args.reading,
                                        birth_date=args.birth)
    if district is not None:
        found = [c for c in found if c.district_name == district]
    if found:
        record_find(db, actor, [c.person_id for c in found])
    out(render.candidates(found))
