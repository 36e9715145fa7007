"""この連絡先を編集: a supervisor or administrator corrects a destination of the directory.

A non-blocking dialog over the つなぎ先 page. It edits what ``services.directory.edit_service``
covers (description, eligibility, hours, phones, keywords, target groups and elements, and whether
the contact is confirmed) and saves through that service, which audits the change and keeps the
state before and after as history; the history is listed at the bottom of the dialog. The
service's Japanese messages are shown at the fields they concern; nothing typed is cleared.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain import directory as d
from setacare_desktop.domain.jpdate import utc_to_local
from setacare_desktop.domain.reference import ELEMENTS, TARGET_GROUPS, Term
from setacare_desktop.services import Database, ServiceError, StaffProfile, ValidationError
from setacare_desktop.services import directory as directory_service
from setacare_desktop.services.directory import Confirmation, HistoryRow, ServiceEdit
from setacare_desktop.ui.directory.place_editor import PlaceEditorDialog
from setacare_desktop.ui.forms import error_label

CONFIRM_TEXT = "確認済にする"

# Where a message of the service belongs, by the words it starts with (the service names the
# destination in Problem.field, the field only in the message itself).
FIELD_DESCRIPTION = "内容"
FIELD_ELIGIBILITY = "対象"
FIELD_HOURS = "受付時間"
FIELD_PHONES = "電話番号"
FIELD_KEYWORDS = "キーワード"
FIELD_GROUPS = "対象区分"
FIELD_ELEMENTS = "要素"
FIELD_CONFIRMED = "連絡先の確認"
_PROBLEM_FIELDS = ((FIELD_PHONES, FIELD_PHONES), (FIELD_GROUPS, FIELD_GROUPS),
                   (FIELD_ELEMENTS, FIELD_ELEMENTS))

# The names ``edit_service`` records as changed, in words (``dir_attribute`` holds the target
# groups, elements and keywords).
HISTORY_FIELD_LABELS = {
    **directory_service.EDIT_LABELS, "alternate_name": "別名", "status": "状態",
    "contact_confirmed": "連絡先の確認", "confirmed_at": "確認日", "dir_phone": "電話番号", "dir_schedule": "受付時間",
    "dir_service_area": "担当範囲", "dir_attribute": "対象区分・要素・キーワード",
    "dir_service_at_location": "所在地", "organization_id": "運営",
}
HISTORY_ACTIONS = {"edit": "編集", "import": "取込", "create": "登録", "delete": "削除"}

_KEYWORD_SPLIT = re.compile(r"[、,，\s]+")


def phone_lines(phones: tuple[d.Phone, ...]) -> str:
    """One phone a line: the number, then its description after a space."""
    return "\n".join(f"{p.number} {p.description}".rstrip() for p in phones)


def parse_phones(text: str, previous: tuple[d.Phone, ...] = ()) -> list[d.Phone]:
    """The phones typed one a line (「03-1234-5678 代表」); a known number keeps its HSDS type,
    a new one is ``fax`` when its description says FAX, otherwise ``voice``."""
    types = {p.number: p.type for p in previous}
    phones = []
    for line in text.splitlines():
        parts = line.strip().split(maxsplit=1)
        if not parts:
            continue
        number = parts[0]
        description = parts[1].strip() if len(parts) > 1 else ""
        kind = types.get(number) or ("fax" if "FAX" in description.upper() else "voice")
        phones.append(d.Phone(number, kind, description))
    return phones


def history_text(row: HistoryRow, actor: StaffProfile) -> str:
    """「2025/04/01 10:30　山田 監督者（職員ID 3）　編集: 電話番号、連絡先の確認」."""
    at = utc_to_local(row.at)
    if row.staff_id is None:
        who = "システム"
    elif row.staff_id == actor.staff_id:
        who = f"{actor.name}（職員ID {row.staff_id}）"
    else:
        who = f"職員ID {row.staff_id}"
    fields = "、".join(HISTORY_FIELD_LABELS.get(f, f) for f in row.fields)
    action = HISTORY_ACTIONS.get(row.action, row.action)
    return f"{at:%Y/%m/%d %H:%M}　{who}　{action}: {fields}"


def confirmation_text(state: Confirmation) -> str:
    """「確認済: 2026/11/30 山田 監督者」, 「要確認（前回の確認 2025/01/10 から1年を過ぎています）」."""
    if state.at is None:
        return "要確認（確認の記録はありません）"
    at = f"{utc_to_local(state.at):%Y/%m/%d}"
    by = f" {state.by}" if state.by else ""
    if state.current:
        return f"確認済: {at}{by}（1年後に要確認に戻ります）"
    return f"要確認（前回の確認 {at}{by} から1年を過ぎています）"


class DirectoryEditDialog(QDialog):
    """Edit one destination. Emits ``saved(service_id)`` after a change was stored."""

    saved = Signal(int)

    def __init__(self, db: Database, actor: StaffProfile, service_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self.service_id = service_id
        self.setModal(False)
        loaded = directory_service.load(db)
        self._service = loaded.directory.service(loaded.hsds_id(service_id))
        service = self._service
        self.setWindowTitle(f"連絡先の編集 — {service.name}")

        self.name_label = QLabel(service.name, self)
        self.name_label.setWordWrap(True)
        self.description_edit = QPlainTextEdit(service.description, self)
        self.eligibility_edit = QPlainTextEdit(service.eligibility, self)
        self.hours_edit = QPlainTextEdit(
            "\n".join(s.description for s in service.schedules), self)
        self.hours_edit.setPlaceholderText("1行に1つ（例: 平日 8:30〜17:15）")
        self.phones_edit = QPlainTextEdit(phone_lines(service.phones), self)
        self.phones_edit.setPlaceholderText("1行に1つ、番号のあとに空白で説明（例: 03-1234-5678 代表）")
        self.keywords_edit = QLineEdit("、".join(service.keywords), self)
        self.keywords_edit.setPlaceholderText("読点・空白で区切る（例: ひきこも、不登校）")
        for edit in (self.description_edit, self.eligibility_edit, self.hours_edit,
                     self.phones_edit):
            edit.setTabChangesFocus(True)
            edit.setMaximumHeight(edit.fontMetrics().lineSpacing() * 5)
        self.group_checks = self._checks(TARGET_GROUPS, service.target_groups)
        self.element_checks = self._checks(ELEMENTS, service.elements)
        self.confirmed_check = QCheckBox(CONFIRM_TEXT, self)
        self.confirmed_label = QLabel(self)
        self.confirmed_label.setAccessibleName("確認の記録")
        self.refresh_confirmation()
        self.problems = error_label(self)  # what belongs to no field
        self.history_list = QListWidget(self)
        self.history_list.setAccessibleName("変更履歴")

        self.field_errors: dict[str, QLabel] = {}
        form = QFormLayout()
        form.addRow("つなぎ先", self.name_label)
        self._add_row(form, FIELD_DESCRIPTION, "内容(&D)", self.description_edit)
        self._add_row(form, FIELD_ELIGIBILITY, "対象(&E)", self.eligibility_edit)
        self._add_row(form, FIELD_HOURS, "受付時間(&H)", self.hours_edit)
        self._add_row(form, FIELD_PHONES, "電話番号(&P)", self.phones_edit)
        self._add_row(form, FIELD_KEYWORDS, "キーワード(&K)", self.keywords_edit)
        self._add_row(form, FIELD_GROUPS, "対象区分", self._grid(self.group_checks, 3))
        self._add_row(form, FIELD_ELEMENTS, "要素", self._grid(self.element_checks, 3))
        self._add_row(form, FIELD_CONFIRMED, "連絡先(&C)", self.confirmed_check)
        form.addRow("", self.confirmed_label)

        self.buttons = QDialogButtonBox(self)
        self.save_button: QPushButton = self.buttons.addButton(
            "保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button: QPushButton = self.buttons.addButton(
            "閉じる", QDialogButtonBox.ButtonRole.RejectRole)
        self.places_button = QPushButton("運営組織・所在地を編集(&L)…", self)
        self.places_dialog: PlaceEditorDialog | None = None
        self.save_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.places_button)
        layout.addWidget(self.buttons)
        layout.addWidget(QLabel("変更履歴（新しい順）", self))
        layout.addWidget(self.history_list, 1)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 36)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.places_button.clicked.connect(self.edit_places)
        self.refresh_history()
        self.description_edit.setFocus()

    def _checks(self, terms: tuple[Term, ...], chosen: frozenset[str]) -> dict[str, QCheckBox]:
        checks = {}
        for term in terms:
            check = QCheckBox(term.label, self)
            check.setChecked(term.code in chosen)
            checks[term.code] = check
        return checks

    def _grid(self, checks: dict[str, QCheckBox], columns: int) -> QWidget:
        box = QWidget(self)
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, check in enumerate(checks.values()):
            grid.addWidget(check, i // columns, i % columns)
        return box

    def _add_row(self, form: QFormLayout, field: str, text: str, widget: QWidget) -> None:
        label = QLabel(text, self)
        label.setBuddy(widget)
        widget.setAccessibleName(field)
        error = error_label(self)
        column = QWidget(self)
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        column_layout.addWidget(widget)
        column_layout.addWidget(error)
        form.addRow(label, column)
        self.field_errors[field] = error

    # --- the edit -------------------------------------------------------------------------

    def edit(self) -> ServiceEdit:
        """What the form holds, as the service takes it."""
        return ServiceEdit(
            description=self.description_edit.toPlainText(),
            eligibility=self.eligibility_edit.toPlainText(),
            schedules=self.hours_edit.toPlainText().splitlines(),
            phones=parse_phones(self.phones_edit.toPlainText(), self._service.phones),
            keywords=[k for k in _KEYWORD_SPLIT.split(self.keywords_edit.text()) if k],
            target_groups=[c for c, check in self.group_checks.items() if check.isChecked()],
            elements=[c for c, check in self.element_checks.items() if check.isChecked()],
            contact_confirmed=self.confirmed_check.isChecked(),
        )

    def clear_problems(self) -> None:
        for label in (self.problems, *self.field_errors.values()):
            label.clear()
            label.hide()

    def show_problems(self, problems: list[str]) -> None:
        """Each message at its field (the rest under the form); the first field takes the
        focus."""
        self.clear_problems()
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            field = next((f for word, f in _PROBLEM_FIELDS if problem.startswith(word)), "")
            by_field.setdefault(field, []).append(problem)
        for field, texts in by_field.items():
            label = self.field_errors.get(field, self.problems)
            label.setText("\n".join(texts))
            label.show()

    def save(self) -> None:
        try:
            directory_service.edit_service(self._db, self._actor, self.service_id, self.edit())
        except ValidationError as error:
            self.show_problems([p.message for p in error.problems])
            return
        except ServiceError as error:
            self.show_problems([error.message])
            return
        self.clear_problems()
        loaded = directory_service.load(self._db)
        self._service = loaded.directory.service(loaded.hsds_id(self.service_id))
        self.refresh_confirmation()
        self.refresh_history()
        self.saved.emit(self.service_id)

    def edit_places(self) -> PlaceEditorDialog:
        """The organisation and locations of this destination, in their own window."""
        if self.places_dialog is None:
            self.places_dialog = PlaceEditorDialog(self._db, self._actor, self.service_id, self)
            self.places_dialog.saved.connect(lambda: self.saved.emit(self.service_id))
        else:
            self.places_dialog.raise_()
        self.places_dialog.show()
        return self.places_dialog

    def refresh_confirmation(self) -> None:
        """The box ticked only while the confirmation counts (a year); who confirmed it when."""
        state = directory_service.confirmation(self._db, self.service_id)
        self.confirmed_check.setChecked(state.current)
        self.confirmed_label.setText(confirmation_text(state))

    def refresh_history(self) -> None:
        self.history_list.clear()
        rows = directory_service.service_history(self._db, self.service_id)
        for row in rows:
            self.history_list.addItem(history_text(row, self._actor))
        if not rows:
            self.history_list.addItem("（変更の記録はありません）")
