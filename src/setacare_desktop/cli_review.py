"""``setacare review …``: the supervisor's review (確認) from the command line.

- ``review list --date DATE [--district 地区] [--json]``: per district, the day's sign-off
  (日次確認) and one line per consultation: its state (未確認・確認済・差戻し・修正あり) and the
  flags that make it need a closer look; then a summary. ``--json`` prints the same as a list of
  districts for scripts, with no more personal data than the table (no person names, the 主訴
  shortened as in the table).

The command acts as a supervisor (``--as LOGIN``), logged in and out by ``cli`` (which registers
it and hands over its login helpers), so scope checks and the audit trail (``review_list``) are
the window's. Exit codes are ``cli``'s: 2 bad input, 1 a refusal (not a supervisor, a district
outside their scope).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import IO, Any

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.jpdate import utc_to_local
from setacare_desktop.domain.review import ReviewState
from setacare_desktop.services import Database, StaffProfile, review, system
from setacare_desktop.services.inputs import date_field, district_field
from setacare_desktop.settings import Settings

EXIT_OK = 0

#: The 主訴 is shortened to this many characters in the list (and in ``--json``).
COMPLAINT_CHARS = 30

PasswordOf = Callable[[argparse.Namespace, IO[str]], str]
ActingAs = Callable[[Database, str, str], AbstractContextManager[StaffProfile]]
Table = Callable[[tuple[str, ...], list[tuple[str, ...]]], str]


def add_commands(commands: Any, location: argparse.ArgumentParser,
                 acting: argparse.ArgumentParser,
                 parser_class: type[argparse.ArgumentParser]) -> None:
    """Add ``review`` to the ``setacare`` parser."""
    p = commands.add_parser(
        "review", help="監督者の確認（日次確認）",
        description="監督者が1日の相談を確認します。監督者としてログインして実行します（--as）。")
    sub = p.add_subparsers(dest="review_command", title="コマンド", metavar="コマンド",
                           required=True, parser_class=parser_class)
    listing = sub.add_parser(
        "list", parents=[location, acting], help="ある日の相談の確認状況を表示する",
        description="ある日の相談を地区ごとに表示します: 日次確認の状況（未／済）、相談ごとの"
                    "確認の状態（未確認・確認済・差戻し・修正あり）と要注意フラグ（緊急、同意なし"
                    "共有、返信期限超過 など）、最後に件数の集計です。地区を指定しなければ、確認"
                    "できるすべての地区です。監督者のみ実行できます。",
        epilog="例: setacare review list --date R8.11.24 --as boss01\n"
               "    setacare review list --date 2026-11-24 --district 池尻 --json --as boss01")
    listing.add_argument("--date", required=True, metavar="DATE",
                         help="日付（2026-11-24、R8.11.24、令和8年11月24日 など）")
    listing.add_argument("--district", metavar="地区", help="地区（例: 池尻、ikejiri）")
    listing.add_argument("--json", action="store_true",
                         help="JSON で表示する（地区ごとの一覧。対象者の氏名は含まない）")


def run(args: argparse.Namespace, settings: Settings, password_of: PasswordOf,
        acting_as: ActingAs, table: Table) -> int:
    day = date_field(args.date, "--date")
    district = district_field(args.district, "--district").code if args.district else None
    # Read the password before opening the database: a wrong one costs no migration check.
    password = password_of(args, sys.stdin)
    db = system.open_database(settings, migrate=True)
    try:
        with acting_as(db, args.as_login, password) as actor:
            day_review = review.day_review(db, actor, day, district)
    finally:
        db.close()
    if args.json:
        print(json.dumps(as_json(day_review), ensure_ascii=False, indent=2))
    else:
        print(as_text(day_review, table))
    return EXIT_OK


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= COMPLAINT_CHARS else flat[:COMPLAINT_CHARS - 1] + "…"


def _signoff_text(signoff: review.SignoffRow | None) -> str:
    if signoff is None:
        return "日次確認: 未"
    at = utc_to_local(signoff.signed_at)
    return (f"日次確認: 済（{signoff.signed_by}、{at:%Y-%m-%d %H:%M}）"
            f"  確認後の修正・追加 {signoff.amended_since}件")


def as_text(day_review: review.DayReview, table: Table) -> str:
    """The review as plain text: a block per district, then the summary line."""
    lines = [f"{day_review.day:%Y-%m-%d} の相談の確認"]
    for code in day_review.districts:
        name = ref.DISTRICTS_BY_CODE[code].name
        lines += ["", f"{name}地区  {_signoff_text(day_review.signoffs.get(code))}"]
        rows = day_review.rows_of(code)
        if not rows:
            lines.append("相談はありません。")
            continue
        lines.append(table(("No.", "時刻", "所属", "状態", "フラグ", "主訴"), [
            (str(r.consultation_id), f"{r.received_at:%H:%M}", r.organisation_name,
             r.state.label, "・".join(f.label for f in r.flags), _short(r.main_complaint))
            for r in rows]))
    lines += ["", _summary(day_review)]
    return "\n".join(lines)


def _summary(day_review: review.DayReview) -> str:
    rows = day_review.rows
    count = {state: sum(1 for r in rows if r.state is state) for state in ReviewState}
    flagged = sum(1 for r in rows if r.flags)
    return (f"件数 {len(rows):,}件（未確認 {count[ReviewState.PENDING]:,}件、"
            f"確認済 {count[ReviewState.CONFIRMED]:,}件、差戻し {count[ReviewState.RETURNED]:,}件、"
            f"要再確認 {count[ReviewState.RECHECK]:,}件）、要注意フラグのある相談 {flagged:,}件")


def as_json(day_review: review.DayReview) -> list[dict[str, Any]]:
    """The review as a list of districts, with no more personal data than the table."""
    found = []
    for code in day_review.districts:
        signoff = day_review.signoffs.get(code)
        found.append({
            "date": day_review.day.isoformat(),
            "district": code,
            "district_name": ref.DISTRICTS_BY_CODE[code].name,
            "signoff": None if signoff is None else {
                "signed_by": signoff.signed_by,
                "signed_at": utc_to_local(signoff.signed_at).isoformat(timespec="minutes"),
                "amended_since": signoff.amended_since,
            },
            "cases": [{
                "consultation_id": r.consultation_id,
                "version": r.version,
                "received_at": r.received_at.isoformat(timespec="minutes"),
                "organisation": r.organisation_name,
                "state": r.state.value,
                "state_label": r.state.label,
                "flags": [f.value for f in r.flags],
                "flag_labels": [f.label for f in r.flags],
                "main_complaint": _short(r.main_complaint),
            } for r in day_review.rows_of(code)],
        })
    return found
