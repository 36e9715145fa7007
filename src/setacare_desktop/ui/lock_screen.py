"""The lock screen: what a locked window shows instead of its work, and the login on it.

The locked staff member types their password (``services.screen_lock.unlock_screen``: a wrong
one counts towards the account's lock-out). Another staff member changes the login ID and logs
in (``log_in_at_lock``): the first one's unsaved input is saved as *their* draft first, then
they are logged out and the window goes on as the new staff member. Passwords are checked on
the worker thread (argon2 is slow by design) while the fields wait disabled.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.services import Database, ServiceError, StaffProfile, screen_lock
from setacare_desktop.ui.forms import error_label
from setacare_desktop.ui.login_dialog import credential_fields, typed_credentials
from setacare_desktop.ui.operations import Operation
from setacare_desktop.ui.page import heading

LOCKED_HEADING = "画面はロックされています"
UNLOCK = "ロックを解除"
SWITCH = "ログイン（切り替え）"
DRAFT_NOT_SAVED = ("{name} さんの入力中の受付を下書きとして保存できなかったため、"
                   "ログインを切り替えられません。{name} さんがロックを解除して保存してください。")


class LockScreen(QWidget):
    """Whose window this is, and a login: their password unlocks (``unlocked``); another
    staff member's login and password log them in instead (``switched`` with the new
    profile). ``keep_draft`` saves the locked staff member's unsaved input as their draft and
    says whether it is safe (nothing left unsaved) before another staff member logs in."""

    unlocked = Signal()
    #: Another staff member logged in (their StaffProfile); the locked one is logged out.
    switched = Signal(object)

    def __init__(self, db: Database, profile: StaffProfile, keep_draft: Callable[[], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._profile = profile
        self._keep_draft = keep_draft
        self.setAccessibleName("画面ロック")

        self.who_label = QLabel(
            f"{profile.name}（{profile.login}）さんが使用中です。"
            "続けるにはパスワードを入力してください。", self)
        self.who_label.setWordWrap(True)
        self.other_label = QLabel(
            f"別の職員がログインすると、{profile.name} さんはログアウトされます"
            f"（入力中の受付は {profile.name} さんの下書きとして残ります）。", self)
        self.other_label.setWordWrap(True)
        self.other_label.setEnabled(False)  # greyed: an explanation, not a control
        self.login_edit, self.password_edit, login_label, password_label = credential_fields(
            self, profile.login)
        self.error_label = error_label(self)
        self.unlock_button = QPushButton(UNLOCK, self)
        self.unlock_button.setDefault(True)

        form = QFormLayout()
        form.addRow(login_label, self.login_edit)
        form.addRow(password_label, self.password_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        panel = QFrame(self)
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        panel.setFixedWidth(self.fontMetrics().horizontalAdvance("あ") * 30)
        inner = QVBoxLayout(panel)
        inner.addWidget(heading(LOCKED_HEADING, panel))
        inner.addWidget(self.who_label)
        inner.addLayout(form)
        inner.addWidget(self.error_label)
        inner.addLayout(buttons)
        inner.addWidget(self.other_label)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel, 0, Qt.AlignmentFlag.AlignCenter)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        QWidget.setTabOrder(self.login_edit, self.password_edit)
        QWidget.setTabOrder(self.password_edit, self.unlock_button)
        self.unlock_button.clicked.connect(self.submit)
        self.login_edit.returnPressed.connect(self.submit)
        self.password_edit.returnPressed.connect(self.submit)
        self.login_edit.textChanged.connect(self._login_changed)

    def reset(self) -> None:
        """Fresh for the locked staff member: their login, no password, no message."""
        self.login_edit.setText(self._profile.login)
        self.password_edit.clear()
        self.error_label.clear()
        self.error_label.hide()
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def is_switch(self) -> bool:
        """Whether the login typed is another staff member's."""
        return self.login_edit.text().strip() != self._profile.login

    def _login_changed(self) -> None:
        self.unlock_button.setText(SWITCH if self.is_switch() else UNLOCK)

    def submit(self) -> None:
        typed = typed_credentials(self.login_edit, self.password_edit, self._refuse)
        if typed is None:
            return
        login_id, password = typed
        if self.is_switch():
            # The draft first, on this thread: it must be in the database, under the locked
            # staff member, before anyone else is let in.
            if not self._keep_draft():
                self._refuse(DRAFT_NOT_SAVED.format(name=self._profile.name), self.login_edit)
                return
            db, locked = self._db, self._profile
            Operation(self, lambda _p: screen_lock.log_in_at_lock(db, locked, login_id, password),
                      guard=self._inputs(), label="パスワードを確認しています…"
                      ).success(self.switched.emit).failure(self._refused).run()
            return
        db, actor = self._db, self._profile
        Operation(self, lambda _p: screen_lock.unlock_screen(db, actor, password),
                  guard=self._inputs(), label="パスワードを確認しています…"
                  ).success(lambda _profile: self.unlocked.emit()).failure(self._refused).run()

    def _inputs(self) -> list[QWidget]:
        return [self.login_edit, self.password_edit, self.unlock_button]

    def _refused(self, error: ServiceError) -> None:
        self.password_edit.clear()
        self._refuse(error.message, self.password_edit)

    def _refuse(self, message: str, focus: QLineEdit) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        focus.setFocus(Qt.FocusReason.OtherFocusReason)
