"""The referral directory in the database: domain records ↔ rows of the ``dir_*`` tables.

``*_row`` functions give the column values of one domain record as a plain dict (used by migration
0005 to load the shipped directory with Core inserts, and by the importer with the ORM);
:func:`read_directory` builds the domain :class:`Directory` back from the tables.

A service's target groups, elements, mode, role, reading and keywords are its HSDS attribute rows
(``Service.attribute_links``); attribute rows whose term is not one of ours are kept as
``Service.attributes``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from setacare_desktop.domain import directory as d
from setacare_desktop.store import models as m

Row = dict[str, Any]


def organization_row(org: d.Organization) -> Row:
    return {"id": org.id, "name": org.name, "reading": org.reading,
            "alternate_name": org.alternate_name, "description": org.description,
            "kind": org.kind, "district_code": org.district_code or None,
            "area_code": org.area_code or None, "parent_id": org.parent_id or None,
            "email": org.email, "website": org.website, "hsds_extra": org.extra}


def location_row(loc: d.Location) -> Row:
    address = loc.address
    return {"id": loc.id, "organization_id": loc.organization_id, "name": loc.name,
            "description": loc.description,
            "address_1": address.address_1 if address else None,
            "city": address.city if address else "",
            "state_province": address.state_province if address else "",
            "postal_code": address.postal_code if address else "",
            "country": address.country if address else "",
            "address_2": address.address_2 if address else "",
            "alternate_name": loc.alternate_name, "latitude": loc.latitude,
            "longitude": loc.longitude, "hsds_extra": loc.extra}


def taxonomy_row(taxonomy: d.Taxonomy) -> Row:
    return {"id": taxonomy.id, "name": taxonomy.name, "description": taxonomy.description,
            "version": taxonomy.version, "hsds_extra": taxonomy.extra}


def term_row(term: d.TaxonomyTerm) -> Row:
    return {"id": term.id, "taxonomy_id": term.taxonomy_id or None, "code": term.code, "name": term.name,
            "description": term.description, "hsds_extra": term.extra}


def service_row(service: d.Service, sort_order: int) -> Row:
    """The ``dir_service`` columns of ``service`` (without the integer id)."""
    return {"hsds_id": service.id, "organization_id": service.organization_id,
            "sort_order": sort_order, "name": service.name, "reading": service.reading,
            "alternate_name": service.alternate_name, "description": service.description,
            "eligibility": service.eligibility,
            "application_process": service.application_process, "url": service.url,
            "email": service.email, "status": service.status,
            "contact_confirmed": service.contact_confirmed, "hsds_extra": service.extra}


def confirmation_row(service: d.Service) -> Row:
    """Who confirmed the contact and when (not part of ``service_row``: history rows hold
    ``contact_confirmed``, and the history row's own staff and time say who and when)."""
    return {"confirmed_at": service.confirmed_at, "confirmed_by": service.confirmed_by}


def as_utc(value: object) -> datetime:
    """The database's clock, ``CURRENT_TIMESTAMP`` as read (a datetime, with a zone on
    PostgreSQL; text when SQLite gives it without a declared type), as naive UTC: every PC of
    a ward server then counts a confirmation's year alike."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def service_children(service: d.Service) -> dict[str, list[Row]]:
    """Rows of the tables hanging off a service, without ``service_id``, by table name."""
    area = service.service_area
    codes: list[str | None] = sorted(area.codes) if area.scope is not d.Scope.WARD else [None]
    return {
        "dir_phone": [{"number": p.number, "type": p.type, "description": p.description,
                       "hsds_extra": p.extra} for p in service.phones],
        "dir_schedule": [{"description": s.description, "byday": s.byday,
                          "opens_at": s.opens_at, "closes_at": s.closes_at,
                          "hsds_extra": s.extra} for s in service.schedules],
        "dir_service_area": [{"scope": area.scope.value, "code": c} for c in codes],
        "dir_attribute": [{"taxonomy_term_id": a.taxonomy_term_id, "value": a.value,
                           "link_type": a.link_type, "hsds_extra": a.extra}
                          for a in service.attribute_links()],
        "dir_service_at_location": [{"location_id": lid, "position": i}
                                    for i, lid in enumerate(service.location_ids)],
    }


def insert_directory(connection: sa.Connection, tables: Mapping[str, sa.Table],
                     directory: d.Directory, *, include_taxonomies: bool = True,
                     only_missing: bool = False) -> None:
    """Insert a whole directory with Core statements into empty tables (migration 0005), or,
    ``only_missing``, the records whose id the tables do not hold yet (0013: destinations added
    to the shipped directory since, for databases made before).

    ``tables`` are the tables as the migration created them, so a later change of the models
    does not change what this revision loads: columns added later (0013) are left out.
    """
    def insert(table: str, rows: list[Row]) -> None:
        if rows:
            names = set(tables[table].c.keys())
            connection.execute(tables[table].insert(),
                               [{k: v for k, v in r.items() if k in names} for r in rows])

    def held(table: str, column: str = "id") -> set[str]:
        if not only_missing:
            return set()
        return set(connection.execute(sa.select(tables[table].c[column])).scalars())

    if include_taxonomies:
        insert("dir_taxonomy", [taxonomy_row(t) for t in directory.taxonomies
                                if t.id not in held("dir_taxonomy")])
        insert("dir_taxonomy_term", [term_row(t) for t in directory.terms
                                     if t.id not in held("dir_taxonomy_term")])
    orgs = held("dir_organization")
    insert("dir_organization", [organization_row(o) for o in directory.organizations
                                if o.id not in orgs])
    places = held("dir_location")
    insert("dir_location", [location_row(loc) for loc in directory.locations
                            if loc.id not in places])
    service_table = tables["dir_service"]
    names = set(service_table.c.keys())
    services = held("dir_service", "hsds_id")
    start = int(connection.scalar(sa.select(sa.func.max(service_table.c.sort_order))) or 0
                ) if only_missing else 0
    for order, service in enumerate((s for s in directory.services if s.id not in services),
                                    start=start + 1):
        values = {k: v for k, v in service_row(service, order).items() if k in names}
        service_id = connection.execute(
            service_table.insert().values(**values, updated_at=m.utc_now())
        ).inserted_primary_key[0]  # type: ignore[index]
        for table, rows in service_children(service).items():
            insert(table, [{**row, "service_id": service_id} for row in rows])


# --- reading it back ------------------------------------------------------------------------------

_TARGET = d.TARGET_GROUP_TAXONOMY.id + "."
_ELEMENT = d.ELEMENT_TAXONOMY.id + "."
_MODE = d.MODE_TAXONOMY.id + "."
_ROLE = d.ROLE_TAXONOMY.id + "."
_READING = f"{d.SEARCH_TAXONOMY.id}.reading"
_KEYWORD = f"{d.SEARCH_TAXONOMY.id}.keyword"


def _service_area(rows: list[Any]) -> d.ServiceArea:
    if not rows:
        return d.ServiceArea.ward()
    scope = d.Scope(rows[0].scope)
    return d.ServiceArea(scope, frozenset(r.code for r in rows if r.code) if
                         scope is not d.Scope.WARD else frozenset())


def read_directory(session: Session) -> tuple[d.Directory, dict[str, int]]:
    """The directory as stored, and the integer id of each service by its HSDS id."""
    children: dict[str, dict[int, list[Any]]] = {}
    for name, model in (("phones", m.DirPhone), ("schedules", m.DirSchedule),
                        ("areas", m.DirServiceArea), ("attributes", m.DirAttribute),
                        ("locations", m.DirServiceAtLocation)):
        grouped: dict[int, list[Any]] = defaultdict(list)
        order = (model.position if model is m.DirServiceAtLocation  # type: ignore[attr-defined]
                 else model.id)  # type: ignore[attr-defined]
        for row in session.scalars(sa.select(model).order_by(order)):
            grouped[row.service_id].append(row)
        children[name] = grouped

    organizations = tuple(
        d.Organization(o.id, o.name, o.reading, o.description, o.alternate_name, o.kind,
                       o.district_code or "", o.area_code or "", o.parent_id or "",
                       o.website, o.email, o.hsds_extra)
        for o in session.scalars(sa.select(m.DirOrganization).order_by(m.DirOrganization.id)))
    locations = tuple(
        d.Location(loc.id, loc.organization_id, loc.name, loc.description,
                   d.Address(loc.address_1, loc.city, loc.state_province, loc.postal_code,
                             loc.country, loc.address_2) if loc.address_1 is not None else None,
                   loc.alternate_name, loc.latitude, loc.longitude, loc.hsds_extra)
        for loc in session.scalars(sa.select(m.DirLocation).order_by(m.DirLocation.id)))
    services: list[d.Service] = []
    ids: dict[str, int] = {}
    for row in session.scalars(sa.select(m.DirService).order_by(m.DirService.sort_order,
                                                                m.DirService.id)):
        ids[row.hsds_id] = row.id
        fields = service_fields(children["attributes"].get(row.id, []))
        services.append(d.Service(
            row.hsds_id, row.organization_id, row.name, row.reading or fields.pop("reading", ""),
            row.description, row.eligibility, _service_area(children["areas"].get(row.id, [])),
            alternate_name=row.alternate_name, application_process=row.application_process,
            location_ids=tuple(r.location_id for r in children["locations"].get(row.id, [])),
            phones=tuple(d.Phone(p.number, p.type, p.description, p.hsds_extra)
                         for p in children["phones"].get(row.id, [])),
            schedules=tuple(d.Schedule(s.description, s.byday, s.opens_at, s.closes_at,
                                       s.hsds_extra)
                            for s in children["schedules"].get(row.id, [])),
            contact_confirmed=row.contact_confirmed, status=row.status, url=row.url,
            email=row.email, extra=row.hsds_extra, confirmed_at=row.confirmed_at,
            confirmed_by=row.confirmed_by,
            **{k: v for k, v in fields.items() if k != "reading"},
        ))
    taxonomies = tuple(
        d.Taxonomy(t.id, t.name, t.description, t.version, t.hsds_extra)
        for t in session.scalars(sa.select(m.DirTaxonomy).order_by(m.DirTaxonomy.id)))
    terms = tuple(
        d.TaxonomyTerm(t.id, t.taxonomy_id or "", t.code, t.name, t.description, t.hsds_extra)
        for t in session.scalars(sa.select(m.DirTaxonomyTerm).order_by(m.DirTaxonomyTerm.id)))
    return d.Directory(organizations, tuple(services), locations,
                       taxonomies or d.STANDARD_TAXONOMIES, terms or d.STANDARD_TERMS), ids


def service_fields(rows: Iterable[Any]) -> dict[str, Any]:
    """Service fields carried by attribute rows (the inverse of ``Service.attribute_links``):
    ``rows`` have ``taxonomy_term_id``, ``value`` and ``link_type`` (domain ``Attribute`` or
    ``DirAttribute``). The reading, if any, is under ``"reading"``."""
    groups: dict[str, set[str]] = {"primary": set(), "secondary": set()}
    elements: dict[str, set[str]] = {"primary": set(), "secondary": set()}
    out: dict[str, Any] = {"keywords": [], "attributes": []}
    for a in rows:
        term = a.taxonomy_term_id
        if term.startswith(_TARGET):
            groups["secondary" if a.value == "secondary" else "primary"].add(term[len(_TARGET):])
        elif term.startswith(_ELEMENT):
            elements["secondary" if a.value == "secondary" else "primary"].add(
                term[len(_ELEMENT):])
        elif term.startswith(_MODE):
            out["mode"] = d.ServiceMode(term[len(_MODE):])
        elif term.startswith(_ROLE):
            out["role"] = term[len(_ROLE):]
        elif term == _READING:
            out["reading"] = a.value
        elif term == _KEYWORD:
            out["keywords"].append(a.value)
        else:
            out["attributes"].append(d.Attribute(term, a.value, a.link_type,
                                                 getattr(a, "hsds_extra", None) or
                                                 getattr(a, "extra", "")))
    out["target_groups"] = frozenset(groups["primary"])
    out["secondary_groups"] = frozenset(groups["secondary"])
    out["elements"] = frozenset(elements["primary"])
    out["secondary_elements"] = frozenset(elements["secondary"])
    out["keywords"] = tuple(out["keywords"])
    out["attributes"] = tuple(out["attributes"])
    return out
