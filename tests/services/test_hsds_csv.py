"""The HSDS 3.0 tabular package: written with its datapackage.json, safe to open in a
spreadsheet, and read back unchanged (issue 15)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.conftest import directory_editor

from setacare_desktop.services import Database, hsds
from setacare_desktop.services import directory as svc

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "hsds" / "setagaya_sample.json"



def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def _with_formulas(tmp_path: Path) -> Path:
    document = json.loads(SAMPLE.read_text("utf-8"))
    first = document["contents"][0]
    first["name"] = '=HYPERLINK("http://example.com","相談")'
    first["description"] = "@SUM(1)"
    first["phones"][0]["description"] = "-代表"
    path = tmp_path / "formulas.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_package_has_its_descriptor_and_every_term_it_points_to(
        db: Database, tmp_path: Path) -> None:
    hsds.import_hsds(db, directory_editor(db), SAMPLE)
    folder = tmp_path / "csv"
    hsds.export_hsds_csv(db, directory_editor(db), folder)
    package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert package["profile"] == "tabular-data-package"
    assert {r["path"] for r in package["resources"]} | {"datapackage.json"} == {
        p.name for p in folder.iterdir()}
    for resource in package["resources"]:
        assert resource["encoding"] == "utf-8"
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as source:
            header = next(csv.reader(source))
        assert header == [f["name"] for f in resource["schema"]["fields"]]
    terms = {row["id"] for row in _rows(folder, "taxonomy_terms.csv")}
    referenced = {row["taxonomy_term_id"] for row in _rows(folder, "attributes.csv")}
    assert referenced and referenced <= terms
    taxonomies = {row["id"] for row in _rows(folder, "taxonomies.csv")}
    assert {row["taxonomy_id"] for row in _rows(folder, "taxonomy_terms.csv")
            if row["taxonomy_id"]} <= taxonomies
    assert "食支援" in {row["name"] for row in _rows(folder, "taxonomy_terms.csv")}


def test_formula_cells_are_neutralised_and_read_back_as_they_were(
        db: Database, tmp_path: Path) -> None:
    hsds.import_hsds(db, directory_editor(db), _with_formulas(tmp_path))
    folder = tmp_path / "csv"
    hsds.export_hsds_csv(db, directory_editor(db), folder)
    services = {row["name"]: row for row in _rows(folder, "services.csv")}
    cell = services["'=HYPERLINK(\"http://example.com\",\"相談\")"]
    assert cell["description"] == "'@SUM(1)"
    phones = _rows(folder, "phones.csv")
    assert "'-代表" in {p["description"] for p in phones}
    assert "03-0000-0001" in {p["number"] for p in phones}  # not a formula: as it is
    every_cell = [v for name in hsds.CSV_COLUMNS for row in _rows(folder, name)
                  for v in row.values()]
    assert not [v for v in every_cell if v[:1] in ("=", "+", "@", "\t", "\r")]
    report = hsds.import_hsds(db, directory_editor(db), folder)
    assert (report.created, report.updated) == (0, 0)
    assert svc.search_destinations(db, "HYPERLINK")[0].name.startswith("=HYPERLINK(")


def test_the_package_round_trips_unchanged(any_db: Database, tmp_path: Path) -> None:
    hsds.import_hsds(any_db, directory_editor(any_db), SAMPLE)
    first, second = tmp_path / "first", tmp_path / "second"
    hsds.export_hsds_csv(any_db, directory_editor(any_db), first)
    before = svc.load(any_db).directory
    report = hsds.import_hsds(any_db, directory_editor(any_db), first / "datapackage.json")
    assert (report.created, report.updated) == (0, 0)
    assert svc.load(any_db).directory == before
    hsds.export_hsds_csv(any_db, directory_editor(any_db), second)
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
