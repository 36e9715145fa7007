"""The Excel round trip of issue 15: export a workbook (a sheet per HSDS table), edit contacts in
it, see the changes (new, changed field by field, removed) before anything is written, then
import exactly them in one transaction, audited per entry. Formulas are never written as
formulas, and never evaluated on import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from setacare_desktop.services import Database, ServiceError, ValidationError, audit, hsds
from setacare_desktop.services import directory as svc
from setacare_desktop.services.hsds.preview import CHANGED, NEW, REMOVED
from setacare_desktop.store.models import DirHistory


def _column(sheet: object, name: str) -> int:
    header = [c.value for c in sheet[1]]  # type: ignore[index]
    return header.index(name) + 1


def _row_of(sheet: object, column: str, value: str) -> int:
    col = _column(sheet, column)
    for row in range(2, sheet.max_row + 1):  # type: ignore[attr-defined]
        if sheet.cell(row, col).value == value:  # type: ignore[attr-defined]
            return row
    raise AssertionError(value)


def _history(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(DirHistory)) or 0)


@pytest.fixture
def exported(db: Database, tmp_path: Path, staff_factory: Callable) -> tuple[Path, object]:
    boss = staff_factory(db, "boss", role="監督者")
    link = svc.search_destinations(db, "リンク")[0]
    svc.edit_service(db, boss, link.service_id, svc.ServiceEdit(
        description='=HYPERLINK("http://example.invalid")'))
    path = tmp_path / "directory.xlsx"
    assert hsds.export_hsds_xlsx(db, boss, path) == len(svc.load(db).directory.services)
    return path, boss


def test_the_workbook_has_a_sheet_per_table_and_no_formula(
        db: Database, exported: tuple[Path, object]) -> None:
    path, _boss = exported
    book = load_workbook(path)
    assert {"services", "phones", "organizations", "locations", "addresses",
            "schedules"} <= set(book.sheetnames)
    services = book["services"]
    row = _row_of(services, "name", svc.search_destinations(db, "リンク")[0].name)
    cell = services.cell(row, _column(services, "description"))
    assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://example.invalid")'
    assert not any(c.data_type == "f" for sheet in book for r in sheet.iter_rows() for c in r)


def test_an_edited_workbook_is_previewed_then_imported_as_previewed(
        db: Database, tmp_path: Path, exported: tuple[Path, object]) -> None:
    path, boss = exported
    book = load_workbook(path)
    services, phones = book["services"], book["phones"]
    anshin = _row_of(services, "name", "池尻あんしんすこやかセンター")
    anshin_id = services.cell(anshin, _column(services, "id")).value
    services.cell(anshin, _column(services, "description")).value = "説明を更新しました"
    new_phone = phones.max_row + 1
    for column, value in (("id", "new-phone-1"), ("service_id", anshin_id),
                          ("number", "03-5555-0101"), ("type", "voice"),
                          ("description", "代表")):
        phones.cell(new_phone, _column(phones, column)).value = value
    gone = _row_of(services, "name", "社会福祉協議会 池尻地区事務局")
    services.delete_rows(gone)
    edited = tmp_path / "edited.xlsx"
    book.save(edited)

    before = _history(db)
    preview = hsds.preview_import(db, boss, edited)
    assert _history(db) == before  # a preview writes nothing
    changed = [e for e in preview.entries if e.kind == CHANGED]
    assert [(e.name, [(c.field, c.after) for c in e.fields]) for e in changed] == [
        ("池尻あんしんすこやかセンター", [("内容", "説明を更新しました"),
                                        ("電話番号", "03-5555-0101 代表")])]
    assert changed[0].fields[0].before.startswith("高齢者の総合相談")
    assert [(e.kind, e.name) for e in preview.entries if e.kind == REMOVED] == [
        (REMOVED, "社会福祉協議会 池尻地区事務局")]
    assert preview.count(NEW) == 0

    report = hsds.import_hsds(db, boss, edited, expected=preview)
    assert (report.updated, report.removed) == (1, 1)
    anshin_now = svc.search_destinations(db, "池尻あんしんすこやかセンター")[0]
    assert anshin_now.description == "説明を更新しました"
    assert anshin_now.phones == ("03-5555-0101（代表）",)
    shakyo = svc.search_destinations(db, "社会福祉協議会 池尻地区事務局")[0]
    assert shakyo.status == "inactive"  # kept for the referrals that name it, never suggested
    audited = [(e.action, e.entity) for e in audit.recent(db, 3)]
    assert audited == [("directory_import", "directory"), ("directory_import", "dir_service"),
                       ("directory_import", "dir_service")]
    assert hsds.preview_import(db, boss, edited).entries == ()  # done: nothing left to change


def test_an_import_refuses_when_things_changed_since_the_preview(
        db: Database, tmp_path: Path, exported: tuple[Path, object]) -> None:
    path, boss = exported
    book = load_workbook(path)
    services = book["services"]
    row = _row_of(services, "name", "池尻あんしんすこやかセンター")
    services.cell(row, _column(services, "description")).value = "説明を更新しました"
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    preview = hsds.preview_import(db, boss, edited)
    services.cell(row, _column(services, "description")).value = "別の説明"
    book.save(edited)
    before = _history(db)
    with pytest.raises(ServiceError, match="確認した内容から"):
        hsds.import_hsds(db, boss, edited, expected=preview)
    assert _history(db) == before


def test_a_formula_in_the_workbook_is_refused_naming_its_cell(
        db: Database, tmp_path: Path, exported: tuple[Path, object]) -> None:
    path, boss = exported
    book = load_workbook(path)
    phones = book["phones"]
    phones.cell(2, _column(phones, "number")).value = "=1+2"
    phones.cell(2, _column(phones, "service_id")).value = book["services"].cell(2, 1).value
    phones.cell(2, _column(phones, "id")).value = "p-1"
    edited = tmp_path / "formula.xlsx"
    book.save(edited)
    before = _history(db)
    with pytest.raises(ValidationError) as caught:
        hsds.preview_import(db, boss, edited)
    column = chr(ord("A") + _column(phones, "number") - 1)
    assert [str(p) for p in caught.value.problems] == [
        f"phones!{column}2: 数式は取り込めません（値を入力してください）"]
    with pytest.raises(ValidationError):
        hsds.import_hsds(db, boss, edited)
    assert _history(db) == before


def test_a_file_that_is_not_a_workbook_is_refused(db: Database, tmp_path: Path,
                                                  staff_factory: Callable) -> None:
    boss = staff_factory(db, "boss", role="監督者")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ValidationError, match="Excel"):
        hsds.preview_import(db, boss, fake)
