"""同意の撤回: the day consent ends and why; the record itself stays (the history is kept)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.jpdate import DateParseError, local_now, parse_date, to_wareki
from setacare_desktop.services import Database, ServiceError, StaffProfile, ValidationError
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services.errors import Problem
from setacare_desktop.services.intake import ConsentRow
from setacare_desktop.ui.forms import FormProblems
from setacare_desktop.ui.intake.widgets import date_hint, hint_label, show_hint


class WithdrawDialog(QDialog):
    """Date (default today) and reason → ``services.intake.withdraw_consent``."""

    def __init__(self, db: Database, actor: StaffProfile, row: ConsentRow,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self.row = row
        record = row.record
        self.setWindowTitle("同意の撤回")
        self.subject = QLabel(
            f"{row.recipient_name}への{record.purpose.label}の同意"
            f"（{to_wareki(record.given_on)}、{record.giver.label}・{record.method.label}）を"
            "撤回します。記録は削除されず、撤回日と理由が残ります。", self)
        self.subject.setWordWrap(True)
        self.date_edit = QLineEdit(to_wareki(local_now().date()), self)
        self.date_hint = hint_label(self)
        self.reason_edit = QLineEdit(self)
        self.problems = FormProblems(self)
        form = QFormLayout()
        for field, text, widget in (("撤回日", "撤回日(&D)", self.date_edit),
                                    ("撤回の理由", "撤回の理由(&R)", self.reason_edit)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            widget.setAccessibleName(field)
            form.addRow(label, widget)
            self.problems.register(field, label, widget)
            if widget is self.date_edit:
                form.addRow("", self.date_hint)
        self.buttons = QDialogButtonBox(self)
        self.withdraw_button: QPushButton = self.buttons.addButton(
            "撤回する", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button: QPushButton = self.buttons.addButton(
            "キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.subject)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 28)
        self.date_edit.textChanged.connect(self._date_changed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._date_changed()
        self.reason_edit.setFocus()

    def _date_changed(self) -> None:
        show_hint(self.date_hint, date_hint(self.date_edit.text()))

    def accept(self) -> None:
        try:
            day = parse_date(self.date_edit.text())
        except DateParseError as error:
            self.problems.show_problems([Problem("撤回日", str(error))])
            return
        try:
            intake_service.withdraw_consent(self._db, self._actor, self.row.consent_id, on=day,
                                            reason=self.reason_edit.text())
        except ValidationError as error:
            self.problems.show_problems(error.problems)
            return
        except ServiceError as error:
            self.problems.show_message(error.message)
            return
        self.problems.clear_problems()
        super().accept()
