"""The login dialog: login ID and password, checked by ``services.auth.login``.

It is the first thing the window shows, before the services are loaded (the database is opened
behind it while the password is typed, ``ui.application``): this module imports no service at
its top (``tests/test_startup_imports.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.logins import LOGIN_MAX
from setacare_desktop.ui.forms import error_label
from setacare_desktop.ui.page import heading

if TYPE_CHECKING:
    from setacare_desktop.services import Database, ServiceError, StaffProfile

EMPTY_LOGIN = "ログインIDを入力してください。"
EMPTY_PASSWORD = "パスワードを入力してください。"


def credential_fields(parent: QWidget, login_id: str) -> tuple[QLineEdit, QLineEdit, QLabel,
                                                                 QLabel]:
    """The login ID and password boxes with their labels (Alt+I, Alt+P), as the login dialog
    and the lock screen ask for them."""
    login_edit = QLineEdit(login_id, parent)
    login_edit.setMaxLength(LOGIN_MAX)
    login_edit.setAccessibleName("ログインID")
    password_edit = QLineEdit(parent)
    password_edit.setEchoMode(QLineEdit.EchoMode.Password)
    password_edit.setAccessibleName("パスワード")
    login_label = QLabel("ログインID(&I)", parent)
    login_label.setBuddy(login_edit)
    password_label = QLabel("パスワード(&P)", parent)
    password_label.setBuddy(password_edit)
    return login_edit, password_edit, login_label, password_label


def typed_credentials(login_edit: QLineEdit, password_edit: QLineEdit,
                      refuse: Callable[[str, QLineEdit], None]) -> tuple[str, str] | None:
    """The login ID and password typed, or None after ``refuse`` was told which one is empty
    (and given its box for the focus)."""
    login_id = login_edit.text().strip()
    password = password_edit.text()
    if not login_id:
        refuse(EMPTY_LOGIN, login_edit)
        return None
    if not password:
        refuse(EMPTY_PASSWORD, password_edit)
        return None
    return login_id, password


class LoginDialog(QDialog):
    """Asks who is working. After ``accepted``, :attr:`profile` is the logged-in staff member.

    Enter submits from either field; the password is checked on the worker thread (argon2 is
    slow by design) while the fields wait disabled. On failure the login ID stays, the password
    is cleared and takes the focus, and the service's message (wrong password, locked account)
    is shown.
    Closing the dialog (or 終了) rejects it.

    At start-up it is shown before the database is open (no ``db``, no ``authenticate``): a login
    submitted meanwhile waits for :meth:`database_ready` (busy cursor, fields disabled), and
    :meth:`database_failed` shows why the database cannot be used.
    """

    def __init__(self, db: Database | None, login_id: str = "", parent: QWidget | None = None,
                 *, authenticate: Callable[[str, str], StaffProfile] | None = None,
                 context: str | None = None) -> None:
        """``authenticate`` (login, password) → profile checks the password: the database's
        ``auth.login`` by default, an offline day package's own check otherwise; ``context``
        says what is being opened (the database by default)."""
        super().__init__(parent)
        self._authenticate: Callable[[str, str], StaffProfile] | None = authenticate
        self.profile: StaffProfile | None = None
        self._given_up = False
        self._waiting = False  # submitted before the database was open
        self._unusable = False  # the database could not be opened
        self.setWindowTitle("SetaCare Desktop — ログイン")

        self.login_edit, self.password_edit, login_label, password_label = credential_fields(
            self, login_id)

        self.error_label = error_label(self)
        self.database_label = QLabel(
            context or (f"データベース: {db.url}" if db is not None else ""), self)
        self.database_label.setWordWrap(True)
        self.database_label.setEnabled(False)  # greyed: context, not a control

        # A plain row, not a QDialogButtonBox: creating one loads PySide6's Qt namespace (about
        # 30 ms) before the first paint. Windows' order: ログイン, then 終了.
        self.login_button = QPushButton("ログイン", self)
        self.quit_button = QPushButton("終了", self)
        self.login_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.login_button)
        buttons.addWidget(self.quit_button)

        form = QFormLayout()
        form.addRow(login_label, self.login_edit)
        form.addRow(password_label, self.password_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("SetaCare Desktop", self))
        layout.addWidget(QLabel("世田谷区 福祉の相談窓口", self))
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        layout.addWidget(self.database_label)

        QWidget.setTabOrder(self.login_edit, self.password_edit)
        QWidget.setTabOrder(self.password_edit, self.login_button)
        QWidget.setTabOrder(self.login_button, self.quit_button)
        (self.password_edit if login_id else self.login_edit).setFocus()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 26)
        self._connect_signals()
        if authenticate is None and db is not None:
            self.database_ready(db)

    def _connect_signals(self) -> None:
        self.login_button.clicked.connect(self.accept)
        self.quit_button.clicked.connect(self.reject)

    def database_ready(self, db: Database) -> None:
        """The database is open: passwords are checked against it (a login submitted while it
        was being opened is checked now)."""
        from setacare_desktop.services import auth

        self._authenticate = functools.partial(auth.login, db)
        if self._waiting:
            self._stop_waiting()
            self.accept()

    def database_failed(self, message: str) -> None:
        """The database cannot be opened: say why (in Japanese); only 終了 is left."""
        self._unusable = True
        if self._waiting:
            self._stop_waiting()
        for widget in self._inputs():
            widget.setEnabled(False)
        self.error_label.setText(message)
        self.error_label.show()
        self.adjustSize()  # a reason of several lines: the dialog grows to show all of it
        self.quit_button.setFocus()

    def _stop_waiting(self) -> None:
        self._waiting = False
        QGuiApplication.restoreOverrideCursor()
        for widget in self._inputs():
            widget.setEnabled(True)

    def accept(self) -> None:
        if self._unusable or self._waiting:
            return
        typed = typed_credentials(self.login_edit, self.password_edit, self._refuse)
        if typed is None:
            return
        if self._authenticate is None:
            # Submitted before the database is open: wait for it (busy cursor, fields disabled,
            # what was typed kept); ``database_ready`` submits again.
            # Not at the top: the dialog is painted before Qt's namespace (costly) is loaded.
            from PySide6.QtCore import Qt

            self._waiting = True
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            for widget in self._inputs():
                widget.setEnabled(False)
            self.error_label.hide()
            return
        self._check(*typed)

    def _check(self, login_id: str, password: str) -> None:
        from setacare_desktop.ui.operations import Operation

        authenticate = self._authenticate
        assert authenticate is not None
        # argon2 takes a good fraction of a second: checked on the worker, the dialog stays
        # responsive (and its buttons and fields disabled, so Enter cannot check twice).
        Operation(self, lambda _progress: authenticate(login_id, password),
                  guard=self._inputs(), label="パスワードを確認しています…",
                  title="SetaCare Desktop — ログイン"
                  ).success(self._authenticated).failure(self._refused).run()

    def _inputs(self) -> list[QWidget]:
        return [self.login_edit, self.password_edit, self.login_button]

    def _authenticated(self, profile: StaffProfile) -> None:
        if self._given_up:
            return  # 終了 was chosen while the password was being checked
        self.profile = profile
        self.error_label.hide()
        super().accept()

    def reject(self) -> None:
        self._given_up = True
        if self._waiting:
            self._stop_waiting()
        super().reject()

    def _refused(self, error: ServiceError) -> None:
        # AuthenticationError (wrong password, locked account) and any other refusal alike.
        self.password_edit.clear()
        self._refuse(error.message, self.password_edit)

    def _refuse(self, message: str, focus: QLineEdit) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        focus.setFocus()
