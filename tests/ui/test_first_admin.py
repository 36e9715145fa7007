"""First start: the administrator dialog on an empty database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from setacare_desktop.services import Database, StaffProfile, audit, staff
from setacare_desktop.ui.first_admin_dialog import FirstAdminDialog

TypeText = Callable[[QWidget, str], None]  # the ``type_text`` fixture (tests/ui/conftest.py)

pytestmark = pytest.mark.gui

PASSWORD = "kanri-pass-2026"


@pytest.fixture
def dialog(qtbot: QtBot, db: Database) -> FirstAdminDialog:
    widget = FirstAdminDialog(db)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitActive(widget)
    return widget


def _fill(qtbot: QtBot, type_text: TypeText, dialog: FirstAdminDialog, *, login: str = "admin",
          name: str = "世田谷 花子", password: str = PASSWORD, confirm: str = PASSWORD) -> None:
    type_text(dialog.login_edit, login)
    type_text(dialog.name_edit, name)
    qtbot.keyClick(dialog.branch_combo, Qt.Key.Key_Down)  # 世田谷 → 北沢総合支所
    type_text(dialog.password_edit, password)
    type_text(dialog.confirm_edit, confirm)


def test_creates_the_administrator(qtbot: QtBot, db: Database, dialog: FirstAdminDialog,
                                   type_text: TypeText) -> None:
    assert staff.needs_first_administrator(db)
    assert [dialog.branch_combo.itemText(i) for i in range(dialog.branch_combo.count())] == [
        "世田谷総合支所", "北沢総合支所", "玉川総合支所", "砧総合支所", "烏山総合支所"]
    _fill(qtbot, type_text, dialog)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)

    assert dialog.profile is not None
    assert not staff.needs_first_administrator(db)
    [row] = staff.list_staff(db, dialog.profile)
    assert (row.login, row.name, row.role_label, row.organisation_name) == (
        "admin", "世田谷 花子", "管理者", "北沢総合支所")
    assert dialog.profile.can_manage_accounts
    created = [e for e in audit.recent(db) if e.action == "staff_create"]
    assert len(created) == 1
    assert created[0].entity_id == str(row.staff_id)
    assert PASSWORD not in str(created[0].fields) + str(created[0].detail)


def test_enter_submits(qtbot: QtBot, db: Database, dialog: FirstAdminDialog,
                       type_text: TypeText) -> None:
    _fill(qtbot, type_text, dialog)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)
    assert not staff.needs_first_administrator(db)


def test_mismatched_passwords_keep_everything_typed(
        qtbot: QtBot, db: Database, dialog: FirstAdminDialog, type_text: TypeText) -> None:
    _fill(qtbot, type_text, dialog, confirm="kanri-pass-2025")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible() and dialog.profile is None
    assert staff.needs_first_administrator(db)
    assert dialog.problems.isVisible()
    assert "パスワード（確認）: パスワードと一致しません" in dialog.problems.text()
    assert dialog.login_edit.text() == "admin"
    assert dialog.name_edit.text() == "世田谷 花子"
    assert dialog.branch_combo.currentText() == "北沢総合支所"
    assert dialog.password_edit.text() == PASSWORD
    assert dialog.focusWidget() is dialog.confirm_edit


def test_every_problem_is_named(qtbot: QtBot, db: Database, dialog: FirstAdminDialog,
                                type_text: TypeText) -> None:
    _fill(qtbot, type_text, dialog, login="", name="", password="short", confirm="short")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)

    text = dialog.problems.text()
    assert "ログインID: 入力してください" in text
    assert "氏名: 入力してください" in text
    assert "パスワード: 8文字以上にしてください" in text
    assert staff.needs_first_administrator(db)
    assert dialog.focusWidget() is dialog.login_edit
    # Fix the fields and try again: the earlier text is still there.
    type_text(dialog.login_edit, "admin")
    type_text(dialog.name_edit, "管理 太郎")
    assert dialog.password_edit.text() == "short"
    dialog.password_edit.clear()
    dialog.confirm_edit.clear()
    type_text(dialog.password_edit, PASSWORD)
    type_text(dialog.confirm_edit, PASSWORD)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert not dialog.problems.isVisible()


def test_refused_once_an_account_exists(qtbot: QtBot, db: Database, dialog: FirstAdminDialog,
                                        type_text: TypeText,
                                        staff_factory: Callable[..., StaffProfile]) -> None:
    staff_factory(db, "someone")
    _fill(qtbot, type_text, dialog)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "管理者は既に登録されています" in dialog.problems.text()
    assert dialog.profile is None
