"""HSDS 3.0 in: what one import collects (records, problems with their JSON paths, warnings)
and the checks of one field (text, id) shared by every kind of record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from setacare_desktop.domain import directory as d
from setacare_desktop.domain.text import text_problem
from setacare_desktop.services.directory import LoadedDirectory
from setacare_desktop.services.errors import Problem

if TYPE_CHECKING:
    from setacare_desktop.services.hsds.preview import ImportPreview


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organizations: int = 0
    removed: int = 0  # services made inactive (missing from a whole-directory file)
    warnings: list[str] = field(default_factory=list)
    #: What was written, entry by entry.
    changes: ImportPreview | None = None


@dataclass
class Incoming:
    """What an HSDS file holds, as domain records, with where each came from."""

    known: LoadedDirectory
    reverse: dict[str, str]  # export UUID -> our id
    orgs: dict[str, d.Organization] = field(default_factory=dict)
    services: dict[str, d.Service] = field(default_factory=dict)
    locations: dict[str, d.Location] = field(default_factory=dict)
    taxonomies: dict[str, d.Taxonomy] = field(default_factory=dict)
    terms: dict[str, d.TaxonomyTerm] = field(default_factory=dict)
    assured: set[str] = field(default_factory=set)
    where: dict[str, str] = field(default_factory=dict)  # "service x" -> JSON path
    #: "service x" -> (its JSON path, its canonical JSON's digest, the object itself for an
    #: organization; a large file's records are not all kept whole)
    seen: dict[str, tuple[str, str, dict[str, Any] | None]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))


def reverse_ids(loaded: LoadedDirectory) -> dict[str, str]:
    directory = loaded.directory
    pairs = [("organization", o.id) for o in directory.organizations]
    pairs += [("service", s.id) for s in directory.services]
    pairs += [("location", loc.id) for loc in directory.locations]
    pairs += [("taxonomy", t.id) for t in (*d.STANDARD_TAXONOMIES, *directory.taxonomies)]
    pairs += [("taxonomy_term", t.id) for t in (*d.STANDARD_TERMS, *directory.terms)]
    return {d.hsds_uuid(table, rid): rid for table, rid in pairs}


#: The longest text an imported record may hold (a description; a name is far shorter).
MAX_TEXT = 20_000

#: Fields stored in a bounded column (``store.models``), with their limit and Japanese name: a
#: longer value is a problem on SQLite as on PostgreSQL (which would refuse it with an error).
LIMITS: dict[str, tuple[int, str]] = {
    "id": (64, "ID"), "name": (200, "名称"), "alternate_name": (200, "別名"),
    "status": (32, "状態"), "url": (500, "URL"), "website": (500, "ウェブサイト"),
    "email": (200, "メールアドレス"), "number": (64, "電話番号"), "type": (16, "電話の種類"),
    "code": (100, "コード"), "version": (32, "版"), "address_1": (300, "住所"),
    "city": (100, "市区町村"), "state_province": (100, "都道府県"),
    "postal_code": (32, "郵便番号"), "country": (8, "国"), "link_type": (64, "属性の種類"),
    "organization_id": (64, "組織 ID"), "parent_organization_id": (64, "親組織 ID"),
}


def text(obj: dict[str, Any], key: str, inc: Incoming, path: str) -> str:
    """A text field of a record: a NUL, an escape or a lone surrogate (which the intake form
    refuses, and PostgreSQL cannot store) or a text past ``MAX_TEXT`` is a problem at its path."""
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        inc.problem(f"{path}.{key}", "文字列ではありません")
        return ""
    text = str(value).strip()
    problem = text_problem(text, multiline=True)
    limit, label = LIMITS.get(key, (MAX_TEXT, ""))
    if problem is None and len(text) > limit:
        problem = f"{label}{'は' if label else ''}{limit:,}文字以内にしてください（{len(text):,}文字）"
    if problem:
        inc.problem(f"{path}.{key}", problem)
        return ""
    return text


def record_id(obj: dict[str, Any], inc: Incoming, path: str, table: str) -> str | None:
    raw = obj.get("id")
    if not isinstance(raw, str) or not raw.strip():
        inc.problem(f"{path}.id", "ID がありません")
        return None
    rid = raw.strip().lower()
    limit = 100 if table == "taxonomy_term" else LIMITS["id"][0]
    if len(rid) > limit:
        inc.problem(f"{path}.id", f"ID は{limit}文字以内にしてください（{len(rid):,}文字）")
        return None
    rid = inc.reverse.get(rid, rid)
    key = f"{table} {rid}"
    inc.where.setdefault(key, path)
    earlier = inc.seen.get(key)
    digest = hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False,
                                       default=str).encode("utf-8", "surrogatepass")).hexdigest()
    if earlier is None:
        inc.seen[key] = (path, digest, obj if table == "organization" else None)
    elif table == "service" or earlier[1] != digest:
        # The same organization nested in every service is one record; a second service, or a
        # different record, with the id of another is a mistake the last one must not win.
        inc.problem(f"{path}.id", f"ID {raw.strip()} が {earlier[0]} と重複しています")
    return rid


def dicts(obj: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    """The objects of a list field with their index (anything else the schema reported)."""
    value = obj.get(key)
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(
        value, list) else []
