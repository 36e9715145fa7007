"""Start-up and the session: first administrator → login → main window → logout → login."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from tests.ui.conftest import close_session_windows

from setacare_desktop.services import Database, StaffProfile, audit, staff
from setacare_desktop.settings import Settings
from setacare_desktop.ui import application
from setacare_desktop.ui.application import SessionController, open_database_for_window, run

pytestmark = pytest.mark.gui

PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
TypeText = Callable[[QWidget, str], None]  # the ``type_text`` fixture (tests/ui/conftest.py)
AnswerMessageBox = Callable[..., list[str]]  # the ``answer_message_box`` fixture


@pytest.fixture
def controller(qtbot: QtBot, db: Database) -> Iterator[SessionController]:
    session = SessionController(db)
    yield session
    close_session_windows(session)


def _log_in(qtbot: QtBot, controller: SessionController, password: str = PASSWORD) -> None:
    dialog = controller.login_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitActive(dialog)
    qtbot.keyClicks(dialog.password_edit, password)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)


def test_first_start_then_login_then_logout(qtbot: QtBot, db: Database,
                                           controller: SessionController,
                                           type_text: TypeText) -> None:
    controller.start()
    first = controller.first_admin_dialog
    assert first is not None and first.isVisible()
    assert controller.login_dialog is None
    type_text(first.login_edit, "admin")
    type_text(first.name_edit, "管理 太郎")
    type_text(first.password_edit, "kanri-pass-2026")
    type_text(first.confirm_edit, "kanri-pass-2026")
    with qtbot.waitSignal(first.accepted):
        qtbot.mouseClick(first.create_button, Qt.MouseButton.LeftButton)

    login = controller.login_dialog
    assert login is not None and login.isVisible()
    assert login.login_edit.text() == "admin"  # the new administrator just types the password
    _log_in(qtbot, controller, "kanri-pass-2026")
    window = controller.main_window
    assert window is not None and window.isVisible()
    assert window.user_label.text() == "管理 太郎（管理者）"
    assert window.organisation_label.text() == "世田谷総合支所"

    window.logout_action.trigger()
    assert controller.main_window is None
    assert not window.isVisible()
    assert controller.login_dialog is not None and controller.login_dialog.isVisible()
    assert controller.login_dialog.login_edit.text() == "admin"
    assert audit.recent(db, 1)[0].action == "logout"


def test_switch_user_returns_an_empty_login(qtbot: QtBot, db: Database,
                                            controller: SessionController,
                                            staff_factory: Callable[..., StaffProfile]) -> None:
    staff_factory(db, "ikejiri1")
    staff_factory(db, "ikejiri2")
    controller.start()
    assert controller.first_admin_dialog is None
    assert controller.login_dialog is not None
    qtbot.keyClicks(controller.login_dialog.login_edit, "ikejiri1")
    _log_in(qtbot, controller)
    assert controller.main_window is not None
    controller.main_window.switch_user_action.trigger()
    assert audit.recent(db, 1)[0].action == "logout"
    assert controller.login_dialog is not None
    assert controller.login_dialog.login_edit.text() == ""
    qtbot.keyClicks(controller.login_dialog.login_edit, "ikejiri2")
    _log_in(qtbot, controller)
    assert controller.profile is not None and controller.profile.login == "ikejiri2"


def test_closing_the_login_dialog_quits(qtbot: QtBot, db: Database,
                                        controller: SessionController,
                                        staff_factory: Callable[..., StaffProfile]) -> None:
    staff_factory(db, "ikejiri1")
    controller.start()
    assert controller.login_dialog is not None
    with qtbot.waitSignal(controller.finished) as blocker:
        controller.login_dialog.close()
    assert blocker.args == [0]


def test_closing_the_main_window_logs_out_and_quits(
        qtbot: QtBot, db: Database, controller: SessionController,
        staff_factory: Callable[..., StaffProfile]) -> None:
    staff_factory(db, "ikejiri1")
    controller.start()
    assert controller.login_dialog is not None
    qtbot.keyClicks(controller.login_dialog.login_edit, "ikejiri1")
    _log_in(qtbot, controller)
    assert controller.main_window is not None
    with qtbot.waitSignal(controller.finished):
        controller.main_window.quit_action.trigger()
    assert audit.recent(db, 1)[0].action == "logout"
    assert controller.main_window is None


def _too_new(tmp_path: Path) -> Settings:
    path = tmp_path / "newer.db"
    Database.open(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.close()
    return Settings(tmp_path, f"sqlite:///{path}")


def test_a_newer_database_is_refused_in_a_dialog(qtbot: QtBot, tmp_path: Path,
                                                answer_message_box: AnswerMessageBox) -> None:
    settings = _too_new(tmp_path)
    seen = answer_message_box()
    assert open_database_for_window(settings) is None
    assert len(seen) == 1
    assert "新しいバージョンの SetaCare Desktop で作成されています" in seen[0]


def test_run_exits_1_when_the_database_cannot_be_opened(
        qtbot: QtBot, tmp_path: Path, answer_message_box: AnswerMessageBox) -> None:
    settings = _too_new(tmp_path)
    seen = answer_message_box()
    assert run(settings) == 1
    assert seen and "新しいバージョン" in seen[0]
    assert QApplication.applicationName() == "SetaCare Desktop"
    assert not QApplication.windowIcon().isNull()


def test_an_unusable_data_folder_is_explained(qtbot: QtBot, tmp_path: Path,
                                              answer_message_box: AnswerMessageBox) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = Settings(blocker / "data", f"sqlite:///{blocker / 'data' / 'setacare.db'}")
    seen = answer_message_box()
    assert open_database_for_window(settings) is None
    assert seen and "データフォルダ" in seen[0]


def test_a_damaged_database_file_is_explained(qtbot: QtBot, tmp_path: Path,
                                              answer_message_box: AnswerMessageBox) -> None:
    path = tmp_path / "setacare.db"
    path.write_bytes(b"this is not an SQLite database" * 200)
    seen = answer_message_box()
    assert open_database_for_window(Settings(tmp_path, f"sqlite:///{path}")) is None
    assert seen and "壊れている" in seen[0] and "バックアップ" in seen[0]
    assert "Error" not in seen[0] and "file is not" not in seen[0]  # no driver words
    assert "Traceback" not in seen[0]


def test_a_missing_font_is_explained_and_start_up_continues(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        answer_message_box: AnswerMessageBox) -> None:
    monkeypatch.setattr(application, "japanese_font_path", lambda: None)
    settings = _too_new(tmp_path)
    boxes = answer_message_box(count=2)
    assert run(settings) == 1  # went on to the database (refused here), after the font warning
    assert len(boxes) == 2
    assert "日本語フォント（IPAexゴシック）が見つかりませんでした" in boxes[0]
    assert "新しいバージョン" in boxes[1]


def test_an_existing_database_skips_the_first_start(
        db: Database, controller: SessionController,
        staff_factory: Callable[..., StaffProfile]) -> None:
    staff_factory(db, "ikejiri1")
    assert not staff.needs_first_administrator(db)
    controller.start()
    assert controller.first_admin_dialog is None
    assert controller.login_dialog is not None
