"""「同意を記録してつなぐ」 (and, at the intake, 「意思の変更を記録…」): a consent for one recipient,
recorded only as the clerk chose it.

Nothing is preselected: 本人 or 代理人, 口頭 or 書面 and the date must each be chosen (「今日」 fills
in today's date on request). Where the latest record for the destination is a refusal, the dialog
is the record of a change of mind: it names the refusal (who refused, when, who recorded it), and
also asks for the clerk's confirmation 「本人の意思が変わったことを確認した」 and how the mind
changed. The refusal stays in the history; the service checks all of it again.

The dialog is opened window-modal without a nested event loop (``open()``); ``submit`` records the
consent and the referral (raising ``ValidationError`` or ``ServiceError`` to keep it open with the
problems shown at their fields).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.consent import CHANGE_OF_MIND_CONFIRMATION, Giver, Method, Purpose
from setacare_desktop.domain.jpdate import local_now, to_wareki
from setacare_desktop.services import ServiceError, ValidationError
from setacare_desktop.services.inputs import date_field
from setacare_desktop.ui.forms import FormProblems


@dataclass(frozen=True, slots=True)
class ConsentChoice:
    """What the clerk entered (``None``: not chosen)."""

    giver: Giver | None
    giver_relation: str
    method: Method | None
    given_on: date | None
    mind_changed: bool
    change_note: str


class ConsentDialog(QDialog):
    """Record the consent for a destination; ``refusal`` is the refusal it would replace."""

    def __init__(self, destination: str, purpose: Purpose, reason: str, *,
                 refusal_id: int | None, submit: Callable[[ConsentChoice], None],
                 ok_text: str = "同意を記録してつなぐ", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.refusal_id = refusal_id
        self._submit = submit
        changing = refusal_id is not None
        self.setWindowTitle("本人の意思の変更を記録" if changing else "同意を記録")
        if changing:
            intro = (f"{reason}\n\nこの不同意は記録に残ります。本人（または代理人）に改めて確認し、"
                     f"意思が変わったことを確かめた場合に限り、「{destination}」への"
                     f"{purpose.label}の同意を新しい記録として残せます。")
        else:
            intro = (f"「{destination}」への{purpose.label}の同意を記録します。"
                     "本人（または代理人）に確認した内容を、それぞれ選んでください。")
        self.intro_label = QLabel(intro, self)
        self.intro_label.setWordWrap(True)

        self.self_radio = QRadioButton(Giver.SELF.label, self)
        self.proxy_radio = QRadioButton(Giver.PROXY.label, self)
        self.giver_group = self._group(self.self_radio, self.proxy_radio)
        self.relation_edit = QLineEdit(self)
        self.relation_edit.setAccessibleName("代理人の続柄")
        self.relation_edit.setPlaceholderText("代理人の続柄（例: 長女）")
        self.relation_edit.setEnabled(False)
        self.oral_radio = QRadioButton(Method.ORAL.label, self)
        self.written_radio = QRadioButton(Method.WRITTEN.label, self)
        self.method_group = self._group(self.oral_radio, self.written_radio)
        self.date_edit = QLineEdit(self)
        self.date_edit.setAccessibleName("同意日")
        self.date_edit.setPlaceholderText("例: 令和8年11月30日、R8.11.30、2026-11-30")
        self.today_button = QPushButton("今日", self)
        self.confirm_check = QCheckBox(CHANGE_OF_MIND_CONFIRMATION, self)
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setAccessibleName("変更の経緯")
        self.note_edit.setPlaceholderText("例: 長女同席で説明を聞き、支援を受けたいと本人が話した")
        self.note_edit.setFixedHeight(self.fontMetrics().height() * 4)
        self.problems = FormProblems(self)

        form = QFormLayout()
        self.giver_label = self._row(form, "同意者", self.self_radio, self.proxy_radio,
                                     self.relation_edit)
        self.method_label = self._row(form, "同意の方法", self.oral_radio, self.written_radio)
        self.date_label = self._row(form, "同意日", self.date_edit, self.today_button)
        self.confirm_label = QLabel("本人の意思の確認", self)
        self.note_label = QLabel("変更の経緯", self)
        if changing:
            form.addRow(self.confirm_label, self.confirm_check)
            form.addRow(self.note_label, self.note_edit)
        else:
            self.confirm_label.hide()
            self.confirm_check.hide()
            self.note_label.hide()
            self.note_edit.hide()
        for field, label, widget in (
                ("同意者", self.giver_label, self.self_radio),
                ("同意者の続柄", self.giver_label, self.relation_edit),
                ("同意の方法", self.method_label, self.oral_radio),
                ("同意日", self.date_label, self.date_edit),
                ("本人の意思の確認", self.confirm_label, self.confirm_check),
                ("変更の経緯", self.note_label, self.note_edit)):
            self.problems.register(field, label, widget)

        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 34)

        self.proxy_radio.toggled.connect(self.relation_edit.setEnabled)
        self.today_button.clicked.connect(
            lambda: self.date_edit.setText(to_wareki(local_now().date())))
        self.buttons.accepted.connect(self.accept_choice)
        self.buttons.rejected.connect(self.reject)

    def _group(self, *buttons: QRadioButton) -> QButtonGroup:
        group = QButtonGroup(self)
        for button in buttons:
            group.addButton(button)
        return group

    def _row(self, form: QFormLayout, text: str, *widgets: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(widgets[0])
        row = QHBoxLayout()
        for widget in widgets:
            row.addWidget(widget)
        row.addStretch(1)
        form.addRow(label, row)
        return label

    def choice(self) -> ConsentChoice:
        """What is entered; a date that cannot be read raises ``ValidationError`` (同意日)."""
        giver = (Giver.SELF if self.self_radio.isChecked()
                 else Giver.PROXY if self.proxy_radio.isChecked() else None)
        method = (Method.ORAL if self.oral_radio.isChecked()
                  else Method.WRITTEN if self.written_radio.isChecked() else None)
        text = self.date_edit.text().strip()
        return ConsentChoice(giver, self.relation_edit.text(), method,
                             date_field(text, "同意日") if text else None,
                             self.confirm_check.isChecked(), self.note_edit.toPlainText())

    def accept_choice(self) -> bool:
        """Record what is entered; the dialog closes only once it was recorded."""
        try:
            self._submit(self.choice())
        except ValidationError as error:
            self.problems.show_problems(error.problems)
            return False
        except ServiceError as error:
            self.problems.show_message(error.message)
            return False
        self.accept()
        return True
