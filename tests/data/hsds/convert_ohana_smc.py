"""Convert the Ohana API sample CSV (San Mateo County, HSDS 1.0-era tables) to HSDS 3.0 JSON.

Source, licence and what is dropped: tests/data/hsds/README.md. Run from the repository root:
``python tests/data/hsds/convert_ohana_smc.py`` writes ``tests/data/hsds/ohana_smc.json``.
Plain Python, deterministic: ids are UUID5 of ``<table>:<1.x id>`` so a re-run gives the same
file byte for byte.
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "ohana_smc"
OUT = HERE / "ohana_smc.json"
NAMESPACE = uuid.UUID("5d1d64b5-0e3c-4f5e-9a43-0b8a3c1c9f6e")  # fixed: this conversion's own
DAYS = {"Monday": "MO", "Tuesday": "TU", "Wednesday": "WE", "Thursday": "TH", "Friday": "FR",
        "Saturday": "SA", "Sunday": "SU"}


def uid(table: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{table}:{key}"))


def rows(name: str) -> list[dict[str, str]]:
    with (SOURCE / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def clock(text: str) -> str:
    """``9am``, ``3pm``, ``4:00 PM``, ``08:00`` → ``HH:MM`` (the source mixes all four)."""
    m = re.fullmatch(r"(\d{1,2})(?::(\d\d))?\s*([ap]m)?", text.strip().lower())
    if not m:
        raise ValueError(f"unreadable time {text!r}")
    hour, minute = int(m[1]), int(m[2] or 0)
    if m[3] == "pm" and hour < 12:
        hour += 12
    if m[3] == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def compact(obj: dict[str, Any]) -> dict[str, Any]:
    """Without empty values: a 1.x empty cell is no value, not an empty text."""
    return {k: v for k, v in obj.items() if v not in ("", None, [])}


def phones(by: str, key: str) -> list[dict[str, Any]]:
    return [compact({"id": uid("phone", p["id"]), "number": p["number"],
                     "extension": int(p["extension"]) if p["extension"] else None,
                     "type": p["number_type"], "description": p["department"]})
            for p in rows("phones") if p[by] == key]


def schedules(by: str, key: str) -> list[dict[str, Any]]:
    return [{"id": uid("schedule", s["id"]), "freq": "WEEKLY", "byday": DAYS[s["weekday"]],
             "opens_at": clock(s["opens_at"]), "closes_at": clock(s["closes_at"])}
            for s in rows("regular_schedules") if s[by] == key]


def contacts(by: str, key: str) -> list[dict[str, Any]]:
    return [compact({"id": uid("contact", c["id"]), "name": c["name"], "title": c["title"],
                     "email": c["email"], "department": c["department"],
                     "phones": phones("contact_id", c["id"])})
            for c in rows("contacts") if c[by] == key]


def languages(table: str, key: str, text: str) -> list[dict[str, Any]]:
    return [{"id": uid(f"{table}_language", f"{key}:{name}"), "name": name}
            for name in split(text)]


def address(table: str, a: dict[str, str], kind: str) -> dict[str, Any]:
    return compact({"id": uid(table, a["id"]), "attention": a.get("attention", ""),
                    "address_1": a["address_1"], "address_2": a["address_2"],
                    "city": a["city"], "state_province": a["state_province"],
                    "postal_code": a["postal_code"], "country": a["country"],
                    "address_type": kind})


def organization(o: dict[str, str]) -> dict[str, Any]:
    year = o["date_incorporated"][-4:]
    return compact({
        "id": uid("organization", o["id"]), "name": o["name"],
        "alternate_name": o["alternate_name"], "description": o["description"],
        "email": o["email"], "website": o["website"], "tax_status": o["tax_status"],
        "tax_id": o["tax_id"], "legal_status": o["legal_status"],
        "year_incorporated": int(year) if year.isdigit() else None,
        "funding": [{"id": uid("organization_funding", f"{o['id']}:{s}"), "source": s}
                    for s in split(o["funding_sources"])],
        "phones": phones("organization_id", o["id"]),
        "contacts": contacts("organization_id", o["id"])})


def location(loc: dict[str, str]) -> dict[str, Any]:
    lid = loc["id"]
    return compact({
        "id": uid("location", lid),
        "location_type": "virtual" if loc["virtual"] == "true" else "physical",
        "organization_id": uid("organization", loc["organization_id"]),
        "name": loc["name"], "alternate_name": loc["alternate_name"],
        "description": loc["description"], "transportation": loc["transportation"],
        "url": loc["website"],
        "latitude": float(loc["latitude"]) if loc["latitude"] else None,
        "longitude": float(loc["longitude"]) if loc["longitude"] else None,
        "languages": languages("location", lid, loc["languages"]),
        "accessibility": [{"id": uid("accessibility", f"{lid}:{a}"), "description": a}
                          for a in split(loc["accessibility"])],
        "addresses": [address("address", a, "physical") for a in rows("addresses")
                      if a["location_id"] == lid]
        + [address("mail_address", a, "postal") for a in rows("mail_addresses")
           if a["location_id"] == lid],
        "phones": phones("location_id", lid), "schedules": schedules("location_id", lid),
        "contacts": contacts("location_id", lid)})


def terms() -> dict[str, dict[str, Any]]:
    """Ohana's taxonomy as terms of one taxonomy; a term's description is its path (the
    source has none and HSDS 3.0 requires one)."""
    source = {t["taxonomy_id"]: t for t in rows("taxonomy")}

    def path(code: str) -> str:
        parent = source[code]["parent_id"]
        return f"{path(parent)} > {source[code]['name']}" if parent else source[code]["name"]

    return {code: compact({"id": uid("taxonomy_term", code), "code": code, "name": t["name"],
                           "description": path(code),
                           "parent_id": uid("taxonomy_term", t["parent_id"]) if t["parent_id"]
                           else None, "taxonomy": "Ohana API taxonomy (San Mateo County)"})
            for code, t in source.items()}


def service(s: dict[str, str], locations: dict[str, dict[str, str]],
            orgs: dict[str, dict[str, Any]], taxonomy: dict[str, dict[str, Any]]
            ) -> dict[str, Any]:
    sid, loc = s["id"], locations[s["location_id"]]
    org = orgs[loc["organization_id"]]
    return compact({
        "id": uid("service", sid), "organization_id": org["id"], "name": s["name"],
        "alternate_name": s["alternate_name"], "description": s["description"],
        "url": s["website"], "email": s["email"], "status": s["status"],
        "interpretation_services": s["interpretation_services"],
        "application_process": s["application_process"], "wait_time": s["wait_time"],
        "fees_description": s["fees"], "eligibility_description": s["eligibility"],
        "organization": org,
        "phones": phones("service_id", sid), "schedules": schedules("service_id", sid),
        "service_areas": [{"id": uid("service_area", f"{sid}:{a}"), "name": a}
                          for a in split(s["service_areas"])],
        "languages": languages("service", sid, s["languages"]),
        "funding": [{"id": uid("service_funding", f"{sid}:{f}"), "source": f}
                    for f in split(s["funding_sources"])],
        "required_documents": [{"id": uid("required_document", sid),
                                "document": s["required_documents"]}]
        if s["required_documents"] else [],
        "contacts": contacts("service_id", sid),
        "service_at_locations": [{"id": uid("service_at_location", sid),
                                  "location": location(loc)}],
        "attributes": [{"id": uid("attribute", f"{sid}:{code}"), "link_type": "service_tag",
                        "link_entity": "service", "taxonomy_term": taxonomy[code]}
                       for code in split(s["taxonomy_ids"])]})


def convert() -> dict[str, Any]:
    locations = {loc["id"]: loc for loc in rows("locations")}
    orgs = {o["id"]: organization(o) for o in rows("organizations")}
    taxonomy = terms()
    services = [service(s, locations, orgs, taxonomy) for s in rows("services")]
    return {"total_items": len(services), "total_pages": 1, "page_number": 1,
            "size": len(services), "first_page": True, "last_page": True, "empty": False,
            "contents": services}


if __name__ == "__main__":
    OUT.write_text(json.dumps(convert(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
