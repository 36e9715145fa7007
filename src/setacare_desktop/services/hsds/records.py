"""HSDS 3.0 in, one record at a time: an organization, service, location, taxonomy or term
object read into the domain record it becomes, every other field of it kept (``fields``).
"""

from __future__ import annotations

from typing import Any

from setacare_desktop.domain import directory as d
from setacare_desktop.domain import reference as ref
from setacare_desktop.services.hsds import fields as f
from setacare_desktop.services.hsds.export import EXTENT_PREFIX, extent
from setacare_desktop.services.hsds.incoming import Incoming, dicts, record_id, text
from setacare_desktop.store.directory import service_fields


def _ref(obj: dict[str, Any], key: str, inc: Incoming, path: str) -> str:
    """An id naming another record, mapped back from an export UUID to our id."""
    raw = text(obj, key, inc, path).lower()
    return inc.reverse.get(raw, raw)


def organization(obj: dict[str, Any], path: str, inc: Incoming) -> str | None:
    oid = record_id(obj, inc, path, "organization")
    name = text(obj, "name", inc, path)
    if not name:
        inc.problem(f"{path}.name", "名称がありません")
    if oid is None:
        return None
    old = next((o for o in inc.known.directory.organizations if o.id == oid), None)
    inc.orgs[oid] = d.Organization(
        oid, name, old.reading if old else "", text(obj, "description", inc, path),
        text(obj, "alternate_name", inc, path), old.kind if old else "",
        old.district_code if old else "", old.area_code if old else "",
        _ref(obj, "parent_organization_id", inc, path), text(obj, "website", inc, path),
        text(obj, "email", inc, path), f.pack(f.rest(obj, f.ORGANIZATION)))
    return oid


def taxonomy(obj: dict[str, Any], path: str, inc: Incoming) -> str | None:
    tid = record_id(obj, inc, path, "taxonomy")
    if tid is not None:
        inc.taxonomies[tid] = d.Taxonomy(tid, text(obj, "name", inc, path) or tid,
                                         text(obj, "description", inc, path),
                                         text(obj, "version", inc, path),
                                         f.pack(f.rest(obj, f.TAXONOMY)))
    return tid


def term(obj: dict[str, Any], path: str, inc: Incoming) -> str | None:
    tid = record_id(obj, inc, path, "taxonomy_term")
    if tid is None:
        return None
    taxonomy_id = ""
    if isinstance(obj.get("taxonomy_detail"), dict):
        taxonomy_id = taxonomy(obj["taxonomy_detail"], f"{path}.taxonomy_detail", inc) or ""
    elif isinstance(obj.get("taxonomy_id"), str) and obj["taxonomy_id"]:
        taxonomy_id = _ref(obj, "taxonomy_id", inc, path)
    if tid not in {t.id for t in d.STANDARD_TERMS}:
        inc.terms[tid] = d.TaxonomyTerm(tid, taxonomy_id, text(obj, "code", inc, path),
                                        text(obj, "name", inc, path) or tid,
                                        text(obj, "description", inc, path),
                                        f.pack(f.rest(obj, f.TERM)))
    return tid


def area(areas: Any, path: str, inc: Incoming) -> tuple[d.ServiceArea, bool]:
    """HSDS service_areas → our area: ``setacare:`` extents, or district / area names; and
    whether any of them was something else (kept as it was, see ``service``)."""
    found: list[d.ServiceArea] = []
    foreign = False
    for i, item in enumerate(areas if isinstance(areas, list) else []):
        if not isinstance(item, dict):
            continue  # the schema check reported it
        where = f"{path}.service_areas[{i}]"
        extent = str(item.get("extent") or "")
        name = str(item.get("name") or "").strip()
        if extent.startswith(EXTENT_PREFIX):
            scope_text, _, codes = extent[len(EXTENT_PREFIX):].partition(":")
            try:
                scope = d.Scope(scope_text)
            except ValueError:
                inc.problem(f"{where}.extent", f"対象地域の種類 {scope_text!r} は使えません")
                continue
            found.append(d.ServiceArea(scope, frozenset(c for c in codes.split(",") if c)))
            continue
        foreign = True
        if name == "世田谷区全域":
            found.append(d.ServiceArea.ward())
        elif name.removesuffix("地区") in ref.DISTRICTS_BY_NAME:
            found.append(d.ServiceArea.district(ref.DISTRICTS_BY_NAME[name[:-2]].code))
        elif name.removesuffix("地域") in ref.AREAS_BY_NAME:
            found.append(d.ServiceArea.area(ref.AREAS_BY_NAME[name[:-2]].code))
        else:
            inc.warnings.append(f"{where}: 世田谷区の地区・地域として読めないため、区全域として"
                                "取り込みました")
    if not found:
        return d.ServiceArea.ward(), foreign
    scopes = {a.scope for a in found}
    if len(scopes) > 1:
        inc.problem(f"{path}.service_areas", "地区・地域・区全域が混在しています")
        return found[0], foreign
    return d.ServiceArea(found[0].scope, frozenset().union(*(a.codes for a in found))), foreign


def _phones(obj: dict[str, Any], sid: str, path: str, inc: Incoming) -> tuple[d.Phone, ...]:
    phones = []
    for i, phone in dicts(obj, "phones"):
        where = f"{path}.phones[{i}]"
        number = text(phone, "number", inc, where)
        if not number:
            if "number" in phone:  # a missing one is the schema check's problem
                inc.problem(f"{where}.number", "電話番号がありません")
            continue
        extra = f.rest(phone, f.PHONE, {"id": d.hsds_uuid("phone", f"{sid}:{len(phones)}")})
        phones.append(d.Phone(number, text(phone, "type", inc, where) or "voice",
                              text(phone, "description", inc, where), f.pack(extra)))
    return tuple(phones)


def _schedules(obj: dict[str, Any], sid: str, path: str, inc: Incoming
               ) -> tuple[d.Schedule, ...]:
    schedules = []
    for i, schedule in dicts(obj, "schedules"):
        where = f"{path}.schedules[{i}]"
        byday, opens, closes = (text(schedule, k, inc, where)
                                for k in ("byday", "opens_at", "closes_at"))
        # The text a clerk reads: the given one, else the days and hours written out.
        label = text(schedule, "description", inc, where) or " ".join(filter(None, (
            byday, "–".join(filter(None, (opens, closes))))))
        extra = f.rest(schedule, f.SCHEDULE,
                       {"id": d.hsds_uuid("schedule", f"{sid}:{len(schedules)}")})
        if label or extra:
            schedules.append(d.Schedule(label, byday, opens, closes, f.pack(extra)))
    return tuple(schedules)


def _attributes(obj: dict[str, Any], sid: str, path: str, inc: Incoming
                ) -> list[d.Attribute]:
    links = []
    for i, attribute in dicts(obj, "attributes"):
        where = f"{path}.attributes[{i}]"
        if isinstance(attribute.get("taxonomy_term"), dict):
            term_id = term(attribute["taxonomy_term"], f"{where}.taxonomy_term", inc)
        else:
            term_id = _ref(attribute, "taxonomy_term_id", inc, where) or None
            known = {t.id for t in (*d.STANDARD_TERMS, *inc.known.directory.terms)}
            if term_id is not None and term_id not in known and term_id not in inc.terms:
                inc.problem(f"{where}.taxonomy_term_id", f"分類 {term_id} がありません")
                term_id = None
        if term_id is None:
            continue
        extra = f.rest(attribute, f.ATTRIBUTE,
                       {"id": d.hsds_uuid("attribute", f"{sid}:{i}"), "link_entity": "service"})
        links.append(d.Attribute(term_id, text(attribute, "value", inc, where),
                                 text(attribute, "link_type", inc, where), f.pack(extra)))
    return links


def service(obj: dict[str, Any], path: str, inc: Incoming, org_id: str | None) -> None:
    sid = record_id(obj, inc, path, "service")
    name = text(obj, "name", inc, path)
    if not name:
        inc.problem(f"{path}.name", "名称がありません")
    status = text(obj, "status", inc, path) or "active"
    if isinstance(obj.get("organization"), dict):
        org_id = organization(obj["organization"], f"{path}.organization", inc)
    elif isinstance(obj.get("organization_id"), str) and obj["organization_id"].strip():
        org_id = _ref(obj, "organization_id", inc, path)
    if org_id is None:
        inc.problem(f"{path}.organization", "組織がありません")
    key = sid or ""
    extra = f.rest(obj, f.SERVICE)
    location_ids: list[str] = []
    at_locations = []
    for i, sal in dicts(obj, "service_at_locations"):
        loc = sal.get("location")
        if isinstance(loc, dict):
            lid = location(loc, f"{path}.service_at_locations[{i}].location", inc, org_id)
            if lid is not None and lid not in location_ids:
                location_ids.append(lid)
                kept = f.rest(sal, f.SERVICE_AT_LOCATION, {
                    "id": d.hsds_uuid("service_at_location", f"{key}:{lid}"),
                    "location_id": loc.get("id")})
                if kept:
                    at_locations.append({**kept, "location_id": lid})
    if at_locations:
        extra["service_at_locations"] = at_locations
    service_area, foreign_area = area(obj.get("service_areas"), path, inc)
    if foreign_area:  # given back as they were while the area stays (export.service_json)
        extra[f.KEPT_AREAS] = {"extent": extent(service_area), "areas": [
            f.rest(a, {"service_id"}) for a in obj["service_areas"] if isinstance(a, dict)]}
    fields = service_fields(_attributes(obj, key, path, inc))
    reading = fields.pop("reading", "")
    phones, schedules = _phones(obj, key, path, inc), _schedules(obj, key, path, inc)
    if sid is None or org_id is None:
        return
    if obj.get("assured_date"):
        inc.assured.add(sid)
    inc.services[sid] = d.Service(
        sid, org_id, name, reading, text(obj, "description", inc, path),
        text(obj, "eligibility_description", inc, path), service_area,
        alternate_name=text(obj, "alternate_name", inc, path),
        application_process=text(obj, "application_process", inc, path),
        location_ids=tuple(location_ids), phones=phones, schedules=schedules,
        status=status,  # 要確認: an import never confirms (importing.py)
        url=text(obj, "url", inc, path), email=text(obj, "email", inc, path),
        extra=f.pack(extra), **fields)
    if inc.services[sid].unclassified:
        inc.warnings.append(f"{path}: 対象区分・要素がないため、未分類として取り込みました"
                            "（提案には出ず、検索でのみ見つかります）")


def _number(obj: dict[str, Any], key: str) -> float | None:
    value = obj.get(key)
    # Anything else than a number is the schema check's problem.
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def location(obj: dict[str, Any], path: str, inc: Incoming, org_id: str | None) -> str | None:
    lid = record_id(obj, inc, path, "location")
    if lid is None:
        return None
    extra = f.rest(obj, f.LOCATION, {"location_type": "physical"})
    address = None
    addresses = dicts(obj, "addresses")
    if addresses:  # the first is the location's address, even without address_1
        i, first = addresses[0]
        where = f"{path}.addresses[{i}]"
        address = d.Address(*(text(first, k, inc, where) for k in (
            "address_1", "city", "state_province", "postal_code", "country", "address_2")))
        kept = [f.rest(first, f.ADDRESS, {"id": d.hsds_uuid("address", lid),
                                          "address_type": "physical"}),
                *(f.rest(a, {"location_id"}) for _, a in addresses[1:])]
        if kept != [{}]:
            extra["addresses"] = kept
    owner = _ref(obj, "organization_id", inc, path)
    known_orgs = {o.id for o in inc.known.directory.organizations}
    if owner and owner not in inc.orgs and owner not in known_orgs and org_id is not None:
        inc.warnings.append(f"{path}.organization_id: 組織 {owner} がないため、サービスの組織の"
                            "所在地として取り込みました")
        owner = org_id
    owner = owner or org_id
    if owner is None:
        inc.problem(path, "所在地の組織がありません")
        return None
    inc.locations[lid] = d.Location(
        lid, owner, text(obj, "name", inc, path) or lid, text(obj, "description", inc, path),
        address, text(obj, "alternate_name", inc, path), _number(obj, "latitude"),
        _number(obj, "longitude"), f.pack(extra))
    return lid
