"""The backup reminder: a bar across the top of an administrator's window when the last backup
of the SQLite database is older than the set number of days (``setacare backup
--reminder-days``), with a button that makes one there and then.

The check and the backup run off the window's thread (``Operation``); the bar never blocks
anything and 「閉じる」 hides it until the next login. The decision (who is reminded, when) is
``services.backup.backup_reminder``.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QToolBar,
)

from setacare_desktop.services import Database, ServiceError, StaffProfile, backup
from setacare_desktop.ui.operations import Operation
from setacare_desktop.ui.overwrite import confirm_overwrite, save_target

TITLE = "バックアップの確認"
BACK_UP_NOW = "今すぐバックアップ(&B)…"
DONE = "バックアップを作成しました: {path}"


class BackupReminder(QToolBar):
    """The bar; made hidden, shown when the service says a reminder is due."""

    def __init__(self, window: QMainWindow, db: Database, actor: StaffProfile) -> None:
        super().__init__(TITLE, window)
        self._db = db
        self._actor = actor
        self._window = window
        self.setObjectName("backup_reminder")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)  # not one of the toolbars a user arranges
        self.message = QLabel(self)
        self.message.setStyleSheet("QLabel { color: #8a4b00; padding: 2px 8px; }")
        self.message.setWordWrap(False)
        self.back_up_button = QPushButton(BACK_UP_NOW, self)
        self.close_button = QPushButton("閉じる", self)
        self.addWidget(self.message)
        self.addWidget(self.back_up_button)
        self.addWidget(self.close_button)
        self.back_up_button.clicked.connect(self.back_up)
        self.close_button.clicked.connect(self.hide)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self)
        self.hide()

    def check(self) -> None:
        """Ask the service (in the background) whether to remind; show the bar if so."""
        Operation(self._window, lambda _p: backup.backup_reminder(self._db, self._actor)).success(
            self._show).failure(lambda _error: None).run()

    def _show(self, text: str | None) -> None:
        if text is None:
            self.hide()
            return
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.show()

    def choose_file(self) -> str:
        """The file name the administrator chooses (a save dialog; tests replace this)."""
        name, _filter = QFileDialog.getSaveFileName(
            self._window, "バックアップの保存先", f"setacare-{date.today():%Y-%m-%d}.db",
            "SQLite データベース (*.db)")
        return name

    def back_up(self) -> None:
        chosen = self.choose_file()
        if not chosen:
            return
        target = save_target(chosen, "db", lambda path: confirm_overwrite(self._window, path))
        if target is None:
            return
        path, replace = target
        Operation(self._window, lambda _p: backup.backup(self._db, self._actor, path,
                                                         force=replace),
                  label="バックアップを作成しています…", guard=[self.back_up_button]).success(
            self._made).failure(self._failed).run()

    def _made(self, result: backup.BackupResult) -> None:
        self.hide()
        bar = self._window.statusBar()
        bar.showMessage(DONE.format(path=result.path), 15_000)

    def _failed(self, error: ServiceError) -> None:
        self.show_problem(error.message)

    def show_problem(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, TITLE, text, QMessageBox.StandardButton.Ok,
                          self._window)
        box.open()


def attach(window: QMainWindow, db: Database, actor: StaffProfile) -> BackupReminder:
    """Add the bar to ``window`` and check at once (only administrators ever see it)."""
    bar = BackupReminder(window, db, actor)
    bar.check()
    return bar

