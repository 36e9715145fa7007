"""The official HSDS 3.0 schema (``schema/``, copied verbatim from the Open Referral
specification, CC BY-SA 4.0): which record an object is, and every way it breaks the schema.

An object is the kind of record whose schema defines most of its fields that no other kind
defines (``status``, ``service_areas`` … make a service; ``website``, ``tax_status`` … an
organization). A service without ``status`` is then a service missing a required field, never
an organization. Formats (``uuid``, ``date``) are not checked: ids are often slugs in the wild,
and the importer reads dates itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from setacare_desktop.services.errors import Problem

#: The kinds of record an import reads, by their schema file.
KINDS = ("service", "organization", "location", "taxonomy_term", "taxonomy",
         "service_at_location")

_TYPE_NAMES = {"string": "文字列", "array": "配列（[ ]）", "object": "オブジェクト（{ }）",
               "number": "数値", "integer": "整数", "boolean": "真偽値（true / false）",
               "null": "null"}


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    folder = resources.files("setacare_desktop.services.hsds").joinpath("schema")
    return {entry.name: json.loads(entry.read_text("utf-8")) for entry in folder.iterdir()
            if entry.name.endswith(".json")}


@cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    schemas = _schemas()
    registry: Registry = Registry().with_resources(
        (name, Resource.from_contents(body, default_specification=DRAFT202012))
        for name, body in schemas.items())
    return jsonschema.Draft202012Validator(schemas[f"{kind}.json"], registry=registry)


@cache
def _distinctive() -> dict[str, frozenset[str]]:
    """For each kind, the fields its schema defines and no other kind's does."""
    props = {k: frozenset(_schemas()[f"{k}.json"]["properties"]) for k in KINDS}
    return {k: own - frozenset().union(*(p for o, p in props.items() if o != k))
            for k, own in props.items()}


def kind_of(obj: dict[str, Any]) -> str | None:
    """The kind of record ``obj`` is, by its fields; None when no field tells."""
    keys = set(obj)
    scores = {k: len(keys & fields) for k, fields in _distinctive().items()}
    best = max(scores.values())
    if best == 0:
        return None
    winners = [k for k, s in scores.items() if s == best]
    return winners[0] if len(winners) == 1 else None


def _where(path: str, parts: Iterable[Any]) -> str:
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _message(error: jsonschema.ValidationError) -> str:
    expected = error.validator_value
    if error.validator == "type":
        names = expected if isinstance(expected, list) else [expected]
        return (f"{'または'.join(_TYPE_NAMES.get(str(n), str(n)) for n in names)}で"
                f"書いてください（{_TYPE_NAMES.get(_json_type(error.instance), '別の型')}です）")
    if error.validator == "enum":
        return (f"値 {error.instance!r} は使えません（使える値: "
                f"{'、'.join(str(v) for v in expected)}）")
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"値 {error.instance!r} は範囲外です（{error.validator} {expected}）"
    return f"HSDS 3.0 の形式に合いません（{error.validator}）"


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    for name, kind in (("string", str), ("array", list), ("object", dict)):
        if isinstance(value, kind):
            return name
    return "null"


def schema_problems(kind: str, obj: dict[str, Any], path: str) -> list[Problem]:
    """Every way ``obj`` breaks the schema of ``kind``, each at its JSON path, in Japanese."""
    problems = []
    for error in _validator(kind).iter_errors(obj):
        where = _where(path, error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    problems.append(Problem(f"{where}.{name}", "必須の項目がありません"))
            continue
        problems.append(Problem(where, _message(error)))
    return problems
