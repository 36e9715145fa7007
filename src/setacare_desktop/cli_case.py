"""``setacare case …``: consultations, as a staff member (``--as LOGIN``)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import date
from pathlib import Path
from typing import IO, Any

from setacare_desktop import cli_input
from setacare_desktop.cli_common import EXIT_OK, JapaneseArgumentParser
from setacare_desktop.cli_common import acting_as as _acting_as
from setacare_desktop.cli_common import acting_parser as _acting_parser
from setacare_desktop.cli_common import login_password as _login_password
from setacare_desktop.cli_common import opened as _opened
from setacare_desktop.cli_common import out as _out
from setacare_desktop.cli_common import table as _table
from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.intake import (
    HOUSEHOLDS,
    SEXES,
    URGENCY_FLAGS,
    ConsentInput,
    IntakeInput,
    PersonInput,
    validate,
)
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.reference import DISTRICTS
from setacare_desktop.services import (
    Database,
    StaffProfile,
    ValidationError,
    consultations,
    intake,
)
from setacare_desktop.services.errors import Problem
from setacare_desktop.services.files import FileReadError, read_file
from setacare_desktop.services.inputs import date_field, district_field
from setacare_desktop.settings import Settings


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
                return _case_show(db, actor, args.consultation_id, as_json=args.json)
            return _case_list(db, actor, args.date, args.district)
    finally:
        db.close()



def _district_code(text: str) -> str:
    return district_field(text, "地区").code


def _case_recipients(args: argparse.Namespace, settings: Settings) -> int:
    code = _district_code(args.district)
    db = _opened(settings)
    try:
        rows = intake.consent_recipients(db, code)
    finally:
        db.close()
    _out(_table(("同意先（recipient）", "名称"), [(r.key, r.name) for r in rows]))
    return EXIT_OK


# The JSON shape of docs/case-json.md, checked before IntakeInput.from_dict so that a wrong key or
# type is reported by name (exit 2) rather than as a Python TypeError.
_INTAKE_LISTS = frozenset({"target_groups", "elements", "urgency"})
_INTAKE_KEYS = tuple(f.name for f in dataclasses.fields(IntakeInput))
_PERSON_KEYS = tuple(f.name for f in dataclasses.fields(PersonInput))
_CONSENT_KEYS = tuple(f.name for f in dataclasses.fields(ConsentInput))


def _read_json_text(source: str, stdin: IO[str]) -> str:
    if source == "-":
        return cli_input.stdin_text(stdin, "--json").lstrip("\ufeff")
    try:
        return read_file(Path(source), limit=cli_input.MAX_JSON_BYTES).decode("utf-8-sig")
    except FileReadError as error:
        problem = error.message
    except UnicodeDecodeError:
        problem = f"UTF-8 のテキストではありません: {source}"
    raise ValidationError([Problem("--json", problem)])


def _parse_json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError as error:
        if not isinstance(error, json.JSONDecodeError):  # e.g. an integer of 5,000 digits
            raise ValidationError([Problem("JSON", "大きすぎる数値があります")]) from None
        where = f"{error.lineno}行目 {error.colno}文字目"
        message = "空です" if not text.strip() else f"JSON として読めません（{where}: {error.msg}）"
        raise ValidationError([Problem("JSON", message)]) from None
    except RecursionError:
        raise ValidationError([Problem(
            "JSON", "入れ子（[ や {）が深すぎて読めません（docs/case-json.md の形にしてください）")]
        ) from None


def _strings(value: object, path: str, problems: list[Problem]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(_at(path, "文字列で指定してください"))
        return ""
    return value


def _object(value: object, path: str, keys: tuple[str, ...], problems: list[Problem]
            ) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        problems.append(_at(path, "オブジェクト（{…}）で指定してください"))
        return None
    for key in value:
        if key not in keys:
            problems.append(_at(f"{path}.{key}" if path != "JSON" else str(key),
                                         "不明な項目です（docs/case-json.md を参照）"))
    return value


def intake_from_json(value: object) -> IntakeInput:
    """The documented JSON shape (docs/case-json.md) as an IntakeInput.

    Unknown keys and values of the wrong type are refused by name (``person.nmae: 不明な項目です``);
    ``null`` is accepted wherever a text is expected and means empty. The values themselves are
    checked by ``domain.intake.validate``, as in the form.
    """
    problems: list[Problem] = []
    data = _object(value, "JSON", _INTAKE_KEYS, problems)
    if data is None:
        raise ValidationError(problems)
    clean: dict[str, Any] = {}
    for key in _INTAKE_KEYS:
        if key not in data:
            continue
        item = data[key]
        if key == "person":
            person = {} if item is None else _object(item, "person", _PERSON_KEYS, problems)
            if person is not None:
                clean[key] = {k: _strings(person[k], f"person.{k}", problems)
                              for k in _PERSON_KEYS if k in person}
        elif key == "person_id":
            if item is not None and (isinstance(item, bool) or not isinstance(item, int)):
                problems.append(_at(key, "整数（対象者の ID）か null で指定してください"))
            else:
                clean[key] = item
        elif key in _INTAKE_LISTS:
            items = [] if item is None else item
            if not isinstance(items, list):
                problems.append(_at(key, "配列（[…]）で指定してください"))
            else:
                clean[key] = [_strings(v, f"{key}[{i}]", problems) for i, v in enumerate(items)]
        elif key == "consents":
            clean[key] = _consents(item, problems)
        else:
            clean[key] = _strings(item, key, problems)
    if problems:
        raise ValidationError(problems)
    return IntakeInput.from_dict(clean)


def _consents(value: object, problems: list[Problem]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(_at("consents", "配列（[…]）で指定してください"))
        return []
    result = []
    for i, item in enumerate(value):
        path = f"consents[{i}]"
        consent = _object(item, path, _CONSENT_KEYS, problems)
        if consent is None:
            continue
        clean: dict[str, Any] = {}
        for key in _CONSENT_KEYS:
            if key not in consent:
                continue
            if key == "given":
                if not isinstance(consent[key], bool):
                    problems.append(_at(f"{path}.given", "true か false で指定してください"))
                clean[key] = consent[key]
            else:
                clean[key] = _strings(consent[key], f"{path}.{key}", problems)
        if not clean.get("recipient"):
            problems.append(_at(f"{path}.recipient",
                                         "同意先を指定してください（setacare case recipients）"))
        result.append(clean)
    return result


def _at(path: str, message: str) -> Problem:
    """A problem at a place in the case JSON, named by its JSON path (not a form label)."""
    return Problem(path, message, label=path)


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
    district = _district_code(place)
    offered = {r.key for r in intake.consent_recipients(db, district)}
    name = ref.DISTRICTS_BY_CODE[district].name
    problems = [_at(f"consents[{i}].recipient",
                             f"「{c.recipient}」は{name}の同意先ではありません"
                             f"（setacare case recipients --district {name}）")
                for i, c in enumerate(data.consents)
                if c.recipient.startswith("org:") and c.recipient not in offered]
    if problems:
        raise ValidationError(problems)


def _case_add(args: argparse.Namespace, settings: Settings) -> int:
    # With --password-stdin and --json -, standard input is the password line, then the JSON.
    password = _login_password(args, sys.stdin) if args.password_stdin else None
    data = intake_from_json(_parse_json(_read_json_text(args.json_file, sys.stdin)))
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


def _label(terms: tuple[ref.Term, ...], code: str) -> str:
    return next((t.label for t in terms if t.code == code), code)


def _case_show(db: Database, actor: StaffProfile, consultation_id: int, *, as_json: bool) -> int:
    loaded = intake.load_intake(db, actor, consultation_id)
    data = loaded.data
    if as_json:
        _out(json.dumps(data.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    person = data.person
    labels = [
        ("受付日時", data.received_at),
        ("受付方法", _label(ref.CHANNELS, data.channel)),
        ("地区", ref.DISTRICTS_BY_CODE[data.district].name),
        ("受付", f"{loaded.organisation_name}（{loaded.staff_name}）"),
        ("相談者", " ".join(x for x in (_label(ref.CONSULTER_KINDS, data.consulter_kind),
                                       data.consulter_relation, data.consulter_name,
                                       data.consulter_contact) if x)),
        ("対象者", "（匿名）" if data.anonymous else
         f"{person.name}（{person.reading}）" + (f" ID {data.person_id}" if data.person_id else "")),
    ]
    if not data.anonymous:
        labels += [
            ("生年月日", person.birth_date),
            ("性別", _label(SEXES, person.sex) if person.sex else ""),
            ("住所", f"{person.address_town} {person.address_rest}".strip()),
            ("電話", person.phone),
            ("世帯状況", _label(HOUSEHOLDS, person.household) if person.household else ""),
        ]
    labels += [
        ("対象区分", "、".join(_label(ref.TARGET_GROUPS, c) for c in data.target_groups)),
        ("相談内容の分類", "、".join(_label(ref.ELEMENTS, c) for c in data.elements)),
        ("主訴", data.main_complaint),
        ("相談内容", data.details),
        ("対応", _label(ref.RESPONSES, data.response) if data.response else ""),
        ("次回予定", " ".join(x for x in (data.next_date, data.next_note) if x)),
    ]
    if data.urgency:
        labels.append(("緊急性", "、".join(_label(URGENCY_FLAGS, c) for c in data.urgency)
                       + (f"（{data.urgency_note}）" if data.urgency_note else "")))
    _out(f"相談 No. {loaded.consultation_id}（版 {loaded.version}）"
         + ("  ★緊急" if loaded.urgent else ""))
    _out(_table(("", ""), [(k, v) for k, v in labels if v], header=False))
    return EXIT_OK


#: 主訴 is cut to this many characters in the day list (``case show`` prints it in full).
LIST_COMPLAINT_CHARS = 28


def _case_list(db: Database, actor: StaffProfile, day_text: str | None,
               district_text: str | None) -> int:
    day = _day(day_text)
    district = _district_code(district_text) if district_text else None
    rows = consultations.list_day(db, actor, day, district)
    heading = f"{day:%Y-%m-%d}" + (f" {ref.DISTRICTS_BY_CODE[district].name}" if district else "")
    if not rows:
        _out(f"{heading}: 相談はありません。")
        return EXIT_OK

    def cut(text: str) -> str:
        return text if len(text) <= LIST_COMPLAINT_CHARS else text[:LIST_COMPLAINT_CHARS - 1] + "…"

    _out(_table(("No.", "時刻", "地区", "対象者", "受付方法", "主訴", "緊急"), [
        (str(r.consultation_id), f"{r.received_at:%H:%M}", r.district_name, r.person_name,
         r.channel_label, cut(r.main_complaint),
         ("★" + "・".join(r.urgency_labels)) if r.urgent else "")
        for r in rows]))
    urgent = sum(r.urgent for r in rows)
    _out(f"{heading}: {len(rows):,} 件" + (f"（うち緊急 {urgent:,} 件）" if urgent else ""))
    return EXIT_OK


def _day(text: str | None) -> date:
    if text is None or not text.strip():
        return local_now().date()
    return date_field(text, "--date")

