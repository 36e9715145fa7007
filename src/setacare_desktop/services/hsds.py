"""The referral directory as HSDS 3.0: JSON and tabular (CSV) export, JSON import.

HSDS ids: records keep their own id (a slug for the shipped directory). An export writes UUIDs
(``domain.directory.hsds_uuid``, the same UUID for the same record every time); an import maps
those UUIDs back to the slugs it knows, and keeps a foreign UUID as the id of a new record.
A service's contact is 確認済 when HSDS ``assured_date`` (the date the record was checked) is set.
Service areas are written as ``extent_type`` ``text`` with ``extent`` ``setacare:district:<codes>``
(or ``area``, ``ward``); an import also reads 「池尻地区」「世田谷地域」「世田谷区全域」 names, and
takes any other area as the whole ward (with a warning).

An import changes nothing when the file has any problem (``ValidationError``, one problem per
record field with its JSON path); otherwise each record is added or replaces the one with its
id, in one transaction with an audit row and a ``dir_history`` row per changed record.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from setacare_desktop.domain import directory as d
from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.directory import (
    LoadedDirectory,
    directory_revision,
    loaded_in,
    require_editor,
    set_children,
    snapshot,
)
from setacare_desktop.services.errors import Problem, ServiceError, ValidationError
from setacare_desktop.services.files import (
    FileReadError,
    read_file,
    write_atomically,
    write_error,
)
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.directory import (
    location_row,
    organization_row,
    service_fields,
    service_row,
    taxonomy_row,
    term_row,
)
from setacare_desktop.store.models import (
    DirHistory,
    DirLocation,
    DirOrganization,
    DirService,
    DirTaxonomy,
    DirTaxonomyTerm,
    utc_now,
)

# --- HSDS export ---------------------------------------------------------------------------------


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _uuid(table: str, record_id: str) -> str:
    return record_id if _is_uuid(record_id) else d.hsds_uuid(table, record_id)


_EXTENT_PREFIX = "setacare:"


def _extent(area: d.ServiceArea) -> str:
    """Machine-readable service area: ``setacare:district:ikejiri,taishido`` / ``setacare:ward``."""
    if area.scope is d.Scope.WARD:
        return f"{_EXTENT_PREFIX}ward"
    return f"{_EXTENT_PREFIX}{area.scope.value}:{','.join(sorted(area.codes))}"


def _term_json(term: d.TaxonomyTerm, taxonomies: dict[str, d.Taxonomy]) -> dict[str, Any]:
    taxonomy = taxonomies.get(term.taxonomy_id)
    out: dict[str, Any] = {"id": _uuid("taxonomy_term", term.id), "code": term.code,
                           "name": term.name, "description": term.description or term.name}
    if taxonomy is not None:
        out["taxonomy"] = taxonomy.name
        out["taxonomy_detail"] = {"id": _uuid("taxonomy", taxonomy.id), "name": taxonomy.name,
                                  "description": taxonomy.description or taxonomy.name,
                                  "version": taxonomy.version}
    return out


def service_json(loaded: LoadedDirectory, service: d.Service,
                 assured: dict[str, date]) -> dict[str, Any]:
    """One service as an HSDS 3.0 compiled ``service`` object."""
    directory = loaded.directory
    org = directory.organization_of(service)
    terms = {t.id: t for t in directory.terms}
    taxonomies = {t.id: t for t in directory.taxonomies}
    sid = service.id
    out: dict[str, Any] = {
        "id": _uuid("service", sid), "name": service.name, "status": service.status,
        "description": service.description,
        "eligibility_description": service.eligibility,
    }
    if service.alternate_name:
        out["alternate_name"] = service.alternate_name
    if service.application_process:
        out["application_process"] = service.application_process
    if service.contact_confirmed and sid in assured:
        out["assured_date"] = assured[sid].isoformat()
    organization: dict[str, Any] = {"id": _uuid("organization", org.id), "name": org.name,
                                    "description": org.description or org.name}
    if org.alternate_name:
        organization["alternate_name"] = org.alternate_name
    if org.parent_id:
        organization["parent_organization_id"] = _uuid("organization", org.parent_id)
    out["organization"] = organization
    out["phones"] = [{"id": _uuid("phone", f"{sid}:{i}"), "number": p.number, "type": p.type,
                      **({"description": p.description} if p.description else {})}
                     for i, p in enumerate(service.phones)]
    out["schedules"] = [{"id": _uuid("schedule", f"{sid}:{i}"), "description": s.description}
                        for i, s in enumerate(service.schedules)]
    area = service.service_area
    out["service_areas"] = [{"id": _uuid("service_area", sid), "name": area.name,
                             "description": area.name, "extent": _extent(area),
                             "extent_type": "text"}]
    locations = []
    for lid in service.location_ids:
        loc = directory.location(lid)
        location: dict[str, Any] = {"id": _uuid("location", lid), "location_type": "physical",
                                    "name": loc.name, "description": loc.description}
        if loc.address is not None:
            a = loc.address
            location["addresses"] = [{
                "id": _uuid("address", lid), "address_1": a.address_1, "city": a.city,
                "state_province": a.state_province, "postal_code": a.postal_code,
                "country": a.country, "address_type": "physical"}]
        locations.append({"id": _uuid("service_at_location", f"{sid}:{lid}"),
                          "location": location})
    out["service_at_locations"] = locations
    attributes = []
    for i, a in enumerate(service.attribute_links()):
        attribute: dict[str, Any] = {
            "id": _uuid("attribute", f"{sid}:{i}"),
            "taxonomy_term_id": _uuid("taxonomy_term", a.taxonomy_term_id),
            "link_id": out["id"], "link_entity": "service", "link_type": a.link_type,
            "value": a.value}
        term = terms.get(a.taxonomy_term_id)
        if term is not None:
            attribute["taxonomy_term"] = _term_json(term, taxonomies)
        attributes.append(attribute)
    out["attributes"] = attributes
    return out


def _read_for_export(db: Database) -> tuple[LoadedDirectory, dict[str, date]]:
    """The directory and each service's last change, read in one session."""
    with db.read() as session:
        return loaded_in(session), {hid: at.date() for hid, at in session.execute(
            select(DirService.hsds_id, DirService.updated_at))}


@use_case
def export_hsds_json(db: Database, path: Path) -> int:
    """Write every service as HSDS 3.0 JSON (the API's paged ``service`` list, one page);
    returns the number of services."""
    loaded, assured = _read_for_export(db)
    services = [service_json(loaded, s, assured) for s in loaded.directory.services]
    document = {"total_items": len(services), "total_pages": 1, "page_number": 1,
                "size": len(services), "first_page": True, "last_page": True,
                "empty": not services, "contents": services}
    write_atomically(path, json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))
    return len(services)


#: HSDS 3.0 tabular files written by the CSV export, with their columns (the specification's
#: own headers, ``examples/csv``).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations.csv": ("id", "name", "alternate_name", "description", "email", "website",
                          "tax_status", "tax_id", "year_incorporated", "legal_status", "logo",
                          "uri", "parent_organization_id"),
    "services.csv": ("id", "organization_id", "program_id", "name", "alternate_name",
                     "description", "url", "email", "status", "interpretation_services",
                     "application_process", "fees_description", "wait_time", "fees",
                     "accreditations", "eligibility_description", "minimum_age", "maximum_age",
                     "assured_date", "assurer_email", "licenses", "alert", "last_modified"),
    "locations.csv": ("id", "location_type", "url", "organization_id", "name", "alternate_name",
                      "description", "transportation", "latitude", "longitude",
                      "external_identifier", "external_identifier_type"),
    "addresses.csv": ("id", "location_id", "attention", "address_1", "address_2", "city",
                      "region", "state_province", "postal_code", "country", "address_type"),
    "phones.csv": ("id", "location_id", "service_id", "organization_id", "contact_id",
                   "service_at_location_id", "number", "extension", "type", "description"),
    "schedules.csv": ("id", "service_id", "location_id", "service_at_location_id", "valid_from",
                      "valid_to", "dtstart", "timezone", "until", "count", "wkst", "freq",
                      "interval", "byday", "byweekno", "bymonthday", "byyearday", "description",
                      "opens_at", "closes_at", "schedule_link", "attending_type", "notes"),
    "service_areas.csv": ("id", "service_id", "name", "description", "extent", "extent_type",
                          "uri"),
    "service_at_location.csv": ("id", "service_id", "location_id", "description"),
    "attributes.csv": ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
    "taxonomies.csv": ("id", "name", "description", "uri", "version"),
    "taxonomy_terms.csv": ("id", "code", "name", "description", "parent_id", "taxonomy",
                           "language", "taxonomy_id", "term_uri"),
}


@use_case
def export_hsds_csv(db: Database, folder: Path) -> int:
    """Write the directory as the HSDS 3.0 tabular package (one CSV per table, UTF-8) into
    ``folder``; returns the number of services."""
    loaded, assured = _read_for_export(db)
    directory = loaded.directory
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in CSV_COLUMNS}
    for org in directory.organizations:
        tables["organizations.csv"].append({
            "id": _uuid("organization", org.id), "name": org.name,
            "alternate_name": org.alternate_name, "description": org.description or org.name,
            "parent_organization_id": _uuid("organization", org.parent_id) if org.parent_id
            else ""})
    for loc in directory.locations:
        lid = _uuid("location", loc.id)
        tables["locations.csv"].append({
            "id": lid, "location_type": "physical",
            "organization_id": _uuid("organization", loc.organization_id), "name": loc.name,
            "description": loc.description})
        if loc.address is not None:
            a = loc.address
            tables["addresses.csv"].append({
                "id": _uuid("address", loc.id), "location_id": lid, "address_1": a.address_1,
                "city": a.city, "state_province": a.state_province,
                "postal_code": a.postal_code, "country": a.country, "address_type": "physical"})
    for taxonomy in directory.taxonomies:
        tables["taxonomies.csv"].append({
            "id": _uuid("taxonomy", taxonomy.id), "name": taxonomy.name,
            "description": taxonomy.description, "version": taxonomy.version})
    for term in directory.terms:
        tables["taxonomy_terms.csv"].append({
            "id": _uuid("taxonomy_term", term.id), "code": term.code, "name": term.name,
            "description": term.description, "taxonomy_id": _uuid("taxonomy", term.taxonomy_id)})
    for service in directory.services:
        nested = service_json(loaded, service, assured)
        sid = nested["id"]
        tables["services.csv"].append({
            **{k: v for k, v in nested.items() if isinstance(v, str)},
            "organization_id": nested["organization"]["id"]})
        tables["phones.csv"] += [{**p, "service_id": sid} for p in nested["phones"]]
        tables["schedules.csv"] += [{**s, "service_id": sid} for s in nested["schedules"]]
        tables["service_areas.csv"] += [{**a, "service_id": sid} for a in nested["service_areas"]]
        tables["service_at_location.csv"] += [
            {"id": sal["id"], "service_id": sid, "location_id": sal["location"]["id"]}
            for sal in nested["service_at_locations"]]
        tables["attributes.csv"] += [{k: v for k, v in a.items() if k != "taxonomy_term"}
                                     for a in nested["attributes"]]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise write_error(folder, error) from None
    for name, columns in CSV_COLUMNS.items():
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(tables[name])
        write_atomically(folder / name, out.getvalue().encode("utf-8"))
    return len(directory.services)


# --- HSDS import ----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organizations: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Incoming:
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
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))


def _reverse_ids(loaded: LoadedDirectory) -> dict[str, str]:
    directory = loaded.directory
    pairs = [("organization", o.id) for o in directory.organizations]
    pairs += [("service", s.id) for s in directory.services]
    pairs += [("location", loc.id) for loc in directory.locations]
    pairs += [("taxonomy", t.id) for t in (*d.STANDARD_TAXONOMIES, *directory.taxonomies)]
    pairs += [("taxonomy_term", t.id) for t in (*d.STANDARD_TERMS, *directory.terms)]
    return {d.hsds_uuid(table, rid): rid for table, rid in pairs}


def _text(obj: dict[str, Any], key: str, inc: _Incoming, path: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        inc.problem(f"{path}.{key}", "文字列ではありません")
        return ""
    return str(value).strip()


def _record_id(obj: dict[str, Any], inc: _Incoming, path: str, table: str) -> str | None:
    raw = obj.get("id")
    if not isinstance(raw, str) or not raw.strip():
        inc.problem(f"{path}.id", "ID がありません")
        return None
    rid = raw.strip().lower()
    rid = inc.reverse.get(rid, rid)
    inc.where.setdefault(f"{table} {rid}", path)
    return rid


def _walk(value: Any, path: str, inc: _Incoming) -> None:
    if isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", inc)
        return
    if not isinstance(value, dict):
        inc.problem(path, "HSDS のレコード（JSON オブジェクト）ではありません")
        return
    if isinstance(value.get("contents"), list):
        _walk(value["contents"], f"{path}.contents", inc)
    elif any(isinstance(k, str) and k.endswith(".csv") for k in value):
        _walk_tabular(value, path, inc)
    elif isinstance(value.get("service"), dict):  # service_at_location
        service = dict(value["service"])
        if isinstance(value.get("location"), dict):
            service.setdefault("service_at_locations", []).append({"location": value["location"]})
        _service(service, f"{path}.service", inc, None)
    elif isinstance(value.get("services"), list):  # organization with its services
        org_id = _organization(value, path, inc)
        for i, item in enumerate(value["services"]):
            if isinstance(item, dict):
                _service(item, f"{path}.services[{i}]", inc, org_id)
            else:
                inc.problem(f"{path}.services[{i}]", "JSON オブジェクトではありません")
    elif "status" in value:
        _service(value, path, inc, None)
    elif "location_type" in value:
        inc.warnings.append(f"{path}: 組織とサービスのない所在地（location）は取り込みません")
    elif any(k in value for k in ("code", "taxonomy", "taxonomy_id", "taxonomy_detail",
                                  "term_uri", "parent_id")):
        _term(value, path, inc)
    elif "openapi_url" in value or "profile" in value:
        inc.warnings.append(f"{path}: HSDS のメタデータ（レコードなし）")
    elif "uri" in value or "version" in value:
        _taxonomy(value, path, inc)
    elif "name" in value and "id" in value:
        _organization(value, path, inc)
    else:
        inc.problem(path, "HSDS のレコードとして認識できません")


def _walk_tabular(tables: dict[str, Any], path: str, inc: _Incoming) -> None:
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


def _organization(obj: dict[str, Any], path: str, inc: _Incoming) -> str | None:
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


def _taxonomy(obj: dict[str, Any], path: str, inc: _Incoming) -> str | None:
    tid = _record_id(obj, inc, path, "taxonomy")
    if tid is not None:
        inc.taxonomies[tid] = d.Taxonomy(tid, _text(obj, "name", inc, path) or tid,
                                         _text(obj, "description", inc, path),
                                         _text(obj, "version", inc, path))
    return tid


def _term(obj: dict[str, Any], path: str, inc: _Incoming) -> str | None:
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


def _area(areas: Any, path: str, inc: _Incoming) -> d.ServiceArea:
    """HSDS service_areas → our area: ``setacare:`` extents, or district / area names."""
    found: list[d.ServiceArea] = []
    for i, area in enumerate(areas if isinstance(areas, list) else []):
        if not isinstance(area, dict):
            continue
        where = f"{path}.service_areas[{i}]"
        extent = str(area.get("extent") or "")
        name = str(area.get("name") or "").strip()
        if extent.startswith(_EXTENT_PREFIX):
            scope_text, _, codes = extent[len(_EXTENT_PREFIX):].partition(":")
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


def _service(obj: dict[str, Any], path: str, inc: _Incoming, org_id: str | None) -> None:
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
    for i, phone in enumerate(obj.get("phones") or []):
        number = _text(phone, "number", inc, f"{path}.phones[{i}]") if isinstance(
            phone, dict) else ""
        if not number:
            inc.problem(f"{path}.phones[{i}].number", "電話番号がありません")
            continue
        phones.append(d.Phone(number, _text(phone, "type", inc, path) or "voice",
                              _text(phone, "description", inc, path)))
    schedules = []
    for i, schedule in enumerate(obj.get("schedules") or []):
        if not isinstance(schedule, dict):
            inc.problem(f"{path}.schedules[{i}]", "JSON オブジェクトではありません")
            continue
        where = f"{path}.schedules[{i}]"
        text = _text(schedule, "description", inc, where) or " ".join(filter(None, (
            _text(schedule, "byday", inc, where), "–".join(filter(None, (
                _text(schedule, "opens_at", inc, where),
                _text(schedule, "closes_at", inc, where)))))))
        if text:
            schedules.append(d.Schedule(text))
    location_ids = []
    for i, sal in enumerate(obj.get("service_at_locations") or []):
        loc = sal.get("location") if isinstance(sal, dict) else None
        if isinstance(loc, dict):
            lid = _location(loc, f"{path}.service_at_locations[{i}].location", inc, org_id)
            if lid is not None and lid not in location_ids:
                location_ids.append(lid)
    links = []
    for i, attribute in enumerate(obj.get("attributes") or []):
        where = f"{path}.attributes[{i}]"
        if not isinstance(attribute, dict):
            inc.problem(where, "JSON オブジェクトではありません")
            continue
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


def _location(obj: dict[str, Any], path: str, inc: _Incoming, org_id: str | None) -> str | None:
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


def _merged(inc: _Incoming) -> d.Directory | None:
    """The directory after the import, or None after recording every problem in ``inc``."""
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


def _read_json(path: Path) -> object:
    """The file's JSON, or a ValidationError naming the file and the problem in Japanese."""
    try:
        text = read_file(path).decode("utf-8")
        return json.loads(text)
    except FileReadError as error:
        raise ValidationError([Problem(str(path), error.message)]) from None
    except UnicodeDecodeError as error:
        raise ValidationError([Problem(
            str(path), f"UTF-8 のテキストではありません（{error.start} バイト目）")]) from None
    except json.JSONDecodeError as error:
        raise ValidationError([Problem(
            f"{path.name}:{error.lineno}:{error.colno}", "JSON として読めません")]) from None
    except RecursionError:  # nesting deeper than Python's stack
        raise ValidationError([Problem(
            str(path), "JSON の入れ子（[ や {）が深すぎて読めません")]) from None


@use_case(sessions=2)
def import_hsds(db: Database, actor: StaffProfile | None, path: Path) -> ImportReport:
    """Import an HSDS 3.0 JSON file: every record is added or replaces the one with its id.

    A file with any problem changes nothing: ``ValidationError`` lists every problem, each with
    its JSON path (``$.contents[3].phones[0].number``). Records the file does not mention stay.

    Two sessions, on purpose: the file is checked against the directory read in a deferred
    read (seconds for thousands of services, during which counters keep saving), then written
    in one write transaction that first checks that the directory has not changed since that
    read (a change in between refuses the import, nothing written).
    """
    require_editor(actor, "directory_import")
    document = _read_json(path)
    with db.read() as session:
        known = loaded_in(session)
    inc = _Incoming(known, _reverse_ids(known))
    _walk(document, "$", inc)
    if _merged(inc) is None:
        raise ValidationError(inc.problems)
    report = ImportReport(warnings=inc.warnings)
    with db.transaction() as session:
        if directory_revision(session) != known.revision:
            raise ServiceError("取り込みの間に、つなぎ先が他の操作で変更されました。何も変更していません。"
                               "もう一度取り込んでください。")
        _store_import(session, actor, inc, known, report)
        audit.record(session, actor, "directory_import", entity="directory",
                     detail=f"{path.name}: created {report.created}, updated {report.updated}, "
                            f"unchanged {report.unchanged}")
    return report


def _history(session: Session, actor: StaffProfile | None, entity: str, entity_id: str,
             before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    changed = sorted(k for k in after if before is None or after[k] != before.get(k))
    if not changed:
        return False
    session.add(DirHistory(staff_id=actor.staff_id if actor else None,
                           action="import" if before is not None else "import_create",
                           entity=entity, entity_id=entity_id, fields=changed,
                           previous=before, current=after))
    return True


def _preload(session: Session, model: Any, ids: Iterable[object], chunk: int = 500) -> None:
    """Load the rows with these ids in a few queries, so that the ``session.get`` calls below
    find them in the identity map instead of asking the database once per record."""
    wanted = list(ids)
    for start in range(0, len(wanted), chunk):
        session.scalars(select(model).where(model.id.in_(wanted[start:start + chunk]))).all()


def _store_import(session: Session, actor: StaffProfile | None, inc: _Incoming,
                  known: LoadedDirectory, report: ImportReport) -> None:
    _preload(session, DirTaxonomy, [*inc.taxonomies, *(t.taxonomy_id for t in inc.terms.values()
                                                       if t.taxonomy_id)])
    _preload(session, DirTaxonomyTerm, inc.terms)
    _preload(session, DirOrganization, inc.orgs)
    _preload(session, DirLocation, inc.locations)
    _preload(session, DirService, [known.ids[i] for i in inc.services if i in known.ids])
    for taxonomy in inc.taxonomies.values():
        if session.get(DirTaxonomy, taxonomy.id) is None:
            session.add(DirTaxonomy(**taxonomy_row(taxonomy)))
    session.flush()
    for term in inc.terms.values():
        if session.get(DirTaxonomyTerm, term.id) is None:
            row = term_row(term)
            if row["taxonomy_id"] and session.get(DirTaxonomy, row["taxonomy_id"]) is None:
                row["taxonomy_id"] = None
            session.add(DirTaxonomyTerm(**row))
    for org in inc.orgs.values():
        values = organization_row(org)
        row = session.get(DirOrganization, org.id)
        before = {k: getattr(row, k) for k in values} if row is not None else None
        if row is None:
            session.add(DirOrganization(**values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
        report.organizations += _history(session, actor, "organization", org.id, before, values)
    session.flush()
    for loc in inc.locations.values():
        values = location_row(loc)
        row_loc = session.get(DirLocation, loc.id)
        before = {k: getattr(row_loc, k) for k in values} if row_loc is not None else None
        if row_loc is None:
            session.add(DirLocation(**values))
        else:
            for key, value in values.items():
                setattr(row_loc, key, value)
        _history(session, actor, "location", loc.id, before, values)
    session.flush()
    next_order = int(session.scalar(select(func.max(DirService.sort_order))) or 0)
    for service in inc.services.values():
        number = known.ids.get(service.id)
        after = snapshot(service)
        if number is None:
            next_order += 1
            row = DirService(**service_row(service, next_order))
            session.add(row)
            session.flush()
            report.created += 1
            before = None
        else:
            row = session.get(DirService, number)
            assert row is not None
            old = known.directory.service(service.id)
            before = snapshot(old)
            if before == after:
                report.unchanged += 1
                continue
            for key, value in service_row(service, row.sort_order).items():
                setattr(row, key, value)
            report.updated += 1
        row.updated_at = utc_now()
        set_children(session, row, service)
        _history(session, actor, "service", service.id, before, after)
