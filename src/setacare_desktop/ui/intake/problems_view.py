"""Showing what stops a save: each problem at its field, a summary under the form, a count on
the save button.

Problems come from ``domain.intake.validate`` and from the services (``ValidationError``) and
name their field by key (``domain.problems``); the sections registered every field under that key
(``sections.FieldRegistry``). Kept apart from the page so that one place decides how a problem
looks, and so that the page only says *when* to show them.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QWidget

from setacare_desktop.domain.problems import Problem
from setacare_desktop.ui.forms import ERROR_COLOR
from setacare_desktop.ui.intake.consent_panel import ConsentPanel
from setacare_desktop.ui.intake.sections import FieldRegistry
from setacare_desktop.ui.intake.widgets import set_style, set_text, set_visible

SAVE_TEXT = "保存"
SUMMARY_STYLE = f"color: {ERROR_COLOR};"


def unique(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once, in order (one consent problem is found once per consent ticked)."""
    seen: set[tuple[str, str]] = set()
    kept: list[Problem] = []
    for problem in problems:
        key = (problem.field, str(problem))
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


class ProblemsView:
    """Problems at the fields, the summary label (``summary_label``) and the save button's
    count. ``live`` turns on after a refused save: from then on the page shows problems as
    they are fixed (or made), until the form is cleared."""

    def __init__(self, fields: FieldRegistry, consent_panel: ConsentPanel,
                 save_button: QPushButton, scroll: QScrollArea, parent: QWidget) -> None:
        self._fields = fields
        self._consent_panel = consent_panel
        self._save_button = save_button
        self._scroll = scroll
        self.live = False
        self.summary_label = QLabel(parent)
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet(SUMMARY_STYLE)
        self.summary_label.setAccessibleName("入力内容の問題")
        self.summary_label.hide()

    def show(self, problems: Iterable[Problem], *, focus: bool) -> None:
        """Show ``problems`` (none: clear them all); ``focus`` moves to the first one."""
        problems = unique(problems)
        messages: dict[str, list[str]] = {}
        for problem in problems:
            messages.setdefault(problem.field, []).append(str(problem))
        for field, (label, widget, box) in self._fields.items():
            text = "\n".join(messages.get(field, []))
            box.show_error(text)
            set_style(label, SUMMARY_STYLE if text else "")
            if widget.accessibleDescription() != text:
                widget.setAccessibleDescription(text)
        self._consent_panel.show_error("\n".join(messages.get("consents", [])))
        if not problems:
            set_text(self.summary_label, "")
            set_visible(self.summary_label, False)
            if self._save_button.text() != SAVE_TEXT:
                self._save_button.setText(SAVE_TEXT)
            return
        count = len(problems)
        self.summary_label.setText(f"保存できません。次の{count}件を修正してください。\n"
                                   + "\n".join(f"・{p}" for p in problems))
        self.summary_label.show()
        self._save_button.setText(f"{SAVE_TEXT}（要修正 {count}件）")
        if focus:
            first = next((self._fields[p.field] for p in problems if p.field in self._fields),
                         None)
            if first is not None:
                self._scroll.ensureWidgetVisible(first[2])
                first[1].setFocus(Qt.FocusReason.OtherFocusReason)

    def show_message(self, text: str) -> None:
        """A refusal that is not about one field (e.g. a stale amendment)."""
        self.summary_label.setText(text)
        self.summary_label.show()

    def text(self, field: str) -> str:
        """The problem shown at a field, by its key ("" when none)."""
        if field == "consents":
            return self._consent_panel.giver_box.error.text()
        box = self._fields[field][2]
        return box.error.text() if not box.error.isHidden() else ""
