"""HSDS 3.0 out: the directory as the API's JSON ``service`` list, or as the tabular CSV package.

Every record is written with a UUID that is the same for the same record every time
(``domain.directory.hsds_uuid``), so a re-export can be diffed and re-imported.

An export acts as a logged-in staff member (any role: the directory holds no personal data and
every staff member sees it in つなぎ先); it is audited (``directory_export``) only once its files
are written, a failure as ``directory_export_failed`` (``services.exports``). Two sessions, on
purpose: the directory is read in a deferred read, and the audit row is written after the files.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from setacare_desktop.domain import directory as d
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services.directory import (
    LoadedDirectory,
    loaded_in,
)
from setacare_desktop.services.exports import write_export
from setacare_desktop.services.files import write_error
from setacare_desktop.services.guard import require_login
from setacare_desktop.services.hsds import fields as f
from setacare_desktop.services.hsds import tabular
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _uuid(table: str, record_id: str) -> str:
    return record_id if _is_uuid(record_id) else d.hsds_uuid(table, record_id)


EXTENT_PREFIX = "setacare:"


def extent(area: d.ServiceArea) -> str:
    """Machine-readable service area: ``setacare:district:ikejiri,taishido`` / ``setacare:ward``."""
    if area.scope is d.Scope.WARD:
        return f"{EXTENT_PREFIX}ward"
    return f"{EXTENT_PREFIX}{area.scope.value}:{','.join(sorted(area.codes))}"


def _term_json(term: d.TaxonomyTerm, taxonomies: dict[str, d.Taxonomy]) -> dict[str, Any]:
    taxonomy = taxonomies.get(term.taxonomy_id)
    out: dict[str, Any] = {}
    if taxonomy is not None:
        out["taxonomy"] = taxonomy.name
        out["taxonomy_id"] = _uuid("taxonomy", taxonomy.id)
        out["taxonomy_detail"] = {
            "id": _uuid("taxonomy", taxonomy.id), **f.unpack(taxonomy.extra),
            "name": taxonomy.name, "description": taxonomy.description or taxonomy.name,
            "version": taxonomy.version}
    return {**out, **f.unpack(term.extra), "id": _uuid("taxonomy_term", term.id),
            "code": term.code, "name": term.name, "description": term.description or term.name}


def organization_json(org: d.Organization) -> dict[str, Any]:
    out: dict[str, Any] = {**f.unpack(org.extra), "id": _uuid("organization", org.id),
                           "name": org.name, "description": org.description}
    for key, value in (("alternate_name", org.alternate_name), ("website", org.website),
                       ("email", org.email)):
        if value:
            out[key] = value
    if org.parent_id:
        out["parent_organization_id"] = _uuid("organization", org.parent_id)
    return out


def location_json(loc: d.Location) -> dict[str, Any]:
    extra = f.unpack(loc.extra)
    kept_addresses = extra.pop("addresses", [])
    out: dict[str, Any] = {"location_type": "physical", **extra,
                           "id": _uuid("location", loc.id),
                           "organization_id": _uuid("organization", loc.organization_id),
                           "name": loc.name, "description": loc.description}
    if loc.alternate_name:
        out["alternate_name"] = loc.alternate_name
    if loc.latitude is not None:
        out["latitude"] = loc.latitude
    if loc.longitude is not None:
        out["longitude"] = loc.longitude
    if loc.address is not None:
        a = loc.address
        first = {"id": _uuid("address", loc.id), "address_type": "physical",
                 **(kept_addresses[0] if kept_addresses else {}),
                 "address_1": a.address_1, "city": a.city, "state_province": a.state_province,
                 "postal_code": a.postal_code, "country": a.country}
        if a.address_2:
            first["address_2"] = a.address_2
        out["addresses"] = [first, *kept_addresses[1:]]
    return out


def _schedule_json(schedule: d.Schedule, sid: str, i: int) -> dict[str, Any]:
    out = {"id": _uuid("schedule", f"{sid}:{i}"), **f.unpack(schedule.extra)}
    for key in ("description", "byday", "opens_at", "closes_at"):
        if getattr(schedule, key):
            out[key] = getattr(schedule, key)
    return out


def service_json(loaded: LoadedDirectory, service: d.Service,
                 assured: dict[str, date]) -> dict[str, Any]:
    """One service as an HSDS 3.0 compiled ``service`` object: its columns, and the fields an
    import kept (``fields``) where the directory holds nothing of its own."""
    directory = loaded.directory
    terms = {t.id: t for t in directory.terms}
    taxonomies = {t.id: t for t in directory.taxonomies}
    sid = service.id
    extra = f.unpack(service.extra)
    kept_areas = extra.pop(f.KEPT_AREAS, None)
    kept_at_locations = {s.pop("location_id", ""): s
                         for s in extra.pop("service_at_locations", [])}
    if sid in assured:  # our confirmation; else the source's assured_date as it came
        extra["assured_date"] = assured[sid].isoformat()
    out: dict[str, Any] = {
        **extra, "id": _uuid("service", sid), "name": service.name, "status": service.status,
        "description": service.description,
        "eligibility_description": service.eligibility,
    }
    for key, value in (("alternate_name", service.alternate_name),
                       ("application_process", service.application_process),
                       ("url", service.url), ("email", service.email)):
        if value:
            out[key] = value
    out["organization_id"] = _uuid("organization", service.organization_id)
    out["organization"] = organization_json(directory.organization_of(service))
    out["phones"] = [{"id": _uuid("phone", f"{sid}:{i}"), **f.unpack(p.extra),
                      "number": p.number, "type": p.type,
                      **({"description": p.description} if p.description else {})}
                     for i, p in enumerate(service.phones)]
    out["schedules"] = [_schedule_json(s, sid, i) for i, s in enumerate(service.schedules)]
    area = service.service_area
    out["service_areas"] = kept_areas["areas"] if (
        kept_areas and kept_areas["extent"] == extent(area)) else [
        {"id": _uuid("service_area", sid), "name": area.name, "description": area.name,
         "extent": extent(area), "extent_type": "text"}]
    out["service_at_locations"] = [
        {"id": _uuid("service_at_location", f"{sid}:{lid}"), **kept_at_locations.get(lid, {}),
         "location": location_json(directory.location(lid))} for lid in service.location_ids]
    attributes = []
    for i, a in enumerate(service.attribute_links()):
        attribute: dict[str, Any] = {
            "id": _uuid("attribute", f"{sid}:{i}"), "link_entity": "service",
            **f.unpack(a.extra), "taxonomy_term_id": _uuid("taxonomy_term", a.taxonomy_term_id),
            "link_id": out["id"], "link_type": a.link_type, "value": a.value}
        term = terms.get(a.taxonomy_term_id)
        if term is not None:
            attribute["taxonomy_term"] = _term_json(term, taxonomies)
        attributes.append(attribute)
    out["attributes"] = attributes
    return out


def _read_for_export(db: Database) -> tuple[LoadedDirectory, dict[str, date]]:
    """The directory and the date each confirmed service was confirmed (a confirmation that
    still counts, by the database's clock)."""
    with db.read() as session:
        loaded = loaded_in(session)
    return loaded, {s.id: s.confirmed_at.date() for s in loaded.directory.services
                    if s.confirmed_at is not None and s.contact_confirmed_at(loaded.now)}


EXPORT_ACTION = "directory_export"


@use_case(sessions=2)
def export_hsds_json(db: Database, actor: StaffProfile, path: Path, *,
                     replace: bool = False) -> int:
    """Write every service as HSDS 3.0 JSON (the API's paged ``service`` list, one page);
    returns the number of services. ``replace``: the user said to replace an existing file."""
    require_login(actor, EXPORT_ACTION)
    loaded, assured = _read_for_export(db)
    services = [service_json(loaded, s, assured) for s in loaded.directory.services]
    document = {"total_items": len(services), "total_pages": 1, "page_number": 1,
                "size": len(services), "first_page": True, "last_page": True,
                "empty": not services, "contents": services}
    write_export(db, actor, {path: json.dumps(document, ensure_ascii=False, indent=1).encode()},
                 replace=replace, action=EXPORT_ACTION, entity="directory",
                 detail=f"hsds-json: {len(services)} services")
    return len(services)


#: HSDS 3.0 tabular files written by the CSV export (columns: the specification's own, from
#: its ``datapackage.json``), besides ``datapackage.json`` itself.
CSV_TABLES = ("organizations.csv", "services.csv", "locations.csv", "addresses.csv",
              "phones.csv", "schedules.csv", "service_areas.csv", "service_at_location.csv",
              "attributes.csv", "taxonomies.csv", "taxonomy_terms.csv", "languages.csv",
              "accessibility.csv", "required_documents.csv", "contacts.csv", "funding.csv")
CSV_COLUMNS = {name: tabular.columns(name) for name in CSV_TABLES}
#: Every file the CSV export writes into its folder.
CSV_FILES = (*CSV_TABLES, "datapackage.json")


def _linked(record: dict[str, Any], key: str, link: str) -> list[dict[str, Any]]:
    """The rows of a list kept on ``record`` (its ``languages`` …), each naming ``record``."""
    rows = record.get(key)
    return [{**row, link: record["id"]} for row in rows if isinstance(row, dict)] if isinstance(
        rows, list) else []


def _contacts_and_phones(tables: dict[str, list[dict[str, Any]]], record: dict[str, Any],
                         link: str, keys: tuple[str, ...] = ("phones", "contacts")) -> None:
    """The phones, contacts (with their phones), funding and schedules kept on ``record`` (an
    organization, location or service) as rows naming it by ``link``."""
    for key in keys:
        rows = _linked(record, key, link)
        tables[f"{key}.csv"] += rows
        if key == "contacts":
            for contact in rows:
                tables["phones.csv"] += _linked(contact, "phones", "contact_id")
        if key == "phones":
            for phone in rows:
                tables["languages.csv"] += _linked(phone, "languages", "phone_id")


def _tables(loaded: LoadedDirectory, assured: dict[str, date]) -> dict[str, list[dict[str, Any]]]:
    directory = loaded.directory
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in CSV_TABLES}
    tables["organizations.csv"] = [organization_json(o) for o in directory.organizations]
    for org in tables["organizations.csv"]:
        _contacts_and_phones(tables, org, "organization_id", ("phones", "contacts", "funding"))
    for loc in directory.locations:
        location = location_json(loc)
        tables["locations.csv"].append(location)
        _contacts_and_phones(tables, location, "location_id", ("phones", "contacts", "schedules"))
        tables["languages.csv"] += _linked(location, "languages", "location_id")
        tables["accessibility.csv"] += _linked(location, "accessibility", "location_id")
        tables["addresses.csv"] += [{**a, "location_id": location["id"]}
                                    for a in location.get("addresses", [])]
    taxonomies = {t.id: t for t in directory.taxonomies}
    tables["taxonomies.csv"] = [{"id": _uuid("taxonomy", t.id), **f.unpack(t.extra),
                                 "name": t.name, "description": t.description,
                                 "version": t.version} for t in directory.taxonomies]
    tables["taxonomy_terms.csv"] = [_term_json(t, taxonomies) for t in directory.terms]
    for service in directory.services:
        nested = service_json(loaded, service, assured)
        sid = nested["id"]
        tables["services.csv"].append(nested)
        for name, key in (("phones.csv", "phones"), ("schedules.csv", "schedules"),
                          ("service_areas.csv", "service_areas")):
            tables[name] += [{**row, "service_id": sid} for row in nested[key]]
        tables["service_at_location.csv"] += [
            {**sal, "service_id": sid, "location_id": sal["location"]["id"]}
            for sal in nested["service_at_locations"]]
        tables["attributes.csv"] += nested["attributes"]
        tables["languages.csv"] += _linked(nested, "languages", "service_id")
        tables["required_documents.csv"] += _linked(nested, "required_documents", "service_id")
        for phone in nested["phones"]:
            tables["languages.csv"] += _linked(phone, "languages", "phone_id")
        _contacts_and_phones(tables, nested, "service_id", ("contacts", "funding"))
    return tables


@use_case(sessions=2)
def export_hsds_csv(db: Database, actor: StaffProfile, folder: Path, *,
                    replace: bool = False) -> int:
    """Write the directory as the HSDS 3.0 tabular package (one CSV per table, UTF-8, and
    ``datapackage.json``) into ``folder`` (made private if new); returns the number of
    services. ``replace``: the user said to replace the files of an earlier export there."""
    require_login(actor, EXPORT_ACTION)
    loaded, assured = _read_for_export(db)
    tables = _tables(loaded, assured)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise write_error(folder, error) from None
    files = {folder / name: tabular.csv_bytes(name, rows) for name, rows in tables.items()}
    files[folder / "datapackage.json"] = tabular.descriptor_bytes(tables)
    count = len(loaded.directory.services)
    write_export(db, actor, files, replace=replace, action=EXPORT_ACTION, entity="directory",
                 detail=f"hsds-csv: {count} services")
    return count


@use_case(sessions=2)
def export_hsds_xlsx(db: Database, actor: StaffProfile, path: Path, *,
                     replace: bool = False) -> int:
    """Write the directory as one Excel workbook, a sheet per table of the CSV package
    (``spreadsheet``), for editing contacts in Excel; returns the number of services."""
    from setacare_desktop.services.hsds import spreadsheet

    require_login(actor, EXPORT_ACTION)
    loaded, assured = _read_for_export(db)
    data = spreadsheet.xlsx_bytes(_tables(loaded, assured))
    count = len(loaded.directory.services)
    write_export(db, actor, {path: data}, replace=replace, action=EXPORT_ACTION,
                 entity="directory", detail=f"hsds-xlsx: {count} services")
    return count
