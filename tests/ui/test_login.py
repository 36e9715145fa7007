"""The login dialog, driven from the keyboard and the mouse."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from setacare_desktop.domain.lockout import MAX_FAILED_ATTEMPTS
from setacare_desktop.services import Database, StaffProfile, audit
from setacare_desktop.ui.login_dialog import EMPTY_LOGIN, LoginDialog

pytestmark = pytest.mark.gui

PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
WRONG = "ログインIDまたはパスワードが正しくありません。"
LOCKED = "ログインに続けて失敗したため、このアカウントは一時的にロックされています。"


@pytest.fixture
def dialog(qtbot: QtBot, db: Database) -> LoginDialog:
    widget = LoginDialog(db)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitActive(widget)
    return widget


def _submit(qtbot: QtBot, dialog: LoginDialog, login: str, password: str) -> None:
    qtbot.mouseClick(dialog.login_edit, Qt.MouseButton.LeftButton)
    assert dialog.focusWidget() is dialog.login_edit
    dialog.login_edit.selectAll()
    qtbot.keyClicks(dialog.login_edit, login)
    qtbot.keyClick(dialog.login_edit, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.password_edit
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)


def test_keyboard_login_returns_the_profile(qtbot: QtBot, db: Database, dialog: LoginDialog,
                                            staff_factory: Callable[..., StaffProfile]) -> None:
    staff_factory(db, "ikejiri1")
    assert dialog.focusWidget() is dialog.login_edit
    assert dialog.password_edit.echoMode() is dialog.password_edit.EchoMode.Password
    with qtbot.waitSignal(dialog.accepted):
        _submit(qtbot, dialog, "ikejiri1", PASSWORD)
    assert dialog.profile is not None
    assert dialog.profile.login == "ikejiri1"
    assert dialog.profile.organisation_name == "池尻まちづくりセンター"
    assert audit.recent(db, 1)[0].action == "login"


def test_login_button_click(qtbot: QtBot, db: Database, dialog: LoginDialog,
                            staff_factory: Callable[..., StaffProfile]) -> None:
    staff_factory(db, "ikejiri1")
    qtbot.keyClicks(dialog.login_edit, "ikejiri1")
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert dialog.profile is not None and dialog.result() == dialog.DialogCode.Accepted


def test_wrong_password_keeps_the_login_and_clears_the_password(
        qtbot: QtBot, db: Database, dialog: LoginDialog,
        staff_factory: Callable[..., StaffProfile]) -> None:
    staff_factory(db, "ikejiri1")
    _submit(qtbot, dialog, "ikejiri1", "wrong-password")
    assert dialog.isVisible()
    assert dialog.profile is None
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == WRONG
    assert dialog.login_edit.text() == "ikejiri1"
    assert dialog.password_edit.text() == ""
    assert dialog.focusWidget() is dialog.password_edit
    # The user just types the right password and presses Enter.
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClicks(dialog.password_edit, PASSWORD)
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)


def test_unknown_login_gets_the_same_message(qtbot: QtBot, dialog: LoginDialog) -> None:
    _submit(qtbot, dialog, "nobody", PASSWORD)
    assert dialog.error_label.text() == WRONG


def test_repeated_failures_lock_the_account(qtbot: QtBot, db: Database, dialog: LoginDialog,
                                            staff_factory: Callable[..., StaffProfile]) -> None:
    staff_factory(db, "ikejiri1")
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        _submit(qtbot, dialog, "ikejiri1", "wrong-password")
        assert dialog.error_label.text() == WRONG
    _submit(qtbot, dialog, "ikejiri1", "wrong-password")
    assert dialog.error_label.text().startswith(LOCKED)
    assert "以降にもう一度お試しください" in dialog.error_label.text()
    # Even the right password is refused while locked.
    _submit(qtbot, dialog, "ikejiri1", PASSWORD)
    assert dialog.error_label.text().startswith(LOCKED)
    assert dialog.profile is None
    assert dialog.login_edit.text() == "ikejiri1"


def test_empty_login_is_explained_without_asking_the_service(
        qtbot: QtBot, db: Database, dialog: LoginDialog) -> None:
    before = len(audit.recent(db))
    qtbot.keyClick(dialog.login_edit, Qt.Key.Key_Return)
    assert dialog.error_label.text() == EMPTY_LOGIN
    assert len(audit.recent(db)) == before


def test_prefilled_login_focuses_the_password(qtbot: QtBot, db: Database) -> None:
    dialog = LoginDialog(db, "ikejiri1")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitActive(dialog)
    assert dialog.login_edit.text() == "ikejiri1"
    assert dialog.focusWidget() is dialog.password_edit
    assert db.url in dialog.database_label.text()


def test_escape_rejects(qtbot: QtBot, dialog: LoginDialog) -> None:
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def test_tab_order(qtbot: QtBot, dialog: LoginDialog) -> None:
    expected = [dialog.password_edit, dialog.login_button, dialog.quit_button, dialog.login_edit]
    for widget in expected:
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        assert dialog.focusWidget() is widget
