"""運営組織・所在地の編集 like a user: from a destination's edit dialog a supervisor types an
address; a wrong postal code is shown under its field and nothing typed is lost; corrected, it
is saved and the つなぎ先 page shows the address."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from setacare_desktop.services import Database, StaffProfile, audit
from setacare_desktop.ui.referrals import ReferralsPage

pytestmark = pytest.mark.gui

TypeText = Callable[[QWidget, str], None]


def test_a_supervisor_types_an_address_fixes_the_postal_code_and_saves(
        qtbot: QtBot, db: Database, staff_factory: Callable[..., StaffProfile],
        type_text: TypeText) -> None:
    boss = staff_factory(db, "kantoku1", role="監督者")
    page = ReferralsPage(db, boss)
    qtbot.addWidget(page)
    with qtbot.waitExposed(page):
        page.show()
    page.activate()
    type_text(page.search_edit, "池尻まちづくりセンター")
    editor = page.edit_current()
    assert editor is not None
    places = editor.edit_places()
    # The window manager activates a new window; typing goes to its fields.
    places.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is places)
    form = places.location_form
    type_text(form.edits["postal_code"], "1540001x")
    type_text(form.edits["address_1"], "池尻二丁目")
    qtbot.mouseClick(places.save_location_button, Qt.MouseButton.LeftButton)
    assert form.errors["郵便番号"].isVisible()
    assert "7桁の数字" in form.errors["郵便番号"].text()
    assert form.edits["address_1"].text() == "池尻二丁目"  # nothing typed is lost
    assert not form.errors["住所"].isVisible()

    form.edits["postal_code"].clear()
    type_text(form.edits["postal_code"], "154-0001")
    with qtbot.waitSignal(places.saved):
        qtbot.mouseClick(places.save_location_button, Qt.MouseButton.LeftButton)
    assert not form.errors["郵便番号"].isVisible()
    assert places.status.text() == "所在地を保存しました。"
    current = page.destination_at(page.list.currentRow())
    assert current is not None and "池尻二丁目" in current.address
    assert "池尻二丁目" in page.detail.toPlainText()
    assert audit.recent(db, 1)[0].entity == "dir_location"


def test_the_edit_dialog_says_who_confirmed_and_unticks_a_year_later(
        qtbot: QtBot, db: Database, staff_factory: Callable[..., StaffProfile],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    from setacare_desktop.services import directory as directory_service
    from setacare_desktop.store.directory import as_utc
    from setacare_desktop.ui.referrals.edit_dialog import DirectoryEditDialog

    boss = staff_factory(db, "kantoku1", role="監督者")
    link = directory_service.search_destinations(db, "リンク")[0]
    directory_service.edit_service(db, boss, link.service_id,
                                   directory_service.ServiceEdit(contact_confirmed=True))
    dialog = DirectoryEditDialog(db, boss, link.service_id)
    qtbot.addWidget(dialog)
    assert dialog.confirmed_check.isChecked()
    assert dialog.confirmed_label.text().startswith("確認済: ")
    assert "kantoku1 職員" in dialog.confirmed_label.text()
    monkeypatch.setattr(directory_service, "as_utc",
                        lambda value: as_utc(value) + timedelta(days=366))
    later = DirectoryEditDialog(db, boss, link.service_id)
    qtbot.addWidget(later)
    assert not later.confirmed_check.isChecked()
    assert "1年を過ぎています" in later.confirmed_label.text()
