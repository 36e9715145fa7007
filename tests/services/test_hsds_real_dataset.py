"""A real published directory through HSDS 3.0 import and export (issue 15): the Ohana API
sample of San Mateo County's human services (BSD-3-Clause, converted from its 1.x tables by
tests/data/hsds/convert_ohana_smc.py; source and what the conversion drops in
tests/data/hsds/README.md), compared field by field, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

from tests.conftest import directory_editor
from tests.services.test_hsds_round_trip import _export, lost

from setacare_desktop.services import Database, hsds
from setacare_desktop.services import directory as svc
from setacare_desktop.store.models import DirLocation, DirSchedule

DATA = Path(__file__).resolve().parents[1] / "data" / "hsds"
REAL, CONVERTER = DATA / "ohana_smc.json", DATA / "convert_ohana_smc.py"


def test_the_san_mateo_directory_comes_back_whole(any_db: Database, tmp_path: Path) -> None:
    document = json.loads(REAL.read_text("utf-8"))
    services = document["contents"]
    report = hsds.import_hsds(any_db, directory_editor(any_db), REAL)
    assert report.created == len(services) == 23
    exported = _export(any_db, tmp_path)  # valid against the official compiled schemas
    assert {s["id"]: lost(s, exported[s["id"]]) for s in services} == {
        s["id"]: [] for s in services}
    with any_db.read() as session:
        ids = {s["service_at_locations"][0]["location"]["id"] for s in services}
        assert session.query(DirLocation).filter(DirLocation.id.in_(ids)).count() == 22
        center = session.get(DirLocation, services[0]["service_at_locations"][0]["location"]["id"])
        assert center is not None and (center.name, center.latitude) == (
            "Fair Oaks Adult Activity Center", 37.477227)
        # "4:00 PM" and "3pm" in the 1.x table, normalised by the conversion
        assert {(s.byday, s.opens_at, s.closes_at) for s in session.query(DirSchedule)
                if s.byday in ("MO", "WE") and s.opens_at != "08:00"} >= {
            ("MO", "14:00", "16:00"), ("WE", "10:00", "15:00")}


def test_a_second_round_trip_of_the_real_directory_changes_nothing(
        db: Database, tmp_path: Path) -> None:
    hsds.import_hsds(db, directory_editor(db), REAL)
    first = _export(db, tmp_path)
    report = hsds.import_hsds(db, directory_editor(db), tmp_path / "out.json")
    assert (report.created, report.updated) == (0, 0)
    assert _export(db, tmp_path) == first


def test_a_clerk_finds_a_real_destination_with_its_organization_and_address(
        db: Database) -> None:
    hsds.import_hsds(db, directory_editor(db), REAL)
    found = svc.search_destinations(db, "Rosener House")[0]
    assert (found.name, found.organization_name, found.eligibility, found.status) == (
        "Rosener House Adult Day Services", "Peninsula Volunteers", "Age 18 or over", "active")
    assert "500 Arbor Road" in found.address and "Menlo Park" in found.address
    assert found.contact_status == "要確認"  # imported, not yet confirmed by the ward
    # Its numbers hang on the location (as in most 1.x data): the clerk can still call.
    assert found.phones == ("650 322-0126", "650 322-4067")


def test_the_stored_file_is_what_the_converter_writes() -> None:
    """The committed JSON is the script's output (nothing edited by hand) and re-running it
    gives the same document."""
    spec = importlib.util.spec_from_file_location("convert_ohana_smc", CONVERTER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.convert() == module.convert() == json.loads(REAL.read_text("utf-8"))


def test_the_real_directory_round_trips_through_the_csv_package(
        any_db: Database, tmp_path: Path) -> None:
    """Exported as the tabular package, read back, exported again: the same bytes, the same
    directory, and its JSON export still loses nothing of the input."""
    services = json.loads(REAL.read_text("utf-8"))["contents"]
    hsds.import_hsds(any_db, directory_editor(any_db), REAL)
    first, second = tmp_path / "first", tmp_path / "second"
    hsds.export_hsds_csv(any_db, directory_editor(any_db), first)
    with (first / "phones.csv").open(encoding="utf-8", newline="") as f:
        phones = list(csv.DictReader(f))
    with (first / "contacts.csv").open(encoding="utf-8", newline="") as f:
        contacts = list(csv.DictReader(f))
    # a location's phones and contacts, where a clerk editing in Excel looks for them
    assert "650 780-7525" in {p["number"] for p in phones if p["location_id"]}
    assert "Susan Houston" in {c["name"] for c in contacts if c["location_id"]}
    assert "123-456-7890" in {p["number"] for p in phones if p["contact_id"]}
    before = svc.load(any_db).directory
    report = hsds.import_hsds(any_db, directory_editor(any_db), first / "datapackage.json")
    assert (report.created, report.updated) == (0, 0)
    assert svc.load(any_db).directory == before
    hsds.export_hsds_csv(any_db, directory_editor(any_db), second)
    assert {p.name: p.read_bytes() for p in first.iterdir()} == {
        p.name: p.read_bytes() for p in second.iterdir()}
    exported = _export(any_db, tmp_path)
    assert [p for s in services for p in lost(s, exported[s["id"]])] == []


def test_the_real_directory_comes_back_from_excel_with_nothing_to_change(
        db: Database, tmp_path: Path) -> None:
    """The workbook a clerk would edit, read back untouched: the preview lists no change."""
    hsds.import_hsds(db, directory_editor(db), REAL)
    workbook = tmp_path / "directory.xlsx"
    hsds.export_hsds_xlsx(db, directory_editor(db), workbook)
    assert hsds.preview_import(db, directory_editor(db), workbook).entries == ()
