"""Showing what is wrong with a form: under the form, in Japanese, each line naming its field.

The field's own label turns red and the first field with a problem takes the focus. What the user
typed is never touched.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QLabel, QWidget

from setacare_desktop.domain.problems import Problem

ERROR_COLOR = "#b00020"
_ERROR_STYLE = f"color: {ERROR_COLOR};"


def error_label(parent: QWidget | None = None) -> QLabel:
    """A red, wrapping, selectable label, hidden while empty."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet(_ERROR_STYLE)
    label.setAccessibleName("エラー")
    label.hide()
    return label


class FormProblems(QLabel):
    """The list of a form's problems, with the labels of the fields concerned marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(_ERROR_STYLE)
        self.setAccessibleName("入力内容の問題")
        self.hide()
        self._fields: dict[str, tuple[QLabel, QWidget]] = {}

    def register(self, field: str, label: QLabel, widget: QWidget) -> None:
        """``field`` is the field a service names in its Problem (e.g. 「ログインID」)."""
        self._fields[field] = (label, widget)

    def clear_problems(self) -> None:
        self.clear()
        self.hide()
        for label, widget in self._fields.values():
            label.setStyleSheet("")
            widget.setAccessibleDescription("")

    def show_message(self, text: str) -> None:
        self.clear_problems()
        self.setText(text)
        self.show()

    def show_problems(self, problems: Iterable[Problem]) -> None:
        self.clear_problems()
        problems = list(problems)
        self.setText("\n".join(f"・{p}" for p in problems))
        self.show()
        first: QWidget | None = None
        for problem in problems:
            known = self._fields.get(problem.field)
            if known is None:
                continue
            label, widget = known
            label.setStyleSheet(_ERROR_STYLE)
            widget.setAccessibleDescription(problem.message)
            if first is None:
                first = widget
        if first is not None:
            first.setFocus()
