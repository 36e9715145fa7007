"""HSDS 3.0 as a tabular data package: one UTF-8 CSV per table and ``datapackage.json`` (the
official descriptor, ``schema/datapackage.json``, narrowed to the tables written).

Cells that a spreadsheet would run as a formula (starting with ``=`` ``+`` ``-`` ``@``, a tab
or a carriage return; numbers excepted) are written with a leading ``'``, which the import takes
off again, so that the package still round-trips unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.services.files import FileReadError, read_file

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
#: The whole package read at most (every CSV together), as for a JSON file.
MAX_PACKAGE_BYTES = 40 * 1024 * 1024


def neutralised(value: str) -> str:
    """``value`` as a cell no spreadsheet runs: ``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``."""
    if value.lstrip("'").startswith(_TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def restored(value: str) -> str:
    """The inverse of :func:`neutralised`."""
    if value.startswith("'") and value.lstrip("'").startswith(_TRIGGERS):
        return value[1:]
    return value


@cache
def _descriptor() -> dict[str, Any]:
    folder = resources.files("setacare_desktop.services.hsds").joinpath("schema")
    return json.loads(folder.joinpath("datapackage.json").read_text("utf-8"))


def _resources() -> dict[str, dict[str, Any]]:
    return {r["path"]: r for r in _descriptor()["resources"]}


def columns(name: str) -> tuple[str, ...]:
    """The columns of table ``name`` (``services.csv``) as the specification defines them."""
    return tuple(f["name"] for f in _resources()[name]["schema"]["fields"])


def csv_bytes(name: str, rows: Iterable[Mapping[str, Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns(name), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: neutralised(v) if isinstance(v, str) else v
                         for k, v in row.items() if v is not None and not isinstance(
                             v, dict | list)})
    return out.getvalue().encode("utf-8")


def descriptor_bytes(names: Iterable[str]) -> bytes:
    """``datapackage.json`` for the tables ``names``, UTF-8 and CSV dialect stated."""
    wanted = set(names)
    package = {k: v for k, v in _descriptor().items() if k != "resources"}
    package["resources"] = [{**r, "encoding": "utf-8"} for r in _descriptor()["resources"]
                            if r["path"] in wanted]
    return json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")


def table_names() -> tuple[str, ...]:
    """Every table the specification defines (``services.csv`` …)."""
    return tuple(_resources())


def kinds(name: str) -> dict[str, str]:
    """The type of each column of table ``name`` (``string``, ``number`` …)."""
    return {f["name"]: f["type"] for f in _resources()[name]["schema"]["fields"]}


def typed(value: str, kind: str) -> object:
    if kind == "number" and _NUMBER.fullmatch(value):
        return float(value) if "." in value else int(value)
    return restored(value)  # not a number: the schema check names it


def read_package(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The tables of the package in folder ``path`` (or named by its ``datapackage.json``), each
    row with its empty cells left out and numbers as numbers."""
    folder = path.parent if path.name == "datapackage.json" else path
    tables: dict[str, list[dict[str, Any]]] = {}
    budget = MAX_PACKAGE_BYTES
    for name in _resources():
        file = folder / name
        if not file.is_file():
            continue
        try:
            data = read_file(file, limit=budget)
            text = data.decode("utf-8-sig")
        except FileReadError as error:
            raise ValidationError([Problem(str(file), error.message)]) from None
        except UnicodeDecodeError as error:
            raise ValidationError([Problem(
                str(file), f"UTF-8 のテキストではありません（{error.start} バイト目）")]) from None
        budget -= len(data)
        column_kinds = kinds(name)
        try:
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
        except csv.Error as error:
            raise ValidationError([Problem(name, f"CSV として読めません（{error}）")]) from None
        tables[name] = [{k: typed(v, column_kinds.get(k, "string")) for k, v in row.items()
                         if isinstance(k, str) and isinstance(v, str) and v != ""}
                        for row in rows]
    if not tables:
        raise ValidationError([Problem(str(folder), "HSDS の CSV（services.csv など）が"
                                                     "ありません")])
    return tables
