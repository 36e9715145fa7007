"""Login first: the login dialog is shown before the database is open, which opens behind it.

``SessionController.start_before_database`` with a ``DatabaseOpening`` whose thread the test
starts when it wants (the window starts it once the dialog is painted); ``run(…,
login_first=True)`` end to end for a database that cannot be opened.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from tests.ui.conftest import close_session_windows

from setacare_desktop.services import Database, StaffProfile, audit
from setacare_desktop.settings import Settings
from setacare_desktop.ui import main_thread
from setacare_desktop.ui.application import SessionController, run
from setacare_desktop.ui.database_opening import DatabaseOpening
from setacare_desktop.ui.login_dialog import LoginDialog

pytestmark = pytest.mark.gui

PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
CONTEXT = "データベース: sqlite:///テスト.db"
TOO_NEW = "新しいバージョンの SetaCare Desktop で作成されています"


@pytest.fixture
def controller(qtbot: QtBot) -> Iterator[SessionController]:
    main_thread.prepare()
    session = SessionController(None)
    yield session
    close_session_windows(session)


def gated(outcome: Callable[[], Database | str]) -> tuple[DatabaseOpening, threading.Event]:
    """An opening that hands over ``outcome()`` only once the returned event is set."""
    gate = threading.Event()

    def open_database() -> Database | str:
        assert gate.wait(30)
        return outcome()

    return DatabaseOpening(open_database), gate


def _type_credentials(qtbot: QtBot, dialog: LoginDialog, login: str, password: str) -> None:
    qtbot.keyClicks(dialog.login_edit, login)
    qtbot.keyClick(dialog.login_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.password_edit, password)


def _opened_behind_the_login(qtbot: QtBot, controller: SessionController,
                             db: Database) -> LoginDialog:
    """Show the login before the database, then let ``db`` open at once behind it; the dialog
    that was shown."""
    opening, gate = gated(lambda: db)
    gate.set()
    controller.start_before_database(opening, CONTEXT)
    dialog = controller.login_dialog
    assert dialog is not None
    with qtbot.waitSignal(opening.opened, timeout=10_000):
        opening.start()
    return dialog


def test_a_login_typed_before_the_database_is_open_waits_for_it(
        qtbot: QtBot, db: Database, controller: SessionController,
        staff_factory: Callable[..., StaffProfile]) -> None:
    staff_factory(db, "ikejiri1")
    opening, gate = gated(lambda: db)
    controller.start_before_database(opening, CONTEXT)
    dialog = controller.login_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.database_label.text() == CONTEXT
    opening.start()  # as the window does once the dialog is painted; held at the gate here
    qtbot.waitActive(dialog)
    _type_credentials(qtbot, dialog, "ikejiri1", PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)

    # Submitted too early: the fields wait, greyed, under a busy cursor; nothing is lost.
    assert not dialog.password_edit.isEnabled() and not dialog.login_button.isEnabled()
    cursor = QGuiApplication.overrideCursor()
    assert cursor is not None and cursor.shape() is Qt.CursorShape.WaitCursor
    assert controller.main_window is None and dialog.error_label.isHidden()

    gate.set()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    opening.wait()
    assert QGuiApplication.overrideCursor() is None
    assert controller.profile is not None and controller.profile.login == "ikejiri1"
    assert controller.database is db
    assert "login" in [event.action for event in audit.recent(db, 5)]


def test_a_wrong_password_after_the_database_opened_is_refused_as_usual(
        qtbot: QtBot, db: Database, controller: SessionController,
        staff_factory: Callable[..., StaffProfile]) -> None:
    staff_factory(db, "ikejiri1")
    dialog = _opened_behind_the_login(qtbot, controller, db)
    _type_credentials(qtbot, dialog, "ikejiri1", "wrong-pass-123")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.error_label.text() == "ログインIDまたはパスワードが正しくありません。"
    assert dialog.password_edit.text() == "" and dialog.password_edit.isEnabled()
    assert controller.main_window is None


def test_a_database_that_cannot_be_opened_is_explained_in_the_dialog(
        qtbot: QtBot, controller: SessionController) -> None:
    reason = ("データベースのファイルが壊れているため開けません。バックアップから戻すか、"
              "システム管理者に連絡してください。記録（ログ）: /home/staff/setacare/logs/setacare.log")
    opening, gate = gated(lambda: reason)
    controller.start_before_database(opening, CONTEXT)
    dialog = controller.login_dialog
    assert dialog is not None
    opening.start()
    _type_credentials(qtbot, dialog, "ikejiri1", PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    gate.set()
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=10_000)
    assert dialog.error_label.text() == reason
    label = dialog.error_label  # several lines: the dialog grew to show all of them
    assert label.height() >= label.heightForWidth(label.width()) > label.fontMetrics().height() * 2
    assert QGuiApplication.overrideCursor() is None
    assert not dialog.login_button.isEnabled() and not dialog.password_edit.isEnabled()
    assert dialog.quit_button.isEnabled()
    with qtbot.waitSignal(controller.finished) as quitting:
        qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert quitting.args == [1]


def test_an_empty_database_turns_the_login_into_the_first_start(
        qtbot: QtBot, db: Database, controller: SessionController) -> None:
    login = _opened_behind_the_login(qtbot, controller, db)
    assert controller.login_dialog is None and not login.isVisible()
    assert controller.first_admin_dialog is not None
    assert controller.first_admin_dialog.isVisible()


def test_run_shows_the_login_then_explains_a_newer_database_in_it(
        qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    Database.open(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.close()
    seen: list[str] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget() or QApplication.activeWindow()
        if isinstance(dialog, LoginDialog) and dialog.error_label.isVisible():
            seen.append(dialog.error_label.text())
            dialog.quit_button.click()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    assert run(Settings(tmp_path, f"sqlite:///{path}"), login_first=True) == 1
    assert seen and TOO_NEW in seen[0]
