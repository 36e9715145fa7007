"""この連絡先を編集 like a user: a supervisor corrects a destination's phone and confirms it (the
badge goes, the directory and the audit log show the change, the history lists it); a counter
clerk is not offered the button; a problem is shown at its field and nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QWidget
from pytestqt.qtbot import QtBot

from setacare_desktop.services import Database, StaffProfile, audit
from setacare_desktop.services import directory as directory_service
from setacare_desktop.ui.referrals import ReferralsPage
from setacare_desktop.ui.referrals.edit_dialog import FIELD_PHONES, DirectoryEditDialog
from setacare_desktop.ui.referrals.page import UNCONFIRMED_BADGE

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]
TypeText = Callable[[QWidget, str], None]  # tests/ui/conftest.py
LINK = "リンク"


def _open_page(qtbot: QtBot, db: Database, actor: StaffProfile) -> ReferralsPage:
    page = ReferralsPage(db, actor)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    with qtbot.waitExposed(page):
        page.show()
    page.activate()
    return page


def _search(page: ReferralsPage, type_text: TypeText, text: str = LINK) -> int:
    """Find a destination by name; returns its service id (the current row)."""
    type_text(page.search_edit, text)
    current = page.destination_at(page.list.currentRow())
    assert current is not None and text in current.name
    return current.service_id


def _tick(qtbot: QtBot, box: QCheckBox) -> None:
    """Click a check box on its box (the widget may be wider than the box and its text)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def _open_editor(qtbot: QtBot, page: ReferralsPage) -> DirectoryEditDialog:
    assert page.edit_button.isVisible() and page.edit_button.isEnabled()
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    [dialog] = page.edit_dialogs.values()
    # The window manager activates a new window; typing goes to the dialog's fields.
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert dialog.isVisible() and not dialog.isModal()  # the page stays usable
    return dialog


def test_a_supervisor_edits_the_phone_and_confirms_the_contact(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, type_text: TypeText) -> None:
    supervisor = staff_factory(db, "kantoku1", role="監督者")
    page = _open_page(qtbot, db, supervisor)
    service_id = _search(page, type_text)
    assert UNCONFIRMED_BADGE in page.list.currentItem().text()
    assert "要確認" in page.detail.toPlainText()

    dialog = _open_editor(qtbot, page)
    assert "変更の記録はありません" in dialog.history_list.item(0).text()
    dialog.phones_edit.clear()
    type_text(dialog.phones_edit, "03-5555-0101 ")
    type_text(dialog.phones_edit, "代表")
    assert not dialog.confirmed_check.isChecked()
    _tick(qtbot, dialog.confirmed_check)
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    # The page follows: no badge, the new number in the detail pane.
    assert UNCONFIRMED_BADGE not in page.list.currentItem().text()
    detail = page.detail.toPlainText()
    assert "03-5555-0101（代表）" in detail and "確認済" in detail
    assert UNCONFIRMED_BADGE not in detail
    # The directory as the service reads it.
    stored = directory_service.destination(db, service_id)
    assert stored.phones == ("03-5555-0101（代表）",)
    assert stored.contact_confirmed and stored.contact_status == "確認済"
    # Audited, and kept as history (shown in the dialog).
    event = next(e for e in audit.recent(db, 20) if e.action == "directory_edit")
    assert event.staff_id == supervisor.staff_id and event.entity_id == str(service_id)
    assert event.entity == "dir_service" and "contact_confirmed" in (event.fields or [])
    [history] = directory_service.service_history(db, service_id)
    assert history.staff_id == supervisor.staff_id
    assert {"dir_phone", "contact_confirmed"} <= set(history.fields)
    shown = dialog.history_list.item(0).text()
    assert supervisor.name in shown and "電話番号" in shown and "連絡先の確認" in shown


def test_a_counter_clerk_is_not_offered_the_edit(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, type_text: TypeText) -> None:
    clerk = staff_factory(db, "uketsuke1", role="受付")
    page = _open_page(qtbot, db, clerk)
    _search(page, type_text)
    assert not page.edit_button.isVisible() and not page.edit_button.isEnabled()
    assert page.edit_current() is None and not page.edit_dialogs


def test_a_problem_is_shown_at_its_field_and_the_input_kept(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, type_text: TypeText) -> None:
    admin = staff_factory(db, "kanri1", role="管理者", admin=True)
    page = _open_page(qtbot, db, admin)
    service_id = _search(page, type_text)
    dialog = _open_editor(qtbot, page)
    dialog.phones_edit.clear()
    type_text(dialog.phones_edit, "かくにんちゅう")  # no digits: refused by the service
    type_text(dialog.keywords_edit, "、ひきこもり相談")
    keywords = dialog.keywords_edit.text()
    _tick(qtbot, dialog.confirmed_check)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    error = dialog.field_errors[FIELD_PHONES]
    assert error.isVisible() and "数字がありません" in error.text()
    assert dialog.phones_edit.toPlainText() == "かくにんちゅう"
    assert dialog.keywords_edit.text() == keywords and dialog.confirmed_check.isChecked()
    assert dialog.isVisible()
    stored = directory_service.destination(db, service_id)
    assert not stored.contact_confirmed and stored.phones == ()
    assert directory_service.service_history(db, service_id) == []
    assert UNCONFIRMED_BADGE in page.list.currentItem().text()

    # Corrected, it saves and the message goes.
    dialog.phones_edit.clear()
    type_text(dialog.phones_edit, "03-5555-0102")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not error.isVisible()
    assert directory_service.destination(db, service_id).phones == ("03-5555-0102",)
