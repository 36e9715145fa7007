"""``setacare directory …``: the referral directory (つなぎ先) from the command line.

- ``import FILE``: an HSDS 3.0 JSON file; a bad file changes nothing and every problem is printed
  with its JSON path (exit 2);
- ``export --format hsds-json|hsds-csv --out PATH``: the whole directory (CSV: a folder of the
  HSDS tabular files);
- ``lookup --district 地区 --target 区分 --element 要素 [--urgent 緊急] [--text 主訴] [--json]``: the
  ranked list, each with its reason and whether its contact is confirmed.

Registered by ``cli.build_parser`` / ``cli.dispatch``, which turn a ``ValidationError`` into exit 2
and any other ``ServiceError`` into exit 1. The directory holds no personal data, so these
commands act as the system (like ``user add``), audited as such.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from setacare_desktop.cli_input import bounded_int, out_folder, out_target
from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.intake import URGENCY_FLAGS
from setacare_desktop.services import directory, files, hsds, system
from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.settings import Settings

EXIT_OK = 0
FORMATS = ("hsds-json", "hsds-csv")


def add_commands(commands: Any, location: argparse.ArgumentParser,
                 parser_class: type[argparse.ArgumentParser]) -> None:
    """Add ``directory`` and its sub-commands to the ``setacare`` parser."""
    p = commands.add_parser("directory", help="つなぎ先（HSDS 3.0 のディレクトリ）",
                            description="つなぎ先のディレクトリを取り込み・書き出し・検索します。")
    sub = p.add_subparsers(dest="directory_command", title="コマンド", metavar="コマンド",
                           required=True, parser_class=parser_class)
    imp = sub.add_parser(
        "import", parents=[location], help="HSDS 3.0 の JSON を取り込む",
        description="HSDS 3.0 の JSON（サービスの一覧、組織、表形式など）を取り込みます。同じ ID の"
                    "レコードは置き換え、ファイルにないレコードはそのまま残します。誤りが1つでも"
                    "あれば何も変更せず、すべての誤りを場所（JSON のパス）とともに表示します"
                    "（終了コード 2）。")
    imp.add_argument("file", metavar="FILE", help="JSON ファイル")
    exp = sub.add_parser(
        "export", parents=[location], help="HSDS 3.0 で書き出す",
        description="ディレクトリ全体を HSDS 3.0 で書き出します。hsds-json は1つの JSON ファイル"
                    "（サービスの一覧）、hsds-csv はフォルダーに表ごとの CSV を書きます。")
    exp.add_argument("--format", required=True, choices=FORMATS, help="形式")
    exp.add_argument("--out", required=True, metavar="PATH",
                     help="書き出し先（hsds-json: ファイル、hsds-csv: フォルダー）")
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
    if args.directory_command == "export":
        # hsds-csv writes a folder of files, hsds-json one file: either is checked first.
        out = (out_folder(args.out) if args.format == "hsds-csv" else out_target(args.out))
    db = system.open_database(settings, migrate=True)
    try:
        if args.directory_command == "import":
            report = hsds.import_hsds(db, None, Path(args.file))
            _out(f"取り込みました: 新規 {report.created:,} 件、更新 {report.updated:,} 件、"
                 f"変更なし {report.unchanged:,} 件（サービス）")
            for warning in report.warnings:
                _out(f"注意: {warning}")
            return EXIT_OK
        export = hsds.export_hsds_json if args.format == "hsds-json" else hsds.export_hsds_csv
        try:
            count = export(db, out)
        except OSError as error:  # the export writes the files itself (a full disk, a USB stick)
            raise files.write_error(out, error) from error
        _out(f"書き出しました: {count:,} 件のサービス → {out}")
        return EXIT_OK
    finally:
        db.close()


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
        _out(json.dumps([dataclasses.asdict(f) for f in found], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not found:
        _out("条件に合うつなぎ先はありません。")
        return EXIT_OK
    rows = [(str(i), f.name, f.reason, f.locality, f.contact_status, " ".join(f.notes))
            for i, f in enumerate(found, start=1)]
    _out(_table(("順位", "つなぎ先", "理由", "範囲", "連絡先", "備考"), rows))
    return EXIT_OK


def _out(text: str) -> None:
    print(text, file=sys.stdout)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [list(headers), *[list(r) for r in rows]]
    widths = [max(_width(line[i]) for line in lines) for i in range(len(headers))]
    out = ["  ".join(c + " " * (w - _width(c)) for c, w in zip(line, widths, strict=True)).rstrip()
           for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)
