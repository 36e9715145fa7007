"""HSDS 3.0 in, the checking half: a document walked record by record against the directory as
read, every problem collected with its JSON path, and the directory it would make checked whole.
Nothing here touches the database; ``importing`` writes what this accepted.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from setacare_desktop.domain import directory as d
from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.text import text_problem
from setacare_desktop.services.directory import LoadedDirectory
from setacare_desktop.services.errors import Problem
from setacare_desktop.services.hsds.export import EXTENT_PREFIX
from setacare_desktop.services.hsds.schema import kind_of, schema_problems
from setacare_desktop.store.directory import service_fields


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organizations: int = 0
    warnings: list[str] = field(default_factory=list)


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
    seen: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
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


def _text(obj: dict[str, Any], key: str, inc: Incoming, path: str) -> str:
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


def _record_id(obj: dict[str, Any], inc: Incoming, path: str, table: str) -> str | None:
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
    if earlier is None:
        inc.seen[key] = (path, obj)
    elif table == "service" or earlier[1] != obj:
        # The same organization nested in every service is one record; a second service, or a
        # different record, with the id of another is a mistake the last one must not win.
        inc.problem(f"{path}.id", f"ID {raw.strip()} が {earlier[0]} と重複しています")
    return rid


def _dicts(obj: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    """The objects of a list field with their index (anything else the schema reported)."""
    value = obj.get(key)
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(
        value, list) else []


def walk(value: Any, path: str, inc: Incoming) -> None:
    if isinstance(value, list):
        for i, item in enumerate(value):
            walk(item, f"{path}[{i}]", inc)
        return
    if not isinstance(value, dict):
        inc.problem(path, "HSDS のレコード（JSON オブジェクト）ではありません")
        return
    if isinstance(value.get("contents"), list):
        walk(value["contents"], f"{path}.contents", inc)
        return
    if any(isinstance(k, str) and k.endswith(".csv") for k in value):
        _walk_tabular(value, path, inc)
        return
    if "openapi_url" in value or "profile" in value:
        inc.warnings.append(f"{path}: HSDS のメタデータ（レコードなし）")
        return
    kind = kind_of(value)
    if kind is None and "id" in value and "name" in value:
        kind = "organization"  # id, name and description alone: the schema's organization
    if kind is None:
        inc.problem(path, "HSDS のレコードとして認識できません（サービス・組織・所在地・分類の"
                    "どの項目もありません）")
        return
    inc.problems.extend(schema_problems(kind, value, path))
    _dispatch(kind, value, path, inc)


def _dispatch(kind: str, value: dict[str, Any], path: str, inc: Incoming) -> None:
    if kind == "service_at_location":
        if not isinstance(value.get("service"), dict):
            inc.warnings.append(f"{path}: サービスを含まない service_at_location は取り込みません")
            return
        service = dict(value["service"])
        if isinstance(value.get("location"), dict):
            service.setdefault("service_at_locations", []).append({"location": value["location"]})
        _service(service, f"{path}.service", inc, None)
    elif kind == "organization":
        org_id = _organization(value, path, inc)
        for i, item in _dicts(value, "services"):
            _service(item, f"{path}.services[{i}]", inc, org_id)
    elif kind == "service":
        _service(value, path, inc, None)
    elif kind == "location":
        inc.warnings.append(f"{path}: 組織とサービスのない所在地（location）は取り込みません")
    elif kind == "taxonomy_term":
        _term(value, path, inc)
    else:
        _taxonomy(value, path, inc)


def _walk_tabular(tables: dict[str, Any], path: str, inc: Incoming) -> None:
    """The tabular package as one JSON object (``examples/tabular.json``): rebuild the nesting."""
    def rows(name: str) -> list[dict[str, Any]]:
        value = tables.get(name, [])
        return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []

    def by(name: str, key: str) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in rows(name):
            grouped.setdefault(str(row.get(key, "")), []).append(row)
        return grouped

    orgs = {str(o.get("id")): o for o in rows("organizations.csv")}
    terms = {str(t.get("id")): t for t in rows("taxonomy_terms.csv")}
    addresses = by("addresses.csv", "location_id")
    locations = {str(loc.get("id")): {**loc, "addresses": addresses.get(str(loc.get("id")), [])}
                 for loc in rows("locations.csv")}
    phones, schedules = by("phones.csv", "service_id"), by("schedules.csv", "service_id")
    areas, attributes = by("service_areas.csv", "service_id"), by("attributes.csv", "link_id")
    at_location = by("service_at_location.csv", "service_id")
    for i, org in enumerate(rows("organizations.csv")):
        _organization(org, f"{path}['organizations.csv'][{i}]", inc)
    for i, svc in enumerate(rows("services.csv")):
        sid = str(svc.get("id"))
        nested = {**svc,
                  "phones": phones.get(sid, []), "schedules": schedules.get(sid, []),
                  "service_areas": areas.get(sid, []),
                  "attributes": [{**a, "taxonomy_term": terms[str(a.get("taxonomy_term_id"))]}
                                 if str(a.get("taxonomy_term_id")) in terms else a
                                 for a in attributes.get(sid, [])],
                  "service_at_locations": [{"location": locations[str(s.get("location_id"))]}
                                           for s in at_location.get(sid, [])
                                           if str(s.get("location_id")) in locations]}
        org = orgs.get(str(svc.get("organization_id")))
        if org is not None:
            nested["organization"] = org
        _service(nested, f"{path}['services.csv'][{i}]", inc, None)


def _organization(obj: dict[str, Any], path: str, inc: Incoming) -> str | None:
    oid = _record_id(obj, inc, path, "organization")
    name = _text(obj, "name", inc, path)
    if not name:
        inc.problem(f"{path}.name", "名称がありません")
    if oid is None:
        return None
    old = next((o for o in inc.known.directory.organizations if o.id == oid), None)
    parent = _text(obj, "parent_organization_id", inc, path).lower()
    parent = inc.reverse.get(parent, parent)
    inc.orgs[oid] = d.Organization(
        oid, name, old.reading if old else "", _text(obj, "description", inc, path),
        _text(obj, "alternate_name", inc, path), old.kind if old else "",
        old.district_code if old else "", old.area_code if old else "", parent)
    return oid


def _taxonomy(obj: dict[str, Any], path: str, inc: Incoming) -> str | None:
    tid = _record_id(obj, inc, path, "taxonomy")
    if tid is not None:
        inc.taxonomies[tid] = d.Taxonomy(tid, _text(obj, "name", inc, path) or tid,
                                         _text(obj, "description", inc, path),
                                         _text(obj, "version", inc, path))
    return tid


def _term(obj: dict[str, Any], path: str, inc: Incoming) -> str | None:
    tid = _record_id(obj, inc, path, "taxonomy_term")
    if tid is None:
        return None
    taxonomy_id = ""
    if isinstance(obj.get("taxonomy_detail"), dict):
        taxonomy_id = _taxonomy(obj["taxonomy_detail"], f"{path}.taxonomy_detail", inc) or ""
    elif isinstance(obj.get("taxonomy_id"), str) and obj["taxonomy_id"]:
        taxonomy_id = inc.reverse.get(obj["taxonomy_id"].lower(), obj["taxonomy_id"].lower())
    if tid not in {t.id for t in d.STANDARD_TERMS}:
        inc.terms[tid] = d.TaxonomyTerm(tid, taxonomy_id, _text(obj, "code", inc, path),
                                        _text(obj, "name", inc, path) or tid,
                                        _text(obj, "description", inc, path))
    return tid


def _area(areas: Any, path: str, inc: Incoming) -> d.ServiceArea:
    """HSDS service_areas → our area: ``setacare:`` extents, or district / area names."""
    found: list[d.ServiceArea] = []
    for i, area in enumerate(areas if isinstance(areas, list) else []):
        if not isinstance(area, dict):
            continue  # the schema check reported it
        where = f"{path}.service_areas[{i}]"
        extent = str(area.get("extent") or "")
        name = str(area.get("name") or "").strip()
        if extent.startswith(EXTENT_PREFIX):
            scope_text, _, codes = extent[len(EXTENT_PREFIX):].partition(":")
            try:
                scope = d.Scope(scope_text)
            except ValueError:
                inc.problem(f"{where}.extent", f"対象地域の種類 {scope_text!r} は使えません")
                continue
            found.append(d.ServiceArea(scope, frozenset(c for c in codes.split(",") if c)))
        elif name == "世田谷区全域":
            found.append(d.ServiceArea.ward())
        elif name.removesuffix("地区") in ref.DISTRICTS_BY_NAME:
            found.append(d.ServiceArea.district(ref.DISTRICTS_BY_NAME[name[:-2]].code))
        elif name.removesuffix("地域") in ref.AREAS_BY_NAME:
            found.append(d.ServiceArea.area(ref.AREAS_BY_NAME[name[:-2]].code))
        else:
            inc.warnings.append(f"{where}: 世田谷区の地区・地域として読めないため、区全域として"
                                "取り込みました")
    if not found:
        return d.ServiceArea.ward()
    scopes = {a.scope for a in found}
    if len(scopes) > 1:
        inc.problem(f"{path}.service_areas", "地区・地域・区全域が混在しています")
        return found[0]
    return d.ServiceArea(found[0].scope, frozenset().union(*(a.codes for a in found)))


def _service(obj: dict[str, Any], path: str, inc: Incoming, org_id: str | None) -> None:
    sid = _record_id(obj, inc, path, "service")
    name = _text(obj, "name", inc, path)
    if not name:
        inc.problem(f"{path}.name", "名称がありません")
    status = _text(obj, "status", inc, path) or "active"
    if isinstance(obj.get("organization"), dict):
        org_id = _organization(obj["organization"], f"{path}.organization", inc)
    elif isinstance(obj.get("organization_id"), str) and obj["organization_id"].strip():
        raw = obj["organization_id"].strip().lower()
        org_id = inc.reverse.get(raw, raw)
    if org_id is None:
        inc.problem(f"{path}.organization", "組織がありません")
    phones = []
    for i, phone in _dicts(obj, "phones"):
        where = f"{path}.phones[{i}]"
        number = _text(phone, "number", inc, where)
        if not number:
            if "number" in phone:  # a missing one is the schema check's problem
                inc.problem(f"{where}.number", "電話番号がありません")
            continue
        phones.append(d.Phone(number, _text(phone, "type", inc, where) or "voice",
                              _text(phone, "description", inc, where)))
    schedules = []
    for i, schedule in _dicts(obj, "schedules"):
        where = f"{path}.schedules[{i}]"
        text = _text(schedule, "description", inc, where) or " ".join(filter(None, (
            _text(schedule, "byday", inc, where), "–".join(filter(None, (
                _text(schedule, "opens_at", inc, where),
                _text(schedule, "closes_at", inc, where)))))))
        if text:
            schedules.append(d.Schedule(text))
    location_ids = []
    for i, sal in _dicts(obj, "service_at_locations"):
        loc = sal.get("location")
        if isinstance(loc, dict):
            lid = _location(loc, f"{path}.service_at_locations[{i}].location", inc, org_id)
            if lid is not None and lid not in location_ids:
                location_ids.append(lid)
    links = []
    for i, attribute in _dicts(obj, "attributes"):
        where = f"{path}.attributes[{i}]"
        if isinstance(attribute.get("taxonomy_term"), dict):
            term_id = _term(attribute["taxonomy_term"], f"{where}.taxonomy_term", inc)
        else:
            raw = str(attribute.get("taxonomy_term_id") or "").lower()
            term_id = inc.reverse.get(raw, raw) or None
            known = {t.id for t in (*d.STANDARD_TERMS, *inc.known.directory.terms)}
            if term_id is not None and term_id not in known and term_id not in inc.terms:
                inc.problem(f"{where}.taxonomy_term_id", f"分類 {term_id} がありません")
                term_id = None
        if term_id is None:
            continue
        links.append(d.Attribute(term_id, _text(attribute, "value", inc, where),
                                 _text(attribute, "link_type", inc, where)))
    fields = service_fields(links)
    reading = fields.pop("reading", "")
    if sid is None or org_id is None:
        return
    if obj.get("assured_date"):
        inc.assured.add(sid)
    inc.services[sid] = d.Service(
        sid, org_id, name, reading, _text(obj, "description", inc, path),
        _text(obj, "eligibility_description", inc, path), _area(obj.get("service_areas"), path,
                                                                inc),
        alternate_name=_text(obj, "alternate_name", inc, path),
        application_process=_text(obj, "application_process", inc, path),
        location_ids=tuple(location_ids), phones=tuple(phones), schedules=tuple(schedules),
        contact_confirmed=bool(obj.get("assured_date")), status=status, **fields)
    if inc.services[sid].unclassified:
        inc.warnings.append(f"{path}: 対象区分・要素がないため、未分類として取り込みました"
                            "（提案には出ず、検索でのみ見つかります）")


def _location(obj: dict[str, Any], path: str, inc: Incoming, org_id: str | None) -> str | None:
    lid = _record_id(obj, inc, path, "location")
    if lid is None:
        return None
    address = None
    for i, a in enumerate(obj.get("addresses") or []):
        if isinstance(a, dict) and _text(a, "address_1", inc, f"{path}.addresses[{i}]"):
            where = f"{path}.addresses[{i}]"
            address = d.Address(_text(a, "address_1", inc, where), _text(a, "city", inc, where),
                                _text(a, "state_province", inc, where),
                                _text(a, "postal_code", inc, where),
                                _text(a, "country", inc, where))
            break
    owner = _text(obj, "organization_id", inc, path).lower()
    owner = inc.reverse.get(owner, owner)
    known_orgs = {o.id for o in inc.known.directory.organizations}
    if owner and owner not in inc.orgs and owner not in known_orgs and org_id is not None:
        inc.warnings.append(f"{path}.organization_id: 組織 {owner} がないため、サービスの組織の"
                            "所在地として取り込みました")
        owner = org_id
    owner = owner or org_id
    if owner is None:
        inc.problem(path, "所在地の組織がありません")
        return None
    inc.locations[lid] = d.Location(lid, owner,
                                    _text(obj, "name", inc, path) or lid,
                                    _text(obj, "description", inc, path), address)
    return lid


def merged(inc: Incoming) -> d.Directory | None:
    """The directory after the import, or None after recording every problem in ``inc``."""
    if not (inc.problems or inc.warnings or inc.orgs or inc.services or inc.taxonomies
            or inc.terms):
        inc.problem("$", "取り込むレコード（サービス・組織・分類）が 1 件もありません"
                    "（空の一覧です）")
        return None
    known = inc.known.directory
    orgs = {o.id: o for o in known.organizations}
    for oid, org in inc.orgs.items():
        if org.parent_id and org.parent_id not in orgs and org.parent_id not in inc.orgs:
            inc.warnings.append(f"{inc.where.get(f'organization {oid}', oid)}: 親組織 "
                                f"{org.parent_id} がないため、親組織なしで取り込みました")
            org = dataclasses.replace(org, parent_id="")
            inc.orgs[oid] = org
        orgs[oid] = org
    services = {s.id: s for s in known.services} | inc.services
    locations = {loc.id: loc for loc in known.locations} | inc.locations
    problems = d.directory_problems(orgs.values(), services.values(), locations.values())
    for message in problems:
        match = re.match(r"(organization|service|location) '?([^':]+)'?:", message)
        where = inc.where.get(f"{match[1]} {match[2]}", "") if match else ""
        inc.problem(where or "ディレクトリ", message)
    if inc.problems:
        return None
    return d.Directory(tuple(orgs.values()), tuple(services.values()), tuple(locations.values()),
                       terms=(*known.terms, *(t for t in inc.terms.values()
                                              if t.id not in {k.id for k in known.terms})))


