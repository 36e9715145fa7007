"""The idle lock of a shared counter PC: after the idle time (or Ctrl+L) no person's name is
on screen — not in the form, a dialog, the status bar or the title; the same staff member's
password brings the work back exactly as it was, a wrong one is refused and counted; another
staff member's login logs the first one out with their draft kept; results of slow work wait
until the unlock; the administrator sets the minutes for every PC."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
import shiboken6
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QStatusBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.services import Database, StaffProfile, audit, preferences, screen_lock
from setacare_desktop.services import intake as intake_service
from setacare_desktop.ui import operations
from setacare_desktop.ui.application import SessionController
from setacare_desktop.ui.idle_lock import LOCKED_TITLE
from setacare_desktop.ui.intake import IntakePage
from setacare_desktop.ui.lock_screen import SWITCH
from setacare_desktop.ui.main_window import AREA_ADMIN, AREA_INTAKE, MainWindow
from setacare_desktop.ui.operations import Operation

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]
TypeText = Callable[[QWidget, str], None]  # tests/ui/conftest.py
PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
NAME = "池尻 花子"


def visible_texts() -> list[str]:
    """Every text a person at the desk could read: of each visible widget of the program."""
    texts: list[str] = []
    for widget in QApplication.allWidgets():
        if not widget.isVisible():
            continue
        if widget.isWindow():
            texts.append(widget.windowTitle())
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            texts.append(widget.text())
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            texts.append(widget.currentText())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QStatusBar):
            texts.append(widget.currentMessage())
        elif isinstance(widget, QMessageBox):
            texts.extend((widget.text(), widget.informativeText()))
        elif isinstance(widget, QMenu):
            texts.extend(action.text() for action in widget.actions())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            columns = (1 if isinstance(model, QAbstractListModel)
                       else model.columnCount(QModelIndex()))
            texts.extend(str(model.data(model.index(row, column)))
                         for row in range(model.rowCount(QModelIndex()))
                         for column in range(columns))
    return texts


def shows(text: str) -> bool:
    return any(text in shown for shown in visible_texts())


def actions(db: Database, count: int) -> list[tuple[str, str]]:
    return [(e.login, e.action) for e in reversed(audit.recent(db, count))]


@pytest.fixture
def clerk(db: Database, staff_factory: MakeStaff) -> StaffProfile:
    return staff_factory(db, "ikejiri1", role="相談員")


@pytest.fixture
def open_window(qtbot: QtBot, db: Database) -> Callable[[StaffProfile], MainWindow]:
    def open_(profile: StaffProfile) -> MainWindow:
        window = MainWindow(db, profile)
        window.confirm_discard = lambda _action: True  # closing at the end keeps the draft
        qtbot.addWidget(window)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        return window

    return open_


def _type_a_person(qtbot: QtBot, window: MainWindow, type_text: TypeText) -> IntakePage:
    """受付 (Ctrl+1) with a person's name and a complaint typed, not saved."""
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    page = window.intake_page
    assert page is not None and window.current_area() == AREA_INTAKE
    type_text(page.complaint_edit, "母の物忘れ")
    type_text(page.name_edit, NAME)
    assert page.name_edit.hasFocus()
    return page


def _unlock(qtbot: QtBot, window: MainWindow, password: str = PASSWORD) -> None:
    screen = window.idle_lock.screen
    qtbot.waitUntil(screen.password_edit.hasFocus, timeout=2000)
    qtbot.keyClicks(screen.password_edit, password)
    qtbot.keyClick(screen.password_edit, Qt.Key.Key_Return)


def test_idle_time_hides_the_form_and_its_dialogs_until_the_password(
        qtbot: QtBot, db: Database, clerk: StaffProfile, type_text: TypeText,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(clerk)
    intake = _type_a_person(qtbot, window, type_text)
    # An unfinished intake of earlier, listed by name in the (window-modal) drafts dialog.
    intake_service.save_draft(db, clerk, IntakeInput(
        main_complaint="前の下書き", person=PersonInput(name="鈴木 一郎")))
    dialog = intake.offer_drafts()
    assert dialog is not None and dialog.isVisible()
    window.statusBar().showMessage(f"{NAME} さんの相談を開きました")
    assert shows(NAME) and shows("鈴木 一郎")  # what the walk below would catch

    window.idle_lock.set_interval(50)  # instead of the administrator's minutes
    qtbot.waitUntil(lambda: window.idle_lock.locked, timeout=3000)

    texts = visible_texts()
    assert not [t for t in texts if "花子" in t or "鈴木" in t or "物忘れ" in t], texts
    assert not intake.isVisible() and not intake.name_edit.isVisible()
    assert not dialog.isVisible()
    assert not window.statusBar().isVisible() and not window.menuBar().isVisible()
    assert window.windowTitle() == LOCKED_TITLE
    assert window.idle_lock.screen.isVisible()
    assert "ikejiri1 職員（ikejiri1）さんが使用中です" in window.idle_lock.screen.who_label.text()
    lock = audit.recent(db, 5)
    assert ("ikejiri1", "screen_lock", "idle") in [(e.login, e.action, e.detail) for e in lock]

    _unlock(qtbot, window)
    assert not window.idle_lock.locked
    assert intake.isVisible() and intake.name_edit.text() == NAME
    assert intake.complaint_edit.text() == "母の物忘れ"
    assert dialog.isVisible()  # the dialog left open comes back, as it was
    assert shows("鈴木 一郎")
    assert window.windowTitle() == "SetaCare Desktop"
    assert window.statusBar().isVisible() and window.menuBar().isVisible()
    assert actions(db, 1) == [("ikejiri1", "screen_unlock")]


def test_a_wrong_password_is_refused_in_japanese_and_the_form_comes_back_as_it_was(
        qtbot: QtBot, db: Database, clerk: StaffProfile, type_text: TypeText,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(clerk)
    intake = _type_a_person(qtbot, window, type_text)
    qtbot.keyClick(intake.name_edit, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.idle_lock.locked
    assert not shows(NAME)
    screen = window.idle_lock.screen

    # The window's shortcuts do nothing behind the lock (Ctrl+2 would show 本日の相談).
    qtbot.keyClick(screen.password_edit, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == AREA_INTAKE and not window.today_page.isVisible()

    _unlock(qtbot, window, "wrong-pass")
    assert window.idle_lock.locked
    assert screen.error_label.isVisible()
    assert screen.error_label.text() == "パスワードが正しくありません。"
    assert screen.password_edit.text() == "" and screen.password_edit.hasFocus()
    assert not intake.isVisible() and not shows(NAME)
    assert actions(db, 2) == [("ikejiri1", "login_failed"), ("ikejiri1", "screen_unlock_failed")]

    _unlock(qtbot, window)
    assert not window.idle_lock.locked
    assert intake.isVisible() and intake.name_edit.text() == NAME
    assert intake.name_edit.hasFocus()  # typing goes on where it stopped
    type_text(intake.name_edit, "さん")
    assert intake.name_edit.text() == f"{NAME}さん"
    assert not screen.error_label.isVisible() or not screen.isVisible()
    assert actions(db, 1) == [("ikejiri1", "screen_unlock")]


def test_input_restarts_the_idle_time(qtbot: QtBot, clerk: StaffProfile,
                                      open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(clerk)
    window.idle_lock.set_interval(600)
    for _ in range(12):  # 1.2 s of typing, never 0.6 s without a key
        qtbot.wait(100)
        qtbot.keyClick(window.today_page, Qt.Key.Key_Shift)
    assert not window.idle_lock.locked
    qtbot.waitUntil(lambda: window.idle_lock.locked, timeout=3000)


# A popup menu: the offscreen platform can neither raise it nor grab the keyboard for it.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_a_window_that_opens_while_locked_waits_and_an_exec_dialog_is_cancelled(
        qtbot: QtBot, clerk: StaffProfile,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(clerk)
    menu = QMenu(window)
    menu.addAction(f"{NAME} さんの記録を開く")
    menu.popup(window.mapToGlobal(window.rect().center()))
    assert menu.isVisible() and shows(NAME)
    window.idle_lock.lock_now()
    assert not menu.isVisible() and not shows(NAME)
    _unlock(qtbot, window)
    assert not menu.isVisible()  # a menu of the moment is not brought back

    question = QMessageBox(QMessageBox.Icon.Question, "確認", f"{NAME} さんの記録を開きますか？",
                           QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                           window)
    QTimer.singleShot(50, window.idle_lock.lock_now)
    question.exec()  # returns: the lock hid it (as if cancelled)
    assert window.idle_lock.locked
    assert question.clickedButton() is None and not question.isVisible()

    later = QMessageBox(QMessageBox.Icon.Information, "結果", f"{NAME} さんの結果です",
                        QMessageBox.StandardButton.Ok, window)
    later.open()
    qtbot.waitUntil(lambda: not later.isVisible(), timeout=2000)
    assert not shows(NAME)

    _unlock(qtbot, window)
    assert later.isVisible()  # kept for after the unlock
    assert not question.isVisible()  # nobody waits for its answer any more
    later.close()


class SlowWork:
    """Work for the worker thread that returns ``result`` once released (:meth:`finish`)."""

    def __init__(self, result: str) -> None:
        self.result = result
        self._release = threading.Event()
        self._returned = threading.Event()

    def __call__(self, _progress: object) -> str:
        self._release.wait(10)
        self._returned.set()
        return self.result

    def finish(self, qtbot: QtBot) -> None:
        """Let it return, and its outcome reach the window's thread (where it is held)."""
        self._release.set()
        qtbot.waitUntil(self._returned.is_set, timeout=5000)
        qtbot.wait(200)


def test_results_of_slow_work_wait_for_the_unlock(
        qtbot: QtBot, db: Database, clerk: StaffProfile, threaded_operations: None,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(clerk)
    page = window.today_page
    boxes: list[QMessageBox] = []
    work = SlowWork(f"{NAME} さんの集計が終わりました")

    def done(text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "集計", text,
                          QMessageBox.StandardButton.Ok, page)
        box.open()
        boxes.append(box)

    Operation(page, work, label="集計しています…").success(done).run()
    window.idle_lock.lock_now()
    qtbot.wait(500)  # past the progress dialog's delay: it is held, not shown over the lock
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QProgressDialog) and w.isVisible()]
    work.finish(qtbot)
    assert window.idle_lock.held
    assert boxes == [] and not shows(NAME)

    _unlock(qtbot, window)  # checked on the worker too (not held: it is the lock screen's)
    qtbot.waitUntil(lambda: not window.idle_lock.locked, timeout=10_000)
    assert len(boxes) == 1 and boxes[0].isVisible()
    assert shows(f"{NAME} さんの集計が終わりました")
    boxes[0].close()


@pytest.fixture
def controller(qtbot: QtBot, db: Database) -> Iterator[SessionController]:
    session = SessionController(db)
    yield session
    for widget in (session.login_dialog, session.main_window):
        if widget is not None:
            widget.hide()
            widget.deleteLater()


def _log_in(qtbot: QtBot, controller: SessionController, login_id: str) -> MainWindow:
    dialog = controller.login_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.login_edit.clear()
    qtbot.keyClicks(dialog.login_edit, login_id)
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    window = controller.main_window
    assert window is not None and window.profile.login == login_id
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    return window


def test_another_staff_member_logs_in_at_the_lock_screen_and_the_draft_stays_the_firsts(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, controller: SessionController,
        type_text: TypeText) -> None:
    first_profile = staff_factory(db, "ikejiri1", role="相談員")
    second_profile = staff_factory(db, "ikejiri2", role="相談員")
    controller.start()
    first = _log_in(qtbot, controller, "ikejiri1")
    _type_a_person(qtbot, first, type_text)  # typed just now: no draft written yet
    first.idle_lock.lock_now()
    screen = first.idle_lock.screen
    screen.login_edit.selectAll()
    qtbot.keyClicks(screen.login_edit, "ikejiri2")
    assert screen.unlock_button.text() == SWITCH
    qtbot.keyClicks(screen.password_edit, PASSWORD)
    qtbot.keyClick(screen.password_edit, Qt.Key.Key_Return)

    second = controller.main_window
    assert second is not None and second is not first
    assert second.profile.login == "ikejiri2" and controller.profile == second.profile
    assert second.isVisible() and not first.isVisible()
    assert not second.idle_lock.locked
    qtbot.waitUntil(lambda: not shiboken6.isValid(first), timeout=2000)
    # The first one's input is their draft in the database; the second one sees none of it.
    assert [d.data.person.name for d in intake_service.list_drafts(db, first_profile)] == [NAME]
    assert intake_service.list_drafts(db, second_profile) == []
    qtbot.keyClick(second, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert second.intake_page is not None and second.intake_page.name_edit.text() == ""
    assert second.intake_page.drafts_dialog is None
    assert not shows(NAME)
    logout = [e for e in audit.recent(db, 10) if e.action == "logout"]
    assert [(e.login, e.detail) for e in logout] == [("ikejiri1", screen_lock.SWITCH_DETAIL)]

    # The first one comes back later: their draft is offered to them.
    second.logout_action.trigger()
    third = _log_in(qtbot, controller, "ikejiri1")
    assert third.intake_page is not None
    dialog = third.intake_page.drafts_dialog
    assert dialog is not None and dialog.isVisible()
    assert [r.data.person.name for r in dialog.rows] == [NAME]
    dialog.close()


def test_a_result_held_for_the_first_staff_member_never_reaches_the_next(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, controller: SessionController,
        threaded_operations: None) -> None:
    staff_factory(db, "ikejiri1", role="相談員")
    staff_factory(db, "ikejiri2", role="相談員")
    controller.start()
    first = _log_in(qtbot, controller, "ikejiri1")
    delivered: list[str] = []
    work = SlowWork(f"{NAME} さんの集計")
    Operation(first.today_page, work).success(delivered.append).run()
    first.idle_lock.lock_now()
    work.finish(qtbot)
    assert first.idle_lock.held and delivered == []
    screen = first.idle_lock.screen
    screen.login_edit.selectAll()
    qtbot.keyClicks(screen.login_edit, "ikejiri2")
    qtbot.keyClicks(screen.password_edit, PASSWORD)
    qtbot.keyClick(screen.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.main_window is not first, timeout=10_000)
    second = controller.main_window
    assert second is not None and second.profile.login == "ikejiri2"
    qtbot.waitUntil(lambda: not shiboken6.isValid(first), timeout=5000)
    qtbot.waitUntil(operations.idle, timeout=5000)  # the held operation was released…
    assert delivered == []  # …without its result reaching anyone
    assert not shows(NAME)


def test_closing_a_locked_window_asks_nothing_keeps_the_draft_and_logs_out(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, controller: SessionController,
        type_text: TypeText) -> None:
    profile = staff_factory(db, "ikejiri1", role="相談員")
    controller.start()
    window = _log_in(qtbot, controller, "ikejiri1")
    asked: list[str] = []
    window.confirm_discard = lambda action: asked.append(action) or False
    _type_a_person(qtbot, window, type_text)
    window.idle_lock.lock_now()
    with qtbot.waitSignal(controller.finished):
        window.close()
    assert asked == []  # no question about someone's input over the lock screen
    assert [d.data.person.name for d in intake_service.list_drafts(db, profile)] == [NAME]
    assert actions(db, 1) == [("ikejiri1", "logout")]


def test_the_administrator_sets_the_minutes_for_every_pc(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, type_text: TypeText,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    admin = staff_factory(db, "admin", role="管理者", place="世田谷", org_kind="総合支所")
    window = open_window(admin)
    assert window.current_area() == AREA_ADMIN
    page = window.admin_page
    assert page.lock_box.isVisible() and page.lock_minutes_edit.text() == "5"
    assert window.idle_lock.interval_ms == 5 * 60_000

    for typed, message in (
            ("0", "画面ロックまでの時間（分）: 1〜60 分の範囲で入力してください（入力: 0 分）"),
            ("九十", "画面ロックまでの時間（分）: 「九十」は分数ではありません。"
                     "1〜60 の整数で入力してください")):
        page.lock_minutes_edit.clear()
        type_text(page.lock_minutes_edit, typed)
        qtbot.mouseClick(page.lock_save_button, Qt.MouseButton.LeftButton)
        assert page.lock_error_label.isVisible() and page.lock_error_label.text() == message
        assert preferences.idle_lock_minutes(db) == 5

    page.lock_minutes_edit.clear()
    type_text(page.lock_minutes_edit, "15")
    qtbot.keyClick(page.lock_minutes_edit, Qt.Key.Key_Return)
    assert not page.lock_error_label.isVisible()
    assert preferences.idle_lock_minutes(db) == 15
    assert window.idle_lock.interval_ms == 15 * 60_000  # this PC at once
    assert "15 分" in window.statusBar().currentMessage()
    assert actions(db, 1) == [("admin", "preference_change")]

    # A counter PC logging in later takes the new minutes; it has no 管理 area to change them.
    clerk = open_window(staff_factory(db, "ikejiri1", role="相談員"))
    assert clerk.idle_lock.interval_ms == 15 * 60_000
    assert AREA_ADMIN not in clerk.areas
