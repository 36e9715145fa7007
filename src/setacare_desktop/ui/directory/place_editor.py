"""運営組織・所在地の編集: a supervisor or administrator corrects the organisation that runs a
destination and its locations with their address (``services.directory_places``).

Two parts, each saved on its own (one change, one audited transaction): the organisation, and
the location chosen in the list. A problem is shown under its field (the service names the
field by its label); nothing typed is cleared. Emits ``saved`` after a change was stored.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain import directory as d
from setacare_desktop.services import Database, ServiceError, StaffProfile, ValidationError
from setacare_desktop.services import directory_places as places
from setacare_desktop.ui.forms import error_label

Editor = QLineEdit | QPlainTextEdit


class _Form(QGroupBox):
    """Labelled fields with an error label under each, from a service's field table."""

    def __init__(self, title: str, fields: dict[str, tuple[str, int | None, bool]],
                 parent: QWidget) -> None:
        super().__init__(title, parent)
        self.edits: dict[str, Editor] = {}
        self.errors: dict[str, QLabel] = {}
        self.form = QFormLayout(self)
        for key, (label, _limit, multiline) in fields.items():
            edit: Editor = QPlainTextEdit(self) if multiline else QLineEdit(self)
            if isinstance(edit, QPlainTextEdit):
                edit.setTabChangesFocus(True)
                edit.setMaximumHeight(edit.fontMetrics().lineSpacing() * 4)
            edit.setAccessibleName(label)
            error = error_label(self)
            column = QWidget(self)
            column_layout = QVBoxLayout(column)
            column_layout.setContentsMargins(0, 0, 0, 0)
            column_layout.addWidget(edit)
            column_layout.addWidget(error)
            self.form.addRow(label, column)
            self.edits[key], self.errors[label] = edit, error
        self.general = error_label(self)
        self.form.addRow(self.general)

    def fill(self, values: dict[str, str]) -> None:
        for key, edit in self.edits.items():
            text = values.get(key, "")
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(text)
            else:
                edit.setText(text)

    def values(self) -> dict[str, str]:
        return {k: e.toPlainText() if isinstance(e, QPlainTextEdit) else e.text()
                for k, e in self.edits.items()}

    def show_problems(self, error: ServiceError) -> None:
        self.clear_problems()
        problems = [(p.field, p.message) for p in error.problems] if isinstance(
            error, ValidationError) else [("", error.message)]
        for field, message in problems:
            label = self.errors.get(field, self.general)
            label.setText("\n".join(filter(None, (label.text(), message))))
            label.show()

    def clear_problems(self) -> None:
        for label in (*self.errors.values(), self.general):
            label.clear()
            label.hide()


def _location_values(loc: d.Location) -> dict[str, str]:
    a = loc.address
    values = {"name": loc.name, "alternate_name": loc.alternate_name,
              "description": loc.description,
              "latitude": "" if loc.latitude is None else str(loc.latitude),
              "longitude": "" if loc.longitude is None else str(loc.longitude)}
    if a is not None:
        values |= {"postal_code": a.postal_code, "state_province": a.state_province,
                   "city": a.city, "address_1": a.address_1, "address_2": a.address_2}
    return values


class PlaceEditorDialog(QDialog):
    saved = Signal()

    def __init__(self, db: Database, actor: StaffProfile, service_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db, self._actor, self.service_id = db, actor, service_id
        self.setModal(False)
        self.setWindowTitle("運営組織・所在地の編集")
        self.organization_form = _Form("運営組織", places.ORGANIZATION_FIELDS, self)
        self.save_organization_button = QPushButton("組織を保存", self)
        self.location_choice = QComboBox(self)
        self.location_choice.setAccessibleName("所在地の選択")
        self.location_form = _Form("所在地・住所", places.LOCATION_FIELDS, self)
        self.save_location_button = QPushButton("所在地を保存", self)
        self.status = QLabel(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.organization_form)
        layout.addWidget(self.save_organization_button)
        layout.addWidget(self.location_choice)
        layout.addWidget(self.location_form)
        layout.addWidget(self.save_location_button)
        layout.addWidget(self.status)
        self.save_organization_button.clicked.connect(self.save_organization)
        self.save_location_button.clicked.connect(self.save_location)
        self.location_choice.currentIndexChanged.connect(self._show_location)
        self._load()

    def _load(self) -> None:
        found = places.places_of(self._db, self.service_id)
        self._organization = found.organization
        self._locations = found.locations
        org = found.organization
        self.organization_form.fill({"name": org.name, "alternate_name": org.alternate_name,
                                     "description": org.description, "website": org.website,
                                     "email": org.email})
        self.location_choice.blockSignals(True)
        self.location_choice.clear()
        for loc in found.locations:
            self.location_choice.addItem(loc.name, loc.id)
        self.location_choice.blockSignals(False)
        has_location = bool(found.locations)
        self.location_form.setEnabled(has_location)
        self.save_location_button.setEnabled(has_location)
        if has_location:
            self._show_location(0)
        else:
            self.location_choice.addItem("（所在地は登録されていません）")

    def _show_location(self, index: int) -> None:
        if 0 <= index < len(self._locations):
            self.location_form.clear_problems()
            self.location_form.fill(_location_values(self._locations[index]))

    def save_organization(self) -> None:
        try:
            places.edit_organization(self._db, self._actor, self._organization.id,
                                     self.organization_form.values())
        except ServiceError as error:
            self.organization_form.show_problems(error)
            return
        self.organization_form.clear_problems()
        self.status.setText("運営組織を保存しました。")
        self.saved.emit()

    def save_location(self) -> None:
        index = self.location_choice.currentIndex()
        if not 0 <= index < len(self._locations):
            return
        try:
            places.edit_location(self._db, self._actor, self._locations[index].id,
                                 self.location_form.values())
        except ServiceError as error:
            self.location_form.show_problems(error)
            return
        self.location_form.clear_problems()
        found = places.places_of(self._db, self.service_id)
        self._locations = found.locations
        self.status.setText("所在地を保存しました。")
        self.saved.emit()
