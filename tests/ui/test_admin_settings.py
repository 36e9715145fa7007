"""管理's settings for every PC, typed as an administrator types them: the days before the backup
reminder and before a quiet 継続支援 is listed in やること. A bad value is explained at its field,
what was typed stays, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from setacare_desktop.services import Database, StaffProfile, backup, followups
from setacare_desktop.ui.admin_page import AdminPage

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]
TypeText = Callable[[QWidget, str], None]


def _page(qtbot: QtBot, db: Database, actor: StaffProfile) -> AdminPage:
    page = AdminPage(db, actor)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.reload()
    return page


def test_the_administrator_sets_both_day_counts(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, type_text: TypeText) -> None:
    admin = staff_factory(db, "kanri", role="管理者", place="世田谷", org_kind="総合支所")
    page = _page(qtbot, db, admin)
    assert page.backup_days.edit.text() == str(backup.DEFAULT_REMINDER_DAYS)
    assert page.no_contact_days.edit.text() == str(followups.NO_CONTACT_DEFAULT)

    page.backup_days.edit.clear()
    type_text(page.backup_days.edit, "１４")  # full-width, as an IME gives it
    with qtbot.waitSignal(page.status_message) as said:
        qtbot.mouseClick(page.backup_days.save_button, Qt.MouseButton.LeftButton)
    assert said.args == [f"{backup.REMINDER_FIELD}を 14 日にしました。"]
    assert backup.reminder_days(db) == 14

    page.no_contact_days.edit.clear()
    qtbot.keyClicks(page.no_contact_days.edit, "0")
    qtbot.keyClick(page.no_contact_days.edit, Qt.Key.Key_Return)
    assert page.no_contact_days.error_label.isVisibleTo(page)
    assert followups.NO_CONTACT_FIELD in page.no_contact_days.error_label.text()
    assert "1〜365 日の範囲" in page.no_contact_days.error_label.text()
    assert page.no_contact_days.edit.text() == "0"  # what was typed stays
    assert followups.no_contact_days(db) == followups.NO_CONTACT_DEFAULT

    # Another administrator's page (another PC) shows the stored values.
    again = _page(qtbot, db, admin)
    assert again.backup_days.edit.text() == "14"


def test_a_staff_member_who_does_not_manage_accounts_sees_no_settings(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff) -> None:
    page = _page(qtbot, db, staff_factory(db, "clerk"))
    assert not page.notice_box.isVisibleTo(page)
