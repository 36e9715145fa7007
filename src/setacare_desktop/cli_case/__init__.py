"""``setacare case …``: consultations, as a staff member (``--as LOGIN``).

``case_json`` reads the JSON of ``case add``; ``viewing`` prints ``show``, ``list`` and
``search`` as the visibility rule lets the staff member see them (docs/privacy.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from setacare_desktop import cli_input
from setacare_desktop.cli_case.case_json import (
    intake_from_json,
    json_problem,
    parse_json,
    read_json_text,
)
from setacare_desktop.cli_case.viewing import (
    case_list,
    case_search,
    case_show,
    district_code,
)
from setacare_desktop.cli_common import EXIT_OK, JapaneseArgumentParser
from setacare_desktop.cli_common import acting_as as _acting_as
from setacare_desktop.cli_common import acting_parser as _acting_parser
from setacare_desktop.cli_common import login_password as _login_password
from setacare_desktop.cli_common import opened as _opened
from setacare_desktop.cli_common import out as _out
from setacare_desktop.cli_common import table as _table
from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.intake import IntakeInput, validate
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.reference import DISTRICTS
from setacare_desktop.services import Database, StaffProfile, ValidationError, intake
from setacare_desktop.settings import Settings

__all__ = ["add_commands", "intake_from_json", "run"]


def add_commands(commands: Any, location: argparse.ArgumentParser) -> None:
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
    search = case_commands.add_parser(
        "search", parents=[location, acting], help="相談を検索する",
        description="氏名・ふりがな・電話番号・主訴・相談内容の言葉で、閲覧できる地区のすべての日付の"
                    "相談を新しい順に探します（画面の「検索」と同じ結果）。本人の情報共有の同意がなく"
                    "個人を特定できる情報を表示できない相談は、検索しても見つかりません。",
        epilog="例: setacare case search 介護 保険 --as demo-ikejiri-anshin-counter")
    search.add_argument("words", nargs="+", metavar="WORDS", help="探す言葉（すべてを含む相談）")
    search.add_argument("--limit", type=_limit, default=100, metavar="N",
                        help="表示する件数の上限（既定: 100）")
    recipients = case_commands.add_parser(
        "recipients", parents=[location], help="地区の同意先を表示する",
        description="地区の四者（同意先）と、JSON の consents[].recipient に書くキーを表示します。")
    recipients.add_argument("--district", required=True, metavar="DISTRICT",
                            help="地区（例: 池尻、ikejiri）")



def run(args: argparse.Namespace, settings: Settings) -> int:
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
                return case_show(db, actor, args.consultation_id, as_json=args.json)
            if args.case_command == "search":
                return case_search(db, actor, " ".join(args.words), args.limit)
            return case_list(db, actor, args.date, args.district)
    finally:
        db.close()



def _limit(text: str) -> int:
    return cli_input.bounded_int(text, low=1, high=MAX_SEARCH_LIMIT)


#: ``case search --limit`` at most (pages of the window's size are read until it is reached).
MAX_SEARCH_LIMIT = 10_000


def _case_recipients(args: argparse.Namespace, settings: Settings) -> int:
    code = district_code(args.district)
    db = _opened(settings)
    try:
        rows = intake.consent_recipients(db, code)
    finally:
        db.close()
    _out(_table(("同意先（recipient）", "名称"), [(r.key, r.name) for r in rows]))
    return EXIT_OK


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
    district = district_code(place)
    offered = {r.key for r in intake.consent_recipients(db, district)}
    name = ref.DISTRICTS_BY_CODE[district].name
    problems = [json_problem(f"consents[{i}].recipient",
                             f"「{c.recipient}」は{name}の同意先ではありません"
                             f"（setacare case recipients --district {name}）")
                for i, c in enumerate(data.consents)
                if c.recipient.startswith("org:") and c.recipient not in offered]
    if problems:
        raise ValidationError(problems)


def _case_add(args: argparse.Namespace, settings: Settings) -> int:
    # With --password-stdin and --json -, standard input is the password line, then the JSON.
    password = _login_password(args, sys.stdin) if args.password_stdin else None
    data = intake_from_json(parse_json(read_json_text(args.json_file, sys.stdin)))
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
