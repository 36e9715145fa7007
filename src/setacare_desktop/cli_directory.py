"""``setacare directory …``: the referral directory (つなぎ先) from the command line.

- ``import FILE [--preview] --as LOGIN``: an HSDS 3.0 JSON file, an XLSX workbook or a CSV
  package, by a supervisor or an administrator; prints each entry it adds, changes (field,
  before → after) or removes; ``--preview`` prints that list and writes nothing (without it
  the file is read once, written, and the list of what was written printed); a bad file
  changes nothing and every problem is printed with its JSON path (exit 2);
- ``export --format hsds-json|hsds-csv|xlsx --out PATH [--force] --as LOGIN``: the whole
  directory (CSV: a folder of the HSDS tabular files; xlsx: one workbook, a sheet per table),
  by any staff member; audited once written;
- ``lookup --district 地区 --target 区分 --element 要素 [--urgent 緊急] [--text 主訴] [--json]``: the
  ranked list, each with its reason and whether its contact is confirmed.

Registered by ``cli.build_parser`` / ``cli.dispatch``, which turn a ``ValidationError`` into exit 2
and any other ``ServiceError`` into exit 1. Import and export change or take data out, so they log
in (``--as``) and are audited under that login; ``lookup`` reads the shipped or imported directory
only (no personal data, no staff data, nothing written), so it needs no login.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from setacare_desktop.cli_common import acting_as, acting_parser, login_password, out, table
from setacare_desktop.cli_input import add_force, bounded_int, out_folder, out_target
from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.intake import URGENCY_FLAGS
from setacare_desktop.services import Database, StaffProfile, directory, hsds, system
from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.settings import Settings

EXIT_OK = 0
FORMATS = ("hsds-json", "hsds-csv", "xlsx")


def add_commands(commands: Any, location: argparse.ArgumentParser,
                 parser_class: type[argparse.ArgumentParser]) -> None:
    """Add ``directory`` and its sub-commands to the ``setacare`` parser."""
    p = commands.add_parser("directory", help="つなぎ先（HSDS 3.0 のディレクトリ）",
                            description="つなぎ先のディレクトリを取り込み・書き出し・検索します。")
    sub = p.add_subparsers(dest="directory_command", title="コマンド", metavar="コマンド",
                           required=True, parser_class=parser_class)
    acting = acting_parser()
    imp = sub.add_parser(
        "import", parents=[location, acting],
        help="HSDS 3.0 の JSON・Excel・CSV を取り込む（監督者・管理者）",
        description="HSDS 3.0 の JSON（サービスの一覧、組織、表形式など）、Excel（.xlsx、表ごとの"
                    "シート）または CSV のフォルダーを取り込みます。同じ ID のレコードは置き換え、"
                    "JSON にないレコードはそのまま残します。Excel・CSV はディレクトリ全体として"
                    "読み、ないサービスは無効（inactive）にします。新規・変更（項目ごとに変更前→"
                    "変更後）・削除を一覧で表示します。誤りが1つでもあれば何も変更せず、すべての"
                    "誤りを場所とともに表示します（終了コード 2）。監督者・管理者のみ実行でき、"
                    "監査記録に残ります。",
        epilog="例: setacare directory import tsunagisaki.xlsx --preview --as kantoku01")
    imp.add_argument("file", metavar="FILE",
                     help="JSON・.xlsx ファイル、または CSV のフォルダー")
    imp.add_argument("--preview", action="store_true",
                     help="変更の一覧を表示するだけで、何も書き込まない")
    exp = sub.add_parser(
        "export", parents=[location, acting], help="HSDS 3.0 で書き出す",
        description="ディレクトリ全体を HSDS 3.0 で書き出します。hsds-json は1つの JSON ファイル"
                    "（サービスの一覧）、hsds-csv はフォルダーに表ごとの CSV を書きます。"
                    "書き出したあとで監査記録に残ります。",
        epilog="例: setacare directory export --format hsds-json --out tsunagisaki.json "
               "--as kantoku01")
    exp.add_argument("--format", required=True, choices=FORMATS, help="形式")
    exp.add_argument("--out", required=True, metavar="PATH",
                     help="書き出し先（hsds-json・xlsx: ファイル、hsds-csv: フォルダー）")
    add_force(exp)
    look = sub.add_parser(
        "lookup", parents=[location], help="相談に合うつなぎ先を順に表示する",
        description="地区・対象区分・要素（と緊急性・主訴）から、つなぎ先を合う順に理由とともに"
                    "表示します。",
        epilog="例: setacare directory lookup --district 池尻 --target 障害者 --element 就労")
    look.add_argument("--district", required=True, metavar="地区", help="地区（例: 池尻、ikejiri）")
    look.add_argument("--target", action="append", default=[], metavar="区分",
                      help="対象区分（例: 高齢者）。複数指定可（繰り返すか、読点・カンマで区切る）")
    look.add_argument("--element", action="append", default=[], metavar="要素",
                      help="9つの要素（例: 就労）。複数指定可")
    look.add_argument("--urgent", action="append", default=[], metavar="緊急",
                      help="緊急性（虐待の疑い・DV・自殺念慮・生命・身体の危険）。複数指定可")
    look.add_argument("--text", default="", metavar="主訴", help="主訴（キーワードの照合に使う）")
    look.add_argument("--limit", type=_limit, default=10, metavar="N",
                      help=f"表示する件数（1〜{MAX_LIMIT}。既定: 10）")
    look.add_argument("--json", action="store_true", help="JSON で表示する")


MAX_LIMIT = 1000


def _limit(text: str) -> int:
    return bounded_int(text, low=1, high=MAX_LIMIT)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.directory_command == "lookup":
        return _lookup(args, settings)
    target = None
    if args.directory_command == "export":
        # hsds-csv writes a folder of files, hsds-json one file: either is checked first.
        target = (out_folder(args.out, names=hsds.CSV_FILES, replace=args.force)
                  if args.format == "hsds-csv" else out_target(args.out, replace=args.force))
    password = login_password(args, sys.stdin)
    db = system.open_database(settings, migrate=True)
    try:
        with acting_as(db, args.as_login, password) as actor:
            if target is None:
                return _import(db, actor, Path(args.file), preview_only=args.preview)
            export = {"hsds-json": hsds.export_hsds_json, "hsds-csv": hsds.export_hsds_csv,
                      "xlsx": hsds.export_hsds_xlsx}[args.format]
            count = export(db, actor, target, replace=args.force)
    finally:
        db.close()
    out(f"書き出しました: {count:,} 件のサービス → {target}")
    return EXIT_OK


def preview_lines(preview: hsds.ImportPreview) -> list[str]:
    """The change list: one line an entry, then one indented line a changed field."""
    lines = []
    for entry in preview.entries:
        lines.append(f"{entry.kind}\t{entry.entity}\t{entry.name}（{entry.record_id}）")
        lines += [f"\t{c.field}: {c.before or '（なし）'} → {c.after or '（なし）'}"
                  for c in entry.fields]
    return lines


def _import(db: Database, actor: StaffProfile, path: Path, *, preview_only: bool) -> int:
    """``--preview``: the list, nothing written; else the file is read once and written, then
    the list of what was written is printed."""
    if preview_only:
        preview = hsds.preview_import(db, actor, path)
    else:
        report = hsds.import_hsds(db, actor, path)
        assert report.changes is not None
        preview = report.changes
    for line in preview_lines(preview):
        out(line)
    for warning in preview.warnings:
        out(f"注意: {warning}")
    if preview_only:
        out(f"確認のみ（何も書き込んでいません）: {preview.summary()}")
        return EXIT_OK
    out(f"取り込みました: 新規 {report.created:,} 件、更新 {report.updated:,} 件、"
        f"変更なし {report.unchanged:,} 件、無効にした {report.removed:,} 件（サービス）")
    return EXIT_OK


def _split(values: Sequence[str]) -> list[str]:
    words: list[str] = []
    for value in values:
        words += [w.strip() for w in value.replace("、", ",").split(",") if w.strip()]
    return words


def _codes(values: Sequence[str], terms: tuple[ref.Term, ...], what: str,
           problems: list[Problem]) -> list[str]:
    codes = []
    for word in _split(values):
        code = next((t.code for t in terms if word in (t.code, t.label)), None)
        if code is None:
            choices = "・".join(t.label for t in terms)
            problems.append(Problem(what, f"「{word}」は選べません（{choices}）"))
        else:
            codes.append(code)
    return codes


def _lookup(args: argparse.Namespace, settings: Settings) -> int:
    problems: list[Problem] = []
    text = args.district.strip()
    district = ref.DISTRICTS_BY_CODE.get(text) or ref.DISTRICTS_BY_NAME.get(
        text.removesuffix("地区"))
    if district is None:
        problems.append(Problem("地区", f"「{args.district}」は地区ではありません"))
    groups = _codes(args.target, ref.TARGET_GROUPS, "対象区分", problems)
    elements = _codes(args.element, ref.ELEMENTS, "要素", problems)
    urgent = _codes(args.urgent, URGENCY_FLAGS, "緊急性", problems)
    if problems:
        raise ValidationError(problems)
    assert district is not None
    db = system.open_database(settings, migrate=True)
    try:
        found = directory.lookup(db, district_code=district.code, target_groups=groups,
                                 elements=elements, urgent=urgent, text=args.text,
                                 limit=args.limit)
    finally:
        db.close()
    if args.json:
        out(json.dumps([dataclasses.asdict(f) for f in found], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not found:
        out("条件に合うつなぎ先はありません。")
        return EXIT_OK
    rows = [(str(i), f.name, f.reason, f.locality, f.contact_status, " ".join(f.notes))
            for i, f in enumerate(found, start=1)]
    out(table(("順位", "つなぎ先", "理由", "範囲", "連絡先", "備考"), rows))
    return EXIT_OK
