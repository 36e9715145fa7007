"""Checking the audit trail's hash chain from the window, off the window's thread.

The check runs in steps (``services.audit.check_step``, a few tenths of a second each), each one
operation on the worker, so the staff member's own work (the day's list, a save) takes its turn
between two steps instead of waiting for the whole trail. :func:`check_at_start` runs it once
after login and says plainly when the trail is broken, or when its protection had been removed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from setacare_desktop.domain.audit_chain import ChainReport
from setacare_desktop.services import Database, ServiceError, audit
from setacare_desktop.ui.operations import Operation

WARNING_TITLE = "SetaCare Desktop — 操作記録"
BROKEN_TEXT = "操作記録（だれが・いつ・何をしたかの記録）に、改ざんの疑いがあります。"
BROKEN_ADVICE = ("このまま仕事を続けられますが、すぐに管理者に連絡してください。管理者は"
                 "「操作記録」の画面か setacare audit verify で確かめられます。")


def broken_text(report: ChainReport) -> str:
    """One line for a status bar or a label: intact with its count, or the break."""
    if report.broken is None:
        return f"改ざんは見つかりませんでした（{report.count:,} 件を検証）"
    return (f"改ざんの疑い（{report.broken.kind.label}）: {report.broken.message}"
            f"（それより前の {report.count:,} 件は正常）")


class ChainChecker(QObject):
    """Checks the chain step by step; ``finished`` carries the report, ``failed`` a message."""

    progressed = Signal(int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, db: Database, parent: QWidget) -> None:
        super().__init__(parent)
        self._db = db
        self._widget = parent
        self.running = False
        self.report: ChainReport | None = None

    def start(self) -> bool:
        """Begin a check from the first row; False while one is running."""
        if self.running:
            return False
        self.running = True
        db = self._db
        return self._run(lambda _progress: audit.start_check(db))

    def _run(self, work: object) -> bool:
        return Operation(self._widget, work).success(self._stepped).failure(  # type: ignore[arg-type]
            self._failed).run()

    def _stepped(self, check: audit.ChainCheck) -> None:
        if check.report is not None:
            self.running = False
            self.report = check.report
            self.finished.emit(check.report)
            return
        self.progressed.emit(check.checked)
        db = self._db
        self._run(lambda _progress: audit.check_step(db, check))

    def _failed(self, error: ServiceError) -> None:
        self.running = False
        self.failed.emit(error.message)


def _warn(window: QMainWindow, text: str, detail: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, WARNING_TITLE, text,
                      QMessageBox.StandardButton.Ok, window)
    box.setInformativeText(detail)
    box.open()  # not modal to the program: the window stays usable
    return box


def check_at_start(window: QMainWindow, db: Database) -> ChainChecker:
    """After login: warn at once if the audit table's protection had been removed (the start
    recreated it), then check the chain and warn if it is broken."""
    notice = audit.start_notice(db)
    if notice:
        _warn(window, "操作記録の保護が外されていました。", notice)
    checker = ChainChecker(db, window)

    def done(report: ChainReport) -> None:
        if report.broken is not None:
            window.statusBar().showMessage(f"操作記録: {broken_text(report)}")
            _warn(window, BROKEN_TEXT, f"{report.broken.message}\n\n{BROKEN_ADVICE}")

    checker.finished.connect(done)
    checker.failed.connect(lambda message: window.statusBar().showMessage(
        f"操作記録を検証できませんでした: {message}", 10_000))
    checker.start()
    return checker
