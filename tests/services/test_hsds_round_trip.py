"""HSDS 3.0 import then export gives back every field the schema defines (issue 15): the
official examples and a realistic Japanese sample, compared field by field, and the export valid
against the official compiled schemas."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from tests.conftest import directory_editor

from setacare_desktop.services import Database, hsds
from setacare_desktop.services import directory as svc
from setacare_desktop.store.models import DirLocation, DirSchedule

HSDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "hsds-3.0"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "hsds" / "setagaya_sample.json"



def lost(original: Any, exported: Any, path: str = "$") -> list[str]:
    """Where a value of ``original`` is missing or different in ``exported`` (added fields are
    not a loss; numbers compare by value, 100 == 100.0; texts are kept without the spaces
    around them, and an empty text or null is no value, docs/hsds.md)."""
    if isinstance(original, dict):
        if not isinstance(exported, dict):
            return [path]
        return [p for k, v in original.items()
                for p in (lost(v, exported[k], f"{path}.{k}") if k in exported
                          else [] if v in ("", None) else [f"{path}.{k}"])]
    if isinstance(original, list):
        if not isinstance(exported, list) or len(exported) < len(original):
            return [path]
        return [p for i, v in enumerate(original) for p in lost(v, exported[i], f"{path}[{i}]")]
    if isinstance(original, str) and isinstance(exported, str):
        original, exported = original.strip(), exported.strip()
    return [] if original == exported else [f"{path}: {original!r} → {exported!r}"]


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((HSDS_DIR / "schema" / "compiled" / f"{name}.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _export(db: Database, tmp_path: Path) -> dict[str, dict[str, Any]]:
    out = tmp_path / "out.json"
    hsds.export_hsds_json(db, directory_editor(db), out, replace=True)  # the same file, again
    services = json.loads(out.read_text("utf-8"))["contents"]
    service_errors = [f"{s['name']}: {'.'.join(map(str, e.absolute_path))}: {e.message}"
                      for s in services for e in validator("service").iter_errors(s)]
    org_errors = [f"{s['organization']['name']}: {e.message}" for s in services
                  for e in validator("organization").iter_errors(s["organization"])]
    assert service_errors == [] and org_errors == []
    return {s["id"]: s for s in services}


def _example(name: str) -> dict[str, Any]:
    return json.loads((HSDS_DIR / "examples" / name).read_text("utf-8"))


def test_the_official_full_service_comes_back_whole(any_db: Database, tmp_path: Path) -> None:
    original = _example("service_full.json")
    hsds.import_hsds(any_db, directory_editor(any_db), HSDS_DIR / "examples" / "service_full.json")
    exported = _export(any_db, tmp_path)[original["id"]]
    assert lost(original, exported) == []
    assert exported["schedules"][0]["byday"] == "TH,FR"
    assert exported["service_at_locations"][0]["location"]["latitude"] == 100


def test_a_service_at_location_and_an_organization_come_back_whole(
        db: Database, tmp_path: Path) -> None:
    at_location, organization = (_example("service_at_location_full.json"),
                                 _example("organization_full.json"))
    hsds.import_hsds(db, directory_editor(db), HSDS_DIR / "examples" / "service_at_location_full.json")
    exported = _export(db, tmp_path)[at_location["service"]["id"]]
    link = {k: v for k, v in at_location.items() if k != "service"}
    assert lost(link, exported["service_at_locations"][0]) == []
    assert lost(at_location["service"], exported) == []
    hsds.import_hsds(db, directory_editor(db), HSDS_DIR / "examples" / "organization_full.json")
    service = organization["services"][0]
    exported = _export(db, tmp_path)[service["id"]]
    assert lost({k: v for k, v in organization.items() if k != "services"},
                exported["organization"]) == []
    assert lost(service, exported) == []


def test_the_official_examples_survive_a_second_round_trip(db: Database, tmp_path: Path) -> None:
    for name in ("service_list.json", "service_at_location_full.json", "organization_full.json"):
        hsds.import_hsds(db, directory_editor(db), HSDS_DIR / "examples" / name)
    first = _export(db, tmp_path)
    report = hsds.import_hsds(db, directory_editor(db), tmp_path / "out.json")
    assert (report.created, report.updated) == (0, 0)
    assert _export(db, tmp_path) == first


def test_a_realistic_japanese_directory_comes_back_whole(any_db: Database, tmp_path: Path) -> None:
    """Written for the tests (tests/data/hsds/README.md): what a Japanese directory needs."""
    document = json.loads(SAMPLE.read_text("utf-8"))
    report = hsds.import_hsds(any_db, directory_editor(any_db), SAMPLE)
    assert report.created == 2
    exported = _export(any_db, tmp_path)
    for service in document["contents"]:
        assert lost(service, exported[service["id"]]) == []
    with any_db.read() as session:
        office = session.get(DirLocation, document["contents"][0]["service_at_locations"][0][
            "location"]["id"])
        assert office is not None
        assert (office.alternate_name, office.latitude, office.address_2) == (
            "三茶事務所", 35.6437, "サンプルビル3階")
        satellite = session.get(DirLocation, document["contents"][1]["service_at_locations"][0][
            "location"]["id"])
        assert satellite is not None and satellite.address_1 == ""
        saturday = session.query(DirSchedule).filter_by(byday="2SA").one()
        assert (saturday.opens_at, saturday.closes_at) == ("17:00", "19:00")
    found = svc.search_destinations(any_db, "くらしの困りごと")[0]
    assert found.hours == "平日 9時〜17時 / SA 10:00–12:00"
