"""HSDS 3.0 in, the checking half: a document walked record by record against the directory as
read, every problem collected with its JSON path, and the directory it would make checked whole.
Nothing here touches the database; ``importing`` writes what this accepted.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from setacare_desktop.domain import directory as d
from setacare_desktop.services.hsds import fields as f
from setacare_desktop.services.hsds import records as r
from setacare_desktop.services.hsds.incoming import (
    ImportReport,
    Incoming,
    dicts,
    reverse_ids,
)
from setacare_desktop.services.hsds.schema import kind_of, schema_problems

__all__ = ["ImportReport", "Incoming", "merged", "reverse_ids", "walk"]


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
        if isinstance(value.get("location"), dict):  # the link's own fields are kept
            service.setdefault("service_at_locations", []).append(
                {k: v for k, v in value.items() if k != "service"})
        r.service(service, f"{path}.service", inc, None)
    elif kind == "organization":
        org_id = r.organization(value, path, inc)
        for i, item in dicts(value, "services"):
            r.service(item, f"{path}.services[{i}]", inc, org_id)
    elif kind == "service":
        r.service(value, path, inc, None)
    elif kind == "location":
        inc.warnings.append(f"{path}: 組織とサービスのない所在地（location）は取り込みません")
    elif kind == "taxonomy_term":
        r.term(value, path, inc)
    else:
        r.taxonomy(value, path, inc)


#: Columns of the tabular package that only say which record a row belongs to (nesting
#: the rows again makes them redundant).
_LINKS = frozenset({"service_id", "location_id", "phone_id", "organization_id", "link_id",
                    "contact_id"})


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

    def nest(record: dict[str, Any], key: str, name: str, link: str) -> dict[str, Any]:
        """``record`` with the rows of ``name`` that name it as ``key`` (when there are any)."""
        found = [{k: v for k, v in row.items() if k not in _LINKS}
                 for row in by(name, link).get(str(record.get("id")), [])]
        return {**record, key: found} if found else record

    def contacts_and_phones(record: dict[str, Any], link: str, keys: tuple[str, ...]
                            ) -> dict[str, Any]:
        """``record`` with its phones (and their languages), contacts (and their phones),
        funding and schedules, the rows of those tables naming it by ``link``."""
        for key in keys:
            record = nest(record, key, f"{key}.csv", link)
        if record.get("phones"):
            record["phones"] = [nest(p, "languages", "languages.csv", "phone_id")
                                for p in record["phones"]]
        if record.get("contacts"):
            record["contacts"] = [nest(c, "phones", "phones.csv", "contact_id")
                                  for c in record["contacts"]]
        return record

    org_rows = [contacts_and_phones(o, "organization_id", ("phones", "contacts", "funding"))
                for o in rows("organizations.csv")]  # each row: a duplicate id is an error
    orgs = {str(o.get("id")): o for o in org_rows}
    terms = {str(t.get("id")): t for t in rows("taxonomy_terms.csv")}
    locations = {str(loc.get("id")): contacts_and_phones(nest(nest(nest(
        loc, "addresses", "addresses.csv", "location_id"), "languages", "languages.csv",
        "location_id"), "accessibility", "accessibility.csv", "location_id"), "location_id",
        ("phones", "contacts", "schedules"))
        for loc in rows("locations.csv")}
    phones, schedules = by("phones.csv", "service_id"), by("schedules.csv", "service_id")
    areas, attributes = by("service_areas.csv", "service_id"), by("attributes.csv", "link_id")
    at_location = by("service_at_location.csv", "service_id")
    for i, taxonomy in enumerate(rows("taxonomies.csv")):
        r.taxonomy(taxonomy, f"{path}['taxonomies.csv'][{i}]", inc)
    for i, term in enumerate(rows("taxonomy_terms.csv")):
        r.term(term, f"{path}['taxonomy_terms.csv'][{i}]", inc)
    for i, org in enumerate(org_rows):
        r.organization(org, f"{path}['organizations.csv'][{i}]", inc)
    for i, svc in enumerate(rows("services.csv")):
        sid = str(svc.get("id"))
        nested = {**svc,
                  "phones": [nest(p, "languages", "languages.csv", "phone_id")
                             for p in phones.get(sid, [])],
                  "schedules": schedules.get(sid, []),
                  "service_areas": areas.get(sid, []),
                  "attributes": [{**a, "taxonomy_term": terms[str(a.get("taxonomy_term_id"))]}
                                 if str(a.get("taxonomy_term_id")) in terms else a
                                 for a in attributes.get(sid, [])],
                  "service_at_locations": [{**s, "location": locations[str(s.get("location_id"))]}
                                           for s in at_location.get(sid, [])
                                           if str(s.get("location_id")) in locations]}
        nested = contacts_and_phones(nest(nest(
            nested, "languages", "languages.csv", "service_id"), "required_documents",
            "required_documents.csv", "service_id"), "service_id", ("contacts", "funding"))
        org = orgs.get(str(svc.get("organization_id")))
        if org is not None:
            nested["organization"] = org
        r.service(nested, f"{path}['services.csv'][{i}]", inc, None)


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
            # kept as it was, for the export (``fields``)
            extra = {**f.unpack(org.extra),
                     "parent_organization_id": (inc.seen[f"organization {oid}"][2] or {}).get(
                         "parent_organization_id")}
            org = dataclasses.replace(org, parent_id="", extra=f.pack(extra))
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
    known_terms, known_taxonomies = {t.id for t in known.terms}, {t.id for t in known.taxonomies}
    return d.Directory(tuple(orgs.values()), tuple(services.values()), tuple(locations.values()),
                       (*known.taxonomies, *(t for t in inc.taxonomies.values()
                                             if t.id not in known_taxonomies)),
                       (*known.terms, *(t for t in inc.terms.values()
                                        if t.id not in known_terms)))


