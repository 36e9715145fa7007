"""The operation runner: work on one worker thread, outcomes back on the window's thread.

Most tests here keep the real worker (``threaded_operations``) and wait for it; the rest of the
GUI tests run operations synchronously (``tests/ui/conftest.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from tests.conftest import TEST_PASSWORD, make_staff
from tests.ui.conftest import AnswerMessageBox

from setacare_desktop.services import Database, ServiceError, auth
from setacare_desktop.ui import error_boundary, operations
from setacare_desktop.ui.login_dialog import LoginDialog
from setacare_desktop.ui.operations import Operation, Progress

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def boundary(tmp_path: object) -> Iterator[None]:
    uninstall = error_boundary.install()
    yield
    uninstall()
    if error_boundary.current_dialog is not None:
        error_boundary.current_dialog.done(0)


def test_work_runs_on_the_worker_and_the_outcome_on_the_window_thread(
        qtbot: QtBot, window: QWidget, threaded_operations: None) -> None:
    seen: dict[str, object] = {}

    def work(_progress: Progress) -> int:
        seen["work"] = threading.current_thread()
        return 42

    def done(value: int) -> None:
        seen["result"] = value
        seen["callback"] = threading.current_thread()

    Operation(window, work).success(done).run()
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == 42
    assert seen["work"] is not threading.main_thread()
    assert seen["callback"] is threading.main_thread()


def test_one_worker_runs_the_work_in_order_one_at_a_time(
        qtbot: QtBot, window: QWidget, threaded_operations: None) -> None:
    running = 0
    most = 0
    order: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return n

    for n in range(5):
        Operation(window, lambda _p, n=n: work(n)).success(order.append).run()
    qtbot.waitUntil(lambda: len(order) == 5)
    assert order == [0, 1, 2, 3, 4]
    assert most == 1


def test_the_window_thread_stays_free_while_the_work_runs(
        qtbot: QtBot, window: QWidget, threaded_operations: None) -> None:
    release = threading.Event()
    finished: list[bool] = []
    Operation(window, lambda _p: release.wait(5)).success(finished.append).run()
    # The event loop turns while the work waits: a timer on the window's thread fires.
    with qtbot.waitSignal(window.windowTitleChanged, timeout=2000):
        from PySide6.QtCore import QTimer

        QTimer.singleShot(10, lambda: window.setWindowTitle("動いています"))
    assert not finished
    release.set()
    qtbot.waitUntil(lambda: finished == [True])


def test_sqlite_is_read_and_written_from_the_worker_thread(
        qtbot: QtBot, db: Database, threaded_operations: None) -> None:
    """pysqlite's check_same_thread with SQLAlchemy's pool: the engine used on the window's
    thread first, then by the worker (and back), works."""
    make_staff(db, "counter")
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.login_edit, "counter")
    qtbot.keyClicks(dialog.password_edit, TEST_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
        # While argon2 runs on the worker, the fields wait disabled: no second check.
        assert not dialog.login_button.isEnabled()
        assert not dialog.password_edit.isEnabled()
    assert dialog.profile is not None and dialog.profile.login == "counter"
    assert dialog.login_button.isEnabled()
    # And back on the window's thread, on the same engine.
    auth.logout(db, dialog.profile)


def test_a_double_click_starts_the_work_once(qtbot: QtBot, window: QWidget,
                                             threaded_operations: None) -> None:
    button = QPushButton("集計", window)
    button.show()
    release = threading.Event()
    started: list[int] = []
    results: list[object] = []

    def start() -> None:
        op = Operation(window, lambda _p: started.append(1) or release.wait(5), guard=[button])
        op.success(results.append).run()

    button.clicked.connect(start)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseDClick(button, Qt.MouseButton.LeftButton)
    start()  # even a call around the disabled button (a shortcut) is refused
    release.set()
    qtbot.waitUntil(lambda: len(results) == 1)
    qtbot.wait(50)
    assert len(started) == 1
    assert button.isEnabled()


def test_a_refusal_goes_to_failure_or_a_japanese_message_box(
        qtbot: QtBot, window: QWidget, answer_message_box: AnswerMessageBox) -> None:
    def refuse(_progress: Progress) -> None:
        raise ServiceError("この期間は集計できません。")

    got: list[str] = []
    Operation(window, refuse).failure(lambda error: got.append(error.message)).run()
    assert got == ["この期間は集計できません。"]

    seen = answer_message_box()
    Operation(window, refuse).run()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == ["この期間は集計できません。"]


def test_slow_work_shows_a_progress_dialog_that_fills_and_cancels(
        qtbot: QtBot, window: QWidget, threaded_operations: None) -> None:
    steps: list[tuple[int, int]] = []
    stopped: list[bool] = []

    def work(progress: Progress) -> int:
        for done in range(1, 1000):
            progress.check()
            progress.update(done, 1000)
            time.sleep(0.01)
        return 1000

    op = (Operation(window, work, label="連携シートを保存しています…", cancellable=True)
          .progress(lambda done, total: steps.append((done, total)))
          .cancelled(lambda: stopped.append(True)))
    op.run()

    def dialog() -> QProgressDialog | None:
        found = window.findChildren(QProgressDialog)
        return found[0] if found and found[0].isVisible() else None

    qtbot.waitUntil(lambda: dialog() is not None, timeout=3000)
    shown = dialog()
    assert shown is not None
    assert shown.labelText() == "連携シートを保存しています…"
    qtbot.waitUntil(lambda: shown.maximum() == 1000 and shown.value() > 0)
    cancel = shown.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "中止"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: stopped == [True])
    assert steps and steps[-1][0] < 999
    assert dialog() is None


def test_quick_work_shows_no_progress_dialog(qtbot: QtBot, window: QWidget,
                                             threaded_operations: None) -> None:
    done: list[int] = []
    Operation(window, lambda _p: 1, label="確認しています…").success(done.append).run()
    qtbot.waitUntil(lambda: done == [1])
    qtbot.wait(operations.PROGRESS_DELAY_MS + 100)
    assert not window.findChildren(QProgressDialog)


def test_a_bug_in_the_work_reaches_the_error_boundary_and_the_window_stays(
        qtbot: QtBot, window: QWidget, threaded_operations: None, boundary: None) -> None:
    def buggy(_progress: Progress) -> None:
        raise KeyError("山田 花子")

    Operation(window, buggy).run()
    qtbot.waitUntil(lambda: error_boundary.current_dialog is not None)
    box = error_boundary.current_dialog
    assert isinstance(box, QMessageBox)
    assert "予期しないエラーが発生しました" in box.text()
    assert "山田" not in box.text()
    assert window.isVisible()
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: error_boundary.current_dialog is None)
    assert QApplication.activeModalWidget() is None


def test_in_tests_a_bug_in_the_work_is_raised_to_the_caller(window: QWidget) -> None:
    def buggy(_progress: Progress) -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        Operation(window, buggy).run()
    assert operations.idle()


def test_work_that_cannot_stop_shows_a_busy_dialog_without_cancel(
        qtbot: QtBot, window: QWidget, threaded_operations: None) -> None:
    release = threading.Event()
    done: list[bool] = []
    Operation(window, lambda _p: release.wait(5), label="パスワードを確認しています…"
              ).success(done.append).run()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(QProgressDialog)))
    [shown] = window.findChildren(QProgressDialog)
    assert shown.maximum() == 0  # busy: the work reports no steps
    assert shown.findChild(QPushButton) is None or not shown.findChild(QPushButton).isVisible()
    release.set()
    qtbot.waitUntil(lambda: done == [True])
    qtbot.waitUntil(lambda: not any(d.isVisible() for d in window.findChildren(QProgressDialog)))


def test_quitting_while_the_password_is_checked_logs_nobody_in(
        qtbot: QtBot, db: Database, threaded_operations: None) -> None:
    make_staff(db, "counter")
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    accepted: list[bool] = []
    dialog.accepted.connect(lambda: accepted.append(True))
    qtbot.keyClicks(dialog.login_edit, "counter")
    qtbot.keyClicks(dialog.password_edit, TEST_PASSWORD)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(operations.idle, timeout=10_000)
    qtbot.wait(20)
    assert dialog.profile is None and not accepted
