"""``setacare sheet …`` and ``setacare print …``: the liaison sheet and the other printouts as PDF.

- ``sheet REFERRAL_ID --out FILE.pdf [--anonymised [--summary TEXT]]``: the liaison sheet of a
  referral; where the consent gate refuses, the reason is printed and the exit code is 2 (nothing
  is written). The anonymised sheet prints the referral's 匿名用の概要 (``--summary`` stores it
  first); while it is empty or identifies the person, each finding is printed and the exit code
  is 2;
- ``print intake CASE_ID --out FILE.pdf``: the 相談受付票 of a consultation;
- ``print day --date DATE --district 地区 --out FILE.pdf``: the day's consultation list;
- ``print fax-cover REFERRAL_ID --out FILE.pdf [--anonymised]``: the FAX送付状 of a referral's
  sheet (no name or detail of the person; its page count includes the sheet and 返信票);
- ``print consent-form PERSON_ID --out FILE.pdf``: the 同意書 for the person to sign.

They act as a staff member (``--as LOGIN``), logged in and out by ``cli`` (which registers these
commands and hands over its login helpers), so scope checks and the audit trail are the window's.
Each file is written by the print's own use case before the print is recorded: a file that cannot
be written leaves no sheet number used and is audited as a failed print (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

from setacare_desktop.cli_input import add_force, out_target, record_id
from setacare_desktop.domain import reference as ref
from setacare_desktop.services import Database, StaffProfile, sheets, system
from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.services.inputs import date_field, district_field
from setacare_desktop.settings import Settings

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_CONSENT = 2  # the consent gate refused: like bad input, nothing was written

PasswordOf = Callable[[argparse.Namespace, IO[str]], str]
ActingAs = Callable[[Database, str, str], AbstractContextManager[StaffProfile]]


def add_commands(commands: Any, location: argparse.ArgumentParser,
                 acting: argparse.ArgumentParser,
                 parser_class: type[argparse.ArgumentParser]) -> None:
    """Add ``sheet`` and ``print`` to the ``setacare`` parser."""
    p = commands.add_parser(
        "sheet", parents=[location, acting], help="つなぎの連携シートを PDF にする",
        description="つなぎ（REFERRAL_ID）の連携シートを A4 の PDF に書き出し、印刷として監査記録に"
                    "残します。2回目以降は「再発行」と印字されます。送付先への本人同意（連携シート"
                    "の送付）も緊急時の例外もなければ、理由を表示して終了します（終了コード 2）。"
                    "--anonymised なら匿名の連携シート（イニシャル、年代と匿名用の概要のみ）です。",
        epilog="例: setacare sheet 12 --out renkei.pdf --as sato01")
    p.add_argument("referral_id", type=record_id, metavar="REFERRAL_ID", help="つなぎの番号")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="書き出す PDF ファイル")
    add_force(p)
    p.add_argument("--anonymised", action="store_true",
                   help="匿名の連携シートにする（氏名はイニシャル、住所・電話・生年月日・相談の記録なし）")
    p.add_argument("--summary", metavar="TEXT",
                   help="匿名用の概要（--anonymised のとき。つなぎに保存してから印刷します。"
                        "氏名・年齢・日付・電話番号・住所を含むと印刷できません）")
    p = commands.add_parser("print", help="相談受付票・相談受付一覧・FAX送付状・同意書を PDF にする",
                            description="相談受付票、1日の相談受付一覧、FAX送付状または同意書を PDF "
                                        "に書き出します。")
    sub = p.add_subparsers(dest="print_command", title="コマンド", metavar="コマンド",
                           required=True, parser_class=parser_class)
    intake = sub.add_parser("intake", parents=[location, acting], help="相談受付票",
                            description="相談1件の相談受付票を PDF に書き出します。")
    intake.add_argument("consultation_id", type=record_id, metavar="CASE_ID",
                        help="相談の番号（No.）")
    intake.add_argument("--out", required=True, metavar="FILE.pdf", help="書き出す PDF ファイル")
    add_force(intake)
    day = sub.add_parser("day", parents=[location, acting], help="1日の相談受付一覧",
                         description="ある日の地区の相談受付一覧を PDF に書き出します。")
    day.add_argument("--date", required=True, metavar="DATE",
                     help="日付（2026-11-24、R8.11.24、令和8年11月24日 など）")
    day.add_argument("--district", required=True, metavar="地区", help="地区（例: 池尻、ikejiri）")
    day.add_argument("--out", required=True, metavar="FILE.pdf", help="書き出す PDF ファイル")
    add_force(day)
    cover = sub.add_parser("fax-cover", parents=[location, acting], help="FAX送付状",
                           description="つなぎの連携シートを FAX で送るときの送付状を PDF に書き出し"
                                       "ます（送付先・送付元・FAX番号・枚数・用件。対象者の情報は"
                                       "載せません）。")
    cover.add_argument("referral_id", type=record_id, metavar="REFERRAL_ID", help="つなぎの番号")
    cover.add_argument("--out", required=True, metavar="FILE.pdf", help="書き出す PDF ファイル")
    cover.add_argument("--anonymised", action="store_true",
                       help="匿名の連携シートを送るときの送付状にする（枚数をそちらで数えます）")
    add_force(cover)
    form = sub.add_parser("consent-form", parents=[location, acting], help="同意書",
                          description="対象者が署名する同意書（提供先と目的、窓口で読み上げる文言、"
                                      "同意日、署名欄）を PDF に書き出します。")
    form.add_argument("person_id", type=record_id, metavar="PERSON_ID", help="対象者の番号")
    form.add_argument("--out", required=True, metavar="FILE.pdf", help="書き出す PDF ファイル")
    add_force(form)


def run(args: argparse.Namespace, settings: Settings, password_of: PasswordOf,
        acting_as: ActingAs) -> int:
    # The file is checked before the login, to say so at once; the print itself is recorded only
    # after its file is written (the use case writes it).
    out = out_target(args.out, replace=args.force)
    if args.command == "sheet" and args.summary is not None and not args.anonymised:
        raise ValidationError([Problem("--summary", "--anonymised と一緒に指定してください")])
    day = district = None
    if args.command == "print" and args.print_command == "day":
        day, district = _day_and_district(args.date, args.district)
    password = password_of(args, sys.stdin)
    db = system.open_database(settings, migrate=True)
    try:
        with acting_as(db, args.as_login, password) as actor:
            if args.command == "sheet":
                return _sheet(db, actor, args, out)
            if args.print_command in ("fax-cover", "consent-form"):
                return _form(db, actor, args, out)
            if args.print_command == "intake":
                sheets.print_intake_record(db, actor, args.consultation_id,
                                           sheets.to_file(out, replace=args.force))
                print(f"相談受付票（No.{args.consultation_id}）を書き出しました → {out}")
                return EXIT_OK
            assert day is not None and district is not None
            sheets.print_day_list(db, actor, day, district.code,
                                  sheets.to_file(out, replace=args.force))
            print(f"{district.name}地区 {day:%Y-%m-%d} の相談受付一覧を書き出しました → {out}")
            return EXIT_OK
    finally:
        db.close()


def _sheet(db: Database, actor: StaffProfile, args: argparse.Namespace, out: Path) -> int:
    if args.summary is not None:
        sheets.save_anonymised_summary(db, actor, args.referral_id, args.summary)
    try:
        issued = sheets.issue_liaison_sheet(db, actor, args.referral_id,
                                            sheets.to_file(out, replace=args.force),
                                            anonymised=args.anonymised)
    except sheets.SheetConsentError as error:
        print(f"印刷できません: {error}", file=sys.stderr)
        return EXIT_CONSENT
    kind = "再発行" if issued.reissue else "原本"
    print(f"連携シート {issued.sheet_number}（{kind}"
          f"{'、匿名' if issued.anonymised else ''}）を書き出しました → {out}")
    return EXIT_OK


def _form(db: Database, actor: StaffProfile, args: argparse.Namespace, out: Path) -> int:
    target = sheets.to_file(out, replace=args.force)
    if args.print_command == "consent-form":
        sheets.print_consent_form(db, actor, args.person_id, target)
        print(f"同意書（対象者 {args.person_id}）を書き出しました → {out}")
        return EXIT_OK
    try:
        sheets.print_fax_cover(db, actor, args.referral_id, target,
                               anonymised=True if args.anonymised else None)
    except sheets.SheetConsentError as error:
        print(f"印刷できません: {error}", file=sys.stderr)
        return EXIT_CONSENT
    print(f"FAX送付状（つなぎ {args.referral_id}）を書き出しました → {out}")
    return EXIT_OK


def _day_and_district(date_text: str, district_text: str) -> tuple[Any, ref.District]:
    problems = []
    day = district = None
    try:
        day = date_field(date_text, "日付")
    except ValidationError as error:
        problems += error.problems
    try:
        district = district_field(district_text, "地区")
    except ValidationError as error:
        problems += error.problems
    if problems:
        raise ValidationError(problems)
    assert district is not None
    return day, district
