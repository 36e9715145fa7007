"""管理 as an administrator fills it in: the sender block printed on every sheet and FAX cover
sheet, and a form's 様式 number and title; a counter clerk sees neither."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from setacare_desktop.services import Database, StaffProfile, audit
from setacare_desktop.services import organisation_settings as org_settings
from setacare_desktop.ui.admin_page import AdminPage

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]
TypeText = Callable[[QWidget, str], None]  # tests/ui/conftest.py


def _open(qtbot: QtBot, db: Database, actor: StaffProfile) -> AdminPage:
    page = AdminPage(db, actor)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    with qtbot.waitExposed(page):
        page.show()
    page.activate()
    return page


def test_the_administrator_types_the_sender_block_and_renames_a_form(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, type_text: TypeText) -> None:
    admin = staff_factory(db, "admin", role="監督者", org_kind="あんしんすこやかセンター",
                          admin=True)
    page = _open(qtbot, db, admin)
    assert page.sender_box.isVisible() and "池尻あんしんすこやかセンター" in page.sender_name_label.text()
    type_text(page.sender_edits["fax"], "ファックス")
    qtbot.mouseClick(page.sender_save_button, Qt.MouseButton.LeftButton)
    assert page.sender_error_label.isVisible()
    assert page.sender_error_label.text().startswith("FAX: 「ファックス」は番号ではありません")
    assert org_settings.sender_settings(db, admin).fax == ""

    page.sender_edits["fax"].clear()
    type_text(page.sender_edits["fax"], "０３−５４３２−１１１２")
    type_text(page.sender_edits["contact"], "相談担当 佐藤")
    qtbot.mouseClick(page.sender_save_button, Qt.MouseButton.LeftButton)
    assert not page.sender_error_label.isVisible()
    sender = org_settings.sender_settings(db, admin)
    assert (sender.fax, sender.contact) == ("03-5432-1112", "相談担当 佐藤")
    assert page.sender_edits["fax"].text() == "03-5432-1112"  # shown as stored
    assert audit.recent(db, 1)[0].action == "organisation_settings_change"

    page.form_combo.setCurrentIndex(page.form_combo.findData(org_settings.CONSENT_FORM))
    assert page.form_title_edit.text() == "個人情報の提供に関する同意書"
    page.form_title_edit.clear()
    type_text(page.form_title_edit, "情報提供同意書")
    qtbot.mouseClick(page.form_save_button, Qt.MouseButton.LeftButton)
    assert page.form_combo.currentText() == "様式第2号 情報提供同意書"
    assert [f.title for f in org_settings.print_forms(db)
            if f.code == org_settings.CONSENT_FORM] == ["情報提供同意書"]


def test_a_clerk_sees_no_print_settings(qtbot: QtBot, db: Database,
                                        staff_factory: MakeStaff) -> None:
    page = _open(qtbot, db, staff_factory(db, "clerk", role="相談員"))
    assert not page.sender_box.isVisible() and not page.forms_box.isVisible()
