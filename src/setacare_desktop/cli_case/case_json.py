"""The consultation JSON of ``case add`` (docs/case-json.md): read, parsed and checked by name
before it becomes an ``IntakeInput``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import IO, Any

from setacare_desktop import cli_input
from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput
from setacare_desktop.services import ValidationError
from setacare_desktop.services.errors import Problem
from setacare_desktop.services.files import FileReadError, read_file

# The JSON shape of docs/case-json.md, checked before IntakeInput.from_dict so that a wrong key or
# type is reported by name (exit 2) rather than as a Python TypeError.
_INTAKE_LISTS = frozenset({"target_groups", "elements", "urgency"})
_INTAKE_KEYS = tuple(f.name for f in dataclasses.fields(IntakeInput))
_PERSON_KEYS = tuple(f.name for f in dataclasses.fields(PersonInput))
_CONSENT_KEYS = tuple(f.name for f in dataclasses.fields(ConsentInput))


def read_json_text(source: str, stdin: IO[str]) -> str:
    if source == "-":
        return cli_input.stdin_text(stdin, "--json").lstrip("\ufeff")
    try:
        return read_file(Path(source), limit=cli_input.MAX_JSON_BYTES).decode("utf-8-sig")
    except FileReadError as error:
        problem = error.message
    except UnicodeDecodeError:
        problem = f"UTF-8 のテキストではありません: {source}"
    raise ValidationError([Problem("--json", problem)])


def parse_json(text: str) -> object:
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
        problems.append(json_problem(path, "文字列で指定してください"))
        return ""
    return value


def _object(value: object, path: str, keys: tuple[str, ...], problems: list[Problem]
            ) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        problems.append(json_problem(path, "オブジェクト（{…}）で指定してください"))
        return None
    for key in value:
        if key not in keys:
            problems.append(json_problem(f"{path}.{key}" if path != "JSON" else str(key),
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
                problems.append(json_problem(key, "整数（対象者の ID）か null で指定してください"))
            else:
                clean[key] = item
        elif key in _INTAKE_LISTS:
            items = [] if item is None else item
            if not isinstance(items, list):
                problems.append(json_problem(key, "配列（[…]）で指定してください"))
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
        problems.append(json_problem("consents", "配列（[…]）で指定してください"))
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
                    problems.append(json_problem(f"{path}.given", "true か false で指定してください"))
                clean[key] = consent[key]
            else:
                clean[key] = _strings(consent[key], f"{path}.{key}", problems)
        if not clean.get("recipient"):
            problems.append(json_problem(f"{path}.recipient",
                                         "同意先を指定してください（setacare case recipients）"))
        result.append(clean)
    return result


def json_problem(path: str, message: str) -> Problem:
    """A problem at a place in the case JSON, named by its JSON path (not a form label)."""
    return Problem(path, message, label=path)
