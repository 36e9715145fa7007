"""The window's error boundary: no traceback ever reaches the user, and the window stays.

:func:`install` (called by ``ui.application.run`` before any window exists, as Vorta's
``__main__`` does) routes every unexpected exception — in a slot or virtual method
(``sys.excepthook``), in a worker thread (``threading.excepthook``), or in an operation's work
(``ui.operations``) — to :func:`report_unexpected`: the log (``setacare_desktop.logs``: the
exception's type and stack only, never its message) and one Japanese dialog that says what
happened, what to do and where the log is. Qt's own warnings go to the log too
(``qInstallMessageHandler``), not to a console the user does not have.

Refusals of a service (``ServiceError``) are not bugs and never come here: the screen that asked
shows their message.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from setacare_desktop import logs
from setacare_desktop.ui import main_thread

TITLE = "SetaCare Desktop — 予期しないエラー"
WHAT_HAPPENED = "予期しないエラーが発生しました。直前の操作は完了していない可能性があります。"
WHAT_TO_DO = (
    "作業中の内容は画面にそのまま残っています（受付の入力は下書きとしても保存されます）。"
    "内容を確かめて、もう一度操作してください。\n"
    "同じエラーが繰り返し起きるときは、この画面の内容とともに管理者に連絡してください。"
)
NO_LOG = "記録（ログ）ファイルは作成できませんでした。"

qt_log = logging.getLogger("setacare_desktop.qt")

#: The dialog on screen (one at a time: a burst of errors does not stack dialogs).
current_dialog: QMessageBox | None = None
#: How many unexpected errors this run has seen (the dialog counts the ones after the first).
_count = 0

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
_NOT_ASCII = re.compile(r"[^\x20-\x7e]+")


def message_text(log_file: Path | None) -> str:
    where = f"記録（ログ）: {log_file}" if log_file is not None else NO_LOG
    return f"{WHAT_HAPPENED}\n\n{WHAT_TO_DO}\n\n{where}"


def report_unexpected(where: str, error: BaseException) -> None:
    """Log a bug and tell the user, from any thread; the program goes on."""
    logs.log_unexpected(where, error)
    if main_thread.on_main_thread():
        _show()
    else:
        # No window thread to tell (e.g. a command-line run): the log has it.
        with contextlib.suppress(RuntimeError):
            main_thread.call_soon(_show)


def _show() -> None:
    global current_dialog, _count
    # Imported here: the login dialog is painted before Qt's namespace (costly) is loaded.
    from PySide6.QtCore import Qt

    _count += 1
    if QApplication.instance() is None:
        return
    if current_dialog is not None:
        current_dialog.setInformativeText(f"（このあと、さらに {_count - 1} 件のエラーがありました）")
        return
    parent = QApplication.activeWindow()
    box = QMessageBox(QMessageBox.Icon.Critical, TITLE, message_text(logs.log_path()),
                      QMessageBox.StandardButton.Ok, parent if isinstance(parent, QWidget)
                      else None)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.finished.connect(_closed)
    current_dialog = box
    _count = 1
    box.open()  # not exec(): the event loop that raised goes on undisturbed


def _closed(_result: int) -> None:
    global current_dialog
    box, current_dialog = current_dialog, None
    if box is not None:
        box.deleteLater()


def _excepthook(kind: type[BaseException], error: BaseException,
                trace: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt | SystemExit):
        sys.__excepthook__(kind, error, trace)
        return
    if error.__traceback__ is None and trace is not None:
        error = error.with_traceback(trace)
    report_unexpected("the window", error)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "?"
    report_unexpected(f"thread {name}", args.exc_value)


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = _QT_LEVELS.get(kind, logging.WARNING)
    if level < logging.WARNING:
        return
    # Qt's text is not ours: anything not plain ASCII (a label, a name) is left out.
    qt_log.log(level, "Qt %s: %s", context.category or "default",
               _NOT_ASCII.sub("…", message))


def install() -> Callable[[], None]:
    """Route unexpected errors and Qt's messages to the log and the dialog; returns a function
    that puts the previous hooks back (tests)."""
    previous_hook = sys.excepthook
    previous_thread_hook = threading.excepthook
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    previous_qt = qInstallMessageHandler(_qt_message)
    if QApplication.instance() is not None:
        main_thread.prepare()

    def uninstall() -> None:
        sys.excepthook = previous_hook
        threading.excepthook = previous_thread_hook
        qInstallMessageHandler(previous_qt)

    return uninstall
