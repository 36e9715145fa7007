"""つなぎ先の取り込み like a user: a supervisor opens it from the つなぎ先 page, chooses an edited
workbook, reads the list of changes (nothing written yet), confirms, and the page shows the new
text; a bad file lists its problems and writes nothing; a counter clerk has no such button."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from setacare_desktop.services import Database, StaffProfile, hsds
from setacare_desktop.services import directory as directory_service
from setacare_desktop.store.models import DirHistory
from setacare_desktop.ui.directory.import_dialog import DirectoryImportDialog
from setacare_desktop.ui.referrals import ReferralsPage

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]
AnswerMessageBox = Callable[..., list[str]]


def _history(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(DirHistory)) or 0)


def _edited_workbook(db: Database, actor: StaffProfile, tmp_path: Path) -> Path:
    """The exported workbook with one service's description changed, as in Excel."""
    path = tmp_path / "directory.xlsx"
    hsds.export_hsds_xlsx(db, actor, path)
    book = load_workbook(path)
    services = book["services"]
    header = [c.value for c in services[1]]
    row = next(r for r in services.iter_rows(min_row=2)
               if r[header.index("name")].value == "池尻あんしんすこやかセンター")
    row[header.index("description")].value = "電話で予約してください"
    book.save(path)
    return path


def _open(qtbot: QtBot, db: Database, actor: StaffProfile) -> tuple[ReferralsPage,
                                                                   DirectoryImportDialog]:
    page = ReferralsPage(db, actor)
    qtbot.addWidget(page)
    with qtbot.waitExposed(page):
        page.show()
    page.activate()
    assert page.import_button.isVisible()
    return page, page.open_import()  # the page's child: closed with it


def test_a_supervisor_previews_then_confirms_an_edited_workbook(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, tmp_path: Path,
        answer_message_box: AnswerMessageBox) -> None:
    boss = staff_factory(db, "kantoku1", role="監督者")
    _page, dialog = _open(qtbot, db, boss)
    path = _edited_workbook(db, boss, tmp_path)
    before = _history(db)
    dialog.load(path)  # what choosing the file in the file dialog does
    rows = [[dialog.table.item(r, c).text() for c in range(6)]
            for r in range(dialog.table.rowCount())]
    assert [r[:4] + r[5:] for r in rows] == [
        ["変更", "サービス", "池尻あんしんすこやかセンター", "内容", "電話で予約してください"]]
    assert rows[0][4].startswith("高齢者の総合相談")
    assert "新規 0 件、変更 1 件、削除 0 件" in dialog.summary.text()
    assert _history(db) == before  # nothing written yet

    answer_message_box(QMessageBox.StandardButton.No)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert _history(db) == before  # "No": still nothing written
    seen = answer_message_box(QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "よろしいですか" in seen[0]
    assert "取り込みました: 新規 0 件、更新 1 件" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()
    found = directory_service.search_destinations(db, "池尻あんしんすこやかセンター")[0]
    assert found.description == "電話で予約してください"


def test_a_bad_file_lists_its_problems_and_writes_nothing(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, tmp_path: Path) -> None:
    boss = staff_factory(db, "kantoku1", role="監督者")
    _page, dialog = _open(qtbot, db, boss)
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "x1", "name": "", "status": "active"}]', encoding="utf-8")
    before = _history(db)
    dialog.load(bad)
    assert "取り込めません" in dialog.summary.text()
    assert "$[0].name: 名称がありません" in dialog.problems.text()
    assert not dialog.import_button.isEnabled() and _history(db) == before


def test_a_counter_clerk_has_no_import_button(qtbot: QtBot, db: Database,
                                              staff_factory: MakeStaff) -> None:
    clerk = staff_factory(db, "uketsuke1")
    page = ReferralsPage(db, clerk)
    qtbot.addWidget(page)
    with qtbot.waitExposed(page):
        page.show()
    assert not page.import_button.isVisible()


def test_cancelling_the_progress_stops_the_reading_and_writes_nothing(
        db: Database, staff_factory: MakeStaff, tmp_path: Path) -> None:
    from setacare_desktop.ui.directory.import_dialog import _reporting
    from setacare_desktop.ui.operations import Cancelled, Progress

    boss = staff_factory(db, "kantoku1", role="監督者")
    path = tmp_path / "directory.json"
    hsds.export_hsds_json(db, boss, path)
    reported: list[tuple[int, int]] = []
    progress = Progress(lambda done, total: reported.append((done, total)))
    hsds.preview_import(db, boss, path, progress=_reporting(progress))
    assert reported[-1] == (path.stat().st_size, path.stat().st_size)
    progress.cancel()  # 「中止」 in the progress dialog
    before = _history(db)
    with pytest.raises(Cancelled):
        hsds.import_hsds(db, boss, path, progress=_reporting(progress))
    assert _history(db) == before


def test_the_workbook_is_written_where_the_user_chose(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    boss = staff_factory(db, "kantoku1", role="監督者")
    _page, dialog = _open(qtbot, db, boss)
    target = tmp_path / "tsunagisaki.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *_args, **_kw: (str(target), "")))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert target.is_file() and "services" in load_workbook(target).sheetnames
    assert dialog.summary.text().startswith("書き出しました: ")
