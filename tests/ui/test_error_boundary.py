"""The error boundary: a bug in a slot, a thread or Qt's own warnings ends in the log and one
Japanese dialog, never a traceback, and the window stays. The log holds no personal data.

These tests switch pytest-qt's exception capture off (``qt_no_exception_capture``) so that the
program's own ``sys.excepthook`` receives what a slot raises, as it does outside the tests.
"""

from __future__ import annotations

import logging
import logging.handlers
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, qWarning
from PySide6.QtWidgets import QMainWindow, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from tests.ui.conftest import TypeText

from setacare_desktop import logs
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.services import Database, demo
from setacare_desktop.services import sheets as sheets_service
from setacare_desktop.ui import error_boundary
from setacare_desktop.ui.application import SessionController
from setacare_desktop.ui.main_window import AREA_INTAKE
from setacare_desktop.ui.table_models import (
    SEARCH_COL_COMPLAINT,
    SEARCH_COL_PERSON,
    SEARCH_COL_READING,
)

pytestmark = pytest.mark.gui

DoubleClick = Callable[[QWidget, QPoint], None]


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The program's log in a throw-away data folder, and the boundary installed, as run()
    does; both undone afterwards."""
    path = logs.configure(tmp_path)
    assert path is not None
    uninstall = error_boundary.install()
    yield path
    uninstall()
    if error_boundary.current_dialog is not None:
        error_boundary.current_dialog.done(0)
    root = logging.getLogger("setacare_desktop")
    for handler in [h for h in root.handlers
                    if isinstance(h, logging.handlers.RotatingFileHandler)]:
        root.removeHandler(handler)
        handler.close()
    logs._path = None


def _dialog(qtbot: QtBot) -> QMessageBox:
    qtbot.waitUntil(lambda: error_boundary.current_dialog is not None
                    and error_boundary.current_dialog.isVisible())
    box = error_boundary.current_dialog
    assert box is not None
    return box


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_a_slot_shows_the_japanese_dialog_and_the_window_stays(
        qtbot: QtBot, log_file: Path) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    button = QPushButton("集計", window)
    window.setCentralWidget(button)
    window.show()

    def broken() -> None:
        raise ZeroDivisionError("division by zero in 山田 太郎's record")

    button.clicked.connect(broken)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    box = _dialog(qtbot)
    text = box.text()
    assert box.windowTitle() == "SetaCare Desktop — 予期しないエラー"
    assert "予期しないエラーが発生しました" in text
    assert "作業中の内容は" in text and "もう一度" in text and "管理者に連絡" in text
    assert str(log_file) in text
    assert "Traceback" not in text and "ZeroDivisionError" not in text
    assert window.isVisible()

    # The window goes on working: the next click reaches the slot again, no second dialog.
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "さらに 1 件" in box.informativeText()
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: error_boundary.current_dialog is None)
    assert window.isVisible()

    logged = log_file.read_text(encoding="utf-8")
    assert "ZeroDivisionError" in logged and "broken" in logged
    assert "山田" not in logged and "division by zero" not in logged


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_a_thread_and_qt_warnings_go_to_the_log(qtbot: QtBot, log_file: Path) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()

    def work() -> None:
        raise LookupError("090-0000-1234")

    thread = threading.Thread(target=work, name="worker-test")
    thread.start()
    thread.join()
    box = _dialog(qtbot)
    assert "予期しないエラーが発生しました" in box.text()
    qWarning("QPainter::begin: 池尻 花子 not active")

    logged = log_file.read_text(encoding="utf-8")
    assert "LookupError" in logged and "worker-test" in logged
    assert "090-0000-1234" not in logged
    assert "QPainter::begin" in logged and "池尻" not in logged


@pytest.fixture
def demo_db(db: Database) -> Database:
    demo.generate(db, cases=80, days=2, seed=3,
                  today=local_now().date())  # whole days: not cut at the hour the test runs
    return db


@pytest.mark.qt_no_exception_capture
def test_a_full_session_and_a_bug_leave_no_personal_data_in_the_log(
        qtbot: QtBot, demo_db: Database, log_file: Path, type_text: TypeText,
        double_click: DoubleClick, monkeypatch: pytest.MonkeyPatch) -> None:
    controller = SessionController(demo_db)
    try:
        _session(qtbot, controller, log_file, type_text, double_click, monkeypatch)
    finally:
        controller.logout()
        if controller.login_dialog is not None:
            controller.login_dialog.reject()


def _session(qtbot: QtBot, controller: SessionController, log_file: Path, type_text: TypeText,
             double_click: DoubleClick, monkeypatch: pytest.MonkeyPatch) -> None:
    controller.start()
    login = controller.login_dialog
    assert login is not None
    qtbot.keyClicks(login.login_edit, "demo-ikejiri-anshin-counter")
    qtbot.keyClicks(login.password_edit, demo.DEMO_PASSWORD)
    with qtbot.waitSignal(login.accepted):
        qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    window = controller.main_window
    assert window is not None
    qtbot.addWidget(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # keyboard shortcuts need the active window
    intake = window.intake_page
    assert intake is not None
    intake.confirm = lambda _title, _text: True
    intake.inform = lambda _title, _text: None
    printed: list[bytes] = []
    intake.show_pdf = lambda _title, pdf, _name: printed.append(pdf)
    if intake.drafts_dialog is not None:
        intake.drafts_dialog.reject()

    # 検索: every demo phone number holds 0000; the hits show names and 主訴.
    today = window.today_page
    today.show_search()
    panel = today.search_panel
    qtbot.keyClicks(panel.search_edit, "0000")
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0)
    model = panel.model
    on_screen: set[str] = set()
    for row in range(model.rowCount()):
        for column in (SEARCH_COL_PERSON, SEARCH_COL_READING, SEARCH_COL_COMPLAINT):
            text = str(model.index(row, column).data() or "").strip()
            if len(text) >= 2:
                on_screen.add(text)
    assert on_screen

    # Open the first hit, amend it, save, print.
    rect = panel.table.visualRect(model.index(0, SEARCH_COL_COMPLAINT))
    double_click(panel.table.viewport(), rect.center())
    assert window.current_area() == AREA_INTAKE
    assert intake.case_id is not None
    for edit in (intake.name_edit, intake.phone_edit, intake.complaint_edit):
        if edit.text().strip():
            on_screen.add(edit.text().strip())
    type_text(intake.complaint_edit, "と転倒")
    on_screen.add(intake.complaint_edit.text())
    saved: list[int] = []
    intake.saved.connect(saved.append)
    qtbot.keyClick(intake.complaint_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved, (intake.status_label.text(), intake.summary_label.text())
    assert window.open_consultation(saved[0])  # as a double click in 本日の相談 does
    qtbot.mouseClick(intake.print_button, Qt.MouseButton.LeftButton)
    assert printed and printed[0].startswith(b"%PDF")

    # A bug whose message quotes what was on screen.
    quoted = " / ".join(sorted(on_screen))

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise ValueError(quoted)

    monkeypatch.setattr(sheets_service, "preview_intake_record", broken)
    qtbot.mouseClick(intake.print_button, Qt.MouseButton.LeftButton)
    box = _dialog(qtbot)
    assert "予期しないエラーが発生しました" in box.text()
    assert window.isVisible()
    box.button(QMessageBox.StandardButton.Ok).click()

    logged = log_file.read_text(encoding="utf-8")
    assert "ValueError" in logged  # the bug is there, for the support staff
    leaked = [text for text in on_screen if text in logged]
    assert not leaked
