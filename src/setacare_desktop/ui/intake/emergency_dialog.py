"""緊急時の例外: sharing without consent (life or body at risk, consent cannot be obtained),
approved at the clerk's desk by a supervisor entering their own login and password."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.consent import EMERGENCY_GROUNDS
from setacare_desktop.services import Database, ServiceError, StaffProfile, ValidationError
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services.errors import Problem
from setacare_desktop.services.intake import Recipient
from setacare_desktop.ui.forms import FormProblems
from setacare_desktop.ui.operations import Operation

EXPLANATION = (
    f"{EMERGENCY_GROUNDS}に限り、同意なしで共有する例外として記録します。"
    "この地区を担当する監督者が、自分のログインIDと"
    "パスワードを入力して承認してください。")
ANY_RECIPIENT = "（必要なすべての関係先）"


class EmergencyDialog(QDialog):
    """Reason, recipient, supervisor login and password → ``record_emergency_exception``.

    Problems stay in the dialog (nothing typed is cleared, except the password after a refusal);
    after ``accepted``, :attr:`exception_id` is the new record.
    """

    def __init__(self, db: Database, actor: StaffProfile, consultation_id: int,
                 recipients: Iterable[Recipient], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self.consultation_id = consultation_id
        self.exception_id: int | None = None
        self.approver_login = ""
        self.setWindowTitle(f"緊急時の例外を記録（No. {consultation_id}）")

        self.explanation = QLabel(EXPLANATION, self)
        self.explanation.setWordWrap(True)
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setAccessibleName("例外の理由")
        self.recipient_combo = QComboBox(self)
        self.recipient_combo.addItem(ANY_RECIPIENT, None)
        for recipient in recipients:
            self.recipient_combo.addItem(recipient.name, recipient.key)
        self.recipient_combo.setAccessibleName("共有先")
        self.login_edit = QLineEdit(self)
        self.login_edit.setAccessibleName("監督者のログインID")
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("監督者のパスワード")
        self.problems = FormProblems(self)

        form = QFormLayout()
        for field, text, widget in (
                ("例外の理由", "例外の理由(&R)", self.reason_edit),
                ("共有先", "共有先(&T)", self.recipient_combo),
                ("監督者のログインID", "監督者のログインID(&I)", self.login_edit),
                ("監督者のパスワード", "監督者のパスワード(&P)", self.password_edit)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
            self.problems.register(field, label, widget)

        self.buttons = QDialogButtonBox(self)
        self.record_button: QPushButton = self.buttons.addButton(
            "承認して記録", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button: QPushButton = self.buttons.addButton(
            "キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 32)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.setFocus()

    def accept(self) -> None:
        if not self.login_edit.text().strip():
            self.problems.show_problems([Problem(
                "監督者のログインID", "入力してください")])
            return
        reason = self.reason_edit.toPlainText()
        login = self.login_edit.text()
        password = self.password_edit.text()
        recipient = self.recipient_combo.currentData()
        # The supervisor's password is checked with argon2: on the worker thread.
        Operation(self, lambda _progress: intake_service.record_emergency_exception(
            self._db, self._actor, self.consultation_id, reason=reason,
            supervisor_login=login, supervisor_password=password, recipient=recipient),
            guard=[self.record_button], label="監督者の承認を確認しています…",
        ).success(self._recorded).failure(self._refused).run()

    def _refused(self, error: ServiceError) -> None:
        if isinstance(error, ValidationError):
            self.problems.show_problems(error.problems)
            return
        self.password_edit.clear()
        self.problems.show_message(error.message)

    def _recorded(self, exception_id: int) -> None:
        self.exception_id = exception_id
        self.approver_login = self.login_edit.text().strip()
        self.problems.clear_problems()
        super().accept()
