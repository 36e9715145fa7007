"""One whole-number setting for every PC, on the administrator's page: its label, the field,
「変更」, a greyed explanation, and the problem under it (nothing typed is lost).

The service reads the value (``load``) and checks, stores and audits a change (``save``, which
raises ``ServiceError`` naming the field); this widget only shows them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from setacare_desktop.services import ServiceError
from setacare_desktop.ui.forms import error_label


class NumberSetting(QWidget):
    #: The value was stored (the message for the status bar).
    saved = Signal(str)
    #: The value was stored (the value itself).
    stored = Signal(int)

    def __init__(self, label: str, hint: str, default: int, *, load: Callable[[], int],
                 save: Callable[[str], int], done: Callable[[int], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._load, self._save, self._done = load, save, done
        self.edit = QLineEdit(self)
        self.edit.setAccessibleName(label)
        self.edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 8)
        self.edit.setPlaceholderText(str(default))
        caption = QLabel(label, self)
        caption.setBuddy(self.edit)
        self.save_button = QPushButton("変更", self)
        explanation = QLabel(hint, self)
        explanation.setEnabled(False)  # greyed: an explanation
        explanation.setWordWrap(True)
        self.error_label = error_label(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(caption)
        row.addWidget(self.edit)
        row.addWidget(self.save_button)
        row.addWidget(explanation, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.error_label)
        self.save_button.clicked.connect(self.store)
        self.edit.returnPressed.connect(self.store)

    def reload(self) -> bool:
        """Show the stored value; False (the problem shown under the field) if it cannot be read."""
        try:
            self.edit.setText(str(self._load()))
        except ServiceError as error:
            self._problem(error.message)
            return False
        return True

    def store(self) -> bool:
        try:
            value = self._save(self.edit.text())
        except ServiceError as error:
            self._problem(error.message)
            return False
        self.error_label.hide()
        self.edit.setText(str(value))
        self.stored.emit(value)
        self.saved.emit(self._done(value))
        return True

    def _problem(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.edit.setFocus()
